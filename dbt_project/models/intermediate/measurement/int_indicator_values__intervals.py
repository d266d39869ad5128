"""Indicator values with our 95% and 99.8% confidence intervals.

A dbt Python model so that the statistics are implemented once, in orchestration.methods, and the
warehouse uses that same code: the rules of orchestration.measurement.add_intervals run inside
DuckDB as a vectorised function (orchestration/udfs.py), a vector of rows at a time, so a national
practice-level table never sits in pandas. The rows are those of int_indicator_values__conformed,
unchanged, with lower_ci_95, upper_ci_95, lower_ci_998, upper_ci_998 and ci_method added.
"""

from orchestration.udfs import register_interval_function


def model(dbt, session):
    dbt.config(materialized="table")
    intervals = register_interval_function(session)
    values = dbt.ref("int_indicator_values__conformed")
    indicators = dbt.ref("int_indicators").select("indicator_id, value_type, multiplier")
    joined = values.join(indicators, "indicator_id", how="left")
    with_limits = joined.select(
        "*, " + intervals + "(value_type, multiplier, numerator, denominator, value, value_status, "
        "published_lower_ci_95, published_upper_ci_95) as _limits"
    )
    # Stored in indicator and breakdown order: int_benchmarks and int_spc read it a range of indicators
    # (or breakdowns) at a time (orchestration/batches.py), and DuckDB then skips every row group
    # outside the range instead of scanning the whole table for each batch.
    return with_limits.select("* exclude (value_type, multiplier, _limits), _limits.*").order(
        "indicator_id, breakdown"
    )
