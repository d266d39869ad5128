"""SSNAP Acute Organisational Audit named site results: the ``Key Indicators Summary`` sheet, turned long.

Layout (found, not hard-coded): a label column holds ``ISDN``, ``Trust name``, ``Site name`` and
``Hospital names:`` on consecutive rows, with one site per column to its right (the ISDN, trust or
health board, site name and up to a few hospital names, the last on unlabelled rows). Below, a row
with ``Key indicator`` in column A and ``National Results`` in the label column starts the
indicators: column A holds a section heading (text, no values), a key indicator number (its headline
row, answered Yes / No) or ``Total Key Indicators Achieved``; column B the item; the label column the
national result as published (England, Wales and Northern Ireland together). Rows with a question in
column B and no values (``1.8. Do you have ...``) give the ``question`` of the rows below them.

Sites that do not treat patients in the first 72 hours are given the answer of the site that does,
published as ``At site treating your patients during the first 72h: Yes``: the prefix is removed and
``assigned_from_other_site`` is true. Cells are kept as published in ``value_text`` (``_x000D_``
removed, spaces collapsed); ``value_numeric`` holds numbers only (Yes / No stay text).
"""

import re
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    ParseContext,
    build_frame,
    excel_column_letter,
    is_blank,
    normalise_header,
    read_xlsx_sheets,
    release_date,
    release_text,
    shown,
)
from orchestration.sources import Release

SHEET = "Key Indicators Summary"
HEADER_SEARCH_ROWS = 20
SITE_LABELS = ("isdn", "trust name", "site name", "hospital names:")
ASSIGNED_PREFIX = re.compile(r"^at site treating your patients during the first 72h:\s*", re.IGNORECASE)
TOTAL_LABEL = "total key indicators achieved"
OUTPUT_COLUMNS = (
    "isdn_name", "trust_name", "site_name", "hospital_names", "section", "key_indicator", "row_kind",
    "question", "item", "national_result", "value_text", "value_numeric", "assigned_from_other_site",
    "period_start", "period_end", "period_label", "source_row", "source_column",
)  # fmt: skip
_QUESTION_NUMBER = re.compile(r"^\d+\.\d+")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _text(cell: object) -> str | None:
    """Published text with Excel's ``_x000D_`` escapes removed and whitespace runs collapsed."""
    if is_blank(cell):
        return None
    text = re.sub(r"\s+", " ", str(cell).replace("_x000D_", " ")).strip()
    return text or None


def _find_site_labels(ctx: ParseContext, sheet: pd.DataFrame) -> tuple[int, int]:
    """(row of 'ISDN', label column)."""
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet) - len(SITE_LABELS) + 1)):
        for col in range(min(6, sheet.shape[1])):
            labels = [normalise_header(sheet.iat[row + i, col]) for i in range(len(SITE_LABELS))]
            if tuple(labels) == SITE_LABELS:
                return row, col
    raise ctx.error(
        f"sheet {SHEET!r}: expected the labels ISDN, Trust name, Site name, Hospital names: on consecutive "
        f"rows of one column in the first {HEADER_SEARCH_ROWS} rows, found none"
    )


def _find_results_header(ctx: ParseContext, sheet: pd.DataFrame, start: int, label_col: int) -> int:
    for row in range(start, min(start + HEADER_SEARCH_ROWS, len(sheet))):
        if (
            normalise_header(sheet.iat[row, 0]) == "key indicator"
            and normalise_header(sheet.iat[row, label_col]) == "national results"
        ):
            return row
    raise ctx.error(
        f"sheet {SHEET!r}: expected a row with 'Key indicator' in column A and 'National Results' in column "
        f"{excel_column_letter(label_col)} below the site names, found none",
        row=start + 1,
    )


def _value(cell: object) -> tuple[str | None, float | None, bool]:
    """(value_text, value_numeric, assigned_from_other_site)."""
    if is_blank(cell):
        return None, None, False
    if isinstance(cell, bool):
        return str(cell), None, False
    if isinstance(cell, int | float):
        return str(cell), float(cell), False
    text = _text(cell) or ""
    assigned = bool(ASSIGNED_PREFIX.match(text))
    text = ASSIGNED_PREFIX.sub("", text).strip()
    if not text:
        return None, None, assigned
    return text, (float(text) if _NUMBER.match(text) else None), assigned


