"""API-walk helpers: the incremental row reader, period dates and labels."""

import json
from datetime import date

import pytest

import orchestration.walkers as walkers
from orchestration.parsers import ParseError
from orchestration.parsers.common import ParseContext
from orchestration.walkers.cvdprevent import _months_before, period_release_label

CTX = ParseContext("cvdprevent", "response.json")
ROWS = [
    {"AreaCode": "U89141", "AreaName": 'Stockton "North" PCN \u00e9', "Value": 19.48, "Numerator": 157590.0},
    {"AreaCode": "A81001", "AreaName": "a,b\\c", "Value": None, "Numerator": 12345678901234},
    {"AreaCode": "E92000001", "AreaName": "England", "Value": 1e-3, "Nested": {"x": [1, 2, {"y": "]"}]}},
]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 16])
@pytest.mark.parametrize(
    "document",
    [
        {"synthetic": "x", "indicatorRawData": ROWS},
        {"status": 200, "meta": {"a": [1, 2]}, "rows": ROWS, "after": [9]},
        ROWS,
    ],
)
def test_rows_are_read_one_at_a_time_whatever_the_chunk(tmp_path, monkeypatch, chunk, document):
    monkeypatch.setattr(walkers, "_READ_CHUNK", chunk)
    path = tmp_path / "response.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document, indent=1).encode())  # with a BOM
    rows = [row for _, row in walkers.iter_json_rows(CTX, path)]
    assert rows == ROWS


def test_an_empty_row_array(tmp_path):
    path = tmp_path / "response.json"
    path.write_text('{"status": 200, "rows": [ ]}')
    assert list(walkers.iter_json_rows(CTX, path)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"rows": [{"a": 1}, {"a": 2}', "after row 2"),
        ('{"rows": [{"a": 1} {"a": 2}]}', "expected ',' or ']' after row 1"),
        ('{"rows": [{"a": 1}, {"a": tru}]}', "row 2: expected a JSON value"),
        ('{"status": 200}', "expected an array of rows"),
        ('"text"', "expected a JSON object or array"),
    ],
)
def test_broken_responses_name_the_row(tmp_path, text, expected):
    path = tmp_path / "response.json"
    path.write_text(text)
    with pytest.raises(ParseError, match=expected) as error:
        list(walkers.iter_json_rows(CTX, path))
    assert str(error.value).startswith("cvdprevent: response.json")


def test_period_dates_and_labels():
    assert _months_before(date(2026, 3, 31), 12) == date(2025, 4, 1)
    assert _months_before(date(2025, 12, 31), 12) == date(2025, 1, 1)
    assert _months_before(date(2025, 6, 30), 3) == date(2025, 4, 1)
    assert period_release_label("To March 2026", 33) == "to-march-2026"
    assert period_release_label("Apr 2024 - Mar 2025", 40) == "apr-2024-mar-2025"
    assert period_release_label("???", 7) == "period-7"
