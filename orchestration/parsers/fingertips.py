"""OHID Fingertips indicator data as the FingertipsNext API returns it (``GET /indicators/<id>/data``).

One JSON response per indicator: ``indicatorId``, ``name``, ``polarity`` and ``benchmarkMethod`` at the
top, then ``areaHealthData`` (one entry per requested area: ``areaCode``, ``areaName``) whose
``indicatorSegments`` are the population segments (``sex``, optionally ``age``, each ``{value,
isAggregate}``), each with its ``healthData`` series: one data point per period with ``datePeriod
{type, from, to}``, ``count``, ``value``, ``lowerCi`` / ``upperCi``, ``deprivation``, ``trend`` and the
publisher's ``benchmarkComparison {outcome, benchmarkAreaCode, benchmarkAreaName, benchmarkValue}``.
One raw row per area x segment x data point.

Quirks handled (all seen in the bundled responses):

* the age of a segment is either on the segment (``age``) or on each data point (``ageBand``); the sex
  likewise (``sex`` on the segment and, in some responses, repeated on the data point): both places
  are read and must agree;
* a response may repeat the aggregate segment's series as ``areaHealthData[i].healthData`` (an older
  shape): it is ignored (the segments are the data);
* ``benchmarkComparison`` is ``null`` where the publisher made no comparison (the aggregate segment
  of an inequality request, compared with nothing);
* ``count`` is not always a whole number (GP Patient Survey indicators publish weighted counts);
* ``lowerCi`` / ``upperCi`` are ``null`` where no interval is published (quintile-benchmarked indicators).

The file has no rows to number: ``source_row`` is the data point's position in the response (1-based,
in document order), and every error names the JSON path of the offending key, e.g.
``areaHealthData[0].indicatorSegments[1].healthData[3].value``. A missing key, a number written as
text, an unknown benchmark outcome or a bad date raises :class:`ParseError`; a ``null`` value stays
NULL (never 0). Unknown extra keys are ignored (the API adds fields over time).
"""

import json
from datetime import date
from pathlib import Path

import pandas as pd

from orchestration.parsers.common import ParseContext, build_frame, clean_text, shown
from orchestration.sources import Release

OUTPUT_COLUMNS = (
    "indicator_id",
    "indicator_name",
    "polarity",
    "benchmark_method",
    "area_code",
    "area_name",
    "sex",
    "sex_is_aggregate",
    "age",
    "age_is_aggregate",
    "deprivation",
    "deprivation_type",
    "deprivation_is_aggregate",
    "is_aggregate",
    "period_type",
    "period_from",
    "period_to",
    "count",
    "value",
    "lower_ci",
    "upper_ci",
    "trend",
    "benchmark_outcome",
    "benchmark_area_code",
    "benchmark_area_name",
    "benchmark_value",
    "source_row",
)
KINDS = dict.fromkeys(OUTPUT_COLUMNS, "text") | {
    "indicator_id": "int",
    "sex_is_aggregate": "bool",
    "age_is_aggregate": "bool",
    "deprivation_is_aggregate": "bool",
    "is_aggregate": "bool",
    "period_from": "date",
    "period_to": "date",
    "count": "float",
    "value": "float",
    "lower_ci": "float",
    "upper_ci": "float",
    "benchmark_value": "float",
    "source_row": "row",
}

# FingertipsNext's BenchmarkOutcome values: significance against a reference value (Better / Similar /
# Worse; Lower / Higher for indicators without polarity), quintiles (Lowest .. Highest without polarity,
# Best .. Worst with it) and NotCompared.
BENCHMARK_OUTCOMES = frozenset(
    {
        "Better",
        "Similar",
        "Worse",
        "Lower",
        "Higher",
        "Lowest",
        "Low",
        "Middle",
        "High",
        "Highest",
        "Best",
        "Worst",
        "NotCompared",
    }
)
NUMBER_KEYS = (("count", "count"), ("value", "value"), ("lower_ci", "lowerCi"), ("upper_ci", "upperCi"))


