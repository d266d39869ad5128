"""Fetch one release over HTTP(S) into the immutable raw store.

One call of :func:`fetch_release` = up to ``1 + settings.max_retries`` attempts. Each attempt follows
redirects itself (so every hop is checked against the scheme and host policy before it is requested),
streams the body to a temp file while hashing and capping it, and the result is committed under a
content-addressed name. Every attempt is returned as a :class:`FetchAttempt` for ``meta.fetch_log``.
"""

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin

import requests

from orchestration.fetch.errors import FetchError, FetchProblem
from orchestration.fetch.log import FetchAttempt
from orchestration.fetch.retry import is_retryable_status, retry_delay
from orchestration.fetch.snapshot_server import SnapshotServer
from orchestration.fetch.sniff import (
    SNIFF_BYTES,
    expected_description,
    format_mismatch,
    is_html_content_type,
    looks_like_html,
    media_type,
    raw_extension,
)
from orchestration.fetch.store import (
    CHUNK,
    RawStoreConflict,
    commit_file,
    discard,
    member_file_name,
    raw_file_name,
    read_state,
    temp_file,
    update_state,
)
from orchestration.fetch.urls import (
    LOOPBACK_HOSTS,
    RedactQueryFilter,
    check_url,
    redact_url,
    url_host,
    url_identity,
)
from orchestration.fetch.zips import ZipMemberError, check_member_name, extract_member
from orchestration.settings import OFFLINE, Settings
from orchestration.sources import Release, Source

log = logging.getLogger(__name__)
# urllib3 logs each request line, query string included, at DEBUG: redact it like our own lines.
_URLLIB3_LOG = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, RedactQueryFilter) for f in _URLLIB3_LOG.filters):
    _URLLIB3_LOG.addFilter(RedactQueryFilter())

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _package_version() -> str:
    try:
        return metadata.version("audit-insight")
    except metadata.PackageNotFoundError:
        return "0.0.0"


USER_AGENT = f"audit-insight/{_package_version()} (+https://github.com/audit-insight)"


@dataclass(frozen=True)
class FetchResult:
    source_id: str
    release: str
    url_redacted: str
    outcome: str  # downloaded | not_modified | unchanged
    raw_path: Path
    data_path: Path  # the extracted member for zip releases, else raw_path
    sha256: str  # of the raw file
    bytes: int  # size of the raw file
    fetched_at: (
        datetime  # when the bytes in raw_path were downloaded (earlier run for not_modified/unchanged)
    )
    attempts: tuple[FetchAttempt, ...]


@dataclass(frozen=True)
class _Body:
    temp: Path
    sha256: str
    bytes: int
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class _NotModified:
    pass


def _now() -> datetime:
    return datetime.now(UTC)


# -- policy ------------------------------------------------------------------------------------------------
def _serves_from_bundle(release: Release, settings: Settings) -> bool:
    return settings.mode == OFFLINE or release.archived


def allowed_hosts_for(source: Source, settings: Settings, release: Release | None = None) -> set[str]:
    """``source.allowed_hosts``, plus 127.0.0.1 / localhost in offline mode or for an archived release
    (which both modes read from the bundle through the snapshot server)."""
    hosts = {host.lower() for host in source.allowed_hosts}
    if settings.mode == OFFLINE or (release is not None and release.archived):
        hosts |= LOOPBACK_HOSTS
    return hosts


def resolve_url(
    source: Source, release: Release, settings: Settings, snapshot_server: SnapshotServer | None
) -> str:
    """The URL to fetch: the live URL in live mode, the snapshot server's otherwise (always for archived)."""
    if settings.mode != OFFLINE and not release.archived:
        assert release.url is not None  # guaranteed by Release validation for non-archived releases
        return release.url
    if snapshot_server is None:
        why = "in offline mode" if settings.mode == OFFLINE else "for an archived release"
        raise FetchError(
            source.id,
            release.release,
            "(bundled snapshot)",
            f"needs the snapshot server {why}, and none was given",
        )
    return snapshot_server.url_for(source, release)


