"""OHID Fingertips indicator data as the classic Fingertips API serves it: a CSV per request.

``GET https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=<id>
&child_area_type_id=<area type>&parent_area_type_id=<parent area type>`` returns one row per area x
sex x age x category x period. The header (the Fingertips server's own test pins it; live files
since 2023 add ``Time period range``; see docs/sources/fingertips.md):

    Indicator ID, Indicator Name, Parent Code, Parent Name, Area Code, Area Name, Area Type, Sex, Age,
    Category Type, Category, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit,
    Lower CI 99.8 limit, Upper CI 99.8 limit, Count, Denominator, Value note, Recent Trend,
    Compared to England value or percentiles, Compared to <parent type> value or percentiles,
    Time period Sortable, New data, Compared to goal[, Time period range]

This parser returns EXACTLY the raw columns of ``fingertips_next_json`` (the FingertipsNext JSON
parser), so one raw table and one staging model hold both shapes:

* ``Compared to England value or percentiles`` -> ``benchmark_outcome`` (``Not compared`` ->
  ``NotCompared``), with England (E92000001) as ``benchmark_area_code`` and England's value for the
  same indicator, sex, age, category and period in the same file as ``benchmark_value`` (NULL when the
  file has no England row for it). A blank comparison (England's own rows) leaves all four NULL.
  The ``Compared to <parent> ...`` column (its name varies with the parent area type) is ignored.
* ``Lower CI 95.0 limit`` / ``Upper CI 95.0 limit`` -> ``lower_ci`` / ``upper_ci``; ``Count`` ->
  ``count``; ``Value`` -> ``value``; ``Recent Trend`` -> ``trend``. The 99.8% limits, the denominator
  and the other columns have no place in the shared raw table and are dropped.
* ``Time period`` -> ``period_type`` / ``period_from`` / ``period_to``: ``2019`` (Calendar),
  ``2019/20`` (Financial), ``2017 - 19`` (CalendarMultiYear), ``2017/18 - 19/20``
  (FinancialMultiYear), ``2019/20 Q1`` (Quarterly, financial quarters), ``2019 Q1`` (Quarterly,
  calendar quarters), ``Jan 2020`` (Monthly). Any other shape raises :class:`ParseError`.
* ``Sex`` is aggregate when it is ``Persons``. ``Age`` is aggregate when it is ``All ages`` or the
  only age the file gives for the indicator. A blank ``Category Type`` is the aggregate (deprivation
  ``Persons``, as FingertipsNext writes it); otherwise ``Category`` / ``Category Type`` go to
  ``deprivation`` / ``deprivation_type`` (Fingertips' categories are mostly deprivation deciles).
* ``Value note`` mentioning suppression makes value, limits and count NULL (never 0); a blank value
  is NULL too.
* The CSV carries neither polarity nor benchmark method: both are ``Unknown`` (the indicator
  catalogue seed holds the polarity the project uses).

Every error names the file, the CSV line and the column.
"""

import calendar
import re
from datetime import date
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    build_frame,
    clean_text,
    drop_blank_records,
    map_header,
    parse_float,
    read_csv_file,
    require_data,
    shown,
)
from orchestration.parsers.fingertips import KINDS, OUTPUT_COLUMNS
from orchestration.sources import Release

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
UNKNOWN = "Unknown"

COLUMNS = (
    HeaderColumn("indicator_id", ("Indicator ID",)),
    HeaderColumn("indicator_name", ("Indicator Name",)),
    HeaderColumn("area_code", ("Area Code",)),
    HeaderColumn("area_name", ("Area Name",)),
    HeaderColumn("sex", ("Sex",)),
    HeaderColumn("age", ("Age",)),
    HeaderColumn("category_type", ("Category Type",)),
    HeaderColumn("category", ("Category",)),
    HeaderColumn("time_period", ("Time period",)),
    HeaderColumn("value", ("Value",)),
    HeaderColumn("lower_ci", ("Lower CI 95.0 limit",)),
    HeaderColumn("upper_ci", ("Upper CI 95.0 limit",)),
    HeaderColumn("count", ("Count",)),
    HeaderColumn("value_note", ("Value note",)),
    HeaderColumn("trend", ("Recent Trend",)),
    HeaderColumn("compared_to_england", ("Compared to England value or percentiles",)),
)
IGNORED = (
    "Parent Code",
    "Parent Name",
    "Area Type",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Denominator",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
)
# "Compared to Region value or percentiles", "Compared to CCGs (from Apr 2021) value or percentiles" ...
PARENT_COMPARISON = re.compile(r"^compared to (?!england value).+ value or percentiles$", re.IGNORECASE)

