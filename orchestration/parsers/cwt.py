"""NHS England Cancer Waiting Times (CWT) Cancer Registration System (CRS) data extracts (xlsx).

Two layouts share one reader (:class:`ExtractLayout`): the provider extract (sheet ``CWT CRS Provider
Extract``: one row per provider x month x standard x stage/route x treatment modality x cancer type)
and the commissioner extract (sheet ``CWT CRS ICB SubLocation Extract``: one row per Sub-ICB location
x month x standard x sub-category). Both start with ``PERIOD, YEAR, MONTH, STANDARD`` and end with
three counts.

The sheets are large (51,509 rows), so they are read with openpyxl in read-only mode, row by row.
Quirks handled: ``PERIOD`` is an Excel date (first of the month) and must agree with ``MONTH``
(``OCT``) and ``YEAR`` (financial year ``2023/24``); a blank text cell is an empty string in one file
and an empty cell in another (both become null); counts can be halves (a pathway shared between two
providers counts 0.5 to each), so they are decimals. CWT publishes every count: a blank, a
suppression marker or a negative count is an error, not a null. Trailing empty columns and rows are
tolerated; anything else unexpected raises :class:`ParseError` naming file, row and column.
"""

import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    build_frame,
    clean_text,
    excel_column_letter,
    is_blank,
    map_header,
    parse_float,
    shown,
)
from orchestration.parsers.tables import Code
from orchestration.sources import Release

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
HEADER_SEARCH_ROWS = 10

PROVIDER_CODE = Code(re.compile(r"^[A-Z0-9]{3,5}$"), "a provider ODS code (3 to 5 capital letters or digits)")
# Sub-ICB locations: former CCG codes (00L, 99A), merged-CCG codes (A3A8R), NHS England hubs (13Q),
# and the literal UNKNOWN the publisher uses when the commissioner was not recorded.
SUB_ICB_CODE = Code(
    re.compile(r"^([0-9]{2}[A-Z]|[A-Z][0-9][A-Z][0-9][A-Z]|UNKNOWN)$"),
    "a Sub-ICB location ODS code (e.g. 00L or A3A8R) or UNKNOWN",
)

PERIOD_COLUMNS = (
    HeaderColumn("period_month", ("PERIOD",)),
    HeaderColumn("financial_year", ("YEAR",)),
    HeaderColumn("month_label", ("MONTH",)),
    HeaderColumn("standard", ("STANDARD",)),
)


@dataclass(frozen=True)
class ExtractLayout:
    """One CWT extract: its sheet, its code column, its category columns and its three counts."""

    sheet: str
    code: HeaderColumn
    code_shape: Code
    categories: tuple[HeaderColumn, ...]  # text columns that may be blank
    required_categories: frozenset[str]  # ... except these
    counts: tuple[HeaderColumn, ...]  # total, within standard, breaches (in that order)

    @property
    def columns(self) -> tuple[HeaderColumn, ...]:
        return (*PERIOD_COLUMNS, self.code, *self.categories, *self.counts)

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (*(c.output for c in self.columns), "source_row")


PROVIDER_LAYOUT = ExtractLayout(
    sheet="CWT CRS Provider Extract",
    code=HeaderColumn("org_code", ("ORG CODE",)),
    code_shape=PROVIDER_CODE,
    categories=(
        HeaderColumn("stage_route", ("STAGE/ROUTE",)),
        HeaderColumn("treatment_modality", ("TREATMENT MODALITY",)),
        HeaderColumn("cancer_type", ("CANCER TYPE",)),
    ),
    required_categories=frozenset({"stage_route", "cancer_type"}),
    counts=(
        HeaderColumn("total_treated", ("TOTAL TREATED",)),
        HeaderColumn("within_standard", ("WITHIN STANDARD",)),
        HeaderColumn("breaches", ("BREACHES",)),
    ),
)

SUB_ICB_LAYOUT = ExtractLayout(
    sheet="CWT CRS ICB SubLocation Extract",
    code=HeaderColumn("sub_icb_code", ("ICB SUB LOCATION",)),
    code_shape=SUB_ICB_CODE,
    categories=(HeaderColumn("sub_category", ("SUB-CATEGORY",)),),
    required_categories=frozenset(),
    counts=(
        HeaderColumn("total", ("TOTAL",)),
        HeaderColumn("within_standard", ("WITHIN STANDARD",)),
        HeaderColumn("breaches", ("BREACHES",)),
    ),
)


