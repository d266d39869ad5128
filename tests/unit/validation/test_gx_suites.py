"""The GX suites pass on every real bundled release and catch realistic breakage with the value shown."""

import json
from functools import cache

import great_expectations as gx
import pandas as pd
import pytest

from orchestration.validation.gx_suites import (
    ExpectationOutcome,
    SuiteError,
    ValidationReport,
    load_suite,
    validate_frame,
)
from tests.unit.parsers.helpers import PROJECT_ROOT, parsed, sources_config

EXPECTATIONS = PROJECT_ROOT / "expectations"
ALL_RELEASES = [
    (source.id, release.release) for source in sources_config().sources for release in source.releases
]


@cache
def suite_for(source_id: str) -> gx.ExpectationSuite:
    return load_suite(EXPECTATIONS, sources_config().by_id(source_id).expectation_suite)


def small(source_id: str, label: str, rows: int = 30) -> pd.DataFrame:
    return parsed(source_id, label).head(rows).reset_index(drop=True)


def failed(report: ValidationReport) -> dict[tuple[str, str | None], ExpectationOutcome]:
    return {(o.expectation_type, o.column): o for o in report.failures()}


def test_every_source_has_a_loadable_suite_file():
    for source in sources_config().sources:
        path = EXPECTATIONS / f"{source.expectation_suite}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        assert suite.name == source.expectation_suite
        types = {e["type"] for e in data["expectations"]}
        assert "expect_table_row_count_to_be_between" in types
        assert "expect_table_columns_to_match_ordered_list" in types
        assert types & {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}


def test_missing_or_misnamed_suite(tmp_path):
    with pytest.raises(SuiteError, match="file not found"):
        load_suite(tmp_path, "nope")
    (tmp_path / "wrong.json").write_text(json.dumps({"name": "other", "expectations": []}))
    with pytest.raises(SuiteError, match="declares name 'other'"):
        load_suite(tmp_path, "wrong")


@pytest.mark.parametrize(("source_id", "label"), ALL_RELEASES, ids=[f"{s}-{r}" for s, r in ALL_RELEASES])
def test_every_bundled_release_passes_its_suite(source_id, label):
    report = validate_frame(parsed(source_id, label), suite_for(source_id))
    assert report.success, report.summary(source_id, label)
    assert report.failed == 0
    assert report.evaluated == len(suite_for(source_id).expectations)
    assert all(o.success and o.unexpected_sample == () for o in report.outcomes)


def test_shmi_negative_count_and_numerator_above_denominator():
    frame = small("shmi", "2011-10")
    frame.loc[2, "spells"] = -5
    frame.loc[4, "observed_deaths"] = 999_999
    report = validate_frame(frame, suite_for("shmi"))
    assert not report.success
    problems = failed(report)
    negative = problems[("expect_column_values_to_be_between", "spells")]
    assert negative.unexpected_count == 1 and negative.unexpected_sample == ("-5",)
    pair = problems[("expect_column_pair_values_a_to_be_greater_than_b", "spells, observed_deaths")]
    assert pair.unexpected_count == 2  # row 2 (-5 < 913-ish) and row 4
    assert any("999999" in value for value in pair.unexpected_sample)
    summary = report.summary("shmi", "shmi-2011-october.csv")
    assert summary.startswith("shmi: shmi-2011-october.csv failed")
    assert "expect_column_values_to_be_between on 'spells': 1 unexpected, e.g. -5" in summary


def test_shmi_bad_code_duplicate_key_banding_and_value_range():
    frame = small("shmi", "2012-07")
    frame.loc[1, "provider_code"] = "bad!"
    frame.loc[3, "provider_code"] = frame.loc[5, "provider_code"]
    frame.loc[6, "od_banding"] = 4
    frame.loc[7, "shmi_value"] = 7.5
    problems = failed(validate_frame(frame, suite_for("shmi")))
    assert problems[("expect_column_values_to_match_regex", "provider_code")].unexpected_sample == ("'bad!'",)
    duplicate = problems[("expect_column_values_to_be_unique", "provider_code")]
    assert duplicate.unexpected_count == 2
    assert repr(frame.loc[5, "provider_code"]) in duplicate.unexpected_sample
    assert problems[("expect_column_values_to_be_in_set", "od_banding")].unexpected_sample == ("4",)
    assert problems[("expect_column_values_to_be_between", "shmi_value")].unexpected_sample == ("7.5",)


