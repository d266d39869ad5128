"""Write, audit, publish: the published warehouse changes all at once or not at all.

Layout under the warehouse directory::

    releases/<release_id>/audit_insight.duckdb   one immutable published build
    releases/<release_id>/exports/<mart>.parquet
    releases/<release_id>/manifest.json          row counts and sha256 of every file
    current -> releases/<release_id>             the one pointer that a publish swaps
    audit_insight.duckdb -> current/audit_insight.duckdb   stable paths for analysts and BI tools
    exports -> current/exports

A new release is written into ``releases/<id>.tmp``, audited (every table and Parquet file is
re-read and counted against the build), renamed, and only then published by atomically replacing the
``current`` symlink. Until that rename a failed run has not touched anything a reader can see; an
analyst holding a read-only connection keeps reading the release it opened (old releases are kept
for a while, see ``keep_releases``).
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.duckdb_utils import (
    build_config,
    fetch_one,
    load_sql,
    qualified,
    quote_identifier,
    quote_path_literal,
)
from orchestration.fault_hooks import pause_point

PUBLISHED_SCHEMAS = ("marts", "meta")
EXPORTED_SCHEMAS = ("marts",)
DATABASE_NAME = "audit_insight.duckdb"
REQUIRED_NON_EMPTY = ("marts.fct_indicator_values", "marts.dim_indicators", "marts.dim_organisations")


class PublishAuditError(RuntimeError):
    """The candidate release failed its audit; nothing was published."""


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int
    parquet: str | None  # path relative to the release directory


@dataclass(frozen=True)
class PublishResult:
    release_id: str
    release_dir: Path
    database: Path
    exports_dir: Path
    tables: tuple[PublishedTable, ...]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_release(build_database: Path, release_tmp: Path) -> list[PublishedTable]:
    database = release_tmp / DATABASE_NAME
    exports = release_tmp / "exports"
    exports.mkdir(parents=True)
    tables: list[PublishedTable] = []
    with duckdb.connect(str(database), config=build_config()) as con:
        con.execute("attach " + quote_path_literal(build_database) + " as build (read_only)")
        listed = con.execute(load_sql("publish_list_tables"), [list(PUBLISHED_SCHEMAS)]).fetchall()
        for schema, name in listed:
            con.execute("create schema if not exists " + quote_identifier(schema))
            target = qualified(schema, name)
            con.execute(load_sql("publish_copy_table", target=target))
            _copy_comments(con, schema, name)
            rows = fetch_one(con, load_sql("count_rows", target=target))[0]
            parquet = None
            if schema in EXPORTED_SCHEMAS:
                parquet_path = exports / f"{name}.parquet"
                con.execute(load_sql("export_parquet", target=target, path=quote_path_literal(parquet_path)))
                parquet = str(parquet_path.relative_to(release_tmp))
            tables.append(PublishedTable(schema, name, rows, parquet))
        con.execute("detach build")
        con.execute("checkpoint")
    return tables


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """Carry dbt's persisted docs (table and column comments) into the published copy."""
    target = qualified(schema, name)
    table_comment = fetch_one(
        con,
        "select comment from duckdb_tables() where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, name],
    )
    if table_comment and table_comment[0]:
        con.execute("comment on table " + target + " is " + _string_literal(table_comment[0]))
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = 'build' and schema_name = ? and table_name = ? and comment is not null",
        [schema, name],
    ).fetchall():
        if comment:
            column_ref = target + "." + '"' + column.replace('"', "") + '"'
            con.execute("comment on column " + column_ref + " is " + _string_literal(comment))


def _string_literal(text: str) -> str:
    # COMMENT ON does not accept a bound parameter; the text comes from our own dbt docs.
    return "'" + str(text).replace("'", "''") + "'"


