"""Load parsed, validated frames into the build database's ``raw`` schema.

Idempotent: ``meta.load_log`` records every file (by sha256) loaded per source, and loading the same
file twice changes nothing. A file's rows are written and logged in one transaction, so a crash
leaves either all of a file or none of it.
"""

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.duckdb_utils import fetch_one, load_sql, qualified, quote_identifier
from orchestration.fault_hooks import pause_point

_FRAME_VIEW = "_audit_insight_frame"


@dataclass(frozen=True)
class LoadResult:
    source_id: str
    release: str
    file_sha256: str
    rows: int
    skipped: bool  # True when this exact file had been loaded before


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql("meta_ddl"))


def already_loaded(con: duckdb.DuckDBPyConnection, source_id: str, file_sha256: str) -> bool:
    row = fetch_one(
        con,
        "select count(*) from meta.load_log where source_id = ? and file_sha256 = ?",
        [source_id, file_sha256],
    )
    return bool(row and row[0])


def load_frame(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    release: str,
    file_sha256: str,
    file_name: str,
    fetched_at: datetime,
    frame: pd.DataFrame,
) -> LoadResult:
    """Append one parsed file to ``raw.<source_id>`` unless that file (sha256) is already there."""
    ensure_meta(con)
    if already_loaded(con, source_id, file_sha256):
        return LoadResult(source_id, release, file_sha256, 0, skipped=True)
    if frame.empty:
        raise ValueError(f"{source_id} release {release}: {file_name} parsed to no rows; refusing to load")
    table = qualified("raw", source_id)
    frame_view = quote_identifier(_FRAME_VIEW)
    con.register(_FRAME_VIEW, frame)
    try:
        con.execute("begin transaction")
        try:
            con.execute(load_sql("raw_create_from_frame", table=table, frame=frame_view))
            # A half-loaded file cannot exist (one transaction), but a file loaded by hand without a
            # log row could: clear it so the insert below is the only copy.
            con.execute(load_sql("raw_delete_file", table=table), [file_sha256])
            con.execute(
                load_sql("raw_insert_frame", table=table, frame=frame_view),
                [source_id, release, file_sha256, fetched_at],
            )
            con.execute(
                "insert into meta.load_log values (?, ?, ?, ?, ?, ?, ?)",
                [source_id, release, file_sha256, file_name, len(frame), fetched_at, datetime.now(UTC)],
            )
            pause_point("load")  # tests/faults only: kill -9 here must leave none of this file
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.unregister(_FRAME_VIEW)
    return LoadResult(source_id, release, file_sha256, len(frame), skipped=False)


def load_relation(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    release: str,
    file_sha256: str,
    file_name: str,
    fetched_at: datetime,
    relation: str,
) -> LoadResult:
    """As ``load_frame``, for a large file DuckDB reads itself (``relation``: a ``(select ...)`` over
    ``read_csv``, orchestration/streaming.py): the rows go from the file to ``raw.<source_id>``
    without passing through Python. Same lineage columns, same one-transaction guarantee."""
    ensure_meta(con)
    if already_loaded(con, source_id, file_sha256):
        return LoadResult(source_id, release, file_sha256, 0, skipped=True)
    table = qualified("raw", source_id)
    con.execute("begin transaction")
    try:
        con.execute(load_sql("raw_create_from_frame", table=table, frame=relation))
        con.execute(load_sql("raw_delete_file", table=table), [file_sha256])
        # DuckDB answers an INSERT with the number of rows inserted: no second scan of the table
        rows = con.execute(
            load_sql("raw_insert_frame", table=table, frame=relation),
            [source_id, release, file_sha256, fetched_at],
        ).fetchone()[0]
        if rows == 0:
            raise ValueError(f"{source_id} release {release}: {file_name} has no rows; refusing to load")
        con.execute(
            "insert into meta.load_log values (?, ?, ?, ?, ?, ?, ?)",
            [source_id, release, file_sha256, file_name, rows, fetched_at, datetime.now(UTC)],
        )
        pause_point("load")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return LoadResult(source_id, release, file_sha256, int(rows), skipped=False)


def dev_build(database: Path) -> None:
    """Developer shortcut: parse every bundled snapshot straight into a database (no fetch, no GX).

    The pipeline never uses this; it exists so dbt models can be developed against real raw tables.
    """
    import hashlib

    from orchestration.parsers import parse_file
    from orchestration.settings import load_settings
    from orchestration.sources import load_sources

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as con:
        for source in config.sources:
            for release in source.releases:
                path = settings.project_root / release.snapshot
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
                frame = parse_file(source.parser_of(release), path, release, source.id)
                result = load_frame(
                    con,
                    source_id=source.id,
                    release=release.release,
                    file_sha256=sha,
                    file_name=path.name,
                    fetched_at=datetime.now(UTC),
                    frame=frame,
                )
                print(f"{source.id:22s} {release.release:10s} rows={result.rows} skipped={result.skipped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev-build", type=Path, required=True, help="database file to build")
    dev_build(parser.parse_args().dev_build)


if __name__ == "__main__":
    main()
