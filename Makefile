# audit-insight: one command per job. `make run` and `make test` are all a fresh clone needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
UV_VERSION := 0.13.9

# Telemetry off for every tool (also set in orchestration/__init__.py for other entry points).
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export PATH := $(BIN):$(PATH)

.PHONY: help install run test lint unit dev clean

help:
	@echo "make run    - create .venv from the lock file, then fetch, validate, load, build and publish (offline)"
	@echo "make test   - ruff, sqlfluff and the whole pytest suite"
	@echo "make dev    - dagster dev on http://127.0.0.1:3000"
	@echo "make clean  - remove warehouse outputs (keeps .venv)"

# The environment comes only from pyproject.toml + uv.lock (pinned, with hashes).
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --python $(BIN)/python
	@touch $@

install: $(VENV)/.synced

run: install
	$(BIN)/audit-insight run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p warehouse/.lint
	AUDIT_INSIGHT_BUILD_DATABASE=$(CURDIR)/warehouse/.lint/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests --disable-progress-bar

test: lint
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

dev: install
	@mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

clean:
	rm -rf warehouse/raw warehouse/build warehouse/releases warehouse/current warehouse/exports \
		warehouse/audit_insight.duckdb warehouse/.lint dbt_project/target dbt_project/logs
