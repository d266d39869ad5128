"""Large files stream through DuckDB: parsed, validated and loaded without ever sitting in pandas.

A national practice-level CVDPREVENT period is ~2.6 million rows (~480 MB of CSV); twenty of them
would not fit the memory budget as pandas frames. For a parser with a DuckDB-native reader (below)
and a file of at least ``AUDIT_INSIGHT_STREAM_MIN_BYTES`` (default 64 MB), ingest
(orchestration/ingest.py) takes this path instead of the pandas one:

1. ``native_select`` maps the published header with the parser's own column table (the same
   ``HeaderColumn`` aliases, so a renamed or missing column is the same ParseError) and returns a
   ``select`` over ``read_csv(all_varchar)`` producing EXACTLY the parser's raw columns.
2. ``check_native`` runs the parser's row checks (blank keys, code shapes, numbers, the period) as one
   aggregate scan and raises ParseError naming file, row and column of the first offender.
3. The source's suite JSON is evaluated as SQL (orchestration/validation/sql_suite.py).
4. ``load.load_relation`` inserts the same select into ``raw.<source>`` with the lineage columns.

DuckDB reads the file in a streaming scan each time (three scans); memory stays bounded by DuckDB's
``memory_limit``. ``source_row`` is the file line (header = line 1), as the pandas parsers give it,
provided no quoted field spans lines (the published files have none).
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.duckdb_utils import build_config, quote_identifier, quote_path_literal
from orchestration.parsers import ParseError, rtt
from orchestration.parsers import cvdprevent as cvdp
from orchestration.parsers.common import ParseContext, map_header, release_date
from orchestration.sources import Release

DEFAULT_STREAM_MIN_BYTES = 64 * 1024 * 1024


def stream_min_bytes() -> int:
    return int(os.environ.get("AUDIT_INSIGHT_STREAM_MIN_BYTES", DEFAULT_STREAM_MIN_BYTES))


@dataclass(frozen=True)
class NativeReader:
    """How one parser's files are read by DuckDB: the select, and the row checks as SQL."""

    select: Callable[[duckdb.DuckDBPyConnection, Path, Release, str], str]
    # (sql predicate, column, message); a predicate may use $labels, the period names bound at run time
    checks: Callable[[Release], list[tuple[str, str, str]]]


def _csv_scan(path: Path, header: list[str]) -> str:
    columns = ", ".join("'" + name.replace("'", "''") + "': 'VARCHAR'" for name in header)
    return (
        f"read_csv({quote_path_literal(path)}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, null_padding = false, columns = {{{columns}}})"
    )


def _header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    names = con.execute(
        f"select * from read_csv({quote_path_literal(path)}, header = true, all_varchar = true) limit 0"  # noqa: S608
    ).description
    return [name for name, *_ in names]


def _mapped_columns(con, ctx: ParseContext, path: Path, columns, ignored) -> tuple[list[str], dict[str, str]]:
    """The file's header and, for each of the parser's columns, the quoted published name to select.
    Header names are the publisher's (mixed case); map_header matches each to a known alias, with the
    pandas parser's errors."""
    header = _header(con, path)
    index = map_header(ctx, header, columns, row=1, ignored=ignored)
    return header, {name: '"' + header[position].replace('"', '""') + '"' for name, position in index.items()}


def _release_columns(ctx: ParseContext, release: Release) -> list[str]:
    """The columns every native reader adds: the release's period, and the file line of each row."""
    period_start = release_date(ctx, release.period_start, "period_start")
    period_end = release_date(ctx, release.period_end, "period_end")
    return [
        f"{_date_literal(period_start)} as period_start",
        f"{_date_literal(period_end)} as period_end",
        "cast(row_number() over () + 1 as bigint) as source_row",
    ]


