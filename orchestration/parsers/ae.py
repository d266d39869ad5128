"""NHS England monthly A&E attendances and emergency admissions (MSitAE), by provider.

Two publisher layouts give the same raw table (docs/raw-tables.md, ``raw.ae_monthly``); the release's
``format`` in sources.yml says which one a file is, and its first bytes must agree:

* the monthly CSV (22 columns). Quirks handled: trailing extra columns (September 2024: 6 extra
  fields, the last headed ``a``), tolerated only when every value in them is blank; the national
  total row spelled ``TOTAL``, ``Total`` or ``Total `` (kept, flagged ``is_total_row``; its ``Period``
  cell says TOTAL, so it gets the file's period); trailing spaces in ``Parent Org`` and names
  (stripped); CRLF line ends; quoted names containing commas.
* the older provider workbook (``.xls``, e.g. December 2019), sheet ``Provider Level Data``: a title
  block (``Title:``, ``Period: December 2019``, ``Source: SDCS data collection - MSitAE`` ...), a
  two-row header (merged group cells such as ``A&E attendances greater than 4 hours ...`` above
  sub-headers ``Type 1 Departments - Major A&E`` ... that repeat in every group), the England row
  first (code and region ``-``), a blank spacer row, one row per provider, and a hidden column
  without a header naming the provider's STP (ignored). Totals and percentages are derived columns
  and are not kept. This layout has no booked-appointment split (its attendances and over-4-hours
  counts are all of each department type) and gives waits from decision to admit as "> 4 hours"
  (12+ included) and "> 12 hours": the booked columns and ``dta_wait_4_12_hrs`` are NULL, never 0.
  ``-`` in a count (trusts that reported no 4-hour figures) is NULL. The period label is the CSV
  style built from the ``Period:`` cell (``MSitAE-DECEMBER-2019``).
"""

import io
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlrd

from orchestration.parsers.common import (
    SUPPRESSION_MARKERS,
    HeaderColumn,
    ParseContext,
    build_frame,
    clean_text,
    drop_blank_records,
    excel_column_letter,
    map_header,
    normalise_header,
    parse_int,
    read_csv_file,
    require_data,
    shown,
)
from orchestration.sources import Release

COUNT_COLUMNS = (
    HeaderColumn("attendances_type_1", ("A&E attendances Type 1",)),
    HeaderColumn("attendances_type_2", ("A&E attendances Type 2",)),
    HeaderColumn("attendances_other", ("A&E attendances Other A&E Department",)),
    HeaderColumn("attendances_booked_type_1", ("A&E attendances Booked Appointments Type 1",)),
    HeaderColumn("attendances_booked_type_2", ("A&E attendances Booked Appointments Type 2",)),
    HeaderColumn("attendances_booked_other", ("A&E attendances Booked Appointments Other Department",)),
    HeaderColumn("over_4hrs_type_1", ("Attendances over 4hrs Type 1",)),
    HeaderColumn("over_4hrs_type_2", ("Attendances over 4hrs Type 2",)),
    HeaderColumn("over_4hrs_other", ("Attendances over 4hrs Other Department",)),
    HeaderColumn("over_4hrs_booked_type_1", ("Attendances over 4hrs Booked Appointments Type 1",)),
    HeaderColumn("over_4hrs_booked_type_2", ("Attendances over 4hrs Booked Appointments Type 2",)),
    HeaderColumn("over_4hrs_booked_other", ("Attendances over 4hrs Booked Appointments Other Department",)),
    HeaderColumn(
        "dta_wait_4_12_hrs",
        (
            "Patients who have waited 4-12 hs from DTA to admission",
            "Patients who have waited 4-12 hrs from DTA to admission",
        ),
    ),
    HeaderColumn("dta_wait_12_plus_hrs", ("Patients who have waited 12+ hrs from DTA to admission",)),
    HeaderColumn("emergency_admissions_type_1", ("Emergency admissions via A&E - Type 1",)),
    HeaderColumn("emergency_admissions_type_2", ("Emergency admissions via A&E - Type 2",)),
    HeaderColumn("emergency_admissions_other", ("Emergency admissions via A&E - Other A&E department",)),
    HeaderColumn("other_emergency_admissions", ("Other emergency admissions",)),
)
COLUMNS = (
    HeaderColumn("period_label", ("Period",)),
    HeaderColumn("org_code", ("Org Code",)),
    HeaderColumn("parent_org", ("Parent Org",)),
    HeaderColumn("org_name", ("Org name",)),
    *COUNT_COLUMNS,
)
OUTPUT_COLUMNS = (
    "period_label", "org_code", "parent_org", "org_name", "is_total_row",
    *(c.output for c in COUNT_COLUMNS), "source_row",
)  # fmt: skip
TOTAL_MARKER = "total"
KINDS = {"period_label": "text", "org_code": "text", "parent_org": "text", "org_name": "text",
         "is_total_row": "bool", "source_row": "row"} | {c.output: "int" for c in COUNT_COLUMNS}  # fmt: skip

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # every .xls (BIFF8 in a compound file)


