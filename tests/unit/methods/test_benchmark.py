"""The Fingertips benchmark rule, on crafted values and on real FingertipsNext responses."""

import csv
import json
import math
from pathlib import Path

import pytest

from orchestration.methods import POLARITIES, compare_to_benchmark

PROJECT_ROOT = Path(__file__).resolve().parents[3]
FINGERTIPS = PROJECT_ROOT / "data" / "snapshots" / "fingertips"
RESPONSES = (
    "fingertipsnext_api_test-indicators-benchmark-rag_expected-response.json",
    "fingertipsnext_api_test-indicators-benchmark-rag-sex_expected-response.json",
)
# Fingertips' polarity words (indicators.csv) in the catalogue's vocabulary.
FINGERTIPS_POLARITY = {
    "Low is good": "lower_is_better",
    "High is good": "higher_is_better",
    "No judgement": "no_judgement",
}
FINGERTIPS_OUTCOME = {
    "Better": "better",
    "Worse": "worse",
    "Similar": "similar",
    "Higher": "higher",
    "Lower": "lower",
}


def test_polarity_vocabulary_is_the_catalogues():
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "indicator_catalogue.csv").open(encoding="utf-8") as f:
        used = {row["polarity"] for row in csv.DictReader(f)}
    assert used <= set(POLARITIES)


@pytest.mark.parametrize(
    ("comparator", "polarity", "expected"),
    [
        (12.0, "higher_is_better", "similar"),
        (10.0, "higher_is_better", "similar"),  # the lower end is inside
        (14.0, "lower_is_better", "similar"),  # the upper end is inside
        (9.0, "higher_is_better", "better"),
        (9.0, "lower_is_better", "worse"),
        (9.0, "no_judgement", "higher"),
        (9.0, None, "higher"),
        (15.0, "higher_is_better", "worse"),
        (15.0, "lower_is_better", "better"),
        (15.0, "no_judgement", "lower"),
    ],
)
def test_fingertips_rule(comparator, polarity, expected):
    assert compare_to_benchmark(12.0, 10.0, 14.0, comparator, polarity) == expected


@pytest.mark.parametrize(
    "args",
    [
        (None, 10.0, 14.0, 12.0),
        (12.0, None, 14.0, 12.0),
        (12.0, 10.0, math.nan, 12.0),
        (12.0, 10.0, 14.0, None),
    ],
)
def test_not_compared_without_an_interval_or_comparator(args):
    assert compare_to_benchmark(*args, "higher_is_better") == "not_compared"


def test_unknown_polarity_and_inverted_interval_raise():
    with pytest.raises(ValueError, match="polarity 'High is good' is not one of"):
        compare_to_benchmark(12.0, 10.0, 14.0, 9.0, "High is good")
    with pytest.raises(ValueError, match="lower limit 14.0 is above upper limit 10.0"):
        compare_to_benchmark(12.0, 14.0, 10.0, 9.0, None)


def _polarity(indicator_id: int) -> str:
    with (FINGERTIPS / "fingertipsnext_datacreator_indicators.csv").open(encoding="utf-8-sig") as f:
        rows = {int(row["IndicatorID"]): row for row in csv.DictReader(f)}
    return FINGERTIPS_POLARITY[rows[indicator_id]["Polarity"]]


def _published_comparisons(name: str):
    response = json.loads((FINGERTIPS / name).read_text(encoding="utf-8"))
    assert response["indicatorId"] == 41101
    assert response["benchmarkMethod"] == "CIOverlappingReferenceValue95"
    for area in response["areaHealthData"]:
        for segment in area["indicatorSegments"]:
            for point in segment["healthData"]:
                comparison = point.get("benchmarkComparison")
                if comparison is None:  # the sex response leaves the Persons segment uncompared
                    continue
                yield point, comparison


@pytest.mark.parametrize("name", RESPONSES)
def test_reproduces_every_published_fingertips_outcome_for_41101(name):
    polarity = _polarity(41101)
    assert polarity == "lower_is_better"
    checked = 0
    for point, comparison in _published_comparisons(name):
        ours = compare_to_benchmark(
            point["value"], point["lowerCi"], point["upperCi"], comparison["benchmarkValue"], polarity
        )
        assert ours == FINGERTIPS_OUTCOME[comparison["outcome"]], (point["datePeriod"], comparison)
        checked += 1
    assert checked == {RESPONSES[0]: 33, RESPONSES[1]: 22}[name]