# -- one attempt ---------------------------------------------------------------------------------------------
def _describe_exception(exc: BaseException) -> str:
    """A short cause without the URL (requests puts the full URL, query string included, in its messages)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read timeout"
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return f"{type(exc).__name__}: {current.strerror.lower()}"
        nested = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = nested or getattr(current, "reason", None) or current.__cause__ or current.__context__
        if current is not None and not isinstance(current, BaseException):
            current = None
    return type(exc).__name__


def _bytes_read_before_break(exc: BaseException) -> int:
    """Bytes urllib3 had read when the body broke off (it buffers, so more than we were handed)."""
    pending = [exc]
    while pending:
        current = pending.pop()
        partial = getattr(current, "partial", None)
        if isinstance(partial, int):
            return partial
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return 0


class _Deadline:
    """Cut the connection when an attempt runs past ``settings.download_deadline_s``.

    The read timeout only bounds the gap between two packets, so a server dripping a byte a second
    would hold a download open for days; this watchdog shuts the socket down under the blocked read,
    which then fails at once and is reported as over the deadline.
    """

    def __init__(self, response: requests.Response, seconds: float):
        self.fired = False
        self._response = response
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            sock = self._response.raw._fp.fp.raw._sock  # urllib3 -> http.client -> socket
            sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            self._response.close()

    def cancel(self) -> None:
        self._timer.cancel()


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


class _Attempt:
    """One attempt: the redirect chain and, on a 200, the streamed body. Raises FetchProblem on failure."""

    def __init__(
        self, *, source, release, settings, session, source_dir, conditional, allowed, loopback_http
    ):
        self.source: Source = source
        self.release: Release = release
        self.settings: Settings = settings
        self.session: requests.Session = session
        self.source_dir: Path = source_dir
        self.conditional: dict[str, str] = conditional
        self.allowed = allowed
        self.loopback_http = loopback_http
        self.expected = expected_description(source, release)
        self.last_status: int | None = None

    def run(self, url: str) -> _Body | _NotModified:
        self.started = time.monotonic()
        seen = {url}
        current = url
        verify = self.session.verify if isinstance(self.session.verify, str) else True  # never False
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "*/*",
            "Accept-Encoding": "identity",
            **self.conditional,
        }
        for hop in range(MAX_REDIRECTS + 1):
            try:
                response = self.session.get(
                    current,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                    timeout=(self.settings.connect_timeout_s, self.settings.read_timeout_s),
                    verify=verify,
                )
            except requests.exceptions.RequestException as exc:
                raise FetchProblem(
                    f"could not be fetched: {_describe_exception(exc)}", retryable=True
                ) from None
            with response:
                status = response.status_code
                self.last_status = status
                if status in REDIRECT_STATUSES:
                    current = self._next_hop(current, response, seen, hop)
                    continue
                if status == 304:
                    if self.conditional:
                        return _NotModified()
                    raise FetchProblem(
                        "returned 304 Not Modified to a request without validators", http_status=status
                    )
                if is_retryable_status(status):
                    raise FetchProblem(
                        f"returned HTTP {status} {response.reason or ''}".rstrip(),
                        retryable=True,
                        http_status=status,
                        retry_after=response.headers.get("Retry-After"),
                    )
                if status != 200:
                    raise FetchProblem(
                        f"returned HTTP {status} {response.reason or ''}".rstrip()
                        + f" where {self.expected} was expected",
                        http_status=status,
                    )
                return self._stream(response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _next_hop(self, current: str, response: requests.Response, seen: set[str], hop: int) -> str:
        status = response.status_code
        location = response.headers.get("Location")
        if not location:
            raise FetchProblem(f"returned redirect {status} without a Location header", http_status=status)
        target = urljoin(current, location.strip())
        reason = check_url(target, allowed_hosts=self.allowed, allow_loopback_http=self.loopback_http)
        if reason:
            raise FetchProblem(
                f"redirected to {redact_url(target)}, which is refused: it {reason}", http_status=status
            )
        if target in seen:
            raise FetchProblem(f"redirect loop: {redact_url(target)} was already visited", http_status=status)
        if hop >= MAX_REDIRECTS:
            raise FetchProblem(f"redirected more than {MAX_REDIRECTS} times", http_status=status)
        seen.add(target)
        return target

    def _too_slow(self, received: int) -> FetchProblem:
        deadline = self.settings.download_deadline_s
        return FetchProblem(
            f"was too slow: {received} bytes received in {time.monotonic() - self.started:.1f} s, over the "
            f"download deadline of {deadline:g} s (AUDIT_INSIGHT_DOWNLOAD_DEADLINE_S)",
            retryable=True,
            http_status=200,
            bytes_read=received,
        )

    def _check_format(self, content_type: str | None, head: bytes) -> None:
        mismatch = format_mismatch(raw_extension(self.source, self.release), content_type, head)
        if mismatch:
            raise FetchProblem(
                f"returned {mismatch} where {self.expected} was expected", http_status=self.last_status
            )

    def _refuse_html(self, why: str) -> FetchProblem:
        return FetchProblem(
            f"returned an HTML page ({why}) where {self.expected} was expected", http_status=self.last_status
        )

    def _stream(self, response: requests.Response) -> _Body:
        source = self.source
        max_bytes = source.max_bytes
        content_type = response.headers.get("Content-Type")
        allow_html = source.format == "html"  # no source is html today; kept so the check reads as intended
        if not allow_html and is_html_content_type(content_type):
            raise self._refuse_html(media_type(content_type))
        declared = _content_length(response)
        if declared is not None and declared > max_bytes:
            raise FetchProblem(
                f"is too large: Content-Length {declared} bytes exceeds the size cap of {max_bytes} bytes "
                "(max_bytes in sources.yml)",
                http_status=200,
            )
        encoded = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
        digest = hashlib.sha256()
        received = 0
        head = b""
        sniffed = False
        temp: Path | None = None
        deadline = _Deadline(response, self.settings.download_deadline_s - (time.monotonic() - self.started))
        try:
            with temp_file(self.source_dir, self.release.release) as out:
                temp = Path(out.name)
                try:
                    for chunk in response.iter_content(CHUNK):
                        if not chunk:
                            continue
                        received += len(chunk)
                        if received > max_bytes:
                            raise FetchProblem(
                                f"is too large: the body exceeds the size cap of {max_bytes} bytes "
                                "(max_bytes in sources.yml)",
                                http_status=200,
                                bytes_read=received,
                            )
                        if not sniffed:
                            head += chunk[: SNIFF_BYTES - len(head)]
                            if len(head) >= SNIFF_BYTES:
                                sniffed = True
                                if not allow_html and looks_like_html(head):
                                    raise self._refuse_html("the body starts with an HTML tag")
                                self._check_format(content_type, head)
                        digest.update(chunk)
                        out.write(chunk)
                except requests.exceptions.ChunkedEncodingError as exc:
                    if deadline.fired:
                        raise self._too_slow(received) from None
                    received = max(received, _bytes_read_before_break(exc))
                    expected = f" of {declared}" if declared is not None else ""
                    raise FetchProblem(
                        f"was truncated: received {received}{expected} bytes before the connection broke",
                        retryable=True,
                        http_status=200,
                        bytes_read=received,
                    ) from None
                except requests.exceptions.RequestException as exc:
                    if deadline.fired:
                        raise self._too_slow(received) from None
                    raise FetchProblem(
                        f"failed while downloading: {_describe_exception(exc)}",
                        retryable=True,
                        http_status=200,
                        bytes_read=received,
                    ) from None
                if deadline.fired:
                    raise self._too_slow(received)
                out.flush()
                os.fsync(out.fileno())
            if received == 0:
                raise FetchProblem(
                    f"returned an empty body where {self.expected} was expected", http_status=200
                )
            if not sniffed and not allow_html and looks_like_html(head):
                raise self._refuse_html("the body starts with an HTML tag")
            if not sniffed:
                self._check_format(content_type, head)
            if declared is not None and not encoded and received != declared:
                raise FetchProblem(
                    f"was truncated: received {received} of {declared} bytes (Content-Length)",
                    retryable=True,
                    http_status=200,
                    bytes_read=received,
                )
        except BaseException:
            discard(temp)
            raise
        finally:
            deadline.cancel()
        assert temp is not None
        return _Body(
            temp=temp,
            sha256=digest.hexdigest(),
            bytes=received,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


# -- the public entry point ------------------------------------------------------------------------------------
def fetch_release(
    source: Source,
    release: Release,
    *,
    settings: Settings,
    url: str,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch ``url`` (from :func:`resolve_url`) for ``release`` of ``source`` into the raw store.

    Returns the outcome "downloaded", "not_modified" (304 to our validators) or "unchanged" (a 200 whose
    bytes hash to the stored file's). Raises :class:`FetchError` (with ``.attempts``) otherwise.
    """
    url_redacted = redact_url(url)
    attempts: list[FetchAttempt] = []

    def record(outcome: str, *, status=None, received=0, sha=None, error=None, at=None) -> None:
        attempts.append(
            FetchAttempt(
                source_id=source.id,
                release=release.release,
                url=url,
                http_status=status,
                bytes=received,
                sha256=sha,
                attempted_at=at or _now(),
                outcome=outcome,
                error=error,
            )
        )

    def fail(reason: str, **fields) -> FetchError:
        record("error", error=reason, **fields)
        log.error("fetch %s release %s: %s %s", source.id, release.release, url_redacted, reason)
        return FetchError(source.id, release.release, url_redacted, reason, attempts)

    allowed = allowed_hosts_for(source, settings, release)
    loopback_http = _serves_from_bundle(release, settings)
    refused = check_url(url, allowed_hosts=allowed, allow_loopback_http=loopback_http)
    if refused:
        raise fail(f"is refused before any request: it {refused}")
    if release.zip_member:
        try:
            check_member_name(release.zip_member)
        except ZipMemberError as exc:
            raise fail(str(exc)) from None

    source_dir = settings.raw_dir / source.id
    source_dir.mkdir(parents=True, exist_ok=True)
    ext = raw_extension(source, release)
    prior = read_state(source_dir).get(release.release)
    conditional = _conditional_headers(prior, source_dir, url)

    owned_session = session is None
    if session is None:
        session = requests.Session()
        # Environment proxies and ~/.netrc must not apply to the loopback snapshot server; live fetches
        # keep them (an NHS network may need its proxy).
        session.trust_env = url_host(url) not in LOOPBACK_HOSTS
    attempt = _Attempt(
        source=source,
        release=release,
        settings=settings,
        session=session,
        source_dir=source_dir,
        conditional=conditional,
        allowed=allowed,
        loopback_http=loopback_http,
    )
    try:
        total = settings.max_retries + 1
        for number in range(1, total + 1):
            started = _now()
            try:
                answer = attempt.run(url)
                if isinstance(answer, _NotModified):
                    stored = _not_modified(source, release, source_dir, prior, started)
                else:
                    stored = _store_body(
                        source, release, url_redacted, source_dir, ext, prior, answer, started
                    )
            except FetchProblem as problem:
                fields = {"status": problem.http_status, "received": problem.bytes_read, "at": started}
                if problem.retryable and number < total:
                    delay = retry_delay(
                        number,
                        problem.retry_after,
                        base_s=settings.backoff_base_s,
                        cap_s=settings.max_retry_after_s,
                        now=_now(),
                    )
                    record("retry", error=problem.reason, **fields)
                    log.warning(
                        "fetch %s release %s: %s %s; retry %d of %d in %.1f s",
                        source.id, release.release, url_redacted, problem.reason, number, total - 1, delay,
                    )  # fmt: skip
                    sleep(delay)
                    continue
                reason = problem.reason
                if problem.retryable and total > 1:
                    reason = f"{reason} (gave up after {total} attempts)"
                raise fail(reason, sha=problem.sha256, **fields) from None
            record(
                stored.outcome,
                status=stored.http_status,
                received=stored.received,
                sha=stored.sha256,
                at=started,
            )
            log.info(
                "fetch %s release %s: %s %s (%d bytes)",
                source.id, release.release, url_redacted, stored.outcome, stored.received,
            )  # fmt: skip
            return FetchResult(
                source_id=source.id,
                release=release.release,
                url_redacted=url_redacted,
                outcome=stored.outcome,
                raw_path=stored.raw_path,
                data_path=stored.data_path,
                sha256=stored.sha256,
                bytes=stored.raw_path.stat().st_size,
                fetched_at=stored.fetched_at,
                attempts=tuple(attempts),
            )
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
    finally:
        if owned_session:
            session.close()


