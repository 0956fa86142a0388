"""Fuzzing: mutated specs and stacks never crash, hang or exhaust `validate` and `diff`.

The repository's own specs and stacks are mutated at byte level (flipped, inserted and
deleted bytes, YAML-significant characters, truncation) and at YAML level (a value replaced by
another type, a huge number, deep nesting, an alias or a recursive alias, unicode, keys that
are not text, YAML constructs a dumper never writes). Every run must end with exit 0, 1 or 2,
print findings as `file:line:col: ...` lines and never an internal error or a traceback, and
stay within a time and an address-space bound.

Derandomised (tests/conftest.py's Hypothesis profile), so CI runs the same examples each time;
each found failure is kept as an `@example`. Budget: well under a minute on two cores (validate
runs in-process in ~20 ms).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from modelops.cli import app
from tests.conftest import REPO_ROOT

SPEC_FILES = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "model_specs").glob("*/*.yaml"))
STACK_FILES = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml"))
SECONDS = 20  # per command; validate takes ~0.02 s in-process, a diff that renders ~2 s
EXTRA_MEMORY = 1024**3  # address space a command may add (an alias bomb took 4 GiB)
FINDING = re.compile(r"^.+:\d+:\d+: \S")

FUZZ = settings(  # derandomised, without deadline or database: tests/conftest.py's profile
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in the CLI swallows it."""


def _vm_size() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmSize:\s+(\d+) kB", status, re.M)
    return int(match[1]) * 1024 if match else None


@contextmanager
def bounded(seconds: float = SECONDS, extra_memory: int = EXTRA_MEMORY) -> Iterator[None]:
    """A wall-clock alarm and an address-space limit around one command.

    The limit is the process's current size plus `extra_memory`, set on the soft limit only and
    restored afterwards, so a runaway allocation ends as MemoryError in the command (an internal
    error, which the caller rejects) instead of exhausting the machine. Linux only for memory;
    the alarm needs the main thread (pytest-xdist runs tests there).
    """
    import resource

    alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous_handler = None
    if alarm:

        def hang(signum: int, frame: Any) -> None:
            raise Hang(f"the command ran over {seconds} s")

        previous_handler = signal.signal(signal.SIGALRM, hang)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    size = _vm_size()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if size is not None:
        limit = size + extra_memory
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    started = time.monotonic()
    try:
        yield
    finally:
        if size is not None:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def run_cli(*args: str) -> Any:
    with bounded():
        result = CliRunner().invoke(app, list(args))
    assert_well_behaved(result, findings_on_1=args[0] != "plan")  # plan also exits 1 on policy violations
    return result


