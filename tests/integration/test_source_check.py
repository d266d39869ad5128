"""`sources check`: conditional requests over real loopback HTTP tell changed sources from unchanged."""

import shutil

import duckdb
import yaml

from orchestration.settings import load_settings
from orchestration.source_check import changed_source_ids, check_sources
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT, write_sources


def _two_sources(tmp_path, sources_document) -> tuple:
    """A sources file with two real sources whose bundled files live in tmp_path (so a test can change one)."""
    document = {"schema_version": 1, "sources": []}
    for source in sources_document["sources"]:
        if source["id"] in ("ons_cancer_alliances", "hin_icbs"):
            for release in source["releases"]:
                copy = tmp_path / "bundle" / source["id"] / release["snapshot"].rsplit("/", 1)[-1]
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(release["snapshot"], copy)
                release["snapshot"] = str(copy)
            document["sources"].append(source)
    sources_file = write_sources(tmp_path / "sources.yml", document)
    settings = load_settings(
        {
            "AUDIT_INSIGHT_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "AUDIT_INSIGHT_SOURCES_FILE": str(sources_file),
            "AUDIT_INSIGHT_MODE": "offline",
            "AUDIT_INSIGHT_MAX_RETRIES": "0",
        }
    )
    return load_sources(sources_file, PROJECT_ROOT), settings, document


def test_check_reports_new_then_unchanged_then_only_the_changed_source(tmp_path, sources_document):
    config, settings, document = _two_sources(tmp_path, sources_document)

    first = check_sources(config, settings)
    assert sorted(changed_source_ids(first)) == ["hin_icbs", "ons_cancer_alliances"]  # never fetched before

    second = check_sources(config, settings)
    assert changed_source_ids(second) == []
    assert all(check.unchanged_releases and not check.error for check in second)

    # the publisher changes one file: only that source is reported, and its new bytes are kept
    alliances = next(s for s in document["sources"] if s["id"] == "ons_cancer_alliances")
    bundled = (
        tmp_path / "bundle" / "ons_cancer_alliances" / alliances["releases"][0]["snapshot"].rsplit("/", 1)[-1]
    )
    data = yaml.safe_load(bundled.read_text(encoding="utf-8"))  # JSON is YAML
    data["E56000005"] = "Cheshire and Merseyside (renamed)"
    bundled.write_text(yaml.safe_dump(data, default_flow_style=True), encoding="utf-8")
    third = check_sources(config, settings)
    assert changed_source_ids(third) == ["ons_cancer_alliances"]
    assert "changed" in next(c for c in third if c.source_id == "ons_cancer_alliances").describe()
    assert len(list((settings.raw_dir / "ons_cancer_alliances").glob("2024-04_*.json"))) == 2  # old file kept

    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        outcomes = dict(con.execute("select outcome, count(*) from meta.fetch_log group by 1").fetchall())
    assert outcomes.get("not_modified", 0) >= 2  # the second check was answered 304


def test_a_source_that_cannot_be_reached_is_reported_not_called_unchanged(tmp_path, sources_document):
    config, settings, _ = _two_sources(tmp_path, sources_document)
    for path in (tmp_path / "bundle" / "hin_icbs").iterdir():
        path.unlink()  # the snapshot server now answers 404 for it
    checks = {check.source_id: check for check in check_sources(config, settings)}
    assert checks["hin_icbs"].error and not checks["hin_icbs"].changed
    assert "could not check" in checks["hin_icbs"].describe()
    assert checks["ons_cancer_alliances"].changed
