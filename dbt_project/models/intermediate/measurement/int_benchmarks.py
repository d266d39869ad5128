"""Each organisation against England and its region by the Fingertips rule
(orchestration.measurement.benchmark, using orchestration.methods.compare_to_benchmark)."""

from orchestration.batches import transform_by_indicator
from orchestration.measurement import benchmark

COLUMNS = (
    "source_id, indicator_id, org_code, org_code_published, org_level, org_unit_name, is_derived, "
    "icb_code, region_code, period_start, period_end, period_label, breakdown, value, value_status, "
    "lower_ci_95, upper_ci_95, ci_method, published_comparator_code, published_comparator_value, "
    "published_comparison"
)


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_indicator_values__intervals").select(COLUMNS)
    indicators = dbt.ref("int_indicators").select("indicator_id, polarity, value_type")
    return transform_by_indicator(values.join(indicators, "indicator_id", how="left"), benchmark)
