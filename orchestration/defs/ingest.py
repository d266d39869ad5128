"""Per-source ingest assets, derived from sources.yml.

For each source: ``raw_files/<id>`` fetches every release into the raw store, and ``raw/<id>``
parses, validates (a blocking Great Expectations check) and loads it into DuckDB. A failing suite
loads nothing, fails the check and so stops everything downstream of that source.
"""

import dagster as dg

from orchestration import ingest
from orchestration.defs.config import settings, sources_config
from orchestration.sources import Source

GX_CHECK_NAME = "great_expectations_suite"


def fetch_asset_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw_files", source_id])


def raw_asset_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_id])


def _failure_metadata(validation: ingest.SourceValidation) -> dict:
    metadata: dict = {"failed_files": len(validation.failures)}
    for item in validation.files:
        if item.report is None or item.report.success:
            continue
        for number, outcome in enumerate(item.report.failures()[:10], start=1):
            metadata[f"{item.fetch.release} failure {number}"] = dg.MetadataValue.json(
                {
                    "expectation": outcome.expectation_type,
                    "column": outcome.column,
                    "unexpected_count": outcome.unexpected_count,
                    "sample": list(outcome.unexpected_sample),
                }
            )
    metadata["message"] = dg.MetadataValue.md("\n\n".join(validation.failures)[:4000])
    return metadata


def build_source_assets(source: Source) -> list[dg.AssetsDefinition]:
    group = f"source_{source.id}"
    tags = {"source_kind": source.kind}

    @dg.asset(
        key=fetch_asset_key(source.id),
        group_name=group,
        tags=tags,
        kinds={"python"},
        description=f"Download every release of '{source.title}' into the immutable raw store.",
        metadata={"publisher": source.publisher, "homepage": dg.MetadataValue.url(source.homepage)},
    )
    def fetch_files(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        results = ingest.fetch_source(source, sources_config(), settings())
        outcomes = [r.outcome for r in results]
        context.log.info(f"{source.id}: fetched {len(results)} releases ({', '.join(sorted(set(outcomes)))})")
        return dg.MaterializeResult(
            metadata={
                "releases": len(results),
                "downloaded": outcomes.count("downloaded"),
                "not_modified": outcomes.count("not_modified"),
                "unchanged": outcomes.count("unchanged"),
                "bytes": sum(r.bytes for r in results),
            }
        )

    @dg.asset(
        key=raw_asset_key(source.id),
        deps=[fetch_asset_key(source.id)],
        group_name=group,
        tags=tags,
        kinds={"duckdb"},
        description=f"'{source.title}' parsed, validated and loaded into DuckDB table raw.{source.raw_table}.",
        check_specs=[
            dg.AssetCheckSpec(
                GX_CHECK_NAME,
                asset=raw_asset_key(source.id),
                blocking=True,
                description=f"Great Expectations suite expectations/{source.expectation_suite}.json on every file",
            )
        ],
    )
    def load_raw(context: dg.AssetExecutionContext):
        current = settings()
        fetched = ingest.current_files(source, current)
        validation = ingest.validate_source(source, fetched, current)
        if not validation.success:
            yield dg.AssetCheckResult(
                check_name=GX_CHECK_NAME,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata=_failure_metadata(validation),
            )
            # Validate before writing: nothing of this source has been loaded. Failing the step
            # (not only the check) stops every downstream asset, including the publish.
            raise dg.Failure(description="\n".join(validation.failures))
        loaded = ingest.load_source(source, validation, current)
        evaluated = sum(f.report.evaluated for f in validation.files if f.report is not None)
        yield dg.AssetCheckResult(
            check_name=GX_CHECK_NAME,
            passed=True,
            metadata={
                "files_validated": sum(1 for f in validation.files if f.report),
                "expectations": evaluated,
            },
        )
        new_rows = sum(r.rows for r in loaded)
        context.log.info(f"{source.id}: {sum(not r.skipped for r in loaded)} new files, {new_rows} rows")
        yield dg.MaterializeResult(
            metadata={
                "files_loaded": sum(not r.skipped for r in loaded),
                "files_already_loaded": sum(r.skipped for r in loaded),
                "rows_loaded": new_rows,
            }
        )

    return [fetch_files, load_raw]


def all_source_assets() -> list[dg.AssetsDefinition]:
    return [asset for source in sources_config().sources for asset in build_source_assets(source)]
