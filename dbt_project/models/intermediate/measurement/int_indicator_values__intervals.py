"""Indicator values with our 95% and 99.8% confidence intervals (orchestration.measurement.add_intervals).

A dbt Python model so that the statistics are implemented once, in orchestration.methods, and the
warehouse uses that same code. The rows are those of int_indicator_values__conformed, unchanged.
"""

from orchestration.measurement import add_intervals


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_indicator_values__conformed")
    indicators = dbt.ref("int_indicators")
    frame = values.join(
        indicators.select("indicator_id, value_type, multiplier"),
        "indicator_id",
        how="left",
    ).df()
    return add_intervals(frame).drop(columns=["value_type", "multiplier"])
