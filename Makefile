# Everything runs from a local virtualenv; no AWS account and no Pulumi CLI needed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: demo test lint setup clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

## The main job: validate, plan and rehearse the dev stack on the embedded AWS emulator.
demo: setup
	$(PY) -m modelops validate
	$(PY) -m modelops plan --stack $(STACK)
	$(PY) -m modelops rehearse --stack $(STACK)

## Style, types and the test suite.
test: setup lint
	$(PY) -m pytest -n 2 -q

lint: setup
	$(PY) -m ruff format --check modelops components policies tests benchmarks __main__.py
	$(PY) -m ruff check modelops components policies tests benchmarks __main__.py
	$(PY) -m mypy modelops components

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
