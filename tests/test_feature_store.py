"""Feature Store groups as planned: storage, encryption, roles, read access and safe evolution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan
from modelops.engine.render import render
from modelops.spec.feature_store import lineage
from modelops.spec.repository import load_repository
from tests.conftest import REPO_ROOT, assert_problem, edit_yaml, problems, read_yaml, spec_path, write_yaml

GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ADDITIONS = "pulumi-python:dynamic/sagemaker:FeatureAdditions"
POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
GROUP_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:feature-group/{}"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def _statements(plan: Plan, policy_name: str) -> list[dict[str, Any]]:
    return list(json.loads(plan.one(POLICY, policy_name).inputs["policy"])["Statement"])


def _group(plan: Plan, group: str) -> dict[str, Any]:
    [found] = [r.inputs for r in plan.by_type(GROUP) if r.inputs["featureGroupName"].startswith(group)]
    return found


def _without_tags(inputs: dict[str, Any]) -> dict[str, Any]:
    """Tags are the one input pulumi-aws updates in place; every other one replaces the group."""
    return {k: v for k, v in inputs.items() if k != "tags"}


def _pin(root: Path, stack: str, model: str, pin: Any) -> None:
    edit_yaml(root / "stacks" / f"Pulumi.{stack}.yaml", lambda d: d["config"]["modelops:models"].update({model: pin}))


def test_prod_groups_are_encrypted_in_the_stack_buckets(prod: Plan) -> None:
    assert {r.inputs["featureGroupName"] for r in prod.by_type(GROUP)} == {
        "customer-profile-prod",
        "payments-history-prod",
    }
    for group in prod.by_type(GROUP):
        inputs = group.inputs
        assert inputs["onlineStoreConfig"]["enableOnlineStore"] is True
        assert inputs["onlineStoreConfig"]["securityConfig"] == {"kmsKeyId": PROD_KMS}
        storage = inputs["offlineStoreConfig"]["s3StorageConfig"]
        assert storage == {
            "s3Uri": f"s3://acme-ml-features/feature-store/{inputs['featureGroupName']}",
            "kmsKeyId": PROD_KMS,
        }
        assert inputs["tags"]["managed-by"] == "modelops"
    assert _group(prod, "payments-history")["offlineStoreConfig"]["tableFormat"] == "Iceberg"
    assert _group(prod, "customer-profile")["onlineStoreConfig"]["ttlDuration"] == {"unit": "Days", "value": 30}


def test_group_role_writes_only_its_own_offline_store(prod: Plan) -> None:
    role = prod.one(ROLE, "fraud-detector-payments-history-prod-store-role").inputs
    assert role["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/ml-boundary"
    statements = {s["Sid"]: s for s in _statements(prod, "fraud-detector-payments-history-prod-store-policy")}
    assert statements["WriteOfflineStore"]["Resource"] == [
        "arn:aws:s3:::acme-ml-features/feature-store/payments-history-prod/*"
    ]
    assert statements["OfflineStoreBucket"]["Resource"] == ["arn:aws:s3:::acme-ml-features"]
    assert statements["OfflineStoreTable"]["Resource"][-1].endswith(
        "table/sagemaker_featurestore/payments_history_prod_*"
    )
    assert statements["UseStackKey"]["Resource"] == [PROD_KMS]
    assert all("*" not in action for s in statements.values() for action in s["Action"])


def test_a_model_reads_exactly_the_groups_it_names(prod: Plan) -> None:
    churn = [
        s for s in _statements(prod, "churn-classifier-governance-execution-policy") if s["Sid"] == "ReadFeatureGroups"
    ]
    assert churn == [
        {
            "Sid": "ReadFeatureGroups",
            "Effect": "Allow",
            "Action": ["sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord"],
            "Resource": [GROUP_ARN.format("payments-history-prod")],
        }
    ]
    # fraud-detector owns payments-history but reads nothing: its endpoint role gets no feature access.
    fraud = _statements(prod, "fraud-detector-governance-execution-policy")
    assert not [s for s in fraud if any("FeatureGroup" in a or "Record" in a for a in s["Action"])]


def test_adding_a_feature_keeps_the_group_and_adds_in_place(project: Path) -> None:
    _pin(project, "dev", "churn-classifier", "1.2.0")
    before = render(project, "dev")
    _pin(project, "dev", "churn-classifier", "1.3.0")
    after = render(project, "dev")
    old, new = _group(before, "customer-profile"), _group(after, "customer-profile")
    assert _without_tags(old) == _without_tags(new)  # same name and definition: no replacement
    assert new["featureGroupName"] == "customer-profile-dev"
    [old_additions] = [r for r in before.by_type(ADDITIONS) if "customer-profile" in r.name]
    [new_additions] = [r for r in after.by_type(ADDITIONS) if "customer-profile" in r.name]
    assert old_additions.name == new_additions.name
    names = [f["FeatureName"] for f in new_additions.inputs["features"]]
    assert names[-1] == "support_tickets_90d"
    assert "support_tickets_90d" not in [f["FeatureName"] for f in old_additions.inputs["features"]]
    assert "support_tickets_90d" not in [f["featureName"] for f in new["featureDefinitions"]]


def _publish(root: Path, version: str, change: Any) -> None:
    data = read_yaml(spec_path(root, "churn-classifier", "1.3.0"))
    data["metadata"]["version"] = version
    change(data["features"]["groups"][0])
    write_yaml(spec_path(root, "churn-classifier", version), data)


def _drop_feature(group: dict[str, Any]) -> None:
    group["features"] = [f for f in group["features"] if f["name"] != "monthly_charges"]


def test_removing_a_feature_needs_replace(project: Path) -> None:
    _publish(project, "1.4.0", _drop_feature)
    assert_problem(problems(project), "features.groups[0]", "feature 'monthly_charges' removed since version 1.3.0")


def test_replace_creates_a_new_group_before_the_old_one_goes(project: Path) -> None:
    _publish(project, "1.4.0", lambda g: (_drop_feature(g), g.update({"replace": True})))
    _publish(
        project, "1.5.0", lambda g: (_drop_feature(g), g["features"].append({"name": "plan_tier", "type": "string"}))
    )
    repo = load_repository(project)
    assert lineage(repo, "churn-classifier", "customer-profile", "1.3.0") == (1, "1.2.0")
    assert lineage(repo, "churn-classifier", "customer-profile", "1.4.0") == (2, "1.4.0")
    assert lineage(repo, "churn-classifier", "customer-profile", "1.5.0") == (2, "1.4.0")

    _pin(project, "dev", "churn-classifier", "1.3.0")
    first = render(project, "dev")
    _pin(project, "dev", "churn-classifier", "1.4.0")
    second = render(project, "dev")
    _pin(project, "dev", "churn-classifier", "1.5.0")
    third = render(project, "dev")

    old, new = _group(first, "customer-profile"), _group(second, "customer-profile")
    assert (old["featureGroupName"], new["featureGroupName"]) == ("customer-profile-dev", "customer-profile-dev-g2")
    # A different resource, not a replacement of the old one: Pulumi creates it, then deletes the old.
    [old_urn] = [r.urn for r in first.by_type(GROUP) if "customer-profile" in r.name]
    [new_urn] = [r.urn for r in second.by_type(GROUP) if "customer-profile" in r.name]
    assert old_urn != new_urn
    assert "monthly_charges" not in [f["featureName"] for f in new["featureDefinitions"]]
    # The next version only adds a feature: same generation, same name and definition.
    assert _without_tags(_group(third, "customer-profile")) == _without_tags(new)


def test_reader_needs_the_owner_in_the_same_stack(project: Path) -> None:
    edit_yaml(
        project / "stacks" / "Pulumi.staging.yaml", lambda d: d["config"]["modelops:models"].pop("fraud-detector")
    )
    found = assert_problem(
        problems(project), "modelops:models.churn-classifier", "reads feature group 'payments-history'"
    )
    assert found.file == "stacks/Pulumi.staging.yaml"
    assert "fraud-detector" in found.message


def test_shadow_adds_features_without_replacing_the_primary_group(prod: Plan) -> None:
    # prod: churn 1.2.0 primary, 1.3.0 shadow; 1.3.0 only adds support_tickets_90d.
    [additions] = [r for r in prod.by_type(ADDITIONS) if "customer-profile" in r.name]
    assert "support_tickets_90d" in [f["FeatureName"] for f in additions.inputs["features"]]
    assert _group(prod, "customer-profile")["featureGroupName"] == "customer-profile-prod"


def test_default_bucket_holds_the_offline_store_without_a_configured_one() -> None:
    dev = render(REPO_ROOT, "dev")
    for group in dev.by_type(GROUP):
        uri = group.inputs["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"]
        assert uri.startswith("s3://modelops-123456789012-eu-west-1-dev/feature-store/")
        assert "securityConfig" not in group.inputs["onlineStoreConfig"]  # dev sets no KMS key


def test_an_online_only_group_without_a_stack_key_has_a_role_without_a_policy(project: Path) -> None:
    """The Feature Store role writes only the offline store and uses only the stack key: with
    neither (dev, online store only) it gets no inline policy, and the group is created all the same."""
    for version in ("1.2.0", "1.3.0"):
        edit_yaml(
            spec_path(project, version=version), lambda d: d["features"]["groups"][0].update(offline={"enabled": False})
        )
    dev = render(project, "dev")
    assert "offlineStoreConfig" not in _group(dev, "customer-profile")
    assert [r.name for r in dev.resources if r.name.startswith("churn-classifier-customer-profile-dev-store")] == [
        "churn-classifier-customer-profile-dev-store-role"
    ]
