"""The whole pipeline, really run: `audit-insight run` in a subprocess against temp warehouses.

Real loopback HTTP serving the bundled files, real Great Expectations, real DuckDB, real dbt, real
Dagster, real publish. One module-scoped first run is shared by the read-only assertions; the
failure and idempotency runs reuse its warehouse in order.
"""

import copy
import csv
import io
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT, write_sources
from tests.e2e.support import published_state as _published_state
from tests.e2e.support import query as _query
from tests.e2e.support import run_cli as _run

pytestmark = pytest.mark.e2e


def test_summary_names_sources_checks_and_outputs(first_run):
    warehouse, completed = first_run
    out = completed.stdout
    assert "succeeded" in out
    assert "0 failed" in out and " passed," in out
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    assert f"sources:  {len(config.sources)} loaded" in out
    assert "without an ICB, listed in marts.unmapped_organisations" in out
    assert str(warehouse / "audit_insight.duckdb") in out
    assert "fct_indicator_values.parquet" in out


def test_facts_hold_shmi_ae_and_ssnap(first_run):
    warehouse, _ = first_run
    counts = dict(_query(warehouse, "select source_id, count(*) from marts.fct_indicator_values group by 1"))
    assert counts.keys() >= {"shmi", "ae_monthly", "ssnap_thrombectomy"}
    # CVDPREVENT and Fingertips bundles are small real cuts (56 and 79 rows)
    assert all(n > 100 for source, n in counts.items() if source not in ("cvdprevent", "fingertips"))
    assert counts["cvdprevent"] == 56  # the bundled cut: 2 ICBs x 28 breakdowns, nothing rolled up
    periods = _query(
        warehouse,
        "select count(distinct period_start) from marts.fct_indicator_values where source_id = 'shmi'",
    )[0][0]
    assert periods == 11  # all 11 bundled SHMI releases
    months = _query(
        warehouse,
        "select count(distinct period_start) from marts.fct_indicator_values where source_id = 'ae_monthly'",
    )[0][0]
    assert months == 14  # December 2019 (.xls workbook) and 13 months June 2024 - June 2025


def test_historic_shmi_trusts_carry_their_current_successor(first_run):
    warehouse, _ = first_run
    rows = _query(
        warehouse,
        "select distinct org_code_published, org_code from marts.fct_indicator_values "
        "where source_id = 'shmi' and org_code_published in ('RD3', 'RDZ', 'RGC', 'RNH', 'RNJ', 'RW3', 'RQ6')",
    )
    mapping = dict(rows)
    assert mapping["RD3"] == "R0D" and mapping["RDZ"] == "R0D"
    assert mapping["RGC"] == "R1H" and mapping["RNJ"] == "R1H"
    assert mapping["RW3"] == "R0A"
    assert mapping["RQ6"] == "REM"


def test_parquet_exports_read_back_with_identical_counts(first_run):
    warehouse, _ = first_run
    exports = warehouse / "exports"
    for mart in ("fct_indicator_values", "dim_indicators", "dim_organisations"):
        in_duckdb = _query(warehouse, f"select count(*) from marts.{mart}")[0][0]  # noqa: S608 (fixed names)
        with duckdb.connect() as con:
            via_duckdb = con.execute(
                "select count(*) from read_parquet(?)", [str(exports / f"{mart}.parquet")]
            ).fetchone()[0]
        assert in_duckdb > 0
        assert via_duckdb == in_duckdb
        assert pq.read_table(exports / f"{mart}.parquet").num_rows == in_duckdb


def test_fetch_log_and_raw_store(first_run):
    warehouse, _ = first_run
    logged = _query(warehouse, "select source_id, outcome, url from meta.fetch_log")
    assert {source for source, _, _ in logged} >= {"shmi", "ae_monthly", "ssnap_thrombectomy"}
    assert all(url.startswith("http://127.0.0.1:") for _, _, url in logged)
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    releases = sum(len(source.releases) for source in config.sources)
    assert sum(1 for _, outcome, _ in logged if outcome == "downloaded") == releases  # every bundled release
    shmi_raw = sorted(p.name for p in (warehouse / "raw" / "shmi").glob("*.csv"))
    assert len(shmi_raw) == 11
    assert all(len(name.split("_")[-1].split(".")[0]) == 12 for name in shmi_raw)