# The classic CSV's words for the outcome -> the FingertipsNext BenchmarkOutcome the raw table holds.
OUTCOMES = {
    "Better": "Better",
    "Similar": "Similar",
    "Worse": "Worse",
    "Lower": "Lower",
    "Higher": "Higher",
    "Lowest": "Lowest",
    "Low": "Low",
    "Middle": "Middle",
    "High": "High",
    "Highest": "Highest",
    "Best": "Best",
    "Worst": "Worst",
    "Not compared": "NotCompared",
}
NUMBER_COLUMNS = ("value", "lower_ci", "upper_ci", "count")

_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
_PERIOD_SHAPES = (
    "2019 (calendar year), 2019/20 (financial year), 2017 - 19, 2017/18 - 19/20, 2019/20 Q1, 2019 Q1 "
    "or Jan 2020"
)


def _end_year(start: int, two_digits: str) -> int:
    """``2017`` + ``'19'`` -> 2019 (and ``1999`` + ``'01'`` -> 2001)."""
    year = start - start % 100 + int(two_digits)
    return year + 100 if year < start else year


def _span_ok(start: int, end: int) -> bool:
    """A multi-year period ends 1 to 10 years after it starts (``2019 - 17`` is not a period)."""
    return 0 < end - start <= 10


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_time_period(text: str) -> tuple[str, date, date] | None:
    """A classic Fingertips ``Time period`` -> (period_type, from, to); None for an unknown shape."""
    text = re.sub(r"\s+", " ", text.strip())
    if match := re.fullmatch(r"(\d{4})", text):
        year = int(match[1])
        return "Calendar", date(year, 1, 1), date(year, 12, 31)
    if match := re.fullmatch(r"(\d{4})/(\d{2})", text):
        start = int(match[1])
        if _end_year(start, match[2]) != start + 1:
            return None
        return "Financial", date(start, 4, 1), date(start + 1, 3, 31)
    if match := re.fullmatch(r"(\d{4}) - (\d{2})", text):
        start, end = int(match[1]), _end_year(int(match[1]), match[2])
        return ("CalendarMultiYear", date(start, 1, 1), date(end, 12, 31)) if _span_ok(start, end) else None
    if match := re.fullmatch(r"(\d{4})/(\d{2}) - (\d{2})/(\d{2})", text):
        start = int(match[1])
        end_start = _end_year(start, match[3])
        if _end_year(start, match[2]) != start + 1 or _end_year(end_start, match[4]) != end_start + 1:
            return None
        if not _span_ok(start, end_start):
            return None
        return "FinancialMultiYear", date(start, 4, 1), date(end_start + 1, 3, 31)
    if match := re.fullmatch(r"(\d{4})/(\d{2}) Q([1-4])", text):
        start = int(match[1])
        if _end_year(start, match[2]) != start + 1:
            return None
        first = 4 + 3 * (int(match[3]) - 1)  # Q1 = April to June ... Q4 = January to March
        year = start if first <= 12 else start + 1
        month = first if first <= 12 else first - 12
        return "Quarterly", date(year, month, 1), _month_end(year, month + 2)
    if match := re.fullmatch(r"(\d{4}) Q([1-4])", text):
        year, month = int(match[1]), 1 + 3 * (int(match[2]) - 1)
        return "Quarterly", date(year, month, 1), _month_end(year, month + 2)
    if match := re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", text):
        month = _MONTHS.get(match[1])
        if month is None:
            return None
        year = int(match[2])
        return "Monthly", date(year, month, 1), _month_end(year, month)
    return None


