"""Run dbt outside Dagster where the definitions need it before they can load.

dagster-dbt builds its assets from ``target/manifest.json`` at import time, so the CLI and CI parse
the project first. ``dbt parse`` does not open the database.
"""

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import Settings

DBT_CHILD = Path(__file__).resolve().parent / "dbt_child.sh"


def dbt_executable() -> str:
    """How to start dbt: through ``dbt_child.sh``, which makes dbt die with its parent process.

    The real dbt (the one beside this Python, else whatever is on PATH) is handed to the wrapper in
    ``AUDIT_INSIGHT_DBT``; dagster-dbt and :func:`parse_dbt_project` pass the environment on.
    """
    real = real_dbt_executable()
    if DBT_CHILD.is_file() and os.access(DBT_CHILD, os.X_OK) and Path(real).is_absolute():
        os.environ["AUDIT_INSIGHT_DBT"] = real
        return str(DBT_CHILD)
    return real


def real_dbt_executable() -> str:
    """The dbt installed beside this Python (the project venv), else whatever is on PATH."""
    # sys.prefix, not sys.executable: Dagster's code server may run the venv's python through a
    # resolved symlink, whose folder holds no dbt.
    project_venv = Path(__file__).resolve().parent.parent / ".venv" / "bin"
    for folder in (Path(sys.prefix) / "bin", Path(sys.executable).parent, project_venv):
        if (folder / "dbt").exists():
            return str(folder / "dbt")
    return "dbt"


def dbt_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["AUDIT_INSIGHT_BUILD_DATABASE"] = str(settings.build_database)
    env.setdefault("AUDIT_INSIGHT_DBT", real_dbt_executable())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    env.setdefault("DO_NOT_TRACK", "1")
    return env


def parse_dbt_project(settings: Settings) -> Path:
    """Write dbt_project/target/manifest.json; raise with dbt's own message if the project is broken."""
    project_dir = settings.dbt_project_dir
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--quiet",
        ],
        env=dbt_environment(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError("dbt parse failed:\n" + (completed.stdout + completed.stderr)[-4000:])
    return project_dir / "target" / "manifest.json"
