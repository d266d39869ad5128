"""ONS Open Geography lookup: Sub-ICB locations to ICBs to NHS England regions.

Each vintage names its columns after its year (``SICBL22CD``, ``SICBL23CDH``, ``NHSER24NM``...);
they are mapped by pattern (``CD`` = ONS code, ``CDH`` = ODS code, ``NM`` = name), and all must
carry the same year. The files start with a UTF-8 BOM; ``ObjectId`` / ``FID`` / ``GlobalID`` row ids
are dropped.
"""

import re
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    ParseContext,
    build_frame,
    drop_blank_records,
    read_csv_file,
    release_date,
    release_text,
    require_data,
)
from orchestration.sources import Release

_LEVELS = {"SICBL": "sicbl", "ICB": "icb", "NHSER": "nhser"}
_SUFFIXES = {"CD": "ons_code", "CDH": "ods_code", "NM": "name"}
_HEADER_PATTERN = re.compile(r"^(SICBL|ICB|NHSER)(\d{2})(CDH|CD|NM)$", re.IGNORECASE)
_IGNORED = {"objectid", "fid", "globalid", "object_id"}
DATA_COLUMNS = tuple(f"{level}_{suffix}" for level in _LEVELS.values() for suffix in _SUFFIXES.values())
OUTPUT_COLUMNS = (*DATA_COLUMNS, "lookup_date", "lookup_label", "source_row")


def _expected_names() -> str:
    return ", ".join(f"{level}YY{suffix}" for level in _LEVELS for suffix in _SUFFIXES)


def parse_ons_lookup(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "header row")
    header, rows = records[0], records[1:]

    index: dict[str, int] = {}
    years: set[str] = set()
    for position, name in enumerate(header.fields):
        label = name.strip().lstrip("\ufeff")
        if label.lower() in _IGNORED:
            continue
        match = _HEADER_PATTERN.match(label)
        if not match:
            raise ctx.error(
                f"unexpected column {label!r}: expected only {_expected_names()} (YY = lookup year) and ObjectId",
                row=header.line,
                column=label or f"#{position + 1}",
            )
        level, year, suffix = match.groups()
        output = f"{_LEVELS[level.upper()]}_{_SUFFIXES[suffix.upper()]}"
        if output in index:
            raise ctx.error(f"two columns map to {output}", row=header.line, column=label)
        index[output] = position
        years.add(year)
    for output in DATA_COLUMNS:
        if output not in index:
            level, suffix = output.split("_", 1)
            published = (
                {v: k for k, v in _LEVELS.items()}[level]
                + "YY"
                + {v: k for k, v in _SUFFIXES.items()}[suffix]
            )
            raise ctx.error(
                f"required column {published} (YY = lookup year, e.g. {published.replace('YY', '24')}) is missing; "
                f"found {[h.strip() for h in header.fields]}",
                row=header.line,
                column=published,
            )
    if len(years) > 1:
        raise ctx.error(f"columns mix lookup years {sorted(years)}: expected one vintage", row=header.line)
    require_data(ctx, rows, "Sub-ICB rows below the header")

    lookup_date = release_date(ctx, release.period_start, "period_start")
    lookup_label = release_text(ctx, release.period_label, "period_label")
    values: dict[str, list] = {name: [] for name in DATA_COLUMNS}
    for record in rows:
        if len(record.fields) != len(header.fields):
            raise ctx.error(
                f"expected {len(header.fields)} fields as in the header, found {len(record.fields)}",
                row=record.line,
            )
        for name in DATA_COLUMNS:
            values[name].append(record.fields[index[name]])
    n = len(rows)
    columns = {name: ("text", values[name]) for name in DATA_COLUMNS}
    columns["lookup_date"] = ("date", [lookup_date] * n)
    columns["lookup_label"] = ("text", [lookup_label] * n)
    columns["source_row"] = ("row", [record.line for record in rows])
    return build_frame({name: columns[name] for name in OUTPUT_COLUMNS})