class _Reader:
    """Typed access to the JSON tree; every error names the file and the JSON path."""

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx

    def fail(self, path: str, message: str):
        return self.ctx.error(f"at {path}: {message}")

    def key(self, obj: object, key: str, path: str) -> object:
        if not isinstance(obj, dict):
            raise self.fail(path, f"expected a JSON object, found {shown(obj)}")
        if key not in obj:
            raise self.fail(f"{path}.{key}" if path else key, f"required key {key!r} is missing")
        return obj[key]

    def obj(self, value: object, path: str, *, nullable: bool = False) -> dict | None:
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a JSON object, found {shown(value)}")
        return value

    def array(self, value: object, path: str) -> list:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a JSON array, found {shown(value)}")
        return value

    def text(self, value: object, path: str, *, nullable: bool = False) -> str | None:
        text = clean_text(value) if isinstance(value, str) else None
        if text is None and not (value is None and nullable):
            raise self.fail(path, f"expected a non-blank string, found {shown(value)}")
        return text

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, found {shown(value)}")
        return value

    def number(self, value: object, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"expected a JSON number or null, found {shown(value)}")
        return float(value)

    def day(self, value: object, path: str) -> date:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"expected a date as YYYY-MM-DD, found {shown(value)}") from None

    def labelled(self, value: object, path: str) -> tuple[str, bool]:
        """``{"value": "Female", "isAggregate": false}`` -> ("Female", False)."""
        obj = self.obj(value, path)
        return (
            self.text(self.key(obj, "value", path), f"{path}.value"),
            self.boolean(self.key(obj, "isAggregate", path), f"{path}.isAggregate"),
        )


def _load(ctx: ParseContext, path: Path) -> object:
    data = Path(path).read_bytes()
    if not data.strip():
        raise ctx.error("the file is empty: expected a FingertipsNext JSON response")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ctx.error(f"expected UTF-8 JSON, found undecodable byte at offset {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise ctx.error(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", row=exc.lineno
        ) from None


def _one_of(
    read: _Reader, values: list[tuple[tuple[str, bool], str]], what: str, path: str
) -> tuple[str, bool]:
    """The segment's sex/age from wherever it is given; places that give it must agree."""
    if not values:
        raise read.fail(path, f"expected the {what} on the segment or on the data point, found neither")
    first, first_path = values[0]
    for other, other_path in values[1:]:
        if other != first:
            raise read.fail(other_path, f"the {what} {other} disagrees with {first} at {first_path}")
    return first


