"""Generate what dbt needs to know about the sources from sources.yml, so a source is declared once.

``audit-insight dbt-sources`` writes, and a test keeps in step with sources.yml:

* ``dbt_project/models/staging/_sources.yml``: one dbt source table per source (schema ``raw``),
  each carrying ``meta.dagster.asset_key`` pointing at its ingest asset, which gives Dagster one
  lineage graph from download to mart; plus ``meta.load_log`` (every file loaded);
* ``dbt_project/seeds/source_catalogue.csv``: id, title, publisher, kind, homepage, licence and
  attribution of every source (feeds dim_indicators and the report's licence text);
and, written into the build database on every refresh (orchestration/release_catalogue.py) rather
than generated here, because a refresh may run with another sources file:

* ``meta.source_releases``: every release with its position in sources.yml (oldest first) and its
  declared period. When two releases carry the same period, the later one's figures are the current
  ones (a revision); marts.release_history shows both.
"""

import csv
import io
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
            },
            {
                "name": "meta",
                "schema": "meta",
                "description": "Bookkeeping written by the loader.",
                "tables": [
                    {
                        "name": "load_log",
                        "description": "One row per file loaded into a raw table (by sha256), with its release.",
                    },
                    {
                        "name": "source_releases",
                        "description": (
                            "Every release of the sources file the refresh ran with, with its position "
                            "(oldest first) and declared period."
                        ),
                    },
                ],
            },
        ],
    }
    return GENERATED_HEADER + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)


CATALOGUE_COLUMNS = ("source_id", "title", "publisher", "kind", "homepage", "licence", "attribution")


def _csv(columns: tuple[str, ...], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def render_source_catalogue(config: SourcesConfig) -> str:
    return _csv(
        CATALOGUE_COLUMNS,
        [
            (s.id, s.title, s.publisher, s.kind, s.homepage, s.licence, " ".join(s.attribution.split()))
            for s in config.sources
        ],
    )


def generated_files(config: SourcesConfig, dbt_project_dir: Path) -> dict[Path, str]:
    """Every file generated from sources.yml, with its content."""
    seeds = dbt_project_dir / "seeds"
    return {
        dbt_sources_path(dbt_project_dir): render_dbt_sources(config),
        seeds / "source_catalogue.csv": render_source_catalogue(config),
    }


def dbt_sources_path(dbt_project_dir: Path) -> Path:
    return dbt_project_dir / "models" / "staging" / "_sources.yml"


def write_dbt_sources(config: SourcesConfig, dbt_project_dir: Path) -> list[Path]:
    written = []
    for path, content in generated_files(config, dbt_project_dir).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
