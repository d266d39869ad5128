import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.cancer_alliances import (
    CAL_LIST,
    NCL_PROVIDER_CAL,
    NCPES_SICBL_CAL,
    ONS_CCG_STP_CAL,
    parse_cancer_alliance_json,
    parse_ncl_provider_cancer_alliance,
    parse_ncpes_sicbl_cancer_alliance,
    parse_ons_ccg_stp_cancer_alliance,
)
from tests.unit.parsers.helpers import make_release, parsed

CCG = "ons_ccg_stp_cancer_alliance"
NCPES = "ncpes_sicbl_cancer_alliance"
CAL = "ons_cancer_alliances"
NCL = "ncl_provider_cancer_alliance"

CCG_HEADER = "\ufeffCCG21CD,CCG21CDH,CCG21NM,STP21CD,STP21CDH,STP21NM,CAL21CD,CAL21NM,FID"
CCG_ROW = (
    "E38000240,93C,NHS North Central London CCG,E54000028,QMJ,North London Partners in Health and Care,"
    "E56000027,North Central London,1"
)
NCPES_HEADER = (
    "\ufeffSub-ICB E Code,SICBL22CDH,SICBL22NM,ICB E code,ICB Code,ICB,Cancer Alliance Code,Cancer Alliance"
)
NCPES_ROW = (
    "E38000240,93C,NHS North Central London ICB - 93C,E54000028,QMJ,"
    "NHS North Central London Integrated Care Board,E56000027,North Central London Cancer Alliance"
)
NCL_HEADER = "ods_code,ods_name,cancer_alliance_name,cancer_alliance_code,notes"
NCL_ROW = "RAL,Royal Free London NHS Foundation Trust,North Central London Cancer Alliance,N99,"


def _csv(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines) + newline


# -- real bundled files ---------------------------------------------------------------------------------


def test_ons_ccg21_lookup():
    frame = parsed(CCG, "2021-04")
    assert tuple(frame.columns) == ONS_CCG_STP_CAL.output_columns
    assert len(frame) == 106
    assert frame["stp_ods_code"].nunique() == 42
    assert frame["cancer_alliance_ons_code"].nunique() == 21
    assert frame["source_row"].tolist() == list(range(2, 108))  # FID is dropped, the BOM stripped
    halton = frame.iloc[0]
    assert halton["ccg_ons_code"] == "E38000068"
    assert halton["ccg_ods_code"] == "01F"
    assert halton["ccg_name"] == "NHS Halton CCG"
    assert halton["stp_ods_code"] == "QYG"
    assert halton["cancer_alliance_name"] == "Cheshire and Merseyside"
    assert halton["lookup_date"] == pd.Timestamp("2021-04-01")
    assert halton["lookup_label"] == "April 2021"
    # April 2021 still had two East of England alliances; CAL24 has one.
    east = set(
        frame.loc[frame["cancer_alliance_name"].str.startswith("East of England"), "cancer_alliance_ons_code"]
    )
    assert east == {"E56000022", "E56000023"}


def test_ncpes_2022_mapping():
    frame = parsed(NCPES, "2022")
    assert tuple(frame.columns) == NCPES_SICBL_CAL.output_columns
    assert len(frame) == 106
    assert frame["icb_ods_code"].nunique() == 42
    assert frame["cancer_alliance_ons_code"].nunique() == 21
    assert frame["sicbl_ons_code"].str.startswith("E38").all()  # BOM stripped; CRLF line ends read
    bassetlaw = frame.set_index("sicbl_ods_code").loc["02Q"]
    assert bassetlaw["icb_ods_code"] == "QT1"
    assert bassetlaw["cancer_alliance_ons_code"] == "E56000024"
    assert bassetlaw["cancer_alliance_name"] == "East Midlands Cancer Alliance"
    assert bassetlaw["source_row"] == 4
    assert bassetlaw["lookup_label"] == "NCPES 2022 (v1.4)"
    assert "Lancashire & South Cumbria Cancer Alliance" in set(frame["cancer_alliance_name"])


def test_cal24_json():
    frame = parsed(CAL, "2024-04")
    assert tuple(frame.columns) == CAL_LIST.output_columns
    assert len(frame) == 20
    assert frame["source_row"].tolist() == list(range(1, 21))
    by_code = frame.set_index("cancer_alliance_ons_code")["cancer_alliance_name"]
    assert by_code["E56000005"] == "Cheshire and Merseyside"
    assert by_code["E56000035"] == "East of England"
    assert by_code["E56000033"] == "Somerset, Wiltshire, Avon and Gloucestershire"
    assert frame["lookup_date"].eq(pd.Timestamp("2024-04-01")).all()


def test_ncl_provider_mapping():
    frame = parsed(NCL, "2025")
    assert tuple(frame.columns) == NCL_PROVIDER_CAL.output_columns
    assert len(frame) == 205
    assert frame["cancer_alliance_code"].isna().sum() == 64  # non-acute trusts: no alliance
    assert frame["cancer_alliance_name"].isna().sum() == 64
    assert frame["cancer_alliance_code"].nunique() == 20  # one East of England alliance (L0S3P)
    rows = frame.set_index("provider_code")
    assert rows.loc["G6V2S", "provider_name"] == "North London NHS Foundation Trust"
    assert rows.loc["RD8", "cancer_alliance_code"] == "L0S3P"
    assert rows.loc["RD8", "notes"] == "Also partners with the Thames Valley Cancer Alliance"
    assert rows.loc["RJ1", "provider_name"] == "Guy\u2019s and St Thomas\u2019 NHS Foundation Trust"
    assert pd.isna(rows.loc["RJ1", "notes"])  # blank -> null, never ''
    assert rows.loc["R0B", "source_row"] == 2


