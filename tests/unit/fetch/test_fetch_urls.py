import pytest

from orchestration.fetch import allowed_hosts_for, redact_url
from orchestration.fetch.urls import check_url, url_host, url_identity
from tests.support.factories import make_settings, make_source, real_sources


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://host.org/a/b.csv", "https://host.org/a/b.csv"),
        (
            "https://host.org/data?format=csv&where=1%3D1",
            "https://host.org/data?format=<redacted>&where=<redacted>",
        ),
        ("https://user:pw@host.org:8443/x?token=abc#frag", "https://host.org:8443/x?token=<redacted>"),
        ("https://host.org/x?flag", "https://host.org/x?flag=<redacted>"),
        ("https://host.org/x?s3cr3t%2Fvalue==", "https://host.org/x?<redacted>"),
        ("https://HOST.org/x?", "https://host.org/x"),
        ("http://[::1]:80/x?a=1", "http://[::1]:80/x?a=<redacted>"),
        ("http://host:notaport/x", "<redacted>"),
    ],
)
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redaction_is_idempotent():
    once = redact_url("https://u:p@host.org/p?format=csv&k=v")
    assert redact_url(once) == once


def test_url_host_and_identity():
    assert url_host("https://Files.Digital.NHS.uk./x") == "files.digital.nhs.uk"
    assert url_host("not a url") == ""
    # The port is not part of the identity: the snapshot server moves port between runs.
    assert url_identity("http://127.0.0.1:1111/a/b.csv?x=1") == url_identity("http://127.0.0.1:2222/a/b.csv")


HOSTS = {"files.example.org", "127.0.0.1", "localhost"}


@pytest.mark.parametrize(
    ("url", "loopback_http", "reason"),
    [
        ("https://files.example.org/a.csv", False, None),
        ("http://127.0.0.1:8000/a.csv", True, None),
        ("http://localhost:8000/a.csv", True, None),
        ("http://127.0.0.1:8000/a.csv", False, "only https URLs are fetched in live mode"),
        ("http://files.example.org/a.csv", True, "http is only allowed to 127.0.0.1 / localhost"),
        ("https://evil.example.com/a.csv", False, "'evil.example.com', which is not in the allow-list"),
        ("https://files.example.org.evil.com/a.csv", False, "not in the allow-list"),
        ("ftp://files.example.org/a.csv", True, "only https is allowed"),
        ("file:///etc/passwd", True, "only https is allowed"),
        ("https:///a.csv", False, "has no host"),
        ("https://files.example.org:99999/a.csv", False, "not a valid URL"),
    ],
)
def test_check_url(url, loopback_http, reason):
    result = check_url(url, allowed_hosts=HOSTS, allow_loopback_http=loopback_http)
    if reason is None:
        assert result is None
    else:
        assert reason in result


def test_allowed_hosts_for_depends_on_mode_and_archival(tmp_path):
    config = real_sources()
    etr = config.by_id("ods_etr")
    offline = make_settings(tmp_path)
    live = make_settings(tmp_path, AUDIT_INSIGHT_MODE="live")
    assert allowed_hosts_for(etr, offline) == {"files.digital.nhs.uk", "127.0.0.1", "localhost"}
    assert allowed_hosts_for(etr, live) == {"files.digital.nhs.uk"}
    assert allowed_hosts_for(etr, live, etr.release_by_label("2025-07")) == {"files.digital.nhs.uk"}
    assert "127.0.0.1" in allowed_hosts_for(etr, live, etr.release_by_label("2016"))
    assert allowed_hosts_for(make_source(allowed_hosts=["a.example.org"]), live) == {"a.example.org"}
