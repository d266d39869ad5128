"""The interval function DuckDB runs gives exactly what add_intervals gives on the same rows."""

import duckdb
import numpy as np
import pandas as pd

from orchestration import measurement
from orchestration.udfs import register_interval_function


def _values(size: int) -> pd.DataFrame:
    rng = np.random.default_rng(17)
    denominator = rng.integers(0, 50_000, size).astype(float)
    numerator = np.floor(rng.random(size) * (denominator + 1))
    numerator[::37] = np.nan
    value_type = rng.choice(
        np.array(["proportion", "ratio", "rate", "count", "median", None], dtype=object), size
    )
    small = rng.integers(0, 10, size).astype(float)
    frame = pd.DataFrame(
        {
            "value_type": value_type,
            "multiplier": rng.choice(np.array([1.0, 100.0, np.nan]), size),
            "numerator": np.where(rng.random(size) < 0.3, small, numerator),
            "denominator": denominator,
            "value": np.where(value_type == "count", small, 1.0),
            "value_status": rng.choice(
                np.array(["published", "derived", "suppressed", None], dtype=object), size
            ),
            "published_lower_ci_95": np.where(rng.random(size) < 0.5, 0.5, np.nan),
            "published_upper_ci_95": 1.5,
        }
    )
    frame.loc[frame.index[::11], "value"] = np.nan
    return frame


def test_the_duckdb_function_equals_add_intervals_row_for_row():
    frame = _values(10_000)  # several DuckDB vectors of 2,048 rows
    con = duckdb.connect()
    name = register_interval_function(con)
    assert name == register_interval_function(con) == "audit_insight_intervals"  # twice is harmless
    con.register("input_rows", frame.reset_index(names="row"))
    computed = con.sql(
        "select row, unnest(audit_insight_intervals(value_type, multiplier, numerator, denominator, value, "
        "value_status, published_lower_ci_95, published_upper_ci_95)) from input_rows order by row"
    ).df()
    expected = measurement.add_intervals(frame)
    for column in ("lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"):
        np.testing.assert_array_equal(computed[column].to_numpy(float), expected[column].to_numpy(float))
    methods_used = computed["ci_method"].astype(object).where(computed["ci_method"].notna(), None)
    assert list(methods_used) == list(expected["ci_method"])
    assert set(expected["ci_method"].dropna()) == {"wilson", "exact_poisson", "byar", "published"}
