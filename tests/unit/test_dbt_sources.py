"""The dbt sources file is generated from sources.yml and must not drift from it."""

from orchestration.dbt_sources import generated_files, render_dbt_sources
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT


def test_committed_generated_files_match_sources_yml():
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    for path, content in generated_files(config, PROJECT_ROOT / "dbt_project").items():
        assert path.read_text(encoding="utf-8") == content, (
            f"{path.name} is out of date: run `audit-insight dbt-sources` and commit the result"
        )


def test_every_source_points_at_its_ingest_asset():
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    rendered = render_dbt_sources(config)
    for source_id in config.ids:
        assert f"- name: {source_id}\n" in rendered
        assert f"        - raw\n        - {source_id}\n" in rendered