def _text_checks(specs, codes: dict, *, optional=frozenset()) -> list[tuple[str, str, str]]:
    """A blank in a required text column, and a code that does not have its shape."""
    checks = []
    for spec in specs:
        code = codes.get(spec.output)
        what = code.what if code else "a value"
        if spec.output not in optional and not (code is not None and code.nullable):
            checks.append((f"{spec.output} is null", spec.aliases[0], f"expected {what}, found a blank"))
        if code is not None:
            pattern = code.pattern.pattern.replace("'", "''")
            checks.append(
                (f"not regexp_full_match({spec.output}, '{pattern}')", spec.aliases[0], f"expected {what}")
            )
    return checks


def _date_literal(value) -> str:
    return "timestamp '" + value.strftime("%Y-%m-%d") + "'" if value is not None else "null::timestamp"


def _cvdprevent_select(con: duckdb.DuckDBPyConnection, path: Path, release: Release, source_id: str) -> str:
    ctx = ParseContext.for_path(source_id, path)
    header, column = _mapped_columns(con, ctx, path, cvdp.COLUMNS, cvdp.IGNORED)
    parts = []
    for spec in (*cvdp.TEXT_COLUMNS, *cvdp.NOTE_COLUMNS):
        parts.append(f"nullif(trim({column[spec.output]}), '') as {spec.output}")
    for spec in cvdp.NUMBER_COLUMNS:
        parts.append(f"try_cast(nullif(trim({column[spec.output]}), '') as double) as {spec.output}")
    # the raw text of the checked columns, dropped by the load
    for spec in cvdp.NUMBER_COLUMNS:
        parts.append(f"nullif(trim({column[spec.output]}), '') as _text_{spec.output}")
    factor = f"nullif(trim({column['factor']}), '')" if "factor" in column else "null::varchar"
    parts.append(f"{factor} as _text_factor")
    parts.extend(_release_columns(ctx, release))
    return f"select {', '.join(parts)} from {_csv_scan(path, header)}"  # noqa: S608


def _cvdprevent_checks(release: Release) -> list[tuple[str, str, str]]:
    checks = _text_checks((*cvdp.TEXT_COLUMNS, cvdp.NOTE_COLUMNS[1]), cvdp.CODES)
    for spec in cvdp.NUMBER_COLUMNS:
        checks.append(
            (
                f"_text_{spec.output} is not null and {spec.output} is null",
                spec.aliases[0],
                "expected a number or a blank",
            )
        )
    checks.append(
        (
            "(numerator is null) <> (denominator is null)",
            "Numerator",
            "expected Numerator and Denominator both published or both blank, found only one",
        )
    )
    checks.append(
        (
            "_text_factor is not null",
            "Factor",
            "expected a blank (a factor would change what Value means)",
        )
    )
    checks.append(
        (
            # $labels is bound when the checks run (check_native): the period names never enter the SQL text
            "not list_contains($labels, time_period_name)",
            "TimePeriodName",
            f"expected the release's period {release.period_label!r} (one period per file)",
        )
    )
    return checks


def _whole_number(text: str) -> str:
    """SQL for parse_int without suppression markers: '12', '12.0', '+12', '1,234' -> BIGINT; any
    other text -> NULL (the checks then name it). Patterns, not try_cast: DuckDB's cast would round
    '12.5' to 13 where the parser refuses it."""
    return (
        f"case when {text} is null then null "
        f"when regexp_full_match({text}, '[+-]?[0-9]+') then cast({text} as bigint) "
        f"when regexp_full_match({text}, '[+-]?[0-9]+[.]0*') then cast(split_part({text}, '.', 1) as bigint) "
        f"when regexp_full_match({text}, '[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+') "
        f"then cast(replace({text}, ',', '') as bigint) end"
    )


