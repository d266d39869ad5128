"""Geography coverage: the share of a source's published rows that could not be placed on an ICB.

Every row of ``marts.fct_indicator_values`` either has today's ICB or an ``unmapped_reason`` (and
is listed in ``marts.unmapped_organisations``). A source whose unmapped share rises above the
``max_unmapped_share`` declared in sources.yml fails its check, which stops the refresh before
publishing: a new file full of unknown codes must not quietly shrink every ICB's numbers.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.duckdb_utils import fetch_one, load_sql


@dataclass(frozen=True)
class UnmappedShare:
    source_id: str
    published_rows: int
    unmapped_rows: int
    max_share: float

    @property
    def share(self) -> float:
        return self.unmapped_rows / self.published_rows if self.published_rows else 0.0

    @property
    def passed(self) -> bool:
        return self.share <= self.max_share

    def describe(self) -> str:
        verdict = "within" if self.passed else "above"
        return (
            f"{self.source_id}: {self.unmapped_rows} of {self.published_rows} published rows "
            f"({self.share:.1%}) have no ICB, {verdict} the {self.max_share:.1%} allowed in sources.yml "
            "(max_unmapped_share); see marts.unmapped_organisations for the organisations and reasons"
        )


def measure_unmapped_share(database: Path, source_id: str, max_share: float) -> UnmappedShare:
    """Count the source's published and unmapped rows in the built (not yet published) marts."""
    with duckdb.connect(str(database), read_only=True) as con:
        row = fetch_one(con, load_sql("unmapped_share"), [source_id])
    published, unmapped = row if row else (0, 0)
    return UnmappedShare(source_id, int(published), int(unmapped), max_share)