def assert_well_behaved(result: Any, findings_on_1: bool = True) -> None:
    output = result.output
    assert result.exit_code in (0, 1, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "internal error" not in output and "Traceback" not in output, output
    lines = output.rstrip("\n").split("\n")
    if result.exit_code == 1 and (findings_on_1 or re.search(r"problem\(s\) found\.$", output.rstrip())):
        assert re.fullmatch(r"\d+ problem\(s\) found\.", lines[-1]), output
        for line in lines[:-1]:
            assert FINDING.match(line), f"not a file:line:col finding: {line!r}\n{output}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return root


@contextmanager
def replaced(root: Path, relative: str, content: bytes) -> Iterator[Path]:
    """`relative` holds `content` for the duration, then its original bytes again."""
    path = root / relative
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    try:
        yield path
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


# Byte level.

YAML_SIGNIFICANT = [
    b":",
    b": ",
    b"- ",
    b"? ",
    b"&a ",
    b"*a",
    b"&a [*a, *a]",
    b"!",
    b"!!str ",
    b"!!binary ",
    b"!!python/object:os.system ",
    # tags that force a type on any text, and a date's pattern that is no date: PyYAML's
    # constructors raise ValueError/KeyError on these, not a YAMLError
    b"!!int ",
    b"!!bool ",
    b"!!timestamp ",
    b"2001-13-45",
    b"|",
    b">-",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"'",
    b'"',
    b"#",
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b"@",
    b"`",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\x1b",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\\",
    b"~",
    b"<<: ",
    b"\xc3",
    "é".encode(),
    "\u2028".encode(),
    "\U0001f600".encode(),
    b"\x85",
    b"1:",
    b"~:",
    b"0x",
    b"1e999",
    b"1.0e+999",
    b"9" * 5000,
    b" " * 200,
]


@st.composite
def byte_mutations(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "insert", "significant", "delete", "truncate", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if operation == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "significant":
            data[at:at] = draw(st.sampled_from(YAML_SIGNIFICANT))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif operation == "truncate":
            del data[at:]
        elif operation == "repeat":
            chunk = bytes(data[at : at + draw(st.integers(1, 200))])
            data[at:at] = chunk * draw(st.integers(1, 50))
    return bytes(data)


# YAML level: edit the data, dump it; PyYAML writes aliases for shared objects and recursion.

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.integers(10**18, 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF, exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(["latest", "1.0.0", "ml.m5.large", "dev", "prod", "yes", "010", "1:30", ".inf", "", " "]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
odd_keys = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**30), st.floats(allow_nan=False), st.text(max_size=12)
)


def paths_in(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every (container, key) path of the document, for picking a place to edit."""
    found: list[tuple] = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, (*prefix, index))
    return found


def at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def yaml_mutations(draw: st.DrawFn, original: bytes) -> bytes:
    data = yaml.safe_load(original)
    paths = paths_in(data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent, key = (at(data, path[:-1]), path[-1]) if path else (None, None)
        target = at(data, path)
        kind = draw(
            st.sampled_from(["value", "nest", "alias", "recursive", "odd_key", "remove", "unicode_key", "big_list"])
        )
        if kind == "value" and parent is not None:
            parent[key] = draw(values)
        elif kind == "nest" and parent is not None:
            nested = parent[key]
            for _ in range(draw(st.integers(1, 80))):
                nested = draw(st.sampled_from([[nested], {"a": nested}]))
            parent[key] = nested
        elif kind == "alias" and parent is not None:
            # The same object twice: the dumper writes an anchor and an alias.
            parent[key] = at(data, draw(st.sampled_from(paths)))
        elif kind == "recursive" and isinstance(target, dict | list):
            if isinstance(target, dict):
                target[draw(st.text(min_size=1, max_size=5))] = target
            else:
                target.append(target)
        elif kind == "odd_key" and isinstance(target, dict):
            target[draw(odd_keys)] = draw(values)
        elif kind == "remove" and parent is not None:
            del parent[key]
        elif kind == "unicode_key" and isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=8))] = draw(scalars)
        elif kind == "big_list" and parent is not None:
            parent[key] = [draw(scalars)] * draw(st.integers(100, 5000))
        if kind in ("recursive", "alias"):
            break  # an alias may point to an ancestor: walking the paths again might never end
        paths = paths_in(data)
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=draw(st.booleans()), width=4096)
    except (yaml.YAMLError, ValueError):
        assume(False)  # not representable (e.g. an integer too long to print)
    return text.encode()


INJECTIONS = [
    "? [a, b]\n: x",
    "? {a: 1}\n: x",
    "<<: {extra: 1}",
    "x: !!binary aGVsbG8=",
    "x: !!python/object/apply:os.system [echo hi]",
    "x: !!set {a, b}",
    "x: !!omap [a: 1]",
    "x: 2024-01-01",
    "2024-01-01: x",
    "x: " + "9" * 5000,
    "x: 0x" + "f" * 3000,
    "x: " + ":".join(["59"] * 400),
    "1: x",
    "~: x",
    "null: x",
    "true: x",
    "x: &z [*z]",
    "x: *undefined",
    "metadata: {}",
    "config: {}",
    "x: '" + "\U0001f600" * 500 + "'",
    "x: [" + ",".join(["[1]"] * 2000) + "]",
    "x: " + "[" * 70 + "]" * 70,
    "x: " + "{a: " * 70 + "1" + "}" * 70,
]


def bomb(levels: int, width: int) -> str:
    lines = [f"b0: &b0 [{', '.join(['x'] * width)}]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]" for i in range(1, levels)]
    return "x:\n" + "\n".join("  " + line for line in lines)


@st.composite
def text_injections(draw: st.DrawFn, original: bytes) -> bytes:
    """YAML no dumper writes, inserted at a line boundary with that line's indentation."""
    lines = original.decode().split("\n")
    index = draw(st.integers(0, len(lines)))
    indent = re.match(r"^\s*", lines[index] if index < len(lines) else "")[0]  # type: ignore[index]
    snippet = draw(st.one_of(st.sampled_from(INJECTIONS), st.builds(bomb, st.integers(2, 8), st.integers(2, 12))))
    lines[index:index] = [indent + line for line in snippet.split("\n")]
    return "\n".join(lines).encode()


def mutations(original: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(byte_mutations(original), yaml_mutations(original), text_injections(original))


def originals(files: list[str]) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.sampled_from(files).flatmap(
        lambda f: mutations((REPO_ROOT / f).read_bytes()).map(lambda content: (f, content))
    )


CHURN = "model_specs/churn-classifier/1.2.0.yaml"


@settings(FUZZ, max_examples=200)
@given(case=originals(SPEC_FILES))
@example(case=(CHURN, (REPO_ROOT / CHURN).read_bytes().replace(b"{cost-center: growth}", b"&t {k: *t}")))
@example(case=(CHURN, (REPO_ROOT / CHURN).read_bytes() + b"? [a, b]\n: x\n"))
@example(case=(CHURN, (REPO_ROOT / CHURN).read_bytes() + bomb(9, 9).encode()))
@example(case=(CHURN, b"\x03" + (REPO_ROOT / CHURN).read_bytes()))  # ReaderError: no mark, was internal
@example(case=(CHURN, b"&id001\n" + (REPO_ROOT / CHURN).read_bytes() + b'" ": *id001\n'))  # blank field
def test_mutated_spec(scratch: Path, case: tuple[str, bytes]) -> None:
    relative, content = case
    with replaced(scratch, relative, content):
        run_cli("validate", "--root", str(scratch))


@FUZZ
@given(case=originals(STACK_FILES))
@example(case=("stacks/Pulumi.dev.yaml", (REPO_ROOT / "stacks/Pulumi.dev.yaml").read_bytes() + b"~: 1\n"))
@example(case=("stacks/Pulumi.dev.yaml", b'config:\n- - ? "\\xCF7\\n"\n    : 1' + b"0" * 100 + b"\n"))  # two lines
def test_mutated_stack(scratch: Path, case: tuple[str, bytes]) -> None:
    relative, content = case
    with replaced(scratch, relative, content):
        run_cli("validate", "--root", str(scratch))


DEV_PINNED = [
    "model_specs/churn-classifier/1.3.0.yaml",
    "model_specs/demand-forecaster/1.1.0.yaml",
    "model_specs/fraud-detector/3.1.0.yaml",
    "model_specs/sentiment-api/0.2.0.yaml",
    "model_specs/sentiment-hf/1.0.0.yaml",
    "stacks/Pulumi.dev.yaml",
]


@settings(FUZZ, max_examples=10)
@given(case=originals(DEV_PINNED), output_format=st.sampled_from(["tree", "json", "markdown", "mermaid"]))
def test_mutated_file_in_plan(scratch: Path, case: tuple[str, bytes], output_format: str) -> None:
    """`plan` renders what validates: the mutations that keep a file valid reach the program."""
    relative, content = case
    with replaced(scratch, relative, content):
        run_cli("plan", "--stack", "dev", "--format", output_format, "--root", str(scratch))


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-diff")
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(
            ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return root


NEW_VERSION = "model_specs/churn-classifier/1.4.0.yaml"
NEW_SPEC = (REPO_ROOT / "model_specs/churn-classifier/1.3.0.yaml").read_bytes().replace(b"1.3.0", b"1.4.0")


@settings(FUZZ, max_examples=6)
@given(content=mutations(NEW_SPEC))
@example(content=NEW_SPEC + b"\xff")
def test_mutated_new_spec_in_diff(committed: Path, content: bytes) -> None:
    """A pull request that publishes a mutated version: `diff` reads it before validating it."""
    with replaced(committed, NEW_VERSION, content):
        run_cli("diff", "--base", "HEAD", "--stack", "dev", "--root", str(committed))


def test_bounds_catch_a_hang_and_a_runaway_allocation() -> None:
    """The fuzz bounds themselves work, or the tests above would pass on a hang."""
    if sys.platform != "linux":
        pytest.skip("the address-space bound needs Linux")
    with pytest.raises(Hang), bounded(seconds=0.2):
        time.sleep(5)
    with pytest.raises(MemoryError), bounded(extra_memory=64 * 1024**2):
        bytearray(512 * 1024**2)
    assert os.environ  # the process is intact after both
