"""mutmut's results in mutants/ as `make mutation` prints them: scores, survivors, equivalents.

A mutant is killed when mutmut says killed or timeout (a mutant that hangs the tests is caught
as surely as one that fails them; mutmut's own score counts both). Every other outcome is a
survivor: survived, no tests (no fast test runs the line), suspicious, segfault, not checked.
A survivor listed in mutation/equivalent.txt is equivalent: it cannot change behaviour, and is
left out of the survivors and of the exit status.

A mutant's key in equivalent.txt names the file, the function and the mutated line before and
after (`path::function: old => new`), not mutmut's number, which moves with any edit of the
function. An entry whose key matches no mutant any more is stale, and said so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.format_utils import orig_function_and_class_names_from_key

KILLED = {"killed", "timeout"}
EQUIVALENT_FILE = Path("mutation/equivalent.txt")
SEPARATOR = " ## "


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's, as `mutmut show` takes it
    path: str
    status: str
    first_line: int
    note: str = ""  # mutation/pytest_plugin.py's, when it capped the tests of a survivor

    @property
    def killed(self) -> bool:
        return self.status in KILLED

    def diff(self) -> str:
        return get_diff_for_mutant(self.name, path=self.path)

    def key(self) -> str:
        """The name that survives unrelated edits: file, function, the line before and after."""
        function, class_name = orig_function_and_class_names_from_key(self.name)
        qualified = f"{class_name}.{function}" if class_name else function
        lines = self.diff().splitlines()[2:]  # past the ---/+++ header
        old = " / ".join(line[1:].strip() for line in lines if line.startswith("-"))
        new = " / ".join(line[1:].strip() for line in lines if line.startswith("+"))
        return f"{self.path}::{qualified}: {old} => {new or '(nothing)'}"


def results(path: str, first_lines: dict[str, int]) -> list[Mutant]:
    """The mutants of one module in source order, with mutmut's verdict (mutants/<path>.meta)."""
    meta = Path("mutants") / f"{path}.meta"
    try:
        codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    except FileNotFoundError:
        codes = {}
    except json.JSONDecodeError:  # mutmut is writing it: not done
        return [Mutant("", path, "not checked", 0)]
    capped = Path("mutants") / "mutation-capped"
    mutants = [
        Mutant(name, path, status_by_exit_code[code], first_lines.get(name, 0), _note(capped / name))
        for name, code in codes.items()
    ]
    return sorted(mutants, key=lambda m: (m.first_line, _number(m.name)))


def _number(name: str) -> int:
    """mutmut's number of a mutant within its function: x_f__mutmut_12 -> 12."""
    return int(name.rpartition("_")[2])


def _note(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def read_equivalents(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Key -> reason, from `key ## reason` lines (blank lines and `#` comments aside)."""
    equivalents: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines() if path.exists() else [], 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, separator, reason = line.rpartition(SEPARATOR)
        if not separator or not key.strip() or not reason.strip():
            raise SystemExit(f"{path}:{number}: expected `<mutant key>{SEPARATOR}<why it cannot change behaviour>`")
        equivalents[key.strip()] = reason.strip()
    return equivalents


@dataclass
class ModuleReport:
    path: str
    total: int
    killed: int
    equivalent: int
    survivors: list[tuple[Mutant, str]]  # (mutant, its key), not killed and not equivalent
    counts: dict[str, int]  # status -> mutants

    @property
    def score(self) -> str:
        return _score(self.killed, self.total)


def _score(killed: int, total: int) -> str:
    return f"{killed}/{total} ({100 * killed / total:.1f}%)" if total else "0/0 (-)"


def module_report(path: str, first_lines: dict[str, int], equivalents: dict[str, str], seen: set[str]) -> ModuleReport:
    """One module's report; adds the equivalent keys it matched to `seen`."""
    mutants = results(path, first_lines)
    counts: dict[str, int] = {}
    survivors: list[tuple[Mutant, str]] = []
    equivalent = 0
    for mutant in mutants:
        counts[mutant.status] = counts.get(mutant.status, 0) + 1
        if mutant.killed:
            continue
        key = mutant.key()
        if key in equivalents:
            seen.add(key)
            equivalent += 1
        else:
            survivors.append((mutant, key))
    killed = sum(1 for m in mutants if m.killed)
    return ModuleReport(path, len(mutants), killed, equivalent, survivors, counts)


def table(reports: list[ModuleReport]) -> str:
    """The score table: one row a module, then the overall score."""
    width = max([len(r.path) for r in reports] + [len("overall")])
    header = f"{'module':<{width}}  {'score (killed/mutants)':>24}  survived  no-tests  other  equivalent"
    rows = [header, "-" * len(header)]
    for r in reports:
        rows.append(_row(r.path, width, r.killed, r.total, r.counts, r.equivalent))
    counts: dict[str, int] = {}
    for r in reports:
        for status, n in r.counts.items():
            counts[status] = counts.get(status, 0) + n
    rows.append("-" * len(header))
    total = sum(r.total for r in reports)
    rows.append(
        _row("overall", width, sum(r.killed for r in reports), total, counts, sum(r.equivalent for r in reports))
    )
    return "\n".join(rows)


def _row(name: str, width: int, killed: int, total: int, counts: dict[str, int], equivalent: int) -> str:
    survived, no_tests = counts.get("survived", 0), counts.get("no tests", 0)
    other = total - killed - survived - no_tests
    return f"{name:<{width}}  {_score(killed, total):>24}  {survived:>8}  {no_tests:>8}  {other:>5}  {equivalent:>10}"


def survivors_text(report: ModuleReport) -> str:
    """Each survivor of a module: its key, mutmut's name and status, and the diff."""
    parts = [f"# {report.path}: {report.score}, {len(report.survivors)} survivors (not equivalent)\n"]
    for mutant, key in report.survivors:
        status = f"{mutant.status}: {mutant.note}" if mutant.note else mutant.status
        parts.append(f"## {key}\n# {mutant.name} ({status}, line {mutant.first_line})\n{mutant.diff()}\n")
    return "\n".join(parts)


def stale(equivalents: dict[str, str], seen: set[str], paths: list[str]) -> list[str]:
    """Entries of equivalent.txt, for the modules reported, that matched no surviving mutant."""
    return [key for key in equivalents if key.split("::", 1)[0] in paths and key not in seen]
