from pathlib import Path

import duckdb
import pytest

from orchestration.duckdb_utils import (
    UnsafeIdentifierError,
    load_sql,
    qualified,
    quote_identifier,
    quote_path_literal,
)


@pytest.mark.parametrize("name", ["shmi", "ae_monthly", "_x1"])
def test_plain_identifiers_are_quoted(name):
    assert quote_identifier(name) == f'"{name}"'


@pytest.mark.parametrize("name", ["", "Shmi", "a-b", 'a"b', "a; drop table x", "1abc", "x" * 64, None])
def test_unsafe_identifiers_are_refused(name):
    with pytest.raises(UnsafeIdentifierError):
        quote_identifier(name)


def test_path_literal_survives_quotes(tmp_path):
    odd = tmp_path / "it's here"
    odd.mkdir()
    target = odd / "out.parquet"
    with duckdb.connect() as con:
        con.execute(
            load_sql("export_parquet", target="(select 42 as answer)", path=quote_path_literal(target))
        )
        assert con.execute("select answer from read_parquet(?)", [str(target)]).fetchall() == [(42,)]
    assert quote_path_literal(Path("/a/b")) == "'/a/b'"


def test_qualified():
    assert qualified("raw", "shmi") == '"raw"."shmi"'
