"""The headline, questions and provider cells, from a few inline mart rows."""

from datetime import date

import pandas as pd
import pytest

from orchestration.report.data import Icb
from orchestration.report.findings import (
    IcbLookupError,
    discussion_questions,
    format_value,
    headline_findings,
    outlier_tone,
    provider_cell,
    resolve_icb,
    select_key_indicators,
    short_name,
)

ICBS = [
    Icb("S1Y5D", "NHS Central East Integrated Care Board", "Y61", "East of England"),
    Icb("QMF", "NHS North East London Integrated Care Board", "Y56", "London"),
    Icb("QKK", "NHS South East London Integrated Care Board", "Y56", "London"),
    Icb("QJK", "NHS Devon Integrated Care Board", "Y58", "South West"),
]
END = pd.Timestamp(date(2025, 6, 30))


def _indicators():
    return pd.DataFrame(
        [
            ("ae", "ae_4hr", "A&E within 4 hours", "proportion", "higher_is_better", "percent"),
            ("ae", "ae_count", "A&E attendances", "count", "no_judgement", "attendances"),
            ("ae", "ae_12hr", "12-hour waits", "count", "lower_is_better", "patients"),
            ("shmi", "shmi", "SHMI", "ratio", "lower_is_better", "ratio"),
            ("org", "ki_count", "Key indicators met", "count", "higher_is_better", "key indicators"),
            ("org", "ki1", "KI 1 met", "other", "higher_is_better", "yes=1"),
            ("cvd", "hyp", "Hypertension prevalence", "proportion", "no_judgement", "percent"),
        ],
        columns=["source_id", "indicator_id", "title", "value_type", "polarity", "unit"],
    ).assign(definition="d", multiplier=1.0, source_url="u", fact_rows=1)


def _benchmark(indicator_id, org_level, org_code, value, lower, upper, england, comparison, **extra):
    row = {
        "source_id": extra.pop("source_id", "ae"),
        "indicator_id": indicator_id,
        "org_level": org_level,
        "org_code": org_code,
        "org_code_published": org_code,
        "org_unit_name": org_code,
        "org_name": org_code,
        "is_derived": org_level == "icb",
        "icb_code": extra.pop("icb_code", "S1Y5D"),
        "period_end": END,
        "period_label": "MSitAE-JUNE-2025",
        "value": value,
        "lower_ci_95": lower,
        "upper_ci_95": upper,
        "england_value": england,
        "comparison_england": comparison,
        "region_value": None,
        "comparison_region": "not_compared",
    }
    row.update(extra)
    return row


def test_resolve_icb_by_code_or_name_case_insensitively():
    assert resolve_icb("s1y5d", ICBS).code == "S1Y5D"
    assert resolve_icb("central east", ICBS).code == "S1Y5D"
    assert resolve_icb("NHS DEVON INTEGRATED CARE BOARD", ICBS).code == "QJK"
    assert resolve_icb("Devon ICB", ICBS).code == "QJK"


def test_resolve_icb_ambiguous_or_unknown_lists_candidates():
    with pytest.raises(IcbLookupError, match="matches 2 current ICBs: QMF .*; QKK"):
        resolve_icb("east london", ICBS)
    with pytest.raises(IcbLookupError, match="no current ICB matches 'QHG'.*S1Y5D NHS Central East"):
        resolve_icb("QHG", ICBS)  # a pre-2026 ICB, merged into S1Y5D


def test_key_indicators_prefer_judged_rates_and_use_counts_only_when_nothing_else():
    chosen = select_key_indicators(_indicators(), per_source=2)
    assert list(zip(chosen["source_id"], chosen["indicator_id"], strict=True)) == [
        ("ae", "ae_4hr"),  # the count with a polarity is not chosen while a proportion exists
        ("cvd", "hyp"),  # no polarity, but still the source's best chartable indicator
        ("org", "ki_count"),  # only counts and yes/no answers: the count, never "other"
        ("shmi", "shmi"),
    ]


