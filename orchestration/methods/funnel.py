"""Funnel-plot limits and outlier status, with the SHMI overdispersion method.

Definitions: ``docs/methods.md`` ("Funnel plots"): HQIP *Detection and management of outliers for
national clinical audits* (alert beyond the 95% limit, alarm beyond 99.8%); Spiegelhalter,
"Funnel plots for comparing institutional performance", Stat Med 2005;24:1185-1202, and "Handling
over-dispersion of performance indicators", Qual Saf Health Care 2005;14:347-351 (z-scores on a
variance-stabilising scale, φ and the additive random-effects τ²); NHS Digital *SHMI methodology*
(z = √E·ln(O/E), 10% trimmed by rank at each end, limits exp(±z·√(1/E + τ²))).

Choices (recorded on every output row):

- ``overdispersion`` (default True): limits ±z·√(s² + τ²); False gives τ² = 0, i.e. the plain
  normal limits on the transformed scale (not exact binomial/Poisson limits).
- ``method`` "shmi" (default): rank the N assessable units by z and keep a unit for φ and τ² when
  0 < floor(rank·10/(N+1)) < 9 (ties ranked in input order). "winsorise": clamp z at its 10th and
  90th percentiles (linear interpolation) and use every unit (the CQC/Spiegelhalter variant).
- Proportions use y = arcsin(√p), s = 1/(2√n); limits are back-transformed with sin², the argument
  clamped to [0, π/2] so they stay within [0, 1]. Ratios use y = ln(O/E), s = 1/√E; limits are
  target·exp(±z·√(1/E + τ²)).
- ``z_score`` is the unit's distance from the target in units of the funnel's own spread,
  (y − θ₀)/√(s² + τ²), so ``status`` is exactly |z_score| against 1.959964 and 3.090232 (strictly
  beyond: a unit on a limit is within it). ``z_unadjusted`` = (y − θ₀)/s is the score that the
  trimming ranks and φ averages.
"""

import math

import numpy as np
import pandas as pd

from orchestration.methods.intervals import chi_square_quantile, z_value

STATUSES = ("alarm_low", "alert_low", "within", "alert_high", "alarm_high", "not_assessed")
VALUE_TYPES = {"proportion": ("numerator", "denominator"), "ratio": ("observed", "expected")}
METHODS = {"shmi": "rank_10pct_each_end", "winsorise": "winsorise_10pct_each_end"}
Z95 = z_value(0.95)
Z998 = z_value(0.998)

OUTPUT_COLUMNS = (
    "value", "target", "lower_95", "upper_95", "lower_998", "upper_998", "z_score", "z_unadjusted",
    "phi", "tau2", "status", "in_estimate", "value_type", "method", "overdispersion", "trim",
)  # fmt: skip


def funnel(
    frame: pd.DataFrame,
    *,
    value_type: str,
    target: float | None = None,
    overdispersion: bool = True,
    method: str = "shmi",
) -> pd.DataFrame:
    """Funnel-plot position and HQIP status of each unit (one row per input row, input columns kept).

    ``frame`` holds ``numerator`` and ``denominator`` (value_type "proportion") or ``observed`` and
    ``expected`` (value_type "ratio"), one row per unit of ONE comparison (a period, an indicator).
    ``target`` defaults to the pooled value Σnumerator/Σdenominator of the assessable units for
    proportions and to 1 for ratios. A unit with a null input or a zero denominator/expected count is
    ``not_assessed`` and takes no part in the estimate. Adds the columns of ``OUTPUT_COLUMNS``.
    """
    if value_type not in VALUE_TYPES:
        raise ValueError(f"value_type {value_type!r} must be one of {', '.join(VALUE_TYPES)}")
    if method not in METHODS:
        raise ValueError(f"method {method!r} must be one of {', '.join(METHODS)}")
    top, bottom = VALUE_TYPES[value_type]
    missing = [c for c in (top, bottom) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"value_type {value_type!r} needs the columns {top!r} and {bottom!r}: missing {missing}"
        )
    num = _as_float(frame[top], top)
    den = _as_float(frame[bottom], bottom)
    for name, col in ((top, num), (bottom, den)):
        bad = np.flatnonzero(col < 0)
        if bad.size:
            raise ValueError(f"{name} is negative in row {frame.index[bad[0]]!r}: {col[bad[0]]:g}")
    if value_type == "proportion":
        bad = np.flatnonzero(num > den)
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"numerator {num[i]:g} is greater than denominator {den[i]:g} in row {frame.index[i]!r}"
            )
    assessable = ~np.isnan(num) & ~np.isnan(den) & (den > 0)

    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(assessable, num / den, np.nan)
        if value_type == "proportion":
            if target is None:
                target = (
                    float(num[assessable].sum() / den[assessable].sum()) if assessable.any() else math.nan
                )
            elif not 0 <= target <= 1:
                raise ValueError(f"target {target} must be a proportion of 1 for value_type 'proportion'")
            y = np.arcsin(np.sqrt(value))
            theta0 = math.asin(math.sqrt(target)) if not math.isnan(target) else math.nan
            s = 1 / (2 * np.sqrt(den))
        else:
            if target is None:
                target = 1.0
            elif not target > 0:
                raise ValueError(f"target {target} must be positive for value_type 'ratio'")
            y = np.log(value)
            theta0 = math.log(target)
            s = 1 / np.sqrt(den)
        z_unadjusted = np.where(assessable, (y - theta0) / s, np.nan)

    # An observed count of 0 has z = -inf: it is assessed (far below) but cannot inform φ.
    estimable = assessable & np.isfinite(z_unadjusted)
    in_estimate = np.zeros(len(frame), dtype=bool)
    phi, tau2 = math.nan, 0.0
    if overdispersion:
        phi, tau2, in_estimate = _overdispersion(z_unadjusted, s, estimable, method)

    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(s * s + tau2)
        z_score = np.where(assessable, (y - theta0) / spread, np.nan)
        limits = {}
        for name, z in (("95", Z95), ("998", Z998)):
            limits[f"lower_{name}"] = _back(theta0 - z * spread, value_type)
            limits[f"upper_{name}"] = _back(theta0 + z * spread, value_type)
    status = np.select(
        [~assessable, z_score > Z998, z_score > Z95, z_score < -Z998, z_score < -Z95],
        ["not_assessed", "alarm_high", "alert_high", "alarm_low", "alert_low"],
        default="within",
    )
    out = frame.copy()
    out["value"] = value
    out["target"] = float(target)
    for name, column in limits.items():
        out[name] = np.where(assessable, column, np.nan)
    out["z_score"] = z_score
    out["z_unadjusted"] = z_unadjusted
    out["phi"] = phi
    out["tau2"] = tau2
    out["status"] = status
    out["in_estimate"] = in_estimate
    out["value_type"] = value_type
    out["method"] = method
    out["overdispersion"] = bool(overdispersion)
    out["trim"] = METHODS[method] if overdispersion else None
    return out


