"""Pure checks on what a response is: an HTML page instead of a data file, and the raw file extension.

Only HTML is refused by content: binary formats (xlsx and zip start with ``PK``, legacy .xls with the
OLE2 signature ``D0 CF 11 E0``, Parquet with ``PAR1``) and JSON never start with an HTML tag, so they
pass; their parsers check the rest.
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
