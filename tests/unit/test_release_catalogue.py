"""meta.source_releases is written from the sources file in use, in sources.yml order, on a real DuckDB."""

import copy

import duckdb

from orchestration.release_catalogue import write_release_catalogue
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT, write_sources


def test_releases_are_written_in_order_and_rewritten_each_time(tmp_path, sources_document):
    database = tmp_path / "build.duckdb"
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    total = sum(len(source.releases) for source in config.sources)
    assert write_release_catalogue(database, config) == total

    document = copy.deepcopy(sources_document)
    shmi = next(source for source in document["sources"] if source["id"] == "shmi")
    shmi["releases"] = shmi["releases"][:2]
    smaller = load_sources(write_sources(tmp_path / "sources.yml", document), PROJECT_ROOT)
    write_release_catalogue(database, smaller)  # replaces, never appends

    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select release_label, release_position, period_start from meta.source_releases "
            "where source_id = 'shmi' order by release_position"
        ).fetchall()
        [(count,)] = con.execute("select count(*) from meta.source_releases").fetchall()
    first, second = config.by_id("shmi").releases[:2]
    assert rows == [(first.release, 1, first.period_start), (second.release, 2, second.period_start)]
    assert count == total - len(config.by_id("shmi").releases) + 2
