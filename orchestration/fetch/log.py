"""``meta.fetch_log``: one row per HTTP fetch attempt (retries and failures included)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from orchestration.fetch.urls import redact_url

OUTCOMES = ("downloaded", "not_modified", "unchanged", "retry", "error")

FETCH_LOG_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.fetch_log (
    source_id    VARCHAR     NOT NULL,
    release      VARCHAR     NOT NULL,
    url          VARCHAR     NOT NULL,  -- redacted: no userinfo, query values replaced
    http_status  INTEGER,               -- null when no response was received
    bytes        BIGINT      NOT NULL,  -- body bytes received in this attempt
    sha256       VARCHAR,               -- of the file this attempt resolved to, when it resolved to one
    attempted_at TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR     NOT NULL
        CHECK (outcome IN ('downloaded', 'not_modified', 'unchanged', 'retry', 'error')),
    error        VARCHAR                -- short message, null on success
);
"""

_INSERT = (
    "insert into meta.fetch_log (source_id, release, url, http_status, bytes, sha256, attempted_at, outcome, error) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class FetchAttempt:
    source_id: str
    release: str
    url: str
    http_status: int | None
    bytes: int
    sha256: str | None
    attempted_at: datetime
    outcome: str
    error: str | None = None

    def __post_init__(self) -> None:
        # Redact here so no code path can put a query string or credentials into the log.
        object.__setattr__(self, "url", redact_url(self.url))
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown fetch outcome {self.outcome!r}; expected one of {OUTCOMES}")
        if self.attempted_at.tzinfo is None:
            raise ValueError("attempted_at must be timezone-aware (UTC)")
        if self.error is not None and len(self.error) > _MAX_ERROR_CHARS:
            object.__setattr__(self, "error", self.error[: _MAX_ERROR_CHARS - 3] + "...")

    def as_row(self) -> tuple:
        return (
            self.source_id,
            self.release,
            self.url,
            self.http_status,
            self.bytes,
            self.sha256,
            self.attempted_at.astimezone(UTC),
            self.outcome,
            self.error,
        )


def record_attempts(con, attempts: Iterable[FetchAttempt]) -> int:
    """Insert attempts into ``meta.fetch_log`` (created if missing) with bound parameters; return the count.

    ``con`` is a duckdb connection (or cursor). The caller owns the transaction and the connection.
    """
    rows = [attempt.as_row() for attempt in attempts]
    con.execute(FETCH_LOG_DDL)
    if rows:
        con.executemany(_INSERT, rows)
    return len(rows)
