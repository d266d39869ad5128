"""Benchmarking an area against a comparator by the Fingertips confidence-interval rule.

Definition: ``docs/methods.md`` ("Benchmarking"), after OHID Fingertips' "confidence intervals
overlapping reference value" method (``CIOverlappingReferenceValue95`` / ``99.8``): the area is
"similar" when the comparator lies inside the area's interval, ends included; otherwise it is
"higher" or "lower", read as "better" or "worse" through the indicator's polarity.
"""

import math

import numpy as np
import pandas as pd

from orchestration.methods.arrays import as_floats

# The polarity vocabulary of dbt_project/seeds/indicator_catalogue.csv.
HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
NO_JUDGEMENT = "no_judgement"
POLARITIES = (HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_JUDGEMENT)

OUTCOMES = ("better", "worse", "similar", "higher", "lower", "not_compared")


def check_polarity(polarity: str | None) -> str | None:
    """Return the polarity if it is in the catalogue's vocabulary, None if missing (None, NaN, NA).

    Anything else raises ``ValueError``: a misspelt polarity must not silently read as "no judgement".
    """
    if _missing(polarity):
        return None
    if polarity not in POLARITIES:
        raise ValueError(f"polarity {polarity!r} is not one of {', '.join(POLARITIES)} (or None)")
    return polarity


def compare_to_benchmark(value, lower, upper, comparator, polarity: str | None) -> str:
    """Fingertips outcome of an area (value with interval lower..upper) against a comparator value.

    - ``not_compared`` when the value, either limit or the comparator is missing (suppressed, zero
      denominator: no interval could be computed);
    - ``similar`` when lower ≤ comparator ≤ upper (ends included);
    - otherwise ``higher`` (comparator below the interval) or ``lower``, mapped to ``better``/``worse``
      by ``polarity`` (``higher_is_better``/``lower_is_better``); ``no_judgement`` or None stays
      ``higher``/``lower``.
    """
    polarity = check_polarity(polarity)
    if any(_missing(v) for v in (value, lower, upper, comparator)):
        return "not_compared"
    lower, upper, comparator = float(lower), float(upper), float(comparator)
    if lower > upper:
        raise ValueError(f"lower limit {lower} is above upper limit {upper}")
    if lower <= comparator <= upper:
        return "similar"
    direction = "higher" if comparator < lower else "lower"
    if polarity == HIGHER_IS_BETTER:
        return "better" if direction == "higher" else "worse"
    if polarity == LOWER_IS_BETTER:
        return "better" if direction == "lower" else "worse"
    return direction


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return math.isnan(float(value))
    except TypeError:  # pandas NA
        return True


def compare_to_benchmark_array(value, lower, upper, comparator, polarity) -> np.ndarray:
    """:func:`compare_to_benchmark` on arrays (one polarity per row), for the warehouse's millions of
    rows: the same outcomes, the same errors (a polarity outside the vocabulary, lower above upper)."""
    value, lower, upper, comparator = (as_floats(c) for c in (value, lower, upper, comparator))
    polarity = pd.Series(polarity, dtype="object")
    for distinct in polarity.drop_duplicates():
        check_polarity(distinct)
    missing = np.isnan(value) | np.isnan(lower) | np.isnan(upper) | np.isnan(comparator)
    inverted = ~missing & (lower > upper)
    if inverted.any():
        at = int(np.flatnonzero(inverted)[0])
        raise ValueError(f"lower limit {lower[at]} is above upper limit {upper[at]}")
    higher = comparator < lower  # the comparator lies below the interval: the area is higher
    lower_side = comparator > upper
    higher_is_better = polarity.eq(HIGHER_IS_BETTER).to_numpy()
    lower_is_better = polarity.eq(LOWER_IS_BETTER).to_numpy()
    outcome = np.select(
        [
            missing,
            ~higher & ~lower_side,
            higher & higher_is_better,
            higher & lower_is_better,
            higher,
            lower_side & higher_is_better,
            lower_side & lower_is_better,
        ],
        ["not_compared", "similar", "better", "worse", "higher", "worse", "better"],
        default="lower",
    )
    return outcome.astype(object)
