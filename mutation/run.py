"""`make mutation`: mutmut over the modules that carry rules and security, then the report.

    python mutation/run.py [--max-children N] [--cap N] [--out DIR] [--report-only] [MODULE.py ...]

The modules are pyproject.toml's [tool.mutmut] only_mutate, or those given. Each mutant runs
the fast tests (pyproject's test selection) that run its line (mutation/selection.py). Prints
the score of each module and overall, and each survivor with its diff, but for the equivalent
mutants of mutation/equivalent.txt (mutation/report.py). Exits 0 when no other mutant survives,
1 when one does, 2 when mutmut fails. With --out, writes summary.txt there and one
survivors-<module>.txt a module, each as soon as that module's mutants are all judged.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # mutation.* as a package, when run as a script

from mutation import report, selection  # noqa: E402

MUTANTS = Path("mutants")

COVERAGE_DIR = MUTANTS / "mutation-coverage"
POLL_S = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="files of the scope (default: all of it)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run side by side")
    parser.add_argument("--cap", type=int, default=20, help="run at most N tests a mutant (0: all)")
    parser.add_argument("--out", type=Path, help="write summary.txt and survivors files there")
    parser.add_argument("--report-only", action="store_true", help="report mutmut's last results")
    parser.add_argument("--resume", action="store_true", help="run only the mutants not judged yet")
    args = parser.parse_args()
    os.chdir(ROOT)
    config = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
    scope: list[str] = config["only_mutate"]
    modules = [str(Path(m)) for m in args.modules] or scope
    outside = [m for m in modules if m not in scope]
    if outside:
        print(f"not in the scope (pyproject.toml [tool.mutmut] only_mutate): {' '.join(outside)}")
        return 2
    equivalents = report.read_equivalents()

    MUTANTS.mkdir(exist_ok=True)
    started = time.monotonic()
    if args.report_only:
        first_lines = _first_lines(scope)
    else:
        first_lines = _select_tests(scope, config["pytest_add_cli_args_test_selection"])
        if args.resume:  # an interrupted run: mutmut's names of the mutants it has not judged
            globs = [m.name for p in modules for m in report.results(p, first_lines) if m.status == "not checked"]
        else:
            _forget_results(modules)
            globs = [_glob(m) for m in modules]
        log = MUTANTS / "mutation-run.log"
        command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(args.max_children)]
        if not globs:
            print("every mutant of these modules has a verdict")
        shown = globs if not args.resume else [f"<{len(globs)} mutants not judged yet>"]
        print(f"$ MUTATION_TEST_CAP={args.cap} {shlex.join(command + shown)}  (log: {log})", flush=True)
        written: set[str] = set()
        with log.open("w") as out:
            # with no names, mutmut would run every mutant not judged, in the whole scope
            first_pass = command + globs if globs else [sys.executable, "-c", ""]
            env = {**os.environ, "MUTATION_TEST_CAP": str(args.cap)}
            process = subprocess.Popen(first_pass, stdout=out, stderr=subprocess.STDOUT, env=env)
            while process.poll() is None:
                time.sleep(POLL_S)
                _write_finished(modules, first_lines, equivalents, args.out, written, started)
        if process.returncode != 0:
            print(log.read_text()[-3000:])
            print(f"mutmut failed (exit status {process.returncode}); its output: {log}")
            return 2
        _write_finished(modules, first_lines, equivalents, args.out, written, started)

    seen: set[str] = set()
    reports = [report.module_report(m, first_lines, equivalents, seen) for m in modules]
    for module_report in reports:
        if module_report.survivors:
            print(report.survivors_text(module_report))
    stale = report.stale(equivalents, seen, modules)
    for key in stale:
        print(f"stale entry in {report.EQUIVALENT_FILE} (no surviving mutant has this key): {key}")
    summary = report.table(reports)
    minutes = (time.monotonic() - started) / 60
    print(
        f"\n{summary}\n\n{minutes:.0f} min; survivors not listed as equivalent: "
        f"{sum(len(r.survivors) for r in reports)}"
    )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        took = "" if args.report_only else f"\nwall time of the mutants' runs: {minutes:.0f} min\n"
        (args.out / "summary.txt").write_text(f"{summary}\n{took}")
    return 1 if any(r.survivors for r in reports) else 0


def _glob(path: str) -> str:
    """mutmut's names of a module's mutants: modelops/aws/iam.py -> modelops.aws.iam.*"""
    return path.removesuffix(".py").replace("/", ".") + ".*"


def _select_tests(scope: list[str], test_selection: list[str]) -> dict[str, int]:
    """Measure which fast test runs which line, unless done since the last change of code or
    tests; write each mutant's tests for mutation/pytest_plugin.py. Returns each mutant's line."""
    target = MUTANTS / "mutation-selection.json"
    watched = [Path("pyproject.toml"), *(Path("mutation") / f for f in ("selection.py", "coverage_map.py"))]
    for folder in ("modelops", "components", "policies", "tests"):
        watched += Path(folder).rglob("*.py")
    fresh = target.exists() and target.stat().st_mtime > max(p.stat().st_mtime for p in watched)
    paths = [Path(p) for p in scope]
    if not fresh:
        for old in COVERAGE_DIR.glob("*"):
            old.unlink()
        COVERAGE_DIR.mkdir(parents=True, exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if k != "MUTATION_TEST_CAP"},
            "MUTATION_COVERAGE_FILE": str((COVERAGE_DIR / "data").resolve()),
            "MUTATION_COVERAGE_INCLUDE": ",".join(str(p.resolve()) for p in paths),
        }
        command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "mutation.pytest_plugin"]
        command += ["-p", "mutation.coverage_map", *test_selection]
        print("which fast test runs which line: pytest under coverage, a few minutes", flush=True)
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            print(done.stdout[-3000:])
            raise SystemExit("the fast tests fail on the code as it is: fix them before mutating it")
        target.write_text(json.dumps(selection.selection(paths, COVERAGE_DIR / "data")))
    return _first_lines(scope)


def _first_lines(scope: list[str]) -> dict[str, int]:
    """Each mutant's first line, to list a module's survivors in source order."""
    paths = [Path(p) for p in scope]
    return {key: min(lines) for path in paths for key, lines in selection.mutant_lines(path).items()}


def _forget_results(modules: list[str]) -> None:
    """Clear mutmut's past verdicts on these modules, so that a module is done when all its
    mutants have one again (mutmut reruns the mutants it is named anyway)."""
    for module in modules:
        for capped in (MUTANTS / "mutation-capped").glob(_glob(module)):
            capped.unlink()
        meta = MUTANTS / f"{module}.meta"
        if meta.exists():
            data = json.loads(meta.read_text())
            data["exit_code_by_key"] = dict.fromkeys(data["exit_code_by_key"])
            meta.write_text(json.dumps(data, indent=4))


def _write_finished(
    modules: list[str],
    first_lines: dict[str, int],
    equivalents: dict[str, str],
    out: Path | None,
    written: set[str],
    started: float,
) -> None:
    """Report each module whose mutants all have a verdict, once."""
    for module in modules:
        if module in written:
            continue
        mutants = report.results(module, first_lines)
        if not mutants or any(m.status == "not checked" for m in mutants):
            continue
        written.add(module)
        module_report = report.module_report(module, first_lines, equivalents, set())
        minutes = (time.monotonic() - started) / 60
        print(
            f"[{minutes:5.1f} min] {module}: {module_report.score}, {len(module_report.survivors)} survivors",
            flush=True,
        )
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            name = module.removesuffix(".py").replace("/", ".")
            (out / f"survivors-{name}.txt").write_text(report.survivors_text(module_report))


if __name__ == "__main__":
    sys.exit(main())
