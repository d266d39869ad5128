"""Run a source's Great Expectations suite JSON as DuckDB SQL, for files too large for pandas.

GX 1.24 has no DuckDB data source here, and its pandas path needs the whole file in a DataFrame. For
a large file (orchestration/streaming.py) the SAME ``expectations/<suite>.json`` is evaluated as SQL
over a DuckDB relation that streams the file: every expectation becomes one aggregate (its unexpected
count) of one scan, and only a failed expectation runs a second, ``limit 5`` query for a sample of
offending values and their ``source_row``. The result is the same :class:`ValidationReport` the GX
path returns (tests/unit/validation/test_sql_suite.py checks both paths agree on every real bundled
file).

Semantics follow GX's pandas engine: column-map expectations ignore nulls (except not_be_null),
``mostly`` is honoured, regexes search (not full-match), uniqueness counts every row of a duplicated
value, pairs honour ``ignore_row_if``, and ``row_condition`` is supported in the forms the suites
use (a GX comparison condition, or pandas ``col == value`` / ``col in [...]`` / ``col not in [...]``).
Anything else raises :class:`SuiteError` rather than being skipped silently.
"""

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from orchestration.duckdb_utils import quote_identifier
from orchestration.validation.gx_suites import (
    ROW_COLUMN,
    SAMPLE_SIZE,
    ExpectationOutcome,
    SuiteError,
    ValidationReport,
    _text,
)


def load_suite_json(expectations_dir: Path, suite_name: str) -> dict[str, Any]:
    path = Path(expectations_dir) / f"{suite_name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"expectation suite {suite_name!r}: file not found at {path}") from None
    if not isinstance(data, dict) or data.get("name") != suite_name:
        raise SuiteError(f"expectation suite {suite_name!r}: {path.name} declares another name")
    return data


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


_PANDAS_IN = re.compile(r"^\s*(\w+)\s+(not in|in)\s+\[(.*)\]\s*$")
_PANDAS_CMP = re.compile(r"^\s*(\w+)\s*(==|!=)\s*(.+?)\s*$")


def _pandas_value(text: str) -> Any:
    text = text.strip()
    if text in ("True", "False"):
        return text == "True"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        raise SuiteError(f"row_condition value {text!r} is not supported by the SQL validator") from None


def _condition(kwargs: dict[str, Any]) -> str:
    """The row_condition as a SQL predicate (true when there is none)."""
    condition = kwargs.get("row_condition")
    if not condition:
        return "true"
    if (
        isinstance(condition, dict)
        and condition.get("type") == "comparison"
        and condition.get("operator")
        in (
            "==",
            "!=",
        )
    ):
        op = "is not distinct from" if condition["operator"] == "==" else "is distinct from"
        return f"({quote_identifier(condition['column']['name'])} {op} {_literal(condition['parameter'])})"
    if isinstance(condition, str):
        match = _PANDAS_IN.match(condition)
        if match:
            column, op, items = match.groups()
            values = ", ".join(_literal(_pandas_value(v)) for v in items.split(",") if v.strip())
            negate = "not " if op == "not in" else ""
            return f"(coalesce({quote_identifier(column)} {negate}in ({values}), false))"
        match = _PANDAS_CMP.match(condition)
        if match:
            column, op, value = match.groups()
            sql_op = "is not distinct from" if op == "==" else "is distinct from"
            return f"({quote_identifier(column)} {sql_op} {_literal(_pandas_value(value))})"
    raise SuiteError(f"row_condition {condition!r} is not supported by the SQL validator")


