"""Helpers shared by the publisher parsers: errors, decoding, CSV records, cell parsing, frame building.

Parsers are pure: a file goes in, a DataFrame comes out. Anything unexpected raises
:class:`ParseError` naming the source, the file, the row a person sees when opening the file
(``source_row``) and/or the column, and what was expected versus what was found.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

# Suppression / not-available markers used by NHS publishers. In numeric columns they mean "no
# value" (null), never zero.
SUPPRESSION_MARKERS = frozenset({"*", "-", "..", "c", "x", "X", "TFP"})

# ODS organisation codes: trusts R.. (3), new 5-character codes (G6V2S), sites and independent providers
# (5); succ.csv also holds practices (6) and a few 9-character codes.
ODS_CODE_PATTERN = re.compile(r"^[A-Z0-9]{3,9}$")
TRUST_CODE_PATTERN = re.compile(r"^[A-Z0-9]{3,5}$")

_MAX_SHOWN = 60
_INT_PATTERN = re.compile(r"^[+-]?\d+(\.0*)?$")
_THOUSANDS_INT_PATTERN = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_FLOAT_PATTERN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_HMM_PATTERN = re.compile(r"^(-?)(\d+):([0-5]\d)$")


class ParseError(ValueError):
    """A file could not be parsed into its raw table; the message says where and why."""

    def __init__(
        self,
        source_id: str,
        file_name: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source_id = source_id
        self.file_name = file_name
        self.message = message
        self.row = row
        self.column = column
        where = [f"{source_id}: {file_name}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")

    def __reduce__(self):  # keep the exception picklable (Dagster ships errors between processes)
        return (_rebuild_parse_error, (self.source_id, self.file_name, self.message, self.row, self.column))


def _rebuild_parse_error(source_id, file_name, message, row, column) -> ParseError:
    return ParseError(source_id, file_name, message, row=row, column=column)


def shown(value: object) -> str:
    """A cell value as quoted in an error message (repr, truncated)."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


@dataclass(frozen=True)
class ParseContext:
    """Who is being parsed: every error raised through it names the source and the file."""

    source_id: str
    file_name: str

    @classmethod
    def for_path(cls, source_id: str, path: Path) -> "ParseContext":
        return cls(source_id, Path(path).name)

    def error(self, message: str, *, row: int | None = None, column: str | None = None) -> ParseError:
        return ParseError(self.source_id, self.file_name, message, row=row, column=column)


# --------------------------------------------------------------------------------------------------
# Text and names


def snake_case(text: str) -> str:
    """``'A&E attendances Type 1'`` -> ``'a_e_attendances_type_1'``; ``'PROVIDER NAME'`` -> ``'provider_name'``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(text).strip())
    text = re.sub(r"[^0-9A-Za-z]+", "_", text)
    return text.strip("_").lower()


def normalise_header(text: object) -> str:
    """Header comparison key: case, surrounding space, runs of spaces/underscores do not matter."""
    return re.sub(r"[\s_]+", " ", str(text if text is not None else "").replace("\ufeff", "")).strip().lower()


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


def clean_text(value: object) -> str | None:
    """Strip surrounding whitespace; blank becomes None."""
    if is_blank(value):
        return None
    return str(value).strip()


def excel_column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letter (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --------------------------------------------------------------------------------------------------
# Decoding and CSV records


def decode_utf8(ctx: ParseContext, data: bytes, *, first_line: int = 1) -> str:
    """Decode UTF-8 (a leading BOM is dropped); undecodable bytes raise naming the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data[: exc.start].count(b"\n")
        raise ctx.error(
            f"expected UTF-8 text, found undecodable byte 0x{data[exc.start]:02X} (byte offset {exc.start})",
            row=line,
        ) from None
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class Record:
    line: int  # 1-based physical line on which the CSV record starts
    fields: list[str]

    @property
    def blank(self) -> bool:
        return all(field.strip() == "" for field in self.fields)


