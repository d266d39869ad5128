"""The `audit-insight` command."""

import argparse
import sys

from orchestration.settings import load_settings
from orchestration.sources import SourceConfigError, load_sources


def _cmd_run(args: argparse.Namespace, source_ids: list[str] | None = None) -> int:
    from orchestration.refresh import RefreshLockedError, refresh_lock, run_refresh, summarise_published

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    print(
        f"audit-insight: {settings.mode} refresh of {len(config.sources)} sources into {settings.warehouse_dir}"
    )
    try:
        with refresh_lock(settings.warehouse_dir):
            report = run_refresh(settings, source_ids, force=getattr(args, "force", False))
    except RefreshLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    summary = summarise_published(settings)
    print()
    print("Summary")
    if report.nothing_changed:
        print(f"  run:      {report.nothing_changed}")
    else:
        print(f"  run:      {report.run_id} {'succeeded' if report.success else 'FAILED'}")
    if report.selected_sources:
        print(f"  rebuilt:  {', '.join(report.selected_sources)} and what depends on them")
    print(f"  checks:   {report.checks_passed} passed, {report.checks_failed} failed")
    for name in report.failed_checks:
        print(f"            failed: {name}")
    if summary:
        print(
            f"  sources:  {summary.sources} loaded, {summary.releases} releases, {summary.raw_rows} raw rows"
        )
        for source_id, facts in summary.facts_by_source.items():
            print(f"            {source_id}: {facts.describe()}")
        print(f"  database: {summary.database}")
        print(f"  exports:  {summary.exports_dir}/ ({', '.join(summary.exports)})")
    if not report.success:
        print()
        print("The published warehouse was left as it was. Errors:", file=sys.stderr)
        for error in report.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    return 0


def _cmd_sources_validate(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    releases = sum(len(s.releases) for s in config.sources)
    print(f"{settings.sources_file.name}: {len(config.sources)} sources, {releases} releases, all valid")
    return 0


def _cmd_sources_check(args: argparse.Namespace) -> int:
    from orchestration.refresh import RefreshLockedError, refresh_lock
    from orchestration.source_check import changed_source_ids, check_sources

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    try:
        with refresh_lock(settings.warehouse_dir):
            checks = check_sources(config, settings, args.source or None)
    except RefreshLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    # The lock is released before refreshing: the refresh takes it again.
    for check in checks:
        print(check.describe())
    changed = changed_source_ids(checks)
    failed = any(check.error for check in checks)
    if args.refresh and changed:
        print(f"refreshing {', '.join(changed)} and what depends on them")
        return max(_cmd_run(args, source_ids=changed), 2 if failed else 0)
    if not changed:
        print("nothing changed")
    return 2 if failed else 0


def _cmd_dbt_sources(args: argparse.Namespace) -> int:
    from orchestration.dbt_sources import write_dbt_sources

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    for path in write_dbt_sources(config, settings.dbt_project_dir):
        print(f"wrote {path}")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    import duckdb

    from orchestration.publish import PublishAuditError, publish

    settings = load_settings()
    try:
        result = publish(settings.build_database, settings.warehouse_dir)
    except (PublishAuditError, OSError, duckdb.Error) as exc:  # e.g. the disk filled up while writing
        print(f"error: publish failed, the published warehouse was left as it was: {exc}", file=sys.stderr)
        return 1
    print(f"published release {result.release_id}: {result.database}, {result.exports_dir}/")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from orchestration.report.build import build_reports
    from orchestration.report.data import ReportDataError
    from orchestration.report.findings import IcbLookupError

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.project_root)
    database, reports_dir = settings.published_database, settings.reports_dir
    if args.warehouse:
        given = Path(args.warehouse).resolve()
        # A warehouse directory (its published database and reports/ folder) or a .duckdb file.
        database = given if given.suffix == ".duckdb" else given / "audit_insight.duckdb"
        reports_dir = (given.parent if given.suffix == ".duckdb" else given) / "reports"
    if args.output:
        reports_dir = Path(args.output).resolve()
    started = time.perf_counter()
    try:
        built, index = build_reports(database, reports_dir, config.sources, None if args.all else args.icb)
    except (IcbLookupError, ReportDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for report in built:
        print(
            f"{report.icb.code}  {report.icb.name}: {report.path} ({report.charts} charts, {report.seconds:.1f}s)"
        )
    print(f"index: {index}")
    print(f"{len(built)} report(s) in {time.perf_counter() - started:.1f}s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audit-insight", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="fetch, validate, load, build and publish every source")
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild and publish even when no source changed (default: only what changed)",
    )
    run.set_defaults(handler=_cmd_run)
    sources = commands.add_parser("sources", help="work with sources.yml")
    sources_commands = sources.add_subparsers(dest="sources_command", required=True)
    sources_commands.add_parser(
        "validate", help="validate sources.yml and its bundled snapshots"
    ).set_defaults(handler=_cmd_sources_validate)
    check = sources_commands.add_parser(
        "check",
        help="ask each source's URL whether it changed (conditional requests); optionally refresh only those",
    )
    check.add_argument("--source", action="append", help="check only this source id (repeatable)")
    check.add_argument(
        "--refresh", action="store_true", help="then refresh the changed sources and what depends on them"
    )
    check.set_defaults(handler=_cmd_sources_check)
    commands.add_parser(
        "dbt-sources",
        help="regenerate the dbt sources file and the source catalogue seed from sources.yml",
    ).set_defaults(handler=_cmd_dbt_sources)
    commands.add_parser(
        "publish", help="publish the current build database again (write, audit, swap)"
    ).set_defaults(handler=_cmd_publish)
    report = commands.add_parser(
        "report", help="write the ICB Insight Report (HTML + CSV) for one ICB, or for every current ICB"
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--icb", action="append", help="ODS code (e.g. S1Y5D) or name of a current ICB (repeatable)"
    )
    which.add_argument("--all", action="store_true", help="every current ICB, plus the index page")
    report.add_argument(
        "--warehouse",
        help="warehouse directory (or its .duckdb file) to read; default AUDIT_INSIGHT_WAREHOUSE_DIR",
    )
    report.add_argument("--output", help="directory for the reports (default <warehouse>/reports)")
    report.set_defaults(handler=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SourceConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
