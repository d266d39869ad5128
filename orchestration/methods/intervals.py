"""Confidence intervals by the PHE/OHID "Fingertips" conventions.

Definitions: ``docs/methods.md`` ("Confidence intervals"), after the project's method brief
(PHE/OHID *Technical Guide: Confidence Intervals*, and the Fingertips ``PHEindicatormethods``
conventions): Wilson score for proportions (no continuity correction), Byar's approximation for counts,
exact Poisson (chi-square) below 10 events.

Every function is pure and takes plain numbers. Invalid input (a negative count, a numerator above its
denominator, a confidence outside (0, 1)) raises ``ValueError``; an interval that cannot be computed (a
null input, a zero denominator or expected count) is ``(None, None)``, which the benchmark rule reads
as "not compared".
"""

import math
from statistics import NormalDist

import numpy as np

EXACT_BELOW = 10  # events: exact Poisson below this, Byar's approximation from it


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 0.95 -> 1.959964, 0.998 -> 3.090232."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_ci(numerator, denominator, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval for the proportion numerator/denominator, as proportions of 1.

    lower = (2x + z² − z·√(z² + 4x(1 − x/n))) / (2(n + z²)); upper with + before z·√
    (Wilson 1927; PHE Technical Guide, no continuity correction). 65/100 at 95% ->
    0.5525444329688797, 0.7363575175690247. A zero or null denominator gives (None, None).
    """
    z = z_value(confidence)
    if _missing(numerator) or _missing(denominator):
        return None, None
    x, n = float(numerator), float(denominator)
    _check_non_negative(x, "numerator")
    _check_non_negative(n, "denominator")
    if x > n:
        raise ValueError(f"numerator {numerator} is greater than denominator {denominator}")
    if n == 0:
        return None, None
    root = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    lower = (2 * x + z * z - root) / (2 * (n + z * z))
    upper = (2 * x + z * z + root) / (2 * (n + z * z))
    # At x = 0 and x = n the formula gives exactly 0 and 1; rounding would leave 1e-17 either side.
    return (0.0 if x == 0 else lower), (1.0 if x == n else upper)


def byar_ci(count, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Byar's approximation to the Poisson interval for a count.

    lower = x·(1 − 1/(9x) − z/(3√x))³, upper = (x+1)·(1 − 1/(9(x+1)) + z/(3√(x+1)))³
    (Breslow & Day 1987; PHE Technical Guide). 65 at 95% -> 50.163187710459454, 82.84913854593984.
    lower is None where the bracket goes negative (small counts at high confidence) and at x = 0, where
    the formula is undefined: use :func:`exact_poisson_ci` there.
    """
    z = z_value(confidence)
    if _missing(count):
        return None, None
    x = float(count)
    _check_non_negative(x, "count")
    lower = None
    if x > 0:
        bracket = 1 - 1 / (9 * x) - z / (3 * math.sqrt(x))
        lower = x * bracket**3 if bracket >= 0 else None
    y = x + 1
    upper = y * (1 - 1 / (9 * y) + z / (3 * math.sqrt(y))) ** 3
    return lower, upper