def _in_set(column: str, values: list[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return f"({column} in ({', '.join(_literal(v) for v in values)}))"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        items = ", ".join(repr(float(v)) for v in values)
        return f"(try_cast({column} as double) in ({items}))"
    items = ", ".join(_literal(str(v)) for v in values)
    return f"({column}::varchar in ({items}))"


def _map_expectation(kind: str, kwargs: dict[str, Any]) -> tuple[str, str, str]:
    """(domain predicate, unexpected predicate, sample expression) of a row-level expectation."""
    where = _condition(kwargs)
    if kind.startswith("expect_column_pair_"):
        a, b = quote_identifier(kwargs["column_A"]), quote_identifier(kwargs["column_B"])
        ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
        skip = {
            "both_values_are_missing": f"({a} is null and {b} is null)",
            "either_value_is_missing": f"({a} is null or {b} is null)",
            "neither": "false",
        }[ignore]
        domain = f"({where} and not {skip})"
        if kind == "expect_column_pair_values_a_to_be_greater_than_b":
            op = ">=" if kwargs.get("or_equal") else ">"
            bad = f"not coalesce({a} {op} {b}, false)"
        elif kind == "expect_column_pair_values_to_be_in_set":
            pairs = " or ".join(
                f"({a}::varchar = {_literal(str(x))} and {b}::varchar = {_literal(str(y))})"
                for x, y in kwargs["value_pairs_set"]
            )
            bad = f"not coalesce({pairs or 'false'}, false)"
        else:
            raise SuiteError(f"{kind} is not supported by the SQL validator")
        return domain, bad, f"[{a}::varchar, {b}::varchar]"
    column = quote_identifier(kwargs["column"])
    if kind == "expect_column_values_to_not_be_null":
        return where, f"{column} is null", "null"
    domain = f"({where} and {column} is not null)"
    if kind == "expect_column_values_to_match_regex":
        bad = f"not regexp_matches({column}::varchar, {_literal(kwargs['regex'])})"
    elif kind == "expect_column_values_to_be_in_set":
        bad = f"not coalesce({_in_set(column, list(kwargs['value_set']))}, false)"
    elif kind == "expect_column_values_to_be_between":
        parts = []
        if kwargs.get("min_value") is not None:
            parts.append(
                f"{column} {'>' if kwargs.get('strict_min') else '>='} {_literal(kwargs['min_value'])}"
            )
        if kwargs.get("max_value") is not None:
            parts.append(
                f"{column} {'<' if kwargs.get('strict_max') else '<='} {_literal(kwargs['max_value'])}"
            )
        bad = f"not coalesce({' and '.join(parts) or 'true'}, false)"
    elif kind == "expect_column_values_to_be_unique":
        bad = f"count(*) over (partition by {column}) > 1"
    else:
        raise SuiteError(f"{kind} is not supported by the SQL validator")
    return domain, bad, column


def validate_relation(
    con: duckdb.DuckDBPyConnection, relation: str, suite: dict[str, Any]
) -> ValidationReport:
    """Evaluate every expectation of ``suite`` over ``relation`` (a table, view or ``(select ...)``)."""
    columns = [row[0] for row in con.execute(f"describe select * from {relation}").fetchall()]  # noqa: S608
    outcomes: list[ExpectationOutcome] = []
    row_count = None
    pending: list[tuple[int, str, dict, str, str, str]] = []  # deferred map expectations
    for position, expectation in enumerate(suite.get("expectations", [])):
        kind, kwargs = expectation["type"], dict(expectation.get("kwargs", {}))
        if kind == "expect_table_columns_to_match_ordered_list":
            expected = list(kwargs["column_list"])
            ok = columns == expected
            sample = (
                ()
                if ok
                else tuple(
                    f"position {i}: expected {_text(e)}, found {_text(f)}"
                    for i, (e, f) in enumerate(
                        zip(expected + [None] * len(columns), columns + [None] * len(expected), strict=False)
                    )
                    if e != f
                )[:SAMPLE_SIZE]
            )
            outcomes.append(ExpectationOutcome(kind, None, ok, None, sample))
        elif kind == "expect_table_row_count_to_be_between":
            if row_count is None:
                row_count = con.execute(f"select count(*) from {relation}").fetchone()[0]  # noqa: S608
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            ok = (low is None or row_count >= low) and (high is None or row_count <= high)
            outcomes.append(
                ExpectationOutcome(kind, None, ok, None, () if ok else (f"observed {row_count}",))
            )
        elif kind == "expect_compound_columns_to_be_unique":
            cols = ", ".join(quote_identifier(c) for c in kwargs["column_list"])
            all_null = " and ".join(f"{quote_identifier(c)} is null" for c in kwargs["column_list"])
            domain = f"({_condition(kwargs)} and not ({all_null}))"
            bad = f"count(*) over (partition by {cols}) > 1"
            pending.append((position, kind, kwargs, domain, bad, f"[{cols}]::varchar[]"))
            outcomes.append(None)  # type: ignore[arg-type]
        else:
            domain, bad, sample = _map_expectation(kind, kwargs)
            pending.append((position, kind, kwargs, domain, bad, sample))
            outcomes.append(None)  # type: ignore[arg-type]
    if pending:
        _evaluate_map(con, relation, pending, outcomes, columns)
    failed = sum(1 for outcome in outcomes if not outcome.success)
    return ValidationReport(
        suite_name=suite.get("name", ""),
        success=failed == 0,
        evaluated=len(outcomes),
        failed=failed,
        outcomes=tuple(outcomes),
    )


def _windowed(bad: str) -> bool:
    return " over (" in bad


def _column_label(kind: str, kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if kwargs.get("column_list"):
        return ", ".join(kwargs["column_list"])
    return None


def _evaluate_map(con, relation, pending, outcomes, columns) -> None:
    # Window expectations (uniqueness) get a flag column from one windowed pass; the rest are plain
    # aggregates. One scan of the relation computes every count.
    flags = []
    for index, (_, _, _, domain, bad, _) in enumerate(pending):
        if _windowed(bad):
            # partition only the rows in the domain: nulls and excluded rows never count as duplicates
            partition = bad.replace("count(*) over", f"count(*) filter (where {domain}) over")
            flags.append(f"({domain} and {partition}) as _dup_{index}")
    source = f"(select *, {', '.join(flags)} from {relation})" if flags else relation  # noqa: S608
    aggregates = []
    for index, (_, _, _, domain, bad, _) in enumerate(pending):
        predicate = f"_dup_{index}" if _windowed(bad) else f"({domain}) and ({bad})"
        aggregates.append(f"count(*) filter (where {predicate})")
        aggregates.append(f"count(*) filter (where {domain})")
    counts = con.execute(f"select {', '.join(aggregates)} from {source}").fetchone()  # noqa: S608
    has_row = ROW_COLUMN in columns
    for index, (position, kind, kwargs, domain, bad, sample) in enumerate(pending):
        unexpected, considered = int(counts[2 * index]), int(counts[2 * index + 1])
        mostly = float(kwargs.get("mostly", 1.0))
        ok = unexpected == 0 if mostly >= 1.0 else (considered == 0 or 1 - unexpected / considered >= mostly)
        values: tuple[str, ...] = ()
        rows: tuple[int, ...] = ()
        if not ok:
            predicate = f"_dup_{index}" if _windowed(bad) else f"({domain}) and ({bad})"
            row_expr = ROW_COLUMN if has_row else "null"
            found = con.execute(
                f"select {sample} as v, {row_expr} as r from {source} where {predicate} "  # noqa: S608
                f"order by r nulls last limit {SAMPLE_SIZE}"
            ).fetchall()
            values = tuple(_text(v) for v, _ in found)
            rows = tuple(sorted({int(r) for _, r in found if r is not None}))
        outcomes[position] = ExpectationOutcome(
            expectation_type=kind,
            column=_column_label(kind, kwargs),
            success=ok,
            unexpected_count=unexpected,
            unexpected_sample=values,
            unexpected_rows=rows,
        )
