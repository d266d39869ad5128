"""Process faults against the real `audit-insight` command: kill -9 during load, dbt build and
publish; a full disk while writing a release; two refreshes at once; readers throughout a refresh.

One warehouse is shared by the tests of this module, in order. Its baseline is a copy of the
project's own warehouse/ when `make run` has just built it (CI runs `make run` before `make test`),
else one full refresh. Every later run uses a one-source sources.yml (a revised copy of the bundled
HIN file, so there is something new to load) and the same dbt project, so a run is one dbt build.
Kill points are reached with the test-only pause points of orchestration/fault_hooks.py (inert unless
AUDIT_INSIGHT_FAULT_PAUSE_AT is set) or by waiting for the dbt child process to appear.

What "survived" means is asserted after each fault: the published database and Parquet exports are
byte-identical (or, after a successful run, wholly the new release), raw files are kept, the refresh
lock is free, no orphan process holds the build database, and the last test's normal run succeeds
with no clean-up in between.
"""

import copy
import csv
import fcntl
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT
from tests.e2e.support import published_state

pytestmark = pytest.mark.faults

CLI = Path(sys.executable).parent / "audit-insight"
HIN = PROJECT_ROOT / "data/snapshots/hin_icbs/southwest-analytics_icb_performance_HIN_to_ICB.csv"
SHMI_2012_10 = PROJECT_ROOT / "data/snapshots/shmi/shmi-2012-october.csv"
WAIT_S = 300


# -- helpers ---------------------------------------------------------------------------------------------------
def environment(warehouse: Path, sources: Path | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)  # keeps e.g. AUDIT_INSIGHT_DUCKDB_MEMORY_LIMIT; drops what picks the target
    for name in (
        "AUDIT_INSIGHT_SOURCES_FILE",
        "AUDIT_INSIGHT_FAULT_PAUSE_AT",
        "AUDIT_INSIGHT_FAULT_PAUSE_FILE",
    ):
        env.pop(name, None)
    env.update(AUDIT_INSIGHT_WAREHOUSE_DIR=str(warehouse), AUDIT_INSIGHT_MODE="offline")
    if sources is not None:
        env["AUDIT_INSIGHT_SOURCES_FILE"] = str(sources)
    env.update(extra)
    return env


class Run:
    """`audit-insight <args>` in the background, its output in files (a pipe could fill up and block)."""

    def __init__(self, folder: Path, name: str, env: dict[str, str], *args: str, preexec_fn=None):
        folder.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = folder / f"{name}.out", folder / f"{name}.err"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [str(CLI), *(args or ("run",))],
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,
                preexec_fn=preexec_fn,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.out_path.read_text() + self.err_path.read_text()

    def wait(self, timeout: float = 1200) -> int:
        return self.process.wait(timeout=timeout)

    def kill9(self) -> None:
        """SIGKILL to the refresh process only (not its group): what `kill -9 <pid>` or the OOM killer does."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait_until(self, what: str, predicate, timeout: float = WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(
                    f"the run ended ({self.process.returncode}) before {what}:\n{self.output()[-4000:]}"
                )
            time.sleep(0.2)
        self.kill9()
        pytest.fail(f"timed out waiting for {what}:\n{self.output()[-4000:]}")


def children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(
                    (int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
                )
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def lock_is_free(warehouse: Path) -> bool:
    with (warehouse / ".refresh.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def build_database_opens(warehouse: Path) -> bool:
    """True when no process (an orphaned dbt, say) holds the build database's write lock."""
    with duckdb.connect(str(warehouse / "build" / "audit_insight_build.duckdb")) as con:
        con.execute("select count(*) from meta.load_log").fetchall()
    return True


