"""Which rows each method applies to, on small frames (the methods themselves: tests/unit/methods)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from orchestration import measurement, methods

START, END = dt.date(2024, 4, 1), dt.date(2024, 4, 30)


def _values(rows: list[dict]) -> pd.DataFrame:
    defaults = {
        "source_id": "s",
        "indicator_id": "i",
        "period_start": START,
        "period_end": END,
        "period_label": "April 2024",
        "breakdown": "all",
        "org_code": None,
        "org_code_published": None,
        "org_unit_name": None,
        "org_level": "trust",
        "is_derived": False,
        "icb_code": None,
        "region_code": None,
        "value_status": "published",
        "value_type": "proportion",
        "multiplier": 100.0,
        "polarity": "higher_is_better",
        "numerator": None,
        "denominator": None,
        "value": None,
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


def test_intervals_follow_the_value_type_and_keep_published_limits_only_as_a_fallback():
    frame = _values(
        [
            {"numerator": 65.0, "denominator": 100.0, "value": 65.0},
            {
                "value_type": "ratio",
                "multiplier": 1.0,
                "numerator": 65.0,
                "denominator": 60.0,
                "value": 1.0833,
            },
            {"value_type": "count", "multiplier": 1.0, "value": 5.0},
            {"value_type": "median", "value": 42.0},
            {"numerator": None, "denominator": None, "value": 31.0},
            {"value_status": "suppressed", "numerator": 3.0, "denominator": 10.0, "value": None},
        ]
    )
    frame["published_lower_ci_95"] = [60.0, None, None, None, 30.0, 1.0]
    frame["published_upper_ci_95"] = [70.0, None, None, None, 32.0, 2.0]
    out = measurement.add_intervals(frame)
    assert list(out["ci_method"]) == ["wilson", "byar", "exact_poisson", None, "published", None]
    assert out.loc[0, "lower_ci_95"] == pytest.approx(55.25444329688797, rel=1e-12)
    assert out.loc[0, "upper_ci_95"] == pytest.approx(73.63575175690247, rel=1e-12)
    lower, upper = methods.byar_ci(65)
    assert (out.loc[1, "lower_ci_95"], out.loc[1, "upper_ci_95"]) == pytest.approx((lower / 60, upper / 60))
    assert (out.loc[4, "lower_ci_95"], out.loc[4, "upper_ci_95"]) == (30.0, 32.0)
    assert pd.isna(out.loc[4, "lower_ci_998"])  # the publisher gives 95% only
    assert out.loc[[3, 5], "lower_ci_95"].isna().all()


def test_benchmark_compares_with_the_published_england_row_and_ranks_best_first():
    frame = _values(
        [
            {"org_level": "country", "org_code": "E92000001", "value": 50.0, "is_derived": True},
            {"org_level": "country", "org_code": "E92000001", "value": 60.0},
            {"org_code": "A", "region_code": "Y1", "value": 70.0, "lower_ci_95": 65.0, "upper_ci_95": 75.0},
            {"org_code": "B", "region_code": "Y1", "value": 61.0, "lower_ci_95": 58.0, "upper_ci_95": 64.0},
            {"org_code": "C", "region_code": "Y1", "value": 40.0, "lower_ci_95": None, "upper_ci_95": None},
            {
                "org_level": "nhs_region",
                "org_code": "Y1",
                "value": 69.0,
                "lower_ci_95": 68.0,
                "upper_ci_95": 70.0,
            },
        ]
    )
    out = measurement.benchmark(frame).set_index("org_code")
    assert "E92000001" not in out.index
    assert (out.loc["A", "england_value"], out.loc["A", "comparison_england"]) == (60.0, "better")
    assert out.loc["B", "comparison_england"] == "similar"
    assert out.loc["C", "comparison_england"] == "not_compared"
    assert out.loc["A", "comparison_region"] == "similar"  # 69 lies inside A's 65-75
    assert out.loc["B", "comparison_region"] == "worse"
    assert pd.isna(out.loc["Y1", "region_value"])
    assert list(out.loc[["A", "B", "C"], "peer_rank"]) == [1, 2, 3]
    frame["value_type"] = "count"
    assert set(measurement.benchmark(frame)["comparison_england"]) == {"not_compared"}
    frame["value_type"] = "proportion"
    frame["polarity"] = "lower_is_better"
    out = measurement.benchmark(frame).set_index("org_code")
    assert out.loc["A", "comparison_england"] == "worse"
    assert list(out.loc[["A", "B", "C"], "peer_rank"]) == [3, 2, 1]


def test_outliers_take_englands_published_value_as_the_target_on_the_indicator_scale():
    units = _values(
        [{"org_code_published": f"T{n}", "numerator": 50.0 + n, "denominator": 100.0 + n} for n in range(20)]
    )
    units["funnel_level"] = "provider"
    units["england_value"] = 55.0
    out = measurement.outliers(units)
    assert out["target"].to_numpy() == pytest.approx([55.0] * 20)
    assert set(out["target_basis"]) == {"england_published"}
    assert out["value"].iloc[0] == pytest.approx(50.0)
    assert (out["lower_95"] < out["target"]).all() and (out["upper_998"] > out["upper_95"]).all()
    units["england_value"] = None
    pooled = measurement.outliers(units)
    assert set(pooled["target_basis"]) == {"pooled_units"}
    assert pooled["target"].iloc[0] == pytest.approx(
        100 * units["numerator"].sum() / units["denominator"].sum()
    )


def test_outliers_of_a_ratio_are_compared_with_one():
    units = _values(
        [
            {"org_code_published": f"T{n}", "numerator": 900.0 + 10 * n, "denominator": 1000.0}
            for n in range(20)
        ]
    )
    units["value_type"], units["multiplier"], units["funnel_level"], units["england_value"] = (
        "ratio",
        1.0,
        "icb",
        None,
    )
    out = measurement.outliers(units)
    assert set(out["target"]) == {1.0}
    assert set(out["target_basis"]) == {"one"}
    assert {"numerator", "denominator"} <= set(out.columns)


def test_spc_sums_a_merged_trusts_predecessors_and_skips_short_series():
    months = pd.date_range("2024-01-01", periods=8, freq="MS").date
    rows = []
    for month in months:
        end = month.replace(day=28)
        for published, numerator in (("OLD1", 40.0), ("OLD2", 50.0)):
            rows.append(
                {
                    "org_code": "NEW",
                    "org_code_published": published,
                    "period_start": month,
                    "period_end": end,
                    "numerator": numerator,
                    "denominator": 100.0,
                    "value": numerator,
                }
            )
    rows += [{"org_code": "SHORT", "period_start": m, "period_end": m, "value": 1.0} for m in months[:3]]
    out = measurement.spc(_values(rows))
    assert set(out["org_code"]) == {"NEW"}
    assert list(out["value"]) == [45.0] * 8
    assert list(out["point_number"]) == list(range(1, 9))
    assert bool(out["is_trial_limits"].all())


def test_spc_needs_the_minimum_number_of_points():
    months = pd.date_range("2024-01-01", periods=5, freq="MS").date
    rows = [
        {"org_code": "A", "period_start": m, "period_end": m, "value": float(i)} for i, m in enumerate(months)
    ]
    too_short = measurement.spc(_values(rows))
    charted = measurement.spc(_values(rows), min_points=5)
    assert too_short.empty and len(charted) == 5
    # no chart still has every column (the warehouse writes batches of indicators into one table)
    assert list(too_short.columns) == list(charted.columns)
    assert list(measurement.spc(_values(rows).iloc[:0]).columns) == list(charted.columns)


def test_intervals_on_whole_columns_equal_row_interval_on_every_row():
    """add_intervals works on whole columns; row_interval (one row, scalar methods) is the reference."""
    rng = np.random.default_rng(5)
    size = 3000
    denominator = rng.integers(0, 100_000, size).astype(float)
    numerator = np.floor(rng.random(size) * (denominator + 1))
    numerator[:50] = denominator[:50] + 1  # impossible proportions get no interval
    numerator[50:100] = np.nan
    denominator[100:150] = np.nan
    small = rng.integers(0, 10, size).astype(float)  # exact Poisson counts
    value_type = rng.choice(
        np.array(["proportion", "ratio", "rate", "count", "median", None], dtype=object), size
    )
    frame = pd.DataFrame(
        {
            "value_type": value_type,
            "multiplier": rng.choice(np.array([1.0, 100.0, 100_000.0, np.nan]), size),
            "numerator": np.where(rng.random(size) < 0.2, small, numerator),
            "denominator": denominator,
            "value": np.where(
                value_type == "count", np.where(rng.random(size) < 0.5, small, numerator + 0.5), 1.0
            ),
            "value_status": rng.choice(np.array(["published", "derived", "suppressed"], dtype=object), size),
        }
    )
    frame.loc[200:250, "value"] = np.nan
    result = measurement.add_intervals(frame)
    for row, got in zip(frame.itertuples(), result.itertuples(), strict=True):
        expected = (None, None, None, None, None)
        if row.value_status in ("published", "derived") and not np.isnan(row.value):
            m = 1.0 if np.isnan(row.multiplier) else row.multiplier
            args = (row.value_type, m, row.numerator, row.denominator, row.value)
            low95, high95, method = measurement.row_interval(*args, 0.95)
            low998, high998, _ = measurement.row_interval(*args, 0.998)
            expected = (low95, high95, low998, high998, method)
        actual = (got.lower_ci_95, got.upper_ci_95, got.lower_ci_998, got.upper_ci_998, got.ci_method)
        assert all(
            (np.isnan(a) if e is None else a == e) if i < 4 else a == e
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
        ), (row, actual, expected)
    assert set(result["ci_method"].dropna()) == {"wilson", "exact_poisson", "byar"}
