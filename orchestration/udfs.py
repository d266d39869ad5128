"""The project's methods as DuckDB functions, so that SQL over tens of millions of rows can use them.

``register_interval_function(con)`` adds ``audit_insight_intervals(value_type, multiplier, numerator,
denominator, value, value_status, published_lower_ci_95, published_upper_ci_95)``, returning a
STRUCT of lower/upper 95% and 99.8% limits and ci_method. It is a vectorised (Arrow) Python
function: DuckDB hands it a vector of rows at a time (2,048) and it calls
``measurement.interval_arrays`` — the same code as ``add_intervals`` and so the same results as
``methods`` — on numpy arrays. The rows never leave DuckDB as a table: no pandas frame of the whole
table, memory bounded by DuckDB's ``memory_limit`` plus one vector.
"""

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.sqltypes import DOUBLE, VARCHAR

from orchestration.measurement import INTERVAL_COLUMNS, interval_arrays

INTERVAL_FUNCTION = "audit_insight_intervals"
_LIMIT_NAMES = INTERVAL_COLUMNS[:4]


def _numbers(array: pa.Array) -> np.ndarray:
    return pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)


def _texts(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_pylist(), dtype=object)


def _intervals(value_type, multiplier, numerator, denominator, value, value_status, lower, upper):
    limits = interval_arrays(
        _texts(value_type),
        _numbers(multiplier),
        _numbers(numerator),
        _numbers(denominator),
        _numbers(value),
        _texts(value_status),
        _numbers(lower),
        _numbers(upper),
    )
    columns = [pa.array(limits[name], type=pa.float64(), from_pandas=True) for name in _LIMIT_NAMES]
    columns.append(pa.array(limits["ci_method"], type=pa.string()))
    return pa.StructArray.from_arrays(columns, names=list(INTERVAL_COLUMNS))


def register_interval_function(con: duckdb.DuckDBPyConnection) -> str:
    """Add the interval function to ``con`` (once per connection) and return its name."""
    registered = con.execute(
        "select count(*) from duckdb_functions() where function_name = ?", [INTERVAL_FUNCTION]
    ).fetchall()[0][0]
    if not registered:
        result = duckdb.struct_type({name: DOUBLE for name in _LIMIT_NAMES} | {"ci_method": VARCHAR})
        con.create_function(
            INTERVAL_FUNCTION,
            _intervals,
            [VARCHAR, DOUBLE, DOUBLE, DOUBLE, DOUBLE, VARCHAR, DOUBLE, DOUBLE],
            result,
            type="arrow",
            null_handling="special",  # nulls are data here (suppressed values, missing counts)
            side_effects=False,
        )
    return INTERVAL_FUNCTION
