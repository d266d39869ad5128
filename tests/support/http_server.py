"""A programmable loopback HTTP server for fetch and fault tests.

Each path gets a script: a list of :class:`Scripted` responses served in order (the last one repeats
once the list is used up). Every request received is recorded (method, path with query, headers), so a
test can assert what was sent, and that a server was never contacted at all.

    with LoopbackServer() as server:
        server.script("/data.csv", Scripted.with_status(503), Scripted.ok(b"a,b\\n1,2\\n"))
        url = server.url("/data.csv")
        ...
        assert len(server.requests_for("/data.csv")) == 2

Special actions: ``truncate`` (declare a Content-Length larger than the body, then close),
``close`` (close the connection without any response), and ``delay_s`` (wait before answering).
HTTP/1.0 is spoken, so the connection closes after every response (what the truncation action needs).
"""

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Scripted:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    action: str | None = None  # None | "truncate" | "close"
    delay_s: float = 0.0
    declared_length: int | None = None  # Content-Length to send instead of len(body)
    honour_conditional: bool = False  # answer 304 when If-None-Match matches this response's ETag
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    drip_s: float = 0.0  # > 0: send the body one byte at a time, this long apart (a slow-drip server)

    @classmethod
    def ok(
        cls,
        body: bytes,
        *,
        content_type: str = "text/csv",
        etag: str | None = None,
        honour_conditional: bool = False,
        headers: dict[str, str] | None = None,
    ) -> "Scripted":
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if etag is not None:
            all_headers["ETag"] = etag
        return cls(200, all_headers, body, honour_conditional=honour_conditional)

    @classmethod
    def with_status(
        cls, code: int, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> "Scripted":
        return cls(code, dict(headers or {}), body)

    @classmethod
    def redirect(cls, location: str, code: int = 302) -> "Scripted":
        return cls(code, {"Location": location})

    @classmethod
    def truncate(cls, body: bytes, declared_length: int, *, content_type: str = "text/csv") -> "Scripted":
        return cls(
            200, {"Content-Type": content_type}, body, action="truncate", declared_length=declared_length
        )

    @classmethod
    def unsized(cls, body: bytes, *, content_type: str = "text/csv") -> "Scripted":
        return cls(200, {"Content-Type": content_type}, body, send_length=False)

    @classmethod
    def close(cls) -> "Scripted":
        return cls(action="close")

    @classmethod
    def delay(cls, seconds: float, then: "Scripted") -> "Scripted":
        return dataclasses.replace(then, delay_s=seconds)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as sent, query string included
    headers: dict[str, str]

    @property
    def bare_path(self) -> str:
        return urlsplit(self.path).path


def _script_key(path: str) -> str:
    """``/p?b=2&a=1`` -> ``/p?a=1&b=2``: a scripted query matches whatever order the client sends."""
    parts = urlsplit(path)
    if not parts.query:
        return parts.path
    return parts.path + "?" + "&".join(sorted(parts.query.split("&")))


def _etag_matches(header: str | None, etag: str | None) -> bool:
    if not header or not etag:
        return False
    return any(part.strip().removeprefix("W/") == etag for part in header.split(","))


class LoopbackServer:
    """A scripted HTTP server on ``host`` (127.0.0.1 by default; any 127.x address works on Linux)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self._scripts: dict[str, list[Scripted]] = {}
        self._served: dict[str, int] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def __enter__(self) -> "LoopbackServer":
        httpd = ThreadingHTTPServer((self.host, 0), _Handler)
        httpd.daemon_threads = True
        httpd.loopback = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="loopback-server", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._httpd is not None, "use LoopbackServer as a context manager"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- scripting -----------------------------------------------------------------------------------------
    def script(self, path: str, *responses: Scripted) -> "LoopbackServer":
        """Serve ``responses`` in order at ``path``; the last one repeats.

        A ``path`` without a query string answers whatever the query; one with a query string (e.g.
        ``/indicator/list?timePeriodID=1&systemLevelID=2``) answers only that query (in any order),
        and is preferred over the bare path.
        """
        if not responses:
            raise ValueError("give at least one response")
        key = _script_key(path)
        with self._lock:
            self._scripts[key] = list(responses)
            self._served[key] = 0
        return self

    def next_response(self, path: str) -> Scripted | None:
        with self._lock:
            script = self._scripts.get(path)
            if script is None:
                return None
            index = self._served[path]
            self._served[path] = index + 1
            return script[min(index, len(script) - 1)]

    # -- what was received ------------------------------------------------------------------------------
    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.bare_path == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args) -> None:
        return  # keep test output clean

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def _handle(self, *, send_body: bool) -> None:
        server: LoopbackServer = self.server.loopback  # type: ignore[attr-defined]
        server.record(RecordedRequest(self.command, self.path, dict(self.headers.items())))
        response = server.next_response(_script_key(self.path)) or server.next_response(
            urlsplit(self.path).path
        )
        if response is None:
            response = Scripted.with_status(404, body=b"not found\n", headers={"Content-Type": "text/plain"})
        if response.delay_s:
            time.sleep(response.delay_s)
        if response.action == "close":
            self.close_connection = True
            return  # no status line at all: the client sees the connection drop
        etag = response.headers.get("ETag")
        if response.honour_conditional and _etag_matches(self.headers.get("If-None-Match"), etag):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        length = response.declared_length if response.declared_length is not None else len(response.body)
        if response.send_length and "Content-Length" not in response.headers:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if send_body and response.body:
            try:
                if response.drip_s:
                    for index in range(len(response.body)):
                        self.wfile.write(response.body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(response.drip_s)
                self.wfile.write(b"" if response.drip_s else response.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client stopped reading (size cap, HTML sniffing): expected in tests
        if response.action == "truncate":
            self.close_connection = True
