"""Fixtures for parser tests."""

from pathlib import Path

import pytest


@pytest.fixture
def write_file(tmp_path):
    """Write bytes or text to a temporary file and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
        return path

    return _write
