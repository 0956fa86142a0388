"""A pytest plugin for `make mutation`: which test runs which line of the modules in scope.

Loaded with `-p mutation.coverage_map` (mutation/run.py does it, in the checkout, over the fast
tests): each process measures line coverage with the test's node id as coverage's context, and
saves it to MUTATION_COVERAGE_FILE (one file a process, combined by mutation/selection.py).

A fixture shared by several tests (scope module, package or session) is set up once, inside
the first test that asks for it: its lines would count as that test's alone, and a mutant of a
component that a module-scoped render reaches would run only that test. So a shared fixture's
setup is measured under a context of its own, `fixture:<its id>`, and each process writes
which tests use each shared fixture to `<MUTATION_COVERAGE_FILE>.fixtures.<pid>.json`;
mutation/selection.py counts the fixture's lines as run by each of them.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator

import pytest

FIXTURE_CONTEXT = "fixture:"

_coverage = None
_contexts: list[str] = [""]  # the innermost last: a test's node id, then the shared fixtures it sets up
_users: dict[str, set[str]] = defaultdict(set)  # a shared fixture's context -> the tests that use it


def shared_context(fixturedef: pytest.FixtureDef[object]) -> str:
    return f"{FIXTURE_CONTEXT}{fixturedef.baseid}::{fixturedef.argname}"


def pytest_configure(config: pytest.Config) -> None:
    global _coverage
    from coverage import Coverage

    include = os.environ["MUTATION_COVERAGE_INCLUDE"].split(",")
    _coverage = Coverage(data_file=os.environ["MUTATION_COVERAGE_FILE"], data_suffix=True, include=include)
    _coverage.start()


def _switch(context: str) -> None:
    if _coverage is not None:
        _coverage.switch_context(context)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    fixture_info = getattr(item, "_fixtureinfo", None)
    for definitions in fixture_info.name2fixturedefs.values() if fixture_info else ():
        if definitions and definitions[-1].scope != "function":
            _users[shared_context(definitions[-1])].add(item.nodeid)
    _contexts[:] = [item.nodeid]
    _switch(item.nodeid)
    yield
    _contexts[:] = [""]
    _switch("")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Iterator[None]:
    if fixturedef.scope == "function":
        yield
        return
    _contexts.append(shared_context(fixturedef))
    _switch(_contexts[-1])
    try:
        yield
    finally:
        _contexts.pop()
        _switch(_contexts[-1])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _coverage is not None:
        _coverage.stop()
        _coverage.save()
        users = {context: sorted(tests) for context, tests in _users.items()}
        target = f"{os.environ['MUTATION_COVERAGE_FILE']}.fixtures.{os.getpid()}.json"
        with open(target, "w") as out:
            json.dump(users, out)
