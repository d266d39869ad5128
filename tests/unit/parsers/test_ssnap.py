import pandas as pd
import pytest
from openpyxl import Workbook

from orchestration.parsers import ParseError
from orchestration.parsers.common import hmm_to_minutes
from orchestration.parsers.ssnap import OUTPUT_COLUMNS, parse_ssnap_thrombectomy
from tests.unit.parsers.helpers import make_release, parsed, release_ids

SOURCE = "ssnap_thrombectomy"
KEY = ["sheet", "team_name", "trust_name", "is_national", "category", "item", "data_type"]


def _cell(frame, sheet, team, category, item, data_type):
    team_match = frame["is_national"] if team is None else frame["team_name"].eq(team)
    rows = frame[
        frame["sheet"].eq(sheet)
        & team_match
        & frame["category"].eq(category)
        & frame["item"].eq(item)
        & frame["data_type"].eq(data_type)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _workbook(tmp_path, rows, name="ssnap.xlsx", sheet="Thrombectomy centres"):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


HEADER_ROWS = [
    ["Thrombectomy Output:", None, None, None, "London", "North West"],
    ["Based on the team conducting the intra-arterial intervention", None, None, None, "Trust A ", "Trust B"],
    ["Category", "Items", "Data Type", "National", "Team A ", "Team B"],
]


@pytest.mark.parametrize("label", release_ids(SOURCE))
def test_every_release_parses_to_the_contract(label):
    frame = parsed(SOURCE, label)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert not frame.duplicated(KEY).any()
    assert frame["category"].notna().all() and frame["item"].notna().all()
    assert set(frame["data_type"]) <= {"n", "d", "%", "median", "LIQR", "UIQR"}  # stripped
    assert frame.loc[~frame["is_national"], "team_name"].notna().all()
    assert frame.loc[frame["is_national"], ["network_name", "trust_name", "team_name"]].isna().all().all()
    assert str(frame["value_numeric"].dtype) == "Float64"
    assert frame["source_row"].min() == 4  # measures start below the three header rows


def test_2023_24_addenbrookes_and_national_thrombectomy_counts():
    frame = parsed(SOURCE, "2023-24")
    assert set(frame["sheet"]) == {"Thrombectomy centres", "Thrombectomy transfers"}
    add = _cell(frame, "Thrombectomy centres", "Addenbrooke's Hospital", "Thrombectomy", "Thrombectomy", "n")
    assert add["value_numeric"] == 111
    assert add["value_text"] == "111"
    assert add["trust_name"] == "Cambridge University Hospitals NHS Foundation Trust"
    assert add["network_name"] == "East of England (North)"
    assert add["report_basis"] == "conducting_team"
    assert (add["source_row"], add["source_column"]) == (4, "E")
    national = _cell(frame, "Thrombectomy centres", None, "Thrombectomy", "Thrombectomy", "n")
    assert national["value_numeric"] == 3671
    assert (national["source_row"], national["source_column"]) == (4, "D")
    assert national["period_label"] == "2023/24"
    assert national["period_start"] == pd.Timestamp("2023-04-01")


def test_2023_24_transfers_sheet_is_first_admitting_basis():
    frame = parsed(SOURCE, "2023-24")
    transfers = frame[frame["sheet"] == "Thrombectomy transfers"]
    assert set(transfers["report_basis"]) == {"first_admitting_team"}
    add = _cell(
        frame, "Thrombectomy transfers", "Addenbrooke's Hospital", "Thrombectomy", "Thrombectomy", "d"
    )
    assert add["value_numeric"] == 778


def test_forward_filled_labels_and_percent_rows():
    frame = parsed(SOURCE, "2023-24")
    pct = _cell(frame, "Thrombectomy centres", "Addenbrooke's Hospital", "Transferred or directly admitted",
                "Directly admitted", "%")  # fmt: skip
    assert pct["value_numeric"] == pytest.approx(34.2)
    assert pct["source_row"] == 7


def test_times_are_converted_to_minutes_including_negative():
    frame = parsed(SOURCE, "2023-24")
    onset = _cell(frame, "Thrombectomy centres", None, "Thrombolysis if received thrombectomy",
                  "Onset to thrombolysis (if onset is known) (hours:mins)", "median")  # fmt: skip
    assert (onset["value_text"], onset["value_numeric"]) == ("2:31", 151.0)
    negative = frame[frame["value_text"] == "-1:47"].iloc[0]
    assert negative["value_numeric"] == -107.0
    assert negative["team_name"] == "Royal Hallamshire Hospital"
    assert (negative["source_row"], negative["source_column"]) == (166, "Q")


def test_blank_cells_are_rows_with_null_values():
    frame = parsed(SOURCE, "2023-24")
    blanks = frame[frame["value_text"].isna()]
    assert len(blanks) > 0
    assert blanks["value_numeric"].isna().all()


def test_team_names_are_stripped():
    assert "Walton Centre Stroke Team" in set(parsed(SOURCE, "2022-23")["team_name"])


def test_2022_23_data_sheet():
    frame = parsed(SOURCE, "2022-23")
    assert set(frame["sheet"]) == {"Data"}
    assert set(frame["report_basis"]) == {"conducting_team"}
    add = _cell(frame, "Data", "Addenbrooke's Hospital", "Thrombectomy", "Thrombectomy", "n")
    assert add["value_numeric"] == 51
    assert _cell(frame, "Data", None, "Thrombectomy", "Thrombectomy", "n")["value_numeric"] == 2825


def test_inline_workbook_values_markers_and_blank_columns(tmp_path):
    rows = [
        [*HEADER_ROWS[0], None],
        [*HEADER_ROWS[1], None],
        [*HEADER_ROWS[2], None],  # column G has no team name and no values: skipped
        ["Thrombectomy", "Thrombectomy", " n", 10, 4, "*"],
        [None, None, " d", 20, 8, "TFP"],
        [None, None, "%", 50, 50.5, None],
        [None, None, None, None, None, None],  # spacer row
        ["Timings", "Door to puncture", "median", "1:05", "-0:30", "n/a"],
    ]
    frame = parse_ssnap_thrombectomy(_workbook(tmp_path, rows), make_release(), SOURCE)
    assert len(frame) == 4 * 3
    team_a = frame[frame["team_name"] == "Team A"]
    assert team_a["trust_name"].tolist() == ["Trust A"] * 4
    assert team_a["value_numeric"].tolist() == [4.0, 8.0, 50.5, -30.0]
    team_b = frame[frame["team_name"] == "Team B"].set_index("data_type")
    assert team_b.loc["n", "value_text"] == "*" and pd.isna(team_b.loc["n", "value_numeric"])
    assert team_b.loc["d", "value_text"] == "TFP"
    assert pd.isna(team_b.loc["%", "value_text"])
    assert team_b.loc["median", "value_text"] == "n/a" and pd.isna(team_b.loc["median", "value_numeric"])
    national = frame[frame["is_national"]]
    assert national["value_numeric"].tolist() == [10.0, 20.0, 50.0, 65.0]
    assert national["source_row"].tolist() == [4, 5, 6, 8]
    assert set(national["source_column"]) == {"D"}
    assert frame.loc[frame["data_type"] == "d", "item"].unique().tolist() == ["Thrombectomy"]


def test_header_row_is_found_not_assumed(tmp_path):
    rows = [["A title row"], [None], *HEADER_ROWS, ["Thrombectomy", "Thrombectomy", "n", 10, 4, 6]]
    frame = parse_ssnap_thrombectomy(_workbook(tmp_path, rows), make_release(), SOURCE)
    assert frame["source_row"].unique().tolist() == [6]
    assert frame.loc[frame["team_name"] == "Team B", "network_name"].tolist() == ["North West"]


def test_missing_data_type_names_row_and_column(tmp_path):
    rows = [*HEADER_ROWS, ["Thrombectomy", "Thrombectomy", "n", 10, 4, 6], [None, None, None, 20, 8, 12]]
    with pytest.raises(ParseError) as exc:
        parse_ssnap_thrombectomy(_workbook(tmp_path, rows, name="nodt.xlsx"), make_release(), SOURCE)
    assert exc.value.row == 5 and exc.value.column == "C"
    assert "nodt.xlsx" in str(exc.value) and "Data Type" in str(exc.value)


def test_values_in_a_column_without_team_name(tmp_path):
    rows = [*HEADER_ROWS, ["Thrombectomy", "Thrombectomy", "n", 10, 4, 6, 99]]
    with pytest.raises(ParseError) as exc:
        parse_ssnap_thrombectomy(_workbook(tmp_path, rows), make_release(), SOURCE)
    assert exc.value.column == "G" and exc.value.row == 3


def test_no_header_row_is_an_error(tmp_path):
    rows = [["Category", "Items", "Type", "National"], ["Thrombectomy", "Thrombectomy", "n", 10]]
    with pytest.raises(
        ParseError, match="no sheet has a header row with Category, Items, Data Type, National"
    ):
        parse_ssnap_thrombectomy(_workbook(tmp_path, rows), make_release(), SOURCE)


def test_header_without_measures_is_an_error(tmp_path):
    with pytest.raises(ParseError, match="measure rows"):
        parse_ssnap_thrombectomy(_workbook(tmp_path, HEADER_ROWS), make_release(), SOURCE)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip")
    with pytest.raises(ParseError, match="broken.xlsx: expected an xlsx workbook"):
        parse_ssnap_thrombectomy(path, make_release(), SOURCE)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        parse_ssnap_thrombectomy(empty, make_release(), SOURCE)


def test_unknown_report_basis(tmp_path):
    rows = [[None], ["Some other report"], HEADER_ROWS[2], ["Thrombectomy", "Thrombectomy", "n", 10, 4, 6]]
    with pytest.raises(ParseError, match="report basis"):
        parse_ssnap_thrombectomy(_workbook(tmp_path, rows, sheet="Sheet9"), make_release(), SOURCE)


@pytest.mark.parametrize(
    ("text", "minutes"), [("0:20", 20.0), ("2:25", 145.0), ("-1:47", -107.0), ("12:05", 725.0)]
)
def test_hmm_to_minutes(text, minutes):
    assert hmm_to_minutes(text) == minutes


@pytest.mark.parametrize("text", ["2:5", "2:60", "abc", "1:2:3", ""])
def test_hmm_to_minutes_rejects(text):
    assert hmm_to_minutes(text) is None
