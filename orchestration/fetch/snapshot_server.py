"""Offline mode: serve the bundled snapshots on 127.0.0.1 so they go through the real fetch code.

Each release is at ``/<source_id>/<release>/<file name>``. A release whose live file is a zip
(``zip_member`` set) is served as a deterministic zip holding the snapshot under the member name, so the
zip handling is exercised offline exactly as live. Responses carry Content-Length, a Content-Type, and
an ETag derived from the served bytes; If-None-Match is honoured with 304.
"""

import contextlib
import hashlib
import io
import threading
import zipfile
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from orchestration.sources import Release, Source, SourcesConfig

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",  # IANA-registered in 2024
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _Payload:
    body: bytes | None  # None: streamed from ``path`` (a large plain file is never held in memory)
    etag: str
    content_type: str
    path: Path | None = None
    size: int = 0

    @property
    def length(self) -> int:
        return len(self.body) if self.body is not None else self.size


# Plain (not zipped) snapshots above this size are hashed and served from disk in blocks.
STREAM_FROM_BYTES = 16 * 1024 * 1024


def served_name(release: Release) -> str:
    """The file name a release is served under: the live zip's name for zip releases, else the snapshot's."""
    if release.zip_member:
        live_name = PurePosixPath(unquote(urlsplit(release.url).path)).name if release.url else ""
        return live_name or f"{PurePosixPath(release.snapshot).stem}.zip"
    return PurePosixPath(release.snapshot).name


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."), DEFAULT_CONTENT_TYPE)


def deterministic_zip(member: str, data: bytes) -> bytes:
    """A zip holding ``data`` as ``member`` whose bytes depend only on the inputs (fixed timestamp)."""
    buffer = io.BytesIO()
    info = zipfile.ZipInfo(member, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(info, data)
    return buffer.getvalue()


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = [part.strip() for part in header.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


class SnapshotServer:
    """Context manager serving every release of ``config`` from ``project_root`` on 127.0.0.1:<free port>.

    Only the snapshots that ``config`` declares are routable, and only from inside ``project_root`` or
    one of ``extra_roots`` (e.g. the folder of a sources file kept outside the project), so a mistaken
    snapshot path cannot turn the server into a reader of arbitrary local files.
    """

    def __init__(self, config: SourcesConfig, project_root: Path, extra_roots: tuple[Path, ...] = ()):
        self._config = config
        self._root = Path(project_root).resolve()
        self._roots = (self._root, *(Path(root).resolve() for root in extra_roots))
        self._routes: dict[str, tuple[Source, Release]] = {}
        for source in config.sources:
            for release in source.releases:
                self._routes[self._path(source.id, release)] = (source, release)
        self._cache: dict[str, _Payload] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _path(source_id: str, release: Release) -> str:
        return f"/{source_id}/{release.release}/{served_name(release)}"

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> "SnapshotServer":
        if self._httpd is not None:
            return self
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.snapshot_server = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="snapshot-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "SnapshotServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("SnapshotServer is not running; use it as a context manager")
        return self._httpd.server_address[1]

    # -- URLs and payloads -----------------------------------------------------------------------------
    def url_for(self, source: Source | str, release: Release | str) -> str:
        """``http://127.0.0.1:<port>/<source_id>/<release>/<url-quoted served file name>``."""
        source_obj = self._config.by_id(source) if isinstance(source, str) else source
        release_obj = source_obj.release_by_label(release) if isinstance(release, str) else release
        path = self._path(source_obj.id, release_obj)
        if path not in self._routes:
            raise KeyError(
                f"release {release_obj.release!r} of {source_obj.id!r} is not in this server's config"
            )
        return f"http://127.0.0.1:{self.port}{quote(path)}"

    def payload(self, path: str) -> _Payload | None:
        """The bytes served at ``path`` (unquoted), built once and cached; None for an unknown path."""
        route = self._routes.get(path)
        if route is None:
            return None
        with self._lock:
            cached = self._cache.get(path)
            if cached is None:
                cached = self._build(*route)
                self._cache[path] = cached
        return cached

    def _build(self, source: Source, release: Release) -> _Payload:
        snapshot = (self._root / release.snapshot).resolve()
        if not any(snapshot.is_relative_to(root) for root in self._roots):
            raise PermissionError(
                f"{source.id} release {release.release}: snapshot path leaves the allowed roots"
            )
        name = served_name(release)
        if not release.zip_member and snapshot.stat().st_size > STREAM_FROM_BYTES:
            # A static file server's validator (as nginx's): modification time and size, so a
            # conditional request on a large unchanged file costs a stat, not a re-hash.
            stat = snapshot.stat()
            size = stat.st_size
            etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
            return _Payload(
                body=None, etag=etag, content_type=content_type_for(name), path=snapshot, size=size
            )
        data = snapshot.read_bytes()
        body = deterministic_zip(release.zip_member, data) if release.zip_member else data
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return _Payload(body=body, etag=etag, content_type=content_type_for(name))


class _Handler(BaseHTTPRequestHandler):
    server_version = "audit-insight-snapshots"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        # Quiet: the fetch layer logs every attempt itself (with redacted URLs).
        return

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _serve(self, *, send_body: bool) -> None:
        server: SnapshotServer = self.server.snapshot_server  # type: ignore[attr-defined]
        path = unquote(urlsplit(self.path).path)
        try:
            payload = server.payload(path)
        except PermissionError:
            self._send_status(HTTPStatus.FORBIDDEN, send_body)
            return
        except OSError:
            self._send_status(HTTPStatus.INTERNAL_SERVER_ERROR, send_body)
            return
        if payload is None:
            self._send_status(HTTPStatus.NOT_FOUND, send_body)
            return
        if _etag_matches(self.headers.get("If-None-Match"), payload.etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", payload.etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", payload.content_type)
        self.send_header("Content-Length", str(payload.length))
        self.send_header("ETag", payload.etag)
        self.end_headers()
        if send_body:
            # The client may give up mid-body (e.g. its size cap); there is nobody left to tell.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if payload.body is not None:
                    self.wfile.write(payload.body)
                else:
                    with payload.path.open("rb") as handle:
                        for block in iter(lambda: handle.read(1 << 20), b""):
                            self.wfile.write(block)

    def _send_status(self, status: HTTPStatus, send_body: bool) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)
