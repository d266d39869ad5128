"""HSCIC SHMI trust-level CSV (Indicator Portal, October 2011 to April 2014 releases).

Quirks handled: header ``PROVIDER NAME`` (to 2012-04) versus ``PROVIDER_NAME``; the extra
``PO_BANDING`` column of 2011-10; CRLF line ends; from 2013-04 a Windows-1252 copyright footer
(the last line, starting ``"Copyright``), which is the only line allowed not to be UTF-8 and the
only non-blank line dropped; ``,,,,`` spacer lines (no data) before it.
"""

from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    build_frame,
    decode_utf8,
    drop_blank_records,
    map_header,
    parse_float,
    parse_int,
    read_csv_records,
    release_date,
    release_text,
    require_data,
)
from orchestration.sources import Release

COLUMNS = (
    HeaderColumn("indicator_code", ("INDICATOR_CODE",)),
    HeaderColumn("provider_code", ("PROVIDER", "PROVIDER_CODE")),
    HeaderColumn("provider_name", ("PROVIDER_NAME",)),  # 'PROVIDER NAME' normalises to the same key
    HeaderColumn("spells", ("DENOMINATOR",)),
    HeaderColumn("observed_deaths", ("OBSERVED",)),
    HeaderColumn("expected_deaths", ("EXPECTED",)),
    HeaderColumn("shmi_value", ("VALUE",)),
    HeaderColumn("po_lower_998", ("PO_LL",)),
    HeaderColumn("po_upper_998", ("PO_UL",)),
    HeaderColumn("po_banding", ("PO_BANDING",), required=False),
    HeaderColumn("od_lower_95", ("OD_LL",)),
    HeaderColumn("od_upper_95", ("OD_UL",)),
    HeaderColumn("od_banding", ("OD_BANDING",)),
)
_TEXT = ("indicator_code", "provider_code", "provider_name")
_INT = ("spells", "observed_deaths", "po_banding", "od_banding")
_FLOAT = ("expected_deaths", "shmi_value", "po_lower_998", "po_upper_998", "od_lower_95", "od_upper_95")
OUTPUT_COLUMNS = (
    "indicator_code", "provider_code", "provider_name", "spells", "observed_deaths", "expected_deaths",
    "shmi_value", "po_lower_998", "po_upper_998", "po_banding", "od_lower_95", "od_upper_95",
    "od_banding", "period_start", "period_end", "period_label", "source_row",
)  # fmt: skip


def _strip_copyright_footer(data: bytes) -> bytes:
    """Drop the final line if (and only if) it starts with ``"Copyright`` / ``Copyright``."""
    body = data.rstrip(b"\r\n")
    cut = body.rfind(b"\n")
    last = body[cut + 1 :]
    if last.lstrip().startswith((b'"Copyright', b"Copyright")):
        # The footer is Windows-1252 in the real files; it is discarded whatever its encoding.
        return body[: cut + 1]
    return data


def parse_shmi(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    data = Path(path).read_bytes()
    if not data.strip():
        raise ctx.error("the file is empty: expected the SHMI CSV header and one row per trust")
    body = _strip_copyright_footer(data)
    records = read_csv_records(ctx, decode_utf8(ctx, body))
    records = drop_blank_records(records)
    require_data(ctx, records, "header row")
    header, rows = records[0], records[1:]
    index = map_header(ctx, header.fields, COLUMNS, row=header.line)
    require_data(ctx, rows, "trust rows below the header")

    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    period_label = release_text(ctx, release.period_label, "period_label")

    width = len(header.fields)
    values: dict[str, list] = {name: [] for name in index}
    for record in rows:
        if len(record.fields) != width:
            raise ctx.error(
                f"expected {width} fields as in the header, found {len(record.fields)}", row=record.line
            )
        for name, position in index.items():
            raw = record.fields[position]
            column = header.fields[position].strip()
            if name in _INT:
                values[name].append(parse_int(ctx, raw, row=record.line, column=column))
            elif name in _FLOAT:
                values[name].append(parse_float(ctx, raw, row=record.line, column=column))
            else:
                values[name].append(raw)
    n = len(rows)
    columns: dict[str, tuple[str, list]] = {}
    for name in OUTPUT_COLUMNS:
        if name in _TEXT:
            columns[name] = ("text", values[name])
        elif name in _INT:
            columns[name] = ("int", values.get(name, [None] * n))
        elif name in _FLOAT:
            columns[name] = ("float", values[name])
    columns["period_start"] = ("date", [period_start] * n)
    columns["period_end"] = ("date", [period_end] * n)
    columns["period_label"] = ("text", [period_label] * n)
    columns["source_row"] = ("row", [record.line for record in rows])
    frame = build_frame({name: columns[name] for name in OUTPUT_COLUMNS})
    return frame
