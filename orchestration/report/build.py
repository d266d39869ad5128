"""Build reports: resolve the ICBs asked for, read the warehouse once, write each report and the index.

This is what ``audit-insight report`` and the Dagster report assets call.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.report.content import build_content
from orchestration.report.data import Icb, WarehouseData, open_warehouse
from orchestration.report.findings import resolve_icb
from orchestration.report.render import write_index, write_report


@dataclass(frozen=True)
class BuiltReport:
    icb: Icb
    path: Path
    charts: int
    seconds: float


def report_dir(reports_dir: Path, icb_code: str) -> Path:
    return reports_dir / icb_code


def build_one(data: WarehouseData, icb: Icb, reports_dir: Path, sources: list) -> BuiltReport:
    started = time.perf_counter()
    content = build_content(
        icb,
        key_indicators=data.key_indicators,
        benchmarks=data.benchmarks,
        funnels=data.funnels,
        spc=data.spc,
        providers=data.providers(icb.code),
        networks=data.networks(icb.code),
        source_status=data.source_status,
        unmapped=data.unmapped,
        sources=sources,
        release_id=data.release_id,
    )
    path = write_report(content, report_dir(reports_dir, icb.code))
    return BuiltReport(icb, path, content.chart_count(), time.perf_counter() - started)


def build_index(data: WarehouseData, reports_dir: Path) -> Path:
    entries = [
        {
            "code": icb.code,
            "name": icb.name,
            "region_name": icb.region_name,
            "exists": (report_dir(reports_dir, icb.code) / "index.html").exists(),
        }
        for icb in data.icbs
    ]
    generated = datetime.now(UTC).strftime("%d %B %Y, %H:%M UTC")
    return write_index(reports_dir / "index.html", entries, generated, data.release_id)


def build_reports(
    database: Path, reports_dir: Path, sources: list, icb_queries: list[str] | None = None
) -> tuple[list[BuiltReport], Path]:
    """Reports for the ICBs named in ``icb_queries`` (codes or names), or for every current ICB when
    it is None; then the index page. Raises IcbLookupError before writing anything if a name is
    unknown or ambiguous."""
    with open_warehouse(database) as data:
        targets = data.icbs if icb_queries is None else [resolve_icb(q, data.icbs) for q in icb_queries]
        built = [build_one(data, icb, reports_dir, sources) for icb in targets]
        index = build_index(data, reports_dir)
    return built, index
