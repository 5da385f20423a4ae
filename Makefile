# Two entry points: `make site` and `make test`. Everything else is set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site site-folder test lint format expected bench serve clean system-site system-test

site: system-site $(VENV)/.installed
	$(BIN)/mkdocs build --strict

# The same site, to open from a folder over file:// (no web server): site-folder/index.html.
site-folder: system-site $(VENV)/.installed
	SOP_FOLDER=true $(BIN)/mkdocs build --strict --site-dir site-folder

test: system-test $(VENV)/.installed-test
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/python -m pytest -n auto -q

serve: system-site $(VENV)/.installed
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

# Regenerate the committed expected-output files; review the result with `git diff`.
expected: $(VENV)/.installed-test
	SOP_UPDATE_EXPECTED=1 $(BIN)/python -m pytest -q

bench: system-test $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/ruff format generator tests benchmarks
	$(BIN)/ruff check --fix generator tests benchmarks

system-site:
	@scripts/system-deps.sh site

system-test:
	@scripts/system-deps.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf site site-folder .sop-cache .pytest_cache
