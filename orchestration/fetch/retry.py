"""Pure retry policy: which responses are retried and how long to wait before the next attempt."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429} | set(range(500, 600)))


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES


def parse_retry_after(value: str | None, *, now: datetime, cap_s: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), capped at ``cap_s``.

    None when the header is absent or unreadable (the caller then falls back to exponential backoff).
    A date in the past means "retry now" (0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        seconds = float(int(text))
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:  # HTTP-dates are GMT by definition
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return max(0.0, min(seconds, cap_s))


def backoff_delay(retry_number: int, *, base_s: float, cap_s: float) -> float:
    """Exponential backoff: base, 2*base, 4*base, ... for retry 1, 2, 3, ..., never above ``cap_s``.

    Deterministic on purpose (no jitter): one pipeline fetches a handful of files from each host, so
    there is no thundering herd to spread out, and tests can assert the exact waits.
    """
    if retry_number < 1:
        return 0.0
    return max(0.0, min(base_s * (2 ** (retry_number - 1)), cap_s))


def retry_delay(
    retry_number: int, retry_after: str | None, *, base_s: float, cap_s: float, now: datetime
) -> float:
    """The wait before retry ``retry_number``: the server's Retry-After when it gave one, else backoff."""
    honoured = parse_retry_after(retry_after, now=now, cap_s=cap_s)
    if honoured is not None:
        return honoured
    return backoff_delay(retry_number, base_s=base_s, cap_s=cap_s)