@dataclass(frozen=True)
class _Stored:
    outcome: str
    http_status: int
    received: int  # body bytes received in the final attempt
    sha256: str
    raw_path: Path
    data_path: Path
    fetched_at: datetime


def _conditional_headers(prior: dict | None, source_dir: Path, url: str) -> dict[str, str]:
    """Validators to send: only when we stored this release from the same resource and still hold the file."""
    raw_file = (prior or {}).get("raw_file")
    # The name must be a plain file name in this folder (the state file is ours, but a 304 hands it on).
    if (
        not isinstance(raw_file, str)
        or Path(raw_file).name != raw_file
        or not (source_dir / raw_file).is_file()
    ):
        return {}
    if url_identity(prior.get("url_redacted") or "") != url_identity(redact_url(url)):
        return {}
    headers = {}
    if prior.get("etag"):
        headers["If-None-Match"] = prior["etag"]
    if prior.get("last_modified"):
        headers["If-Modified-Since"] = prior["last_modified"]
    return headers


def _parse_time(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed and parsed.tzinfo else None


def _member_path(source: Source, release: Release, source_dir: Path, raw_name: str, zip_file: Path) -> Path:
    """Where a zip release's member lives, extracting it from ``zip_file`` if it is not there yet.

    Extraction errors become a non-retryable FetchProblem (the same bytes would fail the same way).
    """
    assert release.zip_member is not None
    data_path = source_dir / member_file_name(raw_name, release.zip_member)
    if not data_path.is_file():
        try:
            extract_member(zip_file, release.zip_member, data_path, max_bytes=source.max_bytes)
        except (ZipMemberError, RawStoreConflict) as exc:
            raise FetchProblem(str(exc), http_status=200) from None
    return data_path


def _not_modified(
    source: Source, release: Release, source_dir: Path, prior: dict, started: datetime
) -> _Stored:
    raw_path = source_dir / prior["raw_file"]
    data_path = raw_path
    if release.zip_member:
        data_path = _member_path(source, release, source_dir, raw_path.name, raw_path)
    return _Stored(
        outcome="not_modified",
        http_status=304,
        received=0,
        sha256=prior.get("sha256") or "",
        raw_path=raw_path,
        data_path=data_path,
        fetched_at=_parse_time(prior.get("fetched_at")) or started,
    )


def _store_body(
    source: Source,
    release: Release,
    url_redacted: str,
    source_dir: Path,
    ext: str,
    prior: dict | None,
    body: _Body,
    started: datetime,
) -> _Stored:
    """Commit a downloaded body to the raw store (never overwriting) and record it in the state file."""
    raw_name = raw_file_name(release.release, body.sha256, ext)
    raw_path = source_dir / raw_name
    try:
        # A zip is checked and its member extracted from the temp file first, so a zip without the member
        # never enters the store.
        data_path = raw_path
        if release.zip_member:
            data_path = _member_path(source, release, source_dir, raw_name, body.temp)
        try:
            commit_file(body.temp, raw_path, body.sha256)
        except RawStoreConflict as exc:
            raise FetchProblem(str(exc), http_status=200) from None
    except FetchProblem as problem:
        problem.bytes_read = body.bytes
        problem.sha256 = body.sha256
        raise
    finally:
        discard(body.temp)
    unchanged = bool(prior) and prior.get("sha256") == body.sha256
    # For "unchanged" the stored bytes are the ones fetched earlier: keep that time as their lineage.
    fetched_at = (_parse_time(prior.get("fetched_at")) if unchanged else None) or started
    update_state(
        source_dir,
        release.release,
        {
            "url_redacted": url_redacted,
            "etag": body.etag,
            "last_modified": body.last_modified,
            "sha256": body.sha256,
            "raw_file": raw_name,
            "data_file": data_path.name,
            "fetched_at": fetched_at.isoformat(),
        },
    )
    return _Stored(
        outcome="unchanged" if unchanged else "downloaded",
        http_status=200,
        received=body.bytes,
        sha256=body.sha256,
        raw_path=raw_path,
        data_path=data_path,
        fetched_at=fetched_at,
    )
