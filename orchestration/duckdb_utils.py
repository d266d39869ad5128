"""Small, tested helpers for the SQL that cannot bind its identifiers or file paths as parameters.

DuckDB binds values with ``?``, but table names and the target of ``COPY ... TO`` cannot be bound.
Identifiers here come from configuration (source ids), so they are checked against a strict pattern
and quoted in exactly one place; file paths are quoted as string literals in exactly one place.
"""

import os
import re
from importlib import resources
from pathlib import Path

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


# DuckDB's own memory budget for every connection that builds (ingest, dbt via profiles.yml, publish).
# Beyond it DuckDB spills to temporary files instead of growing: the default (80% of RAM) let a
# national build reach 8 GiB (docs/benchmarks.md). pandas frames are outside this budget.
MEMORY_LIMIT_ENV = "AUDIT_INSIGHT_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"


def build_config() -> dict[str, str]:
    """``duckdb.connect(config=...)`` for a connection that builds the warehouse."""
    return {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)}


class UnsafeIdentifierError(ValueError):
    pass


def quote_identifier(name: str) -> str:
    """Quote a schema/table/column name after checking it is a plain lower-case identifier."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise UnsafeIdentifierError(
            f"refusing to use {name!r} as an SQL identifier (expected [a-z_][a-z0-9_]*)"
        )
    return f'"{name}"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def quote_path_literal(path: Path) -> str:
    """Quote a local file path as an SQL string literal (for COPY ... TO and ATTACH)."""
    text = str(Path(path).resolve())
    if "\x00" in text or "\n" in text:
        raise UnsafeIdentifierError(f"refusing to use path {text!r} in SQL")
    return "'" + text.replace("'", "''") + "'"


def load_sql(name: str, **identifiers: str) -> str:
    """Read ``orchestration/sql/<name>.sql``, substituting only pre-quoted identifiers/literals.

    Values never go through here: they are bound with ``?`` when the statement runs.
    """
    template = resources.files("orchestration.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return template.format(**identifiers)


def fetch_one(con, sql: str, params: list | None = None) -> tuple | None:
    """First row of a query, reading the whole result.

    DuckDB 2.0 keeps a connection busy while a result is only partly fetched (``fetchone``), and
    refuses the next ``register`` on it; reading to the end leaves the connection free.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
