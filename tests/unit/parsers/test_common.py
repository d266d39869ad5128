import pickle
from datetime import datetime

import pytest

from orchestration.parsers import PARSERS, ParseError, parse_file
from orchestration.parsers.common import (
    ParseContext,
    excel_column_letter,
    normalise_header,
    parse_float,
    parse_int,
    parse_yyyymmdd,
    snake_case,
)
from tests.unit.parsers.helpers import make_release, sources_config

CTX = ParseContext("src", "file.csv")


def test_every_parser_named_in_sources_yml_exists():
    named = {source.parser_of(release) for source in sources_config().sources for release in source.releases}
    assert {source.parser for source in sources_config().sources} | named <= set(PARSERS)


def test_parse_file_unknown_parser_and_missing_file(tmp_path):
    with pytest.raises(ParseError, match="unknown parser 'nope'"):
        parse_file("nope", tmp_path / "x.csv", make_release(), "src")
    with pytest.raises(ParseError, match="x.csv: expected a data file"):
        parse_file("ods_etr", tmp_path / "x.csv", make_release(), "src")


def test_parse_error_message_and_attributes():
    error = ParseError("shmi", "shmi.csv", "expected a number, found 'x'", row=7, column="OBSERVED")
    assert str(error) == "shmi: shmi.csv, row 7, column 'OBSERVED': expected a number, found 'x'"
    assert (error.source_id, error.file_name, error.row, error.column) == ("shmi", "shmi.csv", 7, "OBSERVED")
    assert isinstance(error, ValueError)
    assert str(ParseError("a", "b.csv", "empty")) == "a: b.csv: empty"
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("A&E attendances Type 1", "a_e_attendances_type_1"), ("PROVIDER NAME", "provider_name"),
     ("OrgCode", "org_code"), (" Data Type ", "data_type")],
)  # fmt: skip
def test_snake_case(text, expected):
    assert snake_case(text) == expected


def test_normalise_header():
    assert normalise_header("PROVIDER NAME") == normalise_header("PROVIDER_NAME") == "provider name"
    assert normalise_header("\ufeffSICBL22CD ") == "sicbl22cd"


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (" 7 ", 7), ("1,234", 1234), ("3.0", 3), (5, 5),
                                                 ("", None), ("*", None), ("-", None), ("..", None), ("TFP", None),
                                                 ("x", None), ("X", None), ("c", None)])  # fmt: skip
def test_parse_int(value, expected):
    assert parse_int(CTX, value, row=2, column="n") == expected


@pytest.mark.parametrize("value", ["abc", "1.5", "12a", "n/a"])
def test_parse_int_rejects_text(value):
    with pytest.raises(ParseError) as exc:
        parse_int(CTX, value, row=9, column="count")
    assert (exc.value.row, exc.value.column) == (9, "count")
    assert repr(value) in str(exc.value) and "whole number" in str(exc.value)


def test_parse_int_markers_can_be_refused():
    with pytest.raises(ParseError):
        parse_int(CTX, "*", row=2, column="n", markers_ok=False)


def test_parse_float():
    assert parse_float(CTX, "768.4005", row=2, column="v") == 768.4005
    assert parse_float(CTX, "1e3", row=2, column="v") == 1000.0
    assert parse_float(CTX, "..", row=2, column="v") is None
    with pytest.raises(ParseError, match="row 2, column 'v': expected a number"):
        parse_float(CTX, "1.2.3", row=2, column="v")


def test_parse_yyyymmdd():
    assert parse_yyyymmdd(CTX, "20241101", row=1, column="d") == datetime(2024, 11, 1)
    assert parse_yyyymmdd(CTX, "", row=1, column="d") is None
    for bad in ["20241301", "2024-11-01", "241101"]:
        with pytest.raises(ParseError, match="YYYYMMDD"):
            parse_yyyymmdd(CTX, bad, row=1, column="d")


def test_excel_column_letter():
    assert [excel_column_letter(i) for i in (0, 3, 25, 26, 114)] == ["A", "D", "Z", "AA", "DK"]
