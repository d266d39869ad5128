from datetime import date

import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.rtt import COLUMNS, IGNORED, OUTPUT_COLUMNS, parse_rtt_full_extract
from tests.unit.parsers.helpers import make_release, parsed

SOURCE = "rtt"
JUNE = make_release(period_start=date(2024, 6, 1), period_end=date(2024, 6, 30), period_label="June 2024")
# The publisher's full extract: every band from Gt 00 To 01 (the bundled subset starts at 51).
LOWER_BANDS = [f"Gt {w:02d} To {w + 1:02d} Weeks SUM 1" for w in range(51)]
FULL_HEADER = [c.aliases[0] for c in COLUMNS[:13]] + LOWER_BANDS + [c.aliases[0] for c in COLUMNS[13:]]
TEXT = (
    "RTT-June-2024,QE1,NHS LANCASHIRE AND SOUTH CUMBRIA INTEGRATED CARE BOARD,RTX,"
    "UNIVERSITY HOSPITALS OF MORECAMBE BAY NHS FOUNDATION TRUST,QE1,"
    '"NHS LANCASHIRE AND SOUTH CUMBRIA INTEGRATED CARE BOARD",00Q,NHS BLACKBURN WITH DARWEN (SUB ICB LOCATION),'
    "Part_2,Incomplete Pathways,{tf},{tf_name}"
)


def _row(tf="C_110", tf_name="Trauma and Orthopaedic Service", lower="1", band_51="", over_52=("", "4"),
         totals=("12", "", "12"), text=TEXT) -> str:  # fmt: skip
    """One full-extract CSV row: 51 lower bands, the 51-52 band, 53 bands over 52 weeks, 3 totals."""
    bands = [over_52[0], over_52[1], *([""] * 51)]
    return ",".join([text.format(tf=tf, tf_name=tf_name), *([lower] * 51), band_51, *bands, *totals])


def _csv(write_file, *rows: str, header=None, name="extract.csv"):
    lines = [",".join(header or FULL_HEADER), *rows]
    return write_file(name, "\r\n".join(lines) + "\r\n")


def _parse(path, release=JUNE):
    return parse_rtt_full_extract(path, release, SOURCE)


@pytest.fixture(scope="module")
def june():
    return parsed(SOURCE, "2024-06")


def test_bundled_subset_parses_to_the_contract(june):
    assert tuple(june.columns) == OUTPUT_COLUMNS
    assert len(june) == 65_535  # truncated at 65,536 sheet rows, header included
    assert june["source_row"].tolist() == list(range(2, 65_537))
    assert set(june["period_label"]) == {"RTT-June-2024"}
    assert set(june["period_start"]) == {pd.Timestamp("2024-06-01")}
    assert set(june["period_end"]) == {pd.Timestamp("2024-06-30")}
    assert june["provider_org_code"].nunique() == 164
    assert june["provider_parent_org_code"].nunique() == 16
    assert all(str(june[c].dtype) == "Int64" for c in OUTPUT_COLUMNS[15:20])


def test_first_row_and_a_row_with_blank_bands(june):
    first = june.iloc[0]
    assert (first["provider_org_code"], first["provider_org_name"]) == ("A4M8P", "BUCKSHAW HOSPITAL")
    assert (first["commissioner_org_code"], first["rtt_part_type"], first["treatment_function_code"]) == (
        "00Q", "Part_1A", "C_100",
    )  # fmt: skip
    assert (first["total"], first["patients_with_unknown_clock_start"], first["total_all"]) == (2, 0, 2)
    # RTX, 00Q, incomplete T&O: one pathway at 57-58 weeks, every other band blank
    row = june[june["source_row"] == 3047].iloc[0]
    assert (row["provider_org_code"], row["treatment_function_code"]) == ("RTX", "C_110")
    assert pd.isna(row["gt_51_to_52_weeks"])
    assert row["waits_over_52_weeks"] == 1
    assert pd.isna(row["total"]) and row["total_all"] == 3


def test_incomplete_pathways_have_only_total_all(june):
    incomplete = june[june["rtt_part_type"] == "Part_2"]
    assert incomplete["total"].isna().all()
    assert incomplete["patients_with_unknown_clock_start"].isna().all()
    assert incomplete["total_all"].notna().all()
    totals = incomplete[incomplete["treatment_function_code"] == "C_999"].groupby("provider_org_code")
    rtx = totals[["waits_over_52_weeks", "total_all"]].sum().loc["RTX"]
    assert (rtx["waits_over_52_weeks"], rtx["total_all"]) == (400, 31_309)


def test_c_999_is_the_total_of_its_group(june):
    group = june[
        (june["provider_org_code"] == "R1H")
        & (june["commissioner_org_code"] == "A3A8R")
        & (june["rtt_part_type"] == "Part_2")
    ]
    total = group[group["treatment_function_code"] == "C_999"]
    assert len(total) == 1 and total["treatment_function_name"].iloc[0] == "Total"
    specialties = group[group["treatment_function_code"] != "C_999"]
    assert specialties["total_all"].sum() == total["total_all"].iloc[0]
    assert (
        specialties["waits_over_52_weeks"].fillna(0).sum() == total["waits_over_52_weeks"].fillna(0).iloc[0]
    )


