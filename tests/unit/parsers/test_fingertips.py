import copy
import json

import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.fingertips import OUTPUT_COLUMNS, parse_fingertips_next_json
from orchestration.sources import Release, SourceConfigError, load_sources
from tests.conftest import write_sources
from tests.unit.parsers.helpers import PROJECT_ROOT, parsed, source

SOURCE = "fingertips"
RAG = "41101-london-region"
RAG_SEX = "41101-london-region-by-sex"
QUINTILES = "383-practice-a84022"


@pytest.fixture(scope="module")
def london():
    return parsed(SOURCE, RAG)


@pytest.fixture(scope="module")
def london_by_sex():
    return parsed(SOURCE, RAG_SEX)


@pytest.fixture(scope="module")
def practice():
    return parsed(SOURCE, QUINTILES)


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == (pd.Timestamp(value) if column.startswith("period_") else value)
    rows = frame[mask]
    assert len(rows) == 1, where
    return rows.iloc[0]


def _real(label: str) -> dict:
    release = source(SOURCE).release_by_label(label)
    return json.loads((PROJECT_ROOT / release.snapshot).read_text(encoding="utf-8"))


def test_london_response_parses_to_the_contract(london):
    assert tuple(london.columns) == OUTPUT_COLUMNS
    assert len(london) == 33  # Female, Male and Persons segments x 11 financial years
    assert london["source_row"].tolist() == list(range(1, 34))
    assert set(london["indicator_id"]) == {41101}
    assert set(london["area_code"]) == {"E12000007"} and set(london["area_name"]) == {"London Region"}
    assert london.groupby("sex").size().to_dict() == {"Female": 11, "Male": 11, "Persons": 11}
    assert set(london["age"]) == {"All ages"} and london["age_is_aggregate"].all()
    assert set(london["period_type"]) == {"Financial"}
    assert london["period_from"].min() == pd.Timestamp("2013-04-01")
    assert london["period_to"].max() == pd.Timestamp("2024-03-31")
    assert set(london["benchmark_method"]) == {"CIOverlappingReferenceValue95"}
    assert set(london["polarity"]) == {"LowIsGood"}
    assert set(london["benchmark_area_code"]) == {"E92000001"}
    assert london["benchmark_outcome"].value_counts().to_dict() == {"Worse": 28, "Similar": 5}


def test_london_female_2013_14_is_worse_than_england(london):
    row = _one(london, sex="Female", period_from="2013-04-01")
    assert (row["count"], row["value"], row["lower_ci"], row["upper_ci"]) == (52910, 12.5, 12.3, 12.6)
    assert row["period_to"] == pd.Timestamp("2014-03-31")
    assert (row["benchmark_outcome"], row["benchmark_area_code"], row["benchmark_value"]) == (
        "Worse",
        "E92000001",
        12.1,
    )
    assert not row["sex_is_aggregate"] and not row["is_aggregate"] and row["deprivation_is_aggregate"]
    assert row["trend"] == "Not yet calculated"


def test_london_female_2023_24_upper_limit_touching_england_is_similar(london):
    row = _one(london, sex="Female", period_from="2023-04-01")
    published = (row["value"], row["lower_ci"], row["upper_ci"], row["benchmark_value"])
    assert published == (14.4, 14.3, 14.6, 14.6)
    assert row["benchmark_outcome"] == "Similar" and row["trend"] == "Cannot be calculated"


def test_by_sex_response_compares_with_london_persons(london, london_by_sex):
    assert len(london_by_sex) == 33
    key = ["sex", "period_from", "count", "value", "lower_ci", "upper_ci"]
    assert london_by_sex[key].equals(london[key])  # the same values, another comparison
    persons = london_by_sex[london_by_sex["sex"] == "Persons"]
    assert persons["benchmark_outcome"].isna().all() and persons["benchmark_area_code"].isna().all()
    compared = london_by_sex[london_by_sex["sex"] != "Persons"]
    assert set(compared["benchmark_area_code"]) == {"E12000007"}
    assert compared["benchmark_outcome"].value_counts().to_dict() == {"Better": 11, "Worse": 11}
    row = _one(london_by_sex, sex="Female", period_from="2013-04-01")
    assert (row["benchmark_outcome"], row["benchmark_value"]) == ("Better", 12.9)
    assert _one(london, sex="Persons", period_from="2013-04-01")["value"] == 12.9


def test_practice_response_quintiles_without_intervals(practice):
    assert len(practice) == 13  # calendar years 2012 to 2024; the repeated area-level series is ignored
    assert set(practice["area_code"]) == {"A84022"} and set(practice["area_name"]) == {"Coquet Medical Group"}
    assert set(practice["age"]) == {"16+ yrs"} and set(practice["sex"]) == {"Persons"}
    assert set(practice["benchmark_method"]) == {"Quintiles"} and set(practice["polarity"]) == {"NoJudgement"}
    assert practice["lower_ci"].isna().all() and practice["upper_ci"].isna().all()
    assert practice["benchmark_value"].isna().all()
    assert practice["benchmark_outcome"].value_counts().to_dict() == {
        "Middle": 6,
        "High": 3,
        "Highest": 2,
        "Low": 1,
        "Lowest": 1,
    }
    row = _one(practice, period_from="2014-01-01")
    assert row["count"] == pytest.approx(0.908316257)  # a weighted survey count, not whole
    assert row["value"] == pytest.approx(0.542277333841737)
    zero = _one(practice, period_from="2012-01-01")
    assert (zero["count"], zero["value"], zero["benchmark_outcome"]) == (0, 0, "Low")


