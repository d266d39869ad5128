"""Large validated files wait for the load as Parquet, not as frames, and load the same rows."""

import dataclasses
import hashlib
from datetime import UTC, datetime

import duckdb

from orchestration.fetch import FetchResult
from orchestration.ingest import load_source, validate_source
from orchestration.sources import load_sources
from tests.conftest import PROJECT_ROOT
from tests.support.factories import make_settings

CONFIG = load_sources(PROJECT_ROOT / "sources.yml", PROJECT_ROOT)
AE = next(source for source in CONFIG.sources if source.id == "ae_monthly")


def _fetched(release) -> FetchResult:
    path = PROJECT_ROOT / release.snapshot
    data = path.read_bytes()
    return FetchResult(
        source_id=AE.id,
        release=release.release,
        url_redacted="http://127.0.0.1/test",
        outcome="downloaded",
        raw_path=path,
        data_path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        fetched_at=datetime(2026, 11, 26, tzinfo=UTC),
        attempts=(),
    )


def _raw_rows(settings) -> list[tuple]:
    with duckdb.connect(str(settings.build_database), read_only=True) as con:
        return con.execute("select * from raw.ae_monthly order by all").fetchall()


def test_frames_above_the_threshold_are_staged_and_load_exactly_as_frames_do(tmp_path, monkeypatch):
    fetched = [_fetched(release) for release in AE.releases[:3]]
    in_memory = make_settings(tmp_path / "in_memory")
    validation = validate_source(AE, fetched, in_memory)
    assert validation.success and all(item.frame is not None for item in validation.files)
    load_source(AE, validation, in_memory)

    monkeypatch.setenv("AUDIT_INSIGHT_STREAM_MIN_BYTES", "1")  # every frame counts as large
    staged = make_settings(tmp_path / "staged")
    validation = validate_source(AE, fetched, staged)
    assert validation.success
    assert all(item.frame is None and item.staged.exists() for item in validation.files)
    loaded = load_source(AE, validation, staged)
    assert sum(result.rows for result in loaded) == len(_raw_rows(in_memory)) > 0
    assert not any(item.staged.exists() for item in validation.files)  # derived data, removed once loaded
    assert _raw_rows(staged) == _raw_rows(in_memory)


def test_a_source_that_fails_validation_leaves_nothing_staged(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIT_INSIGHT_STREAM_MIN_BYTES", "1")
    good = _fetched(AE.releases[0])
    broken_path = tmp_path / "broken.csv"
    broken_path.write_bytes(b"not,an,a_and_e,file\n1,2,3,4\n")
    broken = FetchResult(
        **{**good.__dict__, "raw_path": broken_path, "data_path": broken_path, "sha256": "0" * 64}
    )
    broken = dataclasses.replace(
        good, raw_path=broken_path, data_path=broken_path, sha256="0" * 64, release=AE.releases[1].release
    )
    settings = make_settings(tmp_path / "warehouse")
    validation = validate_source(AE, [good, broken], settings)
    assert not validation.success and "broken.csv" in validation.failures[0]
    assert not list((settings.build_dir / "staged").rglob("*.parquet"))
