"""Shared fixtures: the project root and a copy of sources.yml that a test may break on purpose."""

from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture()
def sources_document() -> dict:
    """sources.yml as a plain dict, with snapshot paths made absolute so a copy works anywhere."""
    document = yaml.safe_load((PROJECT_ROOT / "sources.yml").read_text(encoding="utf-8"))
    for source in document["sources"]:
        for release in source["releases"]:
            release["snapshot"] = str(PROJECT_ROOT / release["snapshot"])
    return document


def write_sources(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
