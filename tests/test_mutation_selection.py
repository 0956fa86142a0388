"""`make mutation` picks a mutant's tests by the lines they run (mutation/selection.py). A
fixture shared by a module's tests runs once, inside the first test that asks for it: its lines
must count for every test that uses it, or a mutant reached only through a module-scoped render
would run that first test alone and survive the tests that read the rest of the render."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# make mutation's own tools are installed here (`make .venv/.mutation-installed`), not by the
# README's commands: a clean clone's CI has no mutmut and no coverage, and skips this file.
MISSING = "make mutation's tools (requirements-mutation.txt) are not installed"
pytest.importorskip("mutmut", reason=MISSING)
pytest.importorskip("coverage", reason=MISSING)

from mutation import selection  # noqa: E402

pytest_plugins = ("pytester",)


def test_a_shared_fixtures_lines_count_for_every_test_that_uses_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = pytester.makepyfile(target="def build():\n    return 1\n\n\ndef check():\n    return True\n")
    pytester.makepyfile(
        test_shared="""
import pytest
import target

@pytest.fixture(scope="module")
def built():
    return target.build()

def test_first(built):
    assert built == 1

def test_second(built):
    assert built == 1

def test_apart():
    assert target.check()
"""
    )
    data = tmp_path / "coverage" / "data"
    data.parent.mkdir()
    monkeypatch.setenv("MUTATION_COVERAGE_FILE", str(data))
    monkeypatch.setenv("MUTATION_COVERAGE_INCLUDE", str(target.resolve()))
    monkeypatch.setenv("PYTHONPATH", f"{REPO_ROOT}:{pytester.path}")
    result = pytester.runpytest_subprocess("-p", "mutation.coverage_map", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)

    covered = selection.tests_by_line(data, [target])
    assert covered[(str(target), 2)] == {"test_shared.py::test_first", "test_shared.py::test_second"}
    assert covered[(str(target), 6)] == {"test_shared.py::test_apart"}
    assert covered[(str(target), 1)] == set()  # run at import, by no test
