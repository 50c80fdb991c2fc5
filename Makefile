# Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := registry.settings

.PHONY: run test install serve index chromium test-sqlite test-postgres lint typecheck clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

## make run: install, migrate, seed, build the search index and serve on http://127.0.0.1:8000
run: install
	mkdir -p var/static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed
	@if $(PY) manage.py help rebuild_index >/dev/null 2>&1; then $(PY) manage.py rebuild_index; fi
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

## make test: the whole suite on SQLite, then on a PostgreSQL 15 server it starts and stops itself
test: install chromium
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	$(PY) -m pytest tests

test-postgres:
	.ci/with-postgres $(PY) -m pytest tests

# Browser tests drive Debian's Chromium; install it when it is missing (never a browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium package"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

## make lint: ruff (style, imports, a complexity limit), then mypy with django-stubs (mypy.ini) over
## services/, selectors/, rules.py and the search interface. `make test` runs it first.
lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

typecheck: install
	$(PY) -m mypy

clean:
	rm -rf var/test-* test-artifacts
