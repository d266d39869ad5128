import pickle
from datetime import UTC, datetime, timedelta, timezone

import duckdb
import pytest

from orchestration.fetch import FETCH_LOG_DDL, FetchAttempt, FetchError, record_attempts

AT = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)


def attempt(**overrides):
    fields = {
        "source_id": "ae_monthly",
        "release": "2024-06",
        "url": "https://www.england.nhs.uk/x/Monthly-AE-June-2024.csv",
        "http_status": 200,
        "bytes": 1234,
        "sha256": "ab" * 32,
        "attempted_at": AT,
        "outcome": "downloaded",
        "error": None,
    }
    fields.update(overrides)
    return FetchAttempt(**fields)


def test_attempt_url_is_always_redacted():
    record = attempt(url="https://user:secret@hub.arcgis.com/api/data?format=csv&token=abc123")
    assert record.url == "https://hub.arcgis.com/api/data?format=<redacted>&token=<redacted>"


def test_attempt_validates_outcome_and_timezone():
    with pytest.raises(ValueError, match="unknown fetch outcome"):
        attempt(outcome="ok")
    with pytest.raises(ValueError, match="timezone-aware"):
        attempt(attempted_at=datetime(2024, 7, 1))
    assert len(attempt(error="x" * 2000).error) == 500


def test_record_attempts_into_duckdb(tmp_path):
    con = duckdb.connect(str(tmp_path / "log.duckdb"))
    rows = [
        attempt(outcome="retry", http_status=503, bytes=0, sha256=None, error="returned HTTP 503"),
        attempt(attempted_at=AT.astimezone(timezone(timedelta(hours=1)))),
        attempt(outcome="error", http_status=None, bytes=0, sha256=None, error="connect timeout"),
    ]
    assert record_attempts(con, rows) == 3
    assert record_attempts(con, []) == 0  # table exists, nothing inserted
    con.execute(FETCH_LOG_DDL)  # idempotent
    stored = con.execute(
        "select outcome, http_status, bytes, sha256, attempted_at, error, url from meta.fetch_log order by outcome"
    ).fetchall()
    con.close()
    assert [row[0] for row in stored] == ["downloaded", "error", "retry"]
    assert stored[0][4] == AT  # the +01:00 time was stored as the same instant
    assert stored[1][1] is None and stored[1][3] is None and stored[1][5] == "connect timeout"
    assert all(row[6].startswith("https://www.england.nhs.uk/") for row in stored)


def test_fetch_log_rejects_unknown_outcomes_at_the_database_too(tmp_path):
    con = duckdb.connect()
    con.execute(FETCH_LOG_DDL)
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into meta.fetch_log values ('s', 'r', 'u', null, 0, null, now(), 'bogus', null)")


def test_fetch_error_message_and_attempts():
    records = (attempt(outcome="error", http_status=200, error="html"),)
    error = FetchError(
        "ae_monthly",
        "2024-06",
        "https://www.england.nhs.uk/.../Monthly-AE-June-2024.csv",
        "returned an HTML page (text/html) where a csv file was expected",
        records,
    )
    assert str(error) == (
        "ae_monthly release 2024-06: https://www.england.nhs.uk/.../Monthly-AE-June-2024.csv "
        "returned an HTML page (text/html) where a csv file was expected"
    )
    assert error.attempts == records
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.attempts == records
