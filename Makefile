# One task runner. `make` = lint then test. `make run` = the main job on the embedded dataset.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= dist
MAIN_QUERIES := participation-countries cases-by-country cases-by-theme cases-in-region shared-actors awarded-cases

.PHONY: default run test lint check clean venv

default: lint test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/opsi-kg build --out $(OUT); status=$$?; test $$status -le 1 || exit $$status
	$(BIN)/opsi-kg query run $(MAIN_QUERIES) --quiet

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check opsi_kg tests bench scripts

clean:
	rm -rf $(OUT) build *.egg-info .pytest_cache .ruff_cache .opsi-kg-cache test-output
