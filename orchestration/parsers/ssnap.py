"""SSNAP thrombectomy workbook: wide sheets (teams as columns, measures as rows) turned long.

Layout (found, not hard-coded): a header row holding ``Category``, ``Items``, ``Data Type`` and
``National``; the two rows above it give each team column's network/ISDN/region and its trust or
health board; the header row itself names the team. Category and Items are forward-filled (Items
restarts with each new Category); Data Type is stripped. Values are numbers, ``h:mm`` times (some
negative, e.g. ``-1:47``), blanks or text: the cell is kept as published in ``value_text`` and
``value_numeric`` holds the number (times in minutes), or null for blanks, suppression markers and
other text. Sheets without such a header row (``Cover``) are skipped.
"""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    SUPPRESSION_MARKERS,
    ParseContext,
    build_frame,
    clean_text,
    excel_column_letter,
    hmm_to_minutes,
    is_blank,
    normalise_header,
    read_xlsx_sheets,
    release_date,
    release_text,
    shown,
)
from orchestration.sources import Release

HEADER_LABELS = {"category": "Category", "items": "Items", "data type": "Data Type", "national": "National"}
HEADER_SEARCH_ROWS = 30
CONDUCTING = "conducting_team"
FIRST_ADMITTING = "first_admitting_team"
OUTPUT_COLUMNS = (
    "sheet", "report_basis", "network_name", "trust_name", "team_name", "is_national", "category", "item",
    "data_type", "value_text", "value_numeric", "period_start", "period_end", "period_label",
    "source_row", "source_column",
)  # fmt: skip
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _find_header(sheet: pd.DataFrame) -> tuple[int, dict[str, int]] | None:
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet))):
        positions: dict[str, int] = {}
        for col in range(sheet.shape[1]):
            key = normalise_header(sheet.iat[row, col]) if not is_blank(sheet.iat[row, col]) else ""
            if key in HEADER_LABELS and key not in positions:
                positions[key] = col
        if len(positions) == len(HEADER_LABELS):
            return row, positions
    return None


def _report_basis(ctx: ParseContext, sheet_name: str, sheet: pd.DataFrame, header_row: int) -> str:
    texts = [
        str(sheet.iat[r, c]).lower()
        for r in range(header_row)
        for c in range(min(4, sheet.shape[1]))
        if not is_blank(sheet.iat[r, c])
    ]
    joined = " ".join(texts)
    if "first admitting" in joined:
        return FIRST_ADMITTING
    if "conducting" in joined:
        return CONDUCTING
    name = sheet_name.lower()
    if "transfer" in name:
        return FIRST_ADMITTING
    if "centre" in name or name == "data":
        return CONDUCTING
    raise ctx.error(
        f"sheet {sheet_name!r}: cannot tell the report basis: expected 'Based on the team conducting ...' "
        "or '... first admitting ...' above the header row, or a sheet named like 'Thrombectomy centres', "
        "'Thrombectomy transfers' or 'Data'",
        row=header_row + 1,
    )


def _value(cell: object) -> tuple[str | None, float | None]:
    """(value_text as published, value_numeric)."""
    if is_blank(cell):
        return None, None
    if isinstance(cell, bool):
        return str(cell), None
    if isinstance(cell, int | float):
        return str(cell), float(cell)
    if isinstance(cell, time):  # an Excel cell formatted as a time
        minutes = cell.hour * 60 + cell.minute + cell.second / 60
        return f"{cell.hour}:{cell.minute:02d}", float(minutes)
    if isinstance(cell, timedelta):
        minutes = cell.total_seconds() / 60
        sign = "-" if minutes < 0 else ""
        whole = int(abs(minutes))
        return f"{sign}{whole // 60}:{whole % 60:02d}", float(minutes)
    if isinstance(cell, datetime):
        return cell.isoformat(), None
    text = str(cell).strip()
    if text in SUPPRESSION_MARKERS:
        return text, None
    minutes = hmm_to_minutes(text)
    if minutes is not None:
        return text, minutes
    if _NUMBER.match(text):
        return text, float(text)
    return text, None


