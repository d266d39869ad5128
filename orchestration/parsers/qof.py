"""QOF "Mapping NHS geographies": GP practice -> PCN -> Sub-ICB location -> ICB -> NHS England region.

NHS England publishes it as ``MAPPING_NHS_GEOGRAPHIES_<yyyy>.csv`` inside each year's QOF raw-data
zip; the bundled copies are Parquet conversions of those CSVs (column names as published). 2021-22
names the Sub-ICB columns ``SUB_ICB_LOC_*``, later years ``SUB_ICB_*``: both map to ``sicbl_*``.
The ``NAT_*`` columns must say England and are dropped. Practices outside any PCN have PCN code
``U`` ("Unallocated"), kept as published. ``source_row`` is the 1-based row position in the file.
"""

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.parsers.common import HeaderColumn, ParseContext, clean_text, shown
from orchestration.parsers.tables import (
    ODS,
    ONS,
    Code,
    Row,
    TableLayout,
    map_columns,
    parse_table_rows,
)
from orchestration.sources import Release

PARQUET_MAGIC = b"PAR1"

PRACTICE_GEOGRAPHY = TableLayout(
    columns=(
        HeaderColumn("practice_code", ("PRACTICE_CODE",)),
        HeaderColumn("practice_name", ("PRACTICE_NAME",)),
        HeaderColumn("pcn_ods_code", ("PCN_ODS_CODE",)),
        HeaderColumn("pcn_name", ("PCN_NAME",)),
        HeaderColumn("sicbl_ods_code", ("SUB_ICB_ODS_CODE", "SUB_ICB_LOC_ODS_CODE")),
        HeaderColumn("sicbl_ons_code", ("SUB_ICB_ONS_CODE", "SUB_ICB_LOC_ONS_CODE")),
        HeaderColumn("sicbl_name", ("SUB_ICB_NAME", "SUB_ICB_LOC_NAME")),
        HeaderColumn("icb_ods_code", ("ICB_ODS_CODE",)),
        HeaderColumn("icb_ons_code", ("ICB_ONS_CODE",)),
        HeaderColumn("icb_name", ("ICB_NAME",)),
        HeaderColumn("region_ods_code", ("REGION_ODS_CODE",)),
        HeaderColumn("region_ons_code", ("REGION_ONS_CODE",)),
        HeaderColumn("region_name", ("REGION_NAME",)),
    ),
    ignored=("NAT_ONS_CODE", "NAT_CODE", "NAT_COUNTRY"),  # checked below, then dropped
    codes={
        "practice_code": ODS,
        # "U" = Unallocated: the practice belongs to no PCN that year.
        "pcn_ods_code": Code(re.compile(r"^(U|[A-Z0-9]{3,9})$"), "a PCN ODS code (e.g. U89141) or 'U'"),
        "sicbl_ods_code": ODS,
        "sicbl_ons_code": ONS,
        "icb_ods_code": ODS,
        "icb_ons_code": ONS,
        "region_ods_code": ODS,
        "region_ons_code": ONS,
    },
    required=frozenset({"practice_name", "pcn_name", "sicbl_name", "icb_name", "region_name"}),
    release_columns={
        "period_start": "period_start",
        "period_end": "period_end",
        "period_label": "period_label",
    },
)
# The country columns hold one value in the QOF files: England.
ENGLAND = {"NAT_ONS_CODE": "E92000001", "NAT_CODE": "ENG", "NAT_COUNTRY": "England"}


def read_parquet_table(ctx: ParseContext, path: Path) -> pa.Table:
    """Read a Parquet file, refusing anything else (checked by its PAR1 magic) with a clear message."""
    with Path(path).open("rb") as handle:
        head = handle.read(4)
    if not head:
        raise ctx.error("the file is empty: expected a Parquet file")
    if head != PARQUET_MAGIC:
        raise ctx.error(f"expected a Parquet file (starting with 'PAR1'), found bytes {shown(head)}")
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ctx.error(f"not a readable Parquet file: {exc}") from None


def parse_qof_practice_geography(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    table = read_parquet_table(ctx, path)
    header = list(table.column_names)
    # A Parquet file has no header row: errors about columns name the column only.
    index = map_columns(ctx, PRACTICE_GEOGRAPHY, header, row=None)
    for name in header:
        kind = table.schema.field(name).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise ctx.error(f"expected a text column, found Parquet type {kind}", column=name)
    if table.num_rows == 0:
        raise ctx.error("expected at least one practice row, found none")
    columns = [table.column(name).to_pylist() for name in header]
    for name, expected in ENGLAND.items():
        if name not in header:
            raise ctx.error(f"required column {name!r} is missing; header found: {header}", column=name)
        for number, value in enumerate(columns[header.index(name)], start=1):
            if clean_text(value) != expected:
                raise ctx.error(
                    f"expected {expected!r} (England), found {shown(value)}", row=number, column=name
                )
    rows = (Row(number, cells) for number, cells in enumerate(zip(*columns, strict=True), start=1))
    labels = {output: header[position] for output, position in index.items()}
    return parse_table_rows(ctx, PRACTICE_GEOGRAPHY, index, rows, release, labels=labels)
