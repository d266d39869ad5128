"""xmr_many: the XmR charts of many concatenated series at once, checked against xmr series by series."""

import numpy as np
import pandas as pd
import pytest

from orchestration.methods.spc import RULES, xmr, xmr_many, xmr_summary

POLARITIES = (None, "higher_is_better", "lower_is_better", "no_judgement")
SHAPES = ("noise", "ties", "decimals", "constant", "shift", "trend", "spike", "walk")


def _starts(series):
    return np.cumsum([0] + [len(values) for values in series[:-1]])


def _many(series, polarities, **kwargs):
    return xmr_many(np.concatenate(series), _starts(series), polarities, **kwargs)


def _reference(series, polarities, **kwargs):
    """xmr of each series, with the columns xmr_many adds, as a caller would build them."""
    charts = []
    for index, (values, polarity) in enumerate(zip(series, polarities, strict=True)):
        chart = xmr(values, polarity=polarity, **kwargs)
        summary = xmr_summary(chart)
        chart.insert(0, "series_index", index)
        chart["chart_variation"] = summary["variation"]
        chart["chart_assurance"] = summary["assurance"]
        charts.append(chart)
    return pd.concat(charts, ignore_index=True)


def _random_series(rng, count, lengths=(2, 30)):
    """Series of varied lengths and shapes, so that every rule fires and ties abound."""
    series = []
    for k in range(count):
        n = int(rng.integers(lengths[0], lengths[1] + 1))
        t = np.arange(n)
        shape = SHAPES[k % len(SHAPES)]
        if shape == "noise":
            values = rng.normal(rng.uniform(-100, 100), rng.uniform(0.01, 10), n)
        elif shape == "ties":  # few distinct integers: ties in steps, points exactly on the mean
            values = rng.integers(0, 4, n).astype(float)
        elif shape == "decimals":  # sums of 0.1s depend on the order of summation
            values = np.round(rng.normal(1, 0.3, n), 1)
        elif shape == "constant":  # zero moving range; the mean of 0.1s need not be 0.1
            values = np.full(n, rng.choice([0.1, 0.3, 1 / 3, 7.0, -2.5]))
        elif shape == "shift":  # a sustained shift: runs, two of three, outside the limits
            values = rng.normal(10, 1, n) + np.where(t >= n // 2, rng.choice([-3.0, 3.0]), 0)
        elif shape == "trend":
            values = rng.choice([-1.0, 1.0]) * t + rng.normal(0, 0.3, n)
        elif shape == "spike":
            values = rng.normal(50, 1, n)
            values[rng.integers(n)] += rng.choice([-8.0, 8.0])
        else:
            values = np.cumsum(rng.normal(0.2, 1, n))
        series.append(values)
    polarities = [POLARITIES[k % len(POLARITIES)] for k in range(count)]
    return series, polarities


@pytest.mark.parametrize(
    ("count", "run_length", "trend_length", "seed"),
    [(2000, 7, 7, 20240101), (500, 6, 6, 7), (500, 3, 4, 11)],
)
def test_agrees_with_xmr_series_by_series_on_random_series(count, run_length, trend_length, seed):
    series, polarities = _random_series(np.random.default_rng(seed), count)
    lengths = {"run_length": run_length, "trend_length": trend_length}
    many = _many(series, polarities, **lengths)
    expected = _reference(series, polarities, **lengths)
    # Every column, every dtype, every number to the last bit.
    pd.testing.assert_frame_equal(many, expected, check_exact=True)
    # The data exercise what they should: every rule, every variation, points on the mean.
    assert set(many["special_cause_rule"].dropna()) == set(RULES)
    assert set(many["variation"]) == {"common_cause", "improvement", "concern", "neither"}
    assert set(many["chart_variation"]) == {"common_cause", "improvement", "concern", "neither"}
    assert (many["value"] == many["mean"]).sum() > 50
    assert (many["moving_range"] == 0).sum() > 100
    assert many["is_trial_limits"].any() and not many["is_trial_limits"].all()


def test_series_of_one_length_agree_with_xmr():
    # One length for all: the values are read as the rows of a 2-D array (no gathering).
    rng = np.random.default_rng(3)
    series, polarities = _random_series(rng, 400, lengths=(20, 20))
    pd.testing.assert_frame_equal(_many(series, polarities), _reference(series, polarities), check_exact=True)


def test_means_agree_with_xmr_to_the_last_bit_where_grouped_sums_would_not():
    # Sums of decimal fractions depend on the order of addition: np.add.reduceat adds in order,
    # ndarray.mean pairwise. xmr_many must reproduce xmr's centre line exactly, so that a point
    # lying on the mean (here every point of a constant series) is classed as xmr classes it.
    rng = np.random.default_rng(5)
    series = [np.round(rng.uniform(0, 1, int(n)), 1) for n in rng.integers(8, 31, 300)]
    series += [np.full(int(n), 0.1) for n in range(8, 31)]
    starts = _starts(series)
    values = np.concatenate(series)
    lengths = np.array([len(s) for s in series])
    in_order = np.add.reduceat(values, starts) / lengths
    many = xmr_many(values, starts, [None] * len(series))
    means = many.groupby("series_index")["mean"].first().to_numpy()
    assert (means != in_order).any()  # the example would catch an in-order sum
    assert np.array_equal(means, [s.mean() for s in series])
    pd.testing.assert_frame_equal(many, _reference(series, [None] * len(series)), check_exact=True)


@pytest.mark.parametrize(
    ("polarity", "dtype_is_object"),
    [("higher_is_better", False), ("no_judgement", False), (None, True)],
)
def test_polarity_column_has_xmr_dtype_when_every_series_shares_it(polarity, dtype_is_object):
    series, _ = _random_series(np.random.default_rng(9), 64)
    many = _many(series, polarity)  # one value for every series
    pd.testing.assert_frame_equal(many, _reference(series, [polarity] * 64), check_exact=True)
    assert (many["polarity"].dtype == object) is dtype_is_object


def test_missing_polarity_is_none_among_series_with_one():
    series = [np.array([1.0, 2, 3]), np.array([4.0, 9, 4]), np.array([1.0, 1, 2])]
    polarity = pd.Series([np.nan, "lower_is_better", None])  # as read from a table
    many = _many(series, polarity)
    assert many["polarity"].dtype == object
    assert many["polarity"].tolist() == [None] * 3 + ["lower_is_better"] * 3 + [None] * 3
    assert many["chart_assurance"].isna().all() and many["chart_assurance"].dtype == object


def test_empty_input_gives_an_empty_frame_with_the_columns():
    many = xmr_many(np.array([]), np.array([], dtype=int), [])
    assert len(many) == 0
    assert list(many.columns) == ["series_index", *xmr([1, 2]).columns, "chart_variation", "chart_assurance"]


def _rules(chart):
    return [rule if rule is not None else "-" for rule in chart["special_cause_rule"]]


def _two(first, second, **kwargs):
    """xmr_many of two series, checked against xmr of each; returns the rules of each series."""
    many = xmr_many(np.array(first + second, dtype=float), np.array([0, len(first)]), [None, None], **kwargs)
    pd.testing.assert_frame_equal(many, _reference([first, second], [None, None], **kwargs), check_exact=True)
    return _rules(many.iloc[: len(first)]), _rules(many.iloc[len(first) :]), many


def test_a_run_does_not_continue_into_the_next_series():
    first = [8, 0, 8, 0, 8, 0, 4.5, 4.6, 4.5, 4.6]  # mean 4.22: its last four points above it
    second = [4.5, 4.6, 4.5, 0, 8, 0, 8, 0]  # mean 3.7: its first three points above it
    assert "run" in _rules(xmr(first + second))  # as one series: a run of seven
    rules_first, rules_second, many = _two(first, second)
    assert rules_first == ["-"] * 10 and rules_second == ["-"] * 8
    side = np.sign(many["value"] - many["mean"]).to_numpy()
    assert (side[6:13] == 1).all()  # seven consecutive rows above their own series' mean
    # With runs of four the first series' tail is a run; the second series' head of three is not.
    rules_first, rules_second, _ = _two(first, second, run_length=4)
    assert rules_first == ["-"] * 6 + ["run"] * 4 and rules_second == ["-"] * 8


def test_a_trend_does_not_continue_into_the_next_series():
    first = [0, 8, 0, 8, 4.0, 4.1, 4.2, 4.3]  # ends with four rising points
    second = [4.4, 4.5, 4.6, 0, 8, 0, 8]  # starts with three more
    assert _rules(xmr(first + second))[4:11] == ["trend"] * 7  # as one series: a trend of seven
    rules_first, rules_second, many = _two(first, second)
    assert rules_first == ["-"] * 8 and rules_second == ["-"] * 7
    assert np.isnan(many["moving_range"].iloc[8])  # no moving range across the boundary
    rules_first, rules_second, _ = _two(first, second, trend_length=4)
    assert rules_first == ["-"] * 4 + ["trend"] * 4 and rules_second == ["-"] * 7


def test_two_of_three_does_not_span_two_series():
    first = [10, 11, 10, 11, 10, 11, 10, 11, 10, 13]  # 13 beyond its upper near limit (12.87)
    second = [13, 10, 11, 10, 11, 10, 11, 10, 11, 10]  # and so is this 13
    assert _rules(xmr(first + second))[9:11] == ["two_of_three"] * 2  # as one series
    rules_first, rules_second, many = _two(first, second)
    assert (many["value"].iloc[9:11] > many["upper_near_limit"].iloc[9:11]).all()
    assert (many["value"].iloc[9:11] < many["upper_process_limit"].iloc[9:11]).all()
    assert rules_first == ["-"] * 10 and rules_second == ["-"] * 10


def test_rules_fire_up_to_the_edges_of_each_series():
    first = [0, 8, 0, 8, 0, 4.5, 4.6, 4.5, 4.6, 4.5, 4.6, 4.5]  # ends with a run of seven above the mean
    second = [1, 2, 3, 4, 5, 6, 7, 3, 4, 3]  # starts with a trend of seven
    rules_first, rules_second, _ = _two(first, second)
    assert rules_first == ["-"] * 5 + ["run"] * 7
    assert rules_second == ["trend"] * 7 + ["-"] * 3


def test_chart_variation_is_the_variation_of_each_series_last_point():
    first = [50, 51, 50, 51, 50, 51, 50, 51, 50, 70]  # ends on a high spike
    second = [50, 51, 50, 51, 50, 51, 50, 51, 50, 51]
    many = xmr_many(np.array(first + second, dtype=float), [0, 10], ["lower_is_better", "higher_is_better"])
    assert many["variation"].iloc[9] == "concern"
    assert many["chart_variation"].tolist() == ["concern"] * 10 + ["common_cause"] * 10


@pytest.mark.parametrize(
    ("values", "starts", "polarity", "kwargs", "message"),
    [
        ([1, 2, 3, 4, np.nan, 6], [0, 3], None, {}, r"gap at position 4 \(series 1, point 1\)"),
        ([1, 2, 3, 4, 5], [0, 2, 3], None, {}, r"series 1 \(starting at position 2\) has 1 point"),
        ([1, 2, 3, 4, 5], [0, 2, 2], None, {}, r"series 1 \(starting at position 2\) has 0 point"),
        ([1, 2, 3, 4, 5], [0, 4], None, {}, r"series 1 .* has 1 point\(s\): an XmR chart needs at least 2"),
        ([1, 2, 3, 4], [0, 2], [None, "up"], {}, "series 1: polarity 'up' is not one of"),
        ([1, 2, 3, 4], [0, 2], None, {"run_length": 2}, "run_length must be"),
        ([1, 2, 3, 4], [0, 2], None, {"trend_length": 7.0}, "trend_length must be"),
        ([1, 2, 3, 4], [1, 3], None, {}, "must begin with 0"),
        ([1, 2, 3, 4, 5, 6], [0, 4, 2], None, {}, "must be sorted: series 2 starts at 2"),
        ([1, 2, 3, 4], [0, 5], None, {}, "series 1 starts at 5, beyond the 4 values"),
        ([1, 2, 3, 4], [0, 2], ["higher_is_better"], {}, "polarity has 1 entries for 2 series"),
        ([1, 2, 3, 4], [0.0, 2.0], None, {}, "whole-number offsets"),
        (["1", "a", 3, 4], [0, 2], None, {}, "values must be numbers"),
        ([[1, 2], [3, 4]], [0, 2], None, {}, "one-dimensional"),
    ],
)
def test_invalid_input_raises_and_names_the_series(values, starts, polarity, kwargs, message):
    with pytest.raises(ValueError, match=message):
        xmr_many(values, starts, polarity, **kwargs)
