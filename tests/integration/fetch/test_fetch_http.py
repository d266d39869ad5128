"""fetch_release against a real loopback HTTP server (real requests, no mocks)."""

import hashlib
import io
import json
import os
import socket
import zipfile

import pytest

from orchestration.fetch import FetchError, fetch_release
from tests.support.factories import make_settings, make_source, zip_source
from tests.support.http_server import LoopbackServer, Scripted

CSV = b"org_code,attendances\nRXX,120\nRYY,98\n"
PATH = "/data/Monthly-Test-June-2024.csv"


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def other_server():
    """A server on a loopback address that is in no allow-list: it must never be contacted."""
    with LoopbackServer(host="127.0.0.2") as running:
        yield running


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "warehouse")


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


def fetch(source, url, settings, sleeps=None, release=None):
    release = release or source.releases[0]
    return fetch_release(
        source, release, settings=settings, url=url, sleep=sleeps if sleeps is not None else Sleeps()
    )


def stored_files(settings, source_id="test_source"):
    folder = settings.raw_dir / source_id
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("_"))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- success and conditional GET --------------------------------------------------------------------------------
def test_download_stores_file_named_by_release_and_hash(server, settings):
    server.script(PATH, Scripted.ok(CSV, etag='"v1"'))
    result = fetch(make_source(), server.url(PATH), settings)

    assert result.outcome == "downloaded"
    assert result.sha256 == sha(CSV)
    assert result.bytes == len(CSV)
    assert result.raw_path == settings.raw_dir / "test_source" / f"2024-06_{sha(CSV)[:12]}.csv"
    assert result.data_path == result.raw_path
    assert result.raw_path.read_bytes() == CSV
    assert stored_files(settings) == [result.raw_path.name]  # no temp files left behind
    assert [a.outcome for a in result.attempts] == ["downloaded"]
    assert result.attempts[0].http_status == 200 and result.attempts[0].sha256 == sha(CSV)

    state = json.loads((settings.raw_dir / "test_source" / "_state.json").read_text())
    entry = state["2024-06"]
    assert entry["etag"] == '"v1"' and entry["sha256"] == sha(CSV)
    assert entry["raw_file"] == entry["data_file"] == result.raw_path.name

    (request,) = server.requests
    assert request.headers["User-Agent"].startswith("audit-insight/")
    assert "If-None-Match" not in request.headers