def _rtt_select(con: duckdb.DuckDBPyConnection, path: Path, release: Release, source_id: str) -> str:
    """The RTT full extract CSV (the publisher's zip member; the bundled xlsb stays on the pandas
    parser) as rtt.parse_rtt_full_extract's columns: text trimmed, counts as BIGINT (waits over 52
    weeks the sum of the published bands from 52 weeks up, NULL only when all are blank)."""
    ctx = ParseContext.for_path(source_id, path)
    if Path(path).suffix.lower() != ".csv":
        raise ctx.error("the DuckDB reader takes the CSV full extract only")
    header, column = _mapped_columns(con, ctx, path, rtt.COLUMNS, rtt.IGNORED)
    text = {name: f"nullif(trim({column[name]}), '')" for name in column}
    parts = [f"{text[spec.output]} as {spec.output}" for spec in rtt.TEXT_COLUMNS]
    bands = ", ".join(_whole_number(text[spec.output]) for spec in rtt.OVER_52_BANDS)
    parts.append(f"cast(list_sum([{bands}]) as bigint) as waits_over_52_weeks")
    for spec in (rtt.BAND_51_52, *rtt.TOTAL_COLUMNS):
        parts.append(f"{_whole_number(text[spec.output])} as {spec.output}")
    # the raw text of every count column, for the checks (dropped by the load)
    for spec in (rtt.BAND_51_52, *rtt.OVER_52_BANDS, *rtt.TOTAL_COLUMNS):
        parts.append(f"{text[spec.output]} as _text_{spec.output}")
        parts.append(f"{_whole_number(text[spec.output])} as _count_{spec.output}")
    parts.extend(_release_columns(ctx, release))
    return f"select {', '.join(parts)} from {_csv_scan(path, header)}"  # noqa: S608


def _rtt_checks(release: Release) -> list[tuple[str, str, str]]:
    checks = _text_checks(rtt.TEXT_COLUMNS, rtt.CODES, optional=rtt.OPTIONAL_TEXT)
    for spec in (rtt.BAND_51_52, *rtt.OVER_52_BANDS, *rtt.TOTAL_COLUMNS):
        checks.append(
            (
                f"_text_{spec.output} is not null and _count_{spec.output} is null",
                spec.aliases[0],
                "expected a whole number or a blank",
            )
        )
    checks.append(
        (
            # $period_start is bound when the checks run (check_native), like $labels
            "try_strptime(regexp_extract(period_label, '^RTT-([A-Za-z]+)-([0-9]{4})$', 1) || ' ' || "
            "regexp_extract(period_label, '^RTT-([A-Za-z]+)-([0-9]{4})$', 2), '%B %Y') "
            "is distinct from $period_start",
            "Period",
            "expected the release's month as 'RTT-<Month>-<YYYY>' (period_start in sources.yml)",
        )
    )
    return checks


NATIVE_READERS: dict[str, NativeReader] = {
    "cvdprevent_raw_data_csv": NativeReader(_cvdprevent_select, _cvdprevent_checks),
    "rtt_full_extract": NativeReader(_rtt_select, _rtt_checks),
}


def streams(parser_name: str, path: Path) -> bool:
    """True when this file takes the DuckDB path: a native reader exists, the file is large, and it is
    a CSV (the readers are DuckDB's read_csv; workbooks stay on the pandas parsers)."""
    return (
        parser_name in NATIVE_READERS
        and Path(path).suffix.lower() == ".csv"
        and Path(path).stat().st_size >= stream_min_bytes()
    )


def connect_scratch() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config=build_config())


def native_select(
    con: duckdb.DuckDBPyConnection, parser_name: str, path: Path, release: Release, source_id: str
) -> str:
    """The file as a DuckDB select with the parser's raw columns (plus ``_text_*`` helper columns)."""
    return NATIVE_READERS[parser_name].select(con, Path(path), release, source_id)


def output_columns(parser_name: str) -> tuple[str, ...]:
    return {"cvdprevent_raw_data_csv": cvdp.OUTPUT_COLUMNS, "rtt_full_extract": rtt.OUTPUT_COLUMNS}[
        parser_name
    ]