def test_shmi_marker_parsed_to_null_is_caught():
    frame = small("shmi", "2013-04")
    frame["observed_deaths"] = frame["observed_deaths"].astype("Int64")
    frame.loc[0, "observed_deaths"] = pd.NA
    outcome = failed(validate_frame(frame, suite_for("shmi")))[
        ("expect_column_values_to_not_be_null", "observed_deaths")
    ]
    assert outcome.unexpected_count == 1


def test_dropped_required_column_fails_the_column_list():
    frame = small("shmi", "2014-04").drop(columns=["observed_deaths"])
    report = validate_frame(frame, suite_for("shmi"))
    outcome = failed(report)[("expect_table_columns_to_match_ordered_list", None)]
    assert any("observed_deaths" in value for value in outcome.unexpected_sample)
    assert "on the table" in report.summary("shmi", "f.csv")


def test_ae_over_4hrs_above_attendances_and_negative():
    frame = small("ae_monthly", "2025-04")
    frame.loc[0, "over_4hrs_type_1"] = frame.loc[0, "attendances_type_1"] + 10
    frame.loc[1, "dta_wait_12_plus_hrs"] = -1
    frame.loc[2, "org_code"] = "R 1"
    problems = failed(validate_frame(frame, suite_for("ae_monthly")))
    pair = problems[
        ("expect_column_pair_values_a_to_be_greater_than_b", "attendances_type_1, over_4hrs_type_1")
    ]
    assert pair.unexpected_count == 1
    assert problems[("expect_column_values_to_be_between", "dta_wait_12_plus_hrs")].unexpected_sample == (
        "-1",
    )
    assert problems[("expect_column_values_to_match_regex", "org_code")].unexpected_sample == ("'R 1'",)
    assert len(problems) == 3


def test_etr_bad_region_and_icb_codes():
    frame = small("ods_etr", "2025-07")
    frame.loc[0, "national_grouping"] = "X12"
    frame.loc[1, "high_level_health_geography"] = "ZZZ"
    frame.loc[2, "org_code"] = frame.loc[3, "org_code"]
    problems = failed(validate_frame(frame, suite_for("ods_etr")))
    assert problems[("expect_column_values_to_match_regex", "national_grouping")].unexpected_sample == (
        "'X12'",
    )
    assert problems[
        ("expect_column_values_to_match_regex", "high_level_health_geography")
    ].unexpected_sample == ("'ZZZ'",)
    assert ("expect_column_values_to_be_unique", "org_code") in problems


def test_succ_bad_flag_and_duplicate():
    frame = small("ods_succ", "2026-05")
    frame.loc[0, "indicator_flag"] = "2"
    frame.loc[5] = frame.loc[4]
    problems = failed(validate_frame(frame, suite_for("ods_succ")))
    assert problems[("expect_column_values_to_be_in_set", "indicator_flag")].unexpected_sample == ("'2'",)
    compound = problems[
        ("expect_compound_columns_to_be_unique", "predecessor_code, successor_code, effective_date")
    ]
    assert compound.unexpected_count == 2


def test_ons_bad_codes():
    frame = small("ons_sicbl_icb_nhser", "2024-04")
    frame.loc[0, "icb_ons_code"] = "E99000001"
    frame.loc[1, "nhser_ods_code"] = "Y6"
    frame.loc[2, "icb_ods_code"] = "S1Y5D"  # a 2026 ICB code: not a Q-code, so the suite must be revisited
    problems = failed(validate_frame(frame, suite_for("ons_sicbl_icb_nhser")))
    assert problems[("expect_column_values_to_match_regex", "icb_ons_code")].unexpected_sample == (
        "'E99000001'",
    )
    assert problems[("expect_column_values_to_match_regex", "nhser_ods_code")].unexpected_sample == ("'Y6'",)
    assert problems[("expect_column_values_to_match_regex", "icb_ods_code")].unexpected_sample == ("'S1Y5D'",)


def test_ssnap_unknown_text_percent_range_data_type_and_duplicate_key():
    frame = small("ssnap_thrombectomy", "2023-24", rows=200)
    percent_rows = frame.index[frame["data_type"] == "%"]
    count_rows = frame.index[frame["data_type"] == "d"]
    frame.loc[0, "value_text"] = "n/a"
    frame.loc[percent_rows[0], "value_numeric"] = 150.0
    frame.loc[count_rows[0], "value_numeric"] = 500.0  # above 100 but a denominator: fine
    frame.loc[1, "data_type"] = "mean"
    frame.loc[3, "team_name"] = None  # a team column without a name
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("ssnap_thrombectomy")))
    assert problems[("expect_column_values_to_match_regex", "value_text")].unexpected_sample == ("'n/a'",)
    assert problems[("expect_column_values_to_be_between", "value_numeric")].unexpected_sample == ("150.0",)
    assert problems[("expect_column_values_to_be_in_set", "data_type")].unexpected_sample == ("'mean'",)
    assert problems[("expect_column_values_to_not_be_null", "team_name")].unexpected_count == 1
    key = "sheet, team_name, trust_name, is_national, category, item, data_type"
    duplicate = problems[("expect_compound_columns_to_be_unique", key)]
    assert duplicate.unexpected_count == 2
    assert len(problems) == 5