def parse_fingertips_classic_csv(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, data = records[0], records[1:]
    ignored = IGNORED + tuple(name for name in header.fields if PARENT_COMPARISON.match(name.strip()))
    index = map_header(ctx, header.fields, COLUMNS, row=header.line, ignored=ignored)
    require_data(ctx, data, "data rows below the header")
    labels = {column.output: column.aliases[0] for column in COLUMNS}

    cells: list[dict] = []
    for record in data:
        if len(record.fields) != len(header.fields):
            raise ctx.error(
                f"expected {len(header.fields)} fields as in the header, found {len(record.fields)}",
                row=record.line,
            )
        cells.append(
            {"line": record.line} | {name: clean_text(record.fields[i]) for name, i in index.items()}
        )

    rows = [_row(ctx, release, cell, labels) for cell in cells]
    ages = _ages_by_indicator(rows)
    england = {_key(row): row["value"] for row in rows if row["area_code"] == ENGLAND_CODE}
    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    for row in rows:
        row["age_is_aggregate"] = row["age"] == "All ages" or ages[row["indicator_id"]] == {row["age"]}
        row["is_aggregate"] = (
            row["sex_is_aggregate"] and row["age_is_aggregate"] and row["deprivation_is_aggregate"]
        )
        if row["benchmark_outcome"] is not None:
            row["benchmark_area_code"] = ENGLAND_CODE
            row["benchmark_area_name"] = ENGLAND_NAME
            row["benchmark_value"] = england.get(_key(row))
        for name in OUTPUT_COLUMNS:
            values[name].append(row[name])
    return build_frame({name: (KINDS[name], values[name]) for name in OUTPUT_COLUMNS})


def _key(row: dict) -> tuple:
    return (
        row["indicator_id"],
        row["sex"],
        row["age"],
        row["deprivation"],
        row["period_from"],
        row["period_to"],
    )


def _ages_by_indicator(rows: list[dict]) -> dict[int, set[str]]:
    ages: dict[int, set[str]] = {}
    for row in rows:
        ages.setdefault(row["indicator_id"], set()).add(row["age"])
    return ages


def _required(ctx: ParseContext, cell: dict, name: str, labels: dict[str, str]) -> str:
    text = cell[name]
    if text is None:
        raise ctx.error("expected a value, found a blank", row=cell["line"], column=labels[name])
    return text


def _row(ctx: ParseContext, release: Release, cell: dict, labels: dict[str, str]) -> dict:
    line = cell["line"]
    raw_id = _required(ctx, cell, "indicator_id", labels)
    if not raw_id.isdigit():
        raise ctx.error(
            f"expected a whole-number Fingertips indicator id, found {shown(raw_id)}",
            row=line,
            column=labels["indicator_id"],
        )
    if release.indicator is not None and raw_id != release.indicator:
        raise ctx.error(
            f"the file holds indicator {raw_id} but the release declares indicator {release.indicator!r} "
            "in sources.yml",
            row=line,
            column=labels["indicator_id"],
        )
    period_text = _required(ctx, cell, "time_period", labels)
    period = parse_time_period(period_text)
    if period is None:
        raise ctx.error(
            f"expected a time period like {_PERIOD_SHAPES}, found {shown(period_text)}",
            row=line,
            column=labels["time_period"],
        )
    sex = _required(ctx, cell, "sex", labels)
    category_type = cell["category_type"]
    if category_type is None:
        deprivation, deprivation_type, deprivation_aggregate = "Persons", "Persons", True
    else:
        deprivation = _required(ctx, cell, "category", labels)
        deprivation_type, deprivation_aggregate = category_type, False
    numbers = {
        name: parse_float(ctx, cell[name], row=line, column=labels[name], markers_ok=False)
        for name in NUMBER_COLUMNS
    }
    note = cell["value_note"]
    if note is not None and "suppress" in note.lower():
        numbers = dict.fromkeys(NUMBER_COLUMNS)
    outcome_text = cell["compared_to_england"]
    outcome = None
    if outcome_text is not None:
        outcome = OUTCOMES.get(outcome_text)
        if outcome is None:
            raise ctx.error(
                f"expected one of {sorted(OUTCOMES)} or a blank, found {shown(outcome_text)}",
                row=line,
                column=labels["compared_to_england"],
            )
    period_type, period_from, period_to = period
    return {
        "indicator_id": int(raw_id),
        "indicator_name": _required(ctx, cell, "indicator_name", labels),
        "polarity": UNKNOWN,
        "benchmark_method": UNKNOWN,
        "area_code": _required(ctx, cell, "area_code", labels),
        "area_name": _required(ctx, cell, "area_name", labels),
        "sex": sex,
        "sex_is_aggregate": sex == "Persons",
        "age": _required(ctx, cell, "age", labels),
        "deprivation": deprivation,
        "deprivation_type": deprivation_type,
        "deprivation_is_aggregate": deprivation_aggregate,
        "period_type": period_type,
        "period_from": period_from,
        "period_to": period_to,
        **numbers,
        "trend": cell["trend"],
        "benchmark_outcome": outcome,
        "benchmark_area_code": None,
        "benchmark_area_name": None,
        "benchmark_value": None,
        "source_row": line,
    }
