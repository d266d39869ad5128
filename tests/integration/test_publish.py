"""Write, audit, publish on real DuckDB files: readers see the old release or the new, never a mix."""

import hashlib
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.publish import PublishAuditError, prune_releases, publish


def _make_build(path: Path, facts: int, *, with_dims: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema meta; create schema staging")
        con.execute(
            "create table marts.fct_indicator_values as select range as id, 'x' as v from range(?)", [facts]
        )
        con.execute("comment on table marts.fct_indicator_values is 'One row per indicator value'")
        con.execute("comment on column marts.fct_indicator_values.v is 'the value'")
        if with_dims:
            con.execute("create table marts.dim_indicators as select 'shmi' as indicator_id")
            con.execute("create table marts.dim_organisations as select 'R0D' as org_code")
        con.execute("create table meta.load_log as select 1 as n")
        con.execute("create table staging.not_published as select 1 as n")
    return path


def _published_state(warehouse: Path) -> dict[str, str]:
    """sha256 of every file a reader can reach through the stable paths."""
    state = {}
    database = warehouse / "audit_insight.duckdb"
    state["db"] = hashlib.sha256(database.read_bytes()).hexdigest()
    for parquet in sorted((warehouse / "exports").glob("*.parquet")):
        state[parquet.name] = hashlib.sha256(parquet.read_bytes()).hexdigest()
    return state


def test_publish_creates_stable_paths_with_matching_counts(tmp_path):
    build = _make_build(tmp_path / "build" / "b.duckdb", 1234)
    warehouse = tmp_path / "wh"
    result = publish(build, warehouse)

    assert (warehouse / "audit_insight.duckdb").is_symlink()
    assert (warehouse / "exports").is_symlink()
    with duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_indicator_values").fetchone()[0] == 1234
        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts", "meta"}  # staging stays in the build database
        comment = con.execute(
            "select comment from duckdb_columns() where table_name = 'fct_indicator_values' and column_name = 'v'"
        ).fetchone()[0]
        assert comment == "the value"
        from_parquet = con.execute(
            "select count(*) from read_parquet(?)",
            [str(warehouse / "exports" / "fct_indicator_values.parquet")],
        ).fetchone()[0]
    assert from_parquet == 1234
    assert pq.read_table(warehouse / "exports" / "fct_indicator_values.parquet").num_rows == 1234
    assert {t.name for t in result.tables if t.parquet} == {
        "fct_indicator_values",
        "dim_indicators",
        "dim_organisations",
    }
    assert not (warehouse / "exports" / "load_log.parquet").exists()


def test_failed_audit_leaves_published_files_byte_identical(tmp_path):
    warehouse = tmp_path / "wh"
    publish(_make_build(tmp_path / "build" / "b.duckdb", 10), warehouse)
    before = _published_state(warehouse)
    releases_before = sorted(p.name for p in (warehouse / "releases").iterdir())

    broken = _make_build(tmp_path / "build" / "b.duckdb", 0)  # an empty fact table must not be published
    with pytest.raises(PublishAuditError, match="fct_indicator_values is empty"):
        publish(broken, warehouse)
    missing = _make_build(tmp_path / "build" / "b.duckdb", 5, with_dims=False)
    with pytest.raises(PublishAuditError, match="dim_indicators is missing"):
        publish(missing, warehouse)

    assert _published_state(warehouse) == before
    assert sorted(p.name for p in (warehouse / "releases").iterdir()) == releases_before  # no .tmp left


def test_reader_holding_a_connection_is_not_blocked_and_sees_one_release(tmp_path):
    warehouse = tmp_path / "wh"
    publish(_make_build(tmp_path / "build" / "b.duckdb", 10), warehouse)
    reader = duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True)
    try:
        publish(_make_build(tmp_path / "build" / "b.duckdb", 20), warehouse)
        # the open connection still reads the release it opened, whole
        assert reader.execute("select count(*) from marts.fct_indicator_values").fetchone()[0] == 10
    finally:
        reader.close()
    with duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.fct_indicator_values").fetchone()[0] == 20


def test_old_releases_are_pruned_but_never_the_current_one(tmp_path):
    warehouse = tmp_path / "wh"
    build = tmp_path / "build" / "b.duckdb"
    for facts in (1, 2, 3, 4):
        publish(_make_build(build, facts), warehouse, keep_releases=2)
    releases = sorted(p for p in (warehouse / "releases").iterdir())
    assert len(releases) == 2
    assert (warehouse / "current").resolve() == releases[-1].resolve()
    (warehouse / "releases" / "crashed.tmp").mkdir()
    prune_releases(warehouse, 2)
    assert not (warehouse / "releases" / "crashed.tmp").exists()
    assert os.path.islink(warehouse / "current")
