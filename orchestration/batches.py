"""Apply a pandas transform to a DuckDB relation a few indicators at a time, as an Arrow stream.

The dbt Python models ``int_benchmarks`` and ``int_spc`` run the project's methods, written for
pandas, over every indicator value. At national practice level that is tens of millions of rows:
pulled into pandas whole it needs tens of GiB. Every method compares rows of one indicator and
breakdown only (its keys all include both), so the relation is cut into batches of whole indicators
(or, for an indicator too large for one batch, ranges of its breakdowns) of at most ``max_rows``
rows; each batch is read, transformed and handed on as Arrow record batches, and dbt-duckdb writes
the stream into the model's table (a ``pyarrow.RecordBatchReader`` returned by a Python model is
scanned by DuckDB batch by batch). Memory is bounded by the largest batch, not by the table.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

# Rows of indicator values per batch: ~250k rows are ~0.3 GiB in pandas, which with DuckDB's own
# memory_limit keeps a national build under the 4 GiB target (docs/benchmarks.md).
MAX_BATCH_ROWS = 250_000


@dataclass(frozen=True)
class Batch:
    """Rows read together, as a filter DuckDB can push into its scan (a range, not a list): the
    indicators ``first``..``last`` whole, or, for one indicator too large for a batch
    (``breakdowns`` set), its breakdowns ``breakdowns[0]``..``breakdowns[1]``. ``first`` None is the
    rows without an indicator; a breakdowns range of (None, None) the indicator's rows without one."""

    first: str | None
    last: str | None
    breakdowns: tuple[str | None, str | None] | None = None


def plan_batches(
    counts: list[tuple[str | None, str | None, int]], max_rows: int = MAX_BATCH_ROWS
) -> list[Batch]:
    """Batches of at most ``max_rows`` rows from (indicator, breakdown, rows) counts in (indicator,
    breakdown) order, NULLs last. Consecutive whole indicators share a batch while they fit; an
    indicator larger than ``max_rows`` is split into consecutive ranges of its breakdowns, which
    every method here treats separately (comparisons, funnels, series and peer ranks are all within
    one breakdown); a single breakdown larger than ``max_rows`` is a batch of its own."""
    per_indicator: dict = {}
    for indicator_id, breakdown, rows in counts:
        per_indicator.setdefault(indicator_id, []).append((breakdown, rows))
    batches: list[Batch] = []
    whole: list = []  # consecutive whole indicators waiting to become one batch
    size = 0

    def flush() -> None:
        nonlocal whole, size
        if whole:
            batches.append(Batch(whole[0], whole[-1]))
        whole, size = [], 0

    for indicator_id, breakdowns in per_indicator.items():
        total = sum(rows for _, rows in breakdowns)
        if indicator_id is None:
            flush()
            batches.append(Batch(None, None))
        elif total <= max_rows:
            if size + total > max_rows:
                flush()
            whole.append(indicator_id)
            size += total
        else:
            flush()
            named = [(b, rows) for b, rows in breakdowns if b is not None]
            start, used = 0, 0
            for position, (_, rows) in enumerate(named):
                if position > start and used + rows > max_rows:
                    batches.append(
                        Batch(indicator_id, indicator_id, (named[start][0], named[position - 1][0]))
                    )
                    start, used = position, 0
                used += rows
            if named:
                batches.append(Batch(indicator_id, indicator_id, (named[start][0], named[-1][0])))
            if len(named) < len(breakdowns):
                batches.append(Batch(indicator_id, indicator_id, (None, None)))
    flush()
    return batches


def _between(column: str, low, high) -> duckdb.Expression:
    expression = duckdb.ColumnExpression(column)
    if low is None:
        return expression.isnull()
    if low == high:
        return expression == duckdb.ConstantExpression(low)
    return (expression >= duckdb.ConstantExpression(low)) & (expression <= duckdb.ConstantExpression(high))


def _only(batch: Batch) -> duckdb.Expression:
    condition = _between("indicator_id", batch.first, batch.last)
    if batch.breakdowns is not None:
        condition = condition & _between("breakdown", *batch.breakdowns)
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
    """``transform`` applied to ``relation`` batch by batch (whole indicators, or single breakdowns of
    large ones), as one Arrow stream. ``relation`` needs ``indicator_id`` and ``breakdown`` columns.

    ``transform`` must only relate rows of the same indicator and breakdown (true of every method
    here). The first batch fixes the output schema; later batches are converted to it (a batch that
    cannot be raises). Every input row is read exactly once: a mismatch raises rather than losing rows.
    """
    counts = relation.aggregate(
        "indicator_id, breakdown, count(*) as row_count", "indicator_id, breakdown"
    ).order("indicator_id, breakdown")
    counted = counts.fetchall()
    batches = plan_batches(counted, max_rows)
    expected = sum(rows for *_, rows in counted)

    def frames() -> Iterator[pd.DataFrame]:
        read = 0
        for planned in batches:
            # via Arrow: DuckDB -> Arrow -> pandas is several times faster than .df() for text columns
            batch = relation.filter(_only(planned)).arrow().read_all().to_pandas()
            read += len(batch)
            yield _typed(transform(batch))
        if read != expected:
            raise RuntimeError(
                f"read {read} rows in batches but the relation has {expected}: rows would be lost"
            )

    # A batch whose transform yields no rows (e.g. no series long enough for a chart) adds nothing
    # and must not fix the schema: its empty columns carry no types.
    produced = (frame for frame in frames() if len(frame))
    first = next(produced, None)
    if first is None:  # no rows at all: the transform of an empty frame gives the columns
        first = _typed(transform(relation.limit(0).arrow().read_all().to_pandas()))
    schema = pa.Schema.from_pandas(first, preserve_index=False)

    def record_batches() -> Iterator[pa.RecordBatch]:
        yield from pa.Table.from_pandas(first, schema=schema, preserve_index=False).to_batches()
        for frame in produced:
            yield from pa.Table.from_pandas(frame, schema=schema, preserve_index=False).to_batches()

    return pa.RecordBatchReader.from_batches(schema, record_batches())
