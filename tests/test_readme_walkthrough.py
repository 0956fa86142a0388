"""The README's "Your first model", run as written in a scratch clone, so it cannot rot.

Its blocks are the script, in order:
- a ```console block: each `$ ` line is a command. `python -m modelops ...` runs in process; any
  other (git, mkdir, cp) in a shell. The lines after a command are its output as the README
  shows it: each must match a line of the real output. `...` stands for anything (a whole line
  of it for lines left out), and counts of two digits or more and 8-digit hashes may differ, so
  the walkthrough does not break when an example model is added;
- a ```yaml block that starts `# <path>` is that file's whole content; one that starts
  `# <path>: ...` is an excerpt, deep-merged into the file as YAML data.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.spec.environments import deep_merge
from tests.conftest import REPO_ROOT

SECTION = "## Your first model"
FILE_HEADER = re.compile(r"^# (?P<path>[\w./-]+\.yaml)(?P<excerpt>:.*)?$")
# What may differ between the README and a run: elided text, hashes, counts (not `0 failed`), spacing.
OUTPUT_TOKEN = re.compile(
    r"(?P<any>\.\.\.)|(?<![0-9A-Za-z])(?P<hash>[0-9a-f]{8})(?![0-9A-Za-z])|(?P<number>\d{2,})|(?P<space>\s+)|(?P<char>.)"
)


@dataclass
class Command:
    line: str
    shown: list[str] = field(default_factory=list)


@dataclass
class FileBlock:
    path: str
    text: str
    excerpt: bool


def walkthrough(readme: str) -> list[Command | FileBlock]:
    section = readme.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    steps: list[Command | FileBlock] = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```$", section, re.MULTILINE | re.DOTALL):
        if language == "yaml":
            header = FILE_HEADER.match(body.splitlines()[0])
            assert header, f"a yaml block of the walkthrough starts with '# <path>': {body.splitlines()[0]!r}"
            steps.append(FileBlock(header["path"], body, header["excerpt"] is not None))
        elif language == "console":
            for line in body.splitlines():
                if line.startswith("$ "):
                    steps.append(Command(line[2:]))
                else:
                    command = steps[-1]
                    assert isinstance(command, Command), "output before any command"
                    command.shown.append(line)
    return steps


def shown_line_pattern(shown: str) -> re.Pattern[str]:
    parts = []
    for token in OUTPUT_TOKEN.finditer(shown.strip()):
        if token["any"]:
            parts.append(".*")
        elif token["hash"]:
            parts.append("[0-9a-f]{8}")
        elif token["number"]:
            parts.append(r"\d+")
        elif token["space"]:
            parts.append(r"\s+")
        else:
            parts.append(re.escape(token["char"]))
    return re.compile("".join(parts))


STEPS = walkthrough((REPO_ROOT / "README.md").read_text())


def test_the_walkthrough_goes_from_an_empty_spec_to_a_promoted_version() -> None:
    commands = [step.line for step in STEPS if isinstance(step, Command)]
    for expected in (
        "python -m modelops validate",
        "python -m modelops plan --stack dev",
        "python -m modelops rehearse --stack dev",
        "python -m modelops promote ",
        "python -m modelops diff --base ",
    ):
        assert any(command.startswith(expected) for command in commands), expected
    files = [step for step in STEPS if isinstance(step, FileBlock)]
    assert files[0].path.startswith("model_specs/") and not files[0].excerpt
    assert any(step.path == "stacks/Pulumi.dev.yaml" for step in files)


def test_shown_output_matches_numbers_hashes_and_elisions_only() -> None:
    pattern = shown_line_pattern("ok: 14 spec file(s), ... [iris-classifier-dev-cfd7817c]")
    assert pattern.fullmatch("ok: 15 spec file(s), 3 stack(s) valid [iris-classifier-dev-0a1b2c3d]")
    assert not pattern.fullmatch("ok: 15 spec files, 3 stack(s) valid [iris-classifier-dev-0a1b2c3d]")
    assert not pattern.fullmatch("ok: 15 spec file(s), 3 stack(s) valid [iris-classifier-prod-0a1b2c3d]")
    assert not shown_line_pattern("124 calls succeeded, 0 failed").fullmatch("125 calls succeeded, 1 failed")


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository as a fresh clone has it, on main, as the working directory."""
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    # Git as a new user has it: no global or system configuration, an identity for commits.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "walkthrough")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "walkthrough@example.com")
    for command in ("git init -q -b main", "git add -A", "git commit -q -m clone"):
        subprocess.run(shlex.split(command), cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(command: str, root: Path) -> tuple[int, str]:
    if command.startswith("python -m modelops "):
        result = CliRunner().invoke(app, shlex.split(command)[3:])
        return result.exit_code, result.output
    process = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True)
    return process.returncode, process.stdout + process.stderr


def _write(step: FileBlock, root: Path) -> None:
    path = root / step.path
    if step.excerpt:
        merged = deep_merge(yaml.safe_load(path.read_text()), yaml.safe_load(step.text))
        path.write_text(yaml.safe_dump(merged, sort_keys=False))
    else:
        assert path.parent.is_dir(), f"{step.path}: the walkthrough creates its folder first"
        path.write_text(step.text)


def test_the_walkthrough_runs_as_written(clone: Path) -> None:
    for step in STEPS:
        if isinstance(step, FileBlock):
            _write(step, clone)
            continue
        code, output = _run(step.line, clone)
        expected = 1 if any(line.endswith("problem(s) found.") for line in step.shown) else 0
        assert code == expected, f"$ {step.line}: exit {code}\n{output}"
        actual = [line.strip() for line in output.splitlines()]
        for shown in step.shown:
            if shown.strip() == "...":
                continue
            pattern = shown_line_pattern(shown)
            assert any(pattern.fullmatch(line) for line in actual), (
                f"$ {step.line}: the README shows {shown.strip()!r}, the command printed:\n{output}"
            )
    promote = next(s.line for s in reversed(STEPS) if isinstance(s, Command) and " promote " in s.line)
    model, version, _, stack = shlex.split(promote)[4:8]
    pins = yaml.safe_load((clone / f"stacks/Pulumi.{stack}.yaml").read_text())["config"]["modelops:models"]
    assert str(pins[model]) == version
