"""Fetch, then ingest: the steps behind each source's Dagster assets, free of Dagster itself.

``fetch_source`` downloads every release of a source into the immutable raw store (offline mode
serves the bundled snapshots on 127.0.0.1 through the same code) and records each attempt in
``meta.fetch_log``. ``validate_source`` parses the current file of every release and runs the
source's Great Expectations suite on each *before anything is written*; ``load_source`` then loads
the files that are not yet in the build database. Nothing here logs row-level data.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration import streaming
from orchestration.duckdb_utils import build_config
from orchestration.fetch import FetchError, FetchResult, fetch_release, resolve_url
from orchestration.fetch.log import FETCH_LOG_DDL, record_attempts
from orchestration.fetch.snapshot_server import SnapshotServer
from orchestration.fetch.store import read_state
from orchestration.load import LoadResult, already_loaded, ensure_meta, load_frame, load_relation
from orchestration.parsers import ParseError, parse_file
from orchestration.settings import OFFLINE, Settings
from orchestration.sources import Source, SourcesConfig
from orchestration.validation.gx_suites import ValidationReport, load_suite, validate_frame
from orchestration.validation.sql_suite import load_suite_json, validate_relation
from orchestration.walkers import WalkError, releases_of, walk_enabled, walk_source


class IngestError(RuntimeError):
    """A source could not be ingested; the message names source, release, file and cause."""


@dataclass(frozen=True)
class ValidatedFile:
    fetch: FetchResult
    frame: pd.DataFrame | None  # None when the file is already loaded (nothing to parse again)
    report: ValidationReport | None
    # A large file streamed through DuckDB (orchestration/streaming.py): the select to load, no frame,
    # and the Parquet file it was parsed into once (deleted once loaded).
    native: str | None = None
    staged: Path | None = None


@dataclass
class SourceValidation:
    source_id: str
    files: list[ValidatedFile] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one clear message per failed file

    @property
    def success(self) -> bool:
        return not self.failures


def connect_build(settings: Settings) -> duckdb.DuckDBPyConnection:
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.build_database), config=build_config())
    ensure_meta(con)
    con.execute(FETCH_LOG_DDL)
    return con


def fetch_source(source: Source, config: SourcesConfig, settings: Settings) -> list[FetchResult]:
    """Fetch every release of a source; record every attempt, successful or not.

    A source with an ``api:`` block is then walked (orchestration/walkers): each walked period is one
    more release in the results (its combined data file), every API response an attempt in the log.
    """
    results: list[FetchResult] = []
    attempts = []
    error: FetchError | WalkError | None = None
    with ExitStack() as stack:
        # Archived releases (no longer online) are always served from the bundle, in both modes.
        needs_server = settings.mode == OFFLINE or any(r.archived for r in source.releases)
        server = (
            stack.enter_context(
                SnapshotServer(config, settings.project_root, extra_roots=(settings.sources_file.parent,))
            )
            if needs_server
            else None
        )
        for release in source.releases:
            url = resolve_url(source, release, settings, server)
            try:
                result = fetch_release(source, release, settings=settings, url=url)
            except FetchError as exc:
                attempts.extend(exc.attempts)
                error = exc
                break
            attempts.extend(result.attempts)
            results.append(result)
    if error is None and walk_enabled(source, settings):
        try:
            walked = walk_source(source, settings)
        except WalkError as exc:
            attempts.extend(exc.attempts)
            error = exc
        else:
            attempts.extend(walked.attempts)
            results.extend(walked.releases)
    with connect_build(settings) as con:
        record_attempts(con, attempts)
    if error is not None:
        raise IngestError(str(error)) from error
    return results


def validate_source(source: Source, fetched: list[FetchResult], settings: Settings) -> SourceValidation:
    """Parse and validate each fetched file not yet loaded. Writes nothing."""
    outcome = SourceValidation(source.id)
    suite = load_suite(settings.expectations_dir, source.expectation_suite)
    releases = {release.release: release for release in releases_of(source, settings)}
    with connect_build(settings) as con:
        loaded = {f.sha256 for f in fetched if already_loaded(con, source.id, f.sha256)}
    for result in fetched:
        if result.sha256 in loaded:
            outcome.files.append(ValidatedFile(result, None, None))
            continue
        release = releases[result.release]
        parser_name = source.parser_of(release)
        if streaming.streams(parser_name, result.data_path):
            streamed = _validate_streamed(source, release, result, settings, outcome)
            if streamed is not None:
                outcome.files.append(streamed)
            continue
        try:
            frame = parse_file(parser_name, result.data_path, release, source.id)
        except ParseError as exc:
            outcome.failures.append(str(exc))
            continue
        report = validate_frame(frame, suite)
        if not report.success:
            outcome.failures.append(report.summary(source.id, _published_name(release.snapshot, result)))
        elif int(frame.memory_usage(index=False).sum()) >= streaming.stream_min_bytes():
            # A large validated frame waits for the load as Parquet, not in memory: a source's files
            # are all validated before any is loaded, and two years of RTT extracts held as frames
            # would be ~2 GiB.
            staged = _staged_path(settings, source.id, result.sha256)
            relation = streaming.stage_frame(frame, staged)
            outcome.files.append(ValidatedFile(result, None, report, native=relation, staged=staged))
            continue
        outcome.files.append(ValidatedFile(result, frame, report))
    if not outcome.success:  # nothing of this source will be loaded: drop what was staged for it
        for item in outcome.files:
            if item.staged is not None:
                item.staged.unlink(missing_ok=True)
    return outcome


def _staged_path(settings: Settings, source_id: str, sha256: str) -> Path:
    path = settings.build_dir / "staged" / source_id / f"{sha256}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _validate_streamed(
    source: Source, release, result: FetchResult, settings: Settings, outcome: SourceValidation
) -> ValidatedFile | None:
    """Parse checks and the suite as DuckDB SQL: never a pandas frame.

    The CSV is parsed ONCE, into a typed Parquet file beside the build database
    (``build/staged/<source>/<sha256>.parquet``); the row checks, the suite and then the load read that
    instead of parsing the text three times. The staged file is derived data: it is deleted after the
    load (or when validation fails), and the raw file stays the record of what was published.
    """
    parser_name = source.parser_of(release)
    staged = _staged_path(settings, source.id, result.sha256)
    with streaming.connect_scratch() as con:
        try:
            streaming.stage_native(con, parser_name, result.data_path, release, source.id, staged)
            streaming.check_native(
                con, parser_name, result.data_path, release, source.id, relation=streaming.staged_scan(staged)
            )
        except ParseError as exc:
            staged.unlink(missing_ok=True)
            outcome.failures.append(str(exc))
            return None
        relation = streaming.staged_select(parser_name, staged)
        suite = load_suite_json(settings.expectations_dir, source.expectation_suite)
        report = validate_relation(con, relation, suite)
    if not report.success:
        staged.unlink(missing_ok=True)
        outcome.failures.append(report.summary(source.id, _published_name(release.snapshot, result)))
    return ValidatedFile(result, None, report, native=relation, staged=staged)


def _published_name(snapshot: str, result: FetchResult) -> str:
    return f"{Path(snapshot).name} (raw {result.raw_path.name})"


def load_source(source: Source, validation: SourceValidation, settings: Settings) -> list[LoadResult]:
    if not validation.success:
        raise IngestError(f"{source.id}: refusing to load files that failed validation")
    results = []
    with connect_build(settings) as con:
        for item in validation.files:
            if item.native is not None:
                results.append(
                    load_relation(
                        con,
                        source_id=source.id,
                        release=item.fetch.release,
                        file_sha256=item.fetch.sha256,
                        file_name=item.fetch.raw_path.name,
                        fetched_at=item.fetch.fetched_at,
                        relation=item.native,
                    )
                )
                if item.staged is not None:
                    item.staged.unlink(missing_ok=True)
                continue
            if item.frame is None:
                results.append(LoadResult(source.id, item.fetch.release, item.fetch.sha256, 0, skipped=True))
                continue
            results.append(
                load_frame(
                    con,
                    source_id=source.id,
                    release=item.fetch.release,
                    file_sha256=item.fetch.sha256,
                    file_name=item.fetch.raw_path.name,
                    fetched_at=item.fetch.fetched_at,
                    frame=item.frame,
                )
            )
    return results


def current_files(source: Source, settings: Settings) -> list[FetchResult]:
    """The current raw file of every release, as the last fetch left them in the raw store.

    The load asset reads this instead of receiving the fetch results in memory, so a run that
    selects only the load (or re-executes it after a failure) works from what is on disk.
    """
    source_dir = settings.raw_dir / source.id
    state = read_state(source_dir)
    results = []
    for release in releases_of(source, settings):
        entry = state.get(release.release)
        if not entry or not (source_dir / entry.get("raw_file", "")).is_file():
            raise IngestError(
                f"{source.id} release {release.release}: no fetched file in {source_dir}; "
                f"materialize raw_files/{source.id} first"
            )
        raw_path = source_dir / entry["raw_file"]
        results.append(
            FetchResult(
                source_id=source.id,
                release=release.release,
                url_redacted=entry.get("url_redacted", ""),
                outcome="stored",
                raw_path=raw_path,
                data_path=source_dir / entry.get("data_file", entry["raw_file"]),
                sha256=entry["sha256"],
                bytes=raw_path.stat().st_size,
                fetched_at=datetime.fromisoformat(entry["fetched_at"]),
                attempts=(),
            )
        )
    return results
