import pytest

from orchestration.fetch.snapshot_server import content_type_for
from orchestration.fetch.sniff import (
    RAW_EXTENSIONS,
    SNIFF_BYTES,
    expected_description,
    is_html_content_type,
    looks_like_html,
    raw_extension,
)
from orchestration.settings import PROJECT_ROOT
from tests.support.factories import real_sources


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html>",
        b"<!doctype HTML>",
        b"<html lang=en>",
        b"\xef\xbb\xbf<!DOCTYPE html>",
        b"\r\n\t  <HTML>",
        b"\xef\xbb\xbf \n<html>",
        "<html>".encode("utf-16-le"),
    ],
)
def test_html_is_recognised(head):
    assert looks_like_html(head)


@pytest.mark.parametrize(
    "head",
    [b"org_code,name\n", b"\xef\xbb\xbfSICBL24CD,SICBL24NM", b"PK\x03\x04", b"", b"<table>", b"x<html>"],
)
def test_data_is_not_html(head):
    assert not looks_like_html(head)


def test_html_content_types():
    assert is_html_content_type("text/html")
    assert is_html_content_type("Text/HTML; charset=utf-8")
    assert is_html_content_type("application/xhtml+xml")
    assert not is_html_content_type("text/csv")
    assert not is_html_content_type(None)


def test_raw_extension_follows_the_file_not_the_url():
    config = real_sources()
    ssnap = config.by_id("ssnap_thrombectomy")
    ons = config.by_id("ons_sicbl_icb_nhser")
    etr = config.by_id("ods_etr")
    ae = config.by_id("ae_monthly")
    assert raw_extension(ssnap, ssnap.release_by_label("2023-24")) == "xlsx"  # URL ends in .aspx
    assert raw_extension(ons, ons.release_by_label("2024-04")) == "csv"  # URL ends in /data
    assert raw_extension(etr, etr.release_by_label("2025-07")) == "zip"
    assert raw_extension(etr, etr.release_by_label("2016")) == "csv"
    assert raw_extension(ae, ae.release_by_label("2024-06")) == "csv"
    assert expected_description(etr, etr.release_by_label("2025-07")) == "a zip file containing etr.csv"
    assert expected_description(ssnap, ssnap.release_by_label("2023-24")) == "an xlsx file"


def _head(path: str) -> bytes:
    with (PROJECT_ROOT / path).open("rb") as handle:
        return handle.read(SNIFF_BYTES)


@pytest.mark.parametrize(
    "path",
    [
        "data/snapshots/qof_practice_geography/qof_mapping_nhs_geographies_structures_2023_2024.parquet",
        "data/snapshots/ons_cancer_alliances/postcodesio_cancer_alliances_CAL24.json",
    ],
)
def test_real_parquet_and_json_pass_the_html_sniff(path):
    assert not looks_like_html(_head(path))


@pytest.mark.parametrize(
    "head",
    [b"PAR1\x15\x04\x15\x80", b'{"E56000005": "Cheshire and Merseyside"}', b'\xef\xbb\xbf\n  [{"a": 1}]'],
)
def test_parquet_magic_and_json_are_not_html(head):
    assert not looks_like_html(head)


def test_parquet_and_json_raw_extensions_follow_the_snapshot():
    config = real_sources()
    qof = config.by_id("qof_practice_geography")
    cal = config.by_id("ons_cancer_alliances")
    epraccur = config.by_id("ods_epraccur")
    # The QOF release's live URL is the publisher's zip, but the bundled (archived) file is Parquet.
    assert qof.release_by_label("2023-24").url.endswith(".zip")
    assert raw_extension(qof, qof.release_by_label("2023-24")) == "parquet"
    assert expected_description(qof, qof.release_by_label("2023-24")) == "a parquet file"
    assert raw_extension(cal, cal.release_by_label("2024-04")) == "json"
    assert raw_extension(epraccur, epraccur.release_by_label("2023-04")) == "zip"
    assert set(RAW_EXTENSIONS) >= {"csv", "json", "parquet", "zip"}


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("qof_mapping_nhs_geographies_structures_2023_2024.parquet", "application/vnd.apache.parquet"),
        ("postcodesio_cancer_alliances_CAL24.json", "application/json"),
        ("epraccur.zip", "application/zip"),
        ("notes.txt", "application/octet-stream"),
    ],
)
def test_snapshot_server_content_types(name, content_type):
    assert content_type_for(name) == content_type


def test_an_xls_release_of_a_csv_source_is_fetched_as_xls():
    ae = real_sources().by_id("ae_monthly")
    december_2019 = ae.release_by_label("2019-12")
    assert ae.format == "csv" and december_2019.format == "xls"
    assert raw_extension(ae, december_2019) == "xls"
    assert expected_description(ae, december_2019) == "an xls file"
    head = _head(december_2019.snapshot)
    assert head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # OLE2 compound file
    assert not looks_like_html(head)
    assert content_type_for(december_2019.snapshot) == "application/vnd.ms-excel"