def loaded_shas(warehouse: Path, source_id: str) -> set[str]:
    with duckdb.connect(str(warehouse / "build" / "audit_insight_build.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select file_sha256 from meta.load_log where source_id = ?", [source_id]
        ).fetchall()
    return {row[0] for row in rows}


def raw_files(warehouse: Path, source_id: str) -> set[str]:
    return {p.name for p in (warehouse / "raw" / source_id).iterdir() if not p.name.startswith("_")}


def current_manifest(warehouse: Path) -> dict:
    return json.loads((warehouse / "current" / "manifest.json").read_text())


def assert_survived(warehouse: Path, before: dict[str, str], *, current_id: str) -> None:
    assert published_state(warehouse) == before, "the published database or exports changed"
    assert current_manifest(warehouse)["release_id"] == current_id
    assert lock_is_free(warehouse), "the refresh lock was left held"
    assert build_database_opens(warehouse)


def one_source_file(folder: Path, source_id: str, snapshot: Path, release_index: int = 0) -> Path:
    """A sources.yml holding one real source whose release ``release_index`` is read from ``snapshot``."""
    document = yaml.safe_load((PROJECT_ROOT / "sources.yml").read_text(encoding="utf-8"))
    source = copy.deepcopy(next(s for s in document["sources"] if s["id"] == source_id))
    release = source["releases"][release_index]
    release["snapshot"] = str(snapshot)
    source["releases"] = [release]
    document["sources"] = [source]
    path = folder / f"sources-{snapshot.stem}.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def hin_revision(folder: Path, warehouse: Path) -> Path:
    """The real HIN file re-issued: same rows, trailing blank lines (new bytes, a sha not loaded yet)."""
    loaded = loaded_shas(warehouse, "hin_icbs")
    number = 1
    while hashlib.sha256(HIN.read_bytes() + b"\r\n" * number).hexdigest() in loaded:
        number += 1
    path = folder / f"hin-revision-{number}.csv"
    path.write_bytes(HIN.read_bytes() + b"\r\n" * number)
    return path


# -- the shared warehouse ---------------------------------------------------------------------------------------
def _copy_project_warehouse(target: Path) -> bool:
    """Copy warehouse/ as built by `make run` (or AUDIT_INSIGHT_FAULTS_BASELINE, another complete
    warehouse), holding its refresh lock (shared) so that no run writes to it meanwhile."""
    source = Path(os.environ.get("AUDIT_INSIGHT_FAULTS_BASELINE") or PROJECT_ROOT / "warehouse")
    if (
        os.environ.get("AUDIT_INSIGHT_FAULTS_FRESH_BASELINE")
        or not (source / "current" / "manifest.json").is_file()
    ):
        return False
    if not (source / "build" / "audit_insight_build.duckdb").is_file():
        return False
    with (source / ".refresh.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a refresh is running there: build our own baseline instead
        try:
            target.mkdir(parents=True)
            for name in ("build", "raw", "releases"):
                shutil.copytree(source / name, target / name, symlinks=True)
            for name in ("current", "audit_insight.duckdb", "exports"):
                os.symlink(os.readlink(source / name), target / name)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    try:
        build_database_opens(target)
        published_state(target)
        with duckdb.connect(str(target / "build" / "audit_insight_build.duckdb"), read_only=True) as con:
            raw = {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where schema_name = 'raw'"
                ).fetchall()
            }
        config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
        if not set(config.ids) <= raw:  # built before a source was added: not a baseline for today's models
            raise LookupError(f"raw tables missing: {sorted(set(config.ids) - raw)}")
    except Exception:
        shutil.rmtree(target)
        return False
    return True


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("faults") / "warehouse"
    if not _copy_project_warehouse(target):
        completed = subprocess.run(
            [str(CLI), "run"], env=environment(target, None), capture_output=True, text=True, timeout=1800
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return target


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fault-files")


# -- a file fault through the whole pipeline ----------------------------------------------------------------------
def test_a_broken_file_stops_the_run_and_leaves_everything_published_as_it_was(warehouse, files):
    before, current = published_state(warehouse), current_manifest(warehouse)["release_id"]
    rows = list(csv.reader(io.StringIO(SHMI_2012_10.read_text(encoding="utf-8"))))
    rows.append(list(rows[1]))  # a duplicated provider row: the suite's unique key breaks
    broken = files / "shmi-2012-october-duplicated.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    broken.write_text(buffer.getvalue(), encoding="utf-8")
    sources = one_source_file(files, "shmi", broken, release_index=4)
    raw_before = raw_files(warehouse, "shmi")

    run = Run(files, "broken-file", environment(warehouse, sources))
    assert run.wait() == 1
    message = run.output()
    assert "shmi: shmi-2012-october-duplicated.csv (raw 2012-10_" in message
    assert "expect_column_values_to_be_unique on 'provider_code': 2 unexpected" in message
    assert f"(file rows 2, {len(rows)})" in message
    assert "The published warehouse was left as it was" in message
    assert_survived(warehouse, before, current_id=current)
    kept = raw_files(warehouse, "shmi") - raw_before
    assert len(kept) == 1 and next(iter(kept)).startswith("2012-10_")  # the broken download is kept


# -- kill -9 ---------------------------------------------------------------------------------------------------------
def test_kill_during_load_leaves_nothing_half_loaded(warehouse, files):
    before, current = published_state(warehouse), current_manifest(warehouse)["release_id"]
    sources = one_source_file(files, "hin_icbs", hin_revision(files, warehouse))
    raw_before, loaded_before = raw_files(warehouse, "hin_icbs"), loaded_shas(warehouse, "hin_icbs")
    marker = files / "paused-load"
    run = Run(
        files,
        "kill-load",
        environment(
            warehouse,
            sources,
            AUDIT_INSIGHT_FAULT_PAUSE_AT="load",
            AUDIT_INSIGHT_FAULT_PAUSE_FILE=str(marker),
        ),
    )
    run.wait_until("the load pause point", marker.exists)
    assert marker.read_text().split()[0] == str(run.pid)  # the load runs in the refresh process itself
    run.kill9()

    assert_survived(warehouse, before, current_id=current)
    assert len(raw_files(warehouse, "hin_icbs") - raw_before) == 1  # the downloaded revision is kept ...
    assert (
        loaded_shas(warehouse, "hin_icbs") == loaded_before
    )  # ... and none of it reached the build database


def test_kill_during_dbt_build_leaves_no_orphan_holding_the_build_database(warehouse, files):
    before, current = published_state(warehouse), current_manifest(warehouse)["release_id"]
    sources = one_source_file(files, "hin_icbs", hin_revision(files, warehouse))
    loaded_before = loaded_shas(warehouse, "hin_icbs")
    run = Run(files, "kill-dbt", environment(warehouse, sources))

    def dbt_build():
        return [pid for pid, cmd in children(run.pid) if "dbt" in cmd and " build" in cmd]

    dbt = run.wait_until("dbt build to start", dbt_build)
    time.sleep(3)  # let dbt get going: it writes models into the build database
    run.kill9()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in dbt) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in dbt), "dbt outlived the refresh (orphan holding the build database)"

    assert_survived(warehouse, before, current_id=current)
    assert len(loaded_shas(warehouse, "hin_icbs") - loaded_before) == 1  # the load committed before dbt


