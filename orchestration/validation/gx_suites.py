"""Run a source's Great Expectations suite (``expectations/<suite>.json``) on one parsed file frame.

GX 1.x: an ephemeral context (no files, no network, no usage statistics, no progress bars), one pandas
data source, one dataframe asset and one whole-dataframe batch definition, created once per process
and reused (creating a context is slow). The result is reduced to a small, frozen
:class:`ValidationReport`; nothing here logs row data (offending values only appear in the report,
for the caller to show in a failure message).
"""

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # imported after the environment above is set
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

SAMPLE_SIZE = 5
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
_MAX_VALUE_CHARS = 80
ROW_COLUMN = "source_row"  # every parser's last column: the row of the published file


class SuiteError(ValueError):
    """An expectation suite file is missing or malformed."""


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None  # the column, "A, B" for a pair, the columns of a compound key, None for the table
    success: bool
    unexpected_count: int | None
    unexpected_sample: tuple[str, ...]  # up to 5 offending values (or what was observed), as strings
    unexpected_rows: tuple[int, ...] = ()  # their source_row (the row in the published file), when known


@dataclass(frozen=True)
class ValidationReport:
    suite_name: str
    success: bool
    evaluated: int
    failed: int
    outcomes: tuple[ExpectationOutcome, ...]

    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    def summary(self, source_id: str, file_name: str) -> str:
        """One message naming the source, the file and each failed expectation with a few values."""
        if self.success:
            return f"{source_id}: {file_name} passed all {self.evaluated} expectations of suite {self.suite_name!r}"
        lines = [
            f"{source_id}: {file_name} failed {self.failed} of {self.evaluated} expectations "
            f"of suite {self.suite_name!r}:"
        ]
        for outcome in self.failures():
            target = f" on {outcome.column!r}" if outcome.column else " on the table"
            count = (
                f"{outcome.unexpected_count} unexpected" if outcome.unexpected_count is not None else "failed"
            )
            sample = f", e.g. {', '.join(outcome.unexpected_sample)}" if outcome.unexpected_sample else ""
            rows = outcome.unexpected_rows
            where = f" (file row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))})" if rows else ""
            lines.append(f"  - {outcome.expectation_type}{target}: {count}{sample}{where}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Context (one per process)

_lock = threading.Lock()
_batch_definition: Any = None


def _get_batch_definition() -> Any:
    global _batch_definition
    with _lock:
        if _batch_definition is None:
            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            source = context.data_sources.add_pandas("audit_insight_frames")
            asset = source.add_dataframe_asset("parsed_file")
            _batch_definition = asset.add_batch_definition_whole_dataframe("whole_file")
        return _batch_definition


def load_suite(expectations_dir: Path, suite_name: str) -> gx.ExpectationSuite:
    """Load ``<expectations_dir>/<suite_name>.json`` (GX 1.x ExpectationSuite serialisation)."""
    path = Path(expectations_dir) / f"{suite_name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"expectation suite {suite_name!r}: file not found at {path}") from None
    except json.JSONDecodeError as exc:
        raise SuiteError(f"expectation suite {suite_name!r}: {path.name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("name") != suite_name:
        found = data.get("name") if isinstance(data, dict) else type(data).__name__
        raise SuiteError(f"expectation suite {suite_name!r}: {path.name} declares name {found!r}")
    _get_batch_definition()  # some GX versions want an active context before building a suite
    try:
        return gx.ExpectationSuite(**data)
    except Exception as exc:  # GX raises pydantic and its own errors for a bad expectation
        raise SuiteError(
            f"expectation suite {suite_name!r}: {path.name} is not a valid GX suite: {exc}"
        ) from None


# --------------------------------------------------------------------------------------------------
# Validation


def _text(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "null"
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_text(v)}" for k, v in value.items()) + ")"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_A") and kwargs.get("column_B"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if kwargs.get("column_list"):
        return ", ".join(str(c) for c in kwargs["column_list"])
    return None


def _sample(
    expectation_type: str, result: dict[str, Any], exception: dict[str, Any] | None
) -> tuple[str, ...]:
    if exception and exception.get("raised_exception"):
        message = str(exception.get("exception_message") or "error while evaluating")
        return (f"error: {message[:200]}",)
    if "partial_unexpected_list" in result:
        return tuple(_text(v) for v in result["partial_unexpected_list"][:SAMPLE_SIZE])
    details = result.get("details") or {}
    if expectation_type == "expect_table_columns_to_match_ordered_list" and details.get("mismatched"):
        return tuple(
            f"position {m.get('Expected Column Position')}: expected {_text(m.get('Expected'))}, "
            f"found {_text(m.get('Found'))}"
            for m in details["mismatched"][:SAMPLE_SIZE]
        )
    if expectation_type == "expect_table_columns_to_match_set" and details.get("mismatched"):
        mismatched = details["mismatched"]
        return tuple(
            [f"missing {_text(c)}" for c in mismatched.get("missing", [])]
            + [f"unexpected {_text(c)}" for c in mismatched.get("unexpected", [])]
        )[:SAMPLE_SIZE]
    if "observed_value" in result:
        return (f"observed {_text(result['observed_value'])}",)
    return ()


def _rows(result: dict[str, Any]) -> tuple[int, ...]:
    """The source_row of each sampled offending value (GX's unexpected index list), in file order."""
    rows = []
    for entry in (result.get("partial_unexpected_index_list") or [])[:SAMPLE_SIZE]:
        value = entry.get(ROW_COLUMN) if isinstance(entry, dict) else None
        with contextlib.suppress(TypeError, ValueError):
            rows.append(int(value))
    return tuple(sorted(set(rows)))


def _outcome(validation_result: Any) -> ExpectationOutcome:
    config = validation_result.expectation_config
    kwargs = dict(config.kwargs)
    expectation_type = config.type
    result = dict(validation_result.result or {})
    exception = validation_result.exception_info
    if isinstance(exception, dict) and "raised_exception" not in exception:
        # some GX versions key exception info by metric; flatten to the first that raised
        raised = [v for v in exception.values() if isinstance(v, dict) and v.get("raised_exception")]
        exception = raised[0] if raised else None
    column = None if expectation_type.startswith("expect_table_") else _column_of(kwargs)
    unexpected = result.get("unexpected_count")
    return ExpectationOutcome(
        expectation_type=expectation_type,
        column=column,
        success=bool(validation_result.success),
        unexpected_count=int(unexpected) if unexpected is not None else None,
        unexpected_sample=() if validation_result.success else _sample(expectation_type, result, exception),
        unexpected_rows=() if validation_result.success else _rows(result),
    )


def validate_frame(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> ValidationReport:
    """Validate one parsed file frame against a suite; never raises for failed expectations."""
    batch = _get_batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result_format = dict(_RESULT_FORMAT)
    if ROW_COLUMN in frame.columns:  # name the file rows of offending values, not only the values
        result_format["unexpected_index_column_names"] = [ROW_COLUMN]
    result = batch.validate(suite, result_format=result_format)
    outcomes = tuple(_outcome(r) for r in result.results)
    failed = sum(1 for o in outcomes if not o.success)
    return ValidationReport(
        suite_name=suite.name,
        success=bool(result.success) and failed == 0,
        evaluated=len(outcomes),
        failed=failed,
        outcomes=outcomes,
    )
