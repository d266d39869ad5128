"""Measurement for improvement on the warehouse's indicator values, using ``orchestration.methods``.

The statistics live once, in :mod:`orchestration.methods`; this module only decides which rows each
method applies to and shapes the results into the tables the dbt Python models return
(``int_indicator_values__intervals``, ``int_benchmarks``, ``int_outliers``, ``int_spc``). Every
function takes and returns pandas frames and touches no database, so it is tested on small frames.
"""

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from orchestration import methods
from orchestration.methods.arrays import as_floats

CONFIDENCE_95 = 0.95
CONFIDENCE_998 = 0.998
INTERVAL_COLUMNS = ("lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998", "ci_method")
# Levels whose units are compared with each other on funnel plots (issue 5: provider and ICB level).
PROVIDER_LEVELS = ("trust", "team", "independent_provider", "other_provider")
# Fewer points than this make no XmR chart: two-of-three and run rules need a series to look at.
SPC_MIN_POINTS = 6


def _usable(*numbers: object) -> bool:
    return all(n is not None and not (isinstance(n, float) and math.isnan(n)) for n in numbers)


def row_interval(
    value_type: str,
    multiplier: float,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    confidence: float,
) -> tuple[float | None, float | None, str | None]:
    """Our interval for one row, on the scale of ``value``, and the method that gave it.

    proportion: Wilson score on numerator / denominator, x multiplier; ratio (observed / expected,
    e.g. SHMI): exact Poisson below 10 observed, else Byar, divided by expected, x multiplier;
    rate: the same on count / population x multiplier; count: exact Poisson / Byar on the value.
    Anything else (medians, yes/no answers, published rates without counts) gets no interval.
    """
    if value_type == "proportion" and _usable(numerator, denominator) and denominator > 0:
        if not 0 <= numerator <= denominator:
            return None, None, None
        lower, upper = methods.wilson_ci(numerator, denominator, confidence)
        return lower * multiplier, upper * multiplier, "wilson"
    if (
        value_type in ("ratio", "rate")
        and _usable(numerator, denominator)
        and denominator > 0
        and numerator >= 0
    ):
        lower, upper = methods.rate_ci(numerator, denominator, multiplier, confidence)
        return lower, upper, _poisson_method(numerator)
    if value_type == "count" and _usable(value) and value >= 0 and float(value).is_integer():
        lower, upper = methods.rate_ci(value, 1, 1, confidence)
        return lower, upper, _poisson_method(value)
    return None, None, None


def _poisson_method(count: float) -> str:
    return "exact_poisson" if count < 10 else "byar"