def test_truncation_cuts_the_last_provider_without_its_total_row(june):
    last = june.iloc[-1]
    assert (last["provider_org_code"], last["commissioner_org_code"], last["rtt_part_type"]) == (
        "RF4", "91Q", "Part_2",
    )  # fmt: skip
    assert last["treatment_function_code"] == "X05" and last["source_row"] == 65_536
    cut = june[
        (june["provider_org_code"] == "RF4") & (june["commissioner_org_code"] == "91Q")
        & (june["rtt_part_type"] == "Part_2")
    ]  # fmt: skip
    assert "C_999" not in set(cut["treatment_function_code"])


def test_non_contracted_commissioner_has_no_parent_or_name(june):
    nonc = june[june["commissioner_org_code"] == "NONC"]
    assert len(nonc) == 994
    assert (
        nonc[["commissioner_parent_org_code", "commissioner_parent_name", "commissioner_org_name"]]
        .isna()
        .all()
        .all()
    )


def test_publisher_csv_with_every_band_parses(write_file):
    assert set(LOWER_BANDS) <= set(IGNORED)  # known and dropped: the 18-week bands are not kept
    path = _csv(write_file, _row(), _row(tf="C_999", tf_name="Total", band_51="2", over_52=("3", "")))
    frame = _parse(path)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert frame["waits_over_52_weeks"].tolist() == [4, 3]  # blank bands count as none
    assert frame["gt_51_to_52_weeks"].tolist()[1] == 2 and pd.isna(frame["gt_51_to_52_weeks"].iloc[0])
    assert (
        frame["commissioner_parent_name"].iloc[0] == "NHS LANCASHIRE AND SOUTH CUMBRIA INTEGRATED CARE BOARD"
    )
    assert frame["total_all"].tolist() == [12, 12] and frame["source_row"].tolist() == [2, 3]


def test_every_band_over_52_weeks_blank_gives_null(write_file):
    frame = _parse(_csv(write_file, _row(over_52=("", ""))))
    assert pd.isna(frame["waits_over_52_weeks"].iloc[0])


def test_missing_total_all_column(write_file):
    header = FULL_HEADER[:-1]
    path = _csv(write_file, _row()[: _row().rfind(",")], header=header)
    with pytest.raises(ParseError) as exc:
        _parse(path)
    assert exc.value.row == 1 and exc.value.column == "Total All"
    assert "extract.csv" in str(exc.value) and "required column 'Total All' is missing" in str(exc.value)


def test_unknown_column(write_file):
    header = [*FULL_HEADER, "Gt 18 Weeks Percent"]
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row() + ",", header=header))
    assert exc.value.column == "Gt 18 Weeks Percent" and exc.value.row == 1


def test_suppression_marker_in_a_band_is_an_error(write_file):
    path = _csv(write_file, _row(), _row(over_52=("*", "4")))
    with pytest.raises(ParseError) as exc:
        _parse(path)
    assert exc.value.row == 3 and exc.value.column == "Gt 52 To 53 Weeks SUM 1"
    assert "expected a whole number or a blank, found '*'" in str(exc.value)


def test_bad_provider_code(write_file):
    path = _csv(write_file, _row(text=TEXT.replace(",RTX,", ",rtx 1,")))
    with pytest.raises(ParseError) as exc:
        _parse(path)
    assert exc.value.row == 2 and exc.value.column == "Provider Org Code"
    assert "expected an ODS code" in str(exc.value)


def test_blank_treatment_function(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(tf="")))
    assert exc.value.row == 2 and exc.value.column == "Treatment Function Code"


def test_wrong_field_count(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(), _row() + ",7"))
    assert exc.value.row == 3 and f"expected {len(FULL_HEADER)} fields" in str(exc.value)


def test_period_not_the_release_month(write_file):
    path = _csv(write_file, _row(text=TEXT.replace("RTT-June-2024", "RTT-July-2024")))
    with pytest.raises(ParseError) as exc:
        _parse(path)
    assert exc.value.row == 2 and exc.value.column == "Period"
    assert "'RTT-July-2024' is not the release's month (June 2024" in str(exc.value)


def test_unreadable_period(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(_csv(write_file, _row(text=TEXT.replace("RTT-June-2024", "June 2024"))))
    assert exc.value.row == 2 and "expected a period such as 'RTT-June-2024'" in str(exc.value)


def test_release_without_period_end(write_file):
    release = make_release(period_start=date(2024, 6, 1), period_end=None)
    with pytest.raises(ParseError, match="must declare period_end"):
        _parse(_csv(write_file, _row()), release)


def test_empty_files(write_file):
    with pytest.raises(ParseError, match="the file is empty"):
        _parse(write_file("empty.csv", b""))
    with pytest.raises(ParseError, match="rows below the header"):
        _parse(_csv(write_file))


def test_damaged_workbook_and_unknown_suffix(write_file):
    with pytest.raises(ParseError) as exc:
        _parse(write_file("extract.xlsb", b"PK\x03\x04 not really a workbook"))
    assert "extract.xlsb" in str(exc.value) and "expected an xlsb workbook" in str(exc.value)
    with pytest.raises(ParseError, match=r"expected an \.xlsb workbook or a \.csv file, found a \.xlsx file"):
        _parse(write_file("extract.xlsx", b"PK\x03\x04"))
