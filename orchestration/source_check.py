"""Has a source changed? Ask each release's URL with a conditional request, before any refresh.

Each release is fetched with the validators stored from its last download (If-None-Match /
If-Modified-Since) through the same fetch code as a refresh: same allow-list, https-only in live
mode, timeouts, retries and size caps, every attempt in ``meta.fetch_log``. A 304, or a 200 whose
bytes hash to the file already held, means unchanged; new bytes are stored in the raw store (where
the refresh that follows finds them) and mark the source changed. Only changed sources and what
depends on them need rebuilding (``audit-insight sources check --refresh``, and the Dagster sensor
``source_change_sensor``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from orchestration.ingest import IngestError, fetch_source
from orchestration.settings import Settings
from orchestration.sources import SourcesConfig


@dataclass(frozen=True)
class SourceCheck:
    source_id: str
    changed_releases: tuple[str, ...] = ()
    unchanged_releases: tuple[str, ...] = ()
    error: str | None = None  # the fetch failed: reported, never treated as "unchanged"

    @property
    def changed(self) -> bool:
        return bool(self.changed_releases)

    def describe(self) -> str:
        if self.error:
            return f"{self.source_id}: could not check: {self.error}"
        if self.changed:
            return f"{self.source_id}: changed ({', '.join(self.changed_releases)})"
        return f"{self.source_id}: unchanged ({len(self.unchanged_releases)} releases)"


def check_sources(
    config: SourcesConfig, settings: Settings, source_ids: Iterable[str] | None = None
) -> list[SourceCheck]:
    wanted = set(source_ids) if source_ids is not None else set(config.ids)
    checks = []
    for source in config.sources:
        if source.id not in wanted:
            continue
        try:
            results = fetch_source(source, config, settings)
        except IngestError as exc:
            checks.append(SourceCheck(source.id, error=str(exc)))
            continue
        checks.append(
            SourceCheck(
                source.id,
                changed_releases=tuple(r.release for r in results if r.outcome == "downloaded"),
                unchanged_releases=tuple(r.release for r in results if r.outcome != "downloaded"),
            )
        )
    return checks


def changed_source_ids(checks: Iterable[SourceCheck]) -> list[str]:
    return [check.source_id for check in checks if check.changed]