def parse_ssnap_org_audit(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    sheets = read_xlsx_sheets(ctx, path)
    if SHEET not in sheets:
        raise ctx.error(f"expected a sheet named {SHEET!r}; sheets found: {shown([str(s) for s in sheets])}")
    sheet = sheets[SHEET]

    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    period_label = release_text(ctx, release.period_label, "period_label")

    isdn_row, label_col = _find_site_labels(ctx, sheet)
    header_row = _find_results_header(ctx, sheet, isdn_row + len(SITE_LABELS), label_col)
    hospital_rows = range(isdn_row + 3, header_row)

    sites: list[tuple[int, str | None, str | None, str, str | None]] = []
    for col in range(label_col + 1, sheet.shape[1]):
        site = _text(sheet.iat[isdn_row + 2, col])
        if site is None:
            if not all(is_blank(v) for v in sheet.iloc[header_row + 1 :, col]):
                raise ctx.error(
                    f"sheet {SHEET!r}: a column holds values but has no site name in the 'Site name' row",
                    row=isdn_row + 3,
                    column=excel_column_letter(col),
                )
            continue
        trust = _text(sheet.iat[isdn_row + 1, col])
        if trust is None:
            raise ctx.error(
                f"sheet {SHEET!r}: site {site!r} has no trust name in the 'Trust name' row",
                row=isdn_row + 2,
                column=excel_column_letter(col),
            )
        hospitals = [h for h in (_text(sheet.iat[r, col]) for r in hospital_rows) if h is not None]
        sites.append((col, _text(sheet.iat[isdn_row, col]), trust, site, "; ".join(hospitals) or None))
    if not sites:
        raise ctx.error(f"sheet {SHEET!r}: expected site columns right of the labels, found none",
                        row=isdn_row + 3)  # fmt: skip

    out: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    section: str | None = None
    key_indicator: int | None = None
    question: str | None = None
    for row in range(header_row + 1, len(sheet)):
        source_row = row + 1
        first = sheet.iat[row, 0]
        item_text = _text(sheet.iat[row, 1])
        cells = [sheet.iat[row, col] for col, *_ in sites]
        has_values = not all(is_blank(v) for v in cells)
        if isinstance(first, int | float) and not isinstance(first, bool) and not is_blank(first):
            if float(first) != int(first) or not 1 <= int(first) <= 20:
                raise ctx.error(f"expected a key indicator number 1-20 in column A, found {shown(first)}",
                                row=source_row, column="A")  # fmt: skip
            key_indicator, question, kind, item = int(first), None, "key_indicator", item_text
        elif _text(first) is not None:
            label = _text(first) or ""
            if label.lower().startswith(TOTAL_LABEL):
                key_indicator, question, kind, item = None, None, "total", label
            elif not has_values and item_text is None:
                section, key_indicator, question = label, None, None
                continue
            else:
                raise ctx.error(
                    f"expected a section heading (no values), a key indicator number or {TOTAL_LABEL!r} in "
                    f"column A, found {shown(label)} on a row with values",
                    row=source_row,
                    column="A",
                )
        elif item_text is None:
            if has_values:
                raise ctx.error("a row holds site values but has no item in column B",
                                row=source_row, column="B")  # fmt: skip
            continue
        elif not has_values:
            question = item_text
            continue
        else:
            if key_indicator is None:
                raise ctx.error("values found before any key indicator row", row=source_row, column="B")
            kind, item = "supporting", item_text
            if _QUESTION_NUMBER.match(item_text):
                question = None  # an audit question answered directly (``6.1. Do you have ...``)
        if item is None:
            raise ctx.error(
                "expected the indicator text in column B, found a blank", row=source_row, column="B"
            )
        national = _text(sheet.iat[row, label_col])
        for (col, isdn, trust, site, hospitals), cell in zip(sites, cells, strict=True):
            text, numeric, assigned = _value(cell)
            out["isdn_name"].append(isdn)
            out["trust_name"].append(trust)
            out["site_name"].append(site)
            out["hospital_names"].append(hospitals)
            out["section"].append(section)
            out["key_indicator"].append(key_indicator)
            out["row_kind"].append(kind)
            out["question"].append(question)
            out["item"].append(item)
            out["national_result"].append(national)
            out["value_text"].append(text)
            out["value_numeric"].append(numeric)
            out["assigned_from_other_site"].append(assigned)
            out["source_row"].append(source_row)
            out["source_column"].append(excel_column_letter(col))
    if not out["item"]:
        raise ctx.error(f"sheet {SHEET!r}: expected indicator rows below the header row, found none",
                        row=header_row + 1)  # fmt: skip
    n = len(out["item"])
    out["period_start"] = [period_start] * n
    out["period_end"] = [period_end] * n
    out["period_label"] = [period_label] * n
    kinds = dict.fromkeys(OUTPUT_COLUMNS, "text")
    kinds |= {
        "key_indicator": "int",
        "value_text": "raw_text",
        "value_numeric": "float",
        "assigned_from_other_site": "bool",
        "period_start": "date",
        "period_end": "date",
        "source_row": "row",
    }
    return build_frame({name: (kinds[name], out[name]) for name in OUTPUT_COLUMNS})