def poisson_control_limits(expected, confidence: float = 0.998, target: float = 1.0) -> pd.DataFrame:
    """Exact Poisson funnel limits for an O/E ratio, without overdispersion (one row per expected count).

    lower = χ²((1−c)/2; 2tE)/(2E), upper = χ²(c + (1−c)/2; 2tE + 2)/(2E) for target t: the exact
    Poisson interval of a count whose mean is tE, divided by E. These are SHMI's published 99.8%
    "PO" limits (reproduced on every bundled release, docs/methods.md). A null or zero expected count
    gives null limits.
    """
    z_value(confidence)  # validates confidence
    if not target > 0:
        raise ValueError(f"target {target} must be positive")
    e = _as_float(pd.Series(expected), "expected")
    if (e < 0).any():
        raise ValueError("expected counts must not be negative")
    alpha = 1 - confidence
    lower, upper = [], []
    for value in e:
        if not value > 0:  # NaN or zero
            lower.append(math.nan)
            upper.append(math.nan)
            continue
        mean = target * value
        lower.append(chi_square_quantile(alpha / 2, 2 * mean) / (2 * value))
        upper.append(chi_square_quantile(1 - alpha / 2, 2 * mean + 2) / (2 * value))
    return pd.DataFrame({"lower": lower, "upper": upper})


def _overdispersion(z, s, estimable, method):
    """φ and τ² from the estimable units, by rank trimming ("shmi") or winsorising."""
    index = np.flatnonzero(estimable)
    n_units = index.size
    in_estimate = np.zeros(z.size, dtype=bool)
    if n_units == 0:
        return math.nan, 0.0, in_estimate
    zs = z[index]
    if method == "shmi":
        order = np.argsort(zs, kind="stable")
        rank = np.empty(n_units, dtype=int)
        rank[order] = np.arange(1, n_units + 1)
        decile = np.floor(rank * 10 / (n_units + 1))
        keep = (decile > 0) & (decile < 9)
        used = index[keep]
        z_used = zs[keep]
    else:
        low, high = np.percentile(zs, [10, 90])
        used = index
        z_used = np.clip(zs, low, high)
    in_estimate[used] = True
    n = used.size
    if n == 0:
        return math.nan, 0.0, in_estimate
    phi = float(np.mean(z_used**2))
    w = 1 / s[used] ** 2
    denominator = w.sum() - (w**2).sum() / w.sum()
    if n < 2 or denominator <= 0 or n * phi <= n - 1:
        return phi, 0.0, in_estimate
    return phi, float((n * phi - (n - 1)) / denominator), in_estimate


def _back(t, value_type):
    if value_type == "proportion":
        return np.sin(np.clip(t, 0, math.pi / 2)) ** 2
    return np.exp(t)


def _as_float(series: pd.Series, name: str) -> np.ndarray:
    try:
        numbers = pd.to_numeric(series, errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {name!r} must be numeric: {exc}") from None
    return pd.Series(numbers).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
