"""A sensor that asks every source whether it changed and refreshes only what changed."""

import dagster as dg

from orchestration.defs.config import settings, sources_config
from orchestration.defs.ingest import fetch_asset_key
from orchestration.source_check import changed_source_ids, check_sources


def downstream_of_sources(definitions: dg.Definitions, source_ids: list[str]) -> set[dg.AssetKey]:
    """The sources' download assets and every asset that depends on them (dbt models, publish).

    Not the reports: they are partitioned by ICB, outside refresh_all, and follow a publish through
    their own sensor (orchestration/defs/reports.py).
    """
    graph = definitions.resolve_asset_graph()
    roots = dg.AssetSelection.assets(*(fetch_asset_key(source_id) for source_id in source_ids))
    return set((roots.downstream() - dg.AssetSelection.groups("reports")).resolve(graph))


def build_source_change_sensor(job_name: str, definitions_loader) -> dg.SensorDefinition:
    @dg.sensor(
        name="source_change_sensor",
        job_name=job_name,
        minimum_interval_seconds=6 * 60 * 60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "Every six hours, asks each source's URL whether it changed (conditional requests through "
            "the fetch code) and starts a refresh of only the changed sources and what depends on them."
        ),
    )
    def source_change_sensor(context: dg.SensorEvaluationContext):
        checks = check_sources(sources_config(), settings())
        for check in checks:
            context.log.info(check.describe())
        changed = changed_source_ids(checks)
        if not changed:
            return dg.SkipReason("no source changed")
        keys = sorted(downstream_of_sources(definitions_loader(), changed))
        # No run key: the next evaluation sees the new files as unchanged, so each change runs once.
        return dg.RunRequest(asset_selection=keys, tags={"audit_insight/changed_sources": ",".join(changed)})

    return source_change_sensor
