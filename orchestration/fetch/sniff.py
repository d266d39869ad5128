"""Pure checks on what a response is: an HTML page instead of a data file, and the raw file extension.

HTML is refused by its Content-Type or its first bytes: binary formats (xlsx and zip start with ``PK``,
legacy .xls with the OLE2 signature ``D0 CF 11 E0``, Parquet with ``PAR1``) and JSON never start with
an HTML tag. :func:`format_mismatch` then refuses a body whose first bytes cannot be the expected
format (an "xlsx" without the zip signature, a "csv" that is binary or an application/json document);
their parsers check the rest.
"""

from pathlib import PurePosixPath
from typing import get_args
from urllib.parse import unquote, urlsplit

from orchestration.sources import FileFormat, Release, Source

# Every format sources.yml accepts is a raw file extension (one list, declared in sources.py).
RAW_EXTENSIONS: tuple[str, ...] = get_args(FileFormat)
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SNIFF_BYTES = 1024
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_STARTS = (b"<!doctype html", b"<html")


def media_type(content_type: str | None) -> str:
    """``text/html; charset=utf-8`` -> ``text/html``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html_content_type(content_type: str | None) -> bool:
    return media_type(content_type) in HTML_CONTENT_TYPES


def looks_like_html(head: bytes) -> bool:
    """True when the first bytes of a body are an HTML document (after an optional BOM and whitespace).

    Publishers answer a moved or withdrawn file with a 200 HTML page, often labelled as the file type
    asked for; catching it here gives a clear message instead of a parser failing on "<!DOCTYPE".
    """
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    text = text.lstrip(b" \t\r\n\f\v").replace(b"\x00", b"")  # NULs: UTF-16 without a BOM
    lowered = text[:32].lower()
    return any(lowered.startswith(start) for start in _HTML_STARTS)


def _suffix(name: str | None) -> str | None:
    if not name:
        return None
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return suffix if suffix in RAW_EXTENSIONS else None


def raw_extension(source: Source, release: Release) -> str:
    """The extension of the stored raw file: the same in live and offline mode for a release.

    A zip release is always ``zip``. Otherwise the bundled snapshot's name decides (it is the same file
    as the live one, and live URLs can end in ``.aspx`` or ``/data``), then the live URL, then the
    declared format (the release's own ``format`` when it differs from the source's).
    """
    if release.zip_member:
        return "zip"
    url_name = unquote(urlsplit(release.url).path) if release.url else None
    return _suffix(release.snapshot) or _suffix(url_name) or source.format_of(release)


def expected_description(source: Source, release: Release) -> str:
    """What a good response holds, for error messages: "a csv file", "a zip file containing etr.csv"."""
    if release.zip_member:
        return f"a zip file containing {release.zip_member}"
    ext = raw_extension(source, release)
    article = "an" if ext.startswith("x") else "a"  # "an xlsx file", "a csv file"
    return f"{article} {ext} file"


_MAGIC = (
    (b"PK\x03\x04", "a zip container (xlsx, xlsb or zip)"),
    (b"PK\x05\x06", "a zip container (xlsx, xlsb or zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (xls)"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip file"),
)
# What each raw file extension must start with; csv and json are text and checked separately, and a
# zip release is checked when its member is extracted (orchestration/fetch/zips.py).
_EXPECTED_MAGIC = {
    "xlsx": (b"PK\x03\x04",),
    "xlsb": (b"PK\x03\x04",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "parquet": (b"PAR1",),
}


def _strip_bom(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def describe_body(content_type: str | None, head: bytes) -> str:
    """A short description of what a body actually is, for "returned <this> where ... was expected"."""
    label = media_type(content_type)
    label_text = f" (Content-Type {label})" if label else ""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what + label_text
    text = _strip_bom(head).lstrip(b" \t\r\n")
    if text[:1] in (b"{", b"["):
        return "JSON" + label_text
    if b"\x00" in head:
        return "binary data" + label_text
    return "text" + label_text


def format_mismatch(ext: str, content_type: str | None, head: bytes) -> str | None:
    """What the body is instead, when its first bytes cannot be a file of type ``ext``; else None.

    The bytes decide, not the Content-Type label: publishers serve CSV as text/plain,
    application/octet-stream or application/vnd.ms-excel, so a label alone never refuses a body
    (HTML is refused separately). Refused: a binary format without its signature (an xlsx that does
    not start with ``PK``), a csv that is binary or another known format, a json that is not JSON,
    and JSON served as application/json where a csv was expected (an API error document).
    """
    if not head:
        return None
    if ext in _EXPECTED_MAGIC:
        return None if head.startswith(_EXPECTED_MAGIC[ext]) else describe_body(content_type, head)
    text = _strip_bom(head).lstrip(b" \t\r\n")
    if ext == "json":
        return None if text[:1] in (b"{", b"[") else describe_body(content_type, head)
    if ext == "csv":
        if any(head.startswith(magic) for magic, _ in _MAGIC) or b"\x00" in head:
            return describe_body(content_type, head)
        if media_type(content_type) == "application/json" and text[:1] in (b"{", b"["):
            return describe_body(content_type, head)
    return None