@pytest.mark.parametrize("stage", ["publish_written", "publish_renamed"])
def test_kill_during_publish_leaves_the_current_release_in_place(warehouse, files, stage):
    """The publish step (write, audit, rename, swap), as the `publish` command runs it on the build."""
    before, current = published_state(warehouse), current_manifest(warehouse)["release_id"]
    marker = files / f"paused-{stage}"
    run = Run(
        files,
        f"kill-{stage}",
        environment(
            warehouse, None, AUDIT_INSIGHT_FAULT_PAUSE_AT=stage, AUDIT_INSIGHT_FAULT_PAUSE_FILE=str(marker)
        ),
        "publish",
    )
    run.wait_until(f"the {stage} pause point", marker.exists)
    written = sorted((warehouse / "releases").iterdir())
    run.kill9()

    assert_survived(warehouse, before, current_id=current)
    releases = {p.name for p in (warehouse / "releases").iterdir()}
    if stage == "publish_written":
        assert any(name.endswith(".tmp") for name in releases)  # left by the crash, never visible to readers
    else:
        assert len(releases) == len(written)  # a finished release that never became current
    with duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_indicator_values").fetchone()[0] > 0


# -- disk full ---------------------------------------------------------------------------------------------------------
def _mount_small_tmpfs(releases: Path, size_bytes: int) -> bool:
    if os.environ.get("AUDIT_INSIGHT_FAULTS_NO_TMPFS") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    completed = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "audit-insight-faults", str(releases)],
        capture_output=True,
        check=False,
    )
    return completed.returncode == 0


def test_disk_full_while_writing_a_release_fails_clearly_and_keeps_the_current_one(warehouse, files):
    before, current = published_state(warehouse), current_manifest(warehouse)["release_id"]
    releases = warehouse / "releases"
    current_dir = releases / current
    used = sum(p.stat().st_size for p in current_dir.rglob("*") if p.is_file())
    aside = warehouse / "releases.aside"
    releases.rename(aside)
    releases.mkdir()
    # Room for the current release and a few MB more: a new release (the same size) cannot fit.
    mounted = _mount_small_tmpfs(releases, used + 4 * 1024 * 1024)
    try:
        shutil.copytree(aside / current, releases / current)
        preexec = None
        if not mounted:  # not root here: a per-process file-size limit stands in for the full disk

            def preexec():
                resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 1024 * 1024, 2 * 1024 * 1024))

        run = Run(files, "disk-full", environment(warehouse, None), "publish", preexec_fn=preexec)
        status = run.wait(timeout=600)
        message = run.output()
        assert status == 1, message
        assert "error: publish failed, the published warehouse was left as it was:" in message
        assert ("No space left on device" if mounted else "File too large") in message, message
        assert "Traceback" not in message
        assert {p.name for p in releases.iterdir()} == {current}  # the partial release was removed
        assert_survived(warehouse, before, current_id=current)
        with duckdb.connect(
            str(warehouse / "audit_insight.duckdb"), read_only=True, config={"enable_external_access": False}
        ) as con:
            assert con.execute("select count(*) from marts.dim_indicators").fetchone()[0] > 0
    finally:
        if mounted:
            subprocess.run(["umount", str(releases)], check=True)
        shutil.rmtree(releases, ignore_errors=True)
        aside.rename(releases)
    assert published_state(warehouse) == before


