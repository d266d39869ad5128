import pytest

from orchestration.fetch.sniff import (
    expected_description,
    is_html_content_type,
    looks_like_html,
    raw_extension,
)
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
