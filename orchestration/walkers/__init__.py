"""API walks: sources whose releases are discovered by walking the publisher's API.

A source with an ``api:`` block in sources.yml names a walker here (``api.walker``). A walk reads the
publisher's catalogue (periods, levels, indicators) from the API, fetches every response it needs
through :class:`ApiClient` - which is :func:`orchestration.fetch.fetch_release`, the one HTTP client:
allow-list on every redirect, https only in live mode, timeouts, size caps, retries, one
``meta.fetch_log`` row per attempt, every body streamed into the immutable raw store with its sha256 -
and turns each walked period into a release of the source: one data file (written with DuckDB) in
the raw store, remembered in the store's ``_state.json`` (``walked: true``) so that
:func:`releases_of` (and so ``current_files``, the release catalogue and ``sources check``) sees it.

Walks run in live mode. In offline mode they run only when ``api.base_url`` is a loopback URL (a
test, or recorded payloads served on 127.0.0.1); otherwise offline runs read the bundled releases only.
"""

import codecs
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from orchestration.fetch.client import FetchResult, fetch_release
from orchestration.fetch.errors import FetchError
from orchestration.fetch.log import FetchAttempt
from orchestration.fetch.store import read_state
from orchestration.fetch.urls import LOOPBACK_HOSTS, url_host
from orchestration.parsers.common import ParseContext, ParseError
from orchestration.settings import OFFLINE, Settings
from orchestration.sources import Release, Source

log = logging.getLogger(__name__)

# Catalogue responses (periods, levels, indicator lists) are small; they are read whole. Data
# responses are never read whole: see iter_json_rows.
MAX_CATALOGUE_BYTES = 20_000_000
_READ_CHUNK = 1 << 16


class WalkError(RuntimeError):
    """A walk failed; ``attempts`` holds every fetch attempt made before it (for meta.fetch_log)."""

    def __init__(self, message: str, attempts: list[FetchAttempt]):
        super().__init__(message)
        self.attempts = attempts


@dataclass
class WalkOutcome:
    releases: list[FetchResult] = field(default_factory=list)  # one per walked period (its data file)
    responses: list[FetchResult] = field(default_factory=list)  # every API response stored
    attempts: list[FetchAttempt] = field(default_factory=list)