def _broken_ae_file(tmp_path: Path) -> Path:
    """A real A&E file with one provider reporting more 4-hour breaches than attendances."""
    source = PROJECT_ROOT / "data/snapshots/ae_monthly/Monthly-AE-April-2025.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))))
    header = rows[0]
    attendances = header.index("A&E attendances Type 1")
    breaches = header.index("Attendances over 4hrs Type 1")
    for row in rows[1:]:
        if row[1].startswith("R") and int(row[attendances]) > 0:
            row[breaches] = str(int(row[attendances]) + 1000)
            break
    target = tmp_path / "Monthly-AE-April-2025-broken.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return target


def test_failing_suite_leaves_the_published_warehouse_byte_identical(first_run, tmp_path, sources_document):
    warehouse, _ = first_run
    before = _published_state(warehouse)
    document = copy.deepcopy(sources_document)
    ae = next(s for s in document["sources"] if s["id"] == "ae_monthly")
    ae["releases"].append(
        {
            "release": "2025-07",
            "url": "https://www.england.nhs.uk/statistics/wp-content/uploads/sites/2/2025/08/broken.csv",
            "snapshot": str(_broken_ae_file(tmp_path)),
        }
    )
    completed = _run(warehouse, write_sources(tmp_path / "sources.yml", document))

    assert completed.returncode != 0
    message = completed.stdout + completed.stderr
    assert "ae_monthly" in message and "Monthly-AE-April-2025-broken.csv" in message
    assert "expect_column_pair_values_a_to_be_greater_than_b" in message.lower()
    assert "The published warehouse was left as it was" in message
    assert _published_state(warehouse) == before
    assert any(
        p.name.startswith("2025-07_") for p in (warehouse / "raw" / "ae_monthly").iterdir()
    )  # raw kept
    # nothing of the failing file reached the build database either
    with duckdb.connect(str(warehouse / "build" / "audit_insight_build.duckdb"), read_only=True) as build:
        loaded = build.execute(
            "select count(*) from meta.load_log where source_id = 'ae_monthly' and release_label = '2025-07'"
        ).fetchall()[0][0]
    assert loaded == 0


def test_a_normal_run_after_a_failure_succeeds_and_loading_is_idempotent(first_run):
    warehouse, _ = first_run
    before = _query(
        warehouse, "select source_id, count(*) from marts.fct_indicator_values group by 1 order by 1"
    )
    loads_before = _query(warehouse, "select count(*), sum(rows_loaded) from meta.load_log")
    completed = _run(warehouse)
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert (
        _query(warehouse, "select source_id, count(*) from marts.fct_indicator_values group by 1 order by 1")
        == before
    )
    assert _query(warehouse, "select count(*), sum(rows_loaded) from meta.load_log") == loads_before
    # Nothing changed since the first run, so nothing was rebuilt or published: the conditional GETs
    # (answered 304) are in the build database's fetch log, the published release is the first one.
    assert "nothing changed" in completed.stdout
    with duckdb.connect(str(warehouse / "build" / "audit_insight_build.duckdb"), read_only=True) as build:
        outcomes = {o for (o,) in build.execute("select distinct outcome from meta.fetch_log").fetchall()}
    assert "not_modified" in outcomes  # the second fetch was a conditional GET answered 304


def test_a_second_run_with_nothing_changed_does_no_dbt_or_validation_work(first_run):
    warehouse, _ = first_run
    before = _published_state(warehouse)
    release_before = (warehouse / "current").resolve().name
    manifest_before = (warehouse / "current" / "manifest.json").read_bytes()
    completed = _run(warehouse)
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert "nothing changed" in completed.stdout
    assert "release " + release_before + " stays published" in completed.stdout
    # no Dagster run at all: no GX check results, no dbt steps, no new release
    assert "great_expectations" not in completed.stdout + completed.stderr
    assert "dbt build" not in completed.stdout + completed.stderr
    assert (warehouse / "current").resolve().name == release_before
    assert (warehouse / "current" / "manifest.json").read_bytes() == manifest_before
    assert _published_state(warehouse) == before