def parse_ae(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    """Parse one release file: CSV unless the release declares ``format: xls``."""
    ctx = ParseContext.for_path(source_id, path)
    with Path(path).open("rb") as handle:
        is_ole2 = handle.read(len(OLE2_SIGNATURE)) == OLE2_SIGNATURE
    declared = release.format or "csv"
    if declared == "xls":
        if not is_ole2:
            raise ctx.error(
                "sources.yml declares this release as xls, but the file does not start with the OLE2 "
                "signature (D0 CF 11 E0) of an .xls workbook"
            )
        return _parse_workbook(ParseContext(source_id, f"{ctx.file_name}, sheet {WORKBOOK_SHEET!r}"), path)
    if declared != "csv":
        raise ctx.error(f"expected a release in csv or xls format, sources.yml declares {declared!r}")
    if is_ole2:
        raise ctx.error(
            "this is an .xls workbook (OLE2 signature D0 CF 11 E0), but sources.yml declares the release "
            "as csv: give the release `format: xls`"
        )
    return _parse_csv(ctx, path)


# --------------------------------------------------------------------------------------------------
# Monthly CSV


def _is_total(fields: list[str], index: dict[str, int]) -> bool:
    return fields[index["org_code"]].strip().lower() == TOTAL_MARKER


def _parse_csv(ctx: ParseContext, path: Path) -> pd.DataFrame:
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, rows = records[0], records[1:]
    index = map_header(ctx, header.fields, COLUMNS, row=header.line, unknown_ok=True)
    require_data(ctx, rows, "provider rows below the header")
    used = set(index.values())
    width = max(index.values()) + 1

    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    periods: set[str] = set()
    for record in rows:
        fields = record.fields
        if len(fields) < width:
            raise ctx.error(
                f"expected at least {width} fields as in the header, found {len(fields)}", row=record.line
            )
        for position, field in enumerate(fields):
            if position not in used and field.strip():
                name = header.fields[position].strip() if position < len(header.fields) else ""
                expected = ", ".join(repr(c.aliases[0]) for c in COLUMNS)
                raise ctx.error(
                    f"unexpected column {name or '(no header)'!r} (column {position + 1}) holds "
                    f"{shown(field)}: extra columns are tolerated only when every value is blank; "
                    f"expected only {expected}",
                    row=record.line,
                    column=name or f"#{position + 1} (no header)",
                )
        total = _is_total(fields, index)
        values["is_total_row"].append(total)
        period = fields[index["period_label"]].strip()
        if not total:
            if not period:
                raise ctx.error("expected a period such as 'MSitAE-APRIL-2025', found a blank", row=record.line,
                                column=header.fields[index["period_label"]].strip())  # fmt: skip
            periods.add(period)
        values["period_label"].append(period)
        for name in ("org_code", "parent_org", "org_name"):
            values[name].append(fields[index[name]])
        for column in COUNT_COLUMNS:
            position = index[column.output]
            values[column.output].append(
                parse_int(ctx, fields[position], row=record.line, column=header.fields[position].strip())
            )
        values["source_row"].append(record.line)

    if len(periods) > 1:
        raise ctx.error(f"expected one period in column 'Period', found {sorted(periods)}", column="Period")
    if periods:
        file_period = periods.pop()
        values["period_label"] = [file_period] * len(rows)

    return build_frame({name: (KINDS[name], values[name]) for name in OUTPUT_COLUMNS})


# --------------------------------------------------------------------------------------------------
# Older provider workbook (.xls)

WORKBOOK_SHEET = "Provider Level Data"
HEADER_SEARCH_ROWS = 40
_ATTENDANCES = "A&E attendances"
_UNDER_4 = "A&E attendances less than 4 hours from arrival to admission, transfer or discharge"
_OVER_4 = "A&E attendances greater than 4 hours from arrival to admission, transfer or discharge"
_PERCENT = "Percentage of attendances within 4 hours"
_ADMISSIONS = "Emergency Admissions"
_TYPES = (
    "Type 1 Departments - Major A&E",
    "Type 2 Departments - Single Specialty",
    "Type 3 Departments - Other A&E/Minor Injury Unit",
)


def _grouped(group: str, name: str) -> str:
    """Header of a column under a merged group cell: the same sub-header repeats in every group."""
    return f"{group} | {name}"


# The raw columns this layout has; the others (booked appointments, 4-12 hour DTA waits) are NULL.
WORKBOOK_COLUMNS = (
    HeaderColumn("org_code", ("Code",)),
    HeaderColumn("parent_org", ("Region",)),
    HeaderColumn("org_name", ("Name",)),
    *(HeaderColumn(f"attendances_{t}", (_grouped(_ATTENDANCES, name),))
      for t, name in zip(("type_1", "type_2", "other"), _TYPES, strict=True)),
    *(HeaderColumn(f"over_4hrs_{t}", (_grouped(_OVER_4, name),))
      for t, name in zip(("type_1", "type_2", "other"), _TYPES, strict=True)),
    HeaderColumn("dta_wait_12_plus_hrs", (_grouped(
        _ADMISSIONS, "Number of patients spending >12 hours from decision to admit to admission"),)),
    HeaderColumn("emergency_admissions_type_1", (_grouped(_ADMISSIONS, "Emergency Admissions via Type 1 A&E"),)),
    HeaderColumn("emergency_admissions_type_2", (_grouped(_ADMISSIONS, "Emergency Admissions via Type 2 A&E"),)),
    HeaderColumn("emergency_admissions_other", (_grouped(_ADMISSIONS, "Emergency Admissions via Type 3 and 4 A&E"),)),
    HeaderColumn("other_emergency_admissions", (_grouped(
        _ADMISSIONS, "Other Emergency admissions (i.e not via A&E)"),)),
)  # fmt: skip
# Published columns deliberately not kept: totals and percentages derive from the kept counts, and
# the under-4-hours counts are attendances minus over 4 hours; "> 4 hours from decision to admit"
# includes the 12+ hour waits, so it is not the CSV's 4-12 hour band.
WORKBOOK_IGNORED = (
    _grouped(_ATTENDANCES, "Total attendances"),
    *(_grouped(_UNDER_4, name) for name in (*_TYPES, "Total Attendances < 4 hours")),
    _grouped(_OVER_4, "Total Attendances > 4 hours"),
    *(_grouped(_PERCENT, f"Percentage in 4 hours or less ({t})") for t in ("all", "type 1", "type 2", "type 3")),
    _grouped(_ADMISSIONS, "Total Emergency Admissions via A&E"),
    _grouped(_ADMISSIONS, "Total Emergency Admissions"),
    _grouped(_ADMISSIONS, "Number of patients spending >4 hours from decision to admit to admission"),
)  # fmt: skip
_ENGLAND_CODE = "-"
_PERIOD_PATTERN = re.compile(r"^([A-Za-z]+) (\d{4})$")
_INT_TEXT = re.compile(r"^\d+$")


def _cell_text(cell: xlrd.sheet.Cell) -> str | None:
    """A text cell stripped (blank -> None); other cell types give None (callers check them)."""
    return clean_text(cell.value) if cell.ctype == xlrd.XL_CELL_TEXT else None


def _is_empty(cell: xlrd.sheet.Cell) -> bool:
    return cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) or (
        cell.ctype == xlrd.XL_CELL_TEXT and not cell.value.strip()
    )