def read_csv_records(ctx: ParseContext, text: str) -> list[Record]:
    """Split CSV text into records, remembering the line each starts on (CRLF or LF)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[Record] = []
    start = 1
    try:
        for fields in reader:
            records.append(Record(start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ctx.error(f"not valid CSV: {exc}", row=start) from None
    return records


def read_csv_file(ctx: ParseContext, path: Path) -> list[Record]:
    data = Path(path).read_bytes()
    if not data.strip():
        raise ctx.error("the file is empty: expected a CSV with data rows")
    return read_csv_records(ctx, decode_utf8(ctx, data))


def read_xlsx_sheets(ctx: ParseContext, path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of an xlsx workbook as cells (no header row, no type guessing).

    ``keep_default_na=False``: text such as "NA" or "n/a" stays text; only empty cells are blank.
    """
    if Path(path).stat().st_size == 0:
        raise ctx.error("the file is empty: expected an xlsx workbook")
    try:
        return pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, engine="openpyxl", keep_default_na=False
        )
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ctx.error(
            f"expected an xlsx workbook, could not open it ({type(exc).__name__}: {exc})"
        ) from None


def drop_blank_records(records: Iterable[Record]) -> list[Record]:
    """Records whose every field is blank hold no data (e.g. ``,,,,`` spacer lines)."""
    return [record for record in records if not record.blank]


def require_data(ctx: ParseContext, records: Sequence[object], what: str = "data rows") -> None:
    if not records:
        raise ctx.error(f"expected at least one of the {what}, found none")


@dataclass(frozen=True)
class HeaderColumn:
    output: str  # raw-table column name
    aliases: tuple[str, ...]  # accepted published header names (compared with normalise_header)
    required: bool = True


def map_header(
    ctx: ParseContext,
    header: Sequence[str],
    columns: Sequence[HeaderColumn],
    *,
    row: int,
    ignored: Iterable[str] = (),
    unknown_ok: bool = False,
) -> dict[str, int]:
    """Map output column -> field index. Unknown or missing columns raise naming expected names.

    ``unknown_ok`` lets unknown columns through (the caller must then check their values are all
    blank); ``ignored`` names published columns that are known and deliberately dropped.
    """
    lookup: dict[str, HeaderColumn] = {}
    for column in columns:
        for alias in column.aliases:
            lookup[normalise_header(alias)] = column
    ignored_keys = {normalise_header(name) for name in ignored}
    found: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for index, name in enumerate(header):
        key = normalise_header(name)
        if key in ignored_keys:
            continue
        column = lookup.get(key)
        if column is None:
            unknown.append((index, str(name).strip()))
            continue
        if column.output in found:
            raise ctx.error(
                f"column {str(name).strip()!r} appears twice (columns {found[column.output] + 1} and {index + 1})",
                row=row,
                column=str(name).strip(),
            )
        found[column.output] = index
    unknown_names = [name for _, name in unknown if name]
    for column in columns:
        if column.required and column.output not in found:
            names = " or ".join(repr(alias) for alias in column.aliases)
            hint = f" (unknown columns found: {unknown_names})" if unknown_names else ""
            raise ctx.error(
                f"required column {column.aliases[0]!r} is missing: expected a header named {names}{hint}; "
                f"header found: {[str(h).strip() for h in header]}",
                row=row,
                column=column.aliases[0],
            )
    if unknown and not unknown_ok:
        index, name = unknown[0]
        expected = ", ".join(repr(c.aliases[0]) for c in columns)
        raise ctx.error(
            f"unexpected column {name!r} (column {index + 1}): expected only {expected}",
            row=row,
            column=name or f"#{index + 1}",
        )
    return found


# --------------------------------------------------------------------------------------------------
# Cell parsing. Each returns a Python value or None and raises ParseError naming row and column.


