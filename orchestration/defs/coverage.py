"""One blocking check per indicator source on the fact table: its share of rows without an ICB."""

import dagster as dg

from orchestration.coverage import measure_unmapped_share
from orchestration.defs.config import settings, sources_config

FACT_ASSET_KEY = dg.AssetKey(["marts", "fct_indicator_values"])


def unmapped_share_checks() -> list[dg.AssetChecksDefinition]:
    checks = []
    for source in sources_config().sources:
        if source.max_unmapped_share is None:
            continue
        checks.append(_unmapped_share_check(source.id, source.max_unmapped_share))
    return checks


def _unmapped_share_check(source_id: str, max_share: float) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=FACT_ASSET_KEY,
        name=f"unmapped_share_{source_id}",
        blocking=True,
        description=(
            f"At most {max_share:.0%} of {source_id}'s published rows may lack an ICB "
            "(max_unmapped_share in sources.yml); the rest are in marts.unmapped_organisations."
        ),
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        measured = measure_unmapped_share(settings().build_database, source_id, max_share)
        context.log.info(measured.describe())
        return dg.AssetCheckResult(
            passed=measured.passed,
            description=measured.describe(),
            metadata={
                "published_rows": measured.published_rows,
                "unmapped_rows": measured.unmapped_rows,
                "unmapped_share": round(measured.share, 4),
                "max_unmapped_share": max_share,
            },
        )

    return check
