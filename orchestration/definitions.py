"""The Dagster definitions root: it only merges what orchestration/defs/ declares."""

import dagster as dg

from orchestration.defs.coverage import unmapped_share_checks
from orchestration.defs.dbt import audit_insight_dbt_models, dbt_resource
from orchestration.defs.ingest import all_source_assets
from orchestration.defs.publish import published_warehouse
from orchestration.defs.schedules import source_schedules
from orchestration.defs.sensors import build_source_change_sensor

refresh_all = dg.define_asset_job(
    name="refresh_all",
    selection=dg.AssetSelection.all(),
    description="Fetch every source, validate, load, build the dbt marts and publish.",
)

defs = dg.Definitions(
    assets=[*all_source_assets(), audit_insight_dbt_models, published_warehouse],
    asset_checks=unmapped_share_checks(),
    jobs=[refresh_all],
    schedules=source_schedules(),
    # The sensor resolves the asset graph of these same definitions when it runs.
    sensors=[build_source_change_sensor("refresh_all", lambda: defs)],
    resources={"dbt": dbt_resource()},
    # Every step writes to one DuckDB file, which allows one writer process: run steps serially.
    executor=dg.in_process_executor,
)
