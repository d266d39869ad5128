"""Funnel plots: crafted frames, and the proof on the real SHMI releases."""

import math

import numpy as np
import pandas as pd
import pytest

from orchestration.methods import STATUSES, funnel, poisson_control_limits, z_value
from tests.unit.parsers.helpers import parsed, release_ids

Z95, Z998 = z_value(0.95), z_value(0.998)
BANDING = {"alarm_high": 1, "alert_high": 1, "within": 2, "alert_low": 3, "alarm_low": 3}


def _ratio_frame(observed, expected):
    return pd.DataFrame(
        {"unit": [f"U{i}" for i in range(len(observed))], "observed": observed, "expected": expected}
    )


def test_ratio_without_overdispersion_uses_poisson_scale_limits():
    out = funnel(
        _ratio_frame([100, 130, 70], [100.0, 100.0, 100.0]), value_type="ratio", overdispersion=False
    )
    assert out["target"].eq(1.0).all()
    assert out["tau2"].eq(0.0).all() and out["phi"].isna().all()
    assert out["lower_95"].iloc[0] == pytest.approx(math.exp(-Z95 / 10), rel=1e-12)
    assert out["upper_998"].iloc[0] == pytest.approx(math.exp(Z998 / 10), rel=1e-12)
    assert out["z_score"].iloc[1] == pytest.approx(10 * math.log(1.3), rel=1e-12)  # 2.62: beyond 95% only
    assert out["status"].tolist() == ["within", "alert_high", "alarm_low"]
    assert out["trim"].isna().all() and not out["overdispersion"].any()
    assert out["unit"].tolist() == ["U0", "U1", "U2"]  # input columns are kept


def test_proportion_limits_back_transform_from_the_arcsine_scale():
    frame = pd.DataFrame({"numerator": [50, 300, 10], "denominator": [100, 400, 100]})
    out = funnel(frame, value_type="proportion", overdispersion=False)
    target = 360 / 600
    assert out["target"].iloc[0] == pytest.approx(target)
    theta = math.asin(math.sqrt(target))
    assert out["lower_95"].iloc[0] == pytest.approx(math.sin(theta - Z95 / 20) ** 2, rel=1e-12)
    assert out["upper_998"].iloc[1] == pytest.approx(math.sin(theta + Z998 / 40) ** 2, rel=1e-12)
    z = (math.asin(math.sqrt(0.5)) - theta) * 2 * math.sqrt(100)
    assert out["z_score"].iloc[0] == pytest.approx(z, rel=1e-12)
    assert out["status"].tolist() == ["alert_low", "alarm_high", "alarm_low"]


def test_proportion_limits_stay_within_zero_and_one():
    frame = pd.DataFrame({"numerator": [1, 2], "denominator": [2, 3]})
    out = funnel(frame, value_type="proportion", target=0.99, overdispersion=False)
    assert out["upper_998"].max() == 1.0
    assert (out[["lower_95", "upper_95", "lower_998", "upper_998"]] >= 0).all().all()


def test_zero_null_and_missing_units_are_not_assessed():
    frame = _ratio_frame([10, 5, None, 20], [10.0, 0.0, 4.0, None])
    out = funnel(frame, value_type="ratio")
    assert out["status"].tolist() == ["within", "not_assessed", "not_assessed", "not_assessed"]
    assert out.loc[1:, ["lower_95", "z_score"]].isna().all().all()
    assert set(out["status"]) <= set(STATUSES)


def _spread_units(n=40, seed=3):
    rng = np.random.default_rng(seed)
    expected = rng.uniform(200, 3000, n)
    observed = np.round(expected * np.exp(rng.normal(0, 0.08, n)))
    return _ratio_frame(observed, expected)


