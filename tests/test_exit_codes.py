"""Exit codes 0 / 1 / 2 / 3: an unexpected error is one line and exit 3 (the traceback only with
--debug), a root without a repository and a stack name that names no stack file exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelops.cli import DEBUG_HINT, app
from tests.conftest import REPO_ROOT, copy_specs_and_stacks, git

runner = CliRunner()
STACKS = "(stacks: dev, prod, staging)"


def boom(*_: object, **__: object) -> None:
    raise RuntimeError("the unexpected\nover two lines")


def test_an_unexpected_error_is_one_line_exit_3_with_a_hint(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modelops.spec.resolve.load_project", boom)
    result = runner.invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 3, result.output
    assert result.output.splitlines() == [
        f"modelops: internal error: RuntimeError: the unexpected over two lines; {DEBUG_HINT}"
    ]
    assert "--debug" in DEBUG_HINT and "Traceback" not in result.output


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_prints_the_traceback(project: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setattr("modelops.spec.resolve.load_project", boom)
    args, env = (["--debug"], {}) if how == "option" else ([], {"MODELOPS_DEBUG": "1"})
    result = runner.invoke(app, [*args, "validate", "--root", str(project)], env=env)
    assert result.exit_code == 3, result.output
    assert (
        "Traceback (most recent call last)" in result.output and 'raise RuntimeError("the unexpected' in result.output
    )
    assert result.output.rstrip().endswith("modelops: internal error: RuntimeError: the unexpected over two lines")
    # The next run without --debug prints no traceback: the option does not stick.
    again = runner.invoke(app, ["validate", "--root", str(project)])
    assert "Traceback" not in again.output and again.exit_code == 3


def test_an_aws_error_in_drift_exits_3(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    def refused(*_: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not\nallowed"}}, "DescribeEndpoint")

    monkeypatch.setattr("modelops.engine.live.drift", refused)
    result = runner.invoke(app, ["drift", "--stack", "dev", "--root", str(project)])
    assert result.exit_code == 3, result.output
    assert result.output.splitlines() == [
        "modelops: AWS: An error occurred (AccessDenied) when calling the DescribeEndpoint operation: not allowed"
    ]


def test_ctrl_c_is_not_a_finding(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("modelops.spec.resolve.load_project", interrupted)
    result = runner.invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 130 and result.output.strip() == "modelops: interrupted"


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    """The same through `python -m modelops`: what a CI log shows."""
    result = subprocess.run(
        [sys.executable, "-m", "modelops", "validate", "--root", str(tmp_path / "missing")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stdout == "" and result.stderr == f"modelops: --root {str(tmp_path / 'missing')!r}: no such directory\n"
    )


# --- a root without a repository: exit 2 ----------------------------------------------------


def test_validate_refuses_a_root_that_is_no_repository(tmp_path: Path, project: Path) -> None:
    def run(root: Path) -> str:
        result = runner.invoke(app, ["validate", "--root", str(root)])
        assert result.exit_code == 2, result.output
        assert "ok:" not in result.output and len(result.output.splitlines()) == 1
        return result.output.strip()

    assert run(tmp_path / "nonexistent") == f"modelops: --root {str(tmp_path / 'nonexistent')!r}: no such directory"
    (tmp_path / "file").write_text("")
    assert run(tmp_path / "file") == f"modelops: --root {str(tmp_path / 'file')!r}: not a directory"
    (tmp_path / "empty").mkdir()
    assert run(tmp_path / "empty").endswith(
        "has no model_specs/ folder: run modelops at the repository's root or pass --root"
    )
    shutil.rmtree(project / "stacks")
    assert run(project).endswith("has no stacks: stacks/ holds no Pulumi.<stack>.yaml")
    (project / "stacks").mkdir()
    (project / "stacks" / "notes.yaml").write_text("a: 1\n")
    assert run(project).endswith("has no stacks: stacks/ holds no Pulumi.<stack>.yaml")


def test_schema_creates_nothing_under_a_missing_root(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--root", str(tmp_path / "typo")])
    assert result.exit_code == 2 and "no such directory" in result.output
    assert not (tmp_path / "typo").exists()


# --- --stack and --to are stack names, matched against stacks/ ------------------------------

HOSTILE_NAMES = ["x/../../elsewhere", "../stacks/Pulumi.dev", "/etc/passwd", "acme/dev", "dev\nprod", ""]


def command_with_stack(command: str, name: str) -> list[str]:
    if command == "promote":
        return ["promote", "churn-classifier", "1.3.0", "--to", name]
    if command == "diff":
        return ["diff", "--base", "HEAD", "--stack", name]
    return [command, "--stack", name]


COMMANDS = ["validate", "plan", "rehearse", "diff", "verify", "drift", "policy-config", "promote"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_stack_name_with_a_path_is_refused(project: Path, command: str, name: str) -> None:
    # A stack file outside stacks/ that `x/../../elsewhere` would reach if it were joined into a path.
    (project.parent / "elsewhere.yaml").write_text("config: {aws:region: eu-west-1}\n")
    before = {p.name: p.read_bytes() for p in (project / "stacks").iterdir()}
    result = runner.invoke(app, [*command_with_stack(command, name), "--root", str(project)])
    assert result.exit_code == 2, result.output
    option = "--to" if command == "promote" else "--stack"
    assert result.output.splitlines() == [
        f"modelops: {option} {name!r} is not a stack name: Pulumi stack names are letters, digits, '-', '_' and "
        f"'.', and name a file stacks/Pulumi.<stack>.yaml {STACKS}"
    ]
    assert {p.name: p.read_bytes() for p in (project / "stacks").iterdir()} == before


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "diff"])
def test_an_unknown_stack_lists_the_stacks(project: Path, command: str) -> None:
    result = runner.invoke(app, [*command_with_stack(command, "qa"), "--root", str(project)])
    assert result.exit_code == 2, result.output
    option = "--to" if command == "promote" else "--stack"
    assert result.output.strip() == f"modelops: {option} 'qa': no file stacks/Pulumi.qa.yaml {STACKS}"


def test_diff_takes_a_stack_that_exists_at_base_only(tmp_path: Path) -> None:
    copy_specs_and_stacks(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "stacks" / "Pulumi.staging.yaml").unlink()
    removed = runner.invoke(app, ["diff", "--base", "HEAD", "--stack", "staging", "--root", str(tmp_path)])
    assert removed.exit_code == 0, removed.output
    assert "staging" in removed.output
    unknown = runner.invoke(app, ["diff", "--base", "HEAD", "--stack", "qa", "--root", str(tmp_path)])
    assert unknown.exit_code == 2, unknown.output
    assert unknown.output.strip() == (
        "modelops: --stack 'qa': no file stacks/Pulumi.qa.yaml here or at HEAD (stacks: dev, prod, staging)"
    )


@pytest.mark.parametrize("folder", ["model_specs", "stacks"])
def test_a_symlinked_project_folder_is_refused(tmp_path: Path, project: Path, folder: str) -> None:
    """A pull request that turns stacks/ into a link would point validation (and promote's
    write) outside the repository."""
    elsewhere = tmp_path / "elsewhere" / folder
    elsewhere.parent.mkdir()
    shutil.move(project / folder, elsewhere)
    (project / folder).symlink_to(elsewhere)
    result = runner.invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 2, result.output
    assert f"{folder}/ is a symbolic link; it must be a folder of the repository" in result.output


def test_schema_replaces_a_symlink_instead_of_writing_through_it(tmp_path: Path, project: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    schema = project / "schemas" / "modelspec-v1.json"
    schema.unlink()
    schema.symlink_to(outside)
    assert runner.invoke(app, ["schema", "--root", str(project), "--check"]).exit_code == 1
    result = runner.invoke(app, ["schema", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "keep me\n"
    assert not schema.is_symlink() and schema.read_text().startswith("{")
    assert runner.invoke(app, ["schema", "--root", str(project), "--check"]).exit_code == 0


@pytest.mark.parametrize("command", ["plan", "rehearse"])
def test_a_reader_that_goes_away_is_no_error(project: Path, command: str) -> None:
    """`modelops plan ... | head -1`: no BrokenPipeError, no internal error. `true` closes the
    pipe at once; a plan or a rehearsal's first call takes seconds, so the first write always
    meets a closed pipe. rehearse writes each call's line from the mock runtime's threads."""
    command = f"{sys.executable} -m modelops {command} --stack dev --root {project} | true"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stderr == ""
    assert result.returncode == 141
