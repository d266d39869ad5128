"""Settings read from environment variables, with defaults that work from a fresh clone.

Every path the pipeline writes is under ``AUDIT_INSIGHT_WAREHOUSE_DIR`` (default ``warehouse/`` in the
project root), so a test can point a whole run at a temporary directory.
"""

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

OFFLINE = "offline"
LIVE = "live"


@dataclass(frozen=True)
class Settings:
    project_root: Path
    warehouse_dir: Path
    sources_file: Path
    mode: str  # "offline": bundled snapshots served on 127.0.0.1; "live": the real public URLs
    connect_timeout_s: float
    read_timeout_s: float
    max_retries: int
    backoff_base_s: float
    max_retry_after_s: float
    # Whole-download deadline per attempt: a server dripping bytes slower than this never finishes.
    download_deadline_s: float = 900.0

    @property
    def raw_dir(self) -> Path:
        return self.warehouse_dir / "raw"

    @property
    def build_dir(self) -> Path:
        return self.warehouse_dir / "build"

    @property
    def build_database(self) -> Path:
        """The working database every step writes to; analysts never read it."""
        return self.build_dir / "audit_insight_build.duckdb"

    @property
    def releases_dir(self) -> Path:
        return self.warehouse_dir / "releases"

    @property
    def published_database(self) -> Path:
        return self.warehouse_dir / "audit_insight.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"

    @property
    def reports_dir(self) -> Path:
        """ICB Insight Reports: reports/<icb_code>/index.html and reports/index.html."""
        return self.warehouse_dir / "reports"

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.project_root / "expectations"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    project_root = Path(env.get("AUDIT_INSIGHT_PROJECT_ROOT", PROJECT_ROOT)).resolve()
    warehouse_dir = Path(env.get("AUDIT_INSIGHT_WAREHOUSE_DIR", project_root / "warehouse")).resolve()
    mode = env.get("AUDIT_INSIGHT_MODE", OFFLINE).strip().lower()
    if mode not in (OFFLINE, LIVE):
        raise ValueError(f"AUDIT_INSIGHT_MODE must be 'offline' or 'live', not {mode!r}")
    return Settings(
        project_root=project_root,
        warehouse_dir=warehouse_dir,
        sources_file=Path(env.get("AUDIT_INSIGHT_SOURCES_FILE", project_root / "sources.yml")).resolve(),
        mode=mode,
        connect_timeout_s=float(env.get("AUDIT_INSIGHT_CONNECT_TIMEOUT_S", "10")),
        read_timeout_s=float(env.get("AUDIT_INSIGHT_READ_TIMEOUT_S", "60")),
        max_retries=int(env.get("AUDIT_INSIGHT_MAX_RETRIES", "4")),
        backoff_base_s=float(env.get("AUDIT_INSIGHT_BACKOFF_BASE_S", "1.0")),
        max_retry_after_s=float(env.get("AUDIT_INSIGHT_MAX_RETRY_AFTER_S", "120")),
        download_deadline_s=float(env.get("AUDIT_INSIGHT_DOWNLOAD_DEADLINE_S", "900")),
    )
