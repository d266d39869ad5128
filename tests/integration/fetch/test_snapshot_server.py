"""The offline snapshot server serving the real bundled files, and fetch_release through it."""

import hashlib
import io
import zipfile
from urllib.parse import urlsplit

import pytest
import requests

from orchestration.fetch import FetchError, SnapshotServer, fetch_release, resolve_url
from orchestration.settings import PROJECT_ROOT
from tests.support.factories import make_settings, real_sources

CONFIG = real_sources()
AE = CONFIG.by_id("ae_monthly")
AE_JUNE = AE.release_by_label("2024-06")
ETR = CONFIG.by_id("ods_etr")
ETR_2025 = ETR.release_by_label("2025-07")
ETR_2016 = ETR.release_by_label("2016")


@pytest.fixture(scope="module")
def snapshots():
    with SnapshotServer(CONFIG, PROJECT_ROOT) as server:
        yield server


def snapshot_bytes(release) -> bytes:
    return (PROJECT_ROOT / release.snapshot).read_bytes()


def test_serves_a_bundled_csv_byte_identical(snapshots):
    url = snapshots.url_for(AE, AE_JUNE)
    assert url == f"http://127.0.0.1:{snapshots.port}/ae_monthly/2024-06/Monthly-AE-June-2024%20copy.csv"
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.content == snapshot_bytes(AE_JUNE)
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def test_serves_a_zip_release_as_a_deterministic_zip(snapshots):
    url = snapshots.url_for(ETR, ETR_2025)
    assert urlsplit(url).path == "/ods_etr/2025-07/etr.zip"
    response = requests.get(url, timeout=5)
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["etr.csv"]
        info = archive.getinfo("etr.csv")
        assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("etr.csv") == snapshot_bytes(ETR_2025)
    with SnapshotServer(CONFIG, PROJECT_ROOT) as again:  # same bytes, same ETag from a fresh server
        second = requests.get(again.url_for("ods_etr", "2025-07"), timeout=5)
    assert second.content == response.content and second.headers["ETag"] == response.headers["ETag"]


def test_archived_release_has_a_url_too(snapshots):
    response = requests.get(snapshots.url_for(ETR, ETR_2016), timeout=5)
    assert response.content == snapshot_bytes(ETR_2016)


def test_if_none_match_gets_304_and_unknown_paths_404(snapshots):
    url = snapshots.url_for(AE, AE_JUNE)
    etag = requests.get(url, timeout=5).headers["ETag"]
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=5).status_code == 200
    base = f"http://127.0.0.1:{snapshots.port}"
    assert requests.get(base + "/ae_monthly/2024-06/other.csv", timeout=5).status_code == 404
    assert requests.get(base + "/nope", timeout=5).status_code == 404


def test_offline_fetch_of_a_csv_release_end_to_end(snapshots, tmp_path):
    settings = make_settings(tmp_path)
    url = resolve_url(AE, AE_JUNE, settings, snapshots)
    first = fetch_release(AE, AE_JUNE, settings=settings, url=url)
    data = snapshot_bytes(AE_JUNE)
    assert first.outcome == "downloaded"
    assert first.raw_path.name == f"2024-06_{hashlib.sha256(data).hexdigest()[:12]}.csv"
    assert first.data_path.read_bytes() == data

    second = fetch_release(AE, AE_JUNE, settings=settings, url=url)
    assert second.outcome == "not_modified" and second.data_path == first.data_path


def test_offline_fetch_of_a_zip_release_extracts_the_member(snapshots, tmp_path):
    settings = make_settings(tmp_path)
    result = fetch_release(
        ETR, ETR_2025, settings=settings, url=resolve_url(ETR, ETR_2025, settings, snapshots)
    )
    assert result.raw_path.suffix == ".zip"
    assert result.data_path.name == result.raw_path.stem + "__etr.csv"
    assert result.data_path.read_bytes() == snapshot_bytes(ETR_2025)


def test_live_mode_uses_the_live_url_except_for_archived_releases(snapshots, tmp_path):
    settings = make_settings(tmp_path, AUDIT_INSIGHT_MODE="live")
    assert resolve_url(AE, AE_JUNE, settings, snapshots) == AE_JUNE.url
    archived_url = resolve_url(ETR, ETR_2016, settings, snapshots)
    assert archived_url == snapshots.url_for(ETR, ETR_2016)
    # An archived release is read from the bundle over loopback http even in live mode.
    result = fetch_release(ETR, ETR_2016, settings=settings, url=archived_url)
    assert result.data_path.read_bytes() == snapshot_bytes(ETR_2016)


def test_resolve_url_needs_the_snapshot_server_offline(tmp_path):
    with pytest.raises(FetchError, match="needs the snapshot server in offline mode"):
        resolve_url(AE, AE_JUNE, make_settings(tmp_path), None)
    with pytest.raises(FetchError, match="needs the snapshot server for an archived release"):
        resolve_url(ETR, ETR_2016, make_settings(tmp_path, AUDIT_INSIGHT_MODE="live"), None)
