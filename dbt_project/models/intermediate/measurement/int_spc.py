"""XmR (Making Data Count) charts per organisation, indicator and breakdown over time
(orchestration.measurement.spc -> orchestration.methods.xmr)."""

from orchestration.batches import transform_by_indicator
from orchestration.measurement import spc

COLUMNS = (
    "source_id, indicator_id, breakdown, org_level, org_code, period_start, period_end, period_label, "
    "numerator, denominator, value, is_derived"
)


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("int_indicator_values__intervals").select(COLUMNS)
    indicators = dbt.ref("int_indicators").select("indicator_id, value_type, multiplier, polarity")
    return transform_by_indicator(values.join(indicators, "indicator_id", how="left"), spc)
