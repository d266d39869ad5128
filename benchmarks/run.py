"""The benchmark: ``python -m benchmarks.run --mode small|full`` (``make bench-small`` / ``make bench``).

1. Generate the SYNTHETIC national set for the mode (scripts/generate_synthetic_national.py; kept and
   reused under the bench directory while its knobs are the same).
2. Stages, each in its own process (wall time, peak RSS of the whole process tree): fetch from the
   loopback server, validate, load, dbt build (everything but the methods models), methods marts
   (the dbt Python measurement models and what depends on them), publish.
3. Scenarios with the real CLI: full refresh from empty, no-change refresh, one source changed (a
   revised newest CVDPREVENT period), ten analyst queries on the published marts, reading the Parquet
   exports with DuckDB, pyarrow and polars.
4. Comparisons in the same run: the DuckDB floor (plain read_csv -> Parquet of the same CSV inputs)
   and a straightforward pandas load (read_csv -> to_parquet) of the same files.

Results: benchmarks/results/<mode>-<timestamp>.json and benchmarks/results/latest-<mode>.md.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.monitor import Measurement, measure_command
from orchestration.dbt_runner import dbt_executable

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "benchmarks" / "results"
PYTHON = sys.executable
CLI = str(Path(sys.executable).parent / "audit-insight")
GENERATOR = PROJECT_ROOT / "scripts" / "generate_synthetic_national.py"
GiB = 2**30
METHODS_SELECTOR = "path:models/intermediate/measurement+"

# Ten typical analyst questions on the published marts (read-only connection to the published file).
QUERIES = {
    "one ICB, one indicator, latest period": """
        select org_code, org_name, value from marts.fct_indicator_values
        where icb_code = (select min(icb_code) from marts.fct_indicator_values where org_level = 'practice')
          and indicator_id = (select min(indicator_id) from marts.fct_indicator_values where source_id = 'cvdprevent')
          and org_level = 'practice' and breakdown = 'all'
          and period_end = (select max(period_end) from marts.fct_indicator_values where source_id = 'cvdprevent')""",
    "ICB league table for one indicator": """
        select icb_code, sum(numerator) / nullif(sum(denominator), 0) as rate
        from marts.fct_indicator_values
        where indicator_id = (select min(indicator_id) from marts.fct_indicator_values where source_id = 'cvdprevent')
          and org_level = 'practice' and breakdown = 'all' group by 1 order by 2 desc""",
    "trend of one practice": """
        select indicator_id, period_end, value from marts.fct_indicator_values
        where org_code = (select min(org_code) from marts.fct_indicator_values where org_level = 'practice')
          and breakdown = 'all' order by 1, 2""",
    "count by source and level": """
        select source_id, org_level, count(*) from marts.fct_indicator_values group by all order by all""",
    "indicator catalogue": "select indicator_id, title, unit from marts.dim_indicators order by 1",
    "practices of one ICB": """
        select org_code, org_name from marts.dim_organisations
        where org_level = 'practice' and icb_code = (select min(icb_code) from marts.dim_organisations
                                                     where org_level = 'practice')""",
    "age breakdown of one indicator nationally": """
        select breakdown, sum(numerator), sum(denominator) from marts.fct_indicator_values
        where indicator_id = (select min(indicator_id) from marts.fct_indicator_values where source_id = 'cvdprevent')
          and org_level = 'practice'
          and period_end = (select max(period_end) from marts.fct_indicator_values where source_id = 'cvdprevent')
        group by 1 order by 1""",
    "top 10 practices by value": """
        select org_code, value from marts.fct_indicator_values
        where indicator_id = (select min(indicator_id) from marts.fct_indicator_values where source_id = 'cvdprevent')
          and org_level = 'practice' and breakdown = 'all'
          and period_end = (select max(period_end) from marts.fct_indicator_values where source_id = 'cvdprevent')
        order by value desc nulls last limit 10""",
    "A&E 4-hour performance by provider": """
        select org_code, period_end, value from marts.fct_indicator_values
        where source_id = 'ae_monthly' order by value desc nulls last limit 50""",
    "unmapped organisations": "select * from marts.unmapped_organisations limit 100",
}


def now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


class Bench:
    def __init__(self, mode: str, bench_dir: Path, ceiling_bytes: int, timeout_s: float | None = None):
        self.timeout_s = timeout_s
        self.stamp = now()
        self.mode = mode
        self.dir = bench_dir
        self.data = bench_dir / "data"
        self.ceiling = ceiling_bytes
        self.log = bench_dir / "bench.log"
        self.results: dict = {
            "mode": mode,
            "started_at": datetime.now(UTC).isoformat(),
            "machine": {
                "cpus": os.cpu_count(),
                "memory_gib": round(__import__("psutil").virtual_memory().total / GiB, 1),
                "python": platform.python_version(),
                "duckdb": duckdb.__version__,
            },
            "stages": {},
            "scenarios": {},
            "comparisons": {},
            "notes": [],
        }

    # ------------------------------------------------------------------------------------------
    def env(self, warehouse: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            AUDIT_INSIGHT_WAREHOUSE_DIR=str(warehouse),
            AUDIT_INSIGHT_SOURCES_FILE=str(self.data / "sources.yml"),
            AUDIT_INSIGHT_MODE="offline",
            AUDIT_INSIGHT_BUILD_DATABASE=str(warehouse / "build" / "audit_insight_build.duckdb"),
            AUDIT_INSIGHT_LOG_LEVEL="WARNING",
            DAGSTER_DISABLE_TELEMETRY="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
            DO_NOT_TRACK="1",
            GX_ANALYTICS_ENABLED="False",
        )
        if self.mode == "small":
            # the small set's 4 MB period files take the DuckDB streaming path too, so CI covers it
            env.setdefault("AUDIT_INSIGHT_STREAM_MIN_BYTES", str(1_000_000))
        return env

    def run(self, name: str, command: list[str], warehouse: Path | None = None, **kwargs) -> Measurement:
        with self.log.open("a") as log:
            log.write(f"\n=== {name}: {' '.join(command)}\n")
        env = self.env(warehouse) if warehouse else dict(os.environ)
        result = measure_command(
            name,
            command,
            env=env,
            cwd=str(PROJECT_ROOT),
            ceiling_bytes=self.ceiling,
            log_path=str(self.log),
            timeout_s=self.timeout_s,
            **kwargs,
        )
        status = "ok" if result.returncode == 0 else f"FAILED rc={result.returncode}"
        if result.killed_at_ceiling:
            status = f"KILLED at the {self.ceiling / GiB:.0f} GiB ceiling"
        elif result.note:
            status = result.note
        print(f"  {name:38s} {result.wall_s:8.1f} s  {result.peak_mib:8.0f} MiB  {status}", flush=True)
        return result

    def record(self, group: str, result: Measurement, **extra) -> None:
        self.results[group][result.name] = {**result.as_dict(), **extra}
        self.write()  # after every step: an interrupted run still leaves what it measured

    # ------------------------------------------------------------------------------------------
    def generate(self) -> None:
        manifest = self.data / "manifest.json"
        preset = self.mode
        if manifest.exists():
            existing = json.loads(manifest.read_text())
            self.results["data"] = existing
            # data from before the provider-level files existed is regenerated, not reused
            current = "provider_sources" in existing
            if existing.get("preset") == preset and current and (self.data / "sources.yml").exists():
                print(f"data: reusing {existing['rows']:,} SYNTHETIC rows in {self.data}")
                return
        shutil.rmtree(self.data, ignore_errors=True)
        result = self.run(
            "generate synthetic data", [PYTHON, str(GENERATOR), "--out", str(self.data), "--preset", preset]
        )
        if result.returncode != 0:
            raise SystemExit(f"generation failed; see {self.log}")
        data = json.loads(manifest.read_text())
        data["preset"] = preset
        manifest.write_text(json.dumps(data, indent=2))
        self.results["data"] = data
        self.record("scenarios", result)

    def csv_inputs(self) -> list[str]:
        """Every generated CSV (CVDPREVENT, A&E, RTT); the CWT workbooks are not CSV and the floor's
        read_csv cannot read them, so they are left out of both comparisons."""
        return sorted(str(p) for p in self.data.glob("*/*.csv"))

    # ------------------------------------------------------------------------------------------
    def stages(self) -> None:
        warehouse = self.dir / "wh_stages"
        shutil.rmtree(warehouse, ignore_errors=True)
        fetch = self.run(
            "fetch",
            [PYTHON, "-m", "benchmarks.stages", "fetch", "--json", str(self.dir / "s.json")],
            warehouse,
        )
        self.record("stages", fetch)
        vl = self.run(
            "validate + load",
            [PYTHON, "-m", "benchmarks.stages", "validate_load", "--json", str(self.dir / "vl.json")],
            warehouse,
        )
        if vl.returncode == 0:
            phases = json.loads((self.dir / "vl.json").read_text())
            for name in ("validate", "load"):
                self.results["stages"][name] = {
                    "name": name,
                    "wall_s": phases[name]["wall_s"],
                    "peak_rss_bytes": phases[name]["peak_rss_bytes"],
                    "peak_mib": round(phases[name]["peak_rss_bytes"] / 2**20, 1),
                    "returncode": 0,
                    "note": "phase of the validate + load process (in-process sampler)",
                }
            self.results["stages"]["load"]["rows"] = phases["load"].get("rows")
        self.record("stages", vl)
        target = self.dir / "dbt_target"
        dbt = [
            dbt_executable(),
            "build",
            "--project-dir",
            str(PROJECT_ROOT / "dbt_project"),
            "--profiles-dir",
            str(PROJECT_ROOT / "dbt_project"),
            "--target-path",
            str(target),
            "--log-path",
            str(self.dir / "dbt_logs"),
            "--quiet",
        ]
        self.record("stages", self.run("dbt build", [*dbt, "--exclude", METHODS_SELECTOR], warehouse))
        if getattr(self, "skip_methods", False):
            self.results["notes"].append("methods marts skipped (--skip methods): nothing was published")
            return
        self.record("stages", self.run("methods marts", [*dbt, "--select", METHODS_SELECTOR], warehouse))
        self.record(
            "stages",
            self.run(
                "publish",
                [PYTHON, "-m", "benchmarks.stages", "publish", "--json", str(self.dir / "p.json")],
                warehouse,
            ),
        )
        shutil.rmtree(warehouse / "raw", ignore_errors=True)  # a second copy of the inputs is not needed

    def scenarios(self) -> Path:
        warehouse = self.dir / "wh_refresh"
        shutil.rmtree(warehouse, ignore_errors=True)
        full = self.run("full refresh from empty", [CLI, "run"], warehouse)
        self.record("scenarios", full)
        if full.returncode != 0:
            self.results["notes"].append(f"the full refresh failed; see {self.log}")
            return warehouse
        nochange = self.run("no-change refresh", [CLI, "run"], warehouse)
        said = "nothing changed" in self._last_log_block()
        self.record("scenarios", nochange, nothing_changed=said)
        if getattr(self, "skip_changed", False):
            self.results["notes"].append("one-source-changed scenario skipped (--skip changed)")
            return warehouse
        self._revise_newest_period(seed_offset=1)
        changed = self.run("one source changed (cvdprevent)", [CLI, "run"], warehouse)
        block = self._last_log_block()
        rebuilt = next(
            (line.strip() for line in block.splitlines() if line.strip().startswith("rebuilt:")), ""
        )
        self.record("scenarios", changed, rebuilt=rebuilt)
        self._revise_newest_period(seed_offset=0)  # put the generated set back as it was
        return warehouse

    def _last_log_block(self) -> str:
        text = self.log.read_text(errors="replace")
        return text[text.rfind("\n=== ") :]

    def _revise_newest_period(self, seed_offset: int) -> None:
        sys.path.insert(0, str(GENERATOR.parent))
        import generate_synthetic_national as gen

        data = self.results["data"]
        end = gen.quarter_ends(data["periods"])[-1]
        with duckdb.connect() as con:
            gen.write_period(
                con,
                gen.period_path(self.data, end),
                data["practices"],
                data["indicators"],
                data["seed"] + seed_offset,
                data["periods"] - 1,
                f"To {gen.MONTHS[end.month]} {end.year}",
            )

    def queries(self, warehouse: Path) -> None:
        database = warehouse / "audit_insight.duckdb"
        if not database.exists():
            return
        timings = {}
        with duckdb.connect(str(database), read_only=True) as con:
            for name, sql in QUERIES.items():
                runs = []
                for _ in range(5):
                    started = time.perf_counter()
                    try:
                        con.execute(sql).fetchall()
                    except duckdb.Error as exc:
                        timings[name] = {"error": str(exc)[:200]}
                        break
                    runs.append((time.perf_counter() - started) * 1000)
                else:
                    timings[name] = {
                        "median_ms": round(statistics.median(runs), 2),
                        "max_ms": round(max(runs), 2),
                    }
        medians = [t["median_ms"] for t in timings.values() if "median_ms" in t]
        self.results["scenarios"]["analyst queries"] = {
            "queries": timings,
            "median_ms": round(statistics.median(medians), 2) if medians else None,
            "worst_ms": round(max(t["max_ms"] for t in timings.values() if "max_ms" in t), 2)
            if medians
            else None,
        }
        print(
            f"  {'analyst queries (10)':38s} median {self.results['scenarios']['analyst queries']['median_ms']} ms, "
            f"worst {self.results['scenarios']['analyst queries']['worst_ms']} ms"
        )

    def parquet_readers(self, warehouse: Path) -> None:
        exports = warehouse / "exports"
        files = sorted(str(p) for p in exports.glob("*.parquet"))
        if not files:
            return
        # Every export read through in batches, as a BI tool pages through it: a national
        # fct_indicator_values (52.6M rows) read whole into memory passes 12 GiB in every reader.
        readers = {
            "read Parquet: duckdb": "import duckdb,sys\nfor f in sys.argv[1:]:\n"
            " for b in duckdb.read_parquet(f).arrow(): pass",
            "read Parquet: pyarrow": "import pyarrow.parquet as pq,sys\nfor f in sys.argv[1:]:\n"
            " for b in pq.ParquetFile(f).iter_batches(batch_size=100_000): pass",
            "read Parquet: polars": "import polars as pl,sys\nfor f in sys.argv[1:]:"
            " pl.scan_parquet(f).select(pl.all().count()).collect(engine='streaming')",
        }
        for name, code in readers.items():
            self.record("scenarios", self.run(name, [PYTHON, "-c", code, *files]))

    def comparisons(self) -> None:
        out = self.dir / "floor"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        inputs = self.csv_inputs()
        floor = (
            "import duckdb,sys,os\ncon=duckdb.connect()\n"
            "for i,f in enumerate(sys.argv[2:]): con.execute(f\"copy (select * from read_csv('{f}')) to "
            "'{sys.argv[1]}/duck_{i}.parquet' (format parquet)\")"
        )
        self.record(
            "comparisons",
            self.run("DuckDB floor (read_csv -> Parquet)", [PYTHON, "-c", floor, str(out), *inputs]),
        )
        pandas = (
            "import pandas as pd,sys\n"
            "for i,f in enumerate(sys.argv[2:]): pd.read_csv(f).to_parquet(f'{sys.argv[1]}/pandas_{i}.parquet')"
        )
        self.record(
            "comparisons",
            self.run("pandas load (read_csv -> to_parquet)", [PYTHON, "-c", pandas, str(out), *inputs]),
        )
        shutil.rmtree(out, ignore_errors=True)

    # ------------------------------------------------------------------------------------------
    def summarise(self) -> None:
        r = self.results
        floor = r["comparisons"].get("DuckDB floor (read_csv -> Parquet)", {}).get("wall_s")
        full = r["scenarios"].get("full refresh from empty", {})
        pandas = r["comparisons"].get("pandas load (read_csv -> to_parquet)", {}).get("wall_s")
        targets = {}
        if floor and full.get("returncode") == 0:
            limit = 1.5 * floor + 20
            targets["full refresh within 1.5x floor + 20 s"] = {
                "limit_s": round(limit, 1),
                "measured_s": full["wall_s"],
                "met": full["wall_s"] <= limit,
                "ratio_to_floor": round(full["wall_s"] / floor, 2),
            }
        if full:
            targets["full refresh under 4 GiB"] = {
                "measured_mib": full["peak_mib"],
                "met": full["peak_rss_bytes"] < 4 * GiB and not full.get("killed_at_ceiling"),
            }
        nochange = r["scenarios"].get("no-change refresh")
        if nochange:
            targets["no-change refresh under 10 s, no dbt"] = {
                "measured_s": nochange["wall_s"],
                "met": nochange["wall_s"] < 10 and nochange.get("nothing_changed", False),
            }
        queries = r["scenarios"].get("analyst queries")
        if queries and queries.get("median_ms") is not None:
            targets["analyst query median under 100 ms"] = {
                "measured_ms": queries["median_ms"],
                "met": queries["median_ms"] < 100,
            }
        if floor and pandas:
            r["comparisons"]["pandas / floor"] = round(pandas / floor, 2)
        if floor and full.get("wall_s"):
            r["comparisons"]["full refresh / floor"] = round(full["wall_s"] / floor, 2)
        r["targets"] = targets
        r["finished_at"] = datetime.now(UTC).isoformat()

    def write(self) -> tuple[Path, Path]:
        RESULTS.mkdir(parents=True, exist_ok=True)
        json_path = RESULTS / f"{self.mode}-{self.stamp}.json"
        json_path.write_text(json.dumps(self.results, indent=2, default=str))
        md_path = RESULTS / f"latest-{self.mode}.md"
        md_path.write_text(markdown(self.results, json_path.name))
        return json_path, md_path


def _row(name: str, entry: dict, floor: float | None) -> str:
    if "wall_s" not in entry:
        return ""
    ratio = f"{entry['wall_s'] / floor:.2f}x" if floor else ""
    status = "ok" if entry.get("returncode", 0) == 0 else "FAILED"
    if entry.get("killed_at_ceiling"):
        status = "killed at memory ceiling"
    elif entry.get("note", "").startswith("stopped"):
        status = entry["note"]
    extra = entry.get("rebuilt") or ("said 'nothing changed'" if entry.get("nothing_changed") else "")
    return f"| {name} | {entry['wall_s']:.1f} | {entry['peak_mib']:.0f} | {ratio} | {status} {extra} |"


def markdown(r: dict, json_name: str) -> str:
    data = r.get("data", {})
    floor = r["comparisons"].get("DuckDB floor (read_csv -> Parquet)", {}).get("wall_s")
    if data.get("practices"):
        providers = "; ".join(
            f"{source_id} {entry['rows']:,} rows in {entry['files']} files"
            for source_id, entry in data.get("provider_sources", {}).items()
        )
        described = (
            f"SYNTHETIC data: {data.get('rows', 0):,} CVDPREVENT-shaped practice rows ({data.get('practices')} "
            f"practices x {data.get('indicators')} indicators x {data.get('breakdowns')} breakdowns x "
            f"{data.get('periods')} quarters, {data.get('bytes', 0) / 1e6:,.0f} MB of CSV)"
            + (f", provider-level files over {data.get('months')} months ({providers})" if providers else "")
            + f": {data.get('total_rows', data.get('rows', 0)):,} rows, "
            f"{data.get('total_bytes', data.get('bytes', 0)) / 1e6:,.0f} MB; the other sources are the bundled "
            "real files. The DuckDB floor and the pandas load read every generated CSV (the CWT workbooks "
            "are xlsx and are left out of both)."
        )
    else:
        described = f"Data: the bundled real sources only ({data.get('rows', 0):,} raw rows)."
    lines = [
        f"### Benchmark ({r['mode']} mode, {r['started_at'][:16]}Z, {r['machine']['cpus']} CPUs, "
        f"{r['machine']['memory_gib']} GiB, DuckDB {r['machine']['duckdb']})",
        "",
        f"{described} Raw results: benchmarks/results/{json_name}.",
        "",
        "| step | wall s | peak MiB (process tree) | x DuckDB floor | |",
        "|---|---:|---:|---:|---|",
    ]
    for group in ("stages", "scenarios", "comparisons"):
        for name, entry in r[group].items():
            if isinstance(entry, dict):
                row = _row(name, entry, floor)
                if row:
                    lines.append(row)
    queries = r["scenarios"].get("analyst queries")
    if queries:
        lines += [
            "",
            f"Ten analyst queries on the published marts: median {queries['median_ms']} ms, worst {queries['worst_ms']} ms.",
        ]
    if r.get("targets"):
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        for name, t in r["targets"].items():
            measured = ", ".join(f"{k} {v}" for k, v in t.items() if k != "met")
            lines.append(f"| {name} | {measured} | {'yes' if t['met'] else '**no**'} |")
    for note in r.get("notes", []):
        lines.append(f"\n- {note}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["small", "medium", "full"], default="small")
    parser.add_argument(
        "--bench-dir",
        type=Path,
        default=Path(os.environ.get("AUDIT_INSIGHT_BENCH_DIR", "/tmp/audit_insight_bench")),
        help="where data and warehouses go (default /tmp/audit_insight_bench/<mode>)",
    )
    parser.add_argument(
        "--ceiling-gib", type=float, default=12.0, help="kill a step whose process tree passes this"
    )
    parser.add_argument("--step-timeout-min", type=float, default=60.0, help="stop a step that runs longer")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["stages", "scenarios", "comparisons", "methods", "changed"],
    )
    args = parser.parse_args()
    bench_dir = args.bench_dir / args.mode
    bench_dir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.mode, bench_dir, int(args.ceiling_gib * GiB), args.step_timeout_min * 60)
    bench.skip_methods = "methods" in args.skip
    bench.skip_changed = "changed" in args.skip
    print(f"benchmark ({args.mode}) in {bench_dir}; log {bench.log}")
    bench.generate()
    if "stages" not in args.skip:
        bench.stages()
        if "scenarios" not in args.skip:
            # the stage warehouse (~12 GB at national scale) is measured; the scenarios need the disk
            shutil.rmtree(bench.dir / "wh_stages", ignore_errors=True)
    if "scenarios" not in args.skip:
        warehouse = bench.scenarios()
        bench.queries(warehouse)
        bench.parquet_readers(warehouse)
    elif "stages" not in args.skip:
        bench.queries(bench.dir / "wh_stages")
        bench.parquet_readers(bench.dir / "wh_stages")
    if "comparisons" not in args.skip:
        bench.comparisons()
    bench.summarise()
    json_path, md_path = bench.write()
    print(md_path.read_text())
    print(f"wrote {json_path} and {md_path}")
    failed = [
        name
        for group in ("stages", "scenarios")
        for name, entry in bench.results[group].items()
        if isinstance(entry, dict) and entry.get("returncode", 0) != 0
    ]
    return 1 if failed and args.mode == "small" else 0


if __name__ == "__main__":
    sys.exit(main())
