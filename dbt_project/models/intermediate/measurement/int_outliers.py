"""Funnel-plot position and HQIP alert/alarm status of every provider and ICB, per indicator and
period, over the units as published (orchestration.measurement.outliers -> orchestration.methods.funnel,
SHMI overdispersion method)."""

from orchestration.measurement import outliers


def model(dbt, session):
    dbt.config(materialized="table")
    # The SHMI method ranks tied z-scores in input order (which units of a tie are trimmed): a fixed
    # order keeps in_estimate the same from one build to the next.
    units = dbt.ref("int_funnel_units").order(
        "source_id, indicator_id, period_start, period_end, breakdown, funnel_level, org_code_published, org_code"
    )
    return outliers(units.df())
