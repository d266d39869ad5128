"""Statistical process control: the XmR chart of NHS England's "Making Data Count" (MDC).

Definitions: ``docs/methods.md`` ("Trends"), after NHS England/Improvement *Making Data Count:
Getting started* (2019) and *Strengthening your decisions* (2020), and the NHS-R community's
NHSRplotthedots (``R/ptd_spc_standard.R``, ``R/ptd_calculate_point_type.R``,
``R/ptd_calculate_assurance_type.R``):

- centre line = mean of the baseline points; moving range mR = |xₜ − xₜ₋₁|; process limits =
  mean ± 2.66·mean(mR); the near band is two thirds of that distance (mean ± 1.773·mean(mR));
- **choice** ``screen_outliers``: drop moving ranges above 3.267·mean(mR) and average the rest (one
  pass, as NHSRplotthedots); off by default as in MDC's Excel tool;
- special cause, in precedence order (a point flagged by several rules carries the first):
  ``outside_limits`` (strictly beyond a process limit); ``trend`` (``trend_length`` points each
  strictly above (or below) the one before: a tie breaks it); ``two_of_three`` (two or three of three
  consecutive points strictly beyond the near band on the same side of the mean: those points are
  marked); ``run`` (``run_length`` consecutive points strictly on one side of the mean: a point on the
  mean breaks it). As in MDC and NHSRplotthedots, once a trend or run reaches its length EVERY point
  of it is marked, including the earlier ones, and so is every later point that extends it;
- each special-cause point is ``improvement`` or ``concern`` by the polarity and the rule's direction
  (for a trend the direction of travel, otherwise the side of the mean); ``neither`` without a polarity;
- fewer than 12 baseline points: the limits are trial limits (``is_trial_limits``).

``xmr`` charts one series and is the reference; ``xmr_many`` charts many concatenated series at once
with numpy group operations (baseline = every point, no screening, no target) and agrees with ``xmr``
series by series, bit for bit.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from orchestration.methods.benchmark import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    NO_JUDGEMENT,
    check_polarity,
)

LIMIT = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points
NEAR = LIMIT * 2 / 3
SCREEN = 3.267  # D4 for n = 2: the upper limit of a moving-range chart
TRIAL_BELOW = 12
RULES = ("outside_limits", "trend", "two_of_three", "run")  # precedence order


def xmr(
    values: Sequence[float] | pd.Series,
    *,
    screen_outliers: bool = False,
    run_length: int = 7,
    trend_length: int = 7,
    polarity: str | None = None,
    target: float | None = None,
    baseline: int | None = None,
) -> pd.DataFrame:
    """One row per point of the XmR chart of ``values`` (in time order; a Series keeps its index).

    ``baseline``: the number of leading points that set the mean and limits (default: all), which then
    apply to every point. Columns: value, moving_range, mean, lower/upper_process_limit,
    lower/upper_near_limit, special_cause_rule (None or one of ``RULES``), direction (high/low/None),
    variation (improvement, concern, common_cause, neither), is_trial_limits, and the choices made.
    """
    polarity = check_polarity(polarity)
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if not isinstance(length, int) or length < 3:
            raise ValueError(f"{name} must be a whole number of at least 3 (MDC uses 6 or 7), got {length!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    try:
        x = pd.to_numeric(series, errors="raise").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numbers: {exc}") from None
    if np.isnan(x).any():
        raise ValueError(
            f"values has a gap at position {int(np.flatnonzero(np.isnan(x))[0])}: an XmR chart needs every point"
        )
    n = x.size
    if n < 2:
        raise ValueError(
            f"an XmR chart needs at least 2 points (found {n}): the limits come from moving ranges"
        )
    points = n if baseline is None else baseline
    if not isinstance(points, int) or not 2 <= points <= n:
        raise ValueError(f"baseline must be between 2 and the number of points ({n}), got {baseline!r}")

    base = x[:points]
    mean = float(base.mean())
    ranges = np.abs(np.diff(base))
    average_range = float(ranges.mean())
    if screen_outliers:
        kept = ranges[ranges <= SCREEN * average_range]
        average_range = float(kept.mean())
    upper, lower = mean + LIMIT * average_range, mean - LIMIT * average_range
    upper_near, lower_near = mean + NEAR * average_range, mean - NEAR * average_range

    side = np.sign(x - mean).astype(int)
    flags: dict[str, np.ndarray] = {}
    flags["outside_limits"] = np.where(x > upper, 1, np.where(x < lower, -1, 0))
    flags["trend"] = _marked_runs(np.sign(np.diff(x)).astype(int), trend_length - 1, pad_left=True)
    beyond_near = np.where(x > upper_near, 1, np.where(x < lower_near, -1, 0))
    flags["two_of_three"] = _two_of_three(beyond_near)
    flags["run"] = _marked_runs(side, run_length, pad_left=False)

    rule = np.full(n, None, dtype=object)
    direction = np.zeros(n, dtype=int)
    for name in reversed(RULES):  # later assignments win: the first rule in RULES has precedence
        hit = flags[name] != 0
        rule[hit] = name
        direction[hit] = flags[name][hit]
    variation = [_variation(r, d, polarity) for r, d in zip(rule, direction, strict=True)]

    out = pd.DataFrame(index=series.index)
    out["value"] = x
    out["moving_range"] = np.concatenate([[np.nan], np.abs(np.diff(x))])
    out["mean"] = mean
    out["lower_process_limit"] = lower
    out["upper_process_limit"] = upper
    out["lower_near_limit"] = lower_near
    out["upper_near_limit"] = upper_near
    out["special_cause_rule"] = pd.Series(rule, index=series.index, dtype="object")
    out["direction"] = pd.Series(
        [None if d == 0 else ("high" if d > 0 else "low") for d in direction],
        index=series.index,
        dtype="object",
    )
    out["variation"] = variation
    out["is_trial_limits"] = points < TRIAL_BELOW
    out["baseline_points"] = points
    out["screen_outliers"] = bool(screen_outliers)
    out["run_length"] = run_length
    out["trend_length"] = trend_length
    out["polarity"] = polarity
    out["target"] = np.nan if target is None else float(target)
    return out


def xmr_summary(chart: pd.DataFrame) -> dict:
    """The chart's MDC icons: variation (the last point's class and direction) and assurance.

    Assurance needs a target and a polarity (otherwise None), and reads the target against the
    process limits: with higher_is_better, a target below the lower limit is ``consistently_passing``,
    above the upper limit ``consistently_failing``, otherwise ``hit_and_miss`` (mirrored for
    lower_is_better; strict comparisons as NHSRplotthedots ``ptd_calculate_assurance_type``).
    """
    last = chart.iloc[-1]
    polarity, target = last["polarity"], last["target"]
    assurance = None
    if polarity in (HIGHER_IS_BETTER, LOWER_IS_BETTER) and not pd.isna(target):
        higher = polarity == HIGHER_IS_BETTER
        if target > last["upper_process_limit"]:
            assurance = "consistently_failing" if higher else "consistently_passing"
        elif target < last["lower_process_limit"]:
            assurance = "consistently_passing" if higher else "consistently_failing"
        else:
            assurance = "hit_and_miss"
    return {
        "variation": last["variation"],
        "direction": last["direction"],
        "special_cause_rule": last["special_cause_rule"],
        "assurance": assurance,
        "is_trial_limits": bool(last["is_trial_limits"]),
    }


def xmr_many(
    values: np.ndarray | Sequence[float] | pd.Series,
    series_starts: np.ndarray | Sequence[int],
    polarity: np.ndarray | pd.Series | Sequence[str | None] | str | None = None,
    *,
    run_length: int = 7,
    trend_length: int = 7,
) -> pd.DataFrame:
    """The XmR charts of many series at once: ``xmr`` of each, without a Python loop over series.

    ``values`` holds every point of every series, each series contiguous and in time order;
    ``series_starts`` the offset of each series' first point (increasing, the first 0); ``polarity``
    one entry per series (or one value for all), each distinct value checked by ``check_polarity``.
    Each series is charted as ``xmr(series, polarity=..., run_length=..., trend_length=...)``: the
    baseline is every point of the series, no screening of moving ranges, no target. Runs, trends,
    moving ranges and two-of-three windows never cross from one series into the next.

    One row per point in input order (a RangeIndex): ``series_index`` (the series' position in
    ``series_starts``), then ``xmr``'s columns with its dtypes and None conventions (``polarity`` is
    None for a series without one, in an object column unless every series has a polarity), then
    ``chart_variation`` (``xmr_summary(chart)["variation"]``: the variation of the series' last point)
    and ``chart_assurance`` (always None: assurance needs a target). The means and average moving
    ranges are computed as ``xmr`` does (``mean`` of contiguous rows, series grouped by length) so the
    limits are identical to the last bit and points lying on the mean are classed the same way.

    Raises ``ValueError``, naming the series, for a series of fewer than 2 points or with a missing
    value, and for an unknown polarity or a run/trend length below 3.
    """
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if not isinstance(length, int) or length < 3:
            raise ValueError(f"{name} must be a whole number of at least 3 (MDC uses 6 or 7), got {length!r}")
    x = _float_points(values)
    starts, lengths = _series_bounds(series_starts, x.size)
    n_series, n_points = starts.size, x.size
    if (lengths < 2).any():
        bad = int(np.flatnonzero(lengths < 2)[0])
        raise ValueError(
            f"series {bad} (starting at position {int(starts[bad])}) has {int(lengths[bad])} point(s): "
            "an XmR chart needs at least 2 points: the limits come from moving ranges"
        )
    sid = np.repeat(np.arange(n_series), lengths)
    if np.isnan(x).any():
        at = int(np.flatnonzero(np.isnan(x))[0])
        raise ValueError(
            f"values has a gap at position {at} (series {int(sid[at])}, point {at - int(starts[sid[at]])}): "
            "an XmR chart needs every point"
        )
    polarity_codes, polarity_names = _polarity_codes(polarity, n_series)

    # Per series: the centre line and average moving range exactly as xmr computes them.
    mean_s, average_range_s = _series_means(x, starts, lengths)
    upper_s, lower_s = mean_s + LIMIT * average_range_s, mean_s - LIMIT * average_range_s
    upper_near_s, lower_near_s = mean_s + NEAR * average_range_s, mean_s - NEAR * average_range_s
    mean, upper, lower = (np.repeat(a, lengths) for a in (mean_s, upper_s, lower_s))
    upper_near, lower_near = np.repeat(upper_near_s, lengths), np.repeat(lower_near_s, lengths)

    first = np.zeros(n_points, dtype=bool)  # the first point of each series
    first[starts] = True
    last = np.zeros(n_points, dtype=bool)
    last[starts + lengths - 1] = True
    step = np.zeros(n_points, dtype=np.int8)  # step i: from point i to point i + 1 of the same series
    step[:-1] = _side(x[1:], x[:-1], x[:-1])  # np.sign(np.diff(x)), a byte a point
    step[last] = 0  # no step from one series into the next: a break for the trend rule

    flags: dict[str, np.ndarray] = {}
    flags["outside_limits"] = _side(x, upper, lower)
    step_marks = _grouped_marked_runs(step, first, trend_length - 1)
    before = np.zeros(n_points, dtype=np.int8)  # a run of steps i..j covers points i..j + 1
    before[1:] = step_marks[:-1]  # the earlier run keeps a point shared by two trends, as xmr
    flags["trend"] = np.where(before != 0, before, step_marks)
    beyond_near = _side(x, upper_near, lower_near)
    flags["two_of_three"] = _grouped_two_of_three(beyond_near, sid)
    flags["run"] = _grouped_marked_runs(_side(x, mean, mean), first, run_length)  # np.sign(x - mean)

    rule = np.zeros(n_points, dtype=np.int8)  # 0: none, k: RULES[k - 1]
    direction = np.zeros(n_points, dtype=np.int8)
    for k, name in reversed(list(enumerate(RULES, start=1))):  # the first rule in RULES wins
        hit = flags[name] != 0
        rule[hit] = k
        direction[hit] = flags[name][hit]

    # variation codes: 0 common_cause, 1 improvement, 2 concern, 3 neither
    point_polarity = np.repeat(polarity_codes, lengths)
    higher = point_polarity == _POLARITY_CODES[HIGHER_IS_BETTER]
    lower_better = point_polarity == _POLARITY_CODES[LOWER_IS_BETTER]
    variation = np.full(n_points, 3, dtype=np.int8)
    variation[higher] = np.where(direction[higher] > 0, 1, 2)
    variation[lower_better] = np.where(direction[lower_better] < 0, 1, 2)
    variation[rule == 0] = 0
    chart_variation = np.repeat(variation[starts + lengths - 1], lengths)

    moving_range = np.full(n_points, np.nan)
    moving_range[1:] = np.abs(np.diff(x))
    moving_range[first] = np.nan  # no range from the last point of one series to the next
    out = {
        "series_index": sid,
        "value": x.copy(),
        "moving_range": moving_range,
        "mean": mean,
        "lower_process_limit": lower,
        "upper_process_limit": upper,
        "lower_near_limit": lower_near,
        "upper_near_limit": upper_near,
        "special_cause_rule": _object_column(np.array([None, *RULES], dtype=object)[rule]),
        "direction": _object_column(np.array(["low", None, "high"], dtype=object)[direction + 1]),
        "variation": _string_column(variation, _VARIATIONS),
        "is_trial_limits": np.repeat(lengths < TRIAL_BELOW, lengths),
        "baseline_points": np.repeat(lengths, lengths),
        "screen_outliers": np.zeros(n_points, dtype=bool),
        "run_length": np.full(n_points, run_length, dtype=np.int64),
        "trend_length": np.full(n_points, trend_length, dtype=np.int64),
        "polarity": _polarity_column(np.repeat(polarity_codes, lengths), polarity_names),
        "target": np.full(n_points, np.nan),
        "chart_variation": _string_column(chart_variation, _VARIATIONS),
        "chart_assurance": _object_column(np.full(n_points, None, dtype=object)),
    }
    return pd.DataFrame(out, copy=False)


_VARIATIONS = ("common_cause", "improvement", "concern", "neither")
_POLARITY_CODES = {None: 0, HIGHER_IS_BETTER: 1, LOWER_IS_BETTER: 2, NO_JUDGEMENT: 3}


def _float_points(values) -> np.ndarray:
    try:
        if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
            x = values.to_numpy(dtype="float64", na_value=np.nan)
        else:
            x = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numbers: {exc}") from None
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional (every series concatenated), got shape {x.shape}")
    return x


def _series_bounds(series_starts, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``series_starts`` as int64 and the number of points of each series."""
    raw = np.asarray(series_starts)
    if raw.ndim != 1 or (raw.size and raw.dtype.kind not in "iu"):
        raise ValueError("series_starts must be a one-dimensional array of whole-number offsets")
    starts = raw.astype(np.int64)
    if starts.size == 0:
        if n_points:
            raise ValueError("series_starts is empty but values is not: the first series starts at 0")
        return starts, starts.copy()
    if starts[0] != 0:
        raise ValueError(
            f"series_starts must begin with 0 (series 0 starts at the first value), got {starts[0]}"
        )
    if starts[-1] > n_points:
        bad = int(np.flatnonzero(starts > n_points)[0])
        raise ValueError(f"series {bad} starts at {int(starts[bad])}, beyond the {n_points} values")
    lengths = np.diff(np.append(starts, n_points))
    if (lengths < 0).any():
        bad = int(np.flatnonzero(lengths < 0)[0]) + 1
        raise ValueError(
            f"series_starts must be sorted: series {bad} starts at {int(starts[bad])}, "
            f"before series {bad - 1} at {int(starts[bad - 1])}"
        )
    return starts, lengths


def _polarity_codes(polarity, n_series: int) -> tuple[np.ndarray, tuple]:
    """One code per series (``_POLARITY_CODES``) after ``check_polarity`` on each distinct value."""
    if polarity is None or isinstance(polarity, str):
        polarity = [polarity] * n_series
    codes, uniques = pd.factorize(np.asarray(polarity, dtype=object), use_na_sentinel=True)
    if codes.size != n_series:
        raise ValueError(f"polarity has {codes.size} entries for {n_series} series: give one per series")
    lookup = np.zeros(len(uniques) + 1, dtype=np.int8)  # the last entry: missing (code -1)
    for k, value in enumerate(uniques):
        try:
            lookup[k] = _POLARITY_CODES[check_polarity(value)]
        except ValueError as exc:
            raise ValueError(f"series {int(np.flatnonzero(codes == k)[0])}: {exc}") from None
    names = tuple(sorted(_POLARITY_CODES, key=_POLARITY_CODES.get))
    return lookup[codes], names


def _side(x: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """1 where ``x > upper``, −1 where ``x < lower``, otherwise 0 (int8; ``upper ≥ lower``)."""
    side = (x > upper).view(np.int8)
    side -= (x < lower).view(np.int8)
    return side


def _series_means(x: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each series and of its moving ranges, bit for bit as ``xmr`` (``ndarray.mean``).

    numpy sums a contiguous row pairwise in blocks; a grouped sum (``np.add.reduceat``) adds in
    another order and can differ in the last bit, which can move a point lying on the mean to one
    side of it. So series of equal length are stacked as the rows of a 2-D array and averaged along
    each row, which is the same summation as ``xmr`` applies to one series.
    """
    means = np.empty(starts.size)
    average_ranges = np.empty(starts.size)
    if starts.size == 0:
        return means, average_ranges
    order = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[order]
    edges = np.flatnonzero(np.diff(sorted_lengths)) + 1
    for group in np.split(order, edges):
        length = int(lengths[group[0]])
        if group.size == starts.size:  # one length: the values are already the rows of a 2-D array
            rows = x.reshape(starts.size, length)
        else:
            rows = x[starts[group][:, None] + np.arange(length)]
        means[group] = rows.mean(axis=1)
        ranges = np.diff(rows, axis=1)
        average_ranges[group] = np.abs(ranges, out=ranges).mean(axis=1)
    return means, average_ranges


def _grouped_marked_runs(signs: np.ndarray, first: np.ndarray, length: int) -> np.ndarray:
    """``_marked_runs`` over concatenated series: a run also ends where a series starts (``first``)."""
    if signs.size == 0:
        return np.zeros(0, dtype=np.int8)
    new_run = first.copy()
    new_run[0] = True
    new_run[1:] |= signs[1:] != signs[:-1]
    run_starts = np.flatnonzero(new_run)
    run_lengths = np.diff(np.append(run_starts, signs.size))
    marked = (run_lengths >= length) & (signs[run_starts] != 0)
    return np.where(np.repeat(marked, run_lengths), signs, np.int8(0))


def _grouped_two_of_three(beyond: np.ndarray, sid: np.ndarray) -> np.ndarray:
    """``_two_of_three`` over concatenated series: windows of three points of one series only."""
    n = beyond.size
    marks = np.zeros(n, dtype=np.int8)
    if n < 3:
        return marks
    whole = np.zeros(n, dtype=bool)  # window i..i+2 lies within one series
    whole[:-2] = sid[2:] == sid[:-2]
    for s in (1, -1):
        on = (beyond == s).astype(np.int8)
        count = np.zeros(n, dtype=np.int8)
        count[:-2] = on[:-2] + on[1:-1] + on[2:]
        fires = whole & (count >= 2)
        covered = fires.copy()  # point j lies in the windows starting at j, j - 1 and j - 2
        covered[1:] |= fires[:-1]
        covered[2:] |= fires[:-2]
        marks[covered & (on == 1)] = s
    return marks


def _string_column(codes: np.ndarray, categories: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """``categories[codes]`` as the str dtype pandas infers for a list of str (as ``xmr``'s columns)."""
    dtype = pd.Series(["x"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        dictionary = pa.array(list(categories), type=pa.large_string())
        decoded = pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int8()), dictionary)
        return pd.array(decoded.cast(pa.large_string()), dtype=dtype)
    return pd.array(np.asarray(categories, dtype=object)[codes], dtype=dtype)


def _polarity_column(codes: np.ndarray, names: tuple):
    """As ``xmr``: str when every series has a polarity; otherwise None (object) where it has none."""
    if codes.size and (codes != _POLARITY_CODES[None]).all():
        return _string_column(codes, [name or "" for name in names])
    return _object_column(np.asarray(names, dtype=object)[codes])


def _object_column(values: np.ndarray) -> pd.Series:
    """Kept as object with None (a bare object array of str would be inferred as the str dtype)."""
    return pd.Series(values, dtype="object", copy=False)


def _marked_runs(signs: np.ndarray, length: int, *, pad_left: bool) -> np.ndarray:
    """Mark (with its sign) every element of each run of ≥ ``length`` equal non-zero signs.

    For trends ``signs`` are the n−1 step directions and a run of k steps covers k+1 points
    (``pad_left`` shifts step i to cover points i and i+1).
    """
    count = signs.size + (1 if pad_left else 0)
    marks = np.zeros(count, dtype=int)
    start = 0
    while start < signs.size:
        end = start
        while end + 1 < signs.size and signs[end + 1] == signs[start]:
            end += 1
        if signs[start] != 0 and end - start + 1 >= length:
            stop = end + 2 if pad_left else end + 1
            marks[start:stop] = np.where(marks[start:stop] == 0, signs[start], marks[start:stop])
        start = end + 1
    return marks


def _two_of_three(beyond: np.ndarray) -> np.ndarray:
    marks = np.zeros(beyond.size, dtype=int)
    for i in range(beyond.size - 2):
        window = beyond[i : i + 3]
        for s in (1, -1):
            if (window == s).sum() >= 2:
                hit = np.flatnonzero(window == s) + i
                marks[hit] = np.where(marks[hit] == 0, s, marks[hit])
    return marks


def _variation(rule, direction: int, polarity: str | None) -> str:
    if rule is None:
        return "common_cause"
    if polarity == HIGHER_IS_BETTER:
        return "improvement" if direction > 0 else "concern"
    if polarity == LOWER_IS_BETTER:
        return "improvement" if direction < 0 else "concern"
    return "neither"