# --------------------------------------------------------------------------------------------------
# Broken responses


def _release(indicator: str | None = "41101") -> Release:
    return Release(release="test", archived=True, snapshot="inline.json", indicator=indicator)


def _write(write_file, data: object, name: str = "response.json"):
    return write_file(name, json.dumps(data) if not isinstance(data, str | bytes) else data)


def _broken(write_file, change, label: str = RAG) -> ParseError:
    data = copy.deepcopy(_real(label))
    change(data)
    with pytest.raises(ParseError) as caught:
        parse_fingertips_next_json(_write(write_file, data), _release(None), SOURCE)
    return caught.value


def _point(data: dict, segment: int = 1, point: int = 3) -> dict:
    return data["areaHealthData"][0]["indicatorSegments"][segment]["healthData"][point]


def test_missing_key_names_the_json_path(write_file):
    error = _broken(write_file, lambda d: _point(d).pop("value"))
    assert "response.json" in str(error)
    assert "areaHealthData[0].indicatorSegments[1].healthData[3].value" in str(error)
    assert "required key 'value' is missing" in str(error)


def test_number_written_as_text(write_file):
    error = _broken(write_file, lambda d: _point(d).update(value="12.5"))
    assert "at areaHealthData[0].indicatorSegments[1].healthData[3].value" in str(error)
    assert "expected a JSON number or null, found '12.5'" in str(error)


def test_unknown_benchmark_outcome(write_file):
    error = _broken(write_file, lambda d: _point(d, 0, 2)["benchmarkComparison"].update(outcome="Amber"))
    assert "healthData[2].benchmarkComparison.outcome" in str(error) and "'Amber'" in str(error)


def test_bad_dates(write_file):
    error = _broken(write_file, lambda d: _point(d)["datePeriod"].update({"from": "01/04/2016"}))
    assert "healthData[3].datePeriod.from: expected a date as YYYY-MM-DD, found '01/04/2016'" in str(error)
    error = _broken(write_file, lambda d: _point(d)["datePeriod"].update({"to": "2015-03-31"}))
    expected = "healthData[3].datePeriod.to: the period ends (2015-03-31) before it starts (2016-04-01)"
    assert expected in str(error)


def test_sex_on_segment_and_point_must_agree(write_file):
    error = _broken(write_file, lambda d: _point(d, 0, 0)["sex"].update(value="Female"), label=QUINTILES)
    assert "healthData[0].sex: the sex ('Female', True) disagrees" in str(error)


def test_missing_age_everywhere(write_file):
    def drop(data):
        for segment in data["areaHealthData"][0]["indicatorSegments"]:
            segment.pop("age", None)

    error = _broken(write_file, drop)
    assert "expected the age on the segment or on the data point, found neither" in str(error)


def test_indicator_must_match_the_release(write_file):
    path = _write(write_file, _real(QUINTILES))
    with pytest.raises(ParseError, match=r"holds indicator 383 but the release declares indicator '41101'"):
        parse_fingertips_next_json(path, _release("41101"), SOURCE)
    assert len(parse_fingertips_next_json(path, _release("383"), SOURCE)) == 13


def test_empty_invalid_and_dataless_files(write_file):
    with pytest.raises(ParseError, match="the file is empty"):
        parse_fingertips_next_json(write_file("empty.json", ""), _release(), SOURCE)
    with pytest.raises(ParseError, match=r"bad\.json, row 1: not valid JSON"):
        parse_fingertips_next_json(write_file("bad.json", '{"indicatorId": 41101,'), _release(), SOURCE)
    data = _real(RAG) | {"areaHealthData": []}
    with pytest.raises(ParseError, match="expected at least one data point"):
        parse_fingertips_next_json(_write(write_file, data), _release(), SOURCE)


# --------------------------------------------------------------------------------------------------
# The configurable indicator list in sources.yml


def _fingertips_entry(document: dict) -> dict:
    return next(entry for entry in document["sources"] if entry["id"] == SOURCE)


def test_sources_yml_lists_the_indicators_each_release_holds():
    entry = source(SOURCE)
    assert entry.indicators == ["41101", "383"]
    assert [release.indicator for release in entry.releases] == ["41101", "41101", "383"]


def test_a_release_must_name_a_listed_indicator(tmp_path, sources_document):
    _fingertips_entry(sources_document)["releases"][2]["indicator"] = "90453"
    with pytest.raises(SourceConfigError, match=r"release 3 \('383-practice-a84022'\), field 'indicator'"):
        load_sources(write_sources(tmp_path / "sources.yml", sources_document), PROJECT_ROOT)


def test_an_indicator_needs_the_sources_list(tmp_path, sources_document):
    _fingertips_entry(sources_document).pop("indicators")
    with pytest.raises(SourceConfigError, match="declares no 'indicators' list"):
        load_sources(write_sources(tmp_path / "sources.yml", sources_document), PROJECT_ROOT)
