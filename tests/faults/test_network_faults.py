"""Network faults the issue lists that tests/integration/fetch does not already cover.

Each test runs the real fetch code against the loopback fault server and asserts the clear error
(source, release, redacted URL, cause), that nothing was stored for a refused body, and that a second
server outside the allow-list (127.0.0.2) received no request at all. The faults already covered
elsewhere are listed in docs/reliability.md with their test names.
"""

import time

import duckdb
import pytest

from orchestration.fetch import FetchError, fetch_release
from orchestration.fetch.log import record_attempts
from tests.support.factories import make_settings, make_source
from tests.support.http_server import LoopbackServer, Scripted

pytestmark = pytest.mark.faults

CSV = b"org_code,attendances\nRXX,120\nRYY,98\n"
PATH = "/data/Monthly-Test-June-2024.csv"
SECRET = "s3cretT0ken"
LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>"
    b'<form action="/login" method="post"><input name="user"><input type="password" name="pw">'
    b"</form></body></html>"
)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def not_allowed():
    """A server on a loopback address in no allow-list: every test asserts it was never contacted."""
    with LoopbackServer(host="127.0.0.2") as running:
        running.script("/", Scripted.ok(CSV))
        yield running
        assert running.requests == []


def settings_for(tmp_path, **env):
    return make_settings(tmp_path / "warehouse", **env)


def fetch(source, url, settings):
    return fetch_release(source, source.releases[0], settings=settings, url=url, sleep=lambda _s: None)


def stored(settings, source_id="test_source"):
    folder = settings.raw_dir / source_id
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("_")) if folder.is_dir() else []


def xlsx_source():
    return make_source(
        format="xlsx",
        releases=[
            {
                "release": "2024-06",
                "url": "https://files.example.org/data/Extract-June-2024.xlsx",
                "snapshot": "data/snapshots/test/Extract-June-2024.xlsx",
            }
        ],
    )


def assert_clear(error: FetchError, url_path: str, cause: str) -> None:
    text = str(error)
    assert text.startswith("test_source release 2024-06: http://127.0.0.1:"), text
    assert url_path in text and cause in text, text
    assert SECRET not in text and SECRET not in repr(error.attempts)


# -- slow drip: the whole-download deadline -----------------------------------------------------------------
def test_slow_drip_is_cut_at_the_download_deadline(server, not_allowed, tmp_path):
    settings = settings_for(tmp_path, AUDIT_INSIGHT_DOWNLOAD_DEADLINE_S="1", AUDIT_INSIGHT_MAX_RETRIES="0")
    body = CSV * 20  # 760 bytes at one byte per 20 ms: 15 s if nobody stopped it
    server.script(PATH, Scripted(200, {"Content-Type": "text/csv"}, body, drip_s=0.02))
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH) + f"?token={SECRET}", settings)
    elapsed = time.monotonic() - started

    assert elapsed < 5, f"the deadline did not cut the drip ({elapsed:.1f} s)"
    assert_clear(caught.value, PATH, "was too slow")
    assert "over the download deadline of 1 s (AUDIT_INSIGHT_DOWNLOAD_DEADLINE_S)" in str(caught.value)
    assert [a.outcome for a in caught.value.attempts] == ["error"]
    assert stored(settings) == []  # the partial body was discarded


def test_slow_drip_then_a_normal_answer_succeeds_on_retry(server, not_allowed, tmp_path):
    settings = settings_for(tmp_path, AUDIT_INSIGHT_DOWNLOAD_DEADLINE_S="1", AUDIT_INSIGHT_MAX_RETRIES="1")
    server.script(PATH, Scripted(200, {"Content-Type": "text/csv"}, CSV * 20, drip_s=0.02), Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings)
    assert result.outcome == "downloaded" and result.raw_path.read_bytes() == CSV
    assert [a.outcome for a in result.attempts] == ["retry", "downloaded"]
    assert "was too slow" in result.attempts[0].error


# -- server errors then success ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_then_success_is_retried(server, not_allowed, tmp_path, status):
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.with_status(status), Scripted.with_status(status), Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings)
    assert result.outcome == "downloaded" and result.raw_path.read_bytes() == CSV
    assert [(a.outcome, a.http_status) for a in result.attempts] == [
        ("retry", status),
        ("retry", status),
        ("downloaded", 200),
    ]
    assert len(server.requests_for(PATH)) == 3


# -- a login page instead of data ---------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/csv", "application/octet-stream"])
def test_login_page_instead_of_data_is_refused(server, not_allowed, tmp_path, content_type):
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.ok(LOGIN_PAGE, content_type=content_type))
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH) + f"?token={SECRET}", settings)
    assert_clear(caught.value, PATH, "returned an HTML page")
    assert "where a csv file was expected" in str(caught.value)
    assert len(server.requests) == 1  # not retried: the same page would come back
    assert stored(settings) == []