def parse_fingertips_next_json(path: Path, release: Release, source_id: str) -> pd.DataFrame:
    ctx = ParseContext.for_path(source_id, path)
    read = _Reader(ctx)
    root = read.obj(_load(ctx, path), "(top level)")
    indicator_id = read.key(root, "indicatorId", "")
    if isinstance(indicator_id, bool) or not isinstance(indicator_id, int):
        raise read.fail("indicatorId", f"expected a whole number, found {shown(indicator_id)}")
    if release.indicator is not None and str(indicator_id) != release.indicator:
        raise read.fail(
            "indicatorId",
            f"the response holds indicator {indicator_id} but the release declares indicator "
            f"{release.indicator!r} in sources.yml",
        )
    header = {
        "indicator_id": indicator_id,
        "indicator_name": read.text(read.key(root, "name", ""), "name"),
        "polarity": read.text(read.key(root, "polarity", ""), "polarity"),
        "benchmark_method": read.text(read.key(root, "benchmarkMethod", ""), "benchmarkMethod"),
    }
    values: dict[str, list] = {name: [] for name in OUTPUT_COLUMNS}
    areas = read.array(read.key(root, "areaHealthData", ""), "areaHealthData")
    for a, area in enumerate(areas):
        at = f"areaHealthData[{a}]"
        area = read.obj(area, at)
        area_code = read.text(read.key(area, "areaCode", at), f"{at}.areaCode")
        area_name = read.text(read.key(area, "areaName", at), f"{at}.areaName")
        segments = read.array(read.key(area, "indicatorSegments", at), f"{at}.indicatorSegments")
        for s, segment in enumerate(segments):
            seg_at = f"{at}.indicatorSegments[{s}]"
            segment = read.obj(segment, seg_at)
            seg_sex = [(read.labelled(read.key(segment, "sex", seg_at), f"{seg_at}.sex"), f"{seg_at}.sex")]
            seg_age = []
            if "age" in segment:
                seg_age.append((read.labelled(segment["age"], f"{seg_at}.age"), f"{seg_at}.age"))
            points = read.array(read.key(segment, "healthData", seg_at), f"{seg_at}.healthData")
            for p, point in enumerate(points):
                pt = f"{seg_at}.healthData[{p}]"
                point = read.obj(point, pt)
                sex_given = list(seg_sex)
                if "sex" in point:
                    sex_given.append((read.labelled(point["sex"], f"{pt}.sex"), f"{pt}.sex"))
                age_given = list(seg_age)
                if "ageBand" in point:
                    age_given.append((read.labelled(point["ageBand"], f"{pt}.ageBand"), f"{pt}.ageBand"))
                sex, sex_aggregate = _one_of(read, sex_given, "sex", f"{pt}.sex")
                age, age_aggregate = _one_of(read, age_given, "age", f"{pt}.ageBand")
                deprivation = read.obj(read.key(point, "deprivation", pt), f"{pt}.deprivation")
                dep_at = f"{pt}.deprivation"
                period = read.obj(read.key(point, "datePeriod", pt), f"{pt}.datePeriod")
                period_at = f"{pt}.datePeriod"
                period_from = read.day(read.key(period, "from", period_at), f"{period_at}.from")
                period_to = read.day(read.key(period, "to", period_at), f"{period_at}.to")
                if period_to < period_from:
                    raise read.fail(
                        f"{period_at}.to", f"the period ends ({period_to}) before it starts ({period_from})"
                    )
                row = {
                    **header,
                    "area_code": area_code,
                    "area_name": area_name,
                    "sex": sex,
                    "sex_is_aggregate": sex_aggregate,
                    "age": age,
                    "age_is_aggregate": age_aggregate,
                    "deprivation": read.text(read.key(deprivation, "value", dep_at), f"{dep_at}.value"),
                    "deprivation_type": read.text(read.key(deprivation, "type", dep_at), f"{dep_at}.type"),
                    "deprivation_is_aggregate": read.boolean(
                        read.key(deprivation, "isAggregate", dep_at), f"{dep_at}.isAggregate"
                    ),
                    "is_aggregate": read.boolean(read.key(point, "isAggregate", pt), f"{pt}.isAggregate"),
                    "period_type": read.text(read.key(period, "type", period_at), f"{period_at}.type"),
                    "period_from": period_from,
                    "period_to": period_to,
                    "trend": read.text(read.key(point, "trend", pt), f"{pt}.trend", nullable=True),
                }
                for name, key in NUMBER_KEYS:
                    row[name] = read.number(read.key(point, key, pt), f"{pt}.{key}")
                bench_at = f"{pt}.benchmarkComparison"
                bench = read.obj(read.key(point, "benchmarkComparison", pt), bench_at, nullable=True)
                row |= _benchmark(read, bench, bench_at)
                row["source_row"] = len(values["source_row"]) + 1
                for name in OUTPUT_COLUMNS:
                    values[name].append(row[name])
    if not values["source_row"]:
        raise ctx.error(
            "expected at least one data point under areaHealthData[].indicatorSegments[].healthData, found none"
        )
    return build_frame({name: (KINDS[name], values[name]) for name in OUTPUT_COLUMNS})


def _benchmark(read: _Reader, bench: dict | None, at: str) -> dict:
    if bench is None:
        return dict.fromkeys(
            ("benchmark_outcome", "benchmark_area_code", "benchmark_area_name", "benchmark_value")
        )
    outcome = read.text(read.key(bench, "outcome", at), f"{at}.outcome")
    if outcome not in BENCHMARK_OUTCOMES:
        raise read.fail(
            f"{at}.outcome", f"expected one of {sorted(BENCHMARK_OUTCOMES)}, found {shown(outcome)}"
        )
    return {
        "benchmark_outcome": outcome,
        "benchmark_area_code": read.text(read.key(bench, "benchmarkAreaCode", at), f"{at}.benchmarkAreaCode"),
        "benchmark_area_name": read.text(
            read.key(bench, "benchmarkAreaName", at), f"{at}.benchmarkAreaName", nullable=True
        ),
        "benchmark_value": read.number(read.key(bench, "benchmarkValue", at), f"{at}.benchmarkValue"),
    }
