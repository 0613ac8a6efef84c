# gcmkg — the Makefile is the map.  `make help` lists the targets.
# Each target installs what it needs itself: Python packages into .venv, and Debian's wrk for
# the benchmarks.  The graph is one file target, build/current/report.txt, remade when a source
# changes; `gcmkg build` swaps the new release in only when every stage has passed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD_DIR ?= build
CURRENT := $(BUILD_DIR)/current
# The base IRI every minted IRI starts with (gcmkg reads GCMKG_BASE_IRI too); the stamp holds the one
# build/current was made with, and is rewritten only when it changes, so a new base IRI rebuilds.
BASE_IRI ?= $(or $(GCMKG_BASE_IRI),http://127.0.0.1:8000/)
BASE_STAMP := $(BUILD_DIR)/base-iri.stamp
$(shell mkdir -p $(BUILD_DIR); [ "$$(cat $(BASE_STAMP) 2>/dev/null)" = '$(BASE_IRI)' ] || printf '%s\n' '$(BASE_IRI)' > $(BASE_STAMP))
SOURCES := $(shell find corpus catalogue loaders src ontology shapes -type f \( -name '*.py' -o -name '*.ttl' -o -name '*.rq' -o -name '*.txt' -o -name '*.toml' \) 2>/dev/null) pyproject.toml

.DEFAULT_GOAL := help
.PHONY: help install tools build parse validate test lint clean serve bench soak faults cold-start browser node validate-bench nginx virtuoso bench-scale

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP) ## create .venv and install gcmkg with its test tools

$(CURRENT)/report.txt: $(STAMP) $(SOURCES) $(BASE_STAMP)
	$(BIN)/gcmkg --build-dir $(BUILD_DIR) --base-iri $(BASE_IRI) build

build: $(CURRENT)/report.txt ## build the graph: verify, parse, convert, link, validate, store, dump (swapped in only if all pass)
	@cat $(CURRENT)/report.txt

parse: $(STAMP) ## run the loaders only; the document model as JSON in build/parsed/
	$(BIN)/gcmkg --build-dir $(BUILD_DIR) parse

validate: $(STAMP) ## check the built store against shapes/ and shapes/checks/
	$(BIN)/gcmkg --build-dir $(BUILD_DIR) --base-iri $(BASE_IRI) validate

test: lint browser node nginx virtuoso ## run every test: lint, then pytest over tests/ and the doctests in src/ and loaders/
	$(BIN)/python -m pytest tests src/gcmkg loaders

serve: $(CURRENT)/report.txt ## install, build if missing or stale, serve on http://127.0.0.1:8000/ (Ctrl-C stops)
	$(BIN)/gcmkg --build-dir $(BUILD_DIR) --base-iri $(BASE_IRI) serve --host 127.0.0.1 --port 8000

tools: ## Debian packages the benchmarks use (wrk, the load generator), installed when missing
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

browser: ## Debian's Chromium and its WebDriver for the browser tests (tests/browser/), installed when missing
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

nginx: ## Debian's nginx for the replica tests (tests/service/test_replicas.py runs its own, on loopback), installed when missing
	@test -x /usr/sbin/nginx || \
		{ apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }

virtuoso: ## Debian's Virtuoso (virtuoso-t, isql-vt), a remote engine the service tests run against, installed when missing
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; }

bench: $(CURRENT)/report.txt tools ## latency and throughput of the service beside the Oxigraph server (prints figures)
	$(BIN)/python bench/bench_service.py --build-dir $(BUILD_DIR)

soak: $(CURRENT)/report.txt tools ## 32 clients, with and without pathological ones, gcmkg then Oxigraph (prints figures, ~9 min)
	$(BIN)/python bench/soak.py --build-dir $(BUILD_DIR)

faults: $(STAMP) ## kill a worker, rebuild twice while serving, kill and restart the service: what clients saw
	$(BIN)/python bench/faults.py

cold-start: $(CURRENT)/report.txt ## from `gcmkg serve` started to its first answer, 10 runs (prints figures)
	$(BIN)/python bench/cold_start.py --build-dir $(BUILD_DIR)

validate-bench: $(CURRENT)/report.txt ## validation's seconds per shape engine and check, at 1x 4x 16x the graph (prints figures)
	$(BIN)/python bench/validation.py --build-dir $(BUILD_DIR) --scale 1 4 16 --reference

bench-scale: $(STAMP) ## the build and lookups at 1×, 4×, 16×, 64× the corpus: time per stage, memory (prints figures, minutes)
	$(BIN)/python bench/scale.py

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check src loaders tests bench
	$(BIN)/mypy src loaders

clean: ## remove build/ (the virtual environment stays)
	rm -rf $(BUILD_DIR)

# Comunica, a SPARQL client nobody here wrote, for the client matrix (tests/service/test_sparql_clients.py).
# 4.x: Comunica 5 needs Node 22, Debian's is 20.
COMUNICA_VERSION := 4.5.0
COMUNICA := build/node/node_modules/.bin/comunica-sparql

$(COMUNICA):
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix build/node @comunica/query-sparql@$(COMUNICA_VERSION)

node: $(COMUNICA) ## Node.js test clients (Comunica) into build/node/, from the npm registry, when missing
