"""The SQL validator (large files) and the GX validator agree, expectation by expectation, on real files."""

import json

import duckdb
import pandas as pd
import pytest

from orchestration.validation.gx_suites import SuiteError, load_suite, validate_frame
from orchestration.validation.sql_suite import load_suite_json, validate_relation
from tests.unit.parsers.helpers import PROJECT_ROOT, parsed, sources_config

EXPECTATIONS = PROJECT_ROOT / "expectations"
ALL_RELEASES = [
    (source.id, release.release) for source in sources_config().sources for release in source.releases
]


def both(frame: pd.DataFrame, suite_name: str):
    gx_report = validate_frame(frame, load_suite(EXPECTATIONS, suite_name))
    with duckdb.connect() as con:
        con.register("parsed_file", frame)
        sql_report = validate_relation(con, "parsed_file", load_suite_json(EXPECTATIONS, suite_name))
    return gx_report, sql_report


def assert_agree(gx_report, sql_report):
    # GX reports in its own order: compare expectation by expectation, keyed by type and column
    def key(o):
        return (o.expectation_type, o.column or "", o.success, o.unexpected_count or 0)

    assert len(gx_report.outcomes) == len(sql_report.outcomes)
    for ours, theirs in zip(
        sorted(sql_report.outcomes, key=key), sorted(gx_report.outcomes, key=key), strict=True
    ):
        assert ours.expectation_type == theirs.expectation_type
        assert ours.success == theirs.success, (ours, theirs)
        if theirs.unexpected_count is not None and ours.unexpected_count is not None:
            assert ours.unexpected_count == theirs.unexpected_count, (ours, theirs)
    assert sql_report.success == gx_report.success


@pytest.mark.parametrize(("source_id", "label"), ALL_RELEASES, ids=[f"{s}-{r}" for s, r in ALL_RELEASES])
def test_sql_and_gx_agree_on_every_real_release(source_id, label):
    suite_name = sources_config().by_id(source_id).expectation_suite
    gx_report, sql_report = both(parsed(source_id, label), suite_name)
    assert sql_report.success
    assert_agree(gx_report, sql_report)


def test_sql_and_gx_agree_on_broken_cvdprevent_rows():
    frame = parsed("cvdprevent", sources_config().by_id("cvdprevent").releases[0].release).copy()
    frame.loc[3, "area_code"] = "not-a-code"
    frame.loc[4, "value"] = 140.0
    frame.loc[5, "metric_category_type_name"] = "Shoe size"
    frame.loc[6, "numerator"] = frame.loc[6, "denominator"] + 10
    frame.loc[7, "area_name"] = None
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)  # a duplicated key
    gx_report, sql_report = both(frame, "cvdprevent")
    assert not sql_report.success
    assert_agree(gx_report, sql_report)
    failed = {(o.expectation_type, o.column): o for o in sql_report.failures()}
    regex = failed[("expect_column_values_to_match_regex", "area_code")]
    assert regex.unexpected_sample == ("'not-a-code'",)
    assert regex.unexpected_rows == (int(frame.loc[3, "source_row"]),)
    assert failed[("expect_column_values_to_be_between", "value")].unexpected_count == 1
    compound = next(
        o for o in failed.values() if o.expectation_type == "expect_compound_columns_to_be_unique"
    )
    assert compound.unexpected_count == 2
    # value 140 also breaks upper_confidence_limit >= value: 7 failures, as GX counts them
    assert "failed 7 of" in sql_report.summary("cvdprevent", "file.csv")


def test_unsupported_condition_is_an_error(tmp_path):
    suite = {
        "name": "odd",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a", "row_condition": "a > b"},
            }
        ],
    }
    (tmp_path / "odd.json").write_text(json.dumps(suite))
    with duckdb.connect() as con, pytest.raises(SuiteError, match="not supported"):
        validate_relation(con, "(select 1 as a, 2 as b)", load_suite_json(tmp_path, "odd"))
