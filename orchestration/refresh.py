"""One whole refresh, as `audit-insight run` (and so `make run`) executes it.

The refresh is the Dagster job ``refresh_all`` run in this process: the same assets, checks and
publish step that `dagster dev` and the schedules run. Only one refresh may run against a warehouse
at a time (a lock file under the warehouse directory); a second one refuses at once with a clear
message instead of fighting over the DuckDB write lock.
"""

import fcntl
import hashlib
import json
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
    # Set when the refresh found nothing to do (no dbt, no validation, no publish), with the reason.
    nothing_changed: str | None = None
    # The sources the run was narrowed to (changed or not yet loaded), None for every source.
    selected_sources: list[str] | None = None


# --------------------------------------------------------------------------------------------------
# What needs refreshing? Ask the sources first, before any Dagster or dbt work.

STATE_FILE = "last_refresh.json"
# Everything that decides what a build contains besides the data: a change here rebuilds everything.
_CODE_GLOBS = (
    "orchestration/**/*.py",
    "orchestration/**/*.sql",
    "expectations/*.json",
    "dbt_project/dbt_project.yml",
    "dbt_project/profiles.yml",
    "dbt_project/packages.yml",
    "dbt_project/models/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/seeds/**/*",
    "dbt_project/tests/**/*",
)


def code_fingerprint(settings: Settings) -> str:
    """sha256 over the sources file, the suites, the dbt project and the pipeline code."""
    digest = hashlib.sha256()
    paths = {settings.sources_file}
    for pattern in _CODE_GLOBS:
        paths.update(
            p for p in settings.project_root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts
        )
    for path in sorted(paths):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _state_path(settings: Settings) -> Path:
    return settings.build_dir / STATE_FILE


def read_refresh_state(settings: Settings) -> dict:
    try:
        return json.loads(_state_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_refresh_state(settings: Settings, fingerprint: str) -> None:
    from orchestration.publish import current_release

    release = current_release(settings.warehouse_dir)
    state = {"code_fingerprint": fingerprint, "published_release": release.name if release else None}
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class RefreshPlan:
    """``sources`` None: every source; [] with ``nothing_changed``: skip the job altogether."""

    sources: list[str] | None
    nothing_changed: str | None = None
    fingerprint: str = ""


def _unloaded_sources(settings: Settings, config, source_ids: set[str]) -> list[str]:
    """Sources whose current raw files are not all in meta.load_log (new, or a failed load)."""
    from orchestration.fetch.store import read_state
    from orchestration.walkers import releases_of

    if not settings.build_database.exists():
        return sorted(source_ids)
    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        try:
            loaded = set(con.execute("select source_id, file_sha256 from meta.load_log").fetchall())
        except duckdb.CatalogException:
            return sorted(source_ids)
    pending = []
    for source in config.sources:
        if source.id not in source_ids:
            continue
        state = read_state(settings.raw_dir / source.id)
        for release in releases_of(source, settings):
            entry = state.get(release.release)
            if not entry or (source.id, entry.get("sha256")) not in loaded:
                pending.append(source.id)
                break
    return pending


def plan_refresh(settings: Settings, source_ids: list[str] | None = None) -> RefreshPlan:
    """Fetch every (wanted) source conditionally, then decide what must run.

    Nothing runs when every source answered "not modified" or the same hash, every current file is
    already loaded, the code and sources file are those of the last successful build and its
    release is still the published one. Otherwise only the changed or not-yet-loaded sources and
    what depends on them run, or everything when the code changed or a source could not be checked.
    """
    from orchestration.publish import current_release
    from orchestration.source_check import changed_source_ids, check_sources
    from orchestration.sources import load_sources

    config = load_sources(settings.sources_file, settings.project_root)
    wanted = set(source_ids) if source_ids is not None else set(config.ids)
    fingerprint = code_fingerprint(settings)
    state = read_refresh_state(settings)
    published = current_release(settings.warehouse_dir)
    same_build = (
        state.get("code_fingerprint") == fingerprint
        and published is not None
        and state.get("published_release") == published.name
    )
    if not same_build:
        return RefreshPlan(source_ids, fingerprint=fingerprint)
    checks = check_sources(config, settings, wanted)
    if any(check.error for check in checks):
        return RefreshPlan(source_ids, fingerprint=fingerprint)  # the job reports the failing fetch
    todo = sorted(set(changed_source_ids(checks)) | set(_unloaded_sources(settings, config, wanted)))
    if not todo:
        return RefreshPlan(
            [],
            nothing_changed=(
                f"nothing changed: {len(checks)} sources answered not modified or the same hash, every "
                f"file is loaded; release {published.name} stays published (no validation, dbt or publish)"
            ),
            fingerprint=fingerprint,
        )
    return RefreshPlan(todo, fingerprint=fingerprint)


def settings_log_level() -> str:
    return os.environ.get("AUDIT_INSIGHT_LOG_LEVEL", "INFO").upper()


def run_refresh(
    settings: Settings, source_ids: list[str] | None = None, *, force: bool = False
) -> RefreshReport:
    """Plan (plan_refresh), parse dbt, then execute the refresh_all job in-process; never raises
    for a failed step.

    With ``source_ids``, only those sources' assets and everything downstream of them run; the plan
    narrows that further to the sources that changed. ``force`` runs the whole selection regardless.
    """
    plan = (
        RefreshPlan(source_ids, fingerprint=code_fingerprint(settings))
        if force
        else plan_refresh(settings, source_ids)
    )
    if plan.nothing_changed:
        return RefreshReport(
            success=True, run_id="-", nothing_changed=plan.nothing_changed, selected_sources=[]
        )
    source_ids = plan.sources
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
    report.selected_sources = source_ids
    if report.success:
        write_refresh_state(settings, plan.fingerprint)
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
