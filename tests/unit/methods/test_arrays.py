"""The array forms of the methods give exactly what the scalar reference functions give, row by row.

The warehouse applies the array forms to tens of millions of rows; the scalar functions are the ones
checked against published values (test_intervals.py, test_benchmark.py), so agreement here carries
those checks over.
"""

import numpy as np
import pandas as pd
import pytest

from orchestration import methods

CONFIDENCES = (0.95, 0.998)


def _same(array_value: float, scalar_value: float | None) -> bool:
    if scalar_value is None:
        return bool(np.isnan(array_value))
    return array_value == scalar_value  # bit for bit: the same operations in the same order


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_wilson_array_equals_the_scalar_wilson_on_every_row(confidence):
    rng = np.random.default_rng(7)
    denominator = np.concatenate([rng.integers(1, 20, 500), rng.integers(1, 5_000_000, 2000), [1, 7, 100]])
    numerator = np.floor(rng.random(denominator.size) * (denominator + 1))
    numerator[-3:] = [0, 7, 65]  # both ends of the range and the published 65/100 example
    lower, upper = methods.wilson_ci_array(numerator, denominator.astype(float), confidence)
    for x, n, low, high in zip(numerator, denominator, lower, upper, strict=True):
        expected_low, expected_high = methods.wilson_ci(x, n, confidence)
        assert _same(low, expected_low) and _same(high, expected_high), (x, n)


def test_wilson_array_refuses_rows_the_scalar_refuses():
    with pytest.raises(ValueError, match="numerator <= denominator"):
        methods.wilson_ci_array(np.array([3.0, 5.0]), np.array([4.0, 4.0]))
    with pytest.raises(ValueError, match="denominator > 0"):
        methods.wilson_ci_array(np.array([0.0]), np.array([0.0]))


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_poisson_array_equals_the_scalar_poisson_on_every_row(confidence):
    rng = np.random.default_rng(11)
    counts = np.concatenate(
        [np.arange(0, 40), rng.integers(40, 10_000_000, 3000), rng.random(200) * 1e4 + 10]
    )
    lower, upper = methods.poisson_ci_array(counts, confidence)
    for x, low, high in zip(counts, lower, upper, strict=True):
        expected_low, expected_high = methods.poisson_ci(x, confidence)
        assert _same(low, expected_low) and _same(high, expected_high), x


def test_poisson_array_needs_whole_counts_below_ten_as_the_exact_interval_does():
    with pytest.raises(ValueError, match="whole number"):
        methods.poisson_ci_array(np.array([12.0, 2.5]))
    with pytest.raises(ValueError, match=">= 0"):
        methods.poisson_ci_array(np.array([-1.0]))
    lower, upper = methods.poisson_ci_array(np.array([10.5]))  # Byar takes any count from 10
    assert (lower[0], upper[0]) == methods.poisson_ci(10.5)


def test_comparison_array_equals_the_scalar_rule_for_every_combination():
    rng = np.random.default_rng(3)
    size = 4000
    value = rng.random(size) * 100
    lower = value - rng.random(size) * 10
    upper = value + rng.random(size) * 10
    comparator = value + (rng.random(size) - 0.5) * 30
    comparator[:20] = lower[:20]  # ends included: "similar"
    comparator[20:40] = upper[20:40]
    value[40:60] = np.nan
    lower[60:80] = np.nan
    comparator[80:100] = np.nan
    polarity = rng.choice(
        np.array(["higher_is_better", "lower_is_better", "no_judgement", None], dtype=object), size
    )
    polarity[100:120] = np.nan
    outcomes = methods.compare_to_benchmark_array(value, lower, upper, comparator, polarity)
    expected = [
        methods.compare_to_benchmark(v, lo, hi, c, p)
        for v, lo, hi, c, p in zip(value, lower, upper, comparator, polarity, strict=True)
    ]
    assert list(outcomes) == expected
    assert set(expected) == {"better", "worse", "similar", "higher", "lower", "not_compared"}


def test_comparison_array_accepts_pandas_columns_with_missing_values():
    frame = pd.DataFrame(
        {"value": [50.0, None], "lower": [40.0, 1.0], "upper": [60.0, 2.0], "england": [70.0, 1.5]}
    ).astype({"value": "Float64"})
    polarity = pd.Series(["higher_is_better", None])
    outcomes = methods.compare_to_benchmark_array(
        frame["value"], frame["lower"], frame["upper"], frame["england"], polarity
    )
    assert list(outcomes) == ["worse", "not_compared"]


def test_comparison_array_raises_as_the_scalar_rule_does():
    with pytest.raises(ValueError, match="polarity 'up' is not one of"):
        methods.compare_to_benchmark_array([1.0], [0.0], [2.0], [1.0], ["up"])
    with pytest.raises(ValueError, match="above upper limit"):
        methods.compare_to_benchmark_array([1.0], [3.0], [2.0], [1.0], [None])
