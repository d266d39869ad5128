"""Assemble one ICB's report: sections, charts and the CSV tables behind them, from mart rows.

Pure: frames in (read by ``data``), a :class:`ReportContent` out (rendered by ``render``). Every
chart carries the mart and key its rows come from, and every CSV row repeats that key, so any
number in the report can be found again in the warehouse.
"""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from orchestration.report import charts
from orchestration.report.findings import (
    PROVIDER_LEVELS,
    Cell,
    benchmark_tone,
    discussion_questions,
    for_indicator,
    format_value,
    headline_findings,
    icb_level_rows,
    icb_row,
    network_rows,
    period_text,
    provider_cell,
    provider_rows,
    short_name,
    tidy_org_name,
)

# Sections run clinical audits first, then outcomes, then access standards (kind in sources.yml).
KIND_ORDER = {"nca": 0, "outcome": 1, "access": 2}
KIND_WORDS = {"nca": "National clinical audit", "outcome": "Outcome", "access": "Access standard"}
COMPARISON_LABELS = {
    "better": "Better",
    "worse": "Worse",
    "similar": "Similar",
    "higher": "Higher",
    "lower": "Lower",
    "not_compared": "Not compared",
}
CSV_COLUMNS = {
    "headline": [
        "section",
        "rank",
        "tone",
        "sentence",
        "significance",
        "gap",
        "mart",
        "source_id",
        "indicator_id",
        "org_code",
        "period_label",
        "key",
    ],
    "benchmark": [
        "chart_id",
        "source_id",
        "indicator_id",
        "org_level",
        "org_code",
        "org_code_published",
        "org_name",
        "org_unit_name",
        "is_derived",
        "period_start",
        "period_end",
        "period_label",
        "breakdown",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "comparison_england",
        "region_value",
        "comparison_region",
        "benchmark_method",
    ],
    "regional_variation": [
        "chart_id",
        "source_id",
        "indicator_id",
        "org_level",
        "org_code",
        "org_name",
        "is_derived",
        "period_end",
        "period_label",
        "breakdown",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "comparison_england",
        "is_this_icb",
        "position_lowest_first",
    ],
    "funnel": [
        "chart_id",
        "source_id",
        "indicator_id",
        "org_level",
        "org_code_published",
        "org_code",
        "org_unit_name",
        "unit_name",
        "icb_code",
        "is_this_icb",
        "period_end",
        "period_label",
        "numerator",
        "denominator",
        "value",
        "target",
        "target_basis",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "z_score",
        "status",
    ],
    "spc": [
        "chart_id",
        "source_id",
        "indicator_id",
        "org_code",
        "point_number",
        "period_start",
        "period_end",
        "period_label",
        "value",
        "mean",
        "lower_process_limit",
        "upper_process_limit",
        "special_cause_rule",
        "direction",
        "variation",
        "chart_variation",
        "chart_assurance",
        "is_trial_limits",
    ],
    "provider_view": ["org_code", "org_name", "source_id", "indicator_id", "mart", "tone", "label", "detail"],
    "networks": [
        "network_type",
        "network_code",
        "network_name",
        "source_id",
        "indicator_id",
        "org_level",
        "is_derived",
        "period_end",
        "period_label",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "comparison_england",
        "region_value",
        "comparison_region",
        "peer_rank",
        "peer_count",
    ],
    "sources": [
        "source_id",
        "title",
        "publisher",
        "kind",
        "licence",
        "published_rows",
        "placeable_rows",
        "unmapped_rows",
        "unmapped_share",
        "first_period_start",
        "latest_period_end",
        "latest_period_label",
        "releases",
        "latest_release",
        "last_fetched_at",
        "last_loaded_at",
    ],
    "unmapped_organisations": [
        "source_id",
        "org_code_published",
        "org_code",
        "org_level",
        "unmapped_reason",
        "org_unit_names",
        "fact_rows",
        "first_period_start",
        "last_period_end",
    ],
}


@dataclass
class Figure:
    chart_id: str
    kind: str  # benchmark | variation | funnel | spc
    heading: str
    svg: str | None
    note: str  # why the chart is missing, or how to read it
    mart: str
    key: dict
    csv: str
    table_columns: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    icons: list[str] = field(default_factory=list)

    @property
    def key_text(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.key.items())


