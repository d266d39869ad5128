"""CVDPREVENT audit API ``rawDataCSV``: one indicator, one time period, one system level per response.

``https://api.cvdprevent.nhs.uk/indicator/<id>/rawDataCSV?timePeriodID=<t>&systemLevelID=<s>``
returns one row per area x metric (breakdown): ``AreaCode`` (ONS code of the ICB, Sub-ICB location,
region or England; ODS code of a PCN or GP practice), ``MetricCategoryTypeName`` / ``MetricCategoryName`` / ``CategoryAttribute`` (the
breakdown: e.g. ``Age group`` / ``40-59`` / ``Female``), ``Numerator``, ``Denominator``, ``Value``
(%), the publisher's 95% confidence limits and a ``ValueNote``.

Quirks handled: counts are written as floats (``157590.0``); numerator and denominator are blank on
age-standardised rows (``ValueNote`` says why), so they must be blank together; ``TimePeriodName`` is
cumulative to a month (``To March 2026``) and must be the release's period (its ``period_label``,
or a month ending on the release's ``period_end``; one file holds one period). The same parser reads
the per-period file an API walk combines from rawDataJSON responses (orchestration/walkers/cvdprevent.py). ``Factor`` is blank in every response seen:
a value there would change what ``Value`` means, so it is an error until someone handles it;
``HighestPriorityNotificationType`` and ``NotificationCount`` (dashboard data-quality notifications)
are known and dropped. CVDPREVENT leaves a suppressed cell blank and explains it in ``ValueNote``: a
suppression marker or any other text in a number column is an error, never a zero.
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
    release_date,
    require_data,
    shown,
)
from orchestration.parsers.tables import Code, csv_rows
from orchestration.sources import Release

TEXT_COLUMNS = (
    HeaderColumn("area_code", ("AreaCode",)),
    HeaderColumn("area_name", ("AreaName",)),
    HeaderColumn("indicator_code", ("IndicatorCode",)),
    HeaderColumn("indicator_name", ("IndicatorName",)),
    HeaderColumn("indicator_short_name", ("IndicatorShortName",)),
    HeaderColumn("metric_category_type_name", ("MetricCategoryTypeName",)),
    HeaderColumn("metric_category_name", ("MetricCategoryName",)),
    HeaderColumn("category_attribute", ("CategoryAttribute",)),
)
NUMBER_COLUMNS = (
    HeaderColumn("numerator", ("Numerator",)),
    HeaderColumn("denominator", ("Denominator",)),
    HeaderColumn("value", ("Value",)),
    HeaderColumn("lower_confidence_limit", ("LowerConfidenceLimit",)),
    HeaderColumn("upper_confidence_limit", ("UpperConfidenceLimit",)),
)
NOTE_COLUMNS = (
    HeaderColumn("value_note", ("ValueNote",)),
    HeaderColumn("time_period_name", ("TimePeriodName",)),
)
# Published, checked to be blank, not kept.
FACTOR = HeaderColumn("factor", ("Factor",), required=False)
COLUMNS = (*TEXT_COLUMNS, *NUMBER_COLUMNS, *NOTE_COLUMNS, FACTOR)
IGNORED = ("HighestPriorityNotificationType", "NotificationCount")
OUTPUT_COLUMNS = (
    *(c.output for c in (*TEXT_COLUMNS, *NUMBER_COLUMNS, *NOTE_COLUMNS)),
    "period_start",
    "period_end",
    "source_row",
)

# Areas by system level: England, NHS England regions, ICBs and Sub-ICB locations by ONS code; PCNs
# by their ODS U-code (U12345); GP practices by their ODS code (A81001).
AREA = Code(
    re.compile(r"^(?:[EWSNK]\d{8}|U\d{5}|[A-Z]\d{5})$"),
    "an area code: ONS (e.g. E54000040), a PCN code (e.g. U89141) or a GP practice code (e.g. A81001)",
)
CODES = {
    "area_code": AREA,
    "indicator_code": Code(re.compile(r"^CVDP\d{3}[A-Z]+$"), "a CVDPREVENT indicator code (e.g. CVDP001HYP)"),
}
OPTIONAL_TEXT = frozenset({"value_note"})
_PERIOD = re.compile(r"^To ([A-Z][a-z]+) (\d{4})$")


def period_end_of(label: str) -> date | None:
    """``'To March 2026'`` -> 2026-03-31 (the last day of the named month); anything else -> None."""
    match = _PERIOD.match(label)
    if match is None or match.group(1) not in calendar.month_name[1:]:
        return None
    month = list(calendar.month_name).index(match.group(1))
    year = int(match.group(2))
    return date(year, month, calendar.monthrange(year, month)[1])


def _text(ctx: ParseContext, name: str, cell: str, *, row: int, column: str) -> str | None:
    text = clean_text(cell)
    code = CODES.get(name)
    if text is None:
        if name not in OPTIONAL_TEXT:
            raise ctx.error(
                f"expected {code.what if code else 'a value'}, found a blank", row=row, column=column
            )
    elif code is not None and not code.pattern.match(text):
        raise ctx.error(f"expected {code.what}, found {shown(cell)}", row=row, column=column)
    return text


def parse_cvdprevent_raw_data(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, data = records[0], records[1:]
    index = map_header(ctx, header.fields, COLUMNS, row=header.line, ignored=IGNORED)
    labels = {name: header.fields[position].strip() for name, position in index.items()}
    require_data(ctx, data, "rows below the header")

    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    periods: set[str] = set()
    for row in csv_rows(ctx, header, data):
        number, cells = row.number, row.cells
        for column in (*TEXT_COLUMNS, *NOTE_COLUMNS):
            name = column.output
            values[name].append(_text(ctx, name, cells[index[name]], row=number, column=labels[name]))
        for column in NUMBER_COLUMNS:
            name = column.output
            values[name].append(
                parse_float(ctx, cells[index[name]], row=number, column=labels[name], markers_ok=False)
            )
        if "factor" in index and clean_text(cells[index["factor"]]) is not None:
            raise ctx.error(
                f"expected a blank (a factor would change what Value means), found {shown(cells[index['factor']])}",
                row=number,
                column=labels["factor"],
            )
        if (values["numerator"][-1] is None) != (values["denominator"][-1] is None):
            raise ctx.error(
                "expected Numerator and Denominator both published or both blank, found only one",
                row=number,
                column=labels["numerator"],
            )
        label = values["time_period_name"][-1]
        if label not in periods and label != release.period_label:
            end = period_end_of(label)
            if end is None:
                raise ctx.error(
                    f"expected the release's period {release.period_label!r} or one such as 'To March 2026', "
                    f"found {shown(label)}",
                    row=number,
                    column=labels["time_period_name"],
                )
            if pd.Timestamp(end) != period_end:
                raise ctx.error(
                    f"the file's period {label!r} does not end on the release's period_end "
                    f"({period_end.date().isoformat()} in sources.yml)",
                    row=number,
                    column=labels["time_period_name"],
                )
        periods.add(label)
        values["source_row"].append(number)

    if len(periods) > 1:
        raise ctx.error(
            f"expected one period in column 'TimePeriodName', found {sorted(periods)}",
            column="TimePeriodName",
        )
    n = len(values["source_row"])
    values["period_start"] = [period_start] * n
    values["period_end"] = [period_end] * n
    kinds = dict.fromkeys(OUTPUT_COLUMNS, "text")
    kinds |= dict.fromkeys((c.output for c in NUMBER_COLUMNS), "float")
    kinds |= {"period_start": "date", "period_end": "date", "source_row": "row"}
    return build_frame({name: (kinds[name], values[name]) for name in OUTPUT_COLUMNS})
