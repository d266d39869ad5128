"""Build Settings / Source / Release objects for tests without touching the real warehouse."""

from pathlib import Path

from orchestration.settings import PROJECT_ROOT, Settings, load_settings
from orchestration.sources import Source, SourcesConfig, load_sources


def make_settings(warehouse: Path, **env: str) -> Settings:
    """Settings writing under ``warehouse``; fast retries (the tests inject ``sleep`` anyway)."""
    environ = {
        "AUDIT_INSIGHT_WAREHOUSE_DIR": str(warehouse),
        "AUDIT_INSIGHT_PROJECT_ROOT": str(PROJECT_ROOT),
        "AUDIT_INSIGHT_MODE": "offline",
        "AUDIT_INSIGHT_CONNECT_TIMEOUT_S": "2",
        "AUDIT_INSIGHT_READ_TIMEOUT_S": "2",
        "AUDIT_INSIGHT_MAX_RETRIES": "2",
        "AUDIT_INSIGHT_BACKOFF_BASE_S": "0.5",
        "AUDIT_INSIGHT_MAX_RETRY_AFTER_S": "30",
    }
    environ.update(env)
    return load_settings(environ)


def make_source(releases: list[dict] | None = None, **overrides) -> Source:
    """A valid csv source named ``test_source`` on files.example.org with one release "2024-06"."""
    data = {
        "id": "test_source",
        "title": "Test source",
        "publisher": "Test publisher",
        "kind": "access",
        "licence": "OGL-3.0",
        "attribution": "Contains test data licensed under OGL v3.0.",
        "homepage": "https://files.example.org/",
        "allowed_hosts": ["files.example.org"],
        "format": "csv",
        "parser": "test_parser",
        "org_levels": ["trust"],
        "period_type": "month",
        "schedule": "0 5 * * 1",
        "expectation_suite": "test_source",
        "next_review": "2030-01-01",
        "max_unmapped_share": 0.05,
        "releases": releases
        or [
            {
                "release": "2024-06",
                "url": "https://files.example.org/data/Monthly-Test-June-2024.csv",
                "snapshot": "data/snapshots/test/Monthly-Test-June-2024.csv",
            }
        ],
    }
    data.update(overrides)
    return Source.model_validate(data)


def zip_source(member: str = "etr.csv", max_bytes: int = 200_000_000) -> Source:
    return make_source(
        releases=[
            {
                "release": "2025-07",
                "url": "https://files.example.org/assets/etr.zip",
                "zip_member": member,
                "snapshot": "data/snapshots/test/etr.csv",
            }
        ],
        max_bytes=max_bytes,
    )


def real_sources() -> SourcesConfig:
    return load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
