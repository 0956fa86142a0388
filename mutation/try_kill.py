"""Does a test kill these mutants? Each mutant applied to the checkout in turn, the tests run.

    python mutation/try_kill.py [--mutants DIR] (--survivors FILE | NAME ...) -- PYTEST_ARGS ...

For writing the test that kills a survivor of `make mutation`: faster than a new mutmut run,
which regenerates every mutant and measures every test. The mutants are read from mutmut's
generated files (`mutants/` of the checkout where `make mutation` ran, or --mutants DIR), by the
name printed under each survivor's key, or every name of a survivors file that run.py --out
wrote. Each mutated function replaces the checkout's own for one pytest run (PYTEST_ARGS), and
the file's bytes are put back after it, however the run ends. Prints each mutant killed,
survived, no tests (the arguments select none), unknown (no such mutant was generated) or
unapplied (its function changed since the mutants were generated: run `make mutation` again).
Exits 0 when every one is killed, 1 when one is not, 2 when one is unknown or unapplied.
"""

from __future__ import annotations

import argparse
import functools
import re
import signal
import subprocess
import sys
from pathlib import Path

import libcst as cst
from mutmut.mutation.diff_apply import find_top_level_function_or_method, read_mutant_function, read_original_function
from mutmut.utils.format_utils import orig_function_and_class_names_from_key

pytest_no_tests = 5  # pytest.ExitCode.NO_TESTS_COLLECTED
ROOT = Path(__file__).resolve().parent.parent
NAME_LINE = re.compile(r"^# (\S+__mutmut_\d+) \(")


def main() -> int:
    argv = sys.argv[1:]
    pytest_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutmut's names of the mutants")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants", help="mutmut's generated files")
    parser.add_argument("--survivors", type=Path, help="a survivors file of run.py --out: all its mutants")
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    names = list(args.names)
    if args.survivors:
        names += [m.group(1) for line in args.survivors.read_text().splitlines() if (m := NAME_LINE.match(line))]
    if not names or not pytest_args:
        parser.error("name at least one mutant, and the tests after --")
    # Killed from outside, the file is still put back (SystemExit runs the `finally`).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    verdicts = {}
    for name in names:
        verdicts[name] = _try(name, args.mutants, pytest_args)
        print(f"{verdicts[name]:>10}  {name}", flush=True)
    if any(v in ("unapplied", "unknown") for v in verdicts.values()):
        return 2
    return 0 if all(v == "killed" for v in verdicts.values()) else 1


def _source_path(name: str) -> Path:
    """modelops.spec.checks.x_f__mutmut_3 -> modelops/spec/checks.py (in this checkout)."""
    return ROOT / (name.rpartition(".")[0].replace(".", "/") + ".py")


@functools.cache
def _generated(file: Path) -> cst.Module:
    """mutmut's file of every mutant of a module: parsed once (seconds for a large module)."""
    return cst.parse_module(file.read_text())


def _try(name: str, mutants: Path, pytest_args: list[str]) -> str:
    path = _source_path(name)
    generated = _generated(mutants / path.relative_to(ROOT))
    original_bytes = path.read_bytes()
    function_name = orig_function_and_class_names_from_key(name)[0].rpartition(".")[2]
    checkout = cst.parse_module(original_bytes.decode())
    own = find_top_level_function_or_method(checkout, function_name)
    try:
        expected = read_original_function(generated, name)
        mutated = read_mutant_function(generated, name).with_changes(name=cst.Name(function_name))
    except FileNotFoundError:
        return "unknown"  # no such mutant among the generated ones
    if own is None or cst.Module([own]).code.strip() != cst.Module([expected]).code.strip():
        return "unapplied"
    try:
        path.write_text(checkout.deep_replace(own, mutated).code)  # type: ignore[arg-type]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *pytest_args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        path.write_bytes(original_bytes)
    if done.returncode == pytest_no_tests:
        return "no tests"
    return "survived" if done.returncode == 0 else "killed"


if __name__ == "__main__":
    sys.exit(main())
