"""The dbt project as Dagster assets: staging, intermediate and marts, with dbt tests as checks.

dbt sources carry ``meta.dagster.asset_key`` (generated from sources.yml), so each staging model
hangs off its ``raw/<source>`` ingest asset and Dagster shows one graph from download to mart.
"""

import os
from pathlib import Path

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.dbt_runner import dbt_executable, parse_dbt_project
from orchestration.defs.config import settings, sources_config
from orchestration.release_catalogue import write_release_catalogue

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev`, parse the project so the manifest is fresh; elsewhere the CLI and CI run
# `dbt parse` first. Not `dbt_project.prepare_if_dev()`: that runs a bare `dbt` from PATH without the
# build-database variable our profile needs, so the code server fails to load when started directly.
if os.getenv("DAGSTER_IS_DEV_CLI"):
    parse_dbt_project(settings())


class AuditInsightDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props) -> str | None:
        path = dbt_resource_props.get("original_file_path", "")
        for layer in ("staging", "intermediate", "marts"):
            if f"models/{layer}/" in path:
                return f"dbt_{layer}"
        return "dbt_reference" if dbt_resource_props.get("resource_type") == "seed" else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=AuditInsightDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def audit_insight_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # The profile reads the database path from the environment, so tests and schedules can point a
    # whole run at another warehouse directory. Absolute, because dbt runs inside dbt_project/.
    os.environ["AUDIT_INSIGHT_BUILD_DATABASE"] = str(settings().build_database)
    # Release order decides which release's figures win on a shared period: from the sources file in use.
    write_release_catalogue(settings().build_database, sources_config(), settings())
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