def _find_header(sheet: xlrd.sheet.Sheet) -> int | None:
    """Index of the sub-header row: the first row with cells 'Code' and 'Name'."""
    for r in range(min(HEADER_SEARCH_ROWS, sheet.nrows)):
        keys = {normalise_header(_cell_text(cell) or "") for cell in sheet.row(r)}
        if {"code", "name"} <= keys:
            return r
    return None


def _period_label(ctx: ParseContext, sheet: xlrd.sheet.Sheet, header_row: int) -> str:
    """``Period: December 2019`` in the title block -> ``MSitAE-DECEMBER-2019`` (the CSV style)."""
    for r in range(header_row):
        cells = sheet.row(r)
        for c, cell in enumerate(cells):
            if normalise_header(_cell_text(cell) or "") != "period:":
                continue
            at = next((j for j in range(c + 1, len(cells)) if not _is_empty(cells[j])), None)
            match = _PERIOD_PATTERN.match((_cell_text(cells[at]) if at is not None else None) or "")
            try:
                month = datetime.strptime(f"{match[1]} {match[2]}", "%B %Y") if match else None
            except ValueError:
                month = None
            if month is None:
                value = shown(cells[at].value) if at is not None else "nothing"
                raise ctx.error(f"expected a month such as 'December 2019' after 'Period:', found {value}",
                                row=r + 1, column=excel_column_letter(c + 1 if at is None else at))  # fmt: skip
            return f"MSitAE-{month.strftime('%B').upper()}-{month.year}"
    raise ctx.error(
        f"expected a 'Period:' cell naming the month in the title rows above the header (rows 1-{header_row})"
    )


