import pandas as pd
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.shmi import OUTPUT_COLUMNS, parse_shmi
from tests.unit.parsers.helpers import make_release, parsed, release_ids

SOURCE = "shmi"
HEADER = "INDICATOR_CODE,PROVIDER,PROVIDER_NAME,DENOMINATOR,OBSERVED,EXPECTED,VALUE,PO_LL,PO_UL,OD_LL,OD_UL,OD_BANDING"
ROW_A = (
    "I00699,RYQ,SOUTH LONDON HEALTHCARE NHS TRUST,102594,3044,3366.2353,0.9043,0.9476,1.0544,0.8838,1.1314,2"
)
ROW_B = (
    "I00699,RYR,WESTERN SUSSEX HOSPITALS NHS TRUST,76167,3161,2790.6447,1.1327,0.9425,1.0599,0.883,1.1325,1"
)
FOOTER = (
    b'"Copyright \xa9 2013, Health and Social Care Information Centre. All Rights Reserved",,,,,,,,,,,\r\n'
)


def _csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("label", release_ids(SOURCE))
def test_every_release_parses_to_the_contract(label):
    frame = parsed(SOURCE, label)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert 141 <= len(frame) <= 147
    assert frame["provider_code"].notna().all()
    assert str(frame["spells"].dtype) == "Int64"
    assert str(frame["expected_deaths"].dtype) == "Float64"
    assert frame["od_banding"].isin([1, 2, 3]).all()
    assert frame["period_start"].notna().all()
    assert not frame["provider_name"].str.contains("Copyright").any()
    assert frame["source_row"].tolist() == list(range(2, len(frame) + 2))


def test_2011_october_first_row_real_values():
    frame = parsed(SOURCE, "2011-10")
    first = frame.iloc[0]
    assert first["provider_code"] == "5QT"
    assert first["provider_name"] == "ISLE OF WIGHT NHS PRIMARY CARE TRUST"
    assert first["spells"] == 18732
    assert first["observed_deaths"] == 913
    assert first["expected_deaths"] == pytest.approx(768.4005)
    assert first["shmi_value"] == pytest.approx(1.1882)
    assert first["od_upper_95"] == pytest.approx(1.1482)
    assert first["od_banding"] == 1
    assert first["po_banding"] == 1  # the extra 2011-10 column
    assert first["source_row"] == 2
    assert first["period_start"] == pd.Timestamp("2010-04-01")
    assert first["period_end"] == pd.Timestamp("2011-03-31")
    assert first["period_label"].startswith("SHMI Apr 2010 to Mar 2011")


def test_po_banding_is_null_after_2011_october():
    assert parsed(SOURCE, "2012-01")["po_banding"].isna().all()
    assert parsed(SOURCE, "2011-10")["po_banding"].notna().all()


def test_provider_name_header_rename_maps_to_one_column():
    assert parsed(SOURCE, "2012-04")["provider_name"].notna().all()  # 'PROVIDER NAME'
    assert parsed(SOURCE, "2012-07")["provider_name"].notna().all()  # 'PROVIDER_NAME'


@pytest.mark.parametrize("label", ["2013-04", "2014-04"])
def test_copyright_footer_and_spacer_line_are_dropped(label):
    frame = parsed(SOURCE, label)
    assert frame.iloc[0]["provider_code"] == "R1F"
    assert frame["spells"].notna().all()
    assert frame["indicator_code"].eq("I00699").all()


def test_footer_only_dropped_when_last(write_file):
    ok = write_file("ok.csv", _csv(HEADER, ROW_A).encode() + FOOTER)
    assert len(parse_shmi(ok, make_release(), SOURCE)) == 1

    bad = write_file("footer_not_last.csv", _csv(HEADER, ROW_A).encode() + FOOTER + _csv(ROW_B).encode())
    with pytest.raises(ParseError) as exc:
        parse_shmi(bad, make_release(), SOURCE)
    message = str(exc.value)
    assert "footer_not_last.csv" in message and "row 3" in message and "0xA9" in message


def test_undecodable_byte_in_a_data_row_names_the_row(write_file):
    content = _csv(HEADER, ROW_A).encode() + _csv(ROW_B).encode().replace(b"WESTERN", b"W\xe9STERN")
    path = write_file("bad_bytes.csv", content)
    with pytest.raises(ParseError) as exc:
        parse_shmi(path, make_release(), SOURCE)
    assert exc.value.row == 3
    assert "shmi: bad_bytes.csv, row 3" in str(exc.value)
    assert "UTF-8" in str(exc.value)


def test_non_numeric_text_names_row_column_and_value(write_file):
    path = write_file("text.csv", _csv(HEADER, ROW_A, ROW_B.replace(",3161,", ",lots,")))
    with pytest.raises(ParseError) as exc:
        parse_shmi(path, make_release(), SOURCE)
    message = str(exc.value)
    assert exc.value.row == 3 and exc.value.column == "OBSERVED"
    assert "text.csv" in message and "'lots'" in message and "whole number" in message


def test_suppression_markers_and_blanks_parse_to_null(write_file):
    path = write_file(
        "markers.csv", _csv(HEADER, ROW_A.replace(",3044,", ",*,"), ROW_B.replace(",1.1327,", ",,"))
    )
    frame = parse_shmi(path, make_release(), SOURCE)
    assert pd.isna(frame.loc[0, "observed_deaths"])
    assert pd.isna(frame.loc[1, "shmi_value"])
    assert frame.loc[1, "observed_deaths"] == 3161


def test_missing_or_renamed_column_names_the_expected_header(write_file):
    path = write_file("renamed.csv", _csv(HEADER.replace("DENOMINATOR", "SPELLS"), ROW_A))
    with pytest.raises(ParseError) as exc:
        parse_shmi(path, make_release(), SOURCE)
    message = str(exc.value)
    assert exc.value.column == "DENOMINATOR"
    assert "'SPELLS'" in message and "renamed.csv" in message and "row 1" in message


def test_unknown_extra_column_is_an_error(write_file):
    path = write_file("extra.csv", _csv(HEADER + ",NEW_THING", ROW_A + ",7"))
    with pytest.raises(ParseError, match="unexpected column 'NEW_THING'"):
        parse_shmi(path, make_release(), SOURCE)


def test_short_row_is_an_error(write_file):
    path = write_file("short.csv", _csv(HEADER, ROW_A, "I00699,RYR,WESTERN"))
    with pytest.raises(ParseError, match="row 3.*expected 12 fields"):
        parse_shmi(path, make_release(), SOURCE)


@pytest.mark.parametrize("content", ["", _csv(HEADER), _csv(HEADER) + ",,,,,,,,,,,\r\n"])
def test_empty_file_or_no_data_rows(write_file, content):
    path = write_file("empty.csv", content)
    with pytest.raises(ParseError, match="empty.csv"):
        parse_shmi(path, make_release(), SOURCE)


def test_release_without_period_is_an_error(write_file):
    path = write_file("ok.csv", _csv(HEADER, ROW_A))
    with pytest.raises(ParseError, match="period_start"):
        parse_shmi(path, make_release(period_start=None, period_end=None), SOURCE)
