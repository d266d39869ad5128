"""Wall time and peak memory of a whole process tree, sampled every 50 ms with psutil.

Peak memory is the largest sum of the resident set sizes of the process and all its descendants
seen at one sample (dbt and DuckDB children included). A tree that grows past ``ceiling_bytes`` is
killed and the measurement says so: a benchmark must never take the machine down with it.
"""

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass

import psutil

INTERVAL_S = 0.05


@dataclass
class Measurement:
    name: str
    wall_s: float
    peak_rss_bytes: int
    returncode: int | None = 0
    killed_at_ceiling: bool = False
    note: str = ""

    @property
    def peak_mib(self) -> float:
        return self.peak_rss_bytes / 2**20

    def as_dict(self) -> dict:
        data = asdict(self)
        data["peak_mib"] = round(self.peak_mib, 1)
        data["wall_s"] = round(self.wall_s, 3)
        return data


def tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


class TreeSampler:
    """Samples a process tree in a thread; ``peak`` since the last ``reset``."""

    def __init__(self, pid: int, ceiling_bytes: int | None = None, on_ceiling=None):
        self.process = psutil.Process(pid)
        self.ceiling = ceiling_bytes
        self.on_ceiling = on_ceiling
        self.peak = 0
        self.hit_ceiling = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss(self.process)
            self.peak = max(self.peak, rss)
            if self.ceiling and rss > self.ceiling and not self.hit_ceiling:
                self.hit_ceiling = True
                if self.on_ceiling:
                    self.on_ceiling()
            self._stop.wait(INTERVAL_S)

    def reset(self) -> None:
        self.peak = tree_rss(self.process)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
        members = [*parent.children(recursive=True), parent]
    except psutil.Error:
        return
    for member in members:
        with contextlib.suppress(psutil.Error):
            member.kill()


def measure_command(
    name: str,
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    ceiling_bytes: int | None = None,
    log_path: str | None = None,
    timeout_s: float | None = None,
) -> Measurement:
    """Run ``command`` to completion; its wall time and the peak RSS of its whole tree."""
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    try:
        process = subprocess.Popen(command, env=env or dict(os.environ), cwd=cwd, stdout=log, stderr=log)
        with TreeSampler(process.pid, ceiling_bytes, on_ceiling=lambda: _kill_tree(process.pid)) as sampler:
            try:
                returncode = process.wait(timeout=timeout_s)
                timed_out = False
            except subprocess.TimeoutExpired:
                _kill_tree(process.pid)
                returncode = process.wait()
                timed_out = True
        wall = time.perf_counter() - started
    finally:
        if log_path:
            log.close()
    return Measurement(
        name=name,
        wall_s=wall,
        peak_rss_bytes=sampler.peak,
        returncode=returncode,
        killed_at_ceiling=sampler.hit_ceiling,
        note=f"stopped after the {timeout_s:.0f} s step timeout" if timed_out else "",
    )