def test_second_fetch_sends_validators_and_gets_not_modified(server, settings):
    server.script(
        PATH,
        Scripted.ok(
            CSV,
            etag='"v1"',
            honour_conditional=True,
            headers={"Last-Modified": "Mon, 01 Jul 2024 00:00:00 GMT"},
        ),
    )
    source = make_source()
    first = fetch(source, server.url(PATH), settings)
    second = fetch(source, server.url(PATH), settings)

    assert second.outcome == "not_modified"
    assert second.raw_path == first.raw_path and second.sha256 == first.sha256
    assert second.fetched_at == first.fetched_at  # lineage: when these bytes were downloaded
    assert [(a.outcome, a.http_status, a.bytes) for a in second.attempts] == [("not_modified", 304, 0)]
    sent = server.requests[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 01 Jul 2024 00:00:00 GMT"
    assert stored_files(settings) == [first.raw_path.name]


def test_server_ignoring_validators_with_same_bytes_is_unchanged(server, settings):
    server.script(PATH, Scripted.ok(CSV, etag='"v1"'))  # always 200
    source = make_source()
    first = fetch(source, server.url(PATH), settings)
    mtime = first.raw_path.stat().st_mtime_ns
    second = fetch(source, server.url(PATH), settings)

    assert second.outcome == "unchanged"
    assert server.requests[1].headers["If-None-Match"] == '"v1"'
    assert stored_files(settings) == [first.raw_path.name]
    assert first.raw_path.stat().st_mtime_ns == mtime


def test_no_validators_sent_when_raw_file_is_gone(server, settings):
    server.script(PATH, Scripted.ok(CSV, etag='"v1"', honour_conditional=True))
    source = make_source()
    first = fetch(source, server.url(PATH), settings)
    first.raw_path.unlink()  # simulates a lost file: a 304 would point at nothing
    second = fetch(source, server.url(PATH), settings)

    assert "If-None-Match" not in server.requests[1].headers
    assert second.outcome == "unchanged" and second.raw_path.read_bytes() == CSV


def test_new_content_is_stored_beside_the_old(server, settings):
    revised = CSV + b"RZZ,7\n"
    server.script(PATH, Scripted.ok(CSV, etag='"v1"'), Scripted.ok(revised, etag='"v2"'))
    source = make_source()
    first = fetch(source, server.url(PATH), settings)
    second = fetch(source, server.url(PATH), settings)

    assert second.outcome == "downloaded" and second.sha256 == sha(revised)
    assert sorted([first.raw_path.name, second.raw_path.name]) == stored_files(settings)
    assert first.raw_path.read_bytes() == CSV  # the old release file is kept


# -- retries -------------------------------------------------------------------------------------------------------
def test_503_then_success_is_retried_with_backoff(server, settings, sleeps):
    server.script(PATH, Scripted.with_status(503), Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings, sleeps)

    assert result.outcome == "downloaded"
    assert [(a.outcome, a.http_status) for a in result.attempts] == [("retry", 503), ("downloaded", 200)]
    assert "503" in result.attempts[0].error
    assert sleeps == [0.5]  # backoff_base_s


def test_429_honours_retry_after_seconds(server, settings, sleeps):
    server.script(PATH, Scripted.with_status(429, headers={"Retry-After": "2"}), Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings, sleeps)

    assert result.outcome == "downloaded"
    assert sleeps == [2]


def test_retry_after_is_capped(server, settings, sleeps):
    server.script(PATH, Scripted.with_status(503, headers={"Retry-After": "86400"}), Scripted.ok(CSV))
    fetch(make_source(), server.url(PATH), settings, sleeps)
    assert sleeps == [settings.max_retry_after_s]


def test_gives_up_after_max_retries_and_keeps_every_attempt(server, settings, sleeps):
    server.script(PATH, Scripted.with_status(500))
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), server.url(PATH), settings, sleeps)

    error = caught.value
    assert [a.outcome for a in error.attempts] == ["retry", "retry", "error"]
    assert "gave up after 3 attempts" in str(error)
    assert sleeps == [0.5, 1.0]
    assert len(server.requests) == 3


def test_dropped_connection_is_retried(server, settings, sleeps):
    server.script(PATH, Scripted.close(), Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings, sleeps)

    assert result.outcome == "downloaded"
    assert result.attempts[0].outcome == "retry" and result.attempts[0].http_status is None


def test_connection_refused_is_retried_then_reported_without_the_query(settings, sleeps):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused") as caught:
        fetch(make_source(), f"http://127.0.0.1:{port}/x.csv?token=s3cret", settings, sleeps)
    assert [a.outcome for a in caught.value.attempts] == ["retry", "retry", "error"]
    assert all(a.http_status is None for a in caught.value.attempts)
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(caught.value.attempts)


def test_404_is_not_retried(server, settings, sleeps):
    with pytest.raises(
        FetchError, match="returned HTTP 404 Not Found where a csv file was expected"
    ) as caught:
        fetch(make_source(), server.url("/missing.csv"), settings, sleeps)
    assert len(caught.value.attempts) == 1 and sleeps == []


def test_read_timeout_is_an_error(server, tmp_path, sleeps):
    settings = make_settings(tmp_path, AUDIT_INSIGHT_READ_TIMEOUT_S="0.3", AUDIT_INSIGHT_MAX_RETRIES="0")
    server.script(PATH, Scripted.delay(1.0, Scripted.ok(CSV)))
    with pytest.raises(FetchError, match="read timeout"):
        fetch(make_source(), server.url(PATH), settings, sleeps)


# -- bodies that must be refused ---------------------------------------------------------------------------------
def test_truncated_body_is_detected(server, tmp_path, sleeps):
    settings = make_settings(tmp_path, AUDIT_INSIGHT_MAX_RETRIES="1")
    server.script(PATH, Scripted.truncate(CSV[:10], declared_length=len(CSV)))
    with pytest.raises(FetchError, match="truncated") as caught:
        fetch(make_source(), server.url(PATH), settings, sleeps)

    assert f"received 10 of {len(CSV)} bytes" in str(caught.value)
    assert [a.outcome for a in caught.value.attempts] == ["retry", "error"]  # a cut connection is retried
    assert stored_files(settings) == []  # the partial temp file was removed


