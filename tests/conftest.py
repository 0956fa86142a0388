"""Shared fixtures: a scratch copy of the repository's specs and stacks per test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from modelops.engine.plan import Plan
from modelops.spec.loader import Problem
from modelops.spec.resolve import load_project
from modelops.spec.stack import stack_names

# Every Hypothesis test (property and fuzz tests) runs the same examples on every run: derandomised
# and without an example database, so CI is reproducible and a failure seen once is seen again
# (keep it as an @example). No deadline: the timing of a shared machine is not what is tested.
# Each test sets its own max_examples within its time budget.
settings.register_profile("modelops", derandomize=True, database=None, deadline=None)
settings.load_profile("modelops")

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_MODEL = "churn-classifier"
TEST_VERSION = "1.2.0"
# The tags of fraud-detector 3.0.1 in the repository's prod stack, on every resource it declares.
PROD_FRAUD_TAGS = {
    "cost-center": "risk",
    "environment": "prod",
    "environment-owner": "platform",
    "managed-by": "modelops",
    "model": "fraud-detector",
    "model-version": "3.0.1",
    "owner": "risk-ml@example.com",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of model_specs/, stacks/, schemas/ and docs/ that a test may break."""
    for folder in ("model_specs", "stacks", "schemas", "docs"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return tmp_path


MOTO_REGION = "eu-west-1"


@pytest.fixture
def sagemaker() -> Iterator[Any]:
    """A SageMaker client on moto, with modelops's gap fillers and credentials that reach nothing."""
    import boto3
    from moto import mock_aws

    from modelops.engine import moto_gaps

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    try:
        with mock_aws():
            moto_gaps.apply()
            yield boto3.client("sagemaker", region_name=MOTO_REGION)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def prod() -> Plan:
    """The repository's prod stack rendered, once per test module that reads it."""
    from modelops.engine.render import render

    return render(REPO_ROOT, "prod")


@pytest.fixture(scope="module")
def dev() -> Plan:
    """The repository's dev stack rendered, once per test module that reads it."""
    from modelops.engine.render import render

    return render(REPO_ROOT, "dev")


def copy_specs_and_stacks(target: Path, source: Path = REPO_ROOT) -> Path:
    """`source`'s model_specs/ and stacks/ (the repository's by default) copied into `target`."""
    for folder in ("model_specs", "stacks"):
        shutil.copytree(source / folder, target / folder)
    return target


def spec_path(root: Path, name: str = TEST_MODEL, version: str = TEST_VERSION) -> Path:
    return root / "model_specs" / name / f"{version}.yaml"


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = read_yaml(path)
    change(data)
    write_yaml(path, data)


def problems(root: Path) -> list[Problem]:
    return load_project(root, stack_names(root)).problems


def assert_problem(found: list[Problem], field: str, fragment: str, file_part: str | None = None) -> Problem:
    for problem in found:
        if problem.field == field and fragment in problem.message and (file_part is None or file_part in problem.file):
            assert problem.line >= 1 and problem.column >= 1
            return problem
    listing = "\n".join(str(p) for p in found) or "(none)"
    raise AssertionError(f"no problem on {field!r} containing {fragment!r}; found:\n{listing}")


KUBERNETES_EXAMPLES = ("reviews-kserve", "image-embedder", "ticket-router")


def sagemaker_only(root: Path, stack: str = "dev") -> None:
    """Unpin the examples that serve on kubernetes, for tests of SageMaker-only behaviour
    (verify without a cluster, a stack that declares no Kubernetes provider)."""

    def unpin(data: Any) -> None:
        for model in KUBERNETES_EXAMPLES:
            data["config"]["modelops:models"].pop(model, None)

    edit_yaml(root / "stacks" / f"Pulumi.{stack}.yaml", unpin)


def json_document(result: Any, command: str) -> dict[str, Any]:
    """The JSON document a `--format json` run printed: stdout holds exactly it, and it is valid
    against the command's committed schema."""
    import json

    import jsonschema

    document = json.loads(result.stdout)
    schema = json.loads((REPO_ROOT / "schemas" / f"{command}-output-v1.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["schema"] == f"modelops.{command}/v1"
    return dict(document)


def fake_terminal(monkeypatch: pytest.MonkeyPatch, stdout: bool = True, stderr: bool = False) -> None:
    """modelops sees a colour terminal (TERM=xterm, no NO_COLOR) on stdout and/or stderr, where
    typer's runner gives it pipes."""
    import sys

    from modelops.output import terminal

    def is_terminal(stream: Any) -> bool:
        return (stdout and stream is sys.stdout) or (stderr and stream is sys.stderr)

    monkeypatch.setattr(terminal, "_is_terminal", is_terminal)
    monkeypatch.setenv("TERM", "xterm")
    for variable in ("NO_COLOR", "COLORTERM", "FORCE_COLOR"):
        monkeypatch.delenv(variable, raising=False)


def without_colour(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a committer named ci, failing the test if git fails; its output."""
    return subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
