"""What a report says: pure functions from mart rows (pandas frames) to findings, questions and cells.

Nothing here reads the warehouse or writes files, so each rule is tested on a few inline rows
(``tests/report/test_findings.py``). Vocabulary follows the marts: benchmarks' ``comparison_england``
(better / worse / similar / higher / lower / not_compared), outliers' ``status`` (alert / alarm,
high / low, within) and spc's ``variation`` (improvement / concern / neither / common_cause).
"""

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

Z95 = 1.959964
PROVIDER_LEVELS = ("trust", "team", "independent_provider", "other_provider")
NETWORK_LEVELS = ("cancer_alliance", "isdn")
# Chartable value types first: a percentage or ratio compares fairly across organisations of different
# sizes; a count mostly measures size, and "other" (yes/no answers, quartiles) has no interval.
VALUE_TYPE_ORDER = {"proportion": 0, "ratio": 0, "rate": 0, "median": 1, "mean": 1, "count": 2, "other": 3}
JUDGED = ("higher_is_better", "lower_is_better")
SPC_RULE_WORDS = {
    "outside_limits": "is outside the process limits",
    "trend": "continues a trend of seven or more points in one direction",
    "two_of_three": "is one of two in three points close to a process limit",
    "run": "is part of a run of seven or more points on one side of the mean",
}
OUTLIER_WORDS = {
    "alarm_high": "an alarm (above the 99.8% limit)",
    "alarm_low": "an alarm (below the 99.8% limit)",
    "alert_high": "an alert (above the 95% limit)",
    "alert_low": "an alert (below the 95% limit)",
}


class IcbLookupError(LookupError):
    """--icb matched no current ICB, or more than one."""


@dataclass(frozen=True)
class Finding:
    """One headline: a plain sentence, and where its numbers come from (mart and key)."""

    kind: str  # benchmark | outlier | spc
    tone: str  # better | worse | neutral: how the finding reads by the indicator's polarity
    sentence: str
    significance: float  # a z-like distance: larger is more certain
    gap: float  # relative size of the difference (0.1 = 10%)
    source_id: str
    indicator_id: str
    title: str
    org_code: str
    period_label: str
    mart: str
    key: dict = field(default_factory=dict)


# --- ICBs -------------------------------------------------------------------------------------------


