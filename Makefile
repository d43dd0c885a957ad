# Ketenzicht — `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KETENZICHT_HOME := $(CURDIR)

.PHONY: run test test-sqlite test-postgres setup lint bench loadtest messages clean demo

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==0.13.9
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

demo: setup
	$(BIN)/ketenzicht migrate --no-input
	$(BIN)/ketenzicht load_demo

# The task worker runs beside the server: the monitor's counts and monthly release, reminders.
run: demo
	$(BIN)/ketenzicht db_worker --no-reload & worker=$$!; trap 'kill $$worker' EXIT; $(BIN)/ketenzicht runserver 127.0.0.1:8000

test: setup
	bash scripts/ensure-system-packages.sh
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check .

bench: setup
	bash scripts/bench.sh

loadtest: setup
	bash scripts/loadtest.sh

# Regenerate translation catalogues after changing texts (needs GNU gettext).
messages: setup
	cd src/ketenzicht && ../../$(BIN)/ketenzicht makemessages -l nl -l en -l pl -l bg -l ro -l uk -l ru --no-obsolete
	cd src/ketenzicht && ../../$(BIN)/ketenzicht compilemessages

clean:
	rm -rf $(VENV) node_modules var staticfiles