def test_shmi_trimming_keeps_units_by_rank():
    out = funnel(_spread_units(), value_type="ratio")
    n = 40
    rank = out["z_unadjusted"].rank(method="first").astype(int)
    keep = [0 < math.floor(r * 10 / (n + 1)) < 9 for r in rank]
    assert out["in_estimate"].tolist() == keep
    assert sum(keep) == 32  # ranks 5..36 of 40
    kept = out[out["in_estimate"]]
    phi = (kept["z_unadjusted"] ** 2).mean()
    w = kept["expected"]
    tau2 = (len(kept) * phi - (len(kept) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert out["phi"].iloc[0] == pytest.approx(phi, rel=1e-12)
    assert out["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-12)
    e = out["expected"]
    assert np.allclose(out["upper_95"], np.exp(Z95 * np.sqrt(1 / e + tau2)), rtol=1e-12)
    assert out["method"].eq("shmi").all() and out["trim"].eq("rank_10pct_each_end").all()


def test_no_overdispersion_estimate_when_units_agree_with_poisson():
    frame = _ratio_frame([100, 101, 99, 100, 100, 102, 98, 100, 100, 100], [100.0] * 10)
    out = funnel(frame, value_type="ratio")
    assert out["phi"].iloc[0] < 1
    assert out["tau2"].eq(0.0).all()


def test_invalid_frames_raise():
    with pytest.raises(ValueError, match="numerator 11 is greater than denominator 10 in row 0"):
        funnel(pd.DataFrame({"numerator": [11], "denominator": [10]}), value_type="proportion")
    with pytest.raises(ValueError, match="observed is negative in row 1"):
        funnel(_ratio_frame([1, -1], [2.0, 2.0]), value_type="ratio")
    with pytest.raises(ValueError, match="needs the columns 'observed' and 'expected'"):
        funnel(pd.DataFrame({"numerator": [1], "denominator": [2]}), value_type="ratio")
    with pytest.raises(ValueError, match="value_type 'rate'"):
        funnel(_ratio_frame([1], [2.0]), value_type="rate")
    with pytest.raises(ValueError, match="method 'cqc'"):
        funnel(_ratio_frame([1], [2.0]), value_type="ratio", method="cqc")


# --- Proof on real data: the HSCIC SHMI releases publish OD_LL/OD_UL (95%, overdispersion-adjusted,
# to 4 decimal places) and OD_BANDING (1 higher than expected, 2 as expected, 3 lower). We recompute
# them from OBSERVED and EXPECTED alone.


def _shmi(label: str, method: str = "shmi") -> pd.DataFrame:
    frame = parsed("shmi", label).rename(
        columns={"observed_deaths": "observed", "expected_deaths": "expected"}
    )
    return funnel(frame, value_type="ratio", method=method)


def shmi_agreement(label: str, method: str = "shmi") -> dict:
    out = _shmi(label, method)
    ours = out["status"].map(BANDING)
    lower_published = out["od_lower_95"].astype(float)
    upper_published = out["od_upper_95"].astype(float)
    return {
        "trusts": len(out),
        "banding_match": float((ours == out["od_banding"].astype(int)).mean()),
        "max_abs_diff_limits": float(
            max(
                (out["lower_95"] - lower_published).abs().max(),
                (out["upper_95"] - upper_published).abs().max(),
            )
        ),
        "limits_equal_at_4dp": float(
            (
                (out["lower_95"].round(4) == lower_published) & (out["upper_95"].round(4) == upper_published)
            ).mean()
        ),
    }


@pytest.mark.parametrize("label", release_ids("shmi"))
def test_shmi_reproduces_published_banding_and_limits(label):
    agreement = shmi_agreement(label)
    # Measured on all 11 releases (docs/methods.md): every trust's banding, and every limit equal to
    # the published one once rounded to the published 4 decimal places.
    assert agreement["banding_match"] == 1.0
    assert agreement["max_abs_diff_limits"] <= 0.00005
    assert agreement["limits_equal_at_4dp"] == 1.0


def test_shmi_bands_by_the_unrounded_ratio_and_keeps_the_middle_80_percent():
    out = _shmi("2014-04")
    assert len(out) == 141 and out["in_estimate"].sum() == 113
    assert (out["status"] != "not_assessed").all()


def test_winsorising_instead_gives_different_bandings():
    mismatched = 0
    for label in release_ids("shmi"):
        agreement = shmi_agreement(label, method="winsorise")
        assert agreement["max_abs_diff_limits"] > 0.02  # visibly different limits
        mismatched += round((1 - agreement["banding_match"]) * agreement["trusts"])
    assert mismatched >= 90  # measured: 96 of 1,576 trust-releases banded differently


@pytest.mark.parametrize("label", release_ids("shmi"))
def test_exact_poisson_limits_reproduce_the_published_998_po_limits(label):
    frame = parsed("shmi", label)
    limits = poisson_control_limits(frame["expected_deaths"])
    assert (limits["lower"].round(4) == frame["po_lower_998"].astype(float).to_numpy()).all()
    assert (limits["upper"].round(4) == frame["po_upper_998"].astype(float).to_numpy()).all()
    if label == "2011-10":  # the only release with PO_BANDING
        ratio = (frame["observed_deaths"] / frame["expected_deaths"]).astype(float).to_numpy()
        banding = np.where(ratio > limits["upper"], 1, np.where(ratio < limits["lower"], 3, 2))
        assert (banding == frame["po_banding"].astype(int).to_numpy()).all()


def test_poisson_control_limits_null_and_target():
    limits = poisson_control_limits([0.0, None, 100.0], target=1.2)
    assert limits["lower"].iloc[:2].isna().all()
    assert limits["lower"].iloc[2] < 1.2 < limits["upper"].iloc[2]
    with pytest.raises(ValueError, match="target -1"):
        poisson_control_limits([1.0], target=-1)
