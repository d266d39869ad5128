import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.ae import COLUMNS, COUNT_COLUMNS, OUTPUT_COLUMNS, parse_ae
from tests.unit.parsers.helpers import PROJECT_ROOT, make_release, parsed, release_ids, source

SOURCE = "ae_monthly"
CSV_RELEASES = [
    label for label in release_ids(SOURCE) if source(SOURCE).release_by_label(label).format is None
]
HEADER = ",".join(column.aliases[0] for column in COLUMNS)
COUNTS = ",".join(str(n) for n in range(10, 28))  # 18 counts: 10..27
ROW_RJ1 = f"MSitAE-APRIL-2025,RJ1,NHS ENGLAND LONDON ,GUY'S AND ST THOMAS' NHS FOUNDATION TRUST,{COUNTS}"
ROW_RCX = f'MSitAE-APRIL-2025,RCX,NHS ENGLAND EAST OF ENGLAND ,"THE QUEEN ELIZABETH HOSPITAL, KING\'S LYNN",{COUNTS}'
TOTAL = f"TOTAL,TOTAL,TOTAL,TOTAL,{COUNTS}"


def _csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("label", CSV_RELEASES)
def test_every_csv_release_parses_with_one_total_row(label):
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


# --------------------------------------------------------------------------------------------------
# December 2019: the older provider workbook (.xls), same raw columns

XLS = PROJECT_ROOT / "data/snapshots/ae_monthly/legacy_monthly_AE_2019-12_Maglehoj.xls"
LACKING = [
    f"{measure}_booked_{kind}"
    for measure in ("attendances", "over_4hrs")
    for kind in ("type_1", "type_2", "other")
]
LACKING.append("dta_wait_4_12_hrs")


def xls_release():
    return make_release(format="xls")


def test_the_only_xls_release_is_december_2019():
    assert [label for label in release_ids(SOURCE) if label not in CSV_RELEASES] == ["2019-12"]
    assert source(SOURCE).format_of(source(SOURCE).release_by_label("2019-12")) == "xls"


def test_december_2019_workbook_gives_the_csv_columns():
    frame = parsed(SOURCE, "2019-12")
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert all(str(frame[c].dtype) == "Int64" for c in OUTPUT_COLUMNS[5:-1])
    assert len(frame) == 231  # England + 230 providers
    assert frame["period_label"].eq("MSitAE-DECEMBER-2019").all()  # from 'Period: December 2019'
    assert frame["source_row"].iloc[[0, 1, -1]].tolist() == [17, 19, 248]  # row 18 is a blank spacer
    assert frame["org_code"].is_unique
    # measures the 2019 layout does not publish are NULL, never 0
    assert frame[LACKING].isna().all().all()
    published = [c.output for c in COUNT_COLUMNS if c.output not in LACKING]
    assert frame.loc[~frame["org_code"].isin(FIELD_TEST_TRUSTS), published].notna().all().all()


FIELD_TEST_TRUSTS = [
    "RGT",
    "RC9",
    "RGR",
    "RQM",
    "RYJ",
    "RNQ",
    "RX1",
    "RXF",
    "RVW",
    "RFR",
    "RDU",
    "RHU",
    "RD3",
    "RK9",
]


def test_december_2019_real_trust_values():
    frame = parsed(SOURCE, "2019-12").set_index("org_code")
    rtk = frame.loc["RTK"]
    assert rtk["org_name"] == "Ashford And St Peter's Hospitals NHS Foundation Trust"
    assert rtk["parent_org"] == "NHS England South East"  # trailing space stripped
    assert (rtk["attendances_type_1"], rtk["over_4hrs_type_1"]) == (9909, 2603)  # 73.7% in 4 hours
    assert (rtk["dta_wait_12_plus_hrs"], rtk["emergency_admissions_type_1"], rtk["source_row"]) == (
        2,
        1947,
        181,
    )
    rde = frame.loc["RDE"]
    assert (rde["attendances_other"], rde["over_4hrs_other"], rde["other_emergency_admissions"]) == (
        6392,
        229,
        2017,
    )
    assert frame.loc["Y00751", "attendances_other"] == 5507  # a walk-in centre with a practice-style code


def test_december_2019_trusts_without_4_hour_figures_are_null_not_zero():
    frame = parsed(SOURCE, "2019-12").set_index("org_code")
    over = ["over_4hrs_type_1", "over_4hrs_type_2", "over_4hrs_other"]
    assert sorted(frame.index[frame[over].isna().all(axis=1)]) == sorted(FIELD_TEST_TRUSTS)
    rgt = frame.loc["RGT"]  # Cambridge University Hospitals: '-' in every 4-hour cell
    assert rgt["attendances_type_1"] == 9970 and pd.isna(rgt["over_4hrs_type_1"])


