"""orchestration.batches: a transform applied a few indicators at a time gives what it gives whole."""

import duckdb
import pandas as pd
import pytest

from orchestration.batches import Batch, plan_batches, transform_by_indicator


def test_batches_are_ranges_of_whole_indicators_or_of_one_large_indicators_breakdowns():
    counts = [
        ("a", "all", 4),
        ("b", "all", 3),
        ("c", "age:18-39", 2),
        ("c", "all", 4),
        ("c", "sex:male", 5),
        ("c", None, 1),
        ("d", "all", 1),
        (None, "all", 2),
    ]
    assert plan_batches(counts, max_rows=7) == [
        Batch("a", "b"),
        Batch("c", "c", ("age:18-39", "all")),
        Batch("c", "c", ("sex:male", "sex:male")),
        Batch("c", "c", (None, None)),
        Batch("d", "d"),
        Batch(None, None),
    ]
    assert plan_batches([], max_rows=7) == []


def _relation(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    return connection.sql(
        """
        select
            case when i % 7 = 6 then null else 'ind_' || (i % 7) end as indicator_id,
            case when i % 2 = 0 then 'all' when i % 3 = 0 then null else 'sex:female' end as breakdown,
            i::double as value,
            case when i % 7 = 0 then null else 'note ' || i end as note
        from range(70) as t(i)
        """
    )


def _per_indicator(frame: pd.DataFrame) -> pd.DataFrame:
    # a transform relating rows of one indicator only: each row's share of its indicator's total
    totals = frame.groupby(["indicator_id", "breakdown"], dropna=False)["value"].transform("sum")
    labels = frame["note"].where(frame["indicator_id"].notna(), None)
    return frame.assign(share=frame["value"] / totals, label=labels)


def test_a_transform_by_indicator_equals_the_transform_of_the_whole_table():
    connection = duckdb.connect()
    reader = transform_by_indicator(_relation(connection), _per_indicator, max_rows=15)
    # dbt-duckdb writes a returned reader on a cursor: `create table ... as select * from <reader>`
    writer = connection.cursor()
    writer.register("streamed", reader)
    writer.execute("create table result as select * from streamed")
    streamed = writer.table("result").df().sort_values("value", ignore_index=True)
    whole = _per_indicator(_relation(connection).df()).sort_values("value", ignore_index=True)
    assert len(streamed) == 70
    pd.testing.assert_series_equal(streamed["share"], whole["share"])
    # 'ind_0' (the first batch) has no notes at all: the column keeps its text type for later batches
    types = dict(writer.sql("select column_name, column_type from (describe result)").fetchall())
    assert types["note"] == "VARCHAR" and types["label"] == "VARCHAR"
    assert streamed["label"].notna().sum() == whole["label"].notna().sum() == 50


def test_an_empty_relation_gives_the_transforms_columns_and_no_rows():
    connection = duckdb.connect()
    empty = _relation(connection).filter("value < 0")
    connection.register("streamed", transform_by_indicator(empty, _per_indicator))
    assert connection.sql("select * from streamed").columns == [
        "indicator_id",
        "breakdown",
        "value",
        "note",
        "share",
        "label",
    ]
    assert connection.sql("select count(*) from streamed").fetchall() == [(0,)]


def test_a_batch_that_does_not_fit_the_first_batchs_columns_raises():
    connection = duckdb.connect()

    def inconsistent(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(extra="text, not a number" if frame["indicator_id"].eq("ind_3").any() else 1.0)

    writer = connection.cursor()
    writer.register("streamed", transform_by_indicator(_relation(connection), inconsistent, max_rows=10))
    with pytest.raises(Exception, match="extra"):
        writer.sql("select * from streamed").fetchall()


def test_batches_whose_transform_gives_no_rows_neither_fail_nor_fix_the_schema():
    connection = duckdb.connect()

    def only_ind_3(frame: pd.DataFrame) -> pd.DataFrame:
        kept = frame[frame["indicator_id"].eq("ind_3")]
        # an empty result with untyped (object) columns, as a method returns when nothing qualifies
        return kept if len(kept) else pd.DataFrame({name: pd.Series(dtype=object) for name in frame.columns})

    writer = connection.cursor()
    writer.register("streamed", transform_by_indicator(_relation(connection), only_ind_3, max_rows=10))
    assert writer.sql("select count(*), min(value) from streamed").fetchall() == [(10, 3.0)]
