"""A table-driven parser for simple reference tables: one header row (or known positions), one row per
record, a few code, date and release-stamped columns.

Most reference files differ only in their header names, which columns are codes of a known shape,
which are dates, and which columns come from the release in sources.yml (``lookup_date``,
``period_label`` ...). A :class:`TableLayout` declares exactly that; :func:`parse_table_rows` turns
the header (or positions) and the rows into the raw-table frame, raising :class:`ParseError` naming
file, row and column for anything unexpected.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    ODS_CODE_PATTERN,
    HeaderColumn,
    ParseContext,
    Record,
    build_frame,
    clean_text,
    drop_blank_records,
    map_header,
    parse_yyyymmdd,
    read_csv_file,
    release_date,
    release_text,
    require_data,
    shown,
)
from orchestration.sources import Release

# Shapes checked while parsing. The GX suite then checks each column's exact pattern (E38 vs E54 ...):
# here we only refuse what cannot be a code at all (blank where required, spaces, lower case, stray text).
ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
ODS_CODE = ODS_CODE_PATTERN  # 3 to 9 capital letters or digits

# Release fields a layout may stamp on every row: release field -> column kind.
_RELEASE_FIELDS = {"period_start": "date", "period_end": "date", "period_label": "text"}


@dataclass(frozen=True)
class Code:
    """A code column: the shape every value must have, and whether a blank is allowed."""

    pattern: re.Pattern[str]
    what: str  # e.g. "an ONS code (E38 + 6 digits)" for messages
    nullable: bool = False


ONS = Code(ONS_CODE, "an ONS code (a capital letter and 8 digits, e.g. E54000028)")
ONS_OR_BLANK = Code(ONS_CODE, ONS.what, nullable=True)
ODS = Code(ODS_CODE, "an ODS code (3 to 9 capital letters or digits)")
# Reference lookups stamp each row with the release's date and label.
LOOKUP_STAMPS = {"lookup_date": "period_start", "lookup_label": "period_label"}


@dataclass(frozen=True)
class TableLayout:
    """What one reference table looks like.

    ``columns``: the data columns in raw-table order, each with the header names it is published under.
    ``ignored``: published columns that are known and deliberately dropped (row ids, addresses ...).
    ``codes``: output column -> :class:`Code` shape. ``dates``: output columns holding ODS
    ``YYYYMMDD`` dates. ``required``: text columns that must not be blank. ``release_columns``:
    output column -> release field (``period_start``, ``period_end``, ``period_label``), appended
    after the data columns and before ``source_row``.
    """

    columns: tuple[HeaderColumn, ...]
    ignored: tuple[str, ...] = ()
    codes: Mapping[str, Code] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    release_columns: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [column.output for column in self.columns]
        unknown = (set(self.codes) | set(self.dates) | set(self.required)) - set(names)
        if unknown:
            raise ValueError(f"layout refers to columns it does not declare: {sorted(unknown)}")
        bad = {name: value for name, value in self.release_columns.items() if value not in _RELEASE_FIELDS}
        if bad:
            raise ValueError(f"release_columns must map to one of {sorted(_RELEASE_FIELDS)}: {bad}")

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (*(c.output for c in self.columns), *self.release_columns, "source_row")

    def label(self, output: str) -> str:
        """The published name of a column, for messages."""
        for column in self.columns:
            if column.output == output:
                return column.aliases[0]
        return output


@dataclass(frozen=True)
class Row:
    """One data row: the number a person sees for it, and its cells (text or already-typed values)."""

    number: int
    cells: Sequence[object]


def map_columns(
    ctx: ParseContext, layout: TableLayout, header: Sequence[str], *, row: int | None
) -> dict[str, int]:
    """Output column -> position, from a header (missing / unknown / repeated columns raise).

    ``row`` is the header's line for messages; None when the names come from a schema (Parquet).
    """
    return map_header(ctx, header, layout.columns, row=row, ignored=layout.ignored)


def parse_table_rows(
    ctx: ParseContext,
    layout: TableLayout,
    index: Mapping[str, int],
    rows: Iterable[Row],
    release: Release,
    *,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Build the raw-table frame from rows whose cells are found at ``index`` (output -> position).

    ``labels`` names each column in messages (default: its first published header name).
    """
    labels = dict(labels or {})
    stamps = {}
    for output, release_field in layout.release_columns.items():
        value = getattr(release, release_field)
        if _RELEASE_FIELDS[release_field] == "date":
            stamps[output] = release_date(ctx, value, release_field)
        else:
            stamps[output] = release_text(ctx, value, release_field)
    values: dict[str, list] = {name: [] for name in layout.output_columns}
    for row in rows:
        for column in layout.columns:
            name = column.output
            position = index.get(name)
            cell = row.cells[position] if position is not None else None
            label = labels.get(name) or layout.label(name)
            values[name].append(_cell(ctx, layout, name, cell, row=row.number, label=label))
        for output, stamp in stamps.items():
            values[output].append(stamp)
        values["source_row"].append(row.number)
    kinds = {c.output: ("date" if c.output in layout.dates else "text") for c in layout.columns}
    kinds |= {output: _RELEASE_FIELDS[field_] for output, field_ in layout.release_columns.items()}
    kinds["source_row"] = "row"
    return build_frame({name: (kinds[name], values[name]) for name in layout.output_columns})


def _cell(ctx: ParseContext, layout: TableLayout, name: str, cell: object, *, row: int, label: str) -> object:
    if name in layout.dates:
        return parse_yyyymmdd(ctx, cell, row=row, column=label)
    if cell is not None and not isinstance(cell, str):
        raise ctx.error(f"expected text, found {type(cell).__name__} {shown(cell)}", row=row, column=label)
    text = clean_text(cell)
    code = layout.codes.get(name)
    if code is not None:
        if text is None:
            if not code.nullable:
                raise ctx.error(f"expected {code.what}, found a blank", row=row, column=label)
        elif not code.pattern.match(text):
            raise ctx.error(f"expected {code.what}, found {shown(cell)}", row=row, column=label)
    elif text is None and name in layout.required:
        raise ctx.error("expected a value, found a blank", row=row, column=label)
    return text


def csv_rows(ctx: ParseContext, header: Record, records: Sequence[Record]) -> list[Row]:
    """CSV records below ``header`` as rows; each must have as many fields as the header."""
    rows = []
    for record in records:
        if len(record.fields) != len(header.fields):
            raise ctx.error(
                f"expected {len(header.fields)} fields as in the header, found {len(record.fields)}",
                row=record.line,
            )
        rows.append(Row(record.line, record.fields))
    return rows


def parse_header_csv(
    path: Path, release: Release, source_id: str, layout: TableLayout, *, what: str
) -> pd.DataFrame:
    """A UTF-8 CSV (BOM and CRLF tolerated) with one header row followed by data rows."""
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, data = records[0], records[1:]
    index = map_columns(ctx, layout, header.fields, row=header.line)
    require_data(ctx, data, f"{what} below the header")
    return parse_table_rows(ctx, layout, index, csv_rows(ctx, header, data), release)