def test_ssnap_duplicated_national_row_is_caught():
    frame = small("ssnap_thrombectomy", "2022-23", rows=60)
    national = frame.index[frame["is_national"]][0]
    frame = pd.concat([frame, frame.loc[[national]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("ssnap_thrombectomy")))
    assert len(problems) == 1
    (outcome,) = problems.values()
    assert outcome.expectation_type == "expect_compound_columns_to_be_unique"
    assert outcome.unexpected_count == 2


def test_empty_frame_fails_row_count():
    frame = small("ods_etr", "2016").iloc[0:0]
    outcome = failed(validate_frame(frame, suite_for("ods_etr")))[
        ("expect_table_row_count_to_be_between", None)
    ]
    assert outcome.unexpected_sample == ("observed 0",)


def test_report_for_a_passing_frame():
    report = validate_frame(small("ods_etr", "2021"), suite_for("ods_etr"))
    assert report.success and report.failures() == []
    assert report.summary("ods_etr", "etr.csv") == (
        f"ods_etr: etr.csv passed all {report.evaluated} expectations of suite 'ods_etr'"
    )
    outcome = report.outcomes[0]
    assert isinstance(outcome, ExpectationOutcome) and outcome.success


def test_stroke_units_welsh_area_thrombectomy_without_thrombolysis_and_unknown_isdn():
    frame = parsed("stroke_units", "2022")
    welsh = frame.index[frame["country"] == "Wales"][0]
    frame.loc[welsh, "area_type"] = "SICBL"
    frame.loc[0, "use_ivt"] = 0  # Queens Romford gives thrombectomy (use_mt 1)
    frame.loc[1, "isdn_name"] = "Thames Vally"
    frame.loc[2, "unit_postcode"] = "SW6 6SX"
    problems = failed(validate_frame(frame, suite_for("stroke_units")))
    assert problems[("expect_column_pair_values_to_be_in_set", "country, area_type")].unexpected_count == 1
    pair = problems[("expect_column_pair_values_a_to_be_greater_than_b", "use_ivt, use_mt")]
    assert pair.unexpected_count == 1
    isdn = problems[("expect_column_values_to_be_in_set", "isdn_name")]
    assert isdn.unexpected_sample == ("'Thames Vally'",)
    postcode = problems[("expect_column_values_to_match_regex", "unit_postcode")]
    assert postcode.unexpected_sample == ("'SW6 6SX'",)
    assert len(problems) == 4


def test_network_code_and_name_disagree_unknown_network_and_2026_icb_code():
    epilepsy = parsed("rcpch_epilepsy_networks", "2024")
    epilepsy.loc[0, "network_name"] = "South Wales Epilepsy Forum"  # 7A1 is in EPIC, not SWEP
    problems = failed(validate_frame(epilepsy, suite_for("rcpch_epilepsy_networks")))
    assert list(problems) == [("expect_column_pair_values_to_be_in_set", "network_code, network_name")]

    diabetes = parsed("rcpch_diabetes_networks", "2024")
    diabetes.loc[0, "network_code"] = "PN13"
    diabetes.loc[1, "unit_code"] = diabetes.loc[2, "unit_code"]
    problems = failed(validate_frame(diabetes, suite_for("rcpch_diabetes_networks")))
    assert problems[("expect_column_values_to_be_in_set", "network_code")].unexpected_sample == ("'PN13'",)
    assert ("expect_column_pair_values_to_be_in_set", "network_code, network_name") in problems
    assert problems[("expect_column_values_to_be_unique", "unit_code")].unexpected_count == 2

    hin = parsed("hin_icbs", "2024")
    hin.loc[0, "icb_ods_code"] = "S1Y5D"  # a 2026 ICB code: the suite must be revisited with the file
    problems = failed(validate_frame(hin, suite_for("hin_icbs")))
    assert list(problems) == [("expect_column_values_to_match_regex", "icb_ods_code")]


def test_cancer_alliance_codes_and_duplicates():
    cal = parsed("ons_cancer_alliances", "2024-04")
    cal.loc[0, "cancer_alliance_ons_code"] = "E54000008"  # an ICB code where an alliance code belongs
    cal.loc[2, "cancer_alliance_name"] = cal.loc[1, "cancer_alliance_name"]
    problems = failed(validate_frame(cal, suite_for("ons_cancer_alliances")))
    assert problems[
        ("expect_column_values_to_match_regex", "cancer_alliance_ons_code")
    ].unexpected_sample == ("'E54000008'",)
    assert problems[("expect_column_values_to_be_unique", "cancer_alliance_name")].unexpected_count == 2
    ncpes = small("ncpes_sicbl_cancer_alliance", "2022")
    ncpes.loc[3, "sicbl_ods_code"] = ncpes.loc[4, "sicbl_ods_code"]
    problems = failed(validate_frame(ncpes, suite_for("ncpes_sicbl_cancer_alliance")))
    assert list(problems) == [("expect_column_values_to_be_unique", "sicbl_ods_code")]


def test_qof_region_period_and_practice():
    frame = small("qof_practice_geography", "2023-24")
    frame.loc[0, "region_ods_code"] = "Y54"  # a pre-2020 region
    frame.loc[1, "practice_code"] = "a81002"
    frame["period_end"] = frame["period_start"]
    problems = failed(validate_frame(frame, suite_for("qof_practice_geography")))
    assert problems[("expect_column_values_to_be_in_set", "region_ods_code")].unexpected_sample == ("'Y54'",)
    assert problems[("expect_column_values_to_match_regex", "practice_code")].unexpected_sample == (
        "'a81002'",
    )
    assert problems[
        ("expect_column_pair_values_a_to_be_greater_than_b", "period_end, period_start")
    ].unexpected_count == len(frame)


def test_epraccur_status_sub_type_setting_and_dates():
    frame = small("ods_epraccur", "2023-04")
    frame.loc[0, "status_code"] = "X"
    frame.loc[1, "org_sub_type_code"] = "Q"
    frame.loc[2, "prescribing_setting"] = "99"
    frame.loc[3, "close_date"] = frame.loc[3, "open_date"] - pd.Timedelta(days=1)
    problems = failed(validate_frame(frame, suite_for("ods_epraccur")))
    assert problems[("expect_column_values_to_be_in_set", "status_code")].unexpected_sample == ("'X'",)
    assert problems[("expect_column_values_to_be_in_set", "org_sub_type_code")].unexpected_sample == ("'Q'",)
    assert problems[("expect_column_values_to_match_regex", "prescribing_setting")].unexpected_sample == (
        "'99'",
    )
    assert ("expect_column_pair_values_a_to_be_greater_than_b", "close_date, open_date") in problems
    assert len(problems) == 4


def test_cwt_old_standard_route_mismatch_counts_and_duplicate():
    frame = small("cwt_provider", "2023-10", rows=40)
    frame.loc[0, "standard"] = "2WW"  # a pre-October-2023 standard: no indicator maps it
    frame.loc[1, "stage_route"] = "First Treatment"  # a 31-day stage on a 28-day FDS row
    frame.loc[2, "within_standard"] = frame.loc[2, "total_treated"] + 1
    frame.loc[3, "breaches"] = -1.0
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("cwt_provider")))
    assert problems[("expect_column_values_to_be_in_set", "standard")].unexpected_sample == ("'2WW'",)
    routes = problems[("expect_column_pair_values_to_be_in_set", "standard, stage_route")]
    assert "('28-day FDS', 'First Treatment')" in routes.unexpected_sample  # (and the 2WW row)
    within = problems[("expect_column_pair_values_a_to_be_greater_than_b", "total_treated, within_standard")]
    assert within.unexpected_count == 1
    assert problems[("expect_column_values_to_be_between", "breaches")].unexpected_sample == ("-1.0",)
    key = "period_month, standard, org_code, stage_route, treatment_modality, cancer_type"
    assert problems[("expect_compound_columns_to_be_unique", key)].unexpected_count == 2
    assert len(problems) == 5