class ApiClient:
    """GET ``api.base_url + path?query`` through fetch_release; each response is its own raw-store entry.

    ``key`` names the response in the raw store (file ``<key>_<sha12>.json`` and its ``_state.json``
    entry, which holds the validators for the next conditional request).
    """

    def __init__(self, source: Source, settings: Settings, *, sleep: Callable[[float], None] = time.sleep):
        assert source.api is not None
        self.source = source
        self.settings = settings
        self.base_url = source.api.base_url.rstrip("/")
        self.sleep = sleep
        self.outcome = WalkOutcome()

    def url(self, path: str, params: dict[str, object] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def get(self, key: str, path: str, params: dict[str, object] | None = None) -> FetchResult:
        url = self.url(path, params)
        release = Release(release=key, url=url, snapshot=f"{key}.json", format="json")
        try:
            result = fetch_release(self.source, release, settings=self.settings, url=url, sleep=self.sleep)
        except FetchError as exc:
            self.outcome.attempts.extend(exc.attempts)
            raise
        self.outcome.attempts.extend(result.attempts)
        self.outcome.responses.append(result)
        return result


def walk_enabled(source: Source, settings: Settings) -> bool:
    if source.api is None:
        return False
    return settings.mode != OFFLINE or url_host(source.api.base_url) in LOOPBACK_HOSTS


def releases_of(source: Source, settings: Settings) -> list[Release]:
    """The source's releases: those in sources.yml, then those earlier walks discovered (by period end)."""
    releases = list(source.releases)
    if source.api is None:
        return releases
    declared = {release.release for release in releases}
    walked = []
    for label, entry in read_state(settings.raw_dir / source.id).items():
        if not entry.get("walked") or label in declared:
            continue
        walked.append(
            Release(
                release=label,
                url=entry.get("url_redacted") or None,
                archived=not entry.get("url_redacted"),
                snapshot=entry.get("raw_file", ""),
                period_start=date.fromisoformat(entry["period_start"]),
                period_end=date.fromisoformat(entry["period_end"]),
                period_label=entry["period_label"],
                note="discovered by the API walk",
            )
        )
    walked.sort(key=lambda r: (r.period_end, r.release))
    return releases + walked


# -- reading responses --------------------------------------------------------------------------------------
def read_catalogue(source: Source, result: FetchResult, member: str | None = None) -> list[dict]:
    """The list of objects in a small catalogue response: ``member`` if given and present, else the
    response itself when it is a list, else its first member that is a list."""
    ctx = ParseContext.for_path(source.id, result.data_path)
    if result.data_path.stat().st_size > MAX_CATALOGUE_BYTES:
        raise ctx.error(f"a catalogue response larger than {MAX_CATALOGUE_BYTES} bytes was not expected")
    try:
        data = json.loads(result.data_path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise ctx.error(f"expected a JSON document, found invalid JSON ({exc})") from None
    rows: Any = None
    if isinstance(data, list):
        rows = data
    elif isinstance(data, dict):
        if member is not None and isinstance(data.get(member), list):
            rows = data[member]
        else:
            rows = next((value for value in data.values() if isinstance(value, list)), None)
    if rows is None:
        raise ctx.error(f"expected a list{f' in member {member!r}' if member else ''}, found none")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ctx.error(f"expected an object, found {type(row).__name__}", row=number)
    return rows


def iter_json_rows(ctx: ParseContext, path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(number, element)`` of a response's row array without reading the file whole.

    The array is the document itself, or the first member of the top-level object whose value is an
    array. One element at a time is decoded from a bounded buffer (so memory is one row plus a chunk).
    """
    decoder = json.JSONDecoder()
    reader = _Buffer(path)
    try:
        reader.skip_ws()
        first = reader.peek()
        if first == "{":
            reader.advance(1)
            if not _seek_array_member(ctx, reader, decoder):
                raise ctx.error("expected an array of rows in the response object, found none")
        elif first != "[":
            raise ctx.error(f"expected a JSON object or array, found {first!r}", row=1)
        reader.advance(1)  # the '['
        number = 0
        reader.skip_ws()
        if reader.peek() == "]":
            return
        while True:
            number += 1
            value = reader.decode(decoder, ctx, number)
            yield number, value
            reader.skip_ws()
            char = reader.peek()
            if char == ",":
                reader.advance(1)
                reader.skip_ws()
                continue
            if char == "]":
                return
            raise ctx.error(f"expected ',' or ']' after row {number}, found {char!r}", row=number)
    finally:
        reader.close()


def _seek_array_member(ctx: ParseContext, reader: "_Buffer", decoder: json.JSONDecoder) -> bool:
    """Inside a top-level object: skip members until one whose value starts an array (left at '[')."""
    while True:
        reader.skip_ws()
        char = reader.peek()
        if char == "}" or char == "":
            return False
        if char == ",":
            reader.advance(1)
            continue
        key = reader.decode(decoder, ctx, None)
        if not isinstance(key, str):
            raise ctx.error("expected a member name in the response object")
        reader.skip_ws()
        if reader.peek() != ":":
            raise ctx.error(f"expected ':' after member {key!r}")
        reader.advance(1)
        reader.skip_ws()
        if reader.peek() == "[":
            return True
        reader.decode(decoder, ctx, None)  # a small scalar or object before the rows: skipped


class _Buffer:
    """A sliding text window over a UTF-8 file for incremental JSON decoding."""

    def __init__(self, path: Path):
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close(), in iter_json_rows' finally
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.eof = False

    def close(self) -> None:
        self._handle.close()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self._handle.read(_READ_CHUNK)
        if self.pos > _READ_CHUNK:
            self.text = self.text[self.pos :]
            self.pos = 0
        if not chunk:
            self.eof = True
            self.text += self._decoder.decode(b"", final=True)
            return False
        self.text += self._decoder.decode(chunk)
        return True

    def peek(self) -> str:
        while self.pos >= len(self.text):
            if not self._fill():
                return ""
        return self.text[self.pos]

    def advance(self, count: int) -> None:
        self.pos += count

    def skip_ws(self) -> None:
        while True:
            char = self.peek()
            if char and char in " \t\r\n":
                self.pos += 1
            else:
                return

    def decode(self, decoder: json.JSONDecoder, ctx: ParseContext, row: int | None) -> Any:
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise ctx.error(f"expected a JSON value, found invalid JSON ({exc.msg})", row=row) from None
            # A number at the very end of the window may continue in the next chunk.
            if end >= len(self.text) and not self.eof and self._fill():
                continue
            self.pos = end
            return value


# -- the registry ------------------------------------------------------------------------------------------------
Walker = Callable[[ApiClient], None]


def _registry() -> dict[str, Walker]:
    from orchestration.walkers.cvdprevent import walk_cvdprevent

    return {"cvdprevent": walk_cvdprevent}


def walk_source(
    source: Source, settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> WalkOutcome:
    """Run the source's walker; raise WalkError (with the attempts made) on any failure."""
    assert source.api is not None
    walkers = _registry()
    walker = walkers.get(source.api.walker)
    client = ApiClient(source, settings, sleep=sleep)
    if walker is None:
        raise WalkError(
            f"{source.id}: unknown api.walker {source.api.walker!r}; expected one of {sorted(walkers)}", []
        )
    try:
        walker(client)
    except (FetchError, ParseError) as exc:
        raise WalkError(str(exc), client.outcome.attempts) from exc
    return client.outcome


__all__ = [
    "ApiClient",
    "WalkError",
    "WalkOutcome",
    "iter_json_rows",
    "read_catalogue",
    "releases_of",
    "walk_enabled",
    "walk_source",
]
