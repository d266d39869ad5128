"""The publish asset: write, audit, then atomically publish the marts as DuckDB and Parquet."""

import dagster as dg

from orchestration.defs.config import settings
from orchestration.defs.dbt import audit_insight_dbt_models
from orchestration.publish import publish


@dg.asset(
    key=dg.AssetKey(["published_warehouse"]),
    deps=[audit_insight_dbt_models],
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description=(
        "The published warehouse: warehouse/audit_insight.duckdb (marts and meta schemas) and one Parquet "
        "file per mart under warehouse/exports/, swapped in atomically after an audit of row counts."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    current = settings()
    result = publish(current.build_database, current.warehouse_dir)
    context.log.info(f"published release {result.release_id} with {len(result.tables)} tables")
    return dg.MaterializeResult(
        metadata={
            "release_id": result.release_id,
            "database": str(result.database),
            "exports": str(result.exports_dir),
            **{f"rows {t.schema}.{t.name}": t.rows for t in result.tables if t.schema == "marts"},
        }
    )
