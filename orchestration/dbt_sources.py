"""Generate the dbt sources file from sources.yml, so a source is declared once.

``dbt_project/models/staging/_sources.yml`` is generated (``audit-insight dbt-sources``) and
committed; a test fails when it drifts from sources.yml. Each dbt source table carries
``meta.dagster.asset_key`` pointing at its ingest asset, which gives Dagster one lineage graph from
download to mart.
"""

from pathlib import Path

import yaml

from orchestration.sources import SourcesConfig

GENERATED_HEADER = (
    "# GENERATED from sources.yml by `audit-insight dbt-sources`; do not edit by hand.\n"
    "# tests/unit/test_dbt_sources.py fails when this file is out of date.\n"
)


def raw_asset_key(source_id: str) -> list[str]:
    """The Dagster asset key of a source's loaded raw table (schema ``raw`` in DuckDB)."""
    return ["raw", source_id]


def render_dbt_sources(config: SourcesConfig) -> str:
    tables = []
    for source in config.sources:
        description = " ".join((source.description or source.title).split())
        tables.append(
            {
                "name": source.raw_table,
                "description": f"{source.title}. {description} Publisher: {source.publisher}.",
                "meta": {
                    "dagster": {"asset_key": raw_asset_key(source.id)},
                    "source_kind": source.kind,
                    "licence": source.licence,
                },
            }
        )
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Parsed, validated files as loaded by the ingest assets, with lineage columns.",
                "tables": tables,
            }
        ],
    }
    return GENERATED_HEADER + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)


def dbt_sources_path(dbt_project_dir: Path) -> Path:
    return dbt_project_dir / "models" / "staging" / "_sources.yml"


def write_dbt_sources(config: SourcesConfig, dbt_project_dir: Path) -> Path:
    path = dbt_sources_path(dbt_project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_dbt_sources(config), encoding="utf-8")
    return path