def test_html_content_type_is_refused(server, settings):
    server.script(PATH, Scripted.ok(b"<p>moved</p>", content_type="text/html; charset=utf-8"))
    url = server.url(PATH)
    with pytest.raises(FetchError) as caught:
        fetch(make_source(), url, settings)
    assert str(caught.value) == (
        f"test_source release 2024-06: {url} returned an HTML page (text/html) where a csv file was expected"
    )
    assert stored_files(settings) == []


def test_html_body_labelled_csv_is_refused(server, settings):
    page = "\ufeff \r\n<!DOCTYPE HTML><html><body>Page not found</body></html>".encode()
    server.script(PATH, Scripted.ok(page, content_type="text/csv"))
    with pytest.raises(FetchError, match="returned an HTML page .* where a csv file was expected"):
        fetch(make_source(), server.url(PATH), settings)


def test_empty_body_is_refused(server, settings):
    server.script(PATH, Scripted.ok(b""))
    with pytest.raises(FetchError, match="empty body"):
        fetch(make_source(), server.url(PATH), settings)


def test_size_cap_against_content_length(server, settings):
    server.script(PATH, Scripted.ok(b"x" * 500))
    with pytest.raises(FetchError, match="Content-Length 500 bytes exceeds the size cap of 100"):
        fetch(make_source(max_bytes=100), server.url(PATH), settings)


def test_size_cap_while_streaming_without_content_length(server, settings):
    server.script(PATH, Scripted.unsized(b"y" * 200_000))
    with pytest.raises(FetchError, match="body exceeds the size cap of 100000") as caught:
        fetch(make_source(max_bytes=100_000), server.url(PATH), settings)
    assert len(caught.value.attempts) == 1  # not retried: the same file would be too big again
    assert stored_files(settings) == []


# -- hosts, schemes and redirects --------------------------------------------------------------------------------
def test_host_not_in_allow_list_is_never_contacted(other_server, settings):
    other_server.script(PATH, Scripted.ok(CSV))
    with pytest.raises(FetchError, match="'127.0.0.2', which is not in the allow-list") as caught:
        fetch(make_source(), other_server.url(PATH), settings)
    assert other_server.requests == []
    assert caught.value.attempts[0].outcome == "error"


def test_redirect_to_disallowed_host_is_refused(server, other_server, settings):
    server.script(PATH, Scripted.redirect(other_server.url("/evil.csv?token=s3cret")))
    other_server.script("/evil.csv", Scripted.ok(CSV))
    with pytest.raises(
        FetchError, match="redirected to http://127.0.0.2:.*/evil.csv.*which is refused"
    ) as caught:
        fetch(make_source(), server.url(PATH), settings)
    assert other_server.requests == []
    assert "s3cret" not in str(caught.value)
    assert caught.value.attempts[0].http_status == 302


def test_redirects_within_the_allow_list_are_followed(server, settings):
    server.script(PATH, Scripted.redirect("/moved/once.csv", 301))
    server.script("/moved/once.csv", Scripted.redirect(f"http://localhost:{server.port}/final.csv", 307))
    server.script("/final.csv", Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH), settings)
    assert result.outcome == "downloaded" and result.raw_path.read_bytes() == CSV
    assert [r.bare_path for r in server.requests] == [PATH, "/moved/once.csv", "/final.csv"]


def test_redirect_loop_is_detected(server, settings):
    server.script("/a", Scripted.redirect("/b"))
    server.script("/b", Scripted.redirect("/a"))
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(make_source(), server.url("/a"), settings)
    assert len(server.requests) == 2


def test_more_than_five_redirects_is_refused(server, settings):
    for hop in range(7):
        server.script(f"/hop{hop}", Scripted.redirect(f"/hop{hop + 1}"))
    with pytest.raises(FetchError, match="redirected more than 5 times"):
        fetch(make_source(), server.url("/hop0"), settings)
    assert len(server.requests) == 6


def test_http_url_is_refused_in_live_mode(server, tmp_path):
    settings = make_settings(tmp_path, AUDIT_INSIGHT_MODE="live")
    server.script(PATH, Scripted.ok(CSV))
    with pytest.raises(FetchError, match="only https URLs are fetched in live mode"):
        fetch(make_source(), server.url(PATH), settings)
    assert server.requests == []


