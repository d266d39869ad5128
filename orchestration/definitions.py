"""The Dagster definitions root: it only merges what orchestration/defs/ declares."""

import dagster as dg

from orchestration.defs.coverage import unmapped_share_checks
from orchestration.defs.dbt import audit_insight_dbt_models, dbt_resource
from orchestration.defs.ingest import all_source_assets
from orchestration.defs.publish import published_warehouse
from orchestration.defs.reports import (
    REPORTS_GROUP,
    icb_insight_report,
    icb_report_index,
    icb_report_index_job,
    icb_report_sensor,
    icb_reports_job,
)
from orchestration.defs.schedules import source_schedules
from orchestration.defs.sensors import build_source_change_sensor

refresh_all = dg.define_asset_job(
    name="refresh_all",
    # The reports are partitioned by ICB and run per partition after a publish (icb_report_sensor).
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORTS_GROUP),
    description="Fetch every source, validate, load, build the dbt marts and publish.",
)

defs = dg.Definitions(
    assets=[
        *all_source_assets(),
        audit_insight_dbt_models,
        published_warehouse,
        icb_insight_report,
        icb_report_index,
    ],
    asset_checks=unmapped_share_checks(),
    jobs=[refresh_all, icb_reports_job, icb_report_index_job],
    schedules=source_schedules(),
    # The sensor resolves the asset graph of these same definitions when it runs.
    sensors=[build_source_change_sensor("refresh_all", lambda: defs), icb_report_sensor],
    resources={"dbt": dbt_resource()},
    # Every step writes to one DuckDB file, which allows one writer process: run steps serially.
    executor=dg.in_process_executor,
)