def test_cwt_sub_icb_bad_code_and_sub_category():
    frame = small("cwt_sub_icb", "2023-04-to-2023-10")
    frame.loc[0, "sub_icb_code"] = "Unknown"
    frame.loc[1, "sub_category"] = "62-day (Screening)"  # a 62-day route on a 28-day FDS row
    problems = failed(validate_frame(frame, suite_for("cwt_sub_icb")))
    assert problems[("expect_column_values_to_match_regex", "sub_icb_code")].unexpected_sample == (
        "'Unknown'",
    )
    assert ("expect_column_pair_values_to_be_in_set", "standard, sub_category") in problems
    assert len(problems) == 2


def test_ae_nulls_of_the_xls_layout_pass_only_in_its_months():
    # December 2019 (.xls workbook): no booked split, no 4-12 hour band, '-' (NULL) where a trust
    # reported no 4-hour figures, England coded '-': the suite holds (also run above on every release).
    assert validate_frame(parsed("ae_monthly", "2019-12"), suite_for("ae_monthly")).success
    frame = small("ae_monthly", "2025-04")
    frame.loc[0, "attendances_booked_type_1"] = pd.NA
    frame.loc[1, "over_4hrs_type_1"] = pd.NA
    frame.loc[2, "org_code"] = "-"  # a provider row coded like England
    failures = validate_frame(frame, suite_for("ae_monthly")).failures()
    assert sorted((o.expectation_type, o.column, o.unexpected_count) for o in failures) == [
        ("expect_column_values_to_match_regex", "org_code", 1),
        ("expect_column_values_to_not_be_null", "attendances_booked_type_1", 1),
        ("expect_column_values_to_not_be_null", "over_4hrs_type_1", 1),
    ]


