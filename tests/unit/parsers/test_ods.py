import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.ods import (
    EPRACCUR_OUTPUT_COLUMNS,
    ETR_OUTPUT_COLUMNS,
    SUCC_OUTPUT_COLUMNS,
    parse_epraccur,
    parse_etr,
    parse_succ,
)
from tests.unit.parsers.helpers import make_release, parsed, release_ids

ETR = "ods_etr"
SUCC = "ods_succ"
EPRACCUR = "ods_epraccur"
ETR_ROW = (
    '"RYY","KENT COMMUNITY HEALTH NHS FOUNDATION TRUST","Y59","QKS","TRINITY HOUSE","110-120 EUREKA PARK",'
    '"EUREKA BUSINESS PARK","ASHFORD","KENT","TN25 4AZ","20101101","","","","","","","","","","","0","","J","","",""'
)
ETR_ROW_2 = ETR_ROW.replace('"RYY"', '"R0A"').replace('"20101101"', '"20171001"')


def _csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("label", "rows", "first_line"),
    [("2016", 239, 2), ("2021", 228, 2), ("2023-12", 218, 2), ("2025-07", 210, 1)],
)
def test_every_etr_vintage_parses(label, rows, first_line):
    frame = parsed(ETR, label)
    assert label in release_ids(ETR)
    assert tuple(frame.columns) == ETR_OUTPUT_COLUMNS
    assert len(frame) == rows
    assert frame["source_row"].iloc[0] == first_line  # header lines are skipped, not parsed as trusts
    assert frame["org_code"].str.fullmatch(r"[A-Z0-9]{3,5}").all()
    assert frame["open_date"].notna().all()
    assert str(frame["open_date"].dtype).startswith("datetime64")
    assert frame["vintage_date"].nunique() == 1


def test_etr_2025_headerless_g6v2s():
    frame = parsed(ETR, "2025-07")
    g6v2s = frame.iloc[0]
    assert g6v2s["org_code"] == "G6V2S"
    assert g6v2s["org_name"] == "NORTH LONDON NHS FOUNDATION TRUST"
    assert g6v2s["national_grouping"] == "Y56"
    assert g6v2s["high_level_health_geography"] == "QMJ"
    assert g6v2s["postcode"] == "NW1 0PE"
    assert g6v2s["open_date"] == pd.Timestamp("2024-11-01")
    assert pd.isna(g6v2s["close_date"])
    assert g6v2s["vintage_date"] == pd.Timestamp("2025-07-01")
    assert g6v2s["source_row"] == 1


def test_etr_2016_headered_vintage():
    frame = parsed(ETR, "2016").set_index("org_code")
    assert frame.loc["R1A", "org_name"] == "WORCESTERSHIRE HEALTH AND CARE NHS TRUST"
    assert frame.loc["R1A", "source_row"] == 2
    assert frame.loc["RYY", "national_grouping"] == "Y57"
    assert frame.loc["RYY", "high_level_health_geography"] == "Q81"
    assert frame.loc["RYY", "postcode"] == "ME16 9NT"
    assert frame["close_date"].notna().sum() == 2
    assert "organisation_code" not in frame.index


def test_etr_same_trust_across_vintages():
    assert parsed(ETR, "2021").set_index("org_code").loc["RYY", "high_level_health_geography"] == "QKS"
    assert parsed(ETR, "2023-12").set_index("org_code").loc["R0A", "national_grouping"] == "Y62"


def test_etr_bad_date_names_row_and_column(write_file):
    path = write_file("etr.csv", _csv(ETR_ROW, ETR_ROW_2.replace('"20171001"', '"2017-10-01"')))
    with pytest.raises(ParseError) as exc:
        parse_etr(path, make_release(), ETR)
    assert exc.value.row == 2
    assert exc.value.column == "Open Date (column 11)"
    assert "YYYYMMDD" in str(exc.value) and "'2017-10-01'" in str(exc.value) and "etr.csv" in str(exc.value)


def test_etr_too_few_fields(write_file):
    with pytest.raises(ParseError, match=r"etr.csv, row 2: expected at least 12 fields"):
        parse_etr(write_file("etr.csv", _csv(ETR_ROW, '"R0A","MANCHESTER","Y62"')), make_release(), ETR)


def test_etr_header_detected_and_skipped(write_file):
    header = ",".join(f'"Column {i}"' for i in range(1, 28))
    frame = parse_etr(write_file("etr.csv", _csv(header, ETR_ROW)), make_release(), ETR)
    assert frame["org_code"].tolist() == ["RYY"]
    assert frame["source_row"].tolist() == [2]


