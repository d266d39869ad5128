"""Revisions, really run: a later release republishing a period replaces its values, and both are kept.

Its own warehouse (not the shared first run): the run adds a release to sources.yml.
"""

import copy
import csv
import io

import pytest

from tests.conftest import PROJECT_ROOT, write_sources
from tests.e2e.support import query, run_cli

pytestmark = pytest.mark.e2e

JUNE_2025 = PROJECT_ROOT / "data/snapshots/ae_monthly/Monthly-AE-June-2025-1-1.csv"
ORG = "RW1"  # Hampshire and Isle of Wight Healthcare: other-department attendances only
COLUMN = "A&E attendances Other A&E Department"


def _revised_june(tmp_path):
    """The real June 2025 file with one provider's attendances revised up by 100."""
    rows = list(csv.reader(io.StringIO(JUNE_2025.read_text(encoding="utf-8"))))
    column = rows[0].index(COLUMN)
    [row] = [row for row in rows[1:] if row[1] == ORG]
    row[column] = str(int(row[column]) + 100)
    target = tmp_path / "Monthly-AE-June-2025-revised.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return target


def _attendances(warehouse) -> float:
    [(value,)] = query(
        warehouse,
        "select value from marts.fct_indicator_values where source_id = 'ae_monthly' "
        "and indicator_id = 'ae_attendances_total' and org_code_published = ? and period_label = 'MSitAE-JUNE-2025'",
        [ORG],
    )
    return value


def test_a_later_release_of_the_same_period_replaces_it_and_both_are_kept(tmp_path, sources_document):
    original = [
        row for row in csv.reader(io.StringIO(JUNE_2025.read_text(encoding="utf-8"))) if row[1] == ORG
    ]
    published_attendances = sum(int(v) for v in original[0][4:10])
    document = copy.deepcopy(sources_document)
    ae = next(s for s in document["sources"] if s["id"] == "ae_monthly")
    ae["releases"].append(
        {
            "release": "2025-06-revised",
            "url": "https://www.england.nhs.uk/statistics/wp-content/uploads/sites/2/2025/08/Monthly-AE-June-2025-revised.csv",
            "snapshot": str(_revised_june(tmp_path)),
        }
    )
    warehouse = tmp_path / "warehouse"
    completed = run_cli(warehouse, write_sources(tmp_path / "sources.yml", document))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-4000:]

    assert _attendances(warehouse) == published_attendances + 100  # the revision is what analysts see
    history = {
        release: (rows, in_use)
        for release, rows, in_use in query(
            warehouse,
            "select release_label, rows_loaded, values_in_use from marts.release_history "
            "where source_id = 'ae_monthly' and release_label in ('2025-06', '2025-06-revised')",
        )
    }
    assert history["2025-06"][0] == history["2025-06-revised"][0] > 100  # both files kept, same rows
    assert history["2025-06"][1] == 0  # every June value now comes from the revision
    assert history["2025-06-revised"][1] > 0
    [(june_rows,)] = query(
        warehouse,
        "select count(*) from marts.fct_indicator_values where source_id = 'ae_monthly' "
        "and period_label = 'MSitAE-JUNE-2025' and not is_derived",
    )
    assert june_rows == history["2025-06-revised"][1]  # no June value twice
