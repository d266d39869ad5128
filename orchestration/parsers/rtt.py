"""NHS England Referral to Treatment (RTT) waiting times "full extract": one row per provider x
commissioner x RTT part x treatment function, with the number of pathways in each weekly band.

Two containers, one layout (the same header names): the bundled June 2024 copy is an Excel binary
workbook (``.xlsb``, one sheet, read with pyxlsb), and NHS England publishes the full extract as a
zipped CSV (the fetch code extracts the member, so a ``.csv`` arrives here). The file type is taken
from the file name's suffix.

Quirks handled: the bundled copy keeps only the bands from 51 weeks up (the publisher's bands under
51 weeks, ``Gt 00 To 01 Weeks SUM 1`` ..., are known columns, dropped when present); a band with no
pathway is left blank (RTT statistics are not suppressed: ``waits_over_52_weeks`` sums the published
bands from 52 weeks up, a blank counting as none, and is null only when every one of them is blank);
``Total`` and ``Patients with unknown clock start date`` are blank on incomplete-pathway and
new-period rows of the bundled copy (only ``Total All`` is filled there); commissioner parent and
name are blank for national commissioning hubs and ``NONC``. A suppression marker or any other text
in a count column is an error, never a zero.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
from pyxlsb import open_workbook

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    build_frame,
    clean_text,
    drop_blank_records,
    is_blank,
    map_header,
    parse_int,
    read_csv_file,
    release_date,
    require_data,
    shown,
)
from orchestration.parsers.tables import ODS, Code
from orchestration.sources import Release

TEXT_COLUMNS = (
    HeaderColumn("period_label", ("Period",)),
    HeaderColumn("provider_parent_org_code", ("Provider Parent Org Code",)),
    HeaderColumn("provider_parent_name", ("Provider Parent Name",)),
    HeaderColumn("provider_org_code", ("Provider Org Code",)),
    HeaderColumn("provider_org_name", ("Provider Org Name",)),
    HeaderColumn("commissioner_parent_org_code", ("Commissioner Parent Org Code",)),
    HeaderColumn("commissioner_parent_name", ("Commissioner Parent Name",)),
    HeaderColumn("commissioner_org_code", ("Commissioner Org Code",)),
    HeaderColumn("commissioner_org_name", ("Commissioner Org Name",)),
    HeaderColumn("rtt_part_type", ("RTT Part Type",)),
    HeaderColumn("rtt_part_description", ("RTT Part Description",)),
    HeaderColumn("treatment_function_code", ("Treatment Function Code",)),
    HeaderColumn("treatment_function_name", ("Treatment Function Name",)),
)


def _band(low: int) -> str:
    return f"Gt {low:02d} To {low + 1:02d} Weeks SUM 1"


# Bands summed into waits_over_52_weeks: more than 52 weeks, up to the open-ended band.
OVER_52_BANDS = (*(HeaderColumn(f"band_{w}", (_band(w),)) for w in range(52, 104)),
                 HeaderColumn("band_104_plus", ("Gt 104 Weeks SUM 1",)))  # fmt: skip
BAND_51_52 = HeaderColumn("gt_51_to_52_weeks", (_band(51),))
TOTAL_COLUMNS = (
    HeaderColumn("total", ("Total",)),
    HeaderColumn("patients_with_unknown_clock_start", ("Patients with unknown clock start date",)),
    HeaderColumn("total_all", ("Total All",)),
)
COLUMNS = (*TEXT_COLUMNS, BAND_51_52, *OVER_52_BANDS, *TOTAL_COLUMNS)
# The publisher's bands under 51 weeks (absent from the bundled subset): known, not kept. Both the
# zero-padded spelling the publisher uses (Gt 00 To 01) and an unpadded one are accepted.
IGNORED = tuple(
    dict.fromkeys(name for w in range(51) for name in (_band(w), f"Gt {w} To {w + 1} Weeks SUM 1"))
)
COUNT_OUTPUTS = (
    "gt_51_to_52_weeks", "waits_over_52_weeks", "total", "patients_with_unknown_clock_start", "total_all",
)  # fmt: skip
OUTPUT_COLUMNS = ("period_label", "period_start", "period_end", *(c.output for c in TEXT_COLUMNS[1:]),
                  *COUNT_OUTPUTS, "source_row")  # fmt: skip

CODES = {
    "provider_parent_org_code": ODS,
    "provider_org_code": ODS,
    "commissioner_parent_org_code": Code(ODS.pattern, ODS.what, nullable=True),
    "commissioner_org_code": ODS,
}
OPTIONAL_TEXT = frozenset({"commissioner_parent_name", "commissioner_org_name"})
_PERIOD = re.compile(r"^RTT-([A-Za-z]+)-(\d{4})$")

Rows = Iterable[tuple[int, Sequence[object]]]  # (row number a person sees, cells)


def _csv_rows(ctx: ParseContext, path: Path) -> tuple[int, list[str], Rows]:
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, data = records[0], records[1:]
    require_data(ctx, data, "rows below the header")
    return header.line, header.fields, ((record.line, record.fields) for record in data)


def _xlsb_rows(ctx: ParseContext, path: Path) -> tuple[int, list[str], Rows]:
    try:
        with open_workbook(str(path)) as workbook:
            sheets = list(workbook.sheets)
            with workbook.get_sheet(sheets[0]) as sheet:
                rows = [
                    (cells[0].r + 1, [cell.v for cell in cells]) for cells in sheet.rows(sparse=True) if cells
                ]
    except Exception as exc:  # pyxlsb raises many types (BadZipFile, KeyError ...) for a damaged file
        raise ctx.error(
            f"expected an xlsb workbook, could not open it ({type(exc).__name__}: {exc})"
        ) from None
    if len(sheets) != 1:
        raise ctx.error(
            f"expected a workbook with one sheet (the full extract), found sheets {shown(sheets)}"
        )
    rows = [(number, cells) for number, cells in rows if not all(is_blank(v) for v in cells)]
    require_data(ctx, rows, "header row")
    (header_line, header), data = rows[0], rows[1:]
    require_data(ctx, data, "rows below the header")
    return header_line, ["" if is_blank(v) else str(v) for v in header], data


def _period_start(ctx: ParseContext, label: str, *, row: int) -> datetime:
    match = _PERIOD.match(label)
    try:
        if match is None:
            raise ValueError
        return datetime.strptime(f"{match.group(1)} {match.group(2)}", "%B %Y")
    except ValueError:
        raise ctx.error(f"expected a period such as 'RTT-June-2024', found {shown(label)}", row=row,
                        column="Period") from None  # fmt: skip


def _text(ctx: ParseContext, name: str, cell: object, *, row: int, column: str) -> str | None:
    """A stripped text cell; codes must have their shape, and only the optional columns may be blank."""
    if cell is not None and not isinstance(cell, str):
        raise ctx.error(f"expected text, found {type(cell).__name__} {shown(cell)}", row=row, column=column)
    text = clean_text(cell)
    code = CODES.get(name)
    if text is None:
        if name not in OPTIONAL_TEXT and not (code is not None and code.nullable):
            raise ctx.error(
                f"expected {code.what if code else 'a value'}, found a blank", row=row, column=column
            )
    elif code is not None and not code.pattern.match(text):
        raise ctx.error(f"expected {code.what}, found {shown(cell)}", row=row, column=column)
    return text


def _count(ctx: ParseContext, value: object, *, row: int, column: str) -> int | None:
    if value is None:
        return None
    if type(value) is float and value.is_integer():  # the common case in a workbook
        return int(value)
    # RTT publishes no suppression: a marker would change what a blank means, so it is an error.
    return parse_int(ctx, value, row=row, column=column, markers_ok=False)


def parse_rtt_full_extract(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    path = Path(path)
    if path.stat().st_size == 0:
        raise ctx.error("the file is empty: expected the RTT full extract (xlsb workbook or CSV)")
    suffix = path.suffix.lower()
    if suffix == ".xlsb":
        header_line, header, rows = _xlsb_rows(ctx, path)
    elif suffix == ".csv":
        header_line, header, rows = _csv_rows(ctx, path)
    else:
        raise ctx.error(f"expected an .xlsb workbook or a .csv file, found a {suffix or 'suffix-less'} file")
    index = map_header(ctx, header, COLUMNS, row=header_line, ignored=IGNORED)
    labels = {column.output: header[index[column.output]].strip() for column in COLUMNS}
    width = len(header)

    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    periods: set[str] = set()
    for number, cells in rows:
        if suffix == ".csv" and len(cells) != width:
            raise ctx.error(f"expected {width} fields as in the header, found {len(cells)}", row=number)
        if len(cells) > width and not all(is_blank(v) for v in cells[width:]):
            raise ctx.error(
                f"expected {width} columns as in the header, found a value beyond them", row=number
            )
        cells = [*cells, *([None] * (width - len(cells)))]  # a workbook row may end before its blank cells
        for column in TEXT_COLUMNS:
            name = column.output
            text = _text(ctx, name, cells[index[name]], row=number, column=labels[name])
            if name == "period_label" and text not in periods:
                if _period_start(ctx, text, row=number) != period_start:
                    raise ctx.error(
                        f"the file's period {text!r} is not the release's month "
                        f"({period_start:%B %Y}, period_start in sources.yml)",
                        row=number, column=labels[name],
                    )  # fmt: skip
                periods.add(text)
            values[name].append(text)
        bands = [
            _count(ctx, cells[index[c.output]], row=number, column=labels[c.output]) for c in OVER_52_BANDS
        ]
        published = [band for band in bands if band is not None]
        values["waits_over_52_weeks"].append(sum(published) if published else None)
        for column in (BAND_51_52, *TOTAL_COLUMNS):
            name = column.output
            values[name].append(_count(ctx, cells[index[name]], row=number, column=labels[name]))
        values["source_row"].append(number)

    if len(periods) > 1:
        raise ctx.error(f"expected one period in column 'Period', found {sorted(periods)}", column="Period")
    n = len(values["source_row"])
    values["period_start"] = [period_start] * n
    values["period_end"] = [period_end] * n
    kinds = dict.fromkeys(OUTPUT_COLUMNS, "text")
    kinds |= {"period_start": "date", "period_end": "date", "source_row": "row"}
    kinds |= dict.fromkeys(COUNT_OUTPUTS, "int")
    return build_frame({name: (kinds[name], values[name]) for name in OUTPUT_COLUMNS})