@pytest.mark.parametrize("content", ["", "\r\n", _csv('"Organisation Code","Name"' + ",x" * 12)])
def test_etr_empty(write_file, content):
    with pytest.raises(ParseError, match="etr.csv"):
        parse_etr(write_file("etr.csv", content), make_release(), ETR)


def test_etr_needs_release_period_start(write_file):
    with pytest.raises(ParseError, match="period_start"):
        parse_etr(write_file("etr.csv", _csv(ETR_ROW)), make_release(period_start=None, period_end=None), ETR)


def test_succ_parses_with_splits_and_mergers():
    frame = parsed(SUCC, release_ids(SUCC)[0])
    assert tuple(frame.columns) == SUCC_OUTPUT_COLUMNS
    assert len(frame) == 11537
    rw6 = frame[frame["predecessor_code"] == "RW6"]
    assert sorted(rw6["successor_code"]) == ["R0A", "RM3"]
    assert (rw6["effective_date"] == pd.Timestamp("2021-10-01")).all()
    assert rw6["source_row"].tolist() == [9772, 9773]
    rap = frame[frame["predecessor_code"] == "RAP"].iloc[0]
    assert rap["successor_code"] == "RAL" and rap["effective_date"] == pd.Timestamp("2025-01-01")
    assert frame["reason"].isna().all()
    assert set(frame["indicator_flag"]) == {"0", "1"}


def test_succ_bad_flag_and_missing_date(write_file):
    with pytest.raises(ParseError) as exc:
        parse_succ(write_file("succ.csv", _csv('"RW6","RM3","","20211001","0"', '"RW6","R0A","","20211001","Y"')),
                   make_release(), SUCC)  # fmt: skip
    assert exc.value.row == 2 and exc.value.column == "Indicator Flag (column 5)"
    with pytest.raises(ParseError) as exc:
        parse_succ(write_file("succ2.csv", _csv('"RW6","RM3","","","0"')), make_release(), SUCC)
    assert exc.value.row == 1 and "Effective Date" in exc.value.column


def test_succ_bad_code(write_file):
    with pytest.raises(ParseError) as exc:
        parse_succ(write_file("succ.csv", _csv('"RW6","","","20211001","0"')), make_release(), SUCC)
    assert exc.value.row == 1 and exc.value.column == "Successor Code (column 2)"


# -- epraccur ---------------------------------------------------------------------------------------------

# As ODS publishes it: no header, 27 quoted columns (19-21, 23, 25, 27 empty), prescribing setting in 26.
EPRACCUR_ROW = (
    '"F83004","ARCHWAY MEDICAL CENTRE","Y56","QMJ","HOLLOWAY","","","","","N19 5SE","19740401","",'
    '"A","B","93C","20220701","","02072725321","","","","0","","93C","","4",""'
)
EPRACCUR_HEADER = (
    "OrgCode,Name,NationalGrouping,HighLevelHealthGeography,Address1,Address2,Address3,Address4,Address5,"
    "Postcode,OpenDate,CloseDate,StatusCode,OrgSubTypeCode,Commissioner,JoinProviderDate,LeftProviderDate,"
    "TelNo,AmendedRecordIndicator,ProvPurch,PrescrSet"
)
EPRACCUR_HEADED_ROW = "F83004,ARCHWAY MEDICAL CENTRE,Y56,QMJ,HOLLOWAY,,,,,N19 5SE,19740401,,A,B,93C,20220701,,02072725321,0,93C,4"


def test_epraccur_2023_with_camelcase_header():
    frame = parsed(EPRACCUR, "2023-04")
    assert tuple(frame.columns) == EPRACCUR_OUTPUT_COLUMNS
    assert len(frame) == 15663
    assert frame["practice_code"].is_unique
    assert frame["source_row"].iloc[0] == 2  # the header line is not a practice
    first = frame.iloc[0]
    assert first["practice_code"] == "B82020"
    assert first["practice_name"] == "CROSS HILLS GROUP PRACTICE"
    assert (first["region_code"], first["icb_code"], first["sicbl_code"]) == ("Y63", "QWO", "36J")
    assert first["postcode"] == "BD20 7LG"
    assert first["open_date"] == pd.Timestamp("1974-04-01")
    assert first["close_date"] == pd.Timestamp("2022-11-30")
    assert first["join_provider_date"] == pd.Timestamp("2020-04-01")
    assert (first["status_code"], first["org_sub_type_code"], first["prescribing_setting"]) == ("C", "B", "4")
    assert first["vintage_date"] == pd.Timestamp("2023-04-01")
    assert frame["open_date"].max() == pd.Timestamp("2023-04-01")
    assert set(frame["org_sub_type_code"]) == {"B", "Z"}
    # Sub-type Z (not allocated to a commissioner) has no commissioner; Crown Dependencies no region.
    assert frame.loc[frame["org_sub_type_code"] == "Z", "sicbl_code"].isna().all()
    jersey = frame.set_index("practice_code").loc["JER010"]
    assert pd.isna(jersey["region_code"]) and jersey["icb_code"] == "YAD"


