import pandas as pd
import pytest
from openpyxl import Workbook

from orchestration.parsers import ParseError
from orchestration.parsers.ssnap_org import OUTPUT_COLUMNS, parse_ssnap_org_audit
from tests.unit.parsers.helpers import make_release, parsed

SOURCE = "ssnap_org_audit"
ROYAL_LONDON = "Barts Health NHS Trust (Royal London Hospital)"
NEWHAM = "Barts Health NHS Trust (Newham University Hospital)"


def _answers(frame, site):
    rows = frame[frame["site_name"].eq(site)]
    return rows.set_index("source_row")


def _workbook(tmp_path, rows, name="org.xlsx", sheet="Key Indicators Summary"):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


HEADER_ROWS = [
    ["Key Indicators", None, "ISDN", "London", "Wales"],
    [None, None, "Trust name", "Trust A", "Hywel Dda Health Board"],
    [None, None, "Site name", "Trust A (Site A)", "Site B"],
    [None, None, "Hospital names:", "Hospital A", "Hospital B"],
    [None, None, None, "Hospital A SU", None],
    ["Key indicator", "Response required to meet indicator", "National Results", None, None],
]


def test_real_file_has_157_sites_plus_the_thrombectomy_only_service():
    frame = parsed(SOURCE, "2021")
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert frame["site_name"].nunique() == 158
    assert len(frame) == 158 * 35
    assert not frame.duplicated(["site_name", "source_row"]).any()
    assert frame.groupby("row_kind")["source_row"].nunique().to_dict() == {
        "total": 1,
        "key_indicator": 10,
        "supporting": 24,
    }
    # Walton Centre answered only the thrombectomy questions: every cell here is blank
    walton = frame[frame["site_name"].eq("Walton Centre NHS Foundation Trust")]
    assert len(walton) == 35 and walton["value_text"].isna().all()
    sites = frame.drop_duplicates("site_name")
    assert sites["isdn_name"].isin(["Wales", "Northern Ireland", "Islands"]).sum() == 21
    assert set(frame.loc[frame["row_kind"].eq("key_indicator"), "value_text"].dropna()) == {"Yes", "No"}
    assert frame["period_start"].eq(pd.Timestamp("2021-10-01")).all()
    assert set(frame["period_label"]) == {"1 October 2021"}


def test_real_file_royal_london_answers():
    site = _answers(parsed(SOURCE, "2021"), ROYAL_LONDON)
    assert site.loc[9, ["row_kind", "value_numeric", "source_column"]].tolist() == ["total", 5, "F"]
    assert site.loc[9, "item"].startswith("Total Key Indicators Achieved")
    assert site.loc[11, "value_text"] == "Yes" and site.loc[11, "key_indicator"] == 1
    assert site.loc[11, "item"].startswith("Key Indicator 1: Minimum establishment of band 6 and band 7")
    assert site.loc[11, "national_result"] == "46% (72/157)"
    assert site.loc[12, ["item", "value_numeric"]].tolist() == ["Band 6 nurses WTE per 10 beds", 2.85]
    assert site.loc[14, "value_text"] == "No"  # KI 2: no clinical psychologist
    assert site.loc[23, "value_text"] == "Not Applicable" and pd.isna(site.loc[23, "value_numeric"])
    assert site.loc[9, "trust_name"] == "Barts Health NHS Trust"
    assert site.loc[9, "isdn_name"] == "London"
    assert site.loc[9, "hospital_names"] == "Royal London Hospital HASU; Royal London Hospital SU"
    assert site.loc[19, "question"].startswith("1.8. Do you have stroke specialist nurses")
    assert not site["assigned_from_other_site"].any()


