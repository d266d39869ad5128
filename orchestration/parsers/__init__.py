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
from orchestration.parsers.common import ParseError
from orchestration.parsers.ods import parse_etr, parse_succ
from orchestration.parsers.ons import parse_ons_lookup
from orchestration.parsers.shmi import parse_shmi
from orchestration.parsers.ssnap import parse_ssnap_thrombectomy
from orchestration.sources import Release

Parser = Callable[[Path, Release, str], pd.DataFrame]

# Keys are the `parser` names used in sources.yml.
PARSERS: dict[str, Parser] = {
    "ons_sicbl_lookup": parse_ons_lookup,
    "ods_etr": parse_etr,
    "ods_succ": parse_succ,
    "shmi_hscic_csv": parse_shmi,
    "ae_monthly_csv": parse_ae,
    "ssnap_thrombectomy_xlsx": parse_ssnap_thrombectomy,
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
