"""A pytest plugin for `make mutation`: which test runs which line of the modules in scope.

Loaded with `-p mutation.coverage_map` (mutation/run.py does it, in the checkout, over the fast
tests): each process measures line coverage with the test's node id as coverage's context, and
saves it to MUTATION_COVERAGE_FILE (one file a process, combined by mutation/selection.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

_coverage = None


def pytest_configure(config: pytest.Config) -> None:
    global _coverage
    from coverage import Coverage

    include = os.environ["MUTATION_COVERAGE_INCLUDE"].split(",")
    _coverage = Coverage(data_file=os.environ["MUTATION_COVERAGE_FILE"], data_suffix=True, include=include)
    _coverage.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    if _coverage is not None:
        _coverage.switch_context(item.nodeid)
    yield
    if _coverage is not None:
        _coverage.switch_context("")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _coverage is not None:
        _coverage.stop()
        _coverage.save()
