# Two commands: `make run` (the site with demo data on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-pg install dev translations chromium lint bench clean

# Debian's python3 has no venv module until python3-venv is installed: install it if needed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); $(SUDO) apt-get update && \
	  $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed translations
dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	$(BIN)/python translations/catalog.py compile

## The site on SQLite (instance/network.db) with demo data, at http://127.0.0.1:5000
## (`make run PORT=5101`: every link in the mails and staff pages then uses that port)
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/flask --app network db upgrade
	$(BIN)/flask --app network demo load
	$(BIN)/flask --app network run --host $(HOST) --port $(PORT)

chromium:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

## The whole suite on SQLite (set TEST_DATABASE_URL for PostgreSQL)
test: dev chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The suite on a fresh PostgreSQL database of the local server
test-pg: dev chromium
	bash .ci/run --postgres-only

lint: dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance *.egg-info
