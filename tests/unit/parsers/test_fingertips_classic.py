"""The classic Fingertips API CSV parser, on the SYNTHETIC classic-shape CSV and small broken files."""

import importlib.util
from datetime import date

import pandas as pd
import pytest

from orchestration.parsers import PARSERS, ParseError
from orchestration.parsers.fingertips import OUTPUT_COLUMNS
from orchestration.parsers.fingertips_classic import parse_fingertips_classic_csv, parse_time_period
from orchestration.sources import Release, SourceConfigError, load_sources
from tests.conftest import PROJECT_ROOT, write_sources

_spec = importlib.util.spec_from_file_location(
    "generate_synthetic_fingertips_csv", PROJECT_ROOT / "scripts" / "generate_synthetic_fingertips_csv.py"
)
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

SOURCE = "fingertips"
RELEASE = Release(release="90000-icb", snapshot="x.csv", archived=True, indicator="90000")
HEADER = ",".join(generator.HEADER)
GOOD_ROW = (
    '90000,"Name, with comma",E92000001,England,E54000027,NHS North West London Integrated Care Board,ICBs,'
    "Persons,18+ yrs,,,2019/20,12.5,12.1,12.9,11.9,13.1,1250,10000,,No significant change,Worse,Worse,"
    "20190000,,,1y"
)
ENGLAND_ROW = (
    '90000,"Name, with comma",,,E92000001,England,England,Persons,18+ yrs,,,2019/20,11.5,11.4,11.6,'
    "11.3,11.7,460000,4000000,,Decreasing,,,20190000,,,1y"
)


@pytest.fixture(scope="module")
def icb(tmp_path_factory):
    path = generator.generate(
        tmp_path_factory.mktemp("ft") / "90000_icb.csv", indicator=90000, level="icb", years=3, seed=4
    )
    return parse_fingertips_classic_csv(path, RELEASE, SOURCE)


def _write(tmp_path, *lines: str, name: str = "classic.csv"):
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _parse(path, release: Release = RELEASE) -> pd.DataFrame:
    return parse_fingertips_classic_csv(path, release, SOURCE)


def test_registered_and_same_raw_columns_as_the_json_parser(icb):
    assert PARSERS["fingertips_classic_csv"] is parse_fingertips_classic_csv
    assert tuple(icb.columns) == OUTPUT_COLUMNS


def test_synthetic_icb_file_parses_to_icb_and_england_rows(icb):
    assert len(icb) == 3 * (5 + 42 * 3)
    icbs = icb[icb["area_code"].str.startswith("E54")]
    assert icbs["area_code"].nunique() == 42 and len(icbs) == 378
    assert set(icb["period_type"]) == {"Financial"}
    assert icb["period_from"].min() == pd.Timestamp("2021-04-01")
    assert icb["period_to"].max() == pd.Timestamp("2024-03-31")
    assert set(icb["polarity"]) == {"Unknown"} and set(icb["benchmark_method"]) == {"Unknown"}
    assert icb["source_row"].tolist() == list(range(2, len(icb) + 2))  # CSV lines below the header


def test_every_icb_row_is_compared_with_england_and_carries_englands_value(icb):
    icbs = icb[icb["area_code"].str.startswith("E54")]
    assert set(icbs["benchmark_area_code"]) == {"E92000001"} and set(icbs["benchmark_area_name"]) == {
        "England"
    }
    england = icb[(icb["area_code"] == "E92000001") & icb["deprivation_is_aggregate"]]
    expected = england.set_index(["sex", "period_from"])["value"]
    for _, row in icbs[icbs["benchmark_outcome"] != "NotCompared"].head(20).iterrows():
        assert row["benchmark_value"] == expected[(row["sex"], row["period_from"])]
    england_rows = icb[icb["area_code"] == "E92000001"]
    assert england_rows["benchmark_outcome"].isna().all() and england_rows["benchmark_area_code"].isna().all()


def test_suppressed_rows_are_null_never_zero(icb):
    suppressed = icb[icb["benchmark_outcome"] == "NotCompared"]
    assert len(suppressed) == 3 and set(suppressed["sex"]) == {"Female"}
    for column in ("value", "lower_ci", "upper_ci", "count"):
        assert suppressed[column].isna().all()


def test_aggregates_and_category_breakdown(icb):
    persons = icb[(icb["sex"] == "Persons") & icb["deprivation_is_aggregate"]]
    assert persons["is_aggregate"].all() and persons["sex_is_aggregate"].all()
    assert icb["age_is_aggregate"].all()  # one age (18+ yrs) for the indicator
    assert not icb[icb["sex"] == "Male"]["is_aggregate"].any()
    quintiles = icb[~icb["deprivation_is_aggregate"]]
    assert len(quintiles) == 6 and set(quintiles["deprivation"]) == {
        "1 - most deprived",
        "5 - least deprived",
    }
    assert set(icb[icb["deprivation_is_aggregate"]]["deprivation"]) == {"Persons"}


def test_gx_suite_accepts_the_synthetic_icb_and_sub_icb_files(icb, tmp_path):
    from orchestration.validation.gx_suites import load_suite, validate_frame

    suite = load_suite(PROJECT_ROOT / "expectations", SOURCE)
    assert validate_frame(icb, suite).success
    sub_icb = generator.generate(tmp_path / "sub.csv", indicator=90000, level="sub-icb", years=1, seed=1)
    frame = _parse(sub_icb)
    assert frame["area_code"].str.startswith("E38").sum() == 106 * 3
    assert validate_frame(frame, suite).success


