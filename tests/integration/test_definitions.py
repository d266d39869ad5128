"""The Dagster definitions load, and the asset graph is derived from sources.yml."""

import json
import os
import subprocess
import sys

from orchestration.dbt_runner import parse_dbt_project
from orchestration.settings import load_settings
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT

PROBE = r"""
import json
from orchestration.definitions import defs
repo = defs.get_repository_def()
graph = repo.asset_graph
keys = sorted(k.to_user_string() for k in graph.get_all_asset_keys())
checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys)
blocking = sorted(
    f"{spec.asset_key.to_user_string()}:{spec.name}"
    for ad in graph.assets_defs for spec in ad.check_specs if spec.blocking
)
upstream_of_publish = sorted(
    k.to_user_string() for k in graph.get(__import__("dagster").AssetKey(["published_warehouse"])).parent_keys
)
schedules = sorted((s.name, s.cron_schedule) for s in repo.schedule_defs)
stg_parents = {
    k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
    for k in graph.get_all_asset_keys() if k.path[-1].startswith("stg_")
}
from orchestration.defs.sensors import downstream_of_sources
shmi_downstream = sorted(k.to_user_string() for k in downstream_of_sources(defs, ["shmi"]))
sensors = sorted(s.name for s in repo.sensor_defs)
report = graph.get(__import__("dagster").AssetKey(["reports", "icb_insight_report"]))
reports = {"parents": sorted(p.to_user_string() for p in report.parent_keys),
           "partitions": getattr(report.partitions_def, "name", None),
           "in_refresh_all": sorted(k.to_user_string() for k in repo.get_job("refresh_all").asset_layer.asset_graph.get_all_asset_keys() if k.path[0] == "reports")}
print(json.dumps({"keys": keys, "checks": checks, "blocking": blocking, "publish_parents": upstream_of_publish,
                  "schedules": schedules, "stg_parents": stg_parents, "shmi_downstream": shmi_downstream,
                  "sensors": sensors, "reports": reports}))
"""


def _probe(tmp_path) -> dict:
    settings = load_settings({"AUDIT_INSIGHT_WAREHOUSE_DIR": str(tmp_path)})
    parse_dbt_project(settings)
    env = dict(os.environ, AUDIT_INSIGHT_WAREHOUSE_DIR=str(tmp_path))
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_definitions_load_with_one_graph_from_download_to_publish(tmp_path):
    probe = _probe(tmp_path)
    config = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
    for source_id in config.ids:
        assert f"raw_files/{source_id}" in probe["keys"]
        assert f"raw/{source_id}" in probe["keys"]
        # the Great Expectations suite is a blocking check on the loaded asset
        assert f"raw/{source_id}:great_expectations_suite" in probe["blocking"]
    for mart in ("fct_indicator_values", "dim_indicators", "dim_organisations"):
        assert any(key.endswith(mart) for key in probe["keys"])
        assert any(key.endswith(mart) for key in probe["publish_parents"])
    # dbt tests surface as asset checks too
    assert len(probe["checks"]) > len(config.ids)
    # every staging model hangs off an ingest asset: one lineage from download to mart
    assert probe["stg_parents"]
    for parents in probe["stg_parents"].values():
        assert any(parent.startswith("raw/") for parent in parents)
    # one schedule per source, on the cron in sources.yml
    assert probe["schedules"] == sorted([f"refresh_{s.id}_schedule", s.schedule] for s in config.sources)
    # one blocking unmapped-share check per indicator source on the fact table
    for source in config.sources:
        if source.max_unmapped_share is not None:
            assert f"marts/fct_indicator_values:unmapped_share_{source.id}" in probe["blocking"]
    # the change sensor refreshes a changed source and only what depends on it
    assert probe["sensors"] == ["icb_report_sensor", "source_change_sensor"]
    downstream = set(probe["shmi_downstream"])
    assert {"raw_files/shmi", "raw/shmi", "published_warehouse"} <= downstream
    assert any(key.endswith("stg_shmi__trust_releases") for key in downstream)
    assert any(key.endswith("fct_indicator_values") for key in downstream)
    assert "raw_files/ae_monthly" not in downstream and "raw/ods_etr" not in downstream
    # the ICB reports: partitioned by today's ICBs, after the publish, outside refresh_all (their sensor
    # runs them partition by partition)
    assert {"reports/icb_insight_report", "reports/index"} <= set(probe["keys"])
    assert probe["reports"]["parents"] == ["published_warehouse"]
    assert probe["reports"]["partitions"] == "icb"
    assert not [key for key in downstream if key.startswith("reports/")]
    assert probe["reports"]["in_refresh_all"] == []


def test_definitions_load_as_dagster_dev_code_server_starts_them(tmp_path):
    # `dagster dev` sets DAGSTER_IS_DEV_CLI and may start the code server without the venv on PATH;
    # the definitions must still find dbt and parse the project themselves.
    env = {
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PATH": "/usr/bin:/bin",
        "DAGSTER_IS_DEV_CLI": "1",
        "DAGSTER_HOME": str(tmp_path),
        "AUDIT_INSIGHT_WAREHOUSE_DIR": str(tmp_path),
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    assert any(key.endswith("fct_indicator_values") for key in probe["keys"])
