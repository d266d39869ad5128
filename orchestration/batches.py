"""Apply a pandas transform to a DuckDB relation a few indicators at a time, as an Arrow stream.

The dbt Python models of the measurement layer (``int_indicator_values__intervals``,
``int_benchmarks``, ``int_spc``) run the project's methods, written for pandas, over every indicator
value. At national practice level that is tens of millions of rows: pulled into pandas whole it needs
tens of GiB. Every method compares rows of one indicator only (its keys all start with source and
indicator), so the relation is cut into batches of whole indicators of at most ``max_rows`` rows,
each batch is read, transformed and handed on as Arrow record batches, and dbt-duckdb writes the
stream into the model's table (a ``pyarrow.RecordBatchReader`` returned by a Python model is
scanned by DuckDB batch by batch). Memory is bounded by the largest batch, not by the table.
"""

from collections.abc import Callable, Iterator

import duckdb
import pandas as pd
import pyarrow as pa

# ~1M rows of indicator values are ~0.5 GiB in pandas: with DuckDB's own memory this keeps a
# national build under the 4 GiB target (docs/benchmarks.md).
MAX_BATCH_ROWS = 1_000_000


def indicator_batches(counts: list[tuple[str | None, int]], max_rows: int = MAX_BATCH_ROWS) -> list[list]:
    """Pack indicators (id, row count) into batches of whole indicators of at most ``max_rows`` rows
    (an indicator larger than that is a batch of its own), in the order given."""
    batches: list[list] = []
    size = 0
    for indicator_id, rows in counts:
        if not batches or size + rows > max_rows:
            batches.append([])
            size = 0
        batches[-1].append(indicator_id)
        size += rows
    return batches


def _only(indicator_ids: list) -> duckdb.Expression:
    column = duckdb.ColumnExpression("indicator_id")
    known = [duckdb.ConstantExpression(i) for i in indicator_ids if i is not None]
    condition = column.isin(*known) if known else None
    if None in indicator_ids:
        condition = column.isnull() if condition is None else condition | column.isnull()
    return condition


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give object columns of text a string type, so that a column that happens to be all missing in
    one batch has the same Arrow type as in the next (object columns of None would be Arrow null)."""
    frame = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            present = column.dropna()
            if present.map(type).eq(bool).all() and len(present):
                frame[name] = column.astype("boolean")
            elif present.map(lambda v: isinstance(v, str)).all():
                frame[name] = column.astype(pd.StringDtype())
    return frame


def transform_by_indicator(
    relation: duckdb.DuckDBPyRelation,
    transform: Callable[[pd.DataFrame], pd.DataFrame],
    *,
    max_rows: int = MAX_BATCH_ROWS,
) -> pa.RecordBatchReader:
    """``transform`` applied to ``relation`` batch by batch of whole indicators, as one Arrow stream.

    ``transform`` must only relate rows of the same indicator (true of every method here). The first
    batch fixes the output schema; later batches are converted to it (a batch that cannot be raises).
    """
    counts = relation.aggregate("indicator_id, count(*) as row_count", "indicator_id").order("indicator_id")
    batches = indicator_batches(counts.fetchall(), max_rows)

    def frames() -> Iterator[pd.DataFrame]:
        for indicator_ids in batches:
            yield _typed(transform(relation.filter(_only(indicator_ids)).df()))

    produced = frames()
    first = next(produced, None)
    if first is None:  # no rows at all: the transform of an empty frame gives the columns
        first = _typed(transform(relation.limit(0).df()))
    schema = pa.Schema.from_pandas(first, preserve_index=False)

    def record_batches() -> Iterator[pa.RecordBatch]:
        yield from pa.Table.from_pandas(first, schema=schema, preserve_index=False).to_batches()
        for frame in produced:
            yield from pa.Table.from_pandas(frame, schema=schema, preserve_index=False).to_batches()

    return pa.RecordBatchReader.from_batches(schema, record_batches())