def test_query_values_never_reach_the_attempt_log(server, settings):
    server.script(PATH, Scripted.ok(CSV))
    result = fetch(make_source(), server.url(PATH) + "?format=csv&token=s3cret", settings)
    assert result.url_redacted.endswith(f"{PATH}?format=<redacted>&token=<redacted>")
    assert result.attempts[0].url == result.url_redacted
    assert "s3cret" not in json.dumps(
        json.loads((settings.raw_dir / "test_source" / "_state.json").read_text())
    )


# -- zip releases ---------------------------------------------------------------------------------------------------
def test_zip_member_is_extracted_and_other_members_ignored(server, settings):
    payload = make_zip({"etr.csv": CSV, "readme.txt": b"ignore me", "../escape.csv": b"no"})
    server.script("/etr.zip", Scripted.ok(payload, content_type="application/zip"))
    result = fetch(zip_source(), server.url("/etr.zip"), settings)

    prefix = f"2025-07_{sha(payload)[:12]}"
    assert result.raw_path.name == f"{prefix}.zip" and result.raw_path.read_bytes() == payload
    assert result.data_path.name == f"{prefix}__etr.csv" and result.data_path.read_bytes() == CSV
    assert stored_files(settings) == sorted([result.raw_path.name, result.data_path.name])


def test_zip_not_modified_re_extracts_a_missing_member(server, settings):
    payload = make_zip({"etr.csv": CSV})
    server.script(
        "/etr.zip", Scripted.ok(payload, content_type="application/zip", etag='"z"', honour_conditional=True)
    )
    first = fetch(zip_source(), server.url("/etr.zip"), settings)
    first.data_path.unlink()
    second = fetch(zip_source(), server.url("/etr.zip"), settings)
    assert second.outcome == "not_modified" and second.data_path.read_bytes() == CSV


def test_zip_without_the_member_is_refused_and_not_stored(server, settings):
    server.script("/etr.zip", Scripted.ok(make_zip({"other.csv": CSV}), content_type="application/zip"))
    with pytest.raises(FetchError, match="is a zip without member 'etr.csv' \\(members: 'other.csv'\\)"):
        fetch(zip_source(), server.url("/etr.zip"), settings)
    assert stored_files(settings) == []


def test_zip_bomb_is_refused(server, settings):
    bomb = make_zip({"etr.csv": b"0" * 5_000_000})
    server.script("/etr.zip", Scripted.ok(bomb, content_type="application/zip"))
    with pytest.raises(FetchError, match="compression ratio"):
        fetch(zip_source(), server.url("/etr.zip"), settings)
    assert stored_files(settings) == []


def test_body_that_is_not_a_zip_is_refused(server, settings):
    server.script("/etr.zip", Scripted.ok(CSV, content_type="application/zip"))
    with pytest.raises(FetchError, match="is not a valid zip file"):
        fetch(zip_source(), server.url("/etr.zip"), settings)


# -- immutability of the raw store -------------------------------------------------------------------------------
def test_existing_raw_file_is_never_rewritten(server, settings):
    folder = settings.raw_dir / "test_source"
    folder.mkdir(parents=True)
    existing = folder / f"2024-06_{sha(CSV)[:12]}.csv"
    existing.write_bytes(CSV)
    os.utime(existing, ns=(1_000_000_000, 1_000_000_000))
    before = existing.stat()
    server.script(PATH, Scripted.ok(CSV))

    result = fetch(make_source(), server.url(PATH), settings)  # no state: a full download
    assert result.raw_path == existing
    after = existing.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_existing_raw_file_with_other_bytes_is_a_conflict_not_an_overwrite(server, settings):
    folder = settings.raw_dir / "test_source"
    folder.mkdir(parents=True)
    existing = folder / f"2024-06_{sha(CSV)[:12]}.csv"
    existing.write_bytes(b"tampered\n")
    server.script(PATH, Scripted.ok(CSV))

    with pytest.raises(FetchError, match="already exists with different content"):
        fetch(make_source(), server.url(PATH), settings)
    assert existing.read_bytes() == b"tampered\n"
    assert stored_files(settings) == [existing.name]
