"""One schedule per source, on the cron in its sources.yml entry.

Each refreshes that source's assets and everything downstream of them (dbt models and the publish).
"""

import dagster as dg

from orchestration.defs.config import sources_config
from orchestration.defs.ingest import fetch_asset_key


def source_schedules() -> list[dg.ScheduleDefinition]:
    schedules = []
    for source in sources_config().sources:
        job = dg.define_asset_job(
            name=f"refresh_{source.id}",
            # The per-ICB reports follow a publish through icb_report_sensor, partition by partition.
            selection=dg.AssetSelection.assets(fetch_asset_key(source.id)).downstream()
            - dg.AssetSelection.groups("reports"),
            description=f"Fetch '{source.title}' and rebuild everything that depends on it.",
        )
        schedules.append(
            dg.ScheduleDefinition(
                name=f"refresh_{source.id}_schedule",
                job=job,
                cron_schedule=source.schedule,
                execution_timezone="Europe/London",
                default_status=dg.DefaultScheduleStatus.STOPPED,
            )
        )
    return schedules
