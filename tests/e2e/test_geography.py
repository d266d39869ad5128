"""Geography through time, on the real bundled files, through the real pipeline (shared first run).

The cases are the ones an ICB analyst would check first: trust mergers and splits followed to
today's organisation, CCGs becoming Sub-ICB locations, ONS codes changing under stable ODS codes,
the April 2026 ICB mergers, roll-ups that never double count, and nothing dropped silently.
"""

import copy

import pytest

from tests.conftest import write_sources
from tests.e2e.support import published_state, query, run_cli

pytestmark = pytest.mark.e2e


def _parent_on(warehouse, org_code: str, parent_type: str, on_date: str) -> list[str]:
    rows = query(
        warehouse,
        "select parent_code from marts.dim_organisation_memberships "
        "where org_code = ? and parent_type = ? and ? between valid_from and coalesce(valid_to, date '9999-12-31') "
        "order by parent_code",
        [org_code, parent_type, on_date],
    )
    return [code for (code,) in rows]


def test_trust_mergers_are_followed_to_todays_trust_and_icb(first_run):
    warehouse, _ = first_run
    rows = query(
        warehouse,
        "select distinct org_code_published, org_code, icb_code, region_code from marts.fct_indicator_values "
        "where source_id = 'shmi' and org_code_published in ('RD3', 'RDZ', 'RGC', 'RNH', 'RNJ', 'RW3', 'RM2', 'RQ6')",
    )
    today = {published: (current, icb, region) for published, current, icb, region in rows}
    # Poole and Royal Bournemouth -> University Hospitals Dorset (2020-10-01), in Dorset ICB
    assert today["RD3"] == today["RDZ"] == ("R0D", "QVV", "Y58")
    # Whipps Cross, Newham and Barts -> Barts Health, in North East London ICB
    assert today["RGC"] == today["RNH"] == today["RNJ"] == ("R1H", "QMF", "Y56")
    # Central and Trafford / Manchester University -> MFT, in Greater Manchester ICB
    assert today["RW3"] == today["RM2"] == ("R0A", "QOP", "Y62")
    assert today["RQ6"] == ("REM", "QYG", "Y62")
    successions = dict(
        query(
            warehouse,
            "select org_code, successor_effective_date from marts.dim_org_successions where org_code in ('RD3', 'RDZ')",
        )
    )
    assert {str(day) for day in successions.values()} == {"2020-10-01"}


def test_a_2012_shmi_row_of_an_old_trust_lands_in_todays_icb(first_run):
    warehouse, _ = first_run
    [(org_code, icb_code, icb_as_published, reason)] = query(
        warehouse,
        "select org_code, icb_code, icb_code_as_published, unmapped_reason from marts.fct_indicator_values "
        "where source_id = 'shmi' and org_code_published = 'RD3' and period_end = date '2012-03-31'",
    )
    assert (org_code, icb_code, reason) == ("R0D", "QVV", None)
    assert icb_as_published is None  # no ICB or STP existed in 2012, and none is invented


def test_a_split_is_counted_once_under_its_largest_successor(first_run):
    warehouse, _ = first_run
    [(current, is_split, successors)] = query(
        warehouse,
        "select current_org_code, is_split, split_successor_codes from marts.dim_org_successions "
        "where org_code = 'RW6'",
    )
    assert is_split and sorted(successors) == ["R0A", "RM3"]
    assert current == "R0A"  # first in code order: ODS records no shares for trust splits
    rw6 = query(
        warehouse,
        "select distinct org_code, is_split_mapped from marts.fct_indicator_values where org_code_published = 'RW6'",
    )
    assert rw6 == [("R0A", True)]
    # Frimley ICB (QNQ) split three ways in April 2026: the largest share (244 of 440 LSOAs) wins
    [(frimley,)] = query(
        warehouse, "select current_org_code from marts.dim_org_successions where org_code = 'QNQ'"
    )
    assert frimley == "S0E4D"


def test_bassetlaw_moved_from_south_yorkshire_to_nottinghamshire_in_july_2022(first_run):
    warehouse, _ = first_run
    assert _parent_on(warehouse, "02Q", "icb", "2021-06-30") == ["QF7"]
    assert _parent_on(warehouse, "02Q", "icb", "2022-07-01") == ["QT1"]
    assert _parent_on(warehouse, "02Q", "icb", "2026-11-01") == ["QT1"]


def test_merged_ccgs_resolve_to_their_sub_icb_location(first_run):
    warehouse, _ = first_run
    rows = dict(
        query(
            warehouse,
            "select org_code, current_org_code from marts.dim_org_successions where org_code in ('09L', '09N', '09Y')",
        )
    )
    assert rows == {"09L": "92A", "09N": "92A", "09Y": "92A"}


def test_ons_codes_change_while_ods_codes_stay(first_run):
    warehouse, _ = first_run
    rows = query(
        warehouse,
        "select org_code, ons_code, valid_from, valid_to from marts.dim_org_ons_codes "
        "where org_code in ('QXU', 'QNX') order by org_code, valid_from",
    )
    by_code = {}
    for org_code, ons_code, valid_from, valid_to in rows:
        by_code.setdefault(org_code, []).append((ons_code, str(valid_from), str(valid_to)))
    assert by_code["QXU"] == [
        ("E54000052", "2021-04-01", "2023-03-31"),
        ("E54000063", "2023-04-01", "2026-03-31"),
    ]
    assert by_code["QNX"] == [
        ("E54000053", "2021-04-01", "2023-03-31"),
        ("E54000064", "2023-04-01", "2026-03-31"),
    ]


