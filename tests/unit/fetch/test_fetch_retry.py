from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from orchestration.fetch.retry import backoff_delay, is_retryable_status, parse_retry_after, retry_delay

NOW = datetime(2024, 7, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        (" 10 ", 10.0),
        ("0", 0.0),
        ("500", 120.0),  # capped
        ("-5", None),
        ("soon", None),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        (format_datetime(NOW + timedelta(days=1), usegmt=True), 120.0),
        ("Mon, 01 Jul 2024 12:00:45 GMT", 45.0),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW, cap_s=120.0) == expected


def test_backoff_doubles_and_is_capped():
    assert [backoff_delay(n, base_s=1.0, cap_s=5.0) for n in range(0, 6)] == [0.0, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_retry_delay_prefers_retry_after():
    assert retry_delay(3, "7", base_s=1.0, cap_s=60.0, now=NOW) == 7.0
    assert retry_delay(3, None, base_s=1.0, cap_s=60.0, now=NOW) == 4.0
    assert retry_delay(1, "garbage", base_s=0.5, cap_s=60.0, now=NOW) == 0.5


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(429, True), (500, True), (503, True), (599, True), (404, False), (403, False), (200, False)],
)
def test_retryable_statuses(status, retryable):
    assert is_retryable_status(status) is retryable
