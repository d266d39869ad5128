"""XmR charts by the Making Data Count rules: reference values, each rule, precedence, screening."""

import pandas as pd
import pytest

from orchestration.methods import RULES, xmr, xmr_summary


def _rules(chart):
    return [rule if rule is not None else "-" for rule in chart["special_cause_rule"]]


def test_reference_one_to_ten_without_screening():
    chart = xmr(range(1, 11))
    assert chart["mean"].iloc[0] == 5.5
    assert round(chart["lower_process_limit"].iloc[0], 2) == 2.84
    assert round(chart["upper_process_limit"].iloc[0], 2) == 8.16
    assert chart["lower_near_limit"].iloc[0] == pytest.approx(5.5 - 2.66 * 2 / 3)
    assert chart["is_trial_limits"].all()  # 10 points < 12
    # 1, 2, 9 and 10 lie outside the limits; the rising points between them form a trend.
    assert _rules(chart) == ["outside_limits"] * 2 + ["trend"] * 6 + ["outside_limits"] * 2


def test_trial_limits_flag_from_twelve_points():
    flat = [5, 6] * 6
    assert not xmr(flat)["is_trial_limits"].any()
    assert xmr(flat[:11])["is_trial_limits"].all()
    assert xmr(flat, baseline=11)["is_trial_limits"].all()


# A stable baseline: mean 10.5, every moving range 1, so the process limits are 10.5 ± 2.66
# (7.84, 13.16) and the near band 10.5 ± 1.7733 (8.7267, 12.2733). Points after it are judged
# against these limits (``baseline=12``).
BASE = [10, 11] * 6


def _chart(tail, **kwargs):
    chart = xmr(BASE + tail, baseline=len(BASE), **kwargs)
    assert chart["mean"].iloc[0] == 10.5
    assert chart["upper_process_limit"].iloc[0] == pytest.approx(13.16)
    assert chart["upper_near_limit"].iloc[0] == pytest.approx(10.5 + 2.66 * 2 / 3)
    return chart


def test_outside_limits_fires_on_a_spike():
    chart = _chart([11, 14, 10], polarity="higher_is_better")
    assert _rules(chart) == ["-"] * 13 + ["outside_limits", "-"]
    assert chart["variation"].iloc[13] == "improvement"
    assert chart["variation"].iloc[14] == "common_cause"


def test_trend_marks_every_point_of_the_trend_once_it_reaches_its_length():
    chart = _chart([12, 11.5, 11, 10.5, 10, 9.5, 9.2], polarity="lower_is_better")
    assert _rules(chart) == ["-"] * 12 + ["trend"] * 7  # the first six points too
    assert set(chart["direction"].iloc[12:]) == {"low"}
    assert set(chart["variation"].iloc[12:]) == {"improvement"}  # even the points above the mean


def test_six_point_trend_fires_only_with_trend_length_six():
    tail = [9.4, 9.8, 10.2, 10.6, 11.0, 11.4, 10]
    assert "trend" not in _rules(_chart(tail))
    assert _rules(_chart(tail, trend_length=6)) == ["-"] * 12 + ["trend"] * 6 + ["-"]


def test_a_tie_breaks_a_trend():
    assert _rules(_chart([9.4, 9.8, 10.2, 10.6, 11.0, 11.4, 11.8]))[12:] == ["trend"] * 7
    assert "trend" not in _rules(_chart([9.4, 9.8, 10.2, 10.2, 10.6, 11.0, 11.4, 11.8], trend_length=6))


def test_two_of_three_beyond_the_near_band_on_one_side():
    chart = _chart([12.5, 10, 12.6, 10, 11], polarity="higher_is_better")
    assert _rules(chart)[12:] == ["two_of_three", "-", "two_of_three", "-", "-"]
    assert chart["variation"].iloc[12] == "improvement"


def test_two_points_near_opposite_limits_do_not_fire():
    chart = _chart([12.5, 8.5, 11, 10])
    assert chart["lower_near_limit"].iloc[0] > 8.5 > chart["lower_process_limit"].iloc[0]
    assert _rules(chart) == ["-"] * 16


def test_run_of_seven_on_one_side_of_the_mean():
    chart = _chart([10, 10.6, 10.7, 10.6, 10.7, 10.6, 10.7, 10.6, 10.7, 10], polarity="lower_is_better")
    assert _rules(chart)[12:] == ["-"] + ["run"] * 8 + ["-"]  # a run of 8: every point is marked
    assert set(chart["variation"].iloc[13:21]) == {"concern"}
    assert set(chart["direction"].iloc[13:21]) == {"high"}