def test_december_2019_england_row_is_the_flagged_total():
    frame = parsed(SOURCE, "2019-12")
    assert frame["is_total_row"].tolist() == [True] + [False] * 230
    england = frame.iloc[0]
    assert (england["org_code"], england["parent_org"], england["org_name"]) == ("-", "-", "England")
    assert (england["attendances_type_1"], england["over_4hrs_type_1"]) == (1373654, 381159)
    assert england["other_emergency_admissions"] == 136161
    # the England row is the sum of the provider rows in every published count
    providers = frame[~frame["is_total_row"]]
    for column in (
        "attendances_type_1",
        "over_4hrs_type_1",
        "dta_wait_12_plus_hrs",
        "emergency_admissions_other",
    ):
        assert providers[column].sum() == england[column]


def _patched(tmp_path, name: str, old: bytes, new: bytes):
    """A copy of the real workbook with one string changed in place (same length, so still valid BIFF)."""
    assert len(old) == len(new)
    data = XLS.read_bytes()
    assert old in data
    path = tmp_path / name
    path.write_bytes(data.replace(old, new))
    return path


def test_xls_with_a_renamed_column_names_sheet_row_and_expected_header(tmp_path):
    path = _patched(tmp_path, "renamed.xls", b">12 hours from decision", b">24 hours from decision")
    with pytest.raises(ParseError) as exc:
        parse_ae(path, xls_release(), SOURCE)
    message = str(exc.value)
    assert "renamed.xls, sheet 'Provider Level Data'" in message and exc.value.row == 16
    assert "Number of patients spending >12 hours from decision to admit to admission" in exc.value.column
    assert ">24 hours" in message  # the unknown header found is shown


def test_xls_without_the_provider_sheet(tmp_path):
    path = _patched(tmp_path, "nosheet.xls", b"Provider Level Data", b"Provider Level Dat2")
    with pytest.raises(
        ParseError, match="nosheet.xls.*expected a sheet named 'Provider Level Data', found sheets"
    ):
        parse_ae(path, xls_release(), SOURCE)


def test_xls_with_an_unreadable_period(tmp_path):
    path = _patched(tmp_path, "period.xls", b"December 2019", b"Dekember 2019")
    with pytest.raises(ParseError) as exc:
        parse_ae(path, xls_release(), SOURCE)
    assert (exc.value.row, exc.value.column) == (6, "C") and "'Dekember 2019'" in str(exc.value)


def test_xls_text_in_a_count_names_row_and_column(tmp_path):
    # the shared string '-' (England's code and every 4-hour cell of the field-test trusts) becomes '?'
    path = _patched(
        tmp_path, "marker.xls", b"\x01\x00\x00-\x07\x00\x00Status:", b"\x01\x00\x00?\x07\x00\x00Status:"
    )
    with pytest.raises(ParseError) as exc:
        parse_ae(path, xls_release(), SOURCE)
    assert exc.value.row == 21  # Cambridge (RGT): the first '?' in a count
    assert exc.value.column.startswith("M (A&E attendances greater than 4 hours")
    assert "'?'" in str(exc.value)


def test_xls_england_row_must_be_named_england(tmp_path):
    path = _patched(tmp_path, "england.xls", b"\x07\x00\x00England", b"\x07\x00\x00Englanx")
    with pytest.raises(ParseError, match="row 17.*code '-' marks the England row, but the name is 'Englanx'"):
        parse_ae(path, xls_release(), SOURCE)


def test_broken_or_mislabelled_xls(tmp_path):
    truncated = tmp_path / "truncated.xls"
    truncated.write_bytes(XLS.read_bytes()[:4096])
    with pytest.raises(ParseError, match="truncated.xls.*expected an .xls workbook, could not open it"):
        parse_ae(truncated, xls_release(), SOURCE)
    not_xls = tmp_path / "not_xls.xls"
    not_xls.write_text(_csv(HEADER, ROW_RJ1))
    with pytest.raises(ParseError, match="declares this release as xls.*OLE2 signature"):
        parse_ae(not_xls, xls_release(), SOURCE)
    # an .xls given to a release declared csv (the source's format) is refused with the fix
    with pytest.raises(ParseError, match="give the release `format: xls`"):
        parse_ae(XLS, make_release(), SOURCE)
