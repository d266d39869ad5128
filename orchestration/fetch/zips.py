"""Take one named member out of a downloaded zip, with caps against zip bombs and path tricks."""

import hashlib
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from orchestration.fetch.store import CHUNK, commit_file, discard, temp_file

MAX_COMPRESSION_RATIO = 200
# Below this size a high ratio is harmless (a short run of repeated bytes compresses >200x), so the
# ratio is only enforced once a member has produced this many bytes.
RATIO_FLOOR_BYTES = 1 << 20


class ZipMemberError(ValueError):
    """The zip cannot give us the member; the message reads on after "<url> ..."."""


def check_member_name(name: str) -> None:
    """Reject a configured member name that could point outside the zip's own tree."""
    normalised = name.replace("\\", "/")
    if not name or "\x00" in name:
        raise ZipMemberError(f"zip_member {name!r} is not a usable member name")
    if normalised.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ZipMemberError(
            f"zip_member {name!r} is an absolute path; give the member's name inside the zip"
        )
    if ".." in PurePosixPath(normalised).parts:
        raise ZipMemberError(f"zip_member {name!r} contains '..'; give the member's name inside the zip")
    if normalised.endswith("/"):
        raise ZipMemberError(f"zip_member {name!r} names a folder, not a file")


def _describe_members(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{shown}{more}" if names else "none"


def extract_member(zip_path: Path, member: str, dest: Path, *, max_bytes: int) -> tuple[int, str]:
    """Stream ``member`` of ``zip_path`` to ``dest`` (temp file + atomic no-clobber commit); return (bytes, sha256).

    Only the member with exactly that name is read; other members are ignored (never written anywhere).
    The header sizes are checked first, then the running byte count is capped while decompressing,
    because headers can lie.
    """
    check_member_name(member)
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise ZipMemberError("is not a valid zip file") from exc
    with archive:
        matches = [info for info in archive.infolist() if info.filename == member]
        if not matches:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
            raise ZipMemberError(f"is a zip without member {member!r} (members: {_describe_members(names)})")
        if len(matches) > 1:
            raise ZipMemberError(f"is a zip with {len(matches)} members named {member!r}; expected one")
        info = matches[0]
        if info.flag_bits & 0x1:
            raise ZipMemberError(f"is a zip whose member {member!r} is encrypted")
        if info.file_size > max_bytes:
            raise ZipMemberError(
                f"is a zip whose member {member!r} unpacks to {info.file_size} bytes, over the cap of {max_bytes}"
            )
        compressed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size / compressed > MAX_COMPRESSION_RATIO:
            raise ZipMemberError(
                f"is a zip whose member {member!r} has compression ratio {info.file_size // compressed}:1, "
                f"over the limit of {MAX_COMPRESSION_RATIO}:1 (zip bomb?)"
            )
        digest = hashlib.sha256()
        written = 0
        temp = None
        try:
            with temp_file(dest.parent, dest.name) as out:
                temp = Path(out.name)
                with archive.open(info) as source:
                    for chunk in iter(lambda: source.read(CHUNK), b""):
                        written += len(chunk)
                        if written > max_bytes:
                            raise ZipMemberError(
                                f"is a zip whose member {member!r} unpacks to more than the cap of "
                                f"{max_bytes} bytes"
                            )
                        if written > RATIO_FLOOR_BYTES and written / compressed > MAX_COMPRESSION_RATIO:
                            raise ZipMemberError(
                                f"is a zip whose member {member!r} unpacks at more than "
                                f"{MAX_COMPRESSION_RATIO}:1 (zip bomb?)"
                            )
                        digest.update(chunk)
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if written == 0:
                raise ZipMemberError(f"is a zip whose member {member!r} is empty")
            # No-clobber commit: an existing extraction of the same zip (same hash in its name) is kept.
            commit_file(temp, dest, digest.hexdigest())
            temp = None
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
            raise ZipMemberError(
                f"is a zip whose member {member!r} is corrupt ({type(exc).__name__})"
            ) from exc
        finally:
            discard(temp)
    return written, digest.hexdigest()
