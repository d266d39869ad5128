"""One pipeline stage, run in its own process so its peak memory is its own (benchmarks/run.py).

    python -m benchmarks.stages fetch|validate_load|publish --json <file>

The stages call the same functions the Dagster assets call (orchestration/ingest.py, publish.py), on
the warehouse and sources file given by the usual environment variables. ``validate_load`` times
its two phases separately (validate: parse + Great Expectations or SQL suite; load: write raw.*),
with the process tree sampled in a thread.
"""

import argparse
import json
import os
import time

from benchmarks.monitor import TreeSampler
from orchestration import ingest
from orchestration.publish import publish
from orchestration.release_catalogue import write_release_catalogue
from orchestration.settings import load_settings
from orchestration.sources import load_sources


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["fetch", "validate_load", "publish"])
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    phases: dict[str, dict] = {}
    with TreeSampler(os.getpid()) as sampler:

        def phase(name, work):
            sampler.reset()
            started = time.perf_counter()
            result = work()
            phases[name] = {"wall_s": round(time.perf_counter() - started, 3), "peak_rss_bytes": sampler.peak}
            return result

        if args.stage == "fetch":
            phase("fetch", lambda: [ingest.fetch_source(s, config, settings) for s in config.sources])
        elif args.stage == "validate_load":
            per_source: dict[str, float] = {}

            def validate(source):
                started = time.perf_counter()
                validation = ingest.validate_source(source, ingest.current_files(source, settings), settings)
                per_source[source.id] = round(time.perf_counter() - started, 3)
                return source, validation

            validations = phase("validate", lambda: [validate(s) for s in config.sources])
            phases["validate"]["seconds_by_source"] = per_source
            failed = [v.failures for _, v in validations if not v.success]
            if failed:
                raise SystemExit(f"validation failed: {failed[:3]}")
            rows = phase(
                "load",
                lambda: sum(r.rows for s, v in validations for r in ingest.load_source(s, v, settings)),
            )
            phases["load"]["rows"] = rows
            write_release_catalogue(settings.build_database, config, settings)
        else:
            result = phase("publish", lambda: publish(settings.build_database, settings.warehouse_dir))
            phases["publish"]["release_id"] = result.release_id
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump(phases, handle)


if __name__ == "__main__":
    main()
