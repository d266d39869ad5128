import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.parsers import ParseError
from orchestration.parsers.qof import PRACTICE_GEOGRAPHY, parse_qof_practice_geography
from tests.unit.parsers.helpers import make_release, parsed, release_ids

SOURCE = "qof_practice_geography"
ROW = {
    "NAT_ONS_CODE": "E92000001",
    "NAT_CODE": "ENG",
    "NAT_COUNTRY": "England",
    "REGION_ODS_CODE": "Y56",
    "REGION_ONS_CODE": "E40000003",
    "REGION_NAME": "London",
    "ICB_ODS_CODE": "QMJ",
    "ICB_ONS_CODE": "E54000028",
    "ICB_NAME": "NHS North Central London Integrated Care Board",
    "SUB_ICB_ODS_CODE": "93C",
    "SUB_ICB_ONS_CODE": "E38000240",
    "SUB_ICB_NAME": "NHS North Central London ICB - 93C",
    "PCN_ODS_CODE": "U12345",
    "PCN_NAME": "Some PCN",
    "PRACTICE_CODE": "F83004",
    "PRACTICE_NAME": "Some Surgery",
}


def _parquet(tmp_path, rows: list[dict], name: str = "q.parquet", schema: pa.Schema | None = None):
    path = tmp_path / name
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


@pytest.mark.parametrize(("label", "rows"), [("2021-22", 6470), ("2022-23", 6378), ("2023-24", 6267)])
def test_every_year_parses(label, rows):
    assert label in release_ids(SOURCE)
    frame = parsed(SOURCE, label)
    assert tuple(frame.columns) == PRACTICE_GEOGRAPHY.output_columns
    assert len(frame) == rows
    assert frame["practice_code"].is_unique
    assert frame["sicbl_ods_code"].nunique() == 106
    assert frame["icb_ods_code"].nunique() == 42
    assert frame["region_ods_code"].nunique() == 7
    assert frame["source_row"].tolist() == list(range(1, rows + 1))
    assert frame.notna().all().all()


def test_2023_24_first_practice_and_period():
    row = parsed(SOURCE, "2023-24").iloc[0]
    assert row["practice_code"] == "A81001"
    assert row["practice_name"] == "The Densham Surgery"
    assert row["pcn_ods_code"] == "U89141"
    assert row["pcn_name"] == "Stockton PCN"
    assert row["sicbl_ods_code"] == "16C"
    assert row["sicbl_ons_code"] == "E38000247"
    assert row["icb_ods_code"] == "QHM"
    assert row["region_ons_code"] == "E40000012"
    assert row["period_start"] == pd.Timestamp("2023-04-01")
    assert row["period_end"] == pd.Timestamp("2024-03-31")
    assert row["period_label"] == "QOF 2023-24"


def test_2021_22_sub_icb_loc_columns_are_mapped():
    frame = parsed(SOURCE, "2021-22").set_index("practice_code")
    assert frame.loc["A81001", "sicbl_ods_code"] == "16C"
    assert frame.loc["A81001", "sicbl_name"] == "NHS North East and North Cumbria ICB - 16C"


def test_quirks_unallocated_pcn_trailing_space_and_2022_icb_codes():
    frame = parsed(SOURCE, "2023-24")
    unallocated = frame[frame["pcn_ods_code"] == "U"]
    assert len(unallocated) == 54 and set(unallocated["pcn_name"]) == {"Unallocated"}
    # Published with a trailing space; stripped.
    assert "NHS Norfolk and Waveney Integrated Care Board" in set(frame["icb_name"])
    # Surrey Heartlands keeps its 2022 ONS code in 2023-24 (ONS recoded it to E54000063 in April 2023).
    assert set(frame.loc[frame["icb_ods_code"] == "QXU", "icb_ons_code"]) == {"E54000052"}


def test_not_a_parquet_file(write_file):
    with pytest.raises(ParseError, match=r"q.parquet: expected a Parquet file \(starting with 'PAR1'\)"):
        parse_qof_practice_geography(
            write_file("q.parquet", "PRACTICE_CODE\nA81001\n"), make_release(), SOURCE
        )
    with pytest.raises(ParseError, match=r"e.parquet: the file is empty"):
        parse_qof_practice_geography(write_file("e.parquet", b""), make_release(), SOURCE)


def test_truncated_parquet(write_file, tmp_path):
    data = _parquet(tmp_path, [ROW]).read_bytes()
    with pytest.raises(ParseError, match=r"t.parquet: not a readable Parquet file"):
        parse_qof_practice_geography(write_file("t.parquet", data[: len(data) // 2]), make_release(), SOURCE)


def test_missing_column(tmp_path):
    row = {k: v for k, v in ROW.items() if k != "SUB_ICB_ONS_CODE"}
    with pytest.raises(ParseError) as exc:
        parse_qof_practice_geography(_parquet(tmp_path, [row]), make_release(), SOURCE)
    assert exc.value.column == "SUB_ICB_ONS_CODE"
    assert "'SUB_ICB_LOC_ONS_CODE'" in str(exc.value) and "q.parquet" in str(exc.value)


def test_not_england(tmp_path):
    rows = [ROW, ROW | {"PRACTICE_CODE": "W00001", "NAT_COUNTRY": "Wales"}]
    with pytest.raises(ParseError) as exc:
        parse_qof_practice_geography(_parquet(tmp_path, rows), make_release(), SOURCE)
    assert (exc.value.row, exc.value.column) == (2, "NAT_COUNTRY")
    assert "expected 'England'" in str(exc.value)


def test_bad_code_names_row_and_column(tmp_path):
    rows = [ROW, ROW, ROW | {"ICB_ONS_CODE": "QMJ"}]
    with pytest.raises(ParseError) as exc:
        parse_qof_practice_geography(_parquet(tmp_path, rows), make_release(), SOURCE)
    assert (exc.value.row, exc.value.column) == (3, "ICB_ONS_CODE")
    assert "found 'QMJ'" in str(exc.value)


def test_numeric_column_is_refused(tmp_path):
    schema = pa.schema([(name, pa.int64() if name == "PRACTICE_NAME" else pa.string()) for name in ROW])
    with pytest.raises(ParseError) as exc:
        parse_qof_practice_geography(
            _parquet(tmp_path, [ROW | {"PRACTICE_NAME": 7}], schema=schema), make_release(), SOURCE
        )
    assert exc.value.column == "PRACTICE_NAME" and "expected a text column" in str(exc.value)


def test_no_rows(tmp_path):
    schema = pa.schema([(name, pa.string()) for name in ROW])
    with pytest.raises(ParseError, match="expected at least one practice row"):
        parse_qof_practice_geography(_parquet(tmp_path, [], schema=schema), make_release(), SOURCE)
