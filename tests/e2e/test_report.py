"""The ICB Insight Report end to end: from the warehouse a real refresh published, through the CLI,
to HTML that headless Chromium opens, with every number found again in the marts."""

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from orchestration.duckdb_utils import qualified, quote_identifier
from tests.e2e.support import CLI

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MERGED_ICB = "S1Y5D"  # NHS Central East ICB, formed in April 2026 from QHG, QM7 and QUE
TOLERANCE = 1e-9
BROWSER_HOSTS = ("google.com", "googleapis.com", "gstatic.com", "gvt1.com")


@pytest.fixture(scope="module")
def warehouse(request) -> Path:
    # A developer may point the module at an already published warehouse to iterate quickly; CI
    # always uses the session's fresh refresh.
    given = os.environ.get("AUDIT_INSIGHT_REPORT_TEST_WAREHOUSE")
    if given:
        return Path(given)
    warehouse, _ = request.getfixturevalue("first_run")
    return warehouse


def run_report(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, AUDIT_INSIGHT_WAREHOUSE_DIR=str(warehouse))
    return subprocess.run(
        [str(CLI), "report", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    started = time.perf_counter()
    completed = run_report(warehouse, "--all", "--warehouse", str(warehouse), "--output", str(out))
    elapsed = time.perf_counter() - started
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return out, elapsed


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse / "audit_insight.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TOLERANCE * max(1.0, abs(float(b)))


class ReportParser(HTMLParser):
    """Collects, per top-level section, the charts (svg role=img class=chart) and figures, and every
    element carrying data-mart / data-key."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.charts: dict[str, int] = {}
        self.figures: dict[str, int] = {}
        self.missing: dict[str, int] = {}
        self.keyed: list[dict] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id")
        if self.section is None:
            return
        if tag == "svg" and attrs.get("role") == "img" and "chart" in (attrs.get("class") or ""):
            self.charts[self.section] = self.charts.get(self.section, 0) + 1
        if tag == "figure":
            self.figures[self.section] = self.figures.get(self.section, 0) + 1
        if tag == "p" and "chart-missing" in (attrs.get("class") or ""):
            self.missing[self.section] = self.missing.get(self.section, 0) + 1
        if "data-key" in attrs and "data-mart" in attrs and tag in ("li", "p"):
            self.keyed.append({"tag": tag, "section": self.section, **attrs})

    def handle_data(self, data):
        if self.section:
            self.text.setdefault(self.section, []).append(data)


def parse(path: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_report_all_writes_every_current_icb_and_the_index_in_reasonable_time(warehouse, reports):
    out, elapsed = reports
    current = [
        row[0]
        for row in query(
            warehouse,
            "select org_code from marts.dim_organisations where org_type = 'icb' and valid_to is null "
            "and successor_org_code is null",
        )
    ]
    assert len(current) == 36 and MERGED_ICB in current
    written = sorted(p.parent.name for p in out.glob("*/index.html"))
    assert written == sorted(current)
    index = (out / "index.html").read_text(encoding="utf-8")
    for code in current:
        assert f'href="{code}/index.html"' in index
    assert 'href="QHG/index.html"' not in index  # merged away in April 2026
    assert elapsed < 120, f"report --all took {elapsed:.0f}s"


def test_numbers_in_the_report_equal_the_marts(warehouse, reports):
    out, _ = reports
    folder = out / MERGED_ICB
    benchmark = read_csv(folder / "csv" / "benchmark.csv")
    assert benchmark
    for row in benchmark:
        found = query(
            warehouse,
            "select value, lower_ci_95, upper_ci_95, england_value, comparison_england from marts.benchmarks "
            "where source_id = ? and indicator_id = ? and org_level = ? and org_code_published = ? "
            "and org_unit_name = ? and is_derived = ? and period_end = ? and breakdown = 'all'",
            [
                row["source_id"],
                row["indicator_id"],
                row["org_level"],
                row["org_code_published"],
                row["org_unit_name"],
                row["is_derived"] == "true",
                row["period_end"],
            ],
        )
        assert len(found) == 1, row
        value, lower, upper, england, comparison = found[0]
        assert _close(_float(row["value"]), value) and _close(_float(row["lower_ci_95"]), lower)
        assert _close(_float(row["upper_ci_95"]), upper) and _close(_float(row["england_value"]), england)
        assert row["comparison_england"] == comparison

    for row in read_csv(folder / "csv" / "spc.csv"):
        found = query(
            warehouse,
            "select value, mean, upper_process_limit, variation from marts.spc where source_id = ? "
            "and indicator_id = ? and org_code = ? and org_level = 'icb' and breakdown = 'all' and point_number = ?",
            [row["source_id"], row["indicator_id"], row["org_code"], int(row["point_number"])],
        )
        assert len(found) == 1
        assert _close(_float(row["value"]), found[0][0]) and _close(_float(row["mean"]), found[0][1])
        assert row["variation"] == found[0][3]

    mine = [r for r in read_csv(folder / "csv" / "funnel.csv") if r["is_this_icb"] == "true"]
    assert mine
    for row in mine:
        found = query(
            warehouse,
            "select value, status from marts.outliers where source_id = ? and indicator_id = ? "
            "and org_code_published = ? and org_level = ? and period_end = ? and funnel_level = 'provider' "
            "and breakdown = 'all' and coalesce(org_unit_name, '') = coalesce(?, '')",
            [
                row["source_id"],
                row["indicator_id"],
                row["org_code_published"],
                row["org_level"],
                row["period_end"],
                row["org_unit_name"],
            ],
        )
        assert any(_close(_float(row["value"]), v) and row["status"] == s for v, s in found), row

    # The HTML: every ICB value and headline finding names its mart row, and the row holds that number.
    parsed = parse(folder / "index.html")
    summaries = [k for k in parsed.keyed if k["tag"] == "p"]
    assert summaries
    for element in summaries:
        key = json.loads(element["data-key"])
        found = query(
            warehouse,
            "select value from marts.benchmarks where source_id = ? and indicator_id = ? and org_code = ? "
            "and org_level = 'icb' and is_derived = ? and period_end = ? and breakdown = 'all'",
            [key["source_id"], key["indicator_id"], key["org_code"], key["is_derived"], key["period_end"]],
        )
        assert len(found) == 1 and _close(float(element["data-value"]), found[0][0])
    headline = read_csv(folder / "csv" / "headline.csv")
    findings = [k for k in parsed.keyed if k["tag"] == "li"]
    assert len(findings) == len(headline)
    for element in findings:
        key = json.loads(element["data-key"])
        mart = element["data-mart"]
        assert mart in ("benchmarks", "outliers", "spc")
        where = " and ".join(quote_identifier(column) + " = ?" for column in key)
        sql = "select count(*) from " + qualified("marts", mart) + " where " + where  # noqa: S608 (quoted names)
        assert query(warehouse, sql, list(key.values()))[0][0] >= 1


def test_a_merged_icb_shows_its_whole_history_on_its_current_footprint(warehouse, reports):
    out, _ = reports
    spc_rows = read_csv(out / MERGED_ICB / "csv" / "spc.csv")
    before = [r for r in spc_rows if date.fromisoformat(r["period_end"]) < date(2026, 4, 1)]
    assert before, "no period before the April 2026 mergers in S1Y5D's SPC charts"
    assert {r["org_code"] for r in spc_rows} == {MERGED_ICB}
    # every ICB-level point the marts hold for S1Y5D on the charted indicators is in the report
    charted = sorted({(r["source_id"], r["indicator_id"]) for r in spc_rows})
    for source_id, indicator_id in charted:
        expected = query(
            warehouse,
            "select count(*), min(period_end) from marts.spc where org_code = ? and org_level = 'icb' "
            "and breakdown = 'all' and source_id = ? and indicator_id = ?",
            [MERGED_ICB, source_id, indicator_id],
        )[0]
        points = [r for r in spc_rows if (r["source_id"], r["indicator_id"]) == (source_id, indicator_id)]
        assert len(points) == expected[0]
        assert min(date.fromisoformat(r["period_end"]) for r in points) == expected[1]
    html = (out / MERGED_ICB / "index.html").read_text(encoding="utf-8")
    assert "NHS Central East Integrated Care Board" in html and "December 2019" in html


def test_report_opens_in_headless_chromium_with_every_chart_and_no_console_errors(reports, tmp_path):
    out, _ = reports
    page = out / MERGED_ICB / "index.html"
    screenshot = out / MERGED_ICB / "screenshot.png"
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-component-update",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    shot = subprocess.run(
        [
            *base,
            "--enable-logging=stderr",
            "--v=1",
            "--window-size=1280,2400",
            f"--screenshot={screenshot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.returncode == 0, shot.stderr[-3000:]
    console = [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    # Self-contained: the browser loads the report file and nothing else (no CDN, no other file).
    loads = [line.split("Start: ", 1)[1] for line in shot.stderr.splitlines() if "URLLoader::Start: " in line]
    assert all(url == page.as_uri() for url in loads), loads
    requested = [
        urlparse(line.split("NotifyBeforeURLRequest: ", 1)[1]).hostname or ""
        for line in shot.stderr.splitlines()
        if "NotifyBeforeURLRequest: " in line
    ]
    # The browser's own background calls to Google are not the page's; anything else would be.
    assert [host for host in requested if not host.endswith(BROWSER_HOSTS)] == []
    assert screenshot.stat().st_size > 20_000
    shutil.copy(screenshot, tmp_path / "report-screenshot.png")

    # The DOM Chromium built: count the charts per section against the figures the HTML declares.
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-3000:]
    dumped = tmp_path / "dom.html"
    dumped.write_text(dom.stdout, encoding="utf-8")
    rendered, source = parse(dumped), parse(page)
    assert rendered.charts == source.charts
    areas = [s for s in source.figures if s.startswith("area-")]
    assert areas
    for section in areas:
        # each figure is a chart or says why there is none
        assert source.figures[section] == source.charts.get(section, 0) + source.missing.get(section, 0)
    for section in areas:
        words = " ".join(source.text.get(section, []))
        # a section has charts, or says that the source has no data, or no values for this ICB
        assert source.charts.get(section, 0) > 0 or "No data loaded for" in words or "No values for" in words
    assert sum(source.charts.values()) >= 20
    for section in ("headline", "providers", "networks", "questions", "data"):
        assert section in source.text


def test_a_report_renders_with_a_source_missing(warehouse, tmp_path):
    copy = tmp_path / "warehouse"
    copy.mkdir()
    shutil.copy(warehouse / "audit_insight.duckdb", copy / "audit_insight.duckdb")
    with duckdb.connect(str(copy / "audit_insight.duckdb")) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_columns() where column_name = 'source_id' "
            "and schema_name in ('marts', 'meta') and database_name = current_database()"
        ).fetchall()
        for schema, table in tables:
            delete = "delete from " + qualified(schema, table) + " where source_id = ?"  # noqa: S608 (quoted names)
            con.execute(delete, ["shmi"])
    completed = run_report(copy, "--icb", MERGED_ICB, "--warehouse", str(copy))
    assert completed.returncode == 0, completed.stderr[-3000:]
    parsed = parse(copy / "reports" / MERGED_ICB / "index.html")
    assert "No data loaded for" in " ".join(parsed.text["area-shmi"])
    assert parsed.charts.get("area-shmi", 0) == 0
    assert parsed.charts.get("area-ae_monthly", 0) > 0


def test_cli_names_the_candidates_for_an_unknown_or_ambiguous_icb(warehouse, tmp_path):
    out = tmp_path / "r"
    unknown = run_report(warehouse, "--icb", "Atlantis", "--warehouse", str(warehouse), "--output", str(out))
    assert unknown.returncode == 2 and "no current ICB matches 'Atlantis'" in unknown.stderr
    assert "S1Y5D NHS Central East Integrated Care Board" in unknown.stderr
    ambiguous = run_report(warehouse, "--icb", "london", "--warehouse", str(warehouse), "--output", str(out))
    assert ambiguous.returncode == 2 and "matches 4 current ICBs" in ambiguous.stderr
    assert not out.exists()  # nothing written before the name is resolved
    by_name = run_report(
        warehouse, "--icb", "central EAST", "--warehouse", str(warehouse), "--output", str(out)
    )
    assert by_name.returncode == 0 and (out / MERGED_ICB / "index.html").exists()


def test_csv_text_cells_are_safe_to_open_in_a_spreadsheet(reports):
    out, _ = reports
    for path in (out / MERGED_ICB / "csv").glob("*.csv"):
        for row in read_csv(path):
            for column, value in row.items():
                if value[:1] in ("=", "+", "@", "\t", "\r"):
                    pytest.fail(f"{path.name} {column}: {value!r}")
                if value.startswith("-"):
                    float(value)  # only numbers may start with a minus


def test_dagster_asset_writes_one_partition(warehouse, tmp_path):
    probe = f"""
import dagster as dg
from orchestration.defs.reports import ICB_PARTITIONS, icb_insight_report, partition_requests
# after a reorganisation: new ICBs are added, merged ones deleted
requests = partition_requests(["S1Y5D", "QJK"], ["QHG", "QJK"])
assert [(type(r).__name__, list(r.partition_keys)) for r in requests] == [
    ("AddDynamicPartitionsRequest", ["S1Y5D"]), ("DeleteDynamicPartitionsRequest", ["QHG"])]
instance = dg.DagsterInstance.ephemeral()
instance.add_dynamic_partitions(ICB_PARTITIONS.name, ["{MERGED_ICB}"])
result = dg.materialize([icb_insight_report], partition_key="{MERGED_ICB}", instance=instance)
assert result.success
print(result.asset_materializations_for_node("reports__icb_insight_report")[0].metadata["path"].value)
"""
    copy = tmp_path / "warehouse"
    copy.mkdir()
    shutil.copy(warehouse / "audit_insight.duckdb", copy / "audit_insight.duckdb")
    env = dict(os.environ, AUDIT_INSIGHT_WAREHOUSE_DIR=str(copy), DAGSTER_HOME=str(tmp_path))
    completed = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert Path(completed.stdout.strip().splitlines()[-1]) == copy / "reports" / MERGED_ICB / "index.html"