def audit_release(build_database: Path, release_tmp: Path, tables: list[PublishedTable]) -> None:
    """Re-read the candidate: every table and Parquet file must match the build's row counts."""
    problems: list[str] = []
    names = {f"{t.schema}.{t.name}" for t in tables}
    for required in REQUIRED_NON_EMPTY:
        if required not in names:
            problems.append(f"{required} is missing from the build")
    with (
        duckdb.connect(str(build_database), read_only=True) as build,
        duckdb.connect(str(release_tmp / DATABASE_NAME), read_only=True) as candidate,
    ):
        for table in tables:
            target = qualified(table.schema, table.name)
            built = fetch_one(build, load_sql("count_rows", target=target))[0]
            copied = fetch_one(candidate, load_sql("count_rows", target=target))[0]
            if built != copied:
                problems.append(f"{table.schema}.{table.name}: build has {built} rows, copy has {copied}")
            if f"{table.schema}.{table.name}" in REQUIRED_NON_EMPTY and copied == 0:
                problems.append(f"{table.schema}.{table.name} is empty")
            if table.parquet:
                parquet_rows = pq.read_metadata(release_tmp / table.parquet).num_rows
                if parquet_rows != built:
                    problems.append(f"{table.parquet}: {parquet_rows} rows, build has {built}")
    if problems:
        raise PublishAuditError("publish audit failed, nothing published: " + "; ".join(problems))


def _ensure_stable_links(warehouse_dir: Path) -> None:
    """Create the never-changing symlinks that point through ``current``."""
    for name, target in (
        (DATABASE_NAME, Path("current") / DATABASE_NAME),
        ("exports", Path("current") / "exports"),
    ):
        link = warehouse_dir / name
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        if link.exists() and not link.is_symlink():
            raise PublishAuditError(f"{link} exists and is not the expected symlink; move it aside and rerun")
        tmp = warehouse_dir / f".{name}.link.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(target)
        os.replace(tmp, link)


def _swap_current(warehouse_dir: Path, release_dir: Path) -> None:
    tmp = warehouse_dir / ".current.link.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path("releases") / release_dir.name)
    os.replace(tmp, warehouse_dir / "current")  # atomic on POSIX: readers see old or new, never a mix
    _fsync_dir(warehouse_dir)


def current_release(warehouse_dir: Path) -> Path | None:
    link = warehouse_dir / "current"
    return link.resolve() if link.is_symlink() else None


def prune_releases(warehouse_dir: Path, keep_releases: int) -> list[Path]:
    """Delete all but the newest ``keep_releases`` releases (never the current one) and stale temps."""
    releases_dir = warehouse_dir / "releases"
    if not releases_dir.is_dir():
        return []
    current = current_release(warehouse_dir)
    finished = sorted(p for p in releases_dir.iterdir() if p.is_dir() and not p.name.endswith(".tmp"))
    removed = []
    for path in finished[:-keep_releases] if keep_releases > 0 else finished:
        if current is not None and path.resolve() == current:
            continue
        shutil.rmtree(path)
        removed.append(path)
    for path in releases_dir.glob("*.tmp"):  # left by a crashed publish; never visible to readers
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def publish(build_database: Path, warehouse_dir: Path, *, keep_releases: int = 3) -> PublishResult:
    """Copy marts and meta from the build database into a new release, audit it, then publish it."""
    if not build_database.is_file():
        raise PublishAuditError(f"build database {build_database} does not exist; run the pipeline first")
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    releases_dir = warehouse_dir / "releases"
    releases_dir.mkdir(exist_ok=True)
    release_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    release_tmp = releases_dir / f"{release_id}.tmp"
    release_dir = releases_dir / release_id
    try:
        tables = _write_release(build_database, release_tmp)
        audit_release(build_database, release_tmp, tables)
        manifest = {
            "release_id": release_id,
            "published_at": datetime.now(UTC).isoformat(),
            "tables": [t.__dict__ for t in tables],
            "files": {
                str(p.relative_to(release_tmp)): _sha256(p)
                for p in sorted(release_tmp.rglob("*"))
                if p.is_file()
            },
        }
        (release_tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        pause_point("publish_written")  # tests/faults only (kill -9 before the rename)
        os.replace(release_tmp, release_dir)
    except BaseException:
        shutil.rmtree(release_tmp, ignore_errors=True)
        raise
    pause_point("publish_renamed")  # tests/faults only (kill -9 before the swap)
    _ensure_stable_links(warehouse_dir)
    _swap_current(warehouse_dir, release_dir)
    prune_releases(warehouse_dir, keep_releases)
    return PublishResult(
        release_id=release_id,
        release_dir=release_dir,
        database=warehouse_dir / DATABASE_NAME,
        exports_dir=warehouse_dir / "exports",
        tables=tuple(tables),
    )
