"""Confidence intervals against published reference values (docs/methods.md)."""

import math

import pytest

from orchestration.methods import (
    byar_ci,
    chi_square_quantile,
    chi_square_quantile_even,
    exact_poisson_ci,
    poisson_ci,
    rate_ci,
    ratio_ci,
    wilson_ci,
    z_value,
)


def test_z_values_for_95_and_998():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_wilson_published_reference_65_of_100():
    lower, upper = wilson_ci(65, 100)
    assert lower == pytest.approx(0.5525444329688797, abs=1e-12)
    assert upper == pytest.approx(0.7363575175690247, abs=1e-12)


def test_wilson_edge_cases_none_and_all():
    # Wilson 0/10 upper = z²/(n + z²); 10/10 lower = n/(n + z²) (the formula with x = 0 or x = n).
    z2 = z_value(0.95) ** 2
    assert wilson_ci(0, 10) == (0.0, pytest.approx(z2 / (10 + z2), abs=1e-12))
    assert wilson_ci(0, 10)[1] == pytest.approx(0.2775328, abs=1e-7)
    lower, upper = wilson_ci(10, 10)
    assert lower == pytest.approx(10 / (10 + z2), abs=1e-12)
    assert lower == pytest.approx(0.7224672, abs=1e-7)
    assert upper == 1.0


def test_wilson_998_is_wider_than_95():
    lower95, upper95 = wilson_ci(65, 100)
    lower998, upper998 = wilson_ci(65, 100, 0.998)
    assert lower998 < lower95 < 0.65 < upper95 < upper998


def test_wilson_zero_or_missing_denominator_gives_no_interval():
    assert wilson_ci(0, 0) == (None, None)
    assert wilson_ci(None, 10) == (None, None)
    assert wilson_ci(3, math.nan) == (None, None)


def test_byar_published_reference_65():
    lower, upper = byar_ci(65)
    assert lower == pytest.approx(50.163187710459454, abs=1e-12)
    assert upper == pytest.approx(82.84913854593984, abs=1e-12)


def test_byar_small_counts():
    # x = 1 at 95%: 1·(1 − 1/9 − z/3)³ and 2·(1 − 1/18 + z/(3√2))³.
    z = z_value(0.95)
    lower, upper = byar_ci(1)
    assert lower == pytest.approx((1 - 1 / 9 - z / 3) ** 3, abs=1e-12)
    assert lower == pytest.approx(0.0131, abs=1e-4)
    assert upper == pytest.approx(2 * (1 - 1 / 18 + z / (3 * math.sqrt(2))) ** 3, abs=1e-12)
    assert upper == pytest.approx(5.564, abs=1e-3)  # the exact limit is 5.572
    # The bracket goes negative for a count of 1 at 99.8% (z/3 > 8/9): no lower limit.
    assert byar_ci(1, 0.998)[0] is None
    assert byar_ci(0)[0] is None
    assert byar_ci(0)[1] == pytest.approx((1 - 1 / 9 + z / 3) ** 3, abs=1e-12)


# Exact Poisson 95% limits for 0..9 events: the Garwood (1936) table, as reprinted in PHE's
# "Technical Guide: Confidence Intervals" and Ulm (1990) (lower = χ²(0.025; 2x)/2,
# upper = χ²(0.975; 2x + 2)/2).
GARWOOD_95 = {
    0: (0.0, 3.689),
    1: (0.0253, 5.572),
    2: (0.2422, 7.225),
    3: (0.6187, 8.767),
    4: (1.090, 10.242),
    5: (1.623, 11.668),
    6: (2.202, 13.059),
    7: (2.814, 14.423),
    8: (3.454, 15.763),
    9: (4.115, 17.085),
}


@pytest.mark.parametrize("count", sorted(GARWOOD_95))
def test_exact_poisson_matches_the_garwood_table(count):
    lower, upper = exact_poisson_ci(count)
    table_lower, table_upper = GARWOOD_95[count]
    assert lower == pytest.approx(table_lower, abs=6e-4)
    assert upper == pytest.approx(table_upper, abs=6e-4)


