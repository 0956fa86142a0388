# Everything runs from a local virtualenv; no AWS account and no Pulumi CLI needed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: demo test lint setup clean mutation

# requirements.txt pins every tool, setuptools included; the editable install adds the
# `modelops` command running this checkout's code (pyproject.toml: entry point, packages,
# metadata), built with that pinned setuptools rather than one fetched for the build.
$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-build-isolation --editable .
	touch $@

setup: $(VENV)/.installed

## The main job: validate, plan and rehearse the dev stack on the embedded AWS emulator.
demo: setup
	$(VENV)/bin/modelops validate
	$(VENV)/bin/modelops plan --stack $(STACK)
	$(VENV)/bin/modelops rehearse --stack $(STACK)

## Style, types and the test suite.
test: setup lint
	$(PY) -m pytest -n 2 -q

lint: setup
	$(PY) -m ruff format --check modelops components policies tests benchmarks mutation __main__.py
	$(PY) -m ruff check modelops components policies tests benchmarks mutation __main__.py
	$(PY) -m mypy modelops components

## Mutation testing of the rule and security modules (slow, not in CI; README "Mutation testing").
## MODULES="modelops/spec/checks.py ..." runs those only.
MODULES ?=
$(VENV)/.mutation-installed: requirements-mutation.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-mutation.txt
	touch $@

mutation: $(VENV)/.mutation-installed
	$(PY) mutation/run.py $(MODULES)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info build mutants
