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
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from orchestration.methods.benchmark import HIGHER_IS_BETTER, LOWER_IS_BETTER, check_polarity

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