def test_one_published_row_read_exactly(tmp_path):
    frame = _parse(_write(tmp_path, HEADER, ENGLAND_ROW, GOOD_ROW))
    row = frame.iloc[1]
    assert row["indicator_name"] == "Name, with comma"
    assert (row["value"], row["lower_ci"], row["upper_ci"], row["count"]) == (12.5, 12.1, 12.9, 1250)
    assert (row["benchmark_outcome"], row["benchmark_area_code"], row["benchmark_value"]) == (
        "Worse",
        "E92000001",
        11.5,
    )
    assert (row["period_from"], row["period_to"]) == (pd.Timestamp("2019-04-01"), pd.Timestamp("2020-03-31"))
    assert row["trend"] == "No significant change" and row["source_row"] == 3


def test_older_header_without_time_period_range_and_any_parent_comparison_name(tmp_path):
    header = HEADER.replace(",Time period range", "").replace(
        "Compared to parent value", "Compared to CCGs (from Apr 2021) value"
    )
    frame = _parse(_write(tmp_path, header, GOOD_ROW.removesuffix(",1y")))
    assert len(frame) == 1 and frame.iloc[0]["benchmark_outcome"] == "Worse"
    assert pd.isna(frame.iloc[0]["benchmark_value"])  # no England row in the file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", ("Calendar", date(2019, 1, 1), date(2019, 12, 31))),
        ("2019/20", ("Financial", date(2019, 4, 1), date(2020, 3, 31))),
        ("1999/00", ("Financial", date(1999, 4, 1), date(2000, 3, 31))),
        ("2017 - 19", ("CalendarMultiYear", date(2017, 1, 1), date(2019, 12, 31))),
        ("2017/18 - 19/20", ("FinancialMultiYear", date(2017, 4, 1), date(2020, 3, 31))),
        ("2019/20 Q1", ("Quarterly", date(2019, 4, 1), date(2019, 6, 30))),
        ("2019/20 Q4", ("Quarterly", date(2020, 1, 1), date(2020, 3, 31))),
        ("2019 Q3", ("Quarterly", date(2019, 7, 1), date(2019, 9, 30))),
        ("Feb 2020", ("Monthly", date(2020, 2, 1), date(2020, 2, 29))),
        ("2019/21", None),
        ("2019-20", None),
        ("Spring 2020", None),
        ("2019 - 17", None),
    ],
)
def test_time_period_shapes(text, expected):
    assert parse_time_period(text) == expected


def test_unknown_period_shape_names_file_row_and_column(tmp_path):
    path = _write(tmp_path, HEADER, GOOD_ROW.replace(",2019/20,", ",2019 to 2020,"))
    with pytest.raises(ParseError) as caught:
        _parse(path)
    message = str(caught.value)
    assert "classic.csv" in message and "row 2" in message and "'Time period'" in message
    assert "'2019 to 2020'" in message


def test_missing_column_is_named(tmp_path):
    header = HEADER.replace("Lower CI 95.0 limit", "Lower CI 95 limit")
    with pytest.raises(ParseError) as caught:
        _parse(_write(tmp_path, header, GOOD_ROW))
    message = str(caught.value)
    assert "classic.csv" in message and "row 1" in message and "'Lower CI 95.0 limit' is missing" in message


def test_bad_number_names_row_and_column(tmp_path):
    with pytest.raises(ParseError) as caught:
        _parse(_write(tmp_path, HEADER, ENGLAND_ROW, GOOD_ROW.replace(",12.9,", ",12.9x,")))
    message = str(caught.value)
    assert "row 3" in message and "'Upper CI 95.0 limit'" in message and "'12.9x'" in message


def test_unknown_comparison_outcome_is_refused(tmp_path):
    with pytest.raises(
        ParseError, match=r"row 2, column 'Compared to England value or percentiles'.*'Worse 95%'"
    ):
        _parse(_write(tmp_path, HEADER, GOOD_ROW.replace(",Worse,Worse,", ",Worse 95%,Worse,")))


def test_indicator_other_than_the_release_declares_is_refused(tmp_path):
    with pytest.raises(ParseError, match=r"row 2, column 'Indicator ID'.*holds indicator 90000.*'41101'"):
        _parse(_write(tmp_path, HEADER, GOOD_ROW), RELEASE.model_copy(update={"indicator": "41101"}))


def test_wrong_field_count_blank_key_and_empty_file(tmp_path):
    with pytest.raises(ParseError, match=r"row 2: expected 27 fields as in the header, found 26"):
        _parse(_write(tmp_path, HEADER, GOOD_ROW.removesuffix(",1y")))
    with pytest.raises(ParseError, match=r"row 2, column 'Area Code': expected a value, found a blank"):
        _parse(_write(tmp_path, HEADER, GOOD_ROW.replace(",E54000027,", ",,")))
    with pytest.raises(ParseError, match="expected at least one of the data rows below the header"):
        _parse(_write(tmp_path, HEADER))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty.csv: the file is empty"):
        _parse(empty)


def test_release_parser_override_is_validated(tmp_path, sources_document):
    fingertips = next(s for s in sources_document["sources"] if s["id"] == "fingertips")
    release = dict(fingertips["releases"][0], release="other", parser="no_such_parser")
    fingertips["releases"].append(release)
    path = write_sources(tmp_path / "sources.yml", {"schema_version": 1, "sources": [fingertips]})
    with pytest.raises(SourceConfigError, match=r"release 4 \('other'\), field 'parser': unknown parser"):
        load_sources(path, PROJECT_ROOT)
    release["parser"] = "fingertips_classic_csv"
    config = load_sources(write_sources(path, {"schema_version": 1, "sources": [fingertips]}), PROJECT_ROOT)
    source = config.by_id("fingertips")
    assert source.parser_of(source.release_by_label("other")) == "fingertips_classic_csv"
    assert source.parser_of(source.release_by_label("41101-london-region")) == "fingertips_next_json"
