"""Funnel-plot position and HQIP alert/alarm status of every provider and ICB, per indicator and
period, over the units as published (orchestration.measurement.outliers -> orchestration.methods.funnel,
SHMI overdispersion method)."""

from orchestration.measurement import outliers


def model(dbt, session):
    dbt.config(materialized="table")
    return outliers(dbt.ref("int_funnel_units").df())
