"""Pure URL helpers: redaction for logs and the scheme / host policy checked on every hop."""

import logging
import re
from urllib.parse import urlsplit, urlunsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
REDACTED = "<redacted>"
# Query keys are kept (they tell a reader which download variant was asked for); anything that does not
# look like a plain parameter name could itself be a token, so it is redacted too.
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,40}$")


def url_host(url: str) -> str:
    """Lower-case host name of ``url`` without port or trailing dot ("" when there is none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def redact_url(url: str) -> str:
    """The URL safe to log: no userinfo, no fragment, query values replaced by ``<redacted>``.

    ``https://user:pw@host/p?format=csv&key=abc`` -> ``https://host/p?format=<redacted>&key=<redacted>``.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return REDACTED
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal: keep its brackets
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    query_items = []
    for item in parts.query.split("&"):
        if not item:
            continue
        key = item.split("=", 1)[0]
        query_items.append(f"{key}={REDACTED}" if _PLAIN_KEY.match(key) else REDACTED)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(query_items), ""))


_QUERY_VALUE = re.compile(r"([?&][^=&#\s\"']+)=[^&#\s\"']*")


def redact_text(text: str) -> str:
    """Every query value in free text (a log line) replaced: ``GET /p?token=abc`` -> ``GET /p?token=<redacted>``."""
    return _QUERY_VALUE.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


class RedactQueryFilter(logging.Filter):
    """Redact query values in another library's log lines (urllib3 logs every request line at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def url_identity(url: str) -> tuple[str, str]:
    """(host, path) of a URL: the resource validators (ETag, Last-Modified) belong to.

    The port is left out on purpose: the offline snapshot server listens on a new port each run and
    its validators stay valid across runs.
    """
    try:
        return (url_host(url), urlsplit(url).path)
    except ValueError:
        return ("", url)


def check_url(url: str, *, allowed_hosts: set[str] | frozenset[str], allow_loopback_http: bool) -> str | None:
    """Why ``url`` may not be requested, or None when it may.

    https is always required, except plain http to 127.0.0.1 / localhost when ``allow_loopback_http``
    (offline mode, or an archived release served from the bundle). The host must be in ``allowed_hosts``.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    host = url_host(url)
    if scheme not in ("http", "https"):
        return f"uses scheme {scheme!r}; only https is allowed"
    if not host:
        return "has no host"
    if scheme == "http" and not allow_loopback_http:
        return "uses http; only https URLs are fetched in live mode"
    if host not in allowed_hosts:
        return f"has host {host!r}, which is not in the allow-list {sorted(allowed_hosts)}"
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        return f"uses http to host {host!r}; http is only allowed to 127.0.0.1 / localhost"
    return None
