"""Helpers for parser and validation tests: the real bundled releases from sources.yml."""

from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from orchestration.parsers import parse_file
from orchestration.sources import Release, Source, load_sources

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@cache
def sources_config():
    return load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)


def source(source_id: str) -> Source:
    return sources_config().by_id(source_id)


def release_ids(source_id: str) -> list[str]:
    return [release.release for release in source(source_id).releases]


@cache
def _parsed(source_id: str, label: str) -> pd.DataFrame:
    src = source(source_id)
    release = src.release_by_label(label)
    return parse_file(src.parser_of(release), PROJECT_ROOT / release.snapshot, release, source_id)


def parsed(source_id: str, label: str) -> pd.DataFrame:
    """The parsed frame of one bundled release (parsed once per test session; a copy is returned)."""
    return _parsed(source_id, label).copy()


def make_release(**periods) -> Release:
    defaults = {
        "period_start": date(2024, 4, 1),
        "period_end": date(2025, 3, 31),
        "period_label": "test period",
    }
    return Release(release="test", archived=True, snapshot="inline.csv", **(defaults | periods))
