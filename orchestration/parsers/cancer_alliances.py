"""Cancer Alliance lookups: ONS CCG -> STP -> Cancer Alliance (April 2021), NCPES Sub-ICB -> ICB ->
Cancer Alliance (2022), ONS Cancer Alliance names and codes (CAL24, as postcodes.io's JSON) and the
NCL ICB analytics team's trust -> Cancer Alliance mapping.

Alliance codes drift: ONS E56 codes were reissued in 2024 (one East of England alliance, new codes for
East Midlands, Greater Manchester, SWAG and Thames Valley), and the NCL file uses ODS-style alliance
codes (``N69``, ``L0S3P``) instead of E56 codes. Each file is kept as published; conforming is dbt's job.
"""

import json
import re
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import HeaderColumn, ParseContext, decode_utf8, shown
from orchestration.parsers.tables import (
    LOOKUP_STAMPS,
    ODS,
    ONS,
    Code,
    Row,
    TableLayout,
    parse_header_csv,
    parse_table_rows,
)
from orchestration.sources import Release

CAL_CODE = re.compile(r"^E56\d{6}$")
_CAL = Code(CAL_CODE, "a Cancer Alliance ONS code (E56 and 6 digits)")

ONS_CCG_STP_CAL = TableLayout(
    columns=(
        HeaderColumn("ccg_ons_code", ("CCG21CD",)),
        HeaderColumn("ccg_ods_code", ("CCG21CDH",)),
        HeaderColumn("ccg_name", ("CCG21NM",)),
        HeaderColumn("stp_ons_code", ("STP21CD",)),
        HeaderColumn("stp_ods_code", ("STP21CDH",)),
        HeaderColumn("stp_name", ("STP21NM",)),
        HeaderColumn("cancer_alliance_ons_code", ("CAL21CD",)),
        HeaderColumn("cancer_alliance_name", ("CAL21NM",)),
    ),
    ignored=("FID", "ObjectId", "GlobalID"),  # ArcGIS row ids
    codes={
        "ccg_ons_code": ONS,
        "ccg_ods_code": ODS,
        "stp_ons_code": ONS,
        "stp_ods_code": ODS,
        "cancer_alliance_ons_code": _CAL,
    },
    required=frozenset({"ccg_name", "stp_name", "cancer_alliance_name"}),
    release_columns=LOOKUP_STAMPS,
)

NCPES_SICBL_CAL = TableLayout(
    columns=(
        HeaderColumn("sicbl_ons_code", ("Sub-ICB E Code", "SICBL22CD")),
        HeaderColumn("sicbl_ods_code", ("SICBL22CDH", "Sub-ICB Code")),
        HeaderColumn("sicbl_name", ("SICBL22NM", "Sub-ICB")),
        HeaderColumn("icb_ons_code", ("ICB E code", "ICB22CD")),
        HeaderColumn("icb_ods_code", ("ICB Code", "ICB22CDH")),
        HeaderColumn("icb_name", ("ICB", "ICB22NM")),
        HeaderColumn("cancer_alliance_ons_code", ("Cancer Alliance Code", "CAL22CD")),
        HeaderColumn("cancer_alliance_name", ("Cancer Alliance", "CAL22NM")),
    ),
    codes={
        "sicbl_ons_code": ONS,
        "sicbl_ods_code": ODS,
        "icb_ons_code": ONS,
        "icb_ods_code": ODS,
        "cancer_alliance_ons_code": _CAL,
    },
    required=frozenset({"sicbl_name", "icb_name", "cancer_alliance_name"}),
    release_columns=LOOKUP_STAMPS,
)

NCL_PROVIDER_CAL = TableLayout(
    columns=(
        HeaderColumn("provider_code", ("ods_code", "provider_code")),
        HeaderColumn("provider_name", ("ods_name", "provider_name")),
        HeaderColumn("cancer_alliance_name", ("cancer_alliance_name",)),
        HeaderColumn("cancer_alliance_code", ("cancer_alliance_code",)),
        HeaderColumn("notes", ("notes",), required=False),
    ),
    codes={
        "provider_code": ODS,
        # ODS-style alliance codes (N69, L0S3P); blank for trusts outside any alliance (non-acute).
        "cancer_alliance_code": Code(
            ODS.pattern, "an ODS-style Cancer Alliance code (e.g. N69) or a blank", True
        ),
    },
    required=frozenset({"provider_name"}),
    release_columns=LOOKUP_STAMPS,
)

CAL_LIST = TableLayout(
    columns=(
        HeaderColumn("cancer_alliance_ons_code", ("code",)),
        HeaderColumn("cancer_alliance_name", ("name",)),
    ),
    codes={"cancer_alliance_ons_code": _CAL},
    required=frozenset({"cancer_alliance_name"}),
    release_columns=LOOKUP_STAMPS,
)


def parse_ons_ccg_stp_cancer_alliance(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(path, release, source_id, ONS_CCG_STP_CAL, what="CCG rows")


def parse_ncpes_sicbl_cancer_alliance(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(path, release, source_id, NCPES_SICBL_CAL, what="Sub-ICB rows")


def parse_ncl_provider_cancer_alliance(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    frame = parse_header_csv(path, release, source_id, NCL_PROVIDER_CAL, what="provider rows")
    # A named alliance without its code (or the reverse) is a broken row, not a non-acute trust.
    half = frame["cancer_alliance_name"].isna() != frame["cancer_alliance_code"].isna()
    if half.any():
        row = frame[half].iloc[0]
        missing = "cancer_alliance_code" if pd.isna(row["cancer_alliance_code"]) else "cancer_alliance_name"
        raise ParseContext.for_path(source_id, path).error(
            "expected cancer_alliance_name and cancer_alliance_code to be both filled or both blank, "
            f"found {missing} blank",
            row=int(row["source_row"]),
            column=missing,
        )
    return frame


class _Pairs(list):
    """A JSON object as its (key, value) pairs, so duplicate keys and key order survive decoding."""


def parse_cancer_alliance_json(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    """``{"E56000005": "Cheshire and Merseyside", ...}``: one row per key, ``source_row`` = its position."""
    ctx = ParseContext.for_path(source_id, path)
    data = Path(path).read_bytes()
    if not data.strip():
        raise ctx.error("the file is empty: expected a JSON object of Cancer Alliance code -> name")
    try:
        document = json.loads(decode_utf8(ctx, data), object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        raise ctx.error(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(document, _Pairs):
        raise ctx.error(
            f"expected a JSON object of Cancer Alliance code -> name, found a JSON {type(document).__name__}"
        )
    if not document:
        raise ctx.error("expected at least one Cancer Alliance in the JSON object, found none")
    seen: dict[str, int] = {}
    rows = []
    for position, (key, value) in enumerate(document, start=1):
        if key in seen:
            raise ctx.error(
                f"key {shown(key)} appears twice (entries {seen[key]} and {position})", row=position
            )
        seen[key] = position
        if isinstance(value, list):  # a nested array or object (_Pairs is a list)
            raise ctx.error(
                f"expected a name (text), found a nested JSON value for {shown(key)}", row=position
            )
        rows.append(Row(position, (key, value)))
    labels = {"cancer_alliance_ons_code": "key", "cancer_alliance_name": "value"}
    index = {"cancer_alliance_ons_code": 0, "cancer_alliance_name": 1}
    return parse_table_rows(ctx, CAL_LIST, index, rows, release, labels=labels)
