"""Tell dbt which releases exist and in what order, from the sources file the refresh runs with.

dbt resolves revisions across releases (a later release republishing a period wins) from
``meta.source_releases``. It is rewritten before every dbt build from the sources file in use, not
generated into the repository, so a refresh run with another sources file (a test, a trial source)
orders its own releases.
"""

from pathlib import Path

import duckdb

from orchestration.duckdb_utils import load_sql
from orchestration.settings import Settings
from orchestration.sources import SourcesConfig
from orchestration.walkers import releases_of


def release_rows(config: SourcesConfig, settings: Settings | None = None) -> list[tuple]:
    """One row per release; with ``settings``, releases discovered by API walks follow the declared ones."""
    return [
        (source.id, release.release, position, release.period_start, release.period_end, release.period_label)
        for source in config.sources
        for position, release in enumerate(
            releases_of(source, settings) if settings is not None else source.releases, start=1
        )
    ]


def write_release_catalogue(database: Path, config: SourcesConfig, settings: Settings | None = None) -> int:
    """Replace meta.source_releases in the build database; returns the number of releases."""
    rows = release_rows(config, settings)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists meta")
        con.execute(load_sql("release_catalogue"))
        con.executemany("insert into meta.source_releases values (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)
