"""ODS CSV reports: etr (NHS trusts), succ (successor organisations) and epraccur (GP practices).

ODS publishes them without a header row, columns by position, dates ``YYYYMMDD``. Some bundled
copies had a header added by whoever saved them (lower-case THF names, ODS Data Search and Export
names, CamelCase names): a header is detected by the first field of line 1 not looking like an ODS
code. etr and succ are always read by position (the header is skipped); epraccur with a header is
read by its header names, because the copy that has one also dropped ODS's empty columns.
"""

import re
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import (
    HeaderColumn,
    ParseContext,
    Record,
    build_frame,
    clean_text,
    drop_blank_records,
    looks_like_ods_code,
    parse_yyyymmdd,
    read_csv_file,
    release_date,
    require_data,
    shown,
)
from orchestration.parsers.tables import (
    ODS_CODE,
    Code,
    Row,
    TableLayout,
    csv_rows,
    map_columns,
    parse_table_rows,
)
from orchestration.sources import Release

# etr positions (0-based) -> (raw column, ODS column name used in messages)
ETR_POSITIONS = {
    "org_code": (0, "Organisation Code (column 1)"),
    "org_name": (1, "Name (column 2)"),
    "national_grouping": (2, "National Grouping (column 3)"),
    "high_level_health_geography": (3, "High Level Health Geography (column 4)"),
    "postcode": (9, "Postcode (column 10)"),
    "open_date": (10, "Open Date (column 11)"),
    "close_date": (11, "Close Date (column 12)"),
}
ETR_MIN_FIELDS = 12
ETR_OUTPUT_COLUMNS = (
    "org_code", "org_name", "national_grouping", "high_level_health_geography", "postcode",
    "open_date", "close_date", "vintage_date", "source_row",
)  # fmt: skip

SUCC_POSITIONS = {
    "predecessor_code": (0, "Predecessor Code (column 1)"),
    "successor_code": (1, "Successor Code (column 2)"),
    "reason": (2, "Reason (column 3)"),
    "effective_date": (3, "Effective Date (column 4)"),
    "indicator_flag": (4, "Indicator Flag (column 5)"),
}
SUCC_MIN_FIELDS = 5
SUCC_OUTPUT_COLUMNS = (
    "predecessor_code", "successor_code", "reason", "effective_date", "indicator_flag", "source_row",
)  # fmt: skip


def _data_records(ctx: ParseContext, path: Path, min_fields: int, what: str, *, trust: bool) -> list[Record]:
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, what)
    if not looks_like_ods_code(records[0].fields[0], trust=trust):
        header = records[0]
        if len(header.fields) < min_fields:
            raise ctx.error(
                f"line 1 looks like a header ({shown(header.fields[0])} is not an ODS code) but has "
                f"{len(header.fields)} fields; expected at least {min_fields}",
                row=header.line,
            )
        records = records[1:]
        require_data(ctx, records, what)
    for record in records:
        if len(record.fields) < min_fields:
            raise ctx.error(
                f"expected at least {min_fields} fields (ODS positional layout), found {len(record.fields)}",
                row=record.line,
            )
    return records


def _code(ctx: ParseContext, record: Record, position: int, label: str) -> str:
    # Only the shape is checked here (no blanks, no stray text); the GX suite checks the exact pattern.
    value = record.fields[position].strip()
    if not looks_like_ods_code(value):
        raise ctx.error(
            f"expected an ODS code (3 to 9 capital letters or digits), found {shown(record.fields[position])}",
            row=record.line,
            column=label,
        )
    return value