def raw_select(con, parser_name: str, path: Path, release: Release, source_id: str) -> str:
    """The select of exactly the raw-table columns, in contract order."""
    inner = native_select(con, parser_name, path, release, source_id)
    columns = ", ".join(quote_identifier(c) for c in output_columns(parser_name))
    return f"(select {columns} from ({inner}))"  # noqa: S608


def stage_native(
    con: duckdb.DuckDBPyConnection,
    parser_name: str,
    path: Path,
    release: Release,
    source_id: str,
    staged: Path,
) -> int:
    """Parse the file once into a Parquet file (the parser's columns, ``_text_*`` helpers and
    ``source_row``): the checks, the suite and the load then read typed columns instead of CSV text.
    Returns the number of rows written."""
    select = native_select(con, parser_name, path, release, source_id)
    written = con.execute(
        "copy (" + select + ") to " + quote_path_literal(staged) + " (format parquet, compression zstd)"
    ).fetchall()[0]
    return int(written[0])


def stage_frame(frame, staged: Path) -> str:
    """Write a validated pandas frame to Parquet through DuckDB (so its columns keep exactly the types
    DuckDB gives the frame, as ``load_frame`` would) and return the select that loads it."""
    with connect_scratch() as con:
        con.register("validated_rows", frame)
        target = quote_path_literal(staged)  # a path COPY cannot bind: quoted in one place
        con.execute("copy validated_rows to " + target + " (format parquet, compression zstd)")
    return "(select * from " + staged_scan(staged) + ")"  # noqa: S608 (a quoted path, no values)


def staged_scan(staged: Path) -> str:
    """The staged Parquet file as a relation for ``check_native``."""
    return "read_parquet(" + quote_path_literal(staged) + ")"


def staged_select(parser_name: str, staged: Path) -> str:
    """The select of exactly the raw-table columns from the staged file, in contract order."""
    columns = ", ".join(quote_identifier(c) for c in output_columns(parser_name))
    return f"(select {columns} from {staged_scan(staged)})"  # noqa: S608


def check_native(
    con: duckdb.DuckDBPyConnection,
    parser_name: str,
    path: Path,
    release: Release,
    source_id: str,
    *,
    relation: str | None = None,
) -> int:
    """Run the parser's row checks in one scan; raise ParseError at the first offender; return rows.

    ``relation``: the file already read into a table (else the file is scanned)."""
    ctx = ParseContext.for_path(source_id, path)
    inner = relation or f"({native_select(con, parser_name, path, release, source_id)})"
    end = release_date(ctx, release.period_end, "period_end")
    labels = {release.period_label}
    if end is not None:
        labels.add(f"To {end.strftime('%B')} {end.year}")
    start = release_date(ctx, release.period_start, "period_start")
    checks = NATIVE_READERS[parser_name].checks(release)
    aggregates = ", ".join(f"min(source_row) filter (where {predicate})" for predicate, _, _ in checks)
    # release values are bound, never formatted into the SQL; only those some check uses, as DuckDB
    # refuses a parameter the statement does not have
    values = {"labels": sorted(labels), "period_start": start}
    used = {name: value for name, value in values.items() if any(f"${name}" in p for p, _, _ in checks)}
    found = con.execute(
        f"select count(*), {aggregates} from {inner}",  # noqa: S608 (predicates are this module's own)
        used or None,
    ).fetchall()[0]
    rows = int(found[0])
    if rows == 0:
        raise ctx.error("expected rows below the header, found none")
    offenders = [
        (row, column, message) for row, (_, column, message) in zip(found[1:], checks, strict=True) if row
    ]
    if offenders:
        row, column, message = min(offenders, key=lambda item: item[0])
        raise ctx.error(message, row=int(row), column=column)
    return rows


__all__ = [
    "NATIVE_READERS",
    "ParseError",
    "check_native",
    "connect_scratch",
    "raw_select",
    "stage_frame",
    "stage_native",
    "staged_scan",
    "staged_select",
    "streams",
]