def test_redirect_to_a_login_page_on_an_allowed_host_is_refused(server, not_allowed, tmp_path):
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.redirect("/login?next=/data"))
    server.script("/login", Scripted.ok(LOGIN_PAGE, content_type="text/html"))
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH), settings)
    assert_clear(caught.value, PATH, "returned an HTML page (text/html) where a csv file was expected")
    assert [r.bare_path for r in server.requests] == [PATH, "/login"]


def test_redirect_to_a_login_page_on_another_host_is_never_followed(server, not_allowed, tmp_path):
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.redirect(not_allowed.url(f"/sso/login?session={SECRET}")))
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH), settings)
    assert_clear(caught.value, PATH, "which is refused: it has host '127.0.0.2'")
    # the not_allowed fixture asserts on exit that 127.0.0.2 received nothing


# -- wrong content type: the bytes decide --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type", "what"),
    [
        (
            b'{"error": "quota exceeded", "status": 403}',
            "application/json",
            "JSON (Content-Type application/json)",
        ),
        (b'[{"org_code": "RXX"}]', "application/json; charset=utf-8", "JSON (Content-Type application/json)"),
        (
            b"PK\x03\x04" + b"\x00" * 200,
            "text/csv",
            "a zip container (xlsx, xlsb or zip) (Content-Type text/csv)",
        ),
        (b"%PDF-1.7\n" + b"x" * 200, "application/pdf", "a PDF document (Content-Type application/pdf)"),
        (
            b"\x00\x01\x02binary" * 20,
            "application/octet-stream",
            "binary data (Content-Type application/octet-stream)",
        ),
    ],
)
def test_a_body_that_cannot_be_csv_is_refused(server, not_allowed, tmp_path, body, content_type, what):
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.ok(body, content_type=content_type))
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH), settings)
    assert_clear(caught.value, PATH, f"returned {what} where a csv file was expected")
    assert len(server.requests) == 1 and stored(settings) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/octet-stream", "application/vnd.ms-excel", "application/json"]
)
def test_a_csv_body_with_an_unusual_label_is_accepted(server, not_allowed, tmp_path, content_type):
    """Publishers label CSV as text/plain, octet-stream or even Excel: the label alone never refuses."""
    settings = settings_for(tmp_path)
    server.script(PATH, Scripted.ok(CSV, content_type=content_type))
    result = fetch(make_source(), server.url(PATH), settings)
    assert result.outcome == "downloaded" and result.raw_path.read_bytes() == CSV


def test_an_xlsx_release_answered_with_csv_text_is_refused(server, not_allowed, tmp_path):
    settings = settings_for(tmp_path)
    path = "/data/Extract-June-2024.xlsx"
    server.script(
        path,
        Scripted.ok(CSV, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    with pytest.raises(FetchError) as caught:
        fetch(xlsx_source(), server.url(path), settings)
    assert_clear(caught.value, path, "returned text (Content-Type application/vnd.openxmlformats")
    assert "where an xlsx file was expected" in str(caught.value)
    assert stored(settings) == []


# -- no secret in logs, fetch log, state file or exception --------------------------------------------------------
def test_a_token_in_the_url_never_reaches_logs_fetch_log_state_or_errors(
    server, not_allowed, tmp_path, caplog
):
    settings = settings_for(tmp_path, AUDIT_INSIGHT_MAX_RETRIES="1")
    caplog.set_level("DEBUG")
    source = make_source()
    query = f"?format=csv&token={SECRET}&api_key={SECRET}"
    server.script(PATH, Scripted.with_status(503), Scripted.ok(CSV))  # a retry warning, then success
    ok = fetch(source, server.url(PATH) + query, settings)
    server.script("/gone.csv", Scripted.with_status(404))
    with pytest.raises(FetchError) as caught:  # an error
        fetch(source, server.url("/gone.csv") + query, settings)
    assert any(SECRET in r.path for r in server.requests)  # the token really was sent to the server

    with duckdb.connect(str(tmp_path / "log.duckdb")) as con:
        record_attempts(con, [*ok.attempts, *caught.value.attempts])
        logged = con.execute("select * from meta.fetch_log").fetchall()
    assert len(logged) == 3
    state = (settings.raw_dir / "test_source" / "_state.json").read_text()
    for text in (
        caplog.text,
        str(caught.value),
        repr(caught.value.attempts),
        repr(logged),
        state,
        ok.url_redacted,
    ):
        assert SECRET not in text
    assert "token=<redacted>" in caplog.text and "token=<redacted>" in repr(logged)
