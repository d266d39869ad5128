"""The DuckDB streaming path (large files) gives the same raw rows and the same errors as the pandas parser."""

from datetime import UTC, datetime

import duckdb
import pytest

from orchestration import streaming
from orchestration.load import load_frame, load_relation
from orchestration.parsers import ParseError
from orchestration.validation.sql_suite import load_suite_json, validate_relation
from tests.unit.parsers.helpers import PROJECT_ROOT, parsed, sources_config

PARSER = "cvdprevent_raw_data_csv"
SOURCE = sources_config().by_id("cvdprevent")
RELEASE = SOURCE.releases[0]
SNAPSHOT = PROJECT_ROOT / RELEASE.snapshot


def test_native_select_equals_the_pandas_parser_on_the_real_file():
    frame = parsed("cvdprevent", RELEASE.release)
    with streaming.connect_scratch() as con:
        assert streaming.check_native(con, PARSER, SNAPSHOT, RELEASE, "cvdprevent") == len(frame) == 56
        relation = streaming.raw_select(con, PARSER, SNAPSHOT, RELEASE, "cvdprevent")
        con.register("pandas_rows", frame)
        native_types = con.execute(f"describe select * from {relation}").fetchall()  # noqa: S608
        pandas_types = con.execute("describe select * from pandas_rows").fetchall()
        assert [(r[0], r[1]) for r in native_types] == [(r[0], r[1]) for r in pandas_types]
        for left, right in ((relation, "pandas_rows"), ("pandas_rows", relation)):
            extra = con.execute(f"select count(*) from (from {left} except all from {right})").fetchone()  # noqa: S608
            assert extra == (0,)
        report = validate_relation(
            con, relation, load_suite_json(PROJECT_ROOT / "expectations", "cvdprevent")
        )
    assert report.success and report.evaluated == 27


def _broken(tmp_path, line: int, column: str, value: str):
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    # rows of this file have one quoted comma (the ICB name) before the other columns
    cells = lines[line - 1].split(",")
    offset = 1 if header.index(column) > header.index("AreaName") else 0
    cells[header.index(column) + offset] = value
    lines[line - 1] = ",".join(cells)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("AreaCode", "", "expected an area code"),
        ("AreaCode", "XX", "expected an area code"),
        ("Numerator", "lots", "expected a number"),
        ("Factor", "2", "expected a blank"),
        ("TimePeriodName", "To April 2026", "period"),
    ],
)
def test_native_checks_name_file_row_and_column(tmp_path, column, value, message):
    path = _broken(tmp_path, 5, column, value)
    with streaming.connect_scratch() as con, pytest.raises(ParseError) as caught:
        streaming.check_native(con, PARSER, path, RELEASE, "cvdprevent")
    text = str(caught.value)
    assert "broken.csv" in text and "row 5" in text and column in text and message in text
    # the pandas parser refuses the same file
    from orchestration.parsers import parse_file

    with pytest.raises(ParseError):
        parse_file(PARSER, path, RELEASE, "cvdprevent")


def test_missing_column_is_the_parsers_error(tmp_path):
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "renamed.csv"
    path.write_text("\n".join([lines[0].replace("AreaCode", "Area"), *lines[1:]]) + "\n", encoding="utf-8")
    with streaming.connect_scratch() as con, pytest.raises(ParseError, match="AreaCode"):
        streaming.check_native(con, PARSER, path, RELEASE, "cvdprevent")


def test_load_relation_matches_load_frame_and_is_idempotent(tmp_path):
    fetched = datetime(2026, 11, 26, tzinfo=UTC)
    with (
        duckdb.connect(str(tmp_path / "a.duckdb")) as native,
        duckdb.connect(str(tmp_path / "b.duckdb")) as pandas,
    ):
        relation = streaming.raw_select(native, PARSER, SNAPSHOT, RELEASE, "cvdprevent")
        kwargs = dict(source_id="cvdprevent", release=RELEASE.release, file_sha256="abc", file_name="f.csv")
        first = load_relation(native, fetched_at=fetched, relation=relation, **kwargs)
        again = load_relation(native, fetched_at=fetched, relation=relation, **kwargs)
        load_frame(pandas, fetched_at=fetched, frame=parsed("cvdprevent", RELEASE.release), **kwargs)
        assert (first.rows, first.skipped, again.skipped) == (56, False, True)
        pandas.close()
        native.execute(f"attach '{tmp_path / 'b.duckdb'}' as other (read_only)")
        diff = native.execute(
            "select count(*) from (from raw.cvdprevent except all from other.raw.cvdprevent)"
        ).fetchone()
        assert diff == (0,)
        assert native.execute("select rows_loaded from meta.load_log").fetchall() == [(56,)]


def test_streams_only_large_files_of_parsers_with_a_native_reader(monkeypatch):
    assert not streaming.streams(PARSER, SNAPSHOT)  # 10 kB: the pandas path
    monkeypatch.setenv("AUDIT_INSIGHT_STREAM_MIN_BYTES", "0")
    assert streaming.streams(PARSER, SNAPSHOT)
    assert not streaming.streams("ods_epraccur", SNAPSHOT)


def test_the_file_is_parsed_once_into_parquet_with_the_same_rows_and_the_same_errors(tmp_path):
    staged = tmp_path / "staged.parquet"
    with streaming.connect_scratch() as con:
        assert streaming.stage_native(con, PARSER, SNAPSHOT, RELEASE, "cvdprevent", staged) == 56
        direct = streaming.raw_select(con, PARSER, SNAPSHOT, RELEASE, "cvdprevent")
        from_staged = streaming.staged_select(PARSER, staged)
        describe = "describe select * from "
        assert con.execute(describe + from_staged).fetchall() == con.execute(describe + direct).fetchall()
        for left, right in ((direct, from_staged), (from_staged, direct)):
            difference = "select count(*) from (from " + left + " except all from " + right + ")"  # noqa: S608 (project-built selects)
            assert con.execute(difference).fetchone() == (0,)
        # the row checks on the staged file name the same file line as on the CSV
        broken = _broken(tmp_path, 7, "Numerator", "lots")
        streaming.stage_native(con, PARSER, broken, RELEASE, "cvdprevent", staged)
        with pytest.raises(ParseError) as caught:
            streaming.check_native(
                con, PARSER, broken, RELEASE, "cvdprevent", relation=streaming.staged_scan(staged)
            )
    assert (
        "broken.csv" in str(caught.value)
        and "row 7" in str(caught.value)
        and "Numerator" in str(caught.value)
    )
