"""Dagster-only code: thin wrappers that turn sources.yml and the dbt project into assets."""
