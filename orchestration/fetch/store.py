"""The immutable raw store ``<warehouse>/raw/<source_id>/`` and its per-source ``_state.json``.

Files land under a name that contains their content hash, via a temp file in the same directory and an
atomic, no-clobber commit: a reader never sees a half-written file and a stored file is never rewritten
or deleted. The state file remembers, per release, the validators needed for a conditional GET.
"""

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

STATE_FILE = "_state.json"
LOCK_FILE = "_state.lock"
CHUNK = 1 << 16

log = logging.getLogger(__name__)


class RawStoreConflict(RuntimeError):
    """A raw file already exists under the target name with different bytes (the store was tampered with)."""


def raw_file_name(release: str, sha256: str, ext: str) -> str:
    return f"{release}_{sha256[:12]}.{ext}"


def member_file_name(raw_name: str, member: str) -> str:
    """``2025-07_ab12cd34ef56.zip`` + ``etr.csv`` -> ``2025-07_ab12cd34ef56__etr.csv`` (member's last part)."""
    stem = raw_name.rsplit(".", 1)[0]
    return f"{stem}__{PurePosixPath(member.replace(chr(92), '/')).name}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def temp_file(directory: Path, prefix: str):
    """An open binary temp file in ``directory`` (same file system, so the commit is atomic)."""
    return tempfile.NamedTemporaryFile(dir=directory, prefix=f".{prefix}.", suffix=".part", delete=False)


def discard(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def commit_file(temp: Path, final: Path, sha256: str | None = None) -> bool:
    """Move ``temp`` to ``final`` atomically without ever replacing an existing file.

    Returns True when ``temp`` became ``final``; False when ``final`` already existed (``temp`` is then
    discarded). When ``sha256`` is given, an existing file must have that hash, else RawStoreConflict.
    A hard link is used because, unlike ``os.replace``, it fails instead of overwriting when a parallel
    run committed the same name first; file systems without hard links fall back to ``os.replace``
    after an existence check.
    """
    try:
        os.link(temp, final)
        created = True
    except FileExistsError:
        created = False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        created = not final.exists()
        if created:
            os.replace(temp, final)
    if not created and sha256 is not None and sha256_of(final) != sha256:
        discard(temp)
        raise RawStoreConflict(
            f"raw store file {final.name} already exists with different content; refusing to overwrite it"
        )
    discard(temp)
    return created


def read_state(source_dir: Path) -> dict[str, dict]:
    """The per-release state of a source; empty when there is none or it is unreadable.

    An unreadable state only costs a full download (validators are an optimisation and raw files are
    named by hash), so it is logged and replaced on the next successful fetch rather than failing.
    """
    path = source_dir / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable fetch state %s: %s", path, type(exc).__name__)
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring fetch state %s: not a JSON object", path)
        return {}
    return {key: value for key, value in data.items() if isinstance(value, dict)}


def write_state(source_dir: Path, state: dict[str, dict]) -> None:
    """Write the state atomically (temp file + fsync + os.replace): never a torn JSON file."""
    text = json.dumps(state, indent=2, sort_keys=True) + "\n"
    with temp_file(source_dir, "_state") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        temp = Path(handle.name)
    try:
        os.replace(temp, source_dir / STATE_FILE)
    finally:
        discard(temp)


@contextlib.contextmanager
def state_lock(source_dir: Path) -> Iterator[None]:
    """Serialise read-modify-write of ``_state.json`` between processes (parallel release partitions)."""
    with open(source_dir / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update_state(source_dir: Path, release: str, entry: dict) -> None:
    with state_lock(source_dir):
        state = read_state(source_dir)
        state[release] = entry
        write_state(source_dir, state)