def exact_poisson_ci(count, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Exact (Garwood) Poisson interval for a whole count x.

    lower = χ²((1−c)/2; 2x)/2 (0 when x = 0), upper = χ²(c + (1−c)/2; 2x+2)/2. The chi-square
    quantiles with even degrees of freedom are computed exactly by :func:`chi_square_quantile_even`.
    0 at 95% -> 0, 3.688879; 9 -> 4.115373, 17.084803 (Garwood 1936 tables).
    """
    _check_confidence(confidence)
    if _missing(count):
        return None, None
    x = float(count)
    _check_non_negative(x, "count")
    if x != int(x):
        raise ValueError(f"count {count} must be a whole number for the exact Poisson interval")
    k = int(x)
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else chi_square_quantile_even(alpha / 2, 2 * k) / 2
    upper = chi_square_quantile_even(1 - alpha / 2, 2 * k + 2) / 2
    return lower, upper


def poisson_ci(count, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """The Fingertips count interval: exact Poisson below 10 events, Byar's approximation otherwise."""
    if _missing(count):
        _check_confidence(confidence)
        return None, None
    if float(count) < EXACT_BELOW:
        return exact_poisson_ci(count, confidence)
    return byar_ci(count, confidence)


def rate_ci(count, population, multiplier=1, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Crude rate count/population × multiplier: :func:`poisson_ci` limits / population × multiplier.

    A zero or null population gives (None, None).
    """
    return _scaled(count, population, multiplier, confidence, "population")


def ratio_ci(observed, expected, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Observed/expected ratio (e.g. SHMI): :func:`poisson_ci` limits of O divided by E.

    A zero or null expected count gives (None, None).
    """
    return _scaled(observed, expected, 1, confidence, "expected")


def chi_square_quantile_even(p: float, df: int) -> float:
    """The p-quantile of the chi-square distribution with an even number of degrees of freedom.

    χ² with df = 2k is twice a Gamma(k, 1) variable, and for whole k
    P(Gamma(k, 1) ≤ t) = P(Poisson(t) ≥ k) = 1 − Σ_{i<k} e^(−t) tⁱ/i!, which is evaluated exactly and
    inverted by bisection to the last bit (no approximation, no scipy).
    """
    if not 0 < p < 1:
        raise ValueError(f"probability {p} must be strictly between 0 and 1")
    if df <= 0 or df % 2:
        raise ValueError(f"degrees of freedom {df} must be a positive even number")
    k = df // 2

    def cdf(t: float) -> float:
        term, total = 1.0, 1.0  # i = 0
        for i in range(1, k):
            term *= t / i
            total += term
        return 1 - math.exp(-t) * total

    low, high = 0.0, max(1.0, float(k))
    while cdf(high) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if cdf(mid) < p:
            low = mid
        else:
            high = mid
    return 2 * (low + high) / 2


def chi_square_quantile(p: float, df: float) -> float:
    """The p-quantile of the chi-square distribution with any positive degrees of freedom.

    Inverts the regularised lower incomplete gamma function P(df/2, x/2) (series below a + 1, Lentz
    continued fraction above, as in Numerical Recipes §6.2) by safeguarded Newton steps from the
    Wilson-Hilferty approximation; agrees with scipy to about 1e-12 relative for df ≥ 0.3. Used for exact Poisson
    control limits around a non-whole expected count (SHMI's 99.8% PO limits); for whole counts
    :func:`chi_square_quantile_even` is exact.
    """
    if not 0 < p < 1:
        raise ValueError(f"probability {p} must be strictly between 0 and 1")
    if not df > 0:
        raise ValueError(f"degrees of freedom {df} must be positive")
    a = df / 2
    # Work on the gamma scale (x = χ²/2). Bracket the root, start from the Wilson-Hilferty
    # approximation, then Newton steps that fall back to bisection when they leave the bracket.
    z = NormalDist().inv_cdf(p)
    guess = a * max(1 - 1 / (9 * a) + z / (3 * math.sqrt(a)), 0.01) ** 3
    low, high = 0.0, max(1.0, 2 * guess)
    while _gamma_p(a, high) < p:
        low, high = high, high * 2
    x = guess if low < guess < high else (low + high) / 2
    for _ in range(200):
        f = _gamma_p(a, x) - p
        if f < 0:
            low = x
        else:
            high = x
        density = math.exp((a - 1) * math.log(x) - x - math.lgamma(a)) if x > 0 else 0.0
        step = f / density if density > 0 else math.inf
        nxt = x - step
        if not low < nxt < high:
            nxt = (low + high) / 2
        if nxt == x or abs(nxt - x) <= 1e-15 * x or high - low <= 1e-15 * high:
            x = nxt
            break
        x = nxt
    return 2 * x


def _gamma_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x)."""
    if x <= 0:
        return 0.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        n = a
        for _ in range(10_000):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return total * math.exp(log_prefix)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return 1 - math.exp(log_prefix) * h


def _scaled(count, base, multiplier, confidence, base_name):
    _check_confidence(confidence)
    if _missing(count) or _missing(base) or _missing(multiplier):
        return None, None
    _check_non_negative(float(count), "count")
    _check_non_negative(float(base), base_name)
    if float(base) == 0:
        return None, None
    lower, upper = poisson_ci(count, confidence)
    factor = float(multiplier) / float(base)
    return (None if lower is None else lower * factor), (None if upper is None else upper * factor)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and pandas NA
    except TypeError:  # pd.NA comparisons are ambiguous
        return True


def _check_confidence(confidence: float) -> None:
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence!r} must be strictly between 0 and 1 (e.g. 0.95)")


def _check_non_negative(value: float, name: str) -> None:
    if value < 0:
        raise ValueError(
            f"{name} {value:g} is negative: counts, denominators and expected values must be ≥ 0"
        )


# --- The same intervals on whole arrays -------------------------------------------------------------
# The warehouse computes limits for tens of millions of rows; these apply exactly the formulas above,
# operation for operation (so the results are bit-identical to the scalar functions, which stay the
# reference and are what the tests compare against). Missing results are NaN instead of None.


def wilson_ci_array(numerator: np.ndarray, denominator: np.ndarray, confidence: float = 0.95):
    """:func:`wilson_ci` on arrays: 0 ≤ numerator ≤ denominator and denominator > 0 are required."""
    z = z_value(confidence)
    x = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    if (np.isnan(x) | np.isnan(n) | (x < 0) | (x > n) | (n <= 0)).any():
        raise ValueError(
            "wilson_ci_array needs 0 <= numerator <= denominator and denominator > 0 on every row"
        )
    root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    lower = (2 * x + z * z - root) / (2 * (n + z * z))
    upper = (2 * x + z * z + root) / (2 * (n + z * z))
    return np.where(x == 0, 0.0, lower), np.where(x == n, 1.0, upper)


def poisson_ci_array(count: np.ndarray, confidence: float = 0.95):
    """:func:`poisson_ci` on an array of counts ≥ 0: exact Poisson below 10 (whole counts only, as
    the scalar function), Byar's approximation from 10. A Byar lower limit that is undefined is NaN."""
    z = z_value(confidence)
    x = np.asarray(count, dtype="float64")
    if (np.isnan(x) | (x < 0)).any():
        raise ValueError("poisson_ci_array needs counts >= 0 on every row")
    lower = np.full(x.shape, np.nan)
    upper = np.full(x.shape, np.nan)
    exact = x < EXACT_BELOW
    if exact.any():
        small = x[exact]
        fractional = small != np.floor(small)
        if fractional.any():
            raise ValueError(
                f"count {small[fractional][0]} must be a whole number for the exact Poisson interval"
            )
        table = [exact_poisson_ci(k, confidence) for k in range(EXACT_BELOW)]
        index = small.astype("int64")
        lower[exact] = np.array([low for low, _ in table])[index]
        upper[exact] = np.array([high for _, high in table])[index]
    byar = ~exact
    if byar.any():
        b = x[byar]
        bracket = 1 - 1 / (9 * b) - z / (3 * np.sqrt(b))
        # np.float_power calls C pow() as Python's ** does (np.power takes a faster path that can
        # differ in the last bit)
        lower[byar] = np.where(bracket >= 0, b * np.float_power(bracket, 3), np.nan)
        y = b + 1
        upper[byar] = y * np.float_power(1 - 1 / (9 * y) + z / (3 * np.sqrt(y)), 3)
    return lower, upper