def parse_etr(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = _data_records(ctx, path, ETR_MIN_FIELDS, "trust rows", trust=True)
    vintage = release_date(ctx, release.period_start, "period_start")
    values: dict[str, list] = {name: [] for name in ETR_OUTPUT_COLUMNS}
    for record in records:
        fields = record.fields
        values["org_code"].append(_code(ctx, record, *ETR_POSITIONS["org_code"]))
        for name in ("org_name", "national_grouping", "high_level_health_geography", "postcode"):
            values[name].append(clean_text(fields[ETR_POSITIONS[name][0]]))
        for name in ("open_date", "close_date"):
            position, label = ETR_POSITIONS[name]
            values[name].append(parse_yyyymmdd(ctx, fields[position], row=record.line, column=label))
        values["vintage_date"].append(vintage)
        values["source_row"].append(record.line)
    kinds = dict.fromkeys(
        ("org_code", "org_name", "national_grouping", "high_level_health_geography"), "text"
    )
    kinds |= {"postcode": "text", "open_date": "date", "close_date": "date", "vintage_date": "date"}
    kinds["source_row"] = "row"
    return build_frame({name: (kinds[name], values[name]) for name in ETR_OUTPUT_COLUMNS})


def parse_succ(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = _data_records(ctx, path, SUCC_MIN_FIELDS, "successor rows", trust=False)
    values: dict[str, list] = {name: [] for name in SUCC_OUTPUT_COLUMNS}
    for record in records:
        fields = record.fields
        values["predecessor_code"].append(_code(ctx, record, *SUCC_POSITIONS["predecessor_code"]))
        values["successor_code"].append(_code(ctx, record, *SUCC_POSITIONS["successor_code"]))
        values["reason"].append(clean_text(fields[SUCC_POSITIONS["reason"][0]]))
        position, label = SUCC_POSITIONS["effective_date"]
        effective = parse_yyyymmdd(ctx, fields[position], row=record.line, column=label)
        if effective is None:
            raise ctx.error(
                "expected an effective date as YYYYMMDD, found a blank", row=record.line, column=label
            )
        values["effective_date"].append(effective)
        position, label = SUCC_POSITIONS["indicator_flag"]
        flag = fields[position].strip()
        if flag not in {"0", "1"}:
            raise ctx.error(
                f"expected '0' or '1', found {shown(fields[position])}", row=record.line, column=label
            )
        values["indicator_flag"].append(flag)
        values["source_row"].append(record.line)
    kinds = {
        "predecessor_code": "text",
        "successor_code": "text",
        "reason": "text",
        "effective_date": "date",
        "indicator_flag": "text",
        "source_row": "row",
    }
    return build_frame({name: (kinds[name], values[name]) for name in SUCC_OUTPUT_COLUMNS})


# epraccur (27 columns as published, no header): 1 code, 2 name, 3 national grouping (region Y-code),
# 4 high level health geography (ICB Q-code), 5-9 address, 10 postcode, 11 open date, 12 close date,
# 13 status, 14 organisation sub-type, 15 commissioner (Sub-ICB), 16 join and 17 left
# provider/purchaser dates, 18 telephone, 22 amended record indicator, 24 provider/purchaser,
# 26 prescribing setting; 19-21, 23, 25 and 27 are empty.
EPRACCUR = TableLayout(
    columns=(
        HeaderColumn("practice_code", ("OrgCode", "Organisation Code")),
        HeaderColumn("practice_name", ("Name",)),
        HeaderColumn("region_code", ("NationalGrouping", "National Grouping")),
        HeaderColumn(
            "icb_code",
            ("HighLevelHealthGeography", "High Level Health Geography", "Higher Level Health Geography"),
        ),
        HeaderColumn("postcode", ("Postcode",)),
        HeaderColumn("open_date", ("OpenDate", "Open Date")),
        HeaderColumn("close_date", ("CloseDate", "Close Date")),
        HeaderColumn("status_code", ("StatusCode", "Status Code")),
        HeaderColumn("org_sub_type_code", ("OrgSubTypeCode", "Organisation Sub-Type Code")),
        HeaderColumn("sicbl_code", ("Commissioner",)),
        HeaderColumn("join_provider_date", ("JoinProviderDate", "Join Provider/Purchaser Date")),
        HeaderColumn("left_provider_date", ("LeftProviderDate", "Left Provider/Purchaser Date")),
        HeaderColumn("prescribing_setting", ("PrescrSet", "Prescribing Setting")),
    ),
    ignored=(
        *(f"Address{n}" for n in range(1, 6)),
        *(f"Address Line {n}" for n in range(1, 6)),
        "TelNo",
        "Contact Telephone Number",
        "AmendedRecordIndicator",
        "Amended Record Indicator",
        "ProvPurch",
        "Provider/Purchaser",
        "Null",
    ),
    codes={
        "practice_code": Code(ODS_CODE, "an ODS code (3 to 9 capital letters or digits)"),
        # Blank for Crown Dependency cost centres (Jersey, Guernsey, Isle of Man).
        "region_code": Code(ODS_CODE, "a region ODS code (e.g. Y56) or a blank", nullable=True),
        "icb_code": Code(ODS_CODE, "an ICB / area ODS code (e.g. QMJ)"),
        "status_code": Code(re.compile(r"^[A-Z]$"), "a one-letter status code (A, C, D, P)"),
        "org_sub_type_code": Code(re.compile(r"^[A-Z]$"), "a one-letter organisation sub-type (B, Z)"),
        # Blank for cost centres not allocated to a commissioner (sub-type Z).
        "sicbl_code": Code(ODS_CODE, "a commissioner ODS code (e.g. 36J) or a blank", nullable=True),
        "prescribing_setting": Code(re.compile(r"^\d{1,2}$"), "a prescribing setting number (0 to 99)"),
    },
    dates=frozenset({"open_date", "close_date", "join_provider_date", "left_provider_date"}),
    required=frozenset({"practice_name"}),
    release_columns={"vintage_date": "period_start"},
)
EPRACCUR_POSITIONS = {
    "practice_code": (0, "Organisation Code (column 1)"),
    "practice_name": (1, "Name (column 2)"),
    "region_code": (2, "National Grouping (column 3)"),
    "icb_code": (3, "High Level Health Geography (column 4)"),
    "postcode": (9, "Postcode (column 10)"),
    "open_date": (10, "Open Date (column 11)"),
    "close_date": (11, "Close Date (column 12)"),
    "status_code": (12, "Status Code (column 13)"),
    "org_sub_type_code": (13, "Organisation Sub-Type Code (column 14)"),
    "sicbl_code": (14, "Commissioner (column 15)"),
    "join_provider_date": (15, "Join Provider/Purchaser Date (column 16)"),
    "left_provider_date": (16, "Left Provider/Purchaser Date (column 17)"),
    "prescribing_setting": (25, "Prescribing Setting (column 26)"),
}
EPRACCUR_MIN_FIELDS = 26
EPRACCUR_OUTPUT_COLUMNS = EPRACCUR.output_columns


def parse_epraccur(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    records = drop_blank_records(read_csv_file(ctx, path))
    require_data(ctx, records, "practice rows")
    first = records[0]
    if not looks_like_ods_code(first.fields[0]):
        # A header added by whoever saved the file: read the columns it names.
        index = map_columns(ctx, EPRACCUR, first.fields, row=first.line)
        require_data(ctx, records[1:], "practice rows below the header")
        return parse_table_rows(ctx, EPRACCUR, index, csv_rows(ctx, first, records[1:]), release)
    rows = []
    for record in records:
        if len(record.fields) < EPRACCUR_MIN_FIELDS:
            raise ctx.error(
                f"expected at least {EPRACCUR_MIN_FIELDS} fields (ODS epraccur positional layout), "
                f"found {len(record.fields)}",
                row=record.line,
            )
        rows.append(Row(record.line, record.fields))
    index = {name: position for name, (position, _) in EPRACCUR_POSITIONS.items()}
    labels = {name: label for name, (_, label) in EPRACCUR_POSITIONS.items()}
    return parse_table_rows(ctx, EPRACCUR, index, rows, release, labels=labels)
