"""Load and validate ``sources.yml``: the one place a source is declared.

Everything else (Dagster assets, dbt sources, schedules, the offline snapshot server) is derived from
the objects returned here. A mistake in the file raises :class:`SourceConfigError` with one message
that names the entry and the field, so a data engineer can fix it without reading a traceback.
"""

import re
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# Identifiers from configuration end up in table names and file names: keep them boring.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]{1,62}$"
RELEASE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
HOST_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"

SourceKind = Literal["reference", "nca", "outcome", "access"]
FileFormat = Literal["csv", "xlsx", "xls", "xlsb", "json", "parquet", "zip"]


class SourceConfigError(ValueError):
    """sources.yml is malformed; the message names the entry and the field."""


class Release(BaseModel):
    """One published file of a source: where it lives online and where its bundled copy is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    release: str = Field(pattern=RELEASE_PATTERN)
    # The real public URL. A release the publisher no longer serves (an old vintage kept for history)
    # is marked archived: both modes then read it from the bundle, and the docs say so.
    url: str | None = None
    archived: bool = False
    snapshot: str
    # When set, the publisher serves a zip and only this member is taken from it.
    zip_member: str | None = None
    # Only for a release whose file is in another format than the source's other releases (e.g. an
    # older month published as .xls where later months are csv); see Source.format_of.
    format: FileFormat | None = None
    # Only for a release whose file another parser reads (e.g. a Fingertips classic-API CSV beside the
    # source's FingertipsNext JSON releases); must be a name in orchestration.parsers.PARSERS.
    parser: str | None = Field(default=None, pattern=IDENTIFIER_PATTERN)
    # Only for files that do not state their own period (e.g. SHMI, SSNAP): declared from the
    # publication's web page so the parser can stamp every row.
    period_start: date | None = None
    period_end: date | None = None
    period_label: str | None = None
    note: str | None = None
    # Sources with an `indicators` list (one response per indicator, e.g. Fingertips): the publisher's
    # id of the indicator this release's file holds; it must be one of the source's indicators.
    indicator: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$")

    @model_validator(mode="after")
    def _period_order(self) -> "Release":
        if not self.url and not self.archived:
            raise ValueError("url is required unless the release is archived: true")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self

    @property
    def url_host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower() if self.url else ""


class ApiPeriods(BaseModel):
    """Which of the API's time periods a walk loads: the latest N, or these names (as the API spells them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latest: int | None = Field(default=None, ge=1, le=100)
    names: list[str] | None = Field(default=None, min_length=1)
    # Only periods of this indicator type (CVDPREVENT: Standard or Outcomes); null = every period.
    indicator_type: str | None = "Standard"

    @model_validator(mode="after")
    def _one_rule(self) -> "ApiPeriods":
        if (self.latest is None) == (self.names is None):
            raise ValueError("give exactly one of 'latest' (a number) or 'names' (a list)")
        return self


class ApiWalk(BaseModel):
    """A source whose releases are discovered by walking the publisher's API (orchestration/walkers).

    The catalogue (time periods, system levels, indicators) is read from the API on every walk;
    only the choice below is configured. Each walked period becomes a release of the source.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    walker: str = Field(pattern=IDENTIFIER_PATTERN)  # a walker's name in orchestration/walkers
    base_url: str
    indicators: list[str] | Literal["all"] = "all"  # the publisher's indicator codes
    system_levels: list[str] = Field(min_length=1)  # by the API's names, e.g. ICB, PCN, Practice
    time_periods: ApiPeriods
    # The API's periods are cumulative to an end date; period_start = the months before it.
    period_months: int = Field(default=12, ge=1, le=120)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=IDENTIFIER_PATTERN)
    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    kind: SourceKind
    licence: str
    attribution: str = Field(min_length=10)
    homepage: str
    allowed_hosts: list[str] = Field(min_length=1)
    format: FileFormat
    parser: str = Field(pattern=IDENTIFIER_PATTERN)
    org_levels: list[str] = Field(min_length=1)
    period_type: Literal["month", "quarter", "financial_year", "rolling_12_months", "cumulative", "as_at"]
    schedule: str
    expectation_suite: str = Field(pattern=IDENTIFIER_PATTERN)
    next_review: date
    max_bytes: int = Field(default=200_000_000, gt=0)
    # Indicator sources only: the largest share of published rows allowed to have no ICB
    # (orchestration/coverage.py); above it the refresh stops before publishing.
    max_unmapped_share: float | None = Field(default=None, ge=0, le=1)
    # Optional: the publisher's indicator ids this source loads, when the publisher serves one response
    # per indicator (Fingertips). Each release then names its `indicator`; see docs/sources-yml.md.
    indicators: list[str] | None = Field(default=None, min_length=1)
    description: str | None = None
    # Optional: a live walk of the publisher's API that adds one release per walked period.
    api: ApiWalk | None = None
    releases: list[Release] = Field(min_length=1)

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(f"not a valid 5-field cron expression: {value!r}")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _valid_hosts(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if not re.match(HOST_PATTERN, host):
                raise ValueError(f"not a host name: {host!r} (give the bare host, e.g. files.digital.nhs.uk)")
        return hosts

    @field_validator("homepage")
    @classmethod
    def _https_homepage(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    @model_validator(mode="after")
    def _unmapped_share_for_indicator_sources(self) -> "Source":
        if self.kind == "reference" and self.max_unmapped_share is not None:
            raise ValueError(
                "max_unmapped_share: only indicator sources (kind nca, outcome or access) take it"
            )
        if self.kind != "reference" and self.max_unmapped_share is None:
            raise ValueError(
                "max_unmapped_share: required for an indicator source (the share of its published rows "
                "allowed to have no ICB, e.g. 0.05)"
            )
        return self

    @property
    def raw_table(self) -> str:
        """The DuckDB table (in schema ``raw``) this source's parsed rows are loaded into."""
        return self.id

    def format_of(self, release: Release) -> FileFormat:
        """The format of one release's file (of its zip member for a zip): its own, else the source's."""
        return release.format or self.format

    def parser_of(self, release: Release) -> str:
        """The parser of one release's file: its own (``parser`` on the release), else the source's."""
        return release.parser or self.parser

    def release_by_label(self, label: str) -> Release:
        for release in self.releases:
            if release.release == label:
                return release
        raise KeyError(f"source {self.id!r} has no release {label!r}")


class SourcesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    sources: list[Source] = Field(min_length=1)

    def by_id(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"no source {source_id!r} in sources.yml")

    @property
    def ids(self) -> list[str]:
        return [source.id for source in self.sources]


def _entry_name(raw: object, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"source '{raw['id']}' (entry {index + 1})"
    return f"source entry {index + 1}"


def _describe_error(error: dict, raw_sources: list) -> str:
    loc = list(error["loc"])
    where = "top level"
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        where = _entry_name(raw_sources[loc[1]] if loc[1] < len(raw_sources) else None, loc[1])
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "releases" and isinstance(loc[1], int):
            where += f", release {loc[1] + 1}"
            loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(entry)"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against docs/sources-yml.md)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"{where}, field '{field}': {message}"


def load_sources(path: Path, project_root: Path | None = None) -> SourcesConfig:
    """Parse and validate sources.yml; raise SourceConfigError naming the entry and field at fault."""
    path = Path(path)
    project_root = Path(project_root) if project_root else path.parent
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceConfigError(f"{path.name}: file not found at {path}") from exc
    except yaml.YAMLError as exc:
        raise SourceConfigError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourceConfigError(f"{path.name}: expected a mapping with 'schema_version' and 'sources'")
    raw_sources = raw.get("sources") if isinstance(raw.get("sources"), list) else []
    try:
        config = SourcesConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise SourceConfigError(f"{path.name}: {_describe_error(first, raw_sources)}{suffix}") from None
    _check_cross_field_rules(config, path.name, project_root)
    return config


def _check_cross_field_rules(config: SourcesConfig, file_name: str, project_root: Path) -> None:
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        where = f"{file_name}: source '{source.id}' (entry {index + 1})"
        if source.id in seen:
            raise SourceConfigError(f"{where}, field 'id': duplicate id {source.id!r}")
        seen.add(source.id)
        from orchestration.parsers import PARSERS  # late: the parsers import this module

        if source.parser not in PARSERS:
            raise SourceConfigError(
                f"{where}, field 'parser': unknown parser {source.parser!r}: expected one of {sorted(PARSERS)}"
            )
        labels: set[str] = set()
        allowed = {host.lower() for host in source.allowed_hosts}
        if source.api is not None:
            api_url = urlsplit(source.api.base_url)
            api_host = (api_url.hostname or "").lower()
            loopback = api_host in ("127.0.0.1", "localhost")
            if api_url.scheme != "https" and not (loopback and api_url.scheme == "http"):
                raise SourceConfigError(
                    f"{where}, field 'api.base_url': must use https (http only to 127.0.0.1 for tests), "
                    f"got {api_url.scheme!r}"
                )
            if api_host not in allowed and not loopback:
                raise SourceConfigError(
                    f"{where}, field 'api.base_url': host {api_host!r} is not in allowed_hosts {sorted(allowed)}"
                )
        for number, release in enumerate(source.releases, start=1):
            at = f"{where}, release {number} ('{release.release}')"
            if release.release in labels:
                raise SourceConfigError(f"{at}, field 'release': duplicate release label")
            labels.add(release.release)
            if source.indicators is not None and release.indicator not in source.indicators:
                raise SourceConfigError(
                    f"{at}, field 'indicator': expected one of the source's indicators {source.indicators}, "
                    f"found {release.indicator!r}"
                )
            if source.indicators is None and release.indicator is not None:
                raise SourceConfigError(
                    f"{at}, field 'indicator': the source declares no 'indicators' list to choose from"
                )
            parts = None if release.url is None else urlsplit(release.url)
            if parts is not None and parts.scheme != "https":
                raise SourceConfigError(f"{at}, field 'url': live URLs must use https, got {parts.scheme!r}")
            if parts is not None and release.url_host not in allowed:
                raise SourceConfigError(
                    f"{at}, field 'url': host {release.url_host!r} is not in allowed_hosts {sorted(allowed)}"
                )
            if release.parser is not None:
                from orchestration.parsers import PARSERS  # late: the parsers import this module

                if release.parser not in PARSERS:
                    raise SourceConfigError(
                        f"{at}, field 'parser': unknown parser {release.parser!r}: expected one of "
                        f"{sorted(PARSERS)}"
                    )
            snapshot = project_root / release.snapshot
            if not snapshot.is_file():
                raise SourceConfigError(f"{at}, field 'snapshot': bundled file not found: {release.snapshot}")
            suffix = snapshot.suffix.lower().lstrip(".")
            if release.format and suffix != release.format:
                raise SourceConfigError(
                    f"{at}, field 'format': declared {release.format!r} but the bundled file "
                    f"{snapshot.name!r} is not a .{release.format} file"
                )
