"""What `diff` does before it renders anything: which stacks a `--stack` may name (either
revision's), the spec files it reports, and whose problems it labels with the base revision.
No test here renders a stack: a repository without stack files has none to render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelops.errors import UsageError
from modelops.gitops.diff import Diff, SpecFileChange, diff
from modelops.spec.loader import Problem, ProblemsFound
from tests.conftest import REPO_ROOT, git

CHURN = Path("model_specs/churn-classifier")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The repository's specs, committed, and no stack file."""
    shutil.copytree(REPO_ROOT / "model_specs", tmp_path / "model_specs")
    (tmp_path / "stacks").mkdir()
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_an_unknown_stack_lists_the_stacks_of_both_revisions_once(repo: Path) -> None:
    """A stack only at the base, one only here and one in both: each listed once, sorted."""
    for name in ("gone", "kept"):
        (repo / "stacks" / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "stacks")
    (repo / "stacks" / "Pulumi.gone.yaml").unlink()
    (repo / "stacks" / "Pulumi.added.yaml").write_text("config: {}\n")
    with pytest.raises(UsageError) as raised:
        diff(repo, "HEAD", "qa")
    assert (
        str(raised.value) == "--stack 'qa': no file stacks/Pulumi.qa.yaml here or at HEAD (stacks: added, gone, kept)"
    )


def test_without_stacks_the_diff_is_the_spec_files_alone(repo: Path) -> None:
    """A version published since the base is reported with what changed since the previous one."""
    published = (repo / CHURN / "1.3.0.yaml").read_text()
    published = published.replace("version: 1.3.0", "version: 1.4.0").replace(
        "Predicts 30-day churn", "Predicts 60-day churn"
    )
    (repo / CHURN / "1.4.0.yaml").write_text(published)
    git(repo, "tag", "v1")
    assert diff(repo, "v1") == Diff(
        base="v1",
        stacks=[],
        spec_files=[
            SpecFileChange(
                "published",
                "churn-classifier",
                "1.4.0",
                "1.3.0",
                (
                    (
                        "metadata.description",
                        "Predicts 30-day churn for subscription customers.",
                        "Predicts 60-day churn for subscription customers.",
                    ),
                ),
            )
        ],
    )


def test_a_problem_at_the_base_is_named_with_the_revision_and_one_here_is_not(repo: Path) -> None:
    """The base's spec files are read from git: a problem in them names the revision."""
    spec = repo / CHURN / "1.3.0.yaml"
    good = spec.read_text()
    spec.write_text(good.replace("risk: medium", "risk: extreme"))
    git(repo, "commit", "-q", "-am", "broken")
    with pytest.raises(ProblemsFound) as at_base:
        diff(repo, "HEAD")
    spec.write_text(good)
    git(repo, "commit", "-q", "-am", "fixed")
    spec.write_text(good.replace("risk: medium", "risk: extreme"))
    with pytest.raises(ProblemsFound) as here:
        diff(repo, "HEAD")
    [base_problem] = at_base.value.problems
    [head_problem] = here.value.problems
    assert (base_problem.file, head_problem.file) == (
        "HEAD:model_specs/churn-classifier/1.3.0.yaml",
        "model_specs/churn-classifier/1.3.0.yaml",
    )
    assert base_problem == Problem(
        "HEAD:model_specs/churn-classifier/1.3.0.yaml",
        head_problem.line,
        head_problem.column,
        head_problem.field,
        head_problem.message,
    )