def test_april_2026_mergers_put_history_on_todays_icbs(first_run):
    warehouse, _ = first_run
    # Ashford and St Peter's (RTK): hosted by Surrey Heartlands (QXU) when A&E published it, by Surrey
    # and Sussex (S9B9J) today.
    rows = query(
        warehouse,
        "select distinct icb_code, icb_code_as_published, region_code from marts.fct_indicator_values "
        "where source_id = 'ae_monthly' and org_code_published = 'RTK'",
    )
    assert rows == [("S9B9J", "QXU", "Y59")]
    assert _parent_on(warehouse, "RTK", "icb", "2019-06-30") == ["QXU"]
    assert _parent_on(warehouse, "RTK", "icb", "2026-06-30") == ["S9B9J"]
    new_icbs = {
        code: (name, ons)
        for code, name, ons in query(
            warehouse,
            "select org_code, org_name, ons_code from marts.dim_organisations "
            "where org_type = 'icb' and valid_to is null",
        )
    }
    assert len(new_icbs) == 36  # 42 - 12 + 6
    assert new_icbs["S9B9J"] == ("NHS Surrey and Sussex Integrated Care Board", "E54000069")
    assert "QXU" not in new_icbs and "QNQ" not in new_icbs
    # a GP practice answers "which ICB on date D" through its Sub-ICB location
    assert _parent_on(warehouse, "A81001", "icb", "2023-06-30") == ["QHM"]


def test_every_published_row_has_an_icb_or_a_listed_reason(first_run):
    warehouse, _ = first_run
    [(missing,)] = query(
        warehouse,
        "select count(*) from marts.fct_indicator_values "
        "where not is_derived and icb_code is null and unmapped_reason is null "
        # rows a publisher gives above ICB level (England, regions, networks) need no ICB
        "and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')",
    )
    assert missing == 0
    listed = query(
        warehouse,
        "select source_id, unmapped_reason, sum(fact_rows) from marts.unmapped_organisations group by all",
    )
    unmapped_rows = {(source, reason): rows for source, reason, rows in listed}
    [(fact_unmapped,)] = query(
        warehouse,
        "select count(*) from marts.fct_indicator_values where not is_derived and icb_code is null "
        "and org_level not in ('country', 'nhs_region', 'ons_region', 'cancer_alliance', 'isdn')",
    )
    assert sum(unmapped_rows.values()) == fact_unmapped
    reasons = {
        (source, code): reason
        for source, code, reason in query(
            warehouse,
            "select source_id, org_code_published, unmapped_reason from marts.unmapped_organisations",
        )
    }
    # Cardiff and Vale University Health Board in SSNAP
    assert reasons["ssnap_thrombectomy", "7A4"] == "welsh_provider"
    # Mid Staffordshire: closed in etr, no ODS successor
    assert reasons["shmi", "RJD"] == "closed_no_successor"
    # South London Healthcare (dissolved 2013): in no reference file
    assert reasons["shmi", "RYQ"] == "unknown_code"
    # Northern Irish trusts and Manx Care in SSNAP
    assert reasons["ssnap_thrombectomy", None] == "outside_england"
    # Cancer Waiting Times by Sub-ICB: commissioner UNKNOWN is kept, never forced onto an ICB
    assert reasons["cwt_sub_icb", None] == "unknown_code"
    assert ("ae_monthly", "independent_sector") in unmapped_rows


def test_roll_ups_sum_numerators_and_denominators_and_stay_apart(first_run):
    warehouse, _ = first_run
    derived_levels = {
        (source, level)
        for source, level in query(
            warehouse, "select distinct source_id, org_level from marts.fct_indicator_values where is_derived"
        )
    }
    for source in ("shmi", "ae_monthly", "ssnap_thrombectomy"):
        assert {(source, level) for level in ("icb", "nhs_region", "cancer_alliance", "isdn", "country")} <= (
            derived_levels
        )
    # the Dorset ICB SHMI for one period is sum(observed) / sum(expected) of its trusts, recomputed
    [(derived_value, derived_from)] = query(
        warehouse,
        "select value, derived_from_count from marts.fct_indicator_values where is_derived "
        "and source_id = 'shmi' and org_level = 'icb' and org_code = 'QVV' and period_end = date '2012-03-31'",
    )
    [(recomputed, trusts)] = query(
        warehouse,
        "select sum(numerator) / sum(denominator), count(*) from marts.fct_indicator_values "
        "where not is_derived and source_id = 'shmi' and icb_code = 'QVV' and period_end = date '2012-03-31' "
        "and value_status = 'published'",
    )
    assert derived_from == trusts >= 2
    assert derived_value == pytest.approx(recomputed)
    # the publisher's own England rows are kept as published, beside (never replaced by) ours
    flags = query(
        warehouse,
        "select distinct is_derived from marts.fct_indicator_values "
        "where source_id = 'ae_monthly' and org_level = 'country' order by 1",
    )
    assert flags == [(False,), (True,)]


def test_an_unmapped_share_above_the_limit_stops_publishing(first_run, tmp_path, sources_document):
    warehouse, _ = first_run
    before = published_state(warehouse)
    document = copy.deepcopy(sources_document)
    next(s for s in document["sources"] if s["id"] == "shmi")["max_unmapped_share"] = 0.001
    completed = run_cli(warehouse, write_sources(tmp_path / "sources.yml", document))
    assert completed.returncode != 0
    message = completed.stdout + completed.stderr
    assert "unmapped_share_shmi" in message
    assert "above the 0.1% allowed" in message
    assert published_state(warehouse) == before