def test_rtt_waits_above_total_bad_codes_part_and_repeated_row():
    frame = small("rtt", "2024-06")
    frame.loc[0, "waits_over_52_weeks"] = frame.loc[0, "total_all"] + 1
    frame.loc[1, "treatment_function_code"] = "999"
    frame.loc[2, "rtt_part_description"] = "Incomplete Pathways"  # on a Part_1A row
    frame.loc[3, "gt_51_to_52_weeks"] = -1
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("rtt")))
    above = problems[("expect_column_pair_values_a_to_be_greater_than_b", "total_all, waits_over_52_weeks")]
    assert above.unexpected_count == 1
    assert problems[("expect_column_values_to_match_regex", "treatment_function_code")].unexpected_sample == (
        "'999'",
    )
    assert ("expect_column_pair_values_to_be_in_set", "rtt_part_type, rtt_part_description") in problems
    assert problems[("expect_column_values_to_be_between", "gt_51_to_52_weeks")].unexpected_sample == ("-1",)
    key = "period_label, provider_org_code, commissioner_org_code, rtt_part_type, treatment_function_code"
    assert problems[("expect_compound_columns_to_be_unique", key)].unexpected_count == 2
    assert len(problems) == 5


def test_cvdprevent_icb_ods_code_sex_attribute_value_outside_its_limits_and_repeated_row():
    frame = parsed("cvdprevent", "CVDP001HYP-icb-2026-03")
    frame.loc[0, "area_code"] = "QHG"  # an ICB's ODS code: the API publishes ICBs by ONS code
    frame.loc[1, "category_attribute"] = "Unknown"  # read as sex by the indicator model
    frame.loc[2, "value"] = frame.loc[2, "upper_confidence_limit"] + 1
    frame.loc[3, "numerator"] = frame.loc[3, "denominator"] + 5
    frame.loc[4, "metric_category_type_name"] = "Religion"  # a breakdown not yet documented
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("cvdprevent")))
    assert problems[("expect_column_values_to_match_regex", "area_code")].unexpected_sample == ("'QHG'",)
    assert problems[("expect_column_values_to_be_in_set", "category_attribute")].unexpected_sample == (
        "'Unknown'",
    )
    upper = problems[("expect_column_pair_values_a_to_be_greater_than_b", "upper_confidence_limit, value")]
    assert upper.unexpected_count == 1
    pair = problems[("expect_column_pair_values_a_to_be_greater_than_b", "denominator, numerator")]
    assert pair.unexpected_count == 1
    assert ("expect_column_values_to_be_in_set", "metric_category_type_name") in problems
    key = (
        "area_code, indicator_code, time_period_name, metric_category_type_name, metric_category_name, "
        "category_attribute"
    )
    assert problems[("expect_compound_columns_to_be_unique", key)].unexpected_count == 2
    assert len(problems) == 6


def test_ssnap_org_audit_key_indicator_answer_and_duplicate_cell_are_caught():
    frame = small("ssnap_org_audit", "2021", rows=400)
    ki = frame.index[frame["row_kind"] == "key_indicator"][0]
    frame.loc[ki, "value_text"] = "Partly"
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    problems = failed(validate_frame(frame, suite_for("ssnap_org_audit")))
    assert problems[("expect_column_values_to_be_in_set", "value_text")].unexpected_sample == ("'Partly'",)
    assert problems[("expect_compound_columns_to_be_unique", "site_name, source_row")].unexpected_count == 2
    assert (
        problems[("expect_compound_columns_to_be_unique", "source_column, source_row")].unexpected_count == 2
    )
    assert len(problems) == 3
