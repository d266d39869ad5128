"""Charts are accessible inline SVG: role=img, a title and description, the mart they come from."""

import re
import xml.etree.ElementTree as ET

import pytest

from orchestration.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _check_accessible(svg: str, mart: str) -> ET.Element:
    root = _parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert ids[title_id].tag == SVG + "title" and ids[title_id].text
    assert ids[desc_id].tag == SVG + "desc" and ids[desc_id].text
    assert root.get("data-mart") == mart
    assert "<script" not in svg.lower()
    return root


def test_benchmark_chart_highlights_the_icb_and_labels_every_row():
    rows = [
        charts.Dot(
            "Central East ICB", 76.0, 75.7, 76.2, highlight=True, status="Better", tone="better", code="S1Y5D"
        ),
        charts.Dot("<Evil> & Co", 70.0, 68.0, 72.0, status="Worse", tone="worse", code="RXX"),
    ]
    svg = charts.benchmark_chart(
        "b1",
        rows,
        england=75.5,
        region=75.3,
        region_label="East of England",
        title="T",
        desc="D",
        key='{"indicator_id": "x"}',
    )
    root = _check_accessible(svg, "benchmarks")
    circles = root.findall(f".//{SVG}circle")
    assert [c.get("fill") for c in circles] == [charts.PALETTE["icb"], charts.PALETTE["other"]]
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Better" in texts and "Worse" in texts  # status in words, not colour alone
    assert "&lt;Evil&gt; &amp; Co" in svg  # names are escaped


def test_variation_chart_names_this_icb_and_its_position():
    rows = [
        charts.Dot(f"ICB {i}", float(i), i - 0.5, i + 0.5, highlight=i == 3, code=f"Q{i}")
        for i in range(1, 6)
    ]
    svg = charts.variation_chart("v1", rows, england=2.5, title="T", desc="D", key="{}")
    root = _check_accessible(svg, "benchmarks")
    assert len(root.findall(f".//{SVG}circle")) == 5
    assert "ICB 3 3 (3rd lowest of 5)" in svg


def test_funnel_chart_draws_limits_and_colours_points_by_status():
    points = [
        charts.FunnelPoint(f"T{i}", f"R{i}", 100.0 * i, 50.0, "within", i == 2, 40, 60, 35, 65)
        for i in range(1, 5)
    ] + [charts.FunnelPoint("Alarm", "RZ", 250.0, 90.0, "alarm_high", True, 40, 60, 35, 65)]
    svg = charts.funnel_chart("f1", points, target=50.0, x_label="n", title="T", desc="D", key="{}")
    root = _check_accessible(svg, "outliers")
    assert len(root.findall(f".//{SVG}polyline")) == 4  # 95% and 99.8% limits, both sides
    alarm = [c for c in root.iter(SVG + "circle") if c.get("data-status") == "alarm_high"][0]
    assert alarm.get("fill") == charts.PALETTE["alarm"] and alarm.get("stroke") == charts.PALETTE["icb"]


def test_spc_chart_and_icons():
    points = [
        charts.SpcPoint(f"P{i}", v, 5.0, 2.0, 8.0, "concern" if v > 8 else "common_cause")
        for i, v in enumerate([5, 6, 4, 9, 5, 5])
    ]
    svg = charts.spc_chart("s1", points, title="T", desc="D", key="{}")
    root = _check_accessible(svg, "spc")
    variations = [c.get("data-variation") for c in root.iter(SVG + "circle")]
    assert variations.count("concern") == 1 and len(variations) == 6
    icon = _parse(charts.variation_icon("i1", "concern", "high"))
    assert icon.get("role") == "img" and "concern" in icon.find(SVG + "title").text
    assert re.search(r">H<", charts.variation_icon("i1", "concern", "high"))
    assert "no target" in _parse(charts.assurance_icon("i2", None)).find(SVG + "title").text


@pytest.mark.parametrize("tone", ["better", "worse", "similar", "neutral", "none"])
def test_text_on_status_colours_has_enough_contrast(tone):
    assert charts.contrast_ratio(charts.ON_COLOUR[tone], charts.PALETTE[tone]) >= 4.5


def test_nhs_blue_on_white_has_enough_contrast():
    assert charts.contrast_ratio(charts.PALETTE["icb"], "#FFFFFF") >= 4.5
    assert charts.contrast_ratio(charts.PALETTE["text"], "#FFFFFF") >= 7


def test_nice_ticks():
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(0.95, 1.12)[0] >= 0.95
    assert charts.nice_ticks(None, 1) == []
