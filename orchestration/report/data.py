"""Read what a report needs from the PUBLISHED warehouse, read-only.

Everything shared by all ICBs (latest benchmarks, funnels and SPC charts of the key indicators,
source status, coverage) is read once into a :class:`WarehouseData`; the little that is per ICB
(its providers and networks) is read per report. Values are bound as parameters; the SQL lives in
``orchestration/sql/report/``.
"""

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.report.findings import select_key_indicators


class ReportDataError(RuntimeError):
    """The warehouse cannot be read as a report needs (missing file or mart)."""


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """DATE columns come back from DuckDB as pandas Timestamps; periods are dates, so keep them so
    (keys, CSVs and the tests compare them with the marts as YYYY-MM-DD)."""
    for column in frame.columns:
        if column.endswith(("period_start", "period_end")) and pd.api.types.is_datetime64_any_dtype(
            frame[column]
        ):
            frame[column] = frame[column].dt.date
    return frame


def load_report_sql(name: str) -> str:
    return resources.files("orchestration.sql").joinpath("report", f"{name}.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Icb:
    code: str
    name: str
    region_code: str | None
    region_name: str | None


@dataclass
class WarehouseData:
    database: Path
    icbs: list[Icb]
    indicators: pd.DataFrame
    key_indicators: pd.DataFrame
    benchmarks: pd.DataFrame
    funnels: pd.DataFrame
    spc: pd.DataFrame
    source_status: pd.DataFrame
    unmapped: pd.DataFrame
    release_id: str | None = None
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    def query(self, name: str, params: dict) -> pd.DataFrame:
        assert self._con is not None, "WarehouseData is closed"
        return _dates(self._con.execute(load_report_sql(name), params).df())

    def providers(self, icb_code: str) -> pd.DataFrame:
        return self.query("providers", {"icb": icb_code})

    def networks(self, icb_code: str) -> pd.DataFrame:
        return self.query("networks", {"icb": icb_code})

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "WarehouseData":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_current_icbs(database: Path) -> list[Icb]:
    """Today's ICBs only (cheap: for Dagster's partitions and the sensor)."""
    if not database.exists():
        raise ReportDataError(f"no published warehouse at {database}: run `audit-insight run` first")
    with duckdb.connect(str(database), read_only=True, config={"enable_external_access": False}) as con:
        return [Icb(*row) for row in con.execute(load_report_sql("current_icbs")).fetchall()]


def _release_id(database: Path) -> str | None:
    # warehouse/audit_insight.duckdb -> current/... -> releases/<id>/audit_insight.duckdb
    resolved = database.resolve()
    return resolved.parent.name if resolved.parent.parent.name == "releases" else None


def open_warehouse(database: Path, per_source: int = 3) -> WarehouseData:
    """Open the published database read-only and read everything the reports share."""
    if not database.exists():
        raise ReportDataError(
            f"no published warehouse at {database}: run `audit-insight run` first (or pass --warehouse)"
        )
    # Read-only and without external access: a report never writes to, or reaches out of, the warehouse.
    con = duckdb.connect(str(database), read_only=True, config={"enable_external_access": False})
    try:
        icbs = [Icb(*row) for row in con.execute(load_report_sql("current_icbs")).fetchall()]
        indicators = con.execute(load_report_sql("indicators")).df()
        key = select_key_indicators(indicators, per_source=per_source)
        chosen = {"indicators": key["indicator_id"].tolist()}
        benchmarks = _dates(con.execute(load_report_sql("benchmarks_latest"), chosen).df())
        funnels = _dates(con.execute(load_report_sql("funnels_latest"), chosen).df())
        spc = _dates(con.execute(load_report_sql("spc_icbs"), chosen).df())
        source_status = _dates(con.execute(load_report_sql("source_status")).df())
        unmapped = _dates(con.execute(load_report_sql("unmapped_organisations")).df())
    except duckdb.CatalogException as exc:
        con.close()
        raise ReportDataError(f"{database} lacks a mart the report reads: {exc}") from exc
    return WarehouseData(
        database=database,
        icbs=icbs,
        indicators=indicators,
        key_indicators=key,
        benchmarks=benchmarks,
        funnels=funnels,
        spc=spc,
        source_status=source_status,
        unmapped=unmapped,
        release_id=_release_id(database),
        _con=con,
    )
