"""CSV files a spreadsheet can open safely.

A text cell starting with ``= + - @`` (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is run as a formula by Excel, LibreOffice and Google Sheets: a published
organisation name such as ``=HYPERLINK(...)`` would become a live link. Such cells get a leading
apostrophe, which spreadsheets show as text (OWASP "CSV injection"). Numbers stay numbers: a
negative value is data, not a formula.
"""

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def protect_cell(value: object) -> object:
    """The value to write: text that a spreadsheet would read as a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text in ("nan", "NaT", "<NA>"):
        return ""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write ``rows`` (mappings) with a header of ``columns``; returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([protect_cell(c) for c in columns])
        for row in rows:
            writer.writerow([protect_cell(_plain(row.get(c))) for c in columns])
            count += 1
    return count


def _plain(value: object) -> object:
    """numpy and pandas scalars as plain Python values (so floats round-trip exactly)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value
