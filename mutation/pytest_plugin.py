"""The pytest plugin of `make mutation` (`-p mutation.pytest_plugin`, pyproject's [tool.mutmut]).

Two things, both for mutmut's runs in mutants/:

- `plan` and `rehearse` run the program in the test's process. mutmut learns which tests reach
  a function by recording calls in the process that runs the test; a part rendered in a forked
  child (modelops/engine/forked.py) records nothing there, and the components' mutants would have
  no test. Run in one process, a part gives the same Plan (tests/test_render_parts.py holds it).
  mutmut forks each mutant's run from its process, which ran the program in the stats: the run
  starts as a forked part does, with its own event loop.
- A mutant runs the tests that run its line (mutation/selection.py writes which, from line
  coverage, a shared fixture's lines counting for every test that uses it), rather than
  mutmut's choice of every test that called its function. A check every spec goes through is
  reached by most tests; the few that reach its refusal are the ones that can kill its mutants.
  With MUTATION_TEST_CAP=N, only the N likeliest to kill it (mutation/selection.py): a
  mutant that survives those is written to mutation-capped/ with how many ran of how many, and
  the report says so. mutmut's run of the tests before the mutants, a check that they pass in
  mutants/, runs as many (they all passed in the checkout, measuring the coverage).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SELECTION_FILE = "mutation-selection.json"  # in mutants/, the tests' working directory
CAPPED_FOLDER = "mutation-capped"

_tests_by_mutant: dict[str, list[list[int]]] | None = None
_test_ids: list[str] = []


def _load_selection() -> None:
    """Once, in mutmut's main process: the forked runs of the mutants inherit it."""
    global _tests_by_mutant, _test_ids
    if _tests_by_mutant is not None:
        return
    path = Path(SELECTION_FILE)
    if not path.exists():
        _tests_by_mutant = {}
        return
    data = json.loads(path.read_text())
    _test_ids = data["tests"]
    _tests_by_mutant = data["mutants"]


def pytest_configure(config: pytest.Config) -> None:
    from modelops.engine import forked

    forked.available = lambda: False
    _load_selection()
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    cap = int(os.environ.get("MUTATION_TEST_CAP", "0"))
    if mutant == "" and cap and "::" in "".join(config.args):
        config.args[:] = config.args[:cap]  # mutmut's clean run
    if "__mutmut_" not in mutant:
        return  # mutmut's stats, clean run or forced failure, in its own process
    from modelops.engine.render import start_forked_run

    start_forked_run()  # mutmut forked this process from one that ran the program: a fresh event loop
    if _tests_by_mutant is None or mutant not in _tests_by_mutant:
        return  # a mutant the selection does not know: every test mutmut chose
    rank = {_test_ids[test]: rank for test, rank in _tests_by_mutant[mutant]}
    # Not only mutmut's choice, the tests that call the function: mutmut records a call inside a
    # shared fixture (a module's render) for the first test using it alone, where the selection
    # counts it for each (mutation/coverage_map.py). Likeliest to kill first.
    kept = sorted(rank, key=lambda test: rank[test])
    if not kept:
        pytest.exit("no fast test runs the mutated line", returncode=pytest.ExitCode.NO_TESTS_COLLECTED)
    if cap and len(kept) > cap:
        config.stash[_CAPPED] = f"ran the {cap} likeliest of the {len(kept)} fast tests that run its line"
        kept = kept[:cap]
    config.args[:] = kept


_CAPPED = pytest.StashKey[str]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A capped mutant that survived: say so beside mutmut's verdict."""
    note = session.config.stash.get(_CAPPED, None)
    if note is not None and exitstatus == 0:
        folder = Path(CAPPED_FOLDER)
        folder.mkdir(exist_ok=True)
        (folder / os.environ["MUTANT_UNDER_TEST"]).write_text(note)