@dataclass
class IndicatorBlock:
    indicator_id: str
    title: str
    definition: str
    unit: str
    polarity: str
    period: str
    figures: list[Figure]
    icb_value: dict | None


@dataclass
class Area:
    source_id: str
    title: str
    publisher: str
    kind: str
    has_data: bool
    blocks: list[IndicatorBlock]
    # Key indicators with no chart at all for this ICB (e.g. a source covering other areas only):
    # named in one line rather than shown as four empty figures.
    without_values: list[str] = field(default_factory=list)


@dataclass
class ReportContent:
    icb: object
    generated_at: str
    release_id: str | None
    headline: dict
    areas: list[Area]
    provider_columns: list[dict]
    provider_rows: list[dict]
    networks: list[dict]
    questions: list[str]
    sources: list[dict]
    unmapped: list[dict]
    methods: list[str]
    tables: dict[str, list[dict]]

    def chart_count(self) -> int:
        return sum(1 for a in self.areas for b in a.blocks for f in b.figures if f.svg)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60]


def _plain(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def date_text(value) -> str:
    """A period date as YYYY-MM-DD (pandas gives Timestamps; keys and CSVs want the date)."""
    value = _plain(value)
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _records(frame: pd.DataFrame, columns: list[str], **extra) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        row = {c: _plain(record.get(c)) for c in columns if c in record}
        row.update(extra)
        rows.append(row)
    return rows


def build_content(
    icb,
    *,
    key_indicators: pd.DataFrame,
    benchmarks: pd.DataFrame,
    funnels: pd.DataFrame,
    spc: pd.DataFrame,
    providers: pd.DataFrame,
    networks: pd.DataFrame,
    source_status: pd.DataFrame,
    unmapped: pd.DataFrame,
    sources: list,
    release_id: str | None = None,
    now: datetime | None = None,
) -> ReportContent:
    """Everything one ICB's report shows, with the rows behind each chart (``tables``)."""
    tables: dict[str, list[dict]] = {name: [] for name in CSV_COLUMNS}
    icb_label = short_name(icb.name)

    headline = headline_findings(icb.code, icb.name, key_indicators, benchmarks, funnels, spc)
    for section, findings in headline.items():
        for rank, finding in enumerate(findings, start=1):
            tables["headline"].append(
                {
                    "section": section,
                    "rank": rank,
                    "tone": finding.tone,
                    "sentence": finding.sentence,
                    "significance": round(finding.significance, 4),
                    "gap": round(finding.gap, 4),
                    "mart": finding.mart,
                    "source_id": finding.source_id,
                    "indicator_id": finding.indicator_id,
                    "org_code": finding.org_code,
                    "period_label": finding.period_label,
                    "key": json.dumps(finding.key, default=str),
                }
            )

    indicator_sources = sorted(
        (s for s in sources if s.kind in KIND_ORDER), key=lambda s: (KIND_ORDER[s.kind], sources.index(s))
    )
    status_by_source = {row["source_id"]: row for row in source_status.to_dict("records")}
    areas = []
    for source in indicator_sources:
        status = status_by_source.get(source.id)
        has_data = bool(status and status.get("published_rows"))
        chosen = key_indicators[key_indicators["source_id"] == source.id]
        blocks, without_values = [], []
        if has_data:
            for _, indicator in chosen.iterrows():
                block = _indicator_block(icb, icb_label, indicator, benchmarks, funnels, spc, tables)
                if any(figure.svg for figure in block.figures):
                    blocks.append(block)
                else:
                    without_values.append(f"{block.title} ({block.period})" if block.period else block.title)
        areas.append(
            Area(source.id, source.title, source.publisher, source.kind, has_data, blocks, without_values)
        )

    columns, rows = _provider_view(providers, key_indicators, benchmarks, funnels, tables)
    network_list = _networks(networks, key_indicators, benchmarks, tables)
    questions = discussion_questions(headline, icb.name)

    source_rows = []
    for source in sources:
        if source.kind not in KIND_ORDER:
            continue
        status = status_by_source.get(source.id, {})
        placeable = _plain(status.get("placeable_rows")) or 0
        unmapped_rows = _plain(status.get("unmapped_rows")) or 0
        row = {
            "source_id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "kind": source.kind,
            "licence": source.licence,
            "attribution": " ".join(source.attribution.split()),
            "description": " ".join((source.description or "").split()),
            "homepage": source.homepage,
            "notes": list(dict.fromkeys(r.note for r in source.releases if r.note)),
            "published_rows": _plain(status.get("published_rows")) or 0,
            "placeable_rows": placeable,
            "unmapped_rows": unmapped_rows,
            "unmapped_share": round(unmapped_rows / placeable, 4) if placeable else None,
            "first_period_start": _plain(status.get("first_period_start")),
            "latest_period_end": _plain(status.get("latest_period_end")),
            "latest_period_label": _plain(status.get("latest_period_label")),
            "releases": _plain(status.get("releases")),
            "latest_release": _plain(status.get("latest_release")),
            "last_fetched_at": _plain(status.get("last_fetched_at")),
            "last_loaded_at": _plain(status.get("last_loaded_at")),
        }
        source_rows.append(row)
        tables["sources"].append(row)
    tables["unmapped_organisations"] = _records(unmapped, CSV_COLUMNS["unmapped_organisations"])
    unmapped_rows_shown = []
    for source_id, group in unmapped.groupby("source_id", sort=True):
        unmapped_rows_shown.append(
            {
                "source_id": source_id,
                "organisations": len(group),
                "rows": int(group["fact_rows"].sum()),
                "top": _records(group.head(5), CSV_COLUMNS["unmapped_organisations"]),
                "reasons": group.groupby("unmapped_reason")["fact_rows"]
                .sum()
                .sort_values(ascending=False)
                .to_dict(),
            }
        )

    methods = sorted(
        {
            str(m)
            for m in list(benchmarks.get("benchmark_method", pd.Series(dtype=str)).dropna().unique())
            + [
                f"funnel: {m}, overdispersion {'on' if o else 'off'}"
                for m, o in funnels[["method", "overdispersion"]].drop_duplicates().itertuples(index=False)
            ]
        }
    )
    generated = (now or datetime.now(UTC)).strftime("%d %B %Y, %H:%M UTC")
    return ReportContent(
        icb=icb,
        generated_at=generated,
        release_id=release_id,
        headline=headline,
        areas=areas,
        provider_columns=columns,
        provider_rows=rows,
        networks=network_list,
        questions=questions,
        sources=source_rows,
        unmapped=unmapped_rows_shown,
        methods=methods,
        tables=tables,
    )


def _fmt_for(indicator: pd.Series):
    return lambda v: format_value(v, indicator["unit"], indicator["value_type"])


def _indicator_block(icb, icb_label, indicator, benchmarks, funnels, spc, tables) -> IndicatorBlock:
    indicator_id = indicator["indicator_id"]
    fmt = _fmt_for(indicator)
    suffix = "%" if indicator["unit"] == "percent" else ""
    base = f"{slug(indicator['source_id'])}-{slug(indicator_id)[:40]}"
    figures: list[Figure] = []
    source_id = indicator["source_id"]
    own = icb_row(benchmarks, source_id, indicator_id, icb.code)
    ind_rows = for_indicator(benchmarks, source_id, indicator_id)
    period = (
        period_text(ind_rows["period_label"].iloc[0], ind_rows["period_end"].iloc[0]) if len(ind_rows) else ""
    )
    period_end = date_text(ind_rows["period_end"].iloc[0]) if len(ind_rows) else ""
    title = indicator["title"]

    # 1. Benchmark: the ICB and its providers against England and region.
    chart_id = f"{base}-benchmark"
    providers = provider_rows(benchmarks, source_id, indicator_id, icb.code)
    dots = []
    shown = []
    if own is not None:
        dots.append(_dot(own, icb_label, highlight=True))
        shown.append(own)
    for _, row in providers.iterrows():
        label = _provider_label(row)
        dots.append(_dot(row, label, highlight=False))
        shown.append(row)
    england = _first(ind_rows["england_value"])
    region = (
        own["region_value"]
        if own is not None
        else _first(providers["region_value"])
        if len(providers)
        else None
    )
    key = {
        "source_id": indicator["source_id"],
        "indicator_id": indicator_id,
        "period_end": period_end,
        "breakdown": "all",
        "icb_code": icb.code,
    }
    if dots:
        desc = (
            f"{title}, {period}: {icb_label} {fmt(own['value']) if own is not None else 'has no ICB value'}"
            f", England {fmt(england)}; {len(providers)} provider rows of the ICB with 95% intervals. "
            + "; ".join(f"{d.label}: {fmt(d.value)} ({d.status})" for d in dots[:12])
        )
        svg = charts.benchmark_chart(
            chart_id,
            dots,
            england=england,
            region=region,
            region_label=icb.region_name or "Region",
            title=f"{title}: {icb_label} and its providers against England and region, {period}",
            desc=desc,
            key=json.dumps(key),
            fmt=fmt,
            tick_suffix=suffix,
        )
        note = "Dots are values, whiskers 95% confidence intervals; the label says how each compares with England."
    else:
        svg, note = None, f"No value for {icb_label} or its providers in {period or 'the latest period'}."
    rows_out = [
        {**{c: _plain(r.get(c)) for c in CSV_COLUMNS["benchmark"] if c != "chart_id"}, "chart_id": chart_id}
        for r in shown
    ]
    tables["benchmark"].extend(rows_out)
    figures.append(
        Figure(
            chart_id,
            "benchmark",
            "Benchmark: the ICB and its providers",
            svg,
            note,
            "benchmarks",
            key,
            "csv/benchmark.csv",
            ["Organisation", "Value", "95% interval", "England", "Compared with England"],
            [
                [
                    d.label,
                    fmt(d.value),
                    f"{fmt(d.lower)} to {fmt(d.upper)}" if d.lower is not None else "",
                    fmt(england),
                    d.status,
                ]
                for d in dots
            ],
        )
    )

    # 2. Regional variation: every ICB, this one highlighted.
    chart_id = f"{base}-variation"
    all_icbs = icb_level_rows(benchmarks, source_id, indicator_id)
    if len(all_icbs) >= 2:
        dots = [
            charts.Dot(
                label=short_name(str(r["org_name"])),
                value=_plain(r["value"]),
                lower=_plain(r["lower_ci_95"]),
                upper=_plain(r["upper_ci_95"]),
                highlight=r["org_code"] == icb.code,
                status=COMPARISON_LABELS.get(r["comparison_england"], "Not compared"),
                code=r["org_code"],
            )
            for _, r in all_icbs.iterrows()
        ]
        position = next((i + 1 for i, d in enumerate(dots) if d.highlight), None)
        desc = (
            f"{title}, {period}: {len(dots)} ICBs sorted by value from lowest to highest. "
            + (
                f"{icb_label} is number {position} of {len(dots)} from the lowest with {fmt(dots[position - 1].value)}; "
                if position
                else f"{icb_label} has no value; "
            )
            + f"England {fmt(england)}; lowest {fmt(dots[0].value)} ({dots[0].label}), highest "
            f"{fmt(dots[-1].value)} ({dots[-1].label})."
        )
        svg = charts.variation_chart(
            chart_id,
            dots,
            england=england,
            title=f"{title}: all ICBs, {period}",
            desc=desc,
            key=json.dumps({**key, "org_level": "icb"}),
            fmt=fmt,
            tick_suffix=suffix,
        )
        note = (
            "Each column is one ICB (dot = value, line = 95% interval), lowest on the left; this ICB in blue."
        )
        table_rows = [[d.label, fmt(d.value), d.status] for d in dots if d.highlight] + [
            ["Lowest: " + dots[0].label, fmt(dots[0].value), dots[0].status],
            ["Highest: " + dots[-1].label, fmt(dots[-1].value), dots[-1].status],
        ]
    else:
        svg, table_rows = None, []
        note = "No regional variation chart: fewer than two ICBs have a value for this indicator."
    for position, (_, r) in enumerate(all_icbs.iterrows(), start=1):
        tables["regional_variation"].append(
            {
                **{c: _plain(r.get(c)) for c in CSV_COLUMNS["regional_variation"]},
                "chart_id": chart_id,
                "is_this_icb": r["org_code"] == icb.code,
                "position_lowest_first": position,
            }
        )
    figures.append(
        Figure(
            chart_id,
            "variation",
            "Regional variation: all ICBs",
            svg,
            note,
            "benchmarks",
            {**key, "org_level": "icb"},
            "csv/regional_variation.csv",
            ["ICB", "Value", "Compared with England"],
            table_rows,
        )
    )

    # 3. Funnel plot of providers.
    chart_id = f"{base}-funnel"
    units = for_indicator(funnels, source_id, indicator_id)
    funnel_key = {
        "source_id": indicator["source_id"],
        "indicator_id": indicator_id,
        "funnel_level": "provider",
        "breakdown": "all",
        "period_end": date_text(units["period_end"].iloc[0]) if len(units) else "",
    }
    if len(units) >= 2:
        mine = units[units["icb_code"] == icb.code]
        points = [
            charts.FunnelPoint(
                label=tidy_org_name(str(r["unit_name"])),
                code=str(r["org_code"] or r["org_code_published"]),
                denominator=_plain(r["denominator"]),
                value=_plain(r["value"]),
                status=str(r["status"]),
                highlight=r["icb_code"] == icb.code,
                lower_95=_plain(r["lower_95"]),
                upper_95=_plain(r["upper_95"]),
                lower_998=_plain(r["lower_998"]),
                upper_998=_plain(r["upper_998"]),
            )
            for _, r in units.iterrows()
        ]
        target = _first(units["target"])
        funnel_period = period_text(units["period_label"].iloc[0], units["period_end"].iloc[0])
        statuses = ", ".join(f"{p.code} {p.status.replace('_', ' ')}" for p in points if p.highlight)
        desc = (
            f"{title}, {funnel_period}: funnel plot of {len(points)} providers in England against a target of "
            f"{fmt(target)}. The ICB's providers: {statuses or 'none on this funnel'}."
        )
        x_label = "Expected deaths (size)" if indicator["value_type"] == "ratio" else "Denominator (size)"
        svg = charts.funnel_chart(
            chart_id,
            points,
            target=target,
            x_label=x_label,
            title=f"{title}: funnel plot of providers, {funnel_period}",
            desc=desc,
            key=json.dumps(funnel_key),
            fmt=fmt,
            tick_suffix=suffix,
        )
        note = (
            "Each dot is a provider (x: size, y: value). Dashed lines: 95% limits (outside = alert); solid "
            "lines: 99.8% limits (outside = alarm). The ICB's providers are ringed in blue and labelled."
        )
        table_rows = [
            [
                tidy_org_name(str(r["unit_name"])),
                str(r["org_code"]),
                fmt(r["value"]),
                f"{r['denominator']:,.0f}" if _plain(r["denominator"]) is not None else "",
                str(r["status"]).replace("_", " "),
            ]
            for _, r in mine.iterrows()
        ]
        for _, r in units.iterrows():
            tables["funnel"].append(
                {
                    **{c: _plain(r.get(c)) for c in CSV_COLUMNS["funnel"]},
                    "chart_id": chart_id,
                    "is_this_icb": r["icb_code"] == icb.code,
                }
            )
    else:
        svg, table_rows = None, []
        note = (
            "No funnel plot: marts.outliers has no provider funnel for this source and indicator (funnels "
            "need a numerator and denominator per provider: proportions and ratios published by provider)."
        )
    figures.append(
        Figure(
            chart_id,
            "funnel",
            "Funnel plot: providers in England",
            svg,
            note,
            "outliers",
            funnel_key,
            "csv/funnel.csv",
            ["Provider", "Code", "Value", "Size", "Status"],
            table_rows,
        )
    )

    # 4. SPC chart of the ICB over time, with Making Data Count icons.
    chart_id = f"{base}-spc"
    series = for_indicator(spc, source_id, indicator_id)
    series = series[series["org_code"] == icb.code].sort_values("point_number")
    spc_key = {
        "source_id": indicator["source_id"],
        "indicator_id": indicator_id,
        "org_level": "icb",
        "org_code": icb.code,
        "breakdown": "all",
    }
    icons = []
    if len(series):
        last = series.iloc[-1]
        points = [
            charts.SpcPoint(
                label=period_text(r["period_label"], r["period_end"]),
                value=_plain(r["value"]),
                mean=_plain(r["mean"]),
                lower=_plain(r["lower_process_limit"]),
                upper=_plain(r["upper_process_limit"]),
                variation=str(r["variation"]),
                axis_label=_month(r["period_end"]),
            )
            for _, r in series.iterrows()
        ]
        variation = str(last["chart_variation"] or "common_cause")
        assurance = _plain(last["chart_assurance"])
        icons = [
            charts.variation_icon(f"{chart_id}-variation-icon", variation, _plain(last["direction"])),
            charts.assurance_icon(f"{chart_id}-assurance-icon", assurance),
        ]
        special = [p for p in points if p.variation != "common_cause"]
        desc = (
            f"{title} for {icb_label}: XmR chart of {len(points)} periods from {points[0].label} to "
            f"{points[-1].label}; mean {fmt(points[0].mean)}, process limits {fmt(points[0].lower)} to "
            f"{fmt(points[0].upper)}. {charts.VARIATION_ICON_TEXT.get(variation, variation)} at the latest "
            f"point. {len(special)} point(s) show special cause"
            + (": " + ", ".join(f"{p.label} ({p.variation})" for p in special[:6]) if special else "")
            + "."
        )
        svg = charts.spc_chart(
            chart_id,
            points,
            title=f"{title}: {icb_label} over time (SPC)",
            desc=desc,
            key=json.dumps(spc_key),
            fmt=fmt,
            tick_suffix=suffix,
        )
        trial = " Fewer than 12 points: the limits are trial limits." if bool(last["is_trial_limits"]) else ""
        note = (
            "Points: grey common cause, blue improvement, orange concern, purple special cause without a "
            "polarity. Solid line: mean; dashed: process limits." + trial
        )
        table_rows = [[p.label, fmt(p.value), p.variation.replace("_", " ")] for p in points]
        for _, r in series.iterrows():
            tables["spc"].append({**{c: _plain(r.get(c)) for c in CSV_COLUMNS["spc"]}, "chart_id": chart_id})
    else:
        svg, table_rows = None, []
        note = (
            f"No SPC chart: {icb_label} has fewer than six periods of this indicator "
            "(an XmR chart needs at least six)."
        )
    figures.append(
        Figure(
            chart_id,
            "spc",
            "Over time: statistical process control",
            svg,
            note,
            "spc",
            spc_key,
            "csv/spc.csv",
            ["Period", "Value", "Variation"],
            table_rows,
            icons,
        )
    )

    icb_value = None
    if own is not None:
        icb_value = {
            "value": fmt(own["value"]),
            "raw": _plain(own["value"]),
            "england": fmt(own["england_value"]),
            "comparison": COMPARISON_LABELS.get(own["comparison_england"], "Not compared"),
            "tone": benchmark_tone(own["comparison_england"]),
            "region": fmt(own["region_value"]),
            "comparison_region": COMPARISON_LABELS.get(own["comparison_region"], "Not compared"),
            "is_derived": bool(own["is_derived"]),
            "key": {
                "source_id": own["source_id"],
                "indicator_id": indicator_id,
                "org_code": icb.code,
                "org_level": "icb",
                "is_derived": bool(own["is_derived"]),
                "period_end": period_end,
            },
        }
    return IndicatorBlock(
        indicator_id=indicator_id,
        title=title,
        definition=indicator["definition"],
        unit=indicator["unit"] or "",
        polarity=str(indicator["polarity"]).replace("_", " "),
        period=period,
        figures=figures,
        icb_value=icb_value,
    )


def _month(value) -> str:
    value = _plain(value)
    return value.strftime("%b %Y") if hasattr(value, "strftime") else str(value)


def _provider_label(row) -> str:
    """A team by its published name; a trust by today's name, or, for a predecessor that has since
    merged, by the name and code it was published under (so two rows never look the same)."""
    if row["org_level"] == "team":
        name = str(row["org_unit_name"] or "")
        # 'Bedfordshire Hospitals NHS Foundation Trust (Luton and Dunstable Hospital)': the site is
        # what tells two teams of one trust apart in a short label.
        if name.endswith(")") and "(" in name:
            name = name[name.rfind("(") + 1 : -1]
        return f"{_abbreviate(name)} ({row['org_code']})"
    published = row.get("org_code_published")
    if published and published != row["org_code"]:
        return f"{_abbreviate(tidy_org_name(row['org_unit_name'])) or published} ({published})"
    return _abbreviate(tidy_org_name(row["org_name"]))


def _abbreviate(name: str) -> str:
    """Shorter trust names for chart labels (the full name is in the tooltip and the CSV)."""
    for long, short in ((" NHS Foundation Trust", " NHS FT"), (" University Hospitals", " Univ. Hospitals")):
        name = name.replace(long, short)
    return name


def _first(series: pd.Series):
    values = series.dropna()
    return _plain(values.iloc[0]) if len(values) else None


def _dot(row: pd.Series, label: str, highlight: bool) -> charts.Dot:
    comparison = row["comparison_england"] or "not_compared"
    return charts.Dot(
        label=label,
        value=_plain(row["value"]),
        lower=_plain(row["lower_ci_95"]),
        upper=_plain(row["upper_ci_95"]),
        highlight=highlight,
        status=COMPARISON_LABELS.get(comparison, comparison),
        tone=benchmark_tone(comparison),
        code=str(row["org_code"] or ""),
    )


def _provider_view(providers, key_indicators, benchmarks, funnels, tables):
    """NCAB-style matrix: one row per provider of the ICB, one column per key indicator that any of
    them has a value for."""
    codes = set(providers["org_code"])
    mine = benchmarks[benchmarks["org_level"].isin(PROVIDER_LEVELS) & benchmarks["org_code"].isin(codes)]
    # A column only where some provider can be placed: a funnel status, or a real comparison.
    compared = mine[mine["comparison_england"].fillna("not_compared") != "not_compared"]
    has_provider_data = set(zip(compared["source_id"], compared["indicator_id"], strict=True)) | set(
        zip(
            *(funnels[funnels["org_code"].isin(codes)][c] for c in ("source_id", "indicator_id")), strict=True
        )
    )
    columns = [
        {"indicator_id": r["indicator_id"], "source_id": r["source_id"], "title": r["title"]}
        for _, r in key_indicators.iterrows()
        if (r["source_id"], r["indicator_id"]) in has_provider_data
    ]
    rows = []
    for _, provider in providers.iterrows():
        cells: list[Cell] = []
        for column in columns:
            indicator = for_indicator(key_indicators, column["source_id"], column["indicator_id"]).iloc[0]
            cell = provider_cell(indicator, provider["org_code"], benchmarks, funnels)
            cells.append(cell)
            tables["provider_view"].append(
                {
                    "org_code": provider["org_code"],
                    "org_name": provider["org_name"],
                    "source_id": column["source_id"],
                    "indicator_id": column["indicator_id"],
                    "mart": cell.mart,
                    "tone": cell.tone,
                    "label": cell.label,
                    "detail": cell.detail,
                }
            )
        rows.append(
            {
                "org_code": provider["org_code"],
                "org_name": tidy_org_name(provider["org_name"]),
                "org_type": provider["org_type"],
                "cells": cells,
            }
        )
    return columns, rows


def _networks(networks, key_indicators, benchmarks, tables):
    titles = {(r["source_id"], r["indicator_id"]): r["title"] for _, r in key_indicators.iterrows()}
    fmt_by = {(r["source_id"], r["indicator_id"]): _fmt_for(r) for _, r in key_indicators.iterrows()}
    out = []
    for _, network in networks.iterrows():
        rows = network_rows(benchmarks, [network["parent_code"]])
        entries = []
        for _, r in rows.iterrows():
            pair = (r["source_id"], r["indicator_id"])
            if pair not in titles:
                continue
            fmt = fmt_by[pair]
            entries.append(
                {
                    "title": titles[pair],
                    "source_id": r["source_id"],
                    "indicator_id": r["indicator_id"],
                    "period": period_text(r["period_label"], r["period_end"]),
                    "value": fmt(r["value"]),
                    "raw": _plain(r["value"]),
                    "interval": f"{fmt(r['lower_ci_95'])} to {fmt(r['upper_ci_95'])}"
                    if _plain(r["lower_ci_95"]) is not None
                    else "",
                    "england": fmt(r["england_value"]),
                    "comparison": COMPARISON_LABELS.get(r["comparison_england"], "Not compared"),
                    "tone": benchmark_tone(r["comparison_england"]),
                    "rank": f"{int(r['peer_rank'])} of {int(r['peer_count'])}"
                    if _plain(r["peer_rank"]) is not None
                    else "",
                    "period_end": date_text(r["period_end"]),
                    "is_derived": bool(r["is_derived"]),
                }
            )
            tables["networks"].append(
                {
                    **{c: _plain(r.get(c)) for c in CSV_COLUMNS["networks"]},
                    "network_type": network["parent_type"],
                    "network_code": network["parent_code"],
                    "network_name": network["network_name"],
                }
            )
        out.append(
            {
                "type": "Cancer Alliance"
                if network["parent_type"] == "cancer_alliance"
                else "Integrated Stroke Delivery Network",
                "code": network["parent_code"],
                "name": network["network_name"],
                "members": int(network["members"]),
                "entries": entries,
            }
        )
    return out