def test_real_file_assigned_answers_lose_their_prefix():
    frame = parsed(SOURCE, "2021")
    newham = _answers(frame, NEWHAM)
    assert newham.loc[17, ["value_text", "assigned_from_other_site"]].tolist() == ["Yes", True]
    assert newham.loc[21, ["value_text", "value_numeric"]].tolist() == ["3.33", 3.33]
    assert not newham.loc[11, "assigned_from_other_site"]
    assert frame.loc[frame["assigned_from_other_site"], "site_name"].nunique() == 24
    assert not frame["value_text"].str.contains("first 72h|_x000D_", na=False).any()


def test_inline_workbook_sections_questions_and_total(tmp_path):
    rows = [
        *HEADER_ROWS,
        ["Total Key Indicators Achieved", None, "0: 1%", 7, 3],
        ["Staffing", None, None, None, None],
        [
            1,
            "Key Indicator 1: nurses",
            "46%",
            "Yes",
            "At site treating your patients during the first 72h:_x000D_\n No",
        ],
        [None, "1.8. A question?", " ", None, None],
        [None, "Out of hours", "76%", "Yes", None],
    ]
    frame = parse_ssnap_org_audit(_workbook(tmp_path, rows), make_release(), SOURCE)
    assert len(frame) == 6
    b = frame[frame["site_name"].eq("Site B")].set_index("source_row")
    assert b.loc[9, ["section", "key_indicator", "value_text", "assigned_from_other_site"]].tolist() == [
        "Staffing", 1, "No", True,
    ]  # fmt: skip
    assert b.loc[11, "question"] == "1.8. A question?" and pd.isna(b.loc[11, "value_text"])
    assert frame["hospital_names"].tolist()[0] == "Hospital A; Hospital A SU"


def test_missing_sheet_names_the_file(tmp_path):
    path = _workbook(tmp_path, HEADER_ROWS, name="renamed.xlsx", sheet="Summary")
    with pytest.raises(ParseError, match="renamed.xlsx.*expected a sheet named 'Key Indicators Summary'"):
        parse_ssnap_org_audit(path, make_release(), SOURCE)


def test_missing_site_labels(tmp_path):
    rows = [["Key Indicators", None, "Network", "London"], *HEADER_ROWS[1:]]
    with pytest.raises(ParseError, match="ISDN, Trust name, Site name"):
        parse_ssnap_org_audit(_workbook(tmp_path, rows), make_release(), SOURCE)


def test_values_in_a_column_without_site_name(tmp_path):
    rows = [*HEADER_ROWS, [1, "Key Indicator 1", "46%", "Yes", "No", "Yes"]]
    with pytest.raises(ParseError) as exc:
        parse_ssnap_org_audit(_workbook(tmp_path, rows), make_release(), SOURCE)
    assert exc.value.column == "F" and exc.value.row == 3
    assert "org.xlsx" in str(exc.value)


def test_unexpected_text_in_column_a_names_row_and_column(tmp_path):
    rows = [*HEADER_ROWS, ["Key indicator one", "nurses", "46%", "Yes", "No"]]
    with pytest.raises(ParseError) as exc:
        parse_ssnap_org_audit(_workbook(tmp_path, rows, name="bad.xlsx"), make_release(), SOURCE)
    assert exc.value.row == 7 and exc.value.column == "A"
    assert "bad.xlsx" in str(exc.value) and "section heading" in str(exc.value)


def test_header_without_indicators_is_an_error(tmp_path):
    with pytest.raises(ParseError, match="indicator rows below the header row"):
        parse_ssnap_org_audit(_workbook(tmp_path, HEADER_ROWS), make_release(), SOURCE)
    with pytest.raises(ParseError, match="'Key indicator' in column A"):
        parse_ssnap_org_audit(_workbook(tmp_path, HEADER_ROWS[:5]), make_release(), SOURCE)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip")
    with pytest.raises(ParseError, match="broken.xlsx: expected an xlsx workbook"):
        parse_ssnap_org_audit(path, make_release(), SOURCE)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        parse_ssnap_org_audit(empty, make_release(), SOURCE)