def test_headline_ranks_by_significance_then_gap_and_says_it_plainly():
    key = select_key_indicators(_indicators())
    benchmarks = pd.DataFrame(
        [
            _benchmark("ae_4hr", "icb", "S1Y5D", 70.0, 69.0, 71.0, 75.0, "worse"),
            _benchmark(
                "shmi",
                "icb",
                "S1Y5D",
                0.9,
                0.85,
                0.95,
                1.0,
                "better",
                source_id="shmi",
                period_label="SHMI 2013",
            ),
            _benchmark("hyp", "icb", "S1Y5D", 14.0, 13.0, 15.0, 14.5, "similar", source_id="cvd"),
        ]
    )
    funnels = pd.DataFrame(
        [
            {
                "source_id": "ae",
                "indicator_id": "ae_4hr",
                "org_code": "RGT",
                "org_code_published": "RGT",
                "org_level": "trust",
                "unit_name": "CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST",
                "icb_code": "S1Y5D",
                "status": "alarm_low",
                "z_score": -4.2,
                "value": 60.0,
                "target": 75.0,
                "period_end": END,
                "period_label": "MSitAE-JUNE-2025",
            },
            {
                "source_id": "ae",
                "indicator_id": "ae_4hr",
                "org_code": "RXX",
                "org_code_published": "RXX",
                "org_level": "trust",
                "unit_name": "Elsewhere",
                "icb_code": "QJK",
                "status": "alarm_low",
                "z_score": -9.0,
                "value": 40.0,
                "target": 75.0,
                "period_end": END,
                "period_label": "x",
            },
        ]
    )
    spc = pd.DataFrame(
        [
            {
                "source_id": "ae",
                "indicator_id": "ae_4hr",
                "org_code": "S1Y5D",
                "point_number": n,
                "value": v,
                "mean": 72.0,
                "upper_process_limit": 78.0,
                "lower_process_limit": 66.0,
                "variation": var,
                "special_cause_rule": rule,
                "period_end": END,
                "period_label": "MSitAE-JUNE-2025",
            }
            for n, v, var, rule in [(1, 72.0, "common_cause", None), (2, 64.0, "concern", "outside_limits")]
        ]
    )
    found = headline_findings("S1Y5D", ICBS[0].name, key, benchmarks, funnels, spc)
    # z for ae: 5 / (2 / 3.92) = 9.8; for SHMI 0.1 / (0.1 / 3.92) = 3.9: A&E first
    assert [f.indicator_id for f in found["versus_england"]] == ["ae_4hr", "shmi"]
    first = found["versus_england"][0]
    assert first.tone == "worse" and first.mart == "benchmarks"
    assert first.sentence == (
        "Central East ICB was significantly worse than England on A&E within 4 hours in June 2025: 70.0% "
        "(95% interval 69.0% to 71.0%) against 75.0% for England."
    )
    assert [f.org_code for f in found["outliers"]] == ["RGT"]  # only this ICB's providers
    assert found["outliers"][0].tone == "worse"
    assert (
        "Cambridge University Hospitals NHS Foundation Trust (RGT) is an alarm"
        in found["outliers"][0].sentence
    )
    assert [f.tone for f in found["special_cause"]] == ["worse"]
    assert "outside the process limits" in found["special_cause"][0].sentence

    questions = discussion_questions(found, ICBS[0].name)
    assert questions[0].startswith("What lies behind Central East ICB's gap to England on A&E within 4 hours")
    assert any("RGT" in q for q in questions)
    assert len(questions) == len(set(questions))


def test_outlier_tone_reads_status_by_polarity():
    assert outlier_tone("alarm_high", "lower_is_better") == "worse"
    assert outlier_tone("alert_low", "lower_is_better") == "better"
    assert outlier_tone("alert_high", "higher_is_better") == "better"
    assert outlier_tone("alert_high", "no_judgement") == "neutral"
    assert outlier_tone("within", "higher_is_better") == "similar"


def test_provider_cell_prefers_the_funnel_and_shows_the_worst_team_first():
    indicator = pd.Series(
        {
            "source_id": "ssnap",
            "indicator_id": "mt",
            "unit": "percent",
            "value_type": "proportion",
            "polarity": "higher_is_better",
        }
    )
    funnels = pd.DataFrame(
        [
            {
                "source_id": "ssnap",
                "indicator_id": "mt",
                "org_code": "RGT",
                "unit_name": "Team A",
                "status": "within",
                "value": 10.0,
            },
            {
                "source_id": "ssnap",
                "indicator_id": "mt",
                "org_code": "RGT",
                "unit_name": "Team B",
                "status": "alert_low",
                "value": 2.0,
            },
        ]
    )
    empty = pd.DataFrame(columns=["source_id", "indicator_id", "org_code", "org_level", "is_derived"])
    cell = provider_cell(indicator, "RGT", empty, funnels)
    assert (cell.tone, cell.label, cell.mart) == ("worse", "Alert low (+1)", "outliers")
    assert "Team B: 2.0% (alert low)" in cell.detail
    assert provider_cell(indicator, "RXX", empty, funnels).label == "No data"


def test_format_value_and_short_name():
    assert format_value(75.98306, "percent") == "76.0%"
    assert format_value(1.0064, "ratio", "ratio") == "1.006"
    assert format_value(12345.0, "patients", "count") == "12,345 patients"
    assert format_value(None, "percent") == "no value"
    assert short_name("NHS Surrey and Sussex Integrated Care Board") == "Surrey and Sussex ICB"
