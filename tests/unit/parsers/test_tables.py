import re

import pytest

from orchestration.parsers.common import HeaderColumn, ParseContext
from orchestration.parsers.tables import Code, Row, TableLayout, parse_table_rows
from tests.unit.parsers.helpers import make_release

LAYOUT = TableLayout(
    columns=(
        HeaderColumn("code", ("Code",)),
        HeaderColumn("name", ("Name",), required=False),
        HeaderColumn("opened", ("Opened",)),
    ),
    codes={"code": Code(re.compile(r"^[A-Z]\d$"), "a letter and a digit")},
    dates=frozenset({"opened"}),
    release_columns={"as_at": "period_start", "label": "period_label"},
)
CTX = ParseContext("test_source", "t.csv")


def test_output_columns_end_with_release_columns_and_source_row():
    assert LAYOUT.output_columns == ("code", "name", "opened", "as_at", "label", "source_row")


def test_rows_are_typed_stripped_and_stamped():
    rows = [Row(2, [" A1 ", "  ", "20240131"]), Row(5, ["B2", "Bee", ""])]
    frame = parse_table_rows(CTX, LAYOUT, {"code": 0, "name": 1, "opened": 2}, rows, make_release())
    assert frame["code"].tolist() == ["A1", "B2"]
    assert frame["name"].isna().tolist() == [True, False]  # blank -> null
    assert str(frame.loc[0, "opened"].date()) == "2024-01-31" and frame["opened"].isna().tolist() == [
        False,
        True,
    ]
    assert frame["label"].tolist() == ["test period"] * 2
    assert frame["source_row"].tolist() == [2, 5]


def test_a_column_the_file_does_not_have_is_null():
    frame = parse_table_rows(CTX, LAYOUT, {"code": 0, "opened": 1}, [Row(1, ["A1", ""])], make_release())
    assert frame["name"].isna().all()


def test_layout_mistakes_are_caught_when_declared():
    with pytest.raises(ValueError, match="does not declare"):
        TableLayout(columns=(HeaderColumn("a", ("A",)),), dates=frozenset({"b"}))
    with pytest.raises(ValueError, match="release_columns"):
        TableLayout(columns=(HeaderColumn("a", ("A",)),), release_columns={"x": "period"})
