import hashlib
import json

import pytest

from orchestration.fetch.store import (
    STATE_FILE,
    RawStoreConflict,
    commit_file,
    member_file_name,
    raw_file_name,
    read_state,
    update_state,
    write_state,
)


def test_file_names():
    sha = hashlib.sha256(b"x").hexdigest()
    assert raw_file_name("2024-06", sha, "csv") == f"2024-06_{sha[:12]}.csv"
    assert member_file_name("2025-07_ab12cd34ef56.zip", "etr.csv") == "2025-07_ab12cd34ef56__etr.csv"
    assert member_file_name("2025-07_ab12cd34ef56.zip", "data/etr.csv") == "2025-07_ab12cd34ef56__etr.csv"


def test_commit_never_overwrites(tmp_path):
    final = tmp_path / "final.csv"
    temp = tmp_path / ".t.part"
    temp.write_bytes(b"one")
    assert commit_file(temp, final) is True
    assert final.read_bytes() == b"one" and not temp.exists()

    temp.write_bytes(b"one")
    assert commit_file(temp, final, hashlib.sha256(b"one").hexdigest()) is False
    assert not temp.exists()

    temp.write_bytes(b"two")
    with pytest.raises(RawStoreConflict, match="already exists with different content"):
        commit_file(temp, final, hashlib.sha256(b"two").hexdigest())
    assert final.read_bytes() == b"one" and not temp.exists()


def test_state_round_trip_and_update(tmp_path):
    assert read_state(tmp_path) == {}
    write_state(tmp_path, {"2024-05": {"sha256": "a"}})
    update_state(tmp_path, "2024-06", {"sha256": "b"})
    assert read_state(tmp_path) == {"2024-05": {"sha256": "a"}, "2024-06": {"sha256": "b"}}
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", ""])
def test_unreadable_state_is_treated_as_empty(tmp_path, text):
    (tmp_path / STATE_FILE).write_text(text)
    assert read_state(tmp_path) == {}
    update_state(tmp_path, "2024-06", {"sha256": "b"})
    assert json.loads((tmp_path / STATE_FILE).read_text()) == {"2024-06": {"sha256": "b"}}