def _headers(sheet: xlrd.sheet.Sheet, header_row: int) -> list[str]:
    """Each column's header: the merged group cell above it (carried right), then its sub-header."""
    group = ""
    headers = []
    for c in range(sheet.ncols):
        above = _cell_text(sheet.cell(header_row - 1, c)) if header_row > 0 else None
        group = above or group
        name = _cell_text(sheet.cell(header_row, c)) or ""
        headers.append(_grouped(group, name) if group and name else name)
    return headers


def _count(ctx: ParseContext, cell: xlrd.sheet.Cell, *, row: int, column: str) -> int | None:
    """A whole number, or a marker such as '-' (NULL, never 0). Empty and other cells are errors."""
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return parse_int(ctx, cell.value, row=row, column=column)
    if cell.ctype == xlrd.XL_CELL_TEXT and cell.value.strip() in SUPPRESSION_MARKERS:
        return None
    if cell.ctype == xlrd.XL_CELL_TEXT and _INT_TEXT.match(cell.value.strip()):
        return int(cell.value.strip())
    found = "an empty cell" if _is_empty(cell) else shown(cell.value)
    raise ctx.error(f"expected a whole number or '-', found {found}", row=row, column=column)


def _parse_workbook(ctx: ParseContext, path: Path) -> pd.DataFrame:
    if Path(path).stat().st_size == 0:
        raise ctx.error("the file is empty: expected an .xls workbook")
    try:
        # formatting_info: to know which columns are hidden; xlrd's warnings go nowhere (parsers are pure)
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error ... for a damaged file
        raise ctx.error(
            f"expected an .xls workbook, could not open it ({type(exc).__name__}: {exc})"
        ) from None
    try:
        if WORKBOOK_SHEET not in book.sheet_names():
            raise ctx.error(f"expected a sheet named {WORKBOOK_SHEET!r}, found sheets {book.sheet_names()}")
        return _parse_provider_sheet(ctx, book.sheet_by_name(WORKBOOK_SHEET))
    finally:
        book.release_resources()


