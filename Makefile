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

.PHONY: help install run test lint unit faults dev clean chromium report bench bench-small

help:
	@echo "make run    - create .venv from the lock file, then fetch, validate, load, build and publish (offline)"
	@echo "make test   - ruff, sqlfluff and the whole pytest suite (installs headless chromium as root)"
	@echo "make report - the ICB Insight Report of every current ICB (warehouse/reports/)"
	@echo "make faults - the fault corpus only (network, file, process, config faults; docs/reliability.md)"
	@echo "make dev    - dagster dev on http://127.0.0.1:3000"
	@echo "make bench  - the national-scale benchmark on 52.6M SYNTHETIC rows (docs/benchmarks.md; ~30 GB in /tmp)"
	@echo "make bench-small - the benchmark scenarios on 175k SYNTHETIC rows (CI mode)"
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

# Headless Chromium opens the ICB reports in the end-to-end tests (Debian package `chromium`). CI runs
# as root on a fresh Debian machine: install it there; elsewhere say what is missing.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else echo "warning: /usr/bin/chromium is missing: the report tests need it (apt-get install chromium)"; fi

test: lint chromium
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

report: install
	$(BIN)/audit-insight report --all

faults: install
	$(BIN)/pytest tests/faults -m faults

# Results: benchmarks/results/<mode>-<timestamp>.json and latest-<mode>.md (docs/benchmarks.md).
bench: install
	$(BIN)/python -m benchmarks.run --mode full

bench-small: install
	$(BIN)/python -m benchmarks.run --mode small --skip stages

dev: install
	@mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

clean:
	rm -rf warehouse/raw warehouse/build warehouse/releases warehouse/current warehouse/exports \
		warehouse/audit_insight.duckdb warehouse/.lint dbt_project/target dbt_project/logs
