"""The CVDPREVENT API walk, really run: SYNTHETIC payloads served on loopback reach the marts.

A private copy of the shared first run's warehouse (never the shared one itself), then
`audit-insight sources check --refresh --source cvdprevent` with a sources file whose cvdprevent entry
walks the loopback API: only cvdprevent and what depends on it are rebuilt.
"""

import os
import shutil
import subprocess

import pytest

from tests.conftest import write_sources
from tests.e2e.support import CLI, query
from tests.support.cvdprevent_api import generate_payloads, serve_payloads, walk_sources_document
from tests.support.http_server import LoopbackServer

pytestmark = pytest.mark.e2e


def test_walked_practice_pcn_sub_icb_and_icb_rows_reach_the_facts_with_an_icb(
    tmp_path, first_run, sources_document
):
    shared, _ = first_run
    warehouse = tmp_path / "warehouse"
    shutil.copytree(shared, warehouse, symlinks=True)
    payloads = generate_payloads(tmp_path / "api", practices=8, periods=1)
    with LoopbackServer() as api:
        serve_payloads(api, payloads)
        document = dict(sources_document)
        walk = walk_sources_document(sources_document, api.base_url, time_periods={"latest": 1})["sources"][0]
        document["sources"] = [walk if s["id"] == "cvdprevent" else s for s in sources_document["sources"]]
        env = dict(os.environ)
        env |= {
            "AUDIT_INSIGHT_WAREHOUSE_DIR": str(warehouse),
            "AUDIT_INSIGHT_MODE": "offline",
            "AUDIT_INSIGHT_SOURCES_FILE": str(write_sources(tmp_path / "sources.yml", document)),
        }
        completed = subprocess.run(
            [str(CLI), "sources", "check", "--refresh", "--source", "cvdprevent"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-4000:]
    assert "cvdprevent: changed (to-december-2025)" in completed.stdout

    rows = dict(
        query(
            warehouse,
            "select org_level, count(*) filter (where icb_code is not null) * 1.0 / count(*) "
            "from marts.fct_indicator_values where source_id = 'cvdprevent' and not is_derived "
            "and release_label = 'to-december-2025' group by org_level",
        )
    )
    assert set(rows) == {"country", "nhs_region", "icb", "sub_icb", "pcn", "practice"}
    for level in ("icb", "sub_icb", "pcn", "practice"):
        assert rows[level] == 1.0, (level, rows[level])  # every row below England carries today's ICB
    # the real bundled cut is still there, its To March 2026 rows untouched by the synthetic period
    [(real,)] = query(
        warehouse,
        "select count(*) from marts.fct_indicator_values where source_id = 'cvdprevent' and not is_derived "
        "and release_label = 'CVDP001HYP-icb-2026-03'",
    )
    assert real == 56
