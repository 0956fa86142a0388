"""Which fast tests can kill each mutant: those that run the mutated line.

mutmut selects tests by function: a mutant runs every test that called its function. A check
that every spec goes through is called by most tests, and a mutant that survives would run them
all (minutes each). Line coverage of each fast test (mutation/coverage_map.py) narrows that to
the tests that ran the line: the others cannot tell the mutant from the code.

The mutants are named as mutmut names them, by enumerating its mutations the way mutmut does
(mutmut.mutation.file_mutation): the n-th mutation inside a function is `<function>__mutmut_<n>`.
The lines of a mutation are those of the mutated node and the first line of its statement,
which is the line coverage records for a statement spread over several lines.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider
from mutmut.mutation.file_mutation import MutationVisitor
from mutmut.mutation.mutators import mutation_operators
from mutmut.mutation.pragma_handling import get_ignored_lines
from mutmut.mutation.trampoline_templates import mangle_function_name
from mutmut.utils.format_utils import get_mutant_name

from mutation.coverage_map import FIXTURE_CONTEXT


def mutant_lines(path: Path) -> dict[str, set[int]]:
    """mutmut's name of each mutant of `path` (relative to the checkout) -> the lines it changes."""
    return {key: changed for key, (changed, _) in _mutants(path).items()}


def _mutants(path: Path) -> dict[str, tuple[set[int], range]]:
    """mutmut's name of each mutant of `path` -> the lines it changes, and its function's lines."""
    code = path.read_text()
    wrapper = MetadataWrapper(cst.parse_module(code))
    visitor = MutationVisitor(mutation_operators, get_ignored_lines(str(path), code, wrapper), None)
    wrapper.visit(visitor)
    positions = wrapper.resolve(PositionProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    method_class = {
        method: statement.name.value
        for statement in wrapper.module.body
        if isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock)
        for method in statement.body.body
    }
    count: dict[cst.CSTNode, int] = defaultdict(int)
    lines: dict[str, tuple[set[int], range]] = {}
    for mutation in visitor.mutations:
        function = mutation.contained_by_top_level_function
        if not isinstance(function, cst.FunctionDef):
            continue  # mutmut keeps only the mutations inside functions and methods
        count[function] += 1
        name = mangle_function_name(name=function.name.value, class_name=method_class.get(function))
        key = get_mutant_name(path, f"{name}__mutmut_{count[function]}")
        position = positions[mutation.original_node]
        changed = set(range(position.start.line, position.end.line + 1))
        statement = _statement_of(mutation.original_node, parents)
        if statement is not None:
            changed.add(positions[statement].start.line)
        span = positions[function]
        lines[key] = (changed, range(span.start.line, span.end.line + 1))
    return lines


def _statement_of(node: cst.CSTNode, parents: object) -> cst.CSTNode | None:
    """The innermost statement holding `node` (for an `if` or a loop: the one whose header it is in)."""
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, cst.BaseSmallStatement | cst.BaseCompoundStatement):
            return current
        current = parents.get(current)  # type: ignore[attr-defined]
    return None


def tests_by_line(data_file: Path, paths: list[Path]) -> dict[tuple[str, int], set[str]]:
    """(path, line) -> the node ids of the tests that ran it, from mutation/coverage_map.py's files."""
    from coverage.data import CoverageData, combine_parallel_data

    data = CoverageData(basename=str(data_file))
    combine_parallel_data(data, strict=True)  # the per-process files beside data_file, removed
    users = fixture_users(data_file)
    found: dict[tuple[str, int], set[str]] = {}
    for path in paths:
        by_line = data.contexts_by_lineno(str(path.resolve()))
        for line, contexts in by_line.items():
            tests: set[str] = set()
            for context in contexts:
                # A shared fixture's lines are run for each test that uses it (mutation/coverage_map.py).
                tests |= users.get(context, set()) if context.startswith(FIXTURE_CONTEXT) else {context} - {""}
            found[(str(path), line)] = tests
    return found


def fixture_users(data_file: Path) -> dict[str, set[str]]:
    """A shared fixture's coverage context -> the tests that use it, from every process's file."""
    users: dict[str, set[str]] = defaultdict(set)
    for written in data_file.parent.glob(f"{data_file.name}.fixtures.*.json"):
        for context, tests in json.loads(written.read_text()).items():
            users[context].update(tests)
    return users


def selection(paths: list[Path], data_file: Path) -> dict[str, object]:
    """mutants/mutation-selection.json's content: each mutant -> [test, rank] of each test that
    runs its lines; the lower the rank, the likelier the test is to kill it.

    The likeliest are those that run the rarest lines of its function. A check every spec goes
    through is run by hundreds of tests, nearly all of them passing it; the few that run its
    refusal, a line only they reach, are the tests of that rule. So each test is ranked by the
    fewest tests that share a line of the function with it.
    """
    covered = tests_by_line(data_file, paths)
    tests: dict[str, int] = {}
    mutants: dict[str, list[int]] = {}
    for path in paths:
        for key, (lines, function) in _mutants(path).items():
            reaching = set().union(*(covered.get((str(path), line), set()) for line in lines))
            rarity = dict.fromkeys(reaching, len(reaching))
            for line in function:
                sharing = covered.get((str(path), line), set())
                for test in sharing & reaching:
                    rarity[test] = min(rarity[test], len(sharing))
            mutants[key] = sorted([tests.setdefault(test, len(tests)), rarity[test]] for test in reaching)
    return {"tests": list(tests), "mutants": mutants}