# -- bad files ------------------------------------------------------------------------------------------


def test_renamed_column_names_expected_header(write_file):
    header = CCG_HEADER.replace("CAL21NM", "CAL21NAME")
    with pytest.raises(ParseError) as exc:
        parse_ons_ccg_stp_cancer_alliance(write_file("c.csv", _csv(header, CCG_ROW)), make_release(), CCG)
    assert exc.value.row == 1 and exc.value.column == "CAL21NM"
    assert "c.csv" in str(exc.value) and "CAL21NAME" in str(exc.value)


def test_wrong_field_count(write_file):
    with pytest.raises(ParseError) as exc:
        parse_ncpes_sicbl_cancer_alliance(
            write_file("n.csv", _csv(NCPES_HEADER, NCPES_ROW, NCPES_ROW + ",extra", newline="\r\n")),
            make_release(),
            NCPES,
        )
    assert exc.value.row == 3
    assert "expected 8 fields as in the header, found 9" in str(exc.value)


@pytest.mark.parametrize(
    ("bad", "column", "found"),
    [
        ("E38000240,93C", "E38000240,93c", "'93c'"),  # lower case
        ("E56000027", "E56 000027", "'E56 000027'"),  # not an ONS code
        ("E56000027", "E54000028", "'E54000028'"),  # an ICB code where an alliance code belongs
    ],
)
def test_bad_code_shape_names_row_and_column(write_file, bad, column, found):
    row = NCPES_ROW.replace(bad, column)
    with pytest.raises(ParseError) as exc:
        parse_ncpes_sicbl_cancer_alliance(write_file("n.csv", _csv(NCPES_HEADER, row)), make_release(), NCPES)
    assert exc.value.row == 2
    assert found in str(exc.value)
    assert exc.value.column in {"SICBL22CDH", "Cancer Alliance Code"}


def test_blank_required_name(write_file):
    row = CCG_ROW.replace("NHS North Central London CCG", " ")
    with pytest.raises(ParseError) as exc:
        parse_ons_ccg_stp_cancer_alliance(write_file("c.csv", _csv(CCG_HEADER, row)), make_release(), CCG)
    assert (exc.value.row, exc.value.column) == (2, "CCG21NM")
    assert "found a blank" in str(exc.value)


def test_header_only_and_empty_file(write_file):
    with pytest.raises(
        ParseError, match=r"h.csv: expected at least one of the Sub-ICB rows below the header"
    ):
        parse_ncpes_sicbl_cancer_alliance(write_file("h.csv", _csv(NCPES_HEADER)), make_release(), NCPES)
    with pytest.raises(ParseError, match=r"e.csv: the file is empty"):
        parse_ncpes_sicbl_cancer_alliance(write_file("e.csv", "\r\n"), make_release(), NCPES)


def test_release_without_period_start(write_file):
    with pytest.raises(ParseError, match="must declare period_start"):
        parse_ons_ccg_stp_cancer_alliance(
            write_file("c.csv", _csv(CCG_HEADER, CCG_ROW)), make_release(period_start=None), CCG
        )


def test_ncl_alliance_name_without_code(write_file):
    row = NCL_ROW.replace(",N99,", ",,")
    with pytest.raises(ParseError) as exc:
        parse_ncl_provider_cancer_alliance(
            write_file("p.csv", _csv(NCL_HEADER, NCL_ROW, row)), make_release(), NCL
        )
    assert (exc.value.row, exc.value.column) == (3, "cancer_alliance_code")


def test_ncl_non_acute_trust_has_no_alliance(write_file):
    row = "RRP,Barnet Enfield and Haringey Mental Health NHS Trust,,,"
    frame = parse_ncl_provider_cancer_alliance(
        write_file("p.csv", _csv(NCL_HEADER, row)), make_release(), NCL
    )
    assert frame.loc[0, ["cancer_alliance_name", "cancer_alliance_code", "notes"]].isna().all()


@pytest.mark.parametrize(
    ("text", "message", "row"),
    [
        ("", "the file is empty", None),
        ('["E56000005"]', "expected a JSON object of Cancer Alliance code -> name, found a JSON list", None),
        ("{}", "expected at least one Cancer Alliance", None),
        ('{"E56000005": "A",\n "E56000007": }', "not valid JSON: Expecting value (line 2", None),
        ('{"E56000005": "A", "E56000005": "B"}', "key 'E56000005' appears twice (entries 1 and 2)", 2),
        ('{"E56000005": "A", "E54000005": "B"}', "expected a Cancer Alliance ONS code (E56 and 6 digits)", 2),
        ('{"E56000005": ""}', "expected a value, found a blank", 1),
        ('{"E56000005": 5}', "expected text, found int 5", 1),
        ('{"E56000005": {"name": "A"}}', "found a nested JSON value", 1),
    ],
)
def test_bad_json(write_file, text, message, row):
    with pytest.raises(ParseError) as exc:
        parse_cancer_alliance_json(write_file("cal.json", text), make_release(), CAL)
    assert "cal.json" in str(exc.value) and message in str(exc.value)
    assert exc.value.row == row
