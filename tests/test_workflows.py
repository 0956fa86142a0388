"""The GitHub workflows, checked offline: GitHub's workflow schema, zizmor, and what they must do."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", str(path)], capture_output=True, text=True, check=False
    )


def test_workflows_exist() -> None:
    assert {p.name for p in FILES} == {"preview.yml", "deploy.yml", "deploy-stack.yml"}


def test_workflows_match_githubs_schema() -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_even_pedantic() -> None:
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_would_catch_an_unsafe_workflow(tmp_path: Path) -> None:
    """The check above can fail: an unpinned action and a template injection are reported."""
    unsafe = tmp_path / ".github" / "workflows" / "unsafe.yml"
    unsafe.parent.mkdir(parents=True)
    unsafe.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    result = zizmor(unsafe)
    assert result.returncode != 0
    assert "template-injection" in result.stdout and "unpinned-uses" in result.stdout


def test_least_privilege() -> None:
    for path in FILES:
        workflow = load(path.name)
        assert workflow["permissions"] == {}, path.name  # nothing by default; jobs ask for what they use
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            assert set(granted.values()) <= {"read", "write"}, (path.name, name)
            assert set(granted) <= {"contents", "id-token", "pull-requests"}, (path.name, name)
        for step in steps(workflow):
            uses = step.get("uses", "")
            assert not uses or PINNED.match(uses), f"{path.name}: {uses} is not pinned to a commit"
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            if uses.startswith("aws-actions/configure-aws-credentials@"):
                assert set(step["with"]) == {"role-to-assume", "aws-region"}  # OIDC only, no stored keys
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_preview_validates_diffs_and_previews_touched_stacks_with_the_pack() -> None:
    workflow = load("preview.yml")
    assert list(workflow["on"]) == ["pull_request"]  # never pull_request_target
    runs = "\n".join(step.get("run", "") for step in steps(workflow))
    assert 'modelops validate --base "$BASE_SHA"' in runs
    assert 'modelops diff --base "$BASE_SHA" --format markdown' in runs
    assert "<!-- modelops-diff -->" in runs  # one sticky comment, updated in place
    preview = workflow["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.check.outputs.stacks) }}"
    [pulumi] = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert workflow["jobs"]["comment"]["permissions"] == {"pull-requests": "write"}


def test_deploy_goes_dev_staging_prod_through_environments() -> None:
    deploy = load("deploy.yml")
    assert deploy["on"] == {"push": {"branches": ["main"]}}
    jobs = deploy["jobs"]
    assert [jobs[j].get("needs") for j in ("dev", "staging", "prod")] == [None, "dev", "staging"]
    assert [jobs[j]["with"]["stack"] for j in ("dev", "staging", "prod")] == ["dev", "staging", "prod"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    stack = load("deploy-stack.yml")
    [job] = stack["jobs"].values()
    assert job["environment"] == "${{ inputs.stack }}"  # prod's environment holds the required reviewers
    [pulumi] = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert (pulumi["with"]["command"], pulumi["with"]["policyPacks"]) == ("up", "policies")
    after_up = job["steps"][job["steps"].index(pulumi) + 1 :]
    assert any('modelops verify --stack "$STACK"' in step.get("run", "") for step in after_up)


@pytest.mark.parametrize("tool", ["zizmor", "check-jsonschema"])
def test_checkers_are_installed_from_requirements(tool: str) -> None:
    assert (BIN / tool).exists() or shutil.which(tool), f"{tool} missing: it is pinned in requirements.txt"
    assert tool in (REPO_ROOT / "requirements.txt").read_text()


def test_jobs_with_credentials_skip_pull_requests_from_forks() -> None:
    """A fork gets no OIDC token and a read-only GITHUB_TOKEN: the jobs that need either run
    only for branches of this repository, instead of failing on every fork."""
    jobs = load("preview.yml")["jobs"]
    same_repository = "github.event.pull_request.head.repo.full_name == github.repository"
    for name, job in jobs.items():
        granted = job.get("permissions", {})
        if granted.get("id-token") == "write" or granted.get("pull-requests") == "write":
            assert same_repository in job.get("if", ""), name