def parse_int(
    ctx: ParseContext, value: object, *, row: int, column: str, markers_ok: bool = True
) -> int | None:
    """Whole number; blank (and, when ``markers_ok``, a suppression marker) -> None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ctx.error(f"expected a whole number, found {shown(value)}", row=row, column=column)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ctx.error(f"expected a whole number, found {shown(value)}", row=row, column=column)
    text = str(value).strip()
    if markers_ok and text in SUPPRESSION_MARKERS:
        return None
    if _INT_PATTERN.match(text):
        return int(text.split(".")[0])
    if _THOUSANDS_INT_PATTERN.match(text):
        return int(text.replace(",", ""))
    expected = (
        "a whole number, a blank or a suppression marker" if markers_ok else "a whole number or a blank"
    )
    raise ctx.error(f"expected {expected}, found {shown(value)}", row=row, column=column)


def parse_float(
    ctx: ParseContext, value: object, *, row: int, column: str, markers_ok: bool = True
) -> float | None:
    """Decimal number; blank (and, when ``markers_ok``, a suppression marker) -> None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ctx.error(f"expected a number, found {shown(value)}", row=row, column=column)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if markers_ok and text in SUPPRESSION_MARKERS:
        return None
    if _FLOAT_PATTERN.match(text):
        return float(text)
    if _THOUSANDS_INT_PATTERN.match(text):
        return float(text.replace(",", ""))
    expected = "a number, a blank or a suppression marker" if markers_ok else "a number or a blank"
    raise ctx.error(f"expected {expected}, found {shown(value)}", row=row, column=column)


def hmm_to_minutes(text: str) -> float | None:
    """``'2:25'`` -> 145.0, ``'-1:47'`` -> -107.0; anything else -> None."""
    match = _HMM_PATTERN.match(text.strip())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes)
    return float(-total if sign else total)


def parse_yyyymmdd(ctx: ParseContext, value: object, *, row: int, column: str) -> datetime | None:
    """ODS ``YYYYMMDD`` date; blank -> None."""
    if is_blank(value):
        return None
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{8}", text):
            raise ValueError
        return datetime.strptime(text, "%Y%m%d")
    except ValueError:
        raise ctx.error(
            f"expected a date as YYYYMMDD, found {shown(value)}", row=row, column=column
        ) from None


def looks_like_ods_code(value: str, *, trust: bool = False) -> bool:
    pattern = TRUST_CODE_PATTERN if trust else ODS_CODE_PATTERN
    return bool(pattern.match(value.strip()))


def release_date(ctx: ParseContext, value: date | None, field: str) -> pd.Timestamp:
    if value is None:
        raise ctx.error(f"the release in sources.yml must declare {field} for this source; it is missing")
    return pd.Timestamp(value)


def release_text(ctx: ParseContext, value: str | None, field: str) -> str:
    if not value:
        raise ctx.error(f"the release in sources.yml must declare {field} for this source; it is missing")
    return value


# --------------------------------------------------------------------------------------------------
# Frame building: exact columns, exact dtypes.

DATE_DTYPE = "datetime64[us]"


def text_series(values: Sequence[object]) -> pd.Series:
    return pd.Series([clean_text(v) for v in values], dtype="str")


def build_frame(columns: dict[str, tuple[str, Sequence[object]]]) -> pd.DataFrame:
    """``{name: (kind, values)}`` with kind in text/raw_text/int/row/float/bool/date -> typed frame."""
    converters: dict[str, Callable[[Sequence[object]], pd.Series]] = {
        "text": text_series,
        "raw_text": lambda v: pd.Series(list(v), dtype="str"),
        "int": lambda v: pd.Series(list(v), dtype="Int64"),
        "row": lambda v: pd.Series(list(v), dtype="int64"),
        "float": lambda v: pd.Series(list(v), dtype="Float64"),
        "bool": lambda v: pd.Series(list(v), dtype="bool"),
        "date": lambda v: pd.Series([pd.NaT if x is None else pd.Timestamp(x) for x in v], dtype=DATE_DTYPE),
    }
    data = {name: converters[kind](values) for name, (kind, values) in columns.items()}
    frame = pd.DataFrame(data)
    return frame.reset_index(drop=True)