# -- two refreshes, readers throughout, and the next normal run -----------------------------------------------------
class Readers:
    """An analyst's read-only DuckDB connection held open, plus fresh connections and a Parquet reader
    polling the stable paths, in threads, for the whole refresh."""

    def __init__(self, warehouse: Path):
        self.warehouse = warehouse
        self.stop = threading.Event()
        self.seen: set[tuple[int, int]] = set()  # (rows in marts.release_history, rows in meta.load_log)
        self.parquet_rows: set[int] = set()
        self.held: list[tuple[int, int]] = []
        self.errors: list[str] = []
        self.polls = 0
        self.analyst = duckdb.connect(
            str(warehouse / "audit_insight.duckdb"), read_only=True, config={"enable_external_access": False}
        )
        self.threads = [threading.Thread(target=self._duckdb), threading.Thread(target=self._parquet)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        self.analyst.close()

    @staticmethod
    def counts(con) -> tuple[int, int]:
        return (
            con.execute("select count(*) from marts.release_history").fetchone()[0],
            con.execute("select count(*) from meta.load_log").fetchone()[0],
        )

    def _duckdb(self):
        while not self.stop.is_set():
            try:
                self.held.append(self.counts(self.analyst))
                with duckdb.connect(
                    str(self.warehouse / "audit_insight.duckdb"),
                    read_only=True,
                    config={"enable_external_access": False},
                ) as con:
                    self.seen.add(self.counts(con))
                self.polls += 1
            except Exception as exc:
                self.errors.append(f"duckdb: {type(exc).__name__}: {exc}")
            time.sleep(0.05)

    def _parquet(self):
        while not self.stop.is_set():
            try:
                self.parquet_rows.add(
                    pq.read_table(self.warehouse / "exports" / "release_history.parquet").num_rows
                )
            except Exception as exc:
                self.errors.append(f"parquet: {type(exc).__name__}: {exc}")
            time.sleep(0.05)


def test_two_refreshes_at_once_and_readers_throughout_then_the_next_normal_run_succeeds(warehouse, files):
    before_id = current_manifest(warehouse)["release_id"]
    before_tables = {t["name"]: t["rows"] for t in current_manifest(warehouse)["tables"]}
    sources = one_source_file(files, "hin_icbs", hin_revision(files, warehouse))
    with Readers(warehouse) as readers:
        first = Run(files, "first", environment(warehouse, sources))
        lock = warehouse / ".refresh.lock"
        first.wait_until("the first run to take the lock", lambda: lock.read_text().strip() == str(first.pid))
        second = Run(files, "second", environment(warehouse, sources))
        assert second.wait(timeout=120) == 3
        assert (
            f"error: another refresh is already running on {warehouse} (pid {first.pid})" in second.output()
        )
        status = first.wait()
        time.sleep(1)  # a few polls of the new release
    assert status == 0, first.output()[-4000:]

    # The next normal run (after every fault above, no clean-up in between) published a whole new release.
    manifest = current_manifest(warehouse)
    assert manifest["release_id"] != before_id
    for name, sha in manifest["files"].items():
        assert published_state(warehouse)["db" if name.endswith(".duckdb") else Path(name).name] == sha
    after_tables = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert lock_is_free(warehouse)
    assert not any(p.name.endswith(".tmp") for p in (warehouse / "releases").iterdir())  # crash debris pruned

    # Readers saw the old release or the new one, whole, never a mix, and were never blocked.
    assert readers.errors == []
    assert readers.polls > 10
    old = (before_tables["release_history"], before_tables["load_log"])
    new = (after_tables["release_history"], after_tables["load_log"])
    assert old != new
    assert readers.seen <= {old, new} and new in readers.seen
    assert readers.parquet_rows <= {old[0], new[0]}
    assert set(readers.held) == {old}  # the analyst's open connection kept reading the release it opened
