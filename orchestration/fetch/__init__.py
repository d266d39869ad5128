"""The fetch layer: download a release's file safely into the immutable raw store.

Public API::

    url = resolve_url(source, release, settings, snapshot_server)
    result = fetch_release(source, release, settings=settings, url=url)   # FetchResult or FetchError
    record_attempts(con, result.attempts)                                 # meta.fetch_log

A :class:`FetchError` carries ``.attempts`` too, so failures can be logged before the run fails.
"""

from orchestration.fetch.client import USER_AGENT, FetchResult, allowed_hosts_for, fetch_release, resolve_url
from orchestration.fetch.errors import FetchError
from orchestration.fetch.log import FETCH_LOG_DDL, FetchAttempt, record_attempts
from orchestration.fetch.snapshot_server import SnapshotServer
from orchestration.fetch.urls import redact_url

__all__ = [
    "FETCH_LOG_DDL",
    "USER_AGENT",
    "FetchAttempt",
    "FetchError",
    "FetchResult",
    "SnapshotServer",
    "allowed_hosts_for",
    "fetch_release",
    "record_attempts",
    "redact_url",
    "resolve_url",
]