def test_epraccur_headerless_as_published(write_file):
    row_2 = EPRACCUR_ROW.replace('"F83004"', '"Y07848"').replace('"19740401",""', '"20230101","20240331"')
    frame = parse_epraccur(write_file("epraccur.csv", _csv(EPRACCUR_ROW, row_2)), make_release(), EPRACCUR)
    assert tuple(frame.columns) == EPRACCUR_OUTPUT_COLUMNS
    assert frame["practice_code"].tolist() == ["F83004", "Y07848"]
    assert frame["source_row"].tolist() == [1, 2]
    assert frame.loc[0, "prescribing_setting"] == "4"  # column 26, not the provider/purchaser in 24
    assert frame.loc[0, "sicbl_code"] == "93C"
    assert pd.isna(frame.loc[0, "close_date"]) and frame.loc[1, "close_date"] == pd.Timestamp("2024-03-31")
    headed = parse_epraccur(
        write_file("headed.csv", _csv(EPRACCUR_HEADER, EPRACCUR_HEADED_ROW)), make_release(), EPRACCUR
    )
    columns = [c for c in EPRACCUR_OUTPUT_COLUMNS if c != "source_row"]
    assert headed[columns].equals(frame[columns].iloc[[0]])


def test_epraccur_bad_date_and_code(write_file):
    with pytest.raises(ParseError) as exc:
        parse_epraccur(
            write_file(
                "epraccur.csv", _csv(EPRACCUR_ROW, EPRACCUR_ROW.replace('"20220701"', '"01/07/2022"'))
            ),
            make_release(),
            EPRACCUR,
        )
    assert (exc.value.row, exc.value.column) == (2, "Join Provider/Purchaser Date (column 16)")
    assert "YYYYMMDD" in str(exc.value) and "epraccur.csv" in str(exc.value)
    with pytest.raises(ParseError) as exc:
        parse_epraccur(
            write_file("h.csv", _csv(EPRACCUR_HEADER, EPRACCUR_HEADED_ROW.replace(",4", ",GP"))),
            make_release(),
            EPRACCUR,
        )
    assert (exc.value.row, exc.value.column) == (2, "PrescrSet")
    assert "prescribing setting number" in str(exc.value)


def test_epraccur_field_counts(write_file):
    with pytest.raises(ParseError, match=r"epraccur.csv, row 1: expected at least 26 fields"):
        parse_epraccur(
            write_file("epraccur.csv", _csv('"F83004","ARCHWAY MEDICAL CENTRE"')), make_release(), EPRACCUR
        )
    with pytest.raises(ParseError, match=r"h.csv, row 3: expected 21 fields as in the header, found 20"):
        parse_epraccur(
            write_file(
                "h.csv", _csv(EPRACCUR_HEADER, EPRACCUR_HEADED_ROW, EPRACCUR_HEADED_ROW.removesuffix(",4"))
            ),
            make_release(),
            EPRACCUR,
        )


def test_epraccur_renamed_header_column(write_file):
    header = EPRACCUR_HEADER.replace("Commissioner", "SubICB")
    with pytest.raises(ParseError) as exc:
        parse_epraccur(write_file("h.csv", _csv(header, EPRACCUR_HEADED_ROW)), make_release(), EPRACCUR)
    assert exc.value.row == 1 and exc.value.column == "Commissioner"
    assert "SubICB" in str(exc.value)


def test_epraccur_empty(write_file):
    with pytest.raises(ParseError, match=r"epraccur.csv: the file is empty"):
        parse_epraccur(write_file("epraccur.csv", ""), make_release(), EPRACCUR)
    with pytest.raises(
        ParseError, match=r"h.csv: expected at least one of the practice rows below the header"
    ):
        parse_epraccur(write_file("h.csv", _csv(EPRACCUR_HEADER)), make_release(), EPRACCUR)
