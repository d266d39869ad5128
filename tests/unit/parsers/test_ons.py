import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.ons import OUTPUT_COLUMNS, parse_ons_lookup
from tests.unit.parsers.helpers import make_release, parsed, release_ids

SOURCE = "ons_sicbl_icb_nhser"
HEADER = (
    "\ufeffSICBL24CD,SICBL24CDH,SICBL24NM,ICB24CD,ICB24CDH,ICB24NM,NHSER24CD,NHSER24CDH,NHSER24NM,ObjectId"
)
ROW = (
    "E38000240,93C,NHS North Central London ICB - 93C,E54000028,QMJ,"
    "NHS North Central London Integrated Care Board,E40000003,Y56,London,2"
)


def _csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("label", release_ids(SOURCE))
def test_every_vintage_parses(label):
    frame = parsed(SOURCE, label)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert len(frame) == 106
    assert frame["icb_ods_code"].nunique() == 42
    assert frame["nhser_ods_code"].nunique() == 7
    assert frame["sicbl_ons_code"].str.startswith("E38").all()  # BOM stripped from the first header
    assert frame["source_row"].tolist() == list(range(2, 108))


def test_2022_bassetlaw_is_in_nottingham_and_nottinghamshire():
    # Bassetlaw (02Q) moved from South Yorkshire (QF7) to Nottingham and Nottinghamshire (QT1) on
    # 1 July 2022, so the July 2022 lookup already shows QT1.
    frame = parsed(SOURCE, "2022-07").set_index("sicbl_ods_code")
    row = frame.loc["02Q"]
    assert row["sicbl_ons_code"] == "E38000008"
    assert row["icb_ods_code"] == "QT1"
    assert row["icb_ons_code"] == "E54000060"
    assert row["nhser_ods_code"] == "Y60"
    assert row["lookup_date"] == pd.Timestamp("2022-07-01")
    assert row["lookup_label"] == "July 2022"
    assert row["source_row"] == 4


def test_surrey_heartlands_recode_between_2022_and_2023():
    surrey_2022 = parsed(SOURCE, "2022-07").set_index("sicbl_ods_code").loc["92A"]
    surrey_2023 = parsed(SOURCE, "2023-04").set_index("sicbl_ods_code").loc["92A"]
    assert surrey_2022["icb_ons_code"] == "E54000052"
    assert surrey_2023["icb_ons_code"] == "E54000063"
    assert surrey_2023["icb_ods_code"] == surrey_2022["icb_ods_code"] == "QXU"
    assert surrey_2023["icb_name"] == "NHS Surrey Heartlands Integrated Care Board"


def test_2024_region_recode():
    frame = parsed(SOURCE, "2024-04")
    east = frame[frame["nhser_ods_code"] == "Y61"]
    assert set(east["nhser_ons_code"]) == {"E40000013"}


def test_lowercase_headers_without_bom(write_file):
    frame = parse_ons_lookup(
        write_file("l.csv", _csv(HEADER.lstrip("\ufeff").lower(), ROW)), make_release(), SOURCE
    )
    assert frame.loc[0, "icb_ods_code"] == "QMJ"


def test_missing_column_names_expected_pattern(write_file):
    header = HEADER.replace("ICB24CDH,", "")
    row = ROW.replace("QMJ,", "")
    with pytest.raises(ParseError) as exc:
        parse_ons_lookup(write_file("missing.csv", _csv(header, row)), make_release(), SOURCE)
    assert exc.value.column == "ICBYYCDH"
    assert "missing.csv" in str(exc.value) and "ICB24CDH" in str(exc.value)


def test_unknown_column_is_an_error(write_file):
    with pytest.raises(ParseError, match="unexpected column 'LAD24CD'"):
        parse_ons_lookup(
            write_file("u.csv", _csv(HEADER + ",LAD24CD", ROW + ",E06000001")), make_release(), SOURCE
        )


def test_mixed_vintages_are_an_error(write_file):
    with pytest.raises(ParseError, match="mix lookup years"):
        parse_ons_lookup(
            write_file("m.csv", _csv(HEADER.replace("ICB24CD,", "ICB23CD,"), ROW)), make_release(), SOURCE
        )


def test_ragged_row(write_file):
    with pytest.raises(ParseError) as exc:
        parse_ons_lookup(write_file("r.csv", _csv(HEADER, ROW, "E38000240,93C")), make_release(), SOURCE)
    assert exc.value.row == 3


def test_header_only(write_file):
    with pytest.raises(ParseError, match="h.csv.*Sub-ICB rows"):
        parse_ons_lookup(write_file("h.csv", _csv(HEADER)), make_release(), SOURCE)
