"""validate holds a model's own role within IAM's quota on inline policy (modelops.spec.model_roles),
measured as the program renders it; the plan's role-policy-size rule is tested in test_policies.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelops.aws.iam import policy_size
from modelops.engine.plan import Plan
from modelops.engine.render import render
from tests.conftest import REPO_ROOT, copy_specs_and_stacks, edit_yaml, problems, spec_path

MEASURED = re.compile(r"the (?:execution|pods') role (\S+) of \S+ would need an inline policy of ([\d,]+) characters")
# Roles of their own size, which validate does not measure: the monitoring jobs' (a fixed set of
# baselines and reports), a feature group's store (one group), and a pool's (modelops.spec.pools).
UNMEASURED = re.compile(r"-(monitor|featurestore|pool)$")


def measured_sizes(root: Path, stack: str) -> dict[str, int]:
    return {
        match.group(1): int(match.group(2).replace(",", ""))
        for problem in problems(root)
        if problem.file == f"stacks/Pulumi.{stack}.yaml" and (match := MEASURED.search(problem.message))
    }


@pytest.fixture(scope="module")
def staging() -> Plan:
    return render(REPO_ROOT, "staging")


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_validate_measures_each_models_role_as_the_program_renders_it(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, stack: str
) -> None:
    """With no room at all, validate names every model's role with its size: the sizes of the
    policies the plan renders, for endpoints, pool members, registry packages and pods alike."""
    plan: Plan = request.getfixturevalue(stack)
    rendered = {
        policy.inputs["role"]: policy_size(policy.inputs["policy"])
        for policy in plan.by_type("aws:iam/rolePolicy:RolePolicy")
        if not UNMEASURED.search(policy.inputs["role"])
    }
    monkeypatch.setattr("modelops.spec.model_roles.ROLE_POLICY_SIZE_LIMIT", 0)
    assert measured_sizes(REPO_ROOT, stack) == rendered
    assert len(rendered) >= 6


def test_a_role_may_fill_the_quota_and_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modelops.spec.model_roles.ROLE_POLICY_SIZE_LIMIT", 0)
    size = measured_sizes(REPO_ROOT, "dev")["modelops-fraud-detector-dev"]
    monkeypatch.setattr("modelops.spec.model_roles.ROLE_POLICY_SIZE_LIMIT", size)
    assert "modelops-fraud-detector-dev" not in measured_sizes(REPO_ROOT, "dev")
    monkeypatch.setattr("modelops.spec.model_roles.ROLE_POLICY_SIZE_LIMIT", size - 1)
    assert measured_sizes(REPO_ROOT, "dev")["modelops-fraud-detector-dev"] == size


def test_a_model_reading_too_many_prefixes_is_refused_on_its_pin(tmp_path: Path) -> None:
    """150 data prefixes, each a read of its objects and a listing of its keys."""
    root = copy_specs_and_stacks(tmp_path)
    prefixes = [f"s3://acme-features/fraud/part-{i:03}/" for i in range(150)]
    edit_yaml(
        spec_path(root, "fraud-detector", "3.1.0"),
        lambda data: data["governance"].update({"data_access": {"s3_read": prefixes}}),
    )
    found = [p for p in problems(root) if p.file == "stacks/Pulumi.dev.yaml"]
    assert [(p.line, p.field) for p in found] == [(7, "modelops:models.fraud-detector")]
    assert found[0].message == (
        "the execution role modelops-fraud-detector-dev of fraud-detector would need an inline policy of 11,185 "
        "characters, and IAM allows a role 10,240 (white space not counted; PutRolePolicy fails with LimitExceeded): "
        "the policy names each secret, data prefix (governance.data_access.s3_read), feature group read, image and "
        "artifact of the versions pinned here; read fewer, or through prefixes that cover several"
    )


def test_a_pool_members_framework_image_is_the_one_for_the_pools_instances(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """huggingface-llm has GPU images only: a member on a GPU pool reads one, which no other
    instance type (and no serverless endpoint) would find."""
    root = copy_specs_and_stacks(tmp_path)
    spec = (root / "model_specs" / "intent-classifier" / "1.0.0.yaml").read_text()
    spec = spec.replace("intent-classifier", "chat-llm").replace("pool: shared-cpu", "pool: shared-gpu")
    spec = spec.replace(
        "  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/chat-llm:1.0.0\n",
        '  framework: huggingface-llm\n  framework_version: "3.3"\n',
    )
    spec = spec.replace(
        "    cpu: 0.5\n    memory_mb: 2048\n", "    cpu: 2\n    accelerators: 1\n    memory_mb: 16384\n"
    )
    (root / "model_specs" / "chat-llm").mkdir()
    (root / "model_specs" / "chat-llm" / "1.0.0.yaml").write_text(spec)
    stack = root / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text().replace(
        "    toxicity-filter: 1.0.0\n", "    toxicity-filter: 1.0.0\n    chat-llm: 1.0.0\n"
    )
    pools = "  modelops:pools:\n"
    stack.write_text(
        text.replace(pools, pools + "    shared-gpu: {instanceType: ml.g5.2xlarge, minInstances: 1, maxInstances: 1}\n")
    )
    [policy] = [
        p for p in render(root, "dev").by_type("aws:iam/rolePolicy:RolePolicy") if p.name.startswith("chat-llm-")
    ]
    assert "huggingface-pytorch-tgi-inference" in policy.inputs["policy"]
    monkeypatch.setattr("modelops.spec.model_roles.ROLE_POLICY_SIZE_LIMIT", 0)
    assert measured_sizes(root, "dev")["modelops-chat-llm-dev"] == policy_size(policy.inputs["policy"])


def test_the_models_after_one_whose_pool_is_missing_are_measured(tmp_path: Path) -> None:
    """intent-classifier's pool is not in the stack (the pool's finding); ticket-router, pinned
    after it, still has its pods' role measured."""
    root = copy_specs_and_stacks(tmp_path)
    edit_yaml(
        spec_path(root, "intent-classifier", "1.0.0"), lambda data: data["serving"]["component"].update(pool="gone")
    )
    prefixes = [f"s3://acme-features/tickets/part-{i:03}/" for i in range(200)]
    edit_yaml(
        spec_path(root, "ticket-router", "1.0.0"),
        lambda data: data["governance"].update({"data_access": {"s3_read": prefixes}}),
    )
    roles = [
        m.group(1) for p in problems(root) if p.file == "stacks/Pulumi.dev.yaml" and (m := MEASURED.search(p.message))
    ]
    assert roles == ["modelops-ticket-router-dev-irsa"]