def _parse_provider_sheet(ctx: ParseContext, sheet: xlrd.sheet.Sheet) -> pd.DataFrame:
    header_row = _find_header(sheet)
    if header_row is None or header_row == 0:
        raise ctx.error(f"expected a header row with 'Code' and 'Name' below a row of group headings "
                        f"in the first {HEADER_SEARCH_ROWS} rows, found none")  # fmt: skip
    period_label = _period_label(ctx, sheet, header_row)
    headers = _headers(sheet, header_row)
    index = map_header(
        ctx, headers, WORKBOOK_COLUMNS, row=header_row + 1, ignored=WORKBOOK_IGNORED, unknown_ok=True
    )
    # Columns are named in errors by letter and header, e.g. "M (A&E attendances greater than ... | Type 1 ...)".
    labels = {c: f"{excel_column_letter(c)} ({name})" if name else excel_column_letter(c)
              for c, name in enumerate(headers)}  # fmt: skip
    ignored = {normalise_header(name) for name in WORKBOOK_IGNORED}
    for c, name in enumerate(headers):
        if name and c not in index.values() and normalise_header(name) not in ignored:
            expected = ", ".join(repr(column.aliases[0]) for column in WORKBOOK_COLUMNS)
            raise ctx.error(f"unexpected column {name!r}: expected {expected} and the totals and percentages",
                            row=header_row + 1, column=labels[c])  # fmt: skip
    # A column without a header must be empty, unless the sheet hides it (the STP name column).
    unheaded = [c for c, name in enumerate(headers) if not name]
    hidden = {c for c in unheaded if (info := sheet.colinfo_map.get(c)) is not None and info.hidden}

    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    for r in range(header_row + 1, sheet.nrows):
        cells = sheet.row(r)
        if all(_is_empty(cell) for cell in cells):
            continue
        row = r + 1
        for c in unheaded:
            if c not in hidden and not _is_empty(cells[c]):
                raise ctx.error(f"a column without a header holds {shown(cells[c].value)}",
                                row=row, column=labels[c])  # fmt: skip
        text = {}
        for name in ("org_code", "parent_org", "org_name"):
            cell = cells[index[name]]
            if cell.ctype != xlrd.XL_CELL_TEXT or _is_empty(cell):
                raise ctx.error(f"expected text, found {shown(cell.value) if not _is_empty(cell) else 'a blank'}",
                                row=row, column=labels[index[name]])  # fmt: skip
            text[name] = _cell_text(cell)
        total = text["org_code"] == _ENGLAND_CODE
        if total and normalise_header(text["org_name"]) != "england":
            raise ctx.error(f"code '-' marks the England row, but the name is {shown(text['org_name'])}",
                            row=row, column=labels[index["org_name"]])  # fmt: skip
        for name, value in text.items():
            values[name].append(value)
        values["is_total_row"].append(total)
        for column in COUNT_COLUMNS:
            position = index.get(column.output)
            values[column.output].append(
                None if position is None else _count(ctx, cells[position], row=row, column=labels[position])
            )
        values["source_row"].append(row)

    require_data(ctx, values["source_row"], "provider rows below the header")
    totals = [row for row, total in zip(values["source_row"], values["is_total_row"], strict=True) if total]
    if len(totals) != 1:
        raise ctx.error(f"expected one England row (code '-', name 'England'), found {len(totals)}"
                        + (f" (rows {totals})" if totals else ""))  # fmt: skip
    values["period_label"] = [period_label] * len(values["source_row"])
    return build_frame({name: (KINDS[name], values[name]) for name in OUTPUT_COLUMNS})