# Chi-square quantiles from the standard tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
@pytest.mark.parametrize(
    ("p", "df", "table"),
    [
        (0.025, 2, 0.0506),
        (0.975, 2, 7.378),
        (0.975, 20, 34.170),
        (0.025, 18, 8.231),
        (0.999, 10, 29.588),
        (0.001, 10, 1.479),
    ],
)
def test_chi_square_quantile_matches_tables(p, df, table):
    assert chi_square_quantile_even(p, df) == pytest.approx(table, abs=6e-4)


def test_chi_square_quantile_agrees_with_scipy_to_machine_precision():
    stats = pytest.importorskip("scipy.stats")
    for df in range(2, 42, 2):
        for p in (0.001, 0.025, 0.5, 0.975, 0.999):
            assert chi_square_quantile_even(p, df) == pytest.approx(stats.chi2.ppf(p, df), rel=1e-12)


def test_chi_square_quantile_rejects_odd_degrees_of_freedom():
    with pytest.raises(ValueError, match="even"):
        chi_square_quantile_even(0.5, 3)


def test_poisson_ci_is_exact_below_ten_and_byar_from_ten():
    assert poisson_ci(9) == exact_poisson_ci(9)
    assert poisson_ci(10) == byar_ci(10)


def test_rate_ci_scales_by_population_and_multiplier():
    lower, upper = rate_ci(65, 10_000, 100_000)
    assert lower == pytest.approx(50.163187710459454 / 10_000 * 100_000, rel=1e-12)
    assert upper == pytest.approx(82.84913854593984 / 10_000 * 100_000, rel=1e-12)
    lower, upper = rate_ci(3, 1_000, 1_000)
    assert (lower, upper) == pytest.approx(exact_poisson_ci(3))
    assert rate_ci(3, 0, 1000) == (None, None)


def test_ratio_ci_divides_by_expected():
    lower, upper = ratio_ci(65, 50.0)
    assert lower == pytest.approx(50.163187710459454 / 50, rel=1e-12)
    assert upper == pytest.approx(82.84913854593984 / 50, rel=1e-12)
    lower, upper = ratio_ci(0, 2.5)
    assert lower == 0.0
    assert upper == pytest.approx(3.688879454113933 / 2.5, rel=1e-12)
    assert ratio_ci(4, 0) == (None, None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson_ci(-1, 10), "numerator -1 is negative"),
        (lambda: wilson_ci(1, -10), "denominator -10 is negative"),
        (lambda: wilson_ci(11, 10), "numerator 11 is greater than denominator 10"),
        (lambda: wilson_ci(1, 10, 1.5), "confidence 1.5 must be strictly between 0 and 1"),
        (lambda: wilson_ci(1, 10, 0), "confidence 0 must be strictly between 0 and 1"),
        (lambda: byar_ci(-3), "count -3 is negative"),
        (lambda: byar_ci(3, 95), "confidence 95 must be"),
        (lambda: exact_poisson_ci(2.5), "whole number"),
        (lambda: rate_ci(-1, 100, 1000), "count -1 is negative"),
        (lambda: rate_ci(1, -100, 1000), "population -100 is negative"),
        (lambda: ratio_ci(5, -2.0), "expected -2 is negative"),
        (lambda: ratio_ci(5, 2.0, 1.0), "confidence 1.0 must be"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(("p", "df", "table"), [(0.975, 1, 5.024), (0.025, 5, 0.831), (0.999, 3, 16.266)])
def test_general_chi_square_quantile_matches_tables(p, df, table):
    assert chi_square_quantile(p, df) == pytest.approx(table, abs=6e-4)


def test_general_chi_square_quantile_agrees_with_scipy_and_the_even_case():
    stats = pytest.importorskip("scipy.stats")
    for df in (0.3, 1, 1.7, 7.5, 41.3, 1520.6, 6000.4):
        for p in (0.001, 0.025, 0.5, 0.975, 0.999):
            assert chi_square_quantile(p, df) == pytest.approx(stats.chi2.ppf(p, df), rel=1e-12)
    assert chi_square_quantile(0.975, 20) == pytest.approx(chi_square_quantile_even(0.975, 20), rel=1e-13)
