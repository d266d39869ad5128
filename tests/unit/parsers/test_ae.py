import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.ae import COLUMNS, OUTPUT_COLUMNS, parse_ae
from tests.unit.parsers.helpers import make_release, parsed, release_ids

SOURCE = "ae_monthly"
HEADER = ",".join(column.aliases[0] for column in COLUMNS)
COUNTS = ",".join(str(n) for n in range(10, 28))  # 18 counts: 10..27
ROW_RJ1 = f"MSitAE-APRIL-2025,RJ1,NHS ENGLAND LONDON ,GUY'S AND ST THOMAS' NHS FOUNDATION TRUST,{COUNTS}"
ROW_RCX = f'MSitAE-APRIL-2025,RCX,NHS ENGLAND EAST OF ENGLAND ,"THE QUEEN ELIZABETH HOSPITAL, KING\'S LYNN",{COUNTS}'
TOTAL = f"TOTAL,TOTAL,TOTAL,TOTAL,{COUNTS}"


def _csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("label", release_ids(SOURCE))
def test_every_release_parses_with_one_total_row(label):
    frame = parsed(SOURCE, label)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert 198 <= len(frame) <= 202
    assert frame["is_total_row"].sum() == 1
    assert frame["is_total_row"].iloc[-1]
    assert frame["period_label"].nunique() == 1
    assert frame["period_label"].iloc[0].startswith("MSitAE-")
    assert (frame["parent_org"] == frame["parent_org"].str.strip()).all()
    assert all(str(frame[c].dtype) == "Int64" for c in OUTPUT_COLUMNS[5:-1])
    assert frame["attendances_type_1"].notna().all()
    assert frame["source_row"].tolist() == list(range(2, len(frame) + 2))


def test_april_2025_total_row_is_flagged_and_kept():
    frame = parsed(SOURCE, "2025-04")
    total = frame[frame["is_total_row"]].iloc[0]
    assert total["org_code"] == "TOTAL"
    assert total["period_label"] == "MSitAE-APRIL-2025"  # the file's period, not the cell's 'TOTAL'
    assert total["attendances_type_1"] == 1354645
    assert total["other_emergency_admissions"] == 132267
    assert total["source_row"] == 200


def test_april_2025_real_provider_rows():
    frame = parsed(SOURCE, "2025-04").set_index("org_code")
    ndj = frame.loc["NDJ"]
    assert ndj["parent_org"] == "NHS ENGLAND SOUTH EAST"  # trailing space stripped
    assert ndj["org_name"] == "FIRST COMMUNITY HEALTH AND CARE CIC"
    assert ndj["attendances_other"] == 2350
    assert ndj["source_row"] == 2
    assert frame.loc["RCX", "org_name"] == "THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST"
    assert "NTV0B" in frame.index


def test_september_2024_extra_empty_columns_and_total_spelling():
    frame = parsed(SOURCE, "2024-09")
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    total = frame[frame["is_total_row"]].iloc[0]
    assert total["org_code"] == "Total"
    assert total["parent_org"] == "Total"  # published as 'Total ' (trailing space)
    assert total["attendances_type_1"] == 1335923
    assert frame["period_label"].eq("MSitAE-SEPTEMBER-2024").all()


def test_july_2024_title_case_total():
    frame = parsed(SOURCE, "2024-07")
    assert frame.loc[frame["is_total_row"], "org_code"].tolist() == ["Total"]


def test_inline_file_parses(write_file):
    frame = parse_ae(write_file("ok.csv", _csv(HEADER, ROW_RJ1, ROW_RCX, TOTAL)), make_release(), SOURCE)
    assert frame["is_total_row"].tolist() == [False, False, True]
    assert frame.loc[1, "org_name"] == "THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN"
    assert frame.loc[0, "attendances_type_1"] == 10 and frame.loc[0, "other_emergency_admissions"] == 27


def test_trailing_column_with_a_value_is_an_error(write_file):
    path = write_file("extra.csv", _csv(HEADER + ",,", ROW_RJ1 + ",,", ROW_RCX + ",,oops"))
    with pytest.raises(ParseError) as exc:
        parse_ae(path, make_release(), SOURCE)
    assert exc.value.row == 3
    assert "'oops'" in str(exc.value) and "extra.csv" in str(exc.value)


def test_non_numeric_count_names_row_and_column(write_file):
    bad = ROW_RCX.replace(",10,11,", ",10,eleven,")
    with pytest.raises(ParseError) as exc:
        parse_ae(write_file("text.csv", _csv(HEADER, ROW_RJ1, bad)), make_release(), SOURCE)
    assert exc.value.row == 3
    assert exc.value.column == "A&E attendances Type 2"
    assert "'eleven'" in str(exc.value) and "whole number" in str(exc.value)


def test_markers_and_blanks_become_null(write_file):
    row = ROW_RJ1.replace(",10,11,12,", ",*,,-,")
    frame = parse_ae(write_file("markers.csv", _csv(HEADER, row)), make_release(), SOURCE)
    assert frame.loc[0, ["attendances_type_1", "attendances_type_2", "attendances_other"]].isna().all()


def test_missing_column_names_expected_header(write_file):
    header = HEADER.replace("Attendances over 4hrs Type 1", "Breaches Type 1")
    with pytest.raises(ParseError) as exc:
        parse_ae(write_file("renamed.csv", _csv(header, ROW_RJ1)), make_release(), SOURCE)
    assert exc.value.column == "Attendances over 4hrs Type 1"
    assert "'Breaches Type 1'" in str(exc.value)


def test_two_periods_in_one_file_is_an_error(write_file):
    other = ROW_RCX.replace("APRIL", "MAY")
    with pytest.raises(ParseError, match="one period"):
        parse_ae(write_file("mixed.csv", _csv(HEADER, ROW_RJ1, other)), make_release(), SOURCE)


def test_header_only_is_an_error(write_file):
    with pytest.raises(ParseError, match="header_only.csv.*provider rows"):
        parse_ae(write_file("header_only.csv", _csv(HEADER)), make_release(), SOURCE)


def test_total_row_spellings(write_file):
    rows = [TOTAL.replace("TOTAL", "Total"), TOTAL.replace("TOTAL,TOTAL", "Total ,Total ", 1)]
    for index, row in enumerate(rows):
        frame = parse_ae(write_file(f"t{index}.csv", _csv(HEADER, ROW_RJ1, row)), make_release(), SOURCE)
        assert frame["is_total_row"].tolist() == [False, True]
        assert not pd.isna(frame.loc[1, "period_label"])
