"""Settings and sources.yml, read once per process for the Dagster definitions."""

from functools import cache

from orchestration.settings import Settings, load_settings
from orchestration.sources import SourcesConfig, load_sources


@cache
def settings() -> Settings:
    return load_settings()


@cache
def sources_config() -> SourcesConfig:
    current = settings()
    return load_sources(current.sources_file, current.project_root)
