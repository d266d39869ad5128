"""One whole refresh, as `audit-insight run` (and so `make run`) executes it.

The refresh is the Dagster job ``refresh_all`` run in this process: the same assets, checks and
publish step that `dagster dev` and the schedules run. Only one refresh may run against a warehouse
at a time (a lock file under the warehouse directory); a second one refuses at once with a clear
message instead of fighting over the DuckDB write lock.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.duckdb_utils import fetch_one, load_sql
from orchestration.settings import Settings


class RefreshLockedError(RuntimeError):
    pass


@contextmanager
def refresh_lock(warehouse_dir: Path) -> Iterator[None]:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = warehouse_dir / ".refresh.lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshLockedError(
                f"another refresh is already running on {warehouse_dir} (pid {holder}); "
                "wait for it to finish, then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process is killed


@dataclass
class RefreshReport:
    success: bool
    run_id: str
    checks_passed: int = 0
    checks_failed: int = 0
    failed_checks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_steps: int = 0


def settings_log_level() -> str:
    return os.environ.get("AUDIT_INSIGHT_LOG_LEVEL", "INFO").upper()


def run_refresh(settings: Settings, source_ids: list[str] | None = None) -> RefreshReport:
    """Parse dbt, then execute the refresh_all job in-process; never raises for a failed step.

    With ``source_ids``, only those sources' assets and everything downstream of them run.
    """
    from dagster import DagsterInstance

    from orchestration.dbt_runner import parse_dbt_project

    parse_dbt_project(settings)
    from orchestration.definitions import defs  # imported late: it needs the fresh dbt manifest
    from orchestration.defs.sensors import downstream_of_sources

    job = defs.resolve_job_def("refresh_all")
    selection = None
    if source_ids is not None:
        selection = sorted(downstream_of_sources(defs, source_ids))
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            # Dagster's DEBUG events (one per output and check) drown the few lines a user needs.
            run_config={"loggers": {"console": {"config": {"log_level": settings_log_level()}}}},
        )
    report = RefreshReport(success=result.success, run_id=result.run_id)
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            report.checks_passed += 1
        else:
            report.checks_failed += 1
            report.failed_checks.append(f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}")
    for event in result.get_step_failure_events():
        report.errors.append(f"{event.step_key}: {failure_message(event.step_failure_data)}")
    report.skipped_steps = len(result.get_step_skipped_events())
    return report


def failure_message(failure_data) -> str:
    """The message a user needs: a Failure's description, else the innermost cause's message.

    Dagster wraps whatever an asset raises in DagsterExecutionStepExecutionError; the useful text
    (source, file, row, expectation) is on the original exception at the end of the cause chain.
    """
    user_failure = getattr(failure_data, "user_failure_data", None)
    if user_failure is not None and user_failure.description:
        return user_failure.description.strip()
    error = failure_data.error
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    # "orchestration.fetch.errors.FetchError: ae_monthly release ..." -> drop the class path
    head, _, rest = message.partition(": ")
    return rest if rest and "." in head and " " not in head else message


@dataclass(frozen=True)
class WarehouseSummary:
    sources: int
    releases: int
    raw_rows: int
    facts_by_source: dict[str, "SourceFacts"]
    database: Path
    exports_dir: Path
    exports: list[str]


@dataclass(frozen=True)
class SourceFacts:
    published: int  # rows as the publisher gave them
    unmapped: int  # of those below England, the rows with no ICB today
    derived: int  # roll-ups computed here (ICB, region, Cancer Alliance, ISDN, England)

    def describe(self) -> str:
        return (
            f"{self.published} published values ({self.unmapped} without an ICB, listed in "
            f"marts.unmapped_organisations), {self.derived} derived roll-ups"
        )


def summarise_published(settings: Settings) -> WarehouseSummary | None:
    """Counts read back from the published files (not the build): what analysts will actually see."""
    database = settings.published_database
    if not database.exists():
        return None
    with duckdb.connect(str(database), read_only=True) as con:
        facts = {
            source_id: SourceFacts(int(published), int(unmapped), int(derived))
            for source_id, published, unmapped, derived in con.execute(load_sql("summarise_facts")).fetchall()
        }
        sources, releases, rows = fetch_one(
            con,
            "select count(distinct source_id), count(distinct source_id || '/' || release_label), "
            "coalesce(sum(rows_loaded), 0) from meta.load_log",
        )
    exports = sorted(p.name for p in settings.exports_dir.glob("*.parquet"))
    return WarehouseSummary(sources, releases, int(rows), facts, database, settings.exports_dir, exports)
