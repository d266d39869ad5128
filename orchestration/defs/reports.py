"""The ICB Insight Reports as Dagster assets: one partition per ICB of today's geography.

The partitions are dynamic ("icb"): after each publish, ``icb_report_sensor`` reads today's ICBs
from the published warehouse, adds new ones and removes those that have gone (the April 2026 mergers
needed no code change, and neither will the next), and asks for one report run per ICB and one for
the index page. The report logic lives in ``orchestration.report``; these are thin wrappers.
"""

import dagster as dg

from orchestration.defs.config import settings, sources_config
from orchestration.defs.publish import published_warehouse
from orchestration.report.build import build_index, build_one
from orchestration.report.data import open_warehouse, read_current_icbs
from orchestration.report.findings import resolve_icb

ICB_PARTITIONS = dg.DynamicPartitionsDefinition(name="icb")
REPORTS_GROUP = "reports"


@dg.asset(
    key=dg.AssetKey(["reports", "icb_insight_report"]),
    partitions_def=ICB_PARTITIONS,
    deps=[published_warehouse],
    group_name=REPORTS_GROUP,
    kinds={"html"},
    description=(
        "The ICB Insight Report of one ICB (partition = today's ICB code): warehouse/reports/<icb>/index.html, "
        "one self-contained HTML file, with the tables behind its charts in csv/."
    ),
)
def icb_insight_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    current = settings()
    with open_warehouse(current.published_database) as data:
        icb = resolve_icb(context.partition_key, data.icbs)
        built = build_one(data, icb, current.reports_dir, sources_config().sources)
    context.log.info(f"wrote {built.path} ({built.charts} charts)")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(built.path)), "charts": built.charts, "icb": icb.name}
    )


@dg.asset(
    key=dg.AssetKey(["reports", "index"]),
    deps=[icb_insight_report],
    group_name=REPORTS_GROUP,
    kinds={"html"},
    description="warehouse/reports/index.html: every current ICB with a link to its report.",
)
def icb_report_index(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    current = settings()
    with open_warehouse(current.published_database) as data:
        path = build_index(data, current.reports_dir)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


icb_reports_job = dg.define_asset_job(
    name="icb_reports",
    selection=dg.AssetSelection.assets(icb_insight_report),
    partitions_def=ICB_PARTITIONS,
    description="Write the ICB Insight Report of one ICB (one run per partition).",
)
icb_report_index_job = dg.define_asset_job(
    name="icb_report_index",
    selection=dg.AssetSelection.assets(icb_report_index),
    description="Write the index page of the ICB Insight Reports.",
)


def partition_requests(current: list[str], existing: list[str]) -> list:
    """Add the ICBs that are new today and delete those no longer current (pure, for testing)."""
    added = sorted(set(current) - set(existing))
    removed = sorted(set(existing) - set(current))
    requests = []
    if added:
        requests.append(ICB_PARTITIONS.build_add_request(added))
    if removed:
        requests.append(ICB_PARTITIONS.build_delete_request(removed))
    return requests


@dg.asset_sensor(
    asset_key=dg.AssetKey(["published_warehouse"]),
    name="icb_report_sensor",
    jobs=[icb_reports_job, icb_report_index_job],
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "After each publish: sync the 'icb' partitions with today's ICBs in the published warehouse, then "
        "request one report run per ICB and one for the index page."
    ),
)
def icb_report_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    codes = [icb.code for icb in read_current_icbs(settings().published_database)]
    existing = list(context.instance.get_dynamic_partitions(ICB_PARTITIONS.name))
    event_id = asset_event.storage_id if hasattr(asset_event, "storage_id") else asset_event.run_id
    runs = [
        dg.RunRequest(job_name=icb_reports_job.name, partition_key=code, run_key=f"{event_id}:{code}")
        for code in codes
    ]
    runs.append(dg.RunRequest(job_name=icb_report_index_job.name, run_key=f"{event_id}:index"))
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=partition_requests(codes, existing))
