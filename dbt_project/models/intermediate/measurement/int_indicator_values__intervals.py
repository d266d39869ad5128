"""Indicator values with our 95% and 99.8% confidence intervals (orchestration.measurement.add_intervals).

A dbt Python model so that the statistics are implemented once, in orchestration.methods, and the
warehouse uses that same code. The rows are those of int_indicator_values__conformed, unchanged.
Computed a few indicators at a time (orchestration.batches): a national practice-level table never
sits whole in pandas.
"""

from orchestration.batches import transform_by_indicator
from orchestration.measurement import add_intervals


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_indicator_values__conformed")
    indicators = dbt.ref("int_indicators")
    joined = values.join(
        indicators.select("indicator_id, value_type, multiplier"), "indicator_id", how="left"
    )
    return transform_by_indicator(
        joined, lambda frame: add_intervals(frame).drop(columns=["value_type", "multiplier"])
    )