def interval_arrays(
    value_type: np.ndarray,
    multiplier: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    value: np.ndarray,
    value_status: np.ndarray,
    published_lower: np.ndarray | None = None,
    published_upper: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The rules of :func:`row_interval` on whole arrays (numbers as float64 with NaN for missing;
    value_type and value_status as object arrays): the 95% and 99.8% limits and ``ci_method`` of
    every row, with the publisher's 95% limits as the fallback ('published'). Row for row the same
    as ``row_interval``; used by :func:`add_intervals` and by the warehouse's DuckDB function
    (orchestration/udfs.py), which calls it a vector of rows at a time."""
    size = len(value)
    multiplier = np.where(np.isnan(multiplier), 1.0, multiplier)
    eligible = np.isin(value_status, ("published", "derived")) & ~np.isnan(value)
    has_counts = ~np.isnan(numerator) & ~np.isnan(denominator) & (denominator > 0)
    proportion = eligible & (value_type == "proportion") & has_counts
    proportion &= (numerator >= 0) & (numerator <= denominator)
    poisson = eligible & np.isin(value_type, ("ratio", "rate")) & has_counts & (numerator >= 0)
    whole_count = eligible & (value_type == "count") & (value >= 0) & (value == np.floor(value))

    method = np.full(size, None, dtype=object)
    method[proportion] = "wilson"
    poisson_counts = np.concatenate([numerator[poisson], value[whole_count]])
    poisson_rows = np.concatenate([np.flatnonzero(poisson), np.flatnonzero(whole_count)])
    method[poisson_rows] = np.where(poisson_counts < methods.intervals.EXACT_BELOW, "exact_poisson", "byar")
    # rate_ci scales by multiplier / base; a count is its own rate (base 1, multiplier 1)
    factor = np.concatenate([multiplier[poisson] / denominator[poisson], np.ones(int(whole_count.sum()))])
    limits: dict[str, np.ndarray] = {}
    for confidence, suffix in ((CONFIDENCE_95, "95"), (CONFIDENCE_998, "998")):
        lower = np.full(size, np.nan)
        upper = np.full(size, np.nan)
        low, high = methods.wilson_ci_array(numerator[proportion], denominator[proportion], confidence)
        lower[proportion] = low * multiplier[proportion]
        upper[proportion] = high * multiplier[proportion]
        low, high = methods.poisson_ci_array(poisson_counts, confidence)
        lower[poisson_rows] = low * factor
        upper[poisson_rows] = high * factor
        limits[f"lower_ci_{suffix}"] = lower
        limits[f"upper_ci_{suffix}"] = upper
    if published_lower is not None and published_upper is not None:
        use_published = (
            np.equal(method, None)
            & ~np.isnan(value)
            & ~np.isnan(published_lower)
            & ~np.isnan(published_upper)
        )
        limits["lower_ci_95"][use_published] = published_lower[use_published]
        limits["upper_ci_95"][use_published] = published_upper[use_published]
        method[use_published] = "published"
    limits["ci_method"] = method
    return limits


def add_intervals(values: pd.DataFrame) -> pd.DataFrame:
    """Add lower/upper 95% and 99.8% limits and ``ci_method`` to indicator values.

    ``values`` needs value_type, multiplier, numerator, denominator, value, value_status and, where a
    publisher gives limits, published_lower_ci_95 / published_upper_ci_95. Suppressed and missing
    values get no interval. Where we cannot compute one but the publisher gave one (e.g. CVDPREVENT's
    age-standardised rates), the published 95% limits are used and ``ci_method`` says 'published'.
    The rules are those of :func:`row_interval`, applied to whole columns (:func:`interval_arrays`).
    """
    frame = values.copy()
    published = "published_lower_ci_95" in frame.columns
    limits = interval_arrays(
        frame["value_type"].astype("object").to_numpy(),
        as_floats(frame["multiplier"]),
        as_floats(frame["numerator"]),
        as_floats(frame["denominator"]),
        as_floats(frame["value"]),
        frame["value_status"].astype("object").to_numpy(),
        as_floats(frame["published_lower_ci_95"]) if published else None,
        as_floats(frame["published_upper_ci_95"]) if published else None,
    )
    for name in INTERVAL_COLUMNS[:4]:
        frame[name] = limits[name]
    # an object Series keeps None for "no interval" (pandas 3 would make a str column of NaN)
    frame["ci_method"] = pd.Series(limits["ci_method"], index=frame.index, dtype="object")
    return frame


def _group_keys(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c in frame.columns]


COMPARISON_KEYS = ("source_id", "indicator_id", "period_start", "period_end", "breakdown")
BENCHMARK_METHOD = "fingertips_ci_overlap_95"
ENGLAND = "E92000001"
# Value types whose values can be compared across units of different sizes.
COMPARABLE_VALUE_TYPES = ("proportion", "rate", "ratio")


def _comparators(values: pd.DataFrame, level: str, code_column: str | None) -> pd.DataFrame:
    """One comparator value per comparison key (and unit code): the publisher's own row where there is
    one, else our derived roll-up."""
    rows = values[(values["org_level"] == level) & values["value"].notna()]
    keys = [*COMPARISON_KEYS, *([code_column] if code_column else [])]
    rows = rows.sort_values("is_derived").drop_duplicates(keys, keep="first")
    return rows[keys + ["value"]]


def benchmark(values: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's value against England and against its NHS England region (Fingertips rule).

    ``values`` are the warehouse's indicator values with our 95% limits (``add_intervals``) and the
    indicator's ``polarity`` (and ``value_type``: counts are never compared). A unit is compared where
    it has a 95% interval; England is the England
    row of the same source, indicator, period and breakdown (published, else derived; else the England
    value the publisher gives beside the unit's value, as Fingertips does), its region
    the region row for its ``region_code`` (today's region). ``peer_rank`` ranks units of one level
    (and one kind: published or derived) by value, best first by polarity, highest first without one.
    """
    units = values[(values["org_level"] != "country")].copy()
    england = _comparators(values, "country", None).rename(columns={"value": "england_value"})
    region = _comparators(values, "nhs_region", "org_code").rename(
        columns={"value": "region_value", "org_code": "region_code"}
    )
    units = units.merge(england, on=list(COMPARISON_KEYS), how="left")
    if "published_comparator_code" in units.columns:
        # Fingertips gives England's value on each data point instead of an England row: use it.
        published_england = units["published_comparator_code"].eq(ENGLAND) & units["england_value"].isna()
        units.loc[published_england, "england_value"] = units.loc[
            published_england, "published_comparator_value"
        ]
    units = units.merge(region, on=[*COMPARISON_KEYS, "region_code"], how="left")
    units.loc[units["org_level"] == "nhs_region", "region_value"] = None

    def compare(comparator_column: str) -> np.ndarray:
        return methods.compare_to_benchmark_array(
            units["value"],
            units["lower_ci_95"],
            units["upper_ci_95"],
            units[comparator_column],
            units["polarity"],
        )

    units["comparison_england"] = compare("england_value")
    units["comparison_region"] = compare("region_value")
    if "value_type" in units.columns:
        # A count (attendances, waits) is not a rate: a trust's count is not comparable with England's total.
        not_comparable = ~units["value_type"].isin(COMPARABLE_VALUE_TYPES)
        units.loc[not_comparable, ["comparison_england", "comparison_region"]] = "not_compared"
    units["benchmark_method"] = BENCHMARK_METHOD
    peers = [*COMPARISON_KEYS, "org_level", "is_derived"]
    ascending = units["polarity"].eq("lower_is_better")
    # Rank on a sort key that puts the best value first: negate where higher is better (or no judgement).
    units["_rank_key"] = units["value"].where(ascending, -units["value"])
    ranked = units["value"].notna()
    units["peer_rank"] = pd.Series(pd.NA, index=units.index, dtype="Int64")
    units.loc[ranked, "peer_rank"] = (
        units[ranked].groupby(peers, dropna=False)["_rank_key"].rank(method="min").astype("Int64")
    )
    units["peer_count"] = units[ranked].groupby(peers, dropna=False)["value"].transform("size")
    units["peer_count"] = units["peer_count"].astype("Int64")
    return units.drop(columns=["_rank_key"])


FUNNEL_KEYS = ("source_id", "indicator_id", "period_start", "period_end", "breakdown", "funnel_level")


def outliers(units: pd.DataFrame, *, overdispersion: bool = True, method: str = "shmi") -> pd.DataFrame:
    """Funnel-plot position and HQIP status of every unit (``int_funnel_units``), one funnel per
    source x indicator x period x breakdown x level, over the units as published for that period.

    Proportions are compared with England's published value where the publisher gives one (else the
    pooled value of the units); ratios (observed / expected) with 1. Values, targets and limits are
    returned on the indicator's scale (x multiplier); ``target_basis`` records where the target came from.
    """
    charts = []
    for _, group in units.groupby(list(FUNNEL_KEYS), sort=False, dropna=False):
        value_type = group["value_type"].iloc[0]
        multiplier = float(group["multiplier"].iloc[0] or 1)
        england = group["england_value"].iloc[0]
        frame = group.copy()
        target, basis = None, "pooled_units"
        if value_type == "ratio":
            frame = frame.rename(columns={"numerator": "observed", "denominator": "expected"})
            basis = "one"
        elif _usable(england) and 0 <= england / multiplier <= 1:
            target, basis = england / multiplier, "england_published"
        chart = methods.funnel(
            frame, value_type=value_type, target=target, overdispersion=overdispersion, method=method
        )
        if value_type == "ratio":
            chart = chart.rename(columns={"observed": "numerator", "expected": "denominator"})
        for column in ("value", "target", "lower_95", "upper_95", "lower_998", "upper_998"):
            chart[column] = chart[column] * multiplier
        chart["target_basis"] = basis
        chart["unit_count"] = int((chart["status"] != "not_assessed").sum())
        charts.append(chart)
    if not charts:
        return units.assign(status=pd.Series(dtype="object"))
    return pd.concat(charts, ignore_index=True)


SERIES_KEYS = ("source_id", "indicator_id", "breakdown", "org_level", "org_code")


def _series_points(values: pd.DataFrame) -> pd.DataFrame:
    """One point per organisation (today's code) and period: the publisher's row where it gives one;
    several published rows (predecessors of a merged trust) are summed when they have numerators and
    denominators; a derived roll-up where nothing is published at that level."""
    rows = values[values["value"].notna() & values["org_code"].notna()]
    keys = [*SERIES_KEYS, "period_start", "period_end"]
    published = rows[~rows["is_derived"].astype(bool)]
    derived = rows[rows["is_derived"].astype(bool)]
    counts = published.groupby(keys, dropna=False)["value"].transform("size")
    single = published[counts == 1]
    merged = published[counts > 1]
    combined = (
        merged.groupby(keys, dropna=False)
        .agg(
            numerator=("numerator", lambda s: s.sum(min_count=len(s))),
            denominator=("denominator", lambda s: s.sum(min_count=len(s))),
            multiplier=("multiplier", "first"),
            value_type=("value_type", "first"),
            polarity=("polarity", "first"),
            period_label=("period_label", "first"),
            org_unit_name=("org_code", "first"),
        )
        .reset_index()
    )
    summable = combined["value_type"].isin(("proportion", "rate", "ratio")) & (combined["denominator"] > 0)
    combined = combined[summable & combined["numerator"].notna()]
    combined["value"] = combined["numerator"] / combined["denominator"] * combined["multiplier"].fillna(1)
    combined["is_derived"] = True
    points = pd.concat([single, combined], ignore_index=True)
    covered = derived[keys].merge(points[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    not_published = derived[(covered["_merge"] == "left_only").to_numpy()]
    return pd.concat([points, not_published], ignore_index=True)


def spc(values: pd.DataFrame, *, min_points: int = SPC_MIN_POINTS) -> pd.DataFrame:
    """XmR chart (Making Data Count) per organisation, indicator and breakdown over its periods.

    Series with fewer than ``min_points`` periods, or with a gap in the value, make no chart. The
    limits are set on every point of the series (trial limits below 12 points, flagged). All series
    are charted in one call of ``methods.xmr_many`` (each exactly as ``methods.xmr`` charts it)."""
    points = _series_points(values)
    series_id = points.groupby(list(SERIES_KEYS), sort=False, dropna=False).ngroup()
    lengths = series_id.map(series_id.value_counts()) if len(points) else series_id
    points = points.assign(_series=series_id.to_numpy(), _length=lengths.to_numpy())
    points = points[points["_length"] >= min_points]
    points = points.sort_values(["_series", "period_end", "period_start"], kind="stable", ignore_index=True)
    series = points["_series"].to_numpy()
    # no series at all still goes through xmr_many, so an empty result has every column
    starts = (
        np.flatnonzero(np.r_[True, series[1:] != series[:-1]]) if len(points) else np.array([], dtype=int)
    )
    charts = methods.xmr_many(points["value"], starts, points["polarity"].iloc[starts].to_numpy(dtype=object))
    position = np.arange(len(points)) - np.repeat(starts, np.diff(np.r_[starts, len(points)]))
    chart = pd.concat(
        [
            points[[*SERIES_KEYS, "period_start", "period_end", "period_label", "value"]],
            charts.drop(columns=["series_index", "value", "polarity"]),
        ],
        axis=1,
    )
    chart["polarity"] = points["polarity"]
    chart["point_number"] = position + 1
    chart["point_count"] = points["_length"].to_numpy()
    return chart