def _parse_sheet(
    ctx: ParseContext, sheet_name: str, sheet: pd.DataFrame, header_row: int, positions: dict[str, int],
    out: dict[str, list],
) -> int:  # fmt: skip
    basis = _report_basis(ctx, sheet_name, sheet, header_row)
    cat_col, item_col, type_col, nat_col = (
        positions[k] for k in ("category", "items", "data type", "national")
    )
    label_cols = {cat_col, item_col, type_col, nat_col}

    teams: list[tuple[int, str | None, str | None, str]] = []  # (column, network, trust, team)
    for col in range(max(label_cols) + 1, sheet.shape[1]):
        team = clean_text(sheet.iat[header_row, col])
        if team is None:
            if not all(is_blank(v) for v in sheet.iloc[header_row + 1 :, col]):
                raise ctx.error(
                    f"sheet {sheet_name!r}: a column holds values but has no team name in the header row",
                    row=header_row + 1,
                    column=excel_column_letter(col),
                )
            continue
        network = clean_text(sheet.iat[header_row - 2, col]) if header_row >= 2 else None
        trust = clean_text(sheet.iat[header_row - 1, col]) if header_row >= 1 else None
        teams.append((col, network, trust, team))

    value_cols = [(nat_col, None, None, None), *teams]
    category: str | None = None
    item: str | None = None
    emitted = 0
    for row in range(header_row + 1, len(sheet)):
        source_row = row + 1
        new_category = clean_text(sheet.iat[row, cat_col])
        if new_category is not None:
            category, item = new_category, None
        new_item = clean_text(sheet.iat[row, item_col])
        if new_item is not None:
            item = new_item
        data_type = clean_text(sheet.iat[row, type_col])
        cells = [sheet.iat[row, col] for col, *_ in value_cols]
        if all(is_blank(v) for v in cells) and (data_type is None or category is None or item is None):
            continue  # spacer row: nothing to keep
        if category is None or item is None:
            raise ctx.error(
                f"sheet {sheet_name!r}: values found before any Category/Items label",
                row=source_row,
                column=excel_column_letter(cat_col if category is None else item_col),
            )
        if data_type is None:
            raise ctx.error(
                f"sheet {sheet_name!r}: expected a Data Type (n, d, %, median, ...) for a row with values, found a blank",
                row=source_row,
                column=excel_column_letter(type_col),
            )
        for (col, network, trust, team), cell in zip(value_cols, cells, strict=True):
            text, numeric = _value(cell)
            out["sheet"].append(sheet_name)
            out["report_basis"].append(basis)
            out["network_name"].append(network)
            out["trust_name"].append(trust)
            out["team_name"].append(team)
            out["is_national"].append(col == nat_col)
            out["category"].append(category)
            out["item"].append(item)
            out["data_type"].append(data_type)
            out["value_text"].append(text)
            out["value_numeric"].append(numeric)
            out["source_row"].append(source_row)
            out["source_column"].append(excel_column_letter(col))
            emitted += 1
    return emitted


def parse_ssnap_thrombectomy(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    sheets = read_xlsx_sheets(ctx, path)

    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    period_label = release_text(ctx, release.period_label, "period_label")

    out: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    parsed_sheets = []
    for sheet_name, sheet in sheets.items():
        found = _find_header(sheet)
        if found is None:
            continue
        header_row, positions = found
        emitted = _parse_sheet(ctx, str(sheet_name), sheet, header_row, positions, out)
        if emitted == 0:
            raise ctx.error(f"sheet {sheet_name!r}: expected measure rows below the header row, found none",
                            row=header_row + 1)  # fmt: skip
        parsed_sheets.append(sheet_name)
    if not parsed_sheets:
        expected = ", ".join(HEADER_LABELS.values())
        raise ctx.error(
            f"no sheet has a header row with {expected} in its first {HEADER_SEARCH_ROWS} rows; "
            f"sheets found: {shown([str(s) for s in sheets])}"
        )
    n = len(out["sheet"])
    out["period_start"] = [period_start] * n
    out["period_end"] = [period_end] * n
    out["period_label"] = [period_label] * n
    kinds = dict.fromkeys(OUTPUT_COLUMNS, "text")
    kinds |= {
        "is_national": "bool",
        "value_text": "raw_text",
        "value_numeric": "float",
        "period_start": "date",
        "period_end": "date",
        "source_row": "row",
    }
    return build_frame({name: (kinds[name], out[name]) for name in OUTPUT_COLUMNS})
