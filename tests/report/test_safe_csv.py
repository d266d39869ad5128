"""CSV cells a spreadsheet would run as formulas are written as text."""

import csv
import math
from datetime import date

import pytest

from orchestration.report.safe_csv import protect_cell, write_csv


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+44 20", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","y")'],
)
def test_text_starting_like_a_formula_gets_an_apostrophe(text):
    assert protect_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Addenbrooke's Hospital", "RGT", "a=b", " =1", "", "95% interval"])
def test_ordinary_text_is_unchanged(text):
    assert protect_cell(text) == text


def test_numbers_stay_numbers_and_missing_values_are_blank():
    assert protect_cell(-3) == -3
    assert protect_cell(-0.25) == "-0.25"
    assert protect_cell(75.98306544202066) == "75.98306544202066"  # exact round trip
    assert protect_cell(None) == ""
    assert protect_cell(math.nan) == ""
    assert protect_cell(True) == "true"
    assert protect_cell(date(2026, 4, 1)) == "2026-04-01"


def test_write_csv_protects_header_and_cells(tmp_path):
    path = tmp_path / "t.csv"
    rows = [{"name": "=cmd|' /C calc'!A0", "value": -1.5}, {"name": "@evil", "value": None}]
    assert write_csv(path, ["name", "value", "-note"], rows) == 2
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["name", "value", "'-note"]
    assert read[1] == ["'=cmd|' /C calc'!A0", "-1.5", ""]
    assert read[2] == ["'@evil", "", ""]