def test_a_point_on_the_mean_breaks_a_run():
    tail = [10, 10.6, 10.7, 10.6, 10.5, 10.7, 10.6, 10.7, 10.6, 10]
    assert "run" not in _rules(_chart(tail))
    assert _rules(_chart(tail, run_length=4))[12:] == ["-"] * 5 + ["run"] * 4 + ["-"]


def test_precedence_outside_limits_then_trend_then_two_of_three_then_run():
    assert RULES == ("outside_limits", "trend", "two_of_three", "run")
    chart = xmr(range(1, 11))
    # 1 and 2 are outside the limits and in the trend; 3 is beyond the near band with them
    # (two of three) and in the trend.
    assert chart["value"].iloc[2] < chart["lower_near_limit"].iloc[2]
    assert _rules(chart)[:3] == ["outside_limits", "outside_limits", "trend"]
    # A run whose points include two of three beyond the near band: those two carry two_of_three.
    chart = _chart([10, 10.6, 10.7, 12.5, 10.6, 12.6, 10.7, 10.6, 10])
    assert _rules(chart)[12:] == ["-", "run", "run", "two_of_three", "run", "two_of_three", "run", "run", "-"]


def test_screening_changes_the_limits_of_a_series_with_a_spike():
    values = [10, 11, 10, 11, 10, 11, 10, 40, 10, 11, 10, 11, 10, 11]
    plain = xmr(values)
    screened = xmr(values, screen_outliers=True)
    assert plain["mean"].iloc[0] == screened["mean"].iloc[0]
    assert screened["upper_process_limit"].iloc[0] < plain["upper_process_limit"].iloc[0]
    # Without screening the two 30-point moving ranges inflate mean(mR) to 60/13 + 11/13 ... = 5.46.
    assert plain["upper_process_limit"].iloc[0] - plain["mean"].iloc[0] == pytest.approx(2.66 * 71 / 13)
    assert screened["upper_process_limit"].iloc[0] - screened["mean"].iloc[0] == pytest.approx(2.66 * 1)
    assert screened["screen_outliers"].all() and not plain["screen_outliers"].any()


def test_special_cause_without_polarity_is_neither():
    chart = _chart([11, 14, 10])
    assert chart["variation"].iloc[13] == "neither"
    assert chart["variation"].iloc[0] == "common_cause"


def test_summary_variation_icon_and_assurance():
    values = pd.Series(
        [80, 82, 81, 83, 80, 82, 81, 83, 80, 82, 81, 83],
        index=pd.period_range("2024-01", periods=12, freq="M"),
    )
    chart = xmr(values, polarity="higher_is_better", target=70)
    assert list(chart.index) == list(values.index)
    summary = xmr_summary(chart)
    assert summary["variation"] == "common_cause"
    assert summary["assurance"] == "consistently_passing"
    assert (
        xmr_summary(xmr(values, polarity="higher_is_better", target=95))["assurance"]
        == "consistently_failing"
    )
    assert xmr_summary(xmr(values, polarity="higher_is_better", target=81.5))["assurance"] == "hit_and_miss"
    assert (
        xmr_summary(xmr(values, polarity="lower_is_better", target=70))["assurance"] == "consistently_failing"
    )
    assert xmr_summary(xmr(values, target=70))["assurance"] is None
    assert xmr_summary(xmr(values, polarity="higher_is_better"))["assurance"] is None
    spiked = xmr([*values.tolist()[:-1], 120], polarity="higher_is_better")
    assert xmr_summary(spiked)["variation"] == "improvement"
    assert xmr_summary(spiked)["direction"] == "high"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1]}, "at least 2 points"),
        ({"values": [1, None, 3]}, "gap at position 1"),
        ({"values": [1, "a", 3]}, "values must be numbers"),
        ({"values": [1, 2, 3], "run_length": 2}, "run_length must be"),
        ({"values": [1, 2, 3], "polarity": "up"}, "polarity 'up' is not one of"),
        ({"values": [1, 2, 3], "baseline": 5}, "baseline must be between 2"),
    ],
)
def test_invalid_input_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        xmr(**kwargs)
