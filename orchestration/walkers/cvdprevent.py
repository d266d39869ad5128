"""Walk the CVDPREVENT API (https://api.cvdprevent.nhs.uk): one release per walked time period.

Endpoints (shape as read by the cvdprevent R client, craig-parylo/cvdprevent, R/cvd_api_functions.R;
docs/sources/cvdprevent.md says what is established and what is assumed):

* ``GET /timePeriod`` -> ``{"timePeriodList": [{TimePeriodID, TimePeriodName, StartDate, EndDate,
  IndicatorTypeID, IndicatorTypeName}, ...]}``
* ``GET /area/systemLevel?timePeriodID=`` -> the system levels of that period, the response's list
  member (``{SystemLevelID, SystemLevelName, ...}``)
* ``GET /indicator/list?timePeriodID=&systemLevelID=`` -> ``{"indicatorList": [{IndicatorID,
  IndicatorCode, IndicatorName, IndicatorShortName, ...}]}``
* ``GET /indicator/<IndicatorID>/rawDataJSON?timePeriodID=&systemLevelID=`` -> every row of the
  indicator at that level and period in the response's list member, one object per area x metric
  with the rawDataCSV fields (AreaCode, AreaName, MetricCategoryTypeName, MetricCategoryName,
  CategoryAttribute, Numerator, Denominator, Value, LowerConfidenceLimit, UpperConfidenceLimit,
  ValueNote, TimePeriodName, ...). No paging is documented or used by the R client: one response
  holds all rows, so it is streamed to disk and read one row at a time.

IDs (periods, levels, indicators) are read from the API on every walk, never written here. The rows
of one period (all chosen levels x indicators) are combined with DuckDB into one CSV in the
rawDataCSV layout, which the source's parser (``cvdprevent_raw_data_csv``) reads like the bundled cut.
"""

import json
import logging
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.fetch.client import FetchResult
from orchestration.fetch.store import (
    commit_file,
    discard,
    raw_file_name,
    read_state,
    sha256_of,
    temp_file,
    update_state,
)
from orchestration.fetch.urls import redact_url
from orchestration.parsers.common import ParseContext, shown
from orchestration.walkers import ApiClient, iter_json_rows, read_catalogue

log = logging.getLogger(__name__)

# The combined file's columns: the rawDataCSV header names (the parser maps them by name).
TEXT_FIELDS = (
    "AreaCode",
    "AreaName",
    "IndicatorCode",
    "IndicatorName",
    "IndicatorShortName",
    "MetricCategoryTypeName",
    "MetricCategoryName",
    "CategoryAttribute",
    "ValueNote",
    "TimePeriodName",
)
NUMBER_FIELDS = (
    "Numerator",
    "Denominator",
    "Value",
    "LowerConfidenceLimit",
    "UpperConfidenceLimit",
    "Factor",
)
FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS)
_SLUG = re.compile(r"[^a-z0-9]+")


def period_release_label(name: str, period_id: int) -> str:
    """``'To March 2026'`` -> ``to-march-2026`` (the API's name, slugged; the id only if it is empty)."""
    slug = _SLUG.sub("-", name.lower()).strip("-")[:48]
    return slug or f"period-{period_id}"


def _api_date(ctx: ParseContext, value: object, row: int, column: str) -> date:
    try:
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).date()
    except ValueError:
        raise ctx.error(
            f"expected a date such as 2026-03-31T00:00:00, found {shown(value)}", row=row, column=column
        ) from None