def resolve_icb(query: str, icbs: list) -> object:
    """The one current ICB ``query`` names: its ODS code, or (case-insensitively) its name or part of it."""
    wanted = query.strip().casefold()
    if not wanted:
        raise IcbLookupError("give an ICB's ODS code or name")
    by_code = [icb for icb in icbs if icb.code.casefold() == wanted]
    if by_code:
        return by_code[0]
    exact = [
        icb for icb in icbs if icb.name.casefold() == wanted or short_name(icb.name).casefold() == wanted
    ]
    if len(exact) == 1:
        return exact[0]
    partial = [icb for icb in icbs if wanted in icb.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    candidates = partial or exact
    if candidates:
        listed = "; ".join(f"{icb.code} {icb.name}" for icb in candidates)
        raise IcbLookupError(f"{query!r} matches {len(candidates)} current ICBs: {listed}")
    listed = "; ".join(f"{icb.code} {icb.name}" for icb in icbs)
    raise IcbLookupError(f"no current ICB matches {query!r}. Current ICBs: {listed}")


def short_name(name: str) -> str:
    """'NHS Central East Integrated Care Board' -> 'Central East ICB' (for sentences and labels)."""
    text = name.strip()
    if text.upper().startswith("NHS "):
        text = text[4:]
    for suffix in (" Integrated Care Board", " ICB"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            return f"{text} ICB"
    return text


def tidy_org_name(name: str | None) -> str:
    """ODS names are upper case ('CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST'): title-case them."""
    if not name:
        return ""
    if name.isupper():
        words = []
        for word in name.split():
            words.append(word if word in {"NHS", "UK", "ICB", "HASU"} else word.capitalize())
        text = " ".join(words)
        for small in (" And ", " Of ", " The ", " For "):
            text = text.replace(small, small.lower())
        return text
    return name


# --- Indicators -------------------------------------------------------------------------------------


def select_key_indicators(indicators: pd.DataFrame, per_source: int = 3) -> pd.DataFrame:
    """Up to ``per_source`` indicators per source that the report charts.

    Preference: a judged polarity (better / worse can be said), then chartable value types
    (proportions, ratios and rates, then medians and means, then counts), then the catalogue order
    (indicator id). A source whose indicators all lack a polarity still gets its best chartable ones.
    """
    if indicators.empty:
        return indicators.copy()
    frame = indicators.copy()
    frame["_judged"] = (~frame["polarity"].isin(JUDGED)).astype(int)
    frame["_type"] = frame["value_type"].map(VALUE_TYPE_ORDER).fillna(9)
    frame = frame[frame["_type"] < 3]
    # Counts only for a source with nothing better: a count mostly measures size, and comparing a
    # trust's count with England's says nothing about care.
    with_rates = set(frame.loc[frame["_type"] < 2, "source_id"])
    frame = frame[(frame["_type"] < 2) | ~frame["source_id"].isin(with_rates)]
    frame = frame.sort_values(["source_id", "_judged", "_type", "indicator_id"])
    chosen = frame.groupby("source_id", sort=True).head(per_source)
    return chosen.drop(columns=["_judged", "_type"]).reset_index(drop=True)


def format_value(value: float | None, unit: str | None, value_type: str | None = None) -> str:
    """A value as a reader expects it: 74.5%, 1.023, 45 minutes, 12,345."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    unit = (unit or "").strip()
    if unit == "percent":
        return f"{value:.1f}%"
    if value_type == "ratio" or unit == "ratio":
        return f"{value:.3f}"
    if value_type in ("count",) or float(value).is_integer():
        return f"{value:,.0f}" + (f" {unit}" if unit else "")
    return f"{value:,.1f}" + (f" {unit}" if unit and unit != "value" else "")


def period_text(label: str | None, period_end: date | None = None) -> str:
    """Publisher labels like 'MSitAE-JUNE-2025' read badly; prefer 'June 2025' for monthly ones."""
    if label and label.upper().startswith("MSITAE-"):
        parts = label.split("-")
        if len(parts) == 3:
            return f"{parts[1].capitalize()} {parts[2]}"
    return label or (period_end.isoformat() if period_end else "")


# --- Picking rows -----------------------------------------------------------------------------------


def _isnan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def for_indicator(frame: pd.DataFrame, source_id: str, indicator_id: str) -> pd.DataFrame:
    """Rows of one indicator from one source (an indicator id can be published by two sources,
    e.g. Cancer Waiting Times by provider and by Sub-ICB location)."""
    return frame[(frame["source_id"] == source_id) & (frame["indicator_id"] == indicator_id)]


def icb_row(benchmarks: pd.DataFrame, source_id: str, indicator_id: str, icb_code: str) -> pd.Series | None:
    """The ICB's own benchmark row: the publisher's ICB value where given, else our roll-up."""
    rows = for_indicator(benchmarks, source_id, indicator_id)
    rows = rows[(rows["org_level"] == "icb") & (rows["org_code"] == icb_code)]
    if rows.empty:
        return None
    return rows.sort_values("is_derived").iloc[0]


def icb_level_rows(benchmarks: pd.DataFrame, source_id: str, indicator_id: str) -> pd.DataFrame:
    """One row per ICB (published preferred over derived), sorted by value: the regional variation."""
    rows = for_indicator(benchmarks, source_id, indicator_id)
    rows = rows[rows["org_level"] == "icb"]
    rows = rows[rows["value"].notna()].sort_values(["org_code", "is_derived"])
    return rows.drop_duplicates("org_code").sort_values(["value", "org_code"]).reset_index(drop=True)


def provider_rows(benchmarks: pd.DataFrame, source_id: str, indicator_id: str, icb_code: str) -> pd.DataFrame:
    """The ICB's providers' (and stroke teams') published rows, by today's geography."""
    rows = for_indicator(benchmarks, source_id, indicator_id)
    rows = rows[
        rows["org_level"].isin(PROVIDER_LEVELS) & (rows["icb_code"] == icb_code) & (~rows["is_derived"])
    ]
    return rows.sort_values(["org_name", "org_unit_name"]).reset_index(drop=True)


def network_rows(benchmarks: pd.DataFrame, network_codes: list[str]) -> pd.DataFrame:
    rows = benchmarks[
        benchmarks["org_level"].isin(NETWORK_LEVELS) & benchmarks["org_code"].isin(network_codes)
    ]
    return rows.sort_values(["source_id", "indicator_id", "org_level", "org_code"]).reset_index(drop=True)


# --- Headline ---------------------------------------------------------------------------------------


def _z_from_interval(value: float, comparator: float, lower: float, upper: float) -> float:
    """How many standard errors the comparator is from the value (from the 95% interval's width)."""
    se = (upper - lower) / (2 * Z95)
    if not se or se <= 0 or math.isnan(se):
        return 0.0
    return abs(value - comparator) / se


def _relative_gap(value: float, comparator: float) -> float:
    if _isnan(value) or _isnan(comparator) or comparator == 0:
        return 0.0
    return abs(value - comparator) / abs(comparator)


def outlier_tone(status: str, polarity: str | None) -> str:
    """An alert or alarm reads as better or worse by the indicator's polarity."""
    if not status or status in ("within", "not_assessed"):
        return "similar"
    high = status.endswith("_high")
    if polarity == "higher_is_better":
        return "better" if high else "worse"
    if polarity == "lower_is_better":
        return "worse" if high else "better"
    return "neutral"


def benchmark_tone(comparison: str | None) -> str:
    if comparison in ("better", "worse", "similar"):
        return comparison
    if comparison in ("higher", "lower"):
        return "neutral"
    return "none"


def headline_findings(
    icb_code: str,
    icb_name: str,
    key_indicators: pd.DataFrame,
    benchmarks: pd.DataFrame,
    funnels: pd.DataFrame,
    spc: pd.DataFrame,
) -> dict[str, list[Finding]]:
    """Three ranked lists: the ICB against England, its providers' funnel outliers, special causes.

    Each list is ranked by significance (a z-like distance), then by the relative size of the gap.
    """
    label = short_name(icb_name)
    pairs = list(zip(key_indicators["source_id"], key_indicators["indicator_id"], strict=True))
    titles = dict(zip(pairs, key_indicators["title"], strict=True))
    units = dict(zip(pairs, key_indicators["unit"], strict=True))
    types = dict(zip(pairs, key_indicators["value_type"], strict=True))
    polarities = dict(zip(pairs, key_indicators["polarity"], strict=True))

    versus_england: list[Finding] = []
    for pair in titles:
        source_id, indicator_id = pair
        row = icb_row(benchmarks, source_id, indicator_id, icb_code)
        if row is None or row["comparison_england"] not in ("better", "worse", "higher", "lower"):
            continue
        fmt = lambda v, i=pair: format_value(v, units[i], types[i])  # noqa: E731
        when = period_text(row["period_label"], row["period_end"])
        word = "significantly " + str(row["comparison_england"])
        word += " than England" if row["comparison_england"] in ("better", "worse") else " than England's"
        sentence = (
            f"{label} was {word} on {titles[pair]} in {when}: {fmt(row['value'])} "
            f"(95% interval {fmt(row['lower_ci_95'])} to {fmt(row['upper_ci_95'])}) against "
            f"{fmt(row['england_value'])} for England."
        )
        versus_england.append(
            Finding(
                kind="benchmark",
                tone=benchmark_tone(row["comparison_england"]),
                sentence=sentence,
                significance=_z_from_interval(
                    row["value"], row["england_value"], row["lower_ci_95"], row["upper_ci_95"]
                ),
                gap=_relative_gap(row["value"], row["england_value"]),
                source_id=row["source_id"],
                indicator_id=indicator_id,
                title=titles[pair],
                org_code=icb_code,
                period_label=row["period_label"],
                mart="benchmarks",
                key=_key(
                    row, ("source_id", "indicator_id", "org_code", "org_level", "is_derived", "period_end")
                ),
            )
        )

    outliers: list[Finding] = []
    mine = funnels[(funnels["icb_code"] == icb_code) & funnels["status"].isin(list(OUTLIER_WORDS))]
    for _, row in mine.iterrows():
        indicator_id = row["indicator_id"]
        pair = (row["source_id"], indicator_id)
        if pair not in titles:
            continue
        fmt = lambda v, i=pair: format_value(v, units[i], types[i])  # noqa: E731
        tone = outlier_tone(row["status"], polarities.get(pair))
        reading = {"better": " (better than expected)", "worse": " (worse than expected)"}.get(tone, "")
        name = tidy_org_name(row["unit_name"])
        sentence = (
            f"{name} ({row['org_code']}) is {OUTLIER_WORDS[row['status']]}{reading} on the funnel plot for "
            f"{titles[pair]} in {period_text(row['period_label'], row['period_end'])}: "
            f"{fmt(row['value'])} against an expected {fmt(row['target'])}."
        )
        outliers.append(
            Finding(
                kind="outlier",
                tone=tone,
                sentence=sentence,
                significance=abs(float(row["z_score"])) if not _isnan(row["z_score"]) else 0.0,
                gap=_relative_gap(row["value"], row["target"]),
                source_id=row["source_id"],
                indicator_id=indicator_id,
                title=titles[pair],
                org_code=str(row["org_code"]),
                period_label=row["period_label"],
                mart="outliers",
                key=_key(row, ("source_id", "indicator_id", "org_code_published", "org_level", "period_end")),
            )
        )

    special: list[Finding] = []
    charts = spc[spc["org_code"] == icb_code]
    for pair, points in charts.groupby(["source_id", "indicator_id"], sort=True):
        indicator_id = pair[1]
        if pair not in titles:
            continue
        last = points.sort_values("point_number").iloc[-1]
        if last["variation"] in (None, "common_cause") or _isnan(last["variation"]):
            continue
        fmt = lambda v, i=pair: format_value(v, units[i], types[i])  # noqa: E731
        sigma = (
            (last["upper_process_limit"] - last["mean"]) / 3 if not _isnan(last["upper_process_limit"]) else 0
        )
        variation = str(last["variation"])
        kind_words = {
            "improvement": "special-cause improvement",
            "concern": "special-cause concern",
        }.get(variation, "special-cause variation")
        sentence = (
            f"{titles[pair]} for {label} shows {kind_words}: the latest point "
            f"({period_text(last['period_label'], last['period_end'])}, {fmt(last['value'])}) "
            f"{SPC_RULE_WORDS.get(last['special_cause_rule'], 'is a special cause')} "
            f"(mean {fmt(last['mean'])})."
        )
        special.append(
            Finding(
                kind="spc",
                tone={"improvement": "better", "concern": "worse"}.get(variation, "neutral"),
                sentence=sentence,
                significance=abs(last["value"] - last["mean"]) / sigma if sigma else 0.0,
                gap=_relative_gap(last["value"], last["mean"]),
                source_id=last["source_id"],
                indicator_id=indicator_id,
                title=titles[pair],
                org_code=icb_code,
                period_label=last["period_label"],
                mart="spc",
                key=_key(last, ("source_id", "indicator_id", "org_code", "period_end")),
            )
        )

    return {
        "versus_england": rank_findings(versus_england),
        "outliers": rank_findings(outliers),
        "special_cause": rank_findings(special),
    }


def rank_findings(findings: list[Finding]) -> list[Finding]:
    """Most significant first; among equally significant, the larger gap first."""
    return sorted(findings, key=lambda f: (-round(f.significance, 9), -f.gap, f.indicator_id, f.org_code))


def _key(row: pd.Series, columns: tuple[str, ...]) -> dict:
    key = {}
    for column in columns:
        value = row[column]
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()  # numpy scalars -> plain Python, so the key serialises as JSON
        if isinstance(value, pd.Timestamp):
            value = value.date()  # period dates are dates; the Timestamp is pandas' wrapping
        key[column] = value.isoformat() if hasattr(value, "isoformat") else value
    return key


# --- Questions --------------------------------------------------------------------------------------


def discussion_questions(findings: dict[str, list[Finding]], icb_name: str, limit: int = 8) -> list[str]:
    """Questions for the facilitated session, one per finding (most significant first), then general ones."""
    label = short_name(icb_name)
    questions: list[str] = []
    for finding in findings.get("versus_england", []):
        if finding.tone == "worse":
            questions.append(
                f"What lies behind {label}'s gap to England on {finding.title}, and which providers and "
                "pathways contribute most to it?"
            )
        elif finding.tone == "better":
            questions.append(
                f"What does {label} do on {finding.title} that others could learn from, and is it "
                "consistent across its providers?"
            )
        else:
            questions.append(
                f"{label} differs from England on {finding.title}: is that expected for its population, "
                "or a difference to act on?"
            )
    for finding in findings.get("outliers", []):
        if finding.tone == "worse":
            questions.append(
                f"What does {finding.org_code} know about its outlying position on {finding.title}, and "
                "what support from the ICB would help?"
            )
        elif finding.tone == "better":
            questions.append(
                f"Could {finding.org_code}'s practice on {finding.title} be spread across the ICB's other providers?"
            )
    for finding in findings.get("special_cause", []):
        if finding.tone == "better":
            questions.append(
                f"Which change produced the improvement in {finding.title}, and how will it be sustained?"
            )
        else:
            questions.append(
                f"What changed around {period_text(finding.period_label)} to move {finding.title}, and is "
                "it still happening?"
            )
    unique = list(dict.fromkeys(questions))[:limit]
    unique.append(
        "Which two or three of these measures matter most to the ICB's priorities, and who will lead the "
        "improvement work on each?"
    )
    unique.append(
        "Where is the data missing, old or unmapped (see the Data section), and does that change what we "
        "can conclude?"
    )
    return unique


# --- Provider view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    tone: str  # better | worse | similar | neutral | none
    label: str
    detail: str  # the unit(s), value and basis, for the cell's title and the CSV
    mart: str | None = None


def provider_cell(
    indicator: pd.Series, org_code: str, benchmarks: pd.DataFrame, funnels: pd.DataFrame
) -> Cell:
    """A provider's position on one indicator: its funnel status where the indicator has a funnel
    (HQIP outlier rule), else its comparison with England (Fingertips rule); several SSNAP teams of
    one trust each show theirs, the worst first."""
    source_id, indicator_id = indicator["source_id"], indicator["indicator_id"]
    fmt = lambda v: format_value(v, indicator["unit"], indicator["value_type"])  # noqa: E731
    funnel = for_indicator(funnels, source_id, indicator_id)
    funnel = funnel[funnel["org_code"] == org_code]
    if not funnel.empty:
        parts = []
        for _, row in funnel.iterrows():
            tone = outlier_tone(row["status"], indicator["polarity"])
            parts.append((tone, _status_label(row["status"]), f"{row['unit_name']}: {fmt(row['value'])}"))
        return _combine(parts, "outliers")
    rows = for_indicator(benchmarks, source_id, indicator_id)
    rows = rows[
        (rows["org_code"] == org_code) & rows["org_level"].isin(PROVIDER_LEVELS) & (~rows["is_derived"])
    ]
    if rows.empty:
        return Cell("none", "No data", "no value for this provider in the latest period")
    parts = []
    for _, row in rows.iterrows():
        comparison = row["comparison_england"] or "not_compared"
        parts.append(
            (
                benchmark_tone(comparison),
                comparison.replace("_", " ").capitalize(),
                f"{row['org_unit_name'] or row['org_name']}: {fmt(row['value'])}",
            )
        )
    return _combine(parts, "benchmarks")


TONE_ORDER = {"worse": 0, "better": 1, "neutral": 2, "similar": 3, "none": 4}


def _combine(parts: list[tuple[str, str, str]], mart: str) -> Cell:
    parts = sorted(parts, key=lambda p: TONE_ORDER.get(p[0], 9))
    tone, label, _ = parts[0]
    if len(parts) > 1:
        label = f"{label} (+{len(parts) - 1})"
    return Cell(tone, label, "; ".join(f"{p[2]} ({p[1].lower()})" for p in parts), mart)


def _status_label(status: str) -> str:
    return {
        "within": "As expected",
        "alert_high": "Alert high",
        "alert_low": "Alert low",
        "alarm_high": "Alarm high",
        "alarm_low": "Alarm low",
        "not_assessed": "Not assessed",
    }.get(status, status)
