# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8501

.PHONY: run test bench bench-pyairbyte lint api screenshots venv dev-deps system-deps test-connectors test-oidc test-prism connectors-check clean

## The Airbyte connectors the tests run, installed once per machine into a cache keyed by package and
## version (one folder each); tests/airbyte_support.py reads the same folder.
TEST_CONNECTORS_DIR ?= $(HOME)/.cache/hub-connectors
## The OAuth tests' authorization server (npm oidc-provider, pinned), installed outside the repository;
## tests/oidc_support.py reads the same folder.
TEST_OIDC_DIR ?= $(HOME)/.cache/hub-oidc
OIDC_PROVIDER_VERSION := 9.13.3

## Stoplight Prism, the mock of Airbyte's public API the hand-off tests use (npm, into a cache folder;
## 5.16 needs Node 24, so 5.14.x); tests/airbyte_api_support.py reads the same folder.
TEST_PRISM_DIR ?= $(HOME)/.cache/hub-prism
PRISM_VERSION := 5.14.2

## PyAirbyte, the reference read of the connectors benchmark (`make bench` only, never `make test`): its
## own venv (it cannot share ours), built once per machine into a cache folder keyed by its version.
PYAIRBYTE_VERSION := 0.71.3
PYAIRBYTE_PYTHON ?= python3.11
BENCH_PYAIRBYTE_DIR ?= $(HOME)/.cache/hub-bench/pyairbyte-$(PYAIRBYTE_VERSION)

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime

dev-deps: $(VENV)/.dev

## Installs what the tests start or call themselves (apt), only where missing: the database servers, the
## browser, iproute2 (`ip netns`) and util-linux (runuser, setpriv, unshare). The suite runs as root.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v mariadbd >/dev/null 2>&1 || missing="$$missing mariadb-server"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-liberation"; \
	command -v ip >/dev/null 2>&1 || missing="$$missing iproute2"; \
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	command -v setpriv >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 \
	  || missing="$$missing util-linux"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run: venv
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test-connectors: dev-deps
	HUB_CONNECTORS_DIR=$(TEST_CONNECTORS_DIR) $(PY) -m hub connectors install csv woocommerce intercom airbyte-source-faker==7.2.1

test-oidc: system-deps
	@test -f $(TEST_OIDC_DIR)/node_modules/oidc-provider/package.json \
	  && grep -q '"version": "$(OIDC_PROVIDER_VERSION)"' $(TEST_OIDC_DIR)/node_modules/oidc-provider/package.json \
	  || { mkdir -p $(TEST_OIDC_DIR) && cd $(TEST_OIDC_DIR) && { test -f package.json || echo '{"private": true}' > package.json; } \
	       && npm install --no-audit --no-fund --silent oidc-provider@$(OIDC_PROVIDER_VERSION); }

test-prism: system-deps
	@grep -qs '"version": "$(PRISM_VERSION)"' $(TEST_PRISM_DIR)/node_modules/@stoplight/prism-cli/package.json \
	  || npm install --no-audit --no-fund --prefix $(TEST_PRISM_DIR) @stoplight/prism-cli@$(PRISM_VERSION)

## The suite in TEST_WORKERS processes (pytest-xdist), a test file to a worker: much of its time is spent
## waiting on connector subprocesses, servers and the browser. Each worker starts its own servers.
TEST_WORKERS ?= 2
test: dev-deps system-deps test-connectors test-oidc test-prism
	HUB_TEST_CONNECTORS_DIR=$(TEST_CONNECTORS_DIR) HUB_TEST_OIDC_DIR=$(TEST_OIDC_DIR) HUB_TEST_PRISM_DIR=$(TEST_PRISM_DIR) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

## Not part of `make test`: every pinned connector installs, runs `spec`, and matches its shipped spec.
connectors-check: dev-deps
	HUB_CONNECTORS_DIR=$(TEST_CONNECTORS_DIR) $(PY) -m hub connectors check-pins

## Built in a temporary folder, then renamed: an interrupted build leaves no half-made venv (~600 MB).
bench-pyairbyte: dev-deps
	@test -f $(BENCH_PYAIRBYTE_DIR)/.complete || { \
	  echo "Installing PyAirbyte $(PYAIRBYTE_VERSION) into $(BENCH_PYAIRBYTE_DIR) (once; about 600 MB)"; \
	  rm -rf $(BENCH_PYAIRBYTE_DIR).tmp && mkdir -p $(dir $(BENCH_PYAIRBYTE_DIR)) \
	  && UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv venv -q --relocatable -p $(PYAIRBYTE_PYTHON) $(BENCH_PYAIRBYTE_DIR).tmp \
	  && UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv pip install -q -p $(BENCH_PYAIRBYTE_DIR).tmp/bin/python airbyte==$(PYAIRBYTE_VERSION) \
	  && touch $(BENCH_PYAIRBYTE_DIR).tmp/.complete && mv $(BENCH_PYAIRBYTE_DIR).tmp $(BENCH_PYAIRBYTE_DIR); }

bench: dev-deps system-deps test-connectors test-oidc test-prism bench-pyairbyte
	HUB_TEST_CONNECTORS_DIR=$(TEST_CONNECTORS_DIR) HUB_TEST_OIDC_DIR=$(TEST_OIDC_DIR) HUB_TEST_PRISM_DIR=$(TEST_PRISM_DIR) \
	  HUB_BENCH_PYAIRBYTE=$(BENCH_PYAIRBYTE_DIR)/bin/python $(PY) -m benchmarks

lint: dev-deps
	$(VENV)/bin/ruff check hub tests benchmarks app.py app_pages ui
	$(VENV)/bin/mypy hub

api: venv
	$(VENV)/bin/uvicorn hub.api:app --host 127.0.0.1 --port 8000

## The catalogue's icons are emoji: without a colour emoji font Chromium draws empty boxes in the images.
screenshots: dev-deps system-deps
	@fc-list 2>/dev/null | grep -qi "color emoji" || { \
	  echo "Installing fonts-noto-color-emoji (the icons in the screenshots)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji >/dev/null; }
	$(PY) -m tests.e2e.screenshots docs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis artifacts