def financial_year(month: date) -> str:
    """2023-10-01 -> '2023/24'; 2024-03-01 -> '2023/24'."""
    start = month.year if month.month >= 4 else month.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _rows(ctx: ParseContext, path: Path, sheet_name: str) -> Iterator[tuple[int, Sequence[object]]]:
    """(spreadsheet row number, cell values) for every row of the sheet, read-only and streaming."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        raise ctx.error(
            f"expected an xlsx workbook, could not open it ({type(exc).__name__}: {exc})"
        ) from None
    try:
        if sheet_name not in workbook.sheetnames:
            raise ctx.error(
                f"expected a sheet named {sheet_name!r}, found sheets {shown(workbook.sheetnames)}"
            )
        sheet = workbook[sheet_name]
        sheet.reset_dimensions()  # a stale <dimension> in the file must not truncate rows
        # iter_rows yields empty tuples for missing rows, so the count is the spreadsheet row number
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _check_period(ctx: ParseContext, record: dict[str, object], labels: dict[str, str], *, row: int) -> None:
    """PERIOD must be the first of a month and agree with YEAR and MONTH; the record gets clean values."""
    cell, column = record["period_month"], labels["period_month"]
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise ctx.error(
                f"expected a date (first of a month), found {shown(cell)}", row=row, column=column
            )
        cell = cell.date()
    if not isinstance(cell, date):
        raise ctx.error(f"expected a date (first of a month), found {shown(cell)}", row=row, column=column)
    if cell.day != 1:
        raise ctx.error(
            f"expected the first day of a month, found {cell.isoformat()}", row=row, column=column
        )
    year = _text(ctx, record["financial_year"], row=row, column=labels["financial_year"], required=True)
    if year != financial_year(cell):
        raise ctx.error(
            f"expected financial year {financial_year(cell)!r} for period {cell.isoformat()}, found {shown(year)}",
            row=row,
            column=labels["financial_year"],
        )
    month = _text(ctx, record["month_label"], row=row, column=labels["month_label"], required=True)
    if month.upper() != MONTHS[cell.month - 1]:
        raise ctx.error(
            f"expected month {MONTHS[cell.month - 1]!r} for period {cell.isoformat()}, found {shown(month)}",
            row=row,
            column=labels["month_label"],
        )
    standard = _text(ctx, record["standard"], row=row, column=labels["standard"], required=True)
    record.update(period_month=cell, financial_year=year, month_label=month, standard=standard)


def _text(ctx: ParseContext, cell: object, *, row: int, column: str, required: bool) -> str | None:
    if cell is not None and not isinstance(cell, str):
        raise ctx.error(f"expected text, found {type(cell).__name__} {shown(cell)}", row=row, column=column)
    text = clean_text(cell)
    if text is None and required:
        raise ctx.error("expected a value, found a blank", row=row, column=column)
    return text


def _count(ctx: ParseContext, cell: object, *, row: int, column: str) -> float | None:
    """A count of pathways (halves occur: shared pathways); a blank or a marker is an error."""
    if is_blank(cell):
        raise ctx.error("expected a count (CWT publishes every count), found a blank", row=row, column=column)
    return parse_float(ctx, cell, row=row, column=column, markers_ok=False)


def parse_cwt_extract(path: Path, release: Release, source_id: str, layout: ExtractLayout) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    if Path(path).stat().st_size == 0:
        raise ctx.error("the file is empty: expected an xlsx workbook")
    with closing(_rows(ctx, path, layout.sheet)) as rows:  # closes the workbook on any error
        return _parse_rows(ctx, rows, layout)


def _parse_rows(
    ctx: ParseContext, rows: Iterator[tuple[int, Sequence[object]]], layout: ExtractLayout
) -> pd.DataFrame:
    header_row, header = None, ()
    for number, cells in rows:
        if any(not is_blank(cell) for cell in cells):
            header_row, header = number, tuple("" if is_blank(c) else str(c).strip() for c in cells)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_row is None:
        expected = ", ".join(c.aliases[0] for c in layout.columns)
        raise ctx.error(
            f"sheet {layout.sheet!r}: expected a header row ({expected}) in the first "
            f"{HEADER_SEARCH_ROWS} rows, found only blank rows"
        )
    # Trailing header cells that are blank are not columns (read-only sheets pad rows).
    while header and header[-1] == "":
        header = header[:-1]
    index = map_header(ctx, header, layout.columns, row=header_row)
    labels = {name: header[position] for name, position in index.items()}

    values: dict[str, list] = {name: [] for name in layout.output_columns}
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue
        for position in range(len(header), len(cells)):
            if not is_blank(cells[position]):
                raise ctx.error(
                    f"a value {shown(cells[position])} outside the table (the header has {len(header)} columns)",
                    row=number,
                    column=excel_column_letter(position),
                )
        cells = tuple(cells) + (None,) * max(0, len(header) - len(cells))
        record = {name: cells[position] for name, position in index.items()}
        _check_period(ctx, record, labels, row=number)
        for name in ("period_month", "financial_year", "month_label", "standard"):
            values[name].append(record[name])
        code_label = labels[layout.code.output]
        code = _text(ctx, record[layout.code.output], row=number, column=code_label, required=True)
        if not layout.code_shape.pattern.match(code):
            raise ctx.error(
                f"expected {layout.code_shape.what}, found {shown(code)}", row=number, column=code_label
            )
        values[layout.code.output].append(code)
        for column in layout.categories:
            name = column.output
            required = name in layout.required_categories
            values[name].append(_text(ctx, record[name], row=number, column=labels[name], required=required))
        for column in layout.counts:
            name = column.output
            values[name].append(_count(ctx, record[name], row=number, column=labels[name]))
        values["source_row"].append(number)

    if not values["source_row"]:
        raise ctx.error(
            f"sheet {layout.sheet!r}: expected data rows below the header, found none", row=header_row
        )
    kinds = dict.fromkeys(layout.output_columns, "text")
    kinds |= {"period_month": "date", "source_row": "row"} | {c.output: "float" for c in layout.counts}
    return build_frame({name: (kinds[name], values[name]) for name in layout.output_columns})


def parse_cwt_provider(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_cwt_extract(path, release, source_id, PROVIDER_LAYOUT)


def parse_cwt_sub_icb(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_cwt_extract(path, release, source_id, SUB_ICB_LAYOUT)