def _months_before(end: date, months: int) -> date:
    """The first day of the ``months`` months that end on ``end`` (2026-03-31, 12 -> 2025-04-01)."""
    after = end + timedelta(days=1)
    index = after.year * 12 + (after.month - 1) - months
    return date(index // 12, index % 12 + 1, min(after.day, 28) if after.day != 1 else 1)


def _int_id(ctx: ParseContext, row: dict, number: int, column: str) -> int:
    value = row.get(column)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.error(f"expected an integer id, found {shown(value)}", row=number, column=column)
    return value


def _text(ctx: ParseContext, row: dict, number: int, column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(f"expected a name, found {shown(value)}", row=number, column=column)
    return value.strip()


def _choose_periods(client: ApiClient, listing: FetchResult) -> list[dict]:
    api = client.source.api
    ctx = ParseContext.for_path(client.source.id, listing.data_path)
    periods = []
    for number, row in enumerate(read_catalogue(client.source, listing, "timePeriodList"), start=1):
        kind = row.get("IndicatorTypeName")
        if api.time_periods.indicator_type and kind is not None and kind != api.time_periods.indicator_type:
            continue
        periods.append(
            {
                "id": _int_id(ctx, row, number, "TimePeriodID"),
                "name": _text(ctx, row, number, "TimePeriodName"),
                "end": _api_date(ctx, row.get("EndDate"), number, "EndDate"),
            }
        )
    periods.sort(key=lambda p: (p["end"], p["id"]))
    if api.time_periods.names is not None:
        by_name = {p["name"]: p for p in periods}
        missing = [name for name in api.time_periods.names if name not in by_name]
        if missing:
            raise ctx.error(
                f"api.time_periods.names {missing} are not among the API's periods "
                f"{[p['name'] for p in periods][-8:]} (latest shown)"
            )
        return [by_name[name] for name in api.time_periods.names]
    return periods[-api.time_periods.latest :]


def walk_cvdprevent(client: ApiClient) -> None:
    listing = client.get("api.timePeriod", "/timePeriod")
    for period in _choose_periods(client, listing):
        _walk_period(client, period)


def _walk_period(client: ApiClient, period: dict) -> None:
    source, api = client.source, client.source.api
    tid = period["id"]
    levels_response = client.get(f"api.systemLevel.t{tid}", "/area/systemLevel", {"timePeriodID": tid})
    ctx = ParseContext.for_path(source.id, levels_response.data_path)
    levels = {}
    for number, row in enumerate(read_catalogue(source, levels_response, "systemLevels"), start=1):
        levels[_text(ctx, row, number, "SystemLevelName").lower()] = (
            _int_id(ctx, row, number, "SystemLevelID"),
            _text(ctx, row, number, "SystemLevelName"),
        )
    wanted = [levels[name.lower()] for name in api.system_levels if name.lower() in levels]
    absent = [name for name in api.system_levels if name.lower() not in levels]
    if absent:
        log.warning(
            "%s: period %r has no system level %s; walking the others", source.id, period["name"], absent
        )

    responses: list[FetchResult] = [levels_response]
    parts: list[tuple[FetchResult, dict]] = []
    for level_id, level_name in wanted:
        listing = client.get(
            f"api.indicators.t{tid}.s{level_id}",
            "/indicator/list",
            {"timePeriodID": tid, "systemLevelID": level_id},
        )
        responses.append(listing)
        lctx = ParseContext.for_path(source.id, listing.data_path)
        indicators = []
        for number, row in enumerate(read_catalogue(source, listing, "indicatorList"), start=1):
            code = _text(lctx, row, number, "IndicatorCode")
            if api.indicators == "all" or code in api.indicators:
                indicators.append((_int_id(lctx, row, number, "IndicatorID"), code, row))
        if api.indicators != "all" and len(indicators) < len(api.indicators):
            found = {code for _, code, _ in indicators}
            log.warning(
                "%s: period %r, system level %s: the API lists no indicator %s",
                source.id, period["name"], level_name, sorted(set(api.indicators) - found),
            )  # fmt: skip
        for indicator_id, code, meta in indicators:
            raw = client.get(
                f"api.raw.t{tid}.s{level_id}.i{indicator_id}",
                f"/indicator/{indicator_id}/rawDataJSON",
                {"timePeriodID": tid, "systemLevelID": level_id},
            )
            responses.append(raw)
            context = {
                "IndicatorCode": code,
                "IndicatorName": meta.get("IndicatorName"),
                "IndicatorShortName": meta.get("IndicatorShortName"),
                "TimePeriodName": period["name"],
            }
            parts.append((raw, context))
    if not parts:
        log.warning(
            "%s: period %r: none of the chosen indicators at the chosen levels", source.id, period["name"]
        )
        return
    _store_period(client, period, responses, parts)


def _store_period(client: ApiClient, period: dict, responses: list[FetchResult], parts: list) -> None:
    source, api, settings = client.source, client.source.api, client.settings
    label = period_release_label(period["name"], period["id"])
    source_dir = settings.raw_dir / source.id
    inputs = [r.sha256 for r in responses]
    prior = read_state(source_dir).get(label) or {}
    period_end = period["end"]
    period_start = _months_before(period_end, api.period_months)
    url = client.url("/indicator/list", {"timePeriodID": period["id"]})
    if prior.get("inputs") == inputs and (source_dir / prior.get("raw_file", "")).is_file():
        # Same responses as the last walk: the period's file is the one already stored.
        raw_path = source_dir / prior["raw_file"]
        all_304 = all(r.outcome == "not_modified" for r in responses)
        client.outcome.releases.append(
            FetchResult(
                source_id=source.id,
                release=label,
                url_redacted=prior.get("url_redacted", ""),
                outcome="not_modified" if all_304 else "unchanged",
                raw_path=raw_path,
                data_path=raw_path,
                sha256=prior["sha256"],
                bytes=raw_path.stat().st_size,
                fetched_at=datetime.fromisoformat(prior["fetched_at"]),
                attempts=(),
            )
        )
        return

    work = source_dir / ".walk"
    work.mkdir(exist_ok=True)
    ndjson_files: list[Path] = []
    combined: Path | None = None
    try:
        for raw, context in parts:
            ndjson_files.append(_rows_to_ndjson(source.id, raw, context, work))
        with temp_file(source_dir, label) as handle:
            combined = Path(handle.name)
        _combine(ndjson_files, combined)
        sha = sha256_of(combined)
        raw_name = raw_file_name(label, sha, "csv")
        commit_file(combined, source_dir / raw_name, sha)
    finally:
        discard(combined)
        for path in ndjson_files:
            discard(path)
    unchanged = prior.get("sha256") == sha
    fetched_at = (
        datetime.fromisoformat(prior["fetched_at"])
        if unchanged and prior.get("fetched_at")
        else datetime.now(UTC)
    )
    raw_path = source_dir / raw_name
    update_state(
        source_dir,
        label,
        {
            "walked": True,
            "url_redacted": redact_url(url),
            "sha256": sha,
            "raw_file": raw_name,
            "data_file": raw_name,
            "fetched_at": fetched_at.isoformat(),
            "period_id": period["id"],
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "period_label": period["name"],
            "inputs": inputs,
        },
    )
    log.info(
        "%s: period %r -> release %s (%s)",
        source.id,
        period["name"],
        label,
        "unchanged" if unchanged else "new file",
    )
    client.outcome.releases.append(
        FetchResult(
            source_id=source.id,
            release=label,
            url_redacted=redact_url(url),
            outcome="unchanged" if unchanged else "downloaded",
            raw_path=raw_path,
            data_path=raw_path,
            sha256=sha,
            bytes=raw_path.stat().st_size,
            fetched_at=fetched_at,
            attempts=(),
        )
    )


def _rows_to_ndjson(source_id: str, raw: FetchResult, context: dict, work: Path) -> Path:
    """Check each row's shape and write it as one JSON line (the known fields only), streaming."""
    ctx = ParseContext.for_path(source_id, raw.data_path)
    out_path = work / f"{raw.raw_path.stem}.ndjson"
    with open(out_path, "w", encoding="utf-8") as out:
        for number, row in iter_json_rows(ctx, raw.data_path):
            if not isinstance(row, dict):
                raise ctx.error(f"expected a row object, found {shown(row)}", row=number)
            record = {}
            for name in TEXT_FIELDS:
                value = row.get(name)
                if value is None:
                    value = context.get(name)
                if value is not None and not isinstance(value, str):
                    raise ctx.error(f"expected text or null, found {shown(value)}", row=number, column=name)
                record[name] = value
            for name in NUMBER_FIELDS:
                value = row.get(name)
                if isinstance(value, str) and value.strip() == "":
                    value = None
                if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                    raise ctx.error(
                        f"expected a number or null, found {shown(value)}", row=number, column=name
                    )
                record[name] = None if value is None else str(float(value))
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return out_path


def _combine(ndjson_files: list[Path], target: Path) -> None:
    """All rows of a period, in walk order, into one CSV with the rawDataCSV header (DuckDB COPY)."""
    # Column names are this module's constants; COPY TO takes no parameter, so the target path (ours,
    # in the raw store) is quoted here; the input paths are bound.
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in FIELDS) + "}"
    target_sql = str(target).replace("'", "''")
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute(
            f"copy (select {', '.join(FIELDS)} from read_json($files, format = 'newline_delimited', "  # noqa: S608
            f"columns = {columns})) to '{target_sql}' (format csv, header true)",
            {"files": [str(path) for path in ndjson_files]},
        )
