"""The RTT full extract CSV through DuckDB gives the pandas parser's rows, types and errors.

The CSV here is the SYNTHETIC small-preset month of scripts/generate_synthetic_national.py (the
real full-extract CSV layout: 121 columns, CRLF); the bundled real copy is an xlsb workbook, which
stays on the pandas parser.
"""

import importlib.util

import pytest

from orchestration import streaming
from orchestration.parsers import ParseError, parse_file
from orchestration.sources import load_sources
from orchestration.validation.gx_suites import load_suite, validate_frame
from orchestration.validation.sql_suite import load_suite_json, validate_relation
from tests.conftest import PROJECT_ROOT

PARSER = "rtt_full_extract"
_spec = importlib.util.spec_from_file_location(
    "generate_synthetic_national", PROJECT_ROOT / "scripts" / "generate_synthetic_national.py"
)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic_rtt")
    gen.generate(out, seed=7, threads=2, **gen.PRESETS["small"])
    release = load_sources(out / "sources.yml", PROJECT_ROOT).by_id("rtt").releases[-1]
    return PROJECT_ROOT / release.snapshot, release


def test_native_rtt_rows_and_types_equal_the_pandas_parser(month, tmp_path):
    path, release = month
    frame = parse_file(PARSER, path, release, "rtt")
    staged = tmp_path / "rtt.parquet"
    with streaming.connect_scratch() as con:
        assert streaming.stage_native(con, PARSER, path, release, "rtt", staged) == len(frame) > 1000
        assert streaming.check_native(
            con, PARSER, path, release, "rtt", relation=streaming.staged_scan(staged)
        )
        native = streaming.staged_select(PARSER, staged)
        con.register("pandas_rows", frame)
        describe = "describe select * from "
        assert [r[:2] for r in con.execute(describe + native).fetchall()] == [
            r[:2] for r in con.execute(describe + "pandas_rows").fetchall()
        ]
        for left, right in ((native, "pandas_rows"), ("pandas_rows", native)):
            difference = "select count(*) from (from " + left + " except all from " + right + ")"  # noqa: S608
            assert con.execute(difference).fetchone() == (0,)
    assert frame["waits_over_52_weeks"].notna().any() and frame["waits_over_52_weeks"].isna().any()


def _broken(path, tmp_path, line: int, column: str, value: str):
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    assert '"' not in lines[line - 1]  # a row without quoted commas, so fields split on ','
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    broken = tmp_path / "broken-rtt.csv"
    broken.write_bytes("\r\n".join(lines).encode("utf-8"))
    return broken


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Provider Org Code", "", "expected an ODS code"),
        ("Provider Org Code", "r1h!", "expected an ODS code"),
        ("Gt 52 To 53 Weeks SUM 1", "*", "expected a whole number or a blank"),
        ("Total All", "12.5", "expected a whole number or a blank"),
        ("Period", "RTT-May-2024", "release's month"),
    ],
)
def test_native_rtt_checks_name_file_row_and_column(month, tmp_path, column, value, message):
    path, release = month
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    line = next(i for i, text in enumerate(lines[1:], start=2) if '"' not in text)
    broken = _broken(path, tmp_path, line, column, value)
    staged = tmp_path / "broken.parquet"
    with streaming.connect_scratch() as con, pytest.raises(ParseError) as caught:
        streaming.stage_native(con, PARSER, broken, release, "rtt", staged)
        streaming.check_native(con, PARSER, broken, release, "rtt", relation=streaming.staged_scan(staged))
    text = str(caught.value)
    assert "broken-rtt.csv" in text and f"row {line}" in text and column in text and message in text
    with pytest.raises(ParseError):  # the pandas parser refuses the same file
        parse_file(PARSER, broken, release, "rtt")


def test_only_csv_files_take_the_duckdb_path(month, monkeypatch):
    path, _ = month
    monkeypatch.setenv("AUDIT_INSIGHT_STREAM_MIN_BYTES", "0")
    assert streaming.streams(PARSER, path)
    bundled = next(r for r in load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT).by_id("rtt").releases)
    assert not streaming.streams(PARSER, PROJECT_ROOT / bundled.snapshot)  # the xlsb workbook


def test_the_rtt_suite_as_sql_agrees_with_great_expectations(month, tmp_path):
    path, release = month
    staged = tmp_path / "rtt.parquet"
    with streaming.connect_scratch() as con:
        streaming.stage_native(con, PARSER, path, release, "rtt", staged)
        by_sql = validate_relation(
            con,
            streaming.staged_select(PARSER, staged),
            load_suite_json(PROJECT_ROOT / "expectations", "rtt"),
        )
    by_gx = validate_frame(
        parse_file(PARSER, path, release, "rtt"), load_suite(PROJECT_ROOT / "expectations", "rtt")
    )
    assert by_sql.success and by_gx.success and by_sql.evaluated == by_gx.evaluated > 5
