"""Helpers for the end-to-end tests: run the real CLI in a subprocess, read the published files."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb

CLI = Path(sys.executable).parent / "audit-insight"


def run_cli(warehouse: Path, sources_file: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["AUDIT_INSIGHT_WAREHOUSE_DIR"] = str(warehouse)
    env["AUDIT_INSIGHT_MODE"] = "offline"
    env.pop("AUDIT_INSIGHT_SOURCES_FILE", None)
    if sources_file is not None:
        env["AUDIT_INSIGHT_SOURCES_FILE"] = str(sources_file)
    return subprocess.run(
        [str(CLI), "run"], env=env, capture_output=True, text=True, timeout=1200, check=False
    )


def published_state(warehouse: Path) -> dict[str, str]:
    state = {"db": hashlib.sha256((warehouse / "audit_insight.duckdb").read_bytes()).hexdigest()}
    for parquet in sorted((warehouse / "exports").glob("*.parquet")):
        state[parquet.name] = hashlib.sha256(parquet.read_bytes()).hexdigest()
    return state


def query(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
