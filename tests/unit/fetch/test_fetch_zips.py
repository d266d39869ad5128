import hashlib
import zipfile

import pytest

from orchestration.fetch.zips import ZipMemberError, check_member_name, extract_member

CSV = b"code,name\nRXX,Trust\n"


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_extracts_only_the_named_member(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"docs/readme.txt": b"r", "etr.csv": CSV, "../evil.csv": b"x"})
    dest = tmp_path / "out__etr.csv"
    written, digest = extract_member(archive, "etr.csv", dest, max_bytes=1000)
    assert dest.read_bytes() == CSV
    assert (written, digest) == (len(CSV), hashlib.sha256(CSV).hexdigest())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "out__etr.csv"]


def test_member_in_a_folder_is_matched_by_exact_name(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"data/etr.csv": CSV})
    with pytest.raises(ZipMemberError, match="without member 'etr.csv' \\(members: 'data/etr.csv'\\)"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=1000)
    extract_member(archive, "data/etr.csv", tmp_path / "o.csv", max_bytes=1000)
    assert (tmp_path / "o.csv").read_bytes() == CSV


def test_missing_member_lists_what_is_there(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {f"f{i}.csv": b"x" for i in range(7)})
    with pytest.raises(ZipMemberError, match="'f4.csv' and 2 more"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=1000)
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "../etr.csv", "a/../../etr.csv", "C:\\etr.csv", "..\\etr.csv", "", "dir/"]
)
def test_unsafe_member_names_are_refused(name):
    with pytest.raises(ZipMemberError):
        check_member_name(name)


def test_member_over_the_size_cap_is_refused_from_its_header(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"etr.csv": CSV * 10})
    with pytest.raises(ZipMemberError, match="over the cap of 50"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=50)


def test_high_compression_ratio_is_refused(tmp_path):
    archive = write_zip(tmp_path / "bomb.zip", {"etr.csv": b"\0" * 4_000_000})
    with pytest.raises(ZipMemberError, match="compression ratio .* over the limit of 200:1"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=10_000_000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]


def test_header_lying_about_size_is_refused(tmp_path):
    """A member whose central directory understates its size never yields more than declared (zipfile
    stops there and the CRC then fails); the running byte cap is a second guard behind that."""
    archive = write_zip(tmp_path / "a.zip", {"etr.csv": b"z" * 5000}, compression=zipfile.ZIP_STORED)
    raw = bytearray(archive.read_bytes())
    # Patch the declared uncompressed size (central directory, offset 24 from its signature) to 10 bytes.
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(ZipMemberError, match="is corrupt"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=100)
    assert not (tmp_path / "o.csv").exists()


def test_not_a_zip(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(CSV)
    with pytest.raises(ZipMemberError, match="is not a valid zip file"):
        extract_member(path, "etr.csv", tmp_path / "o.csv", max_bytes=1000)


def test_empty_member_is_refused(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"etr.csv": b""})
    with pytest.raises(ZipMemberError, match="is empty"):
        extract_member(archive, "etr.csv", tmp_path / "o.csv", max_bytes=1000)
