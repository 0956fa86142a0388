"""Least privilege, tightened: the exact statements and conditions that each hardening adds.

Each assertion names the rendered statement in full, so that removing a condition or widening a
resource fails here. Why each one is as it is: README "IAM and bucket hardening" and the
docstrings of `modelops.aws.iam`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelops.aws.iam import (
    assume_role_policy,
    bucket_tls_only_policy,
    s3_via_service,
    sagemaker_source_arn,
    vpc_statements,
)
from modelops.aws.replacements import replacing_paths
from modelops.engine.plan import Plan
from modelops.engine.render import RecordingMocks, render
from tests.conftest import REPO_ROOT, edit_yaml, spec_path

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
PROD_SUBNETS = [
    "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1a2b3c4d",
    "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-5e6f7a8b",
]
DEV_BUCKET = "modelops-123456789012-eu-west-1-dev"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"


def statements(plan: Plan, policy_name: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(plan.one(POLICY, policy_name).inputs["policy"])["Statement"]}


PROD_VPC_STATEMENTS = {
    "VpcCreateNetworkInterface": {
        "Sid": "VpcCreateNetworkInterface",
        "Effect": "Allow",
        "Action": ["ec2:CreateNetworkInterface"],
        "Resource": [
            "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
            *PROD_SUBNETS,
            "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1c2d3e4f",
        ],
    },
    "VpcNetworkInterfaces": {
        "Sid": "VpcNetworkInterfaces",
        "Effect": "Allow",
        "Action": [
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ],
        "Resource": ["arn:aws:ec2:eu-west-1:123456789012:network-interface/*"],
        "Condition": {"ArnEquals": {"ec2:Subnet": PROD_SUBNETS}},
    },
}


@pytest.mark.parametrize(
    "policy", ["fraud-detector-governance-execution-policy", "fraud-detector-monitoring-jobs-policy"]
)
def test_eni_statements_are_limited_to_the_stack_subnets(prod: Plan, policy: str) -> None:
    found = statements(prod, policy)
    for sid, expected in PROD_VPC_STATEMENTS.items():
        assert found[sid] == expected
    assert found["VpcDescribe"]["Resource"] == ["*"]  # Describe* take no resource-level permission


def test_no_role_may_delete_or_share_any_eni_of_the_account(prod: Plan) -> None:
    for policy in prod.by_type(POLICY):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            actions = set(statement["Action"])
            if actions & {"ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission"}:
                assert statement["Condition"] == {"ArnEquals": {"ec2:Subnet": PROD_SUBNETS}}, policy.name
            if "ec2:CreateNetworkInterface" in actions:
                assert actions == {"ec2:CreateNetworkInterface"}, policy.name
                assert not any(r.endswith(("subnet/*", "security-group/*")) for r in statement["Resource"])


def test_vpc_statements_follow_partition_region_and_subnets() -> None:
    found = vpc_statements("aws-cn", "cn-north-1", "210987654321", ("subnet-aa", "subnet-bb"), ("sg-cc",))
    assert [s["Sid"] for s in found] == ["VpcDescribe", "VpcCreateNetworkInterface", "VpcNetworkInterfaces"]
    assert found[1]["Resource"] == [
        "arn:aws-cn:ec2:cn-north-1:210987654321:network-interface/*",
        "arn:aws-cn:ec2:cn-north-1:210987654321:subnet/subnet-aa",
        "arn:aws-cn:ec2:cn-north-1:210987654321:subnet/subnet-bb",
        "arn:aws-cn:ec2:cn-north-1:210987654321:security-group/sg-cc",
    ]
    assert found[2]["Condition"] == {
        "ArnEquals": {
            "ec2:Subnet": [
                "arn:aws-cn:ec2:cn-north-1:210987654321:subnet/subnet-aa",
                "arn:aws-cn:ec2:cn-north-1:210987654321:subnet/subnet-bb",
            ]
        }
    }


def _trust(plan: Plan, role: str) -> dict[str, Any]:
    return json.loads(plan.one(ROLE, role).inputs["assumeRolePolicy"])


def _trust_statement(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        ],
    }


@pytest.mark.parametrize("role", ["fraud-detector-governance-execution-role", "fraud-detector-monitoring-jobs-role"])
def test_inference_and_monitoring_roles_trust_only_this_account_and_region(prod: Plan, role: str) -> None:
    assert _trust(prod, role) == _trust_statement(
        {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:eu-west-1:123456789012:*"},
        }
    )


def test_feature_store_role_keeps_the_account_condition_only(prod: Plan) -> None:
    # SageMaker documents no aws:SourceArn for Feature Store.
    assert _trust(prod, "fraud-detector-payments-history-prod-store-role") == _trust_statement(
        {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    )


THIS_ACCOUNT = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
THIS_ACCOUNT_AND_REGION = {**THIS_ACCOUNT, "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:eu-west-1:123456789012:*"}}


def _sagemaker_role_kind(name: str) -> str:
    if name.startswith("pool-") and name.endswith("-execution-role"):
        return "pool"
    for suffix, kind in (
        ("-governance-execution-role", "model"),
        ("-monitoring-jobs-role", "monitoring"),
        ("-store-role", "feature-store"),
    ):
        if name.endswith(suffix):
            return kind
    raise AssertionError(f"{name}: a role SageMaker assumes of no known kind; say which condition it takes")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_sagemaker_assumes_trusts_it_for_this_account_only(dev: Plan, prod: Plan, stack: str) -> None:
    """The confused-deputy conditions on every role SageMaker assumes: a model's execution role, a
    pool's, a model's monitoring jobs' (this account's SageMaker resources in the stack's region)
    and a feature group's (this account only: AWS documents no aws:SourceArn for Feature Store)."""
    plan = {"dev": dev, "prod": prod}[stack]
    kinds = set()
    for role in plan.by_type(ROLE):
        trust = _trust(plan, role.name)
        if trust["Statement"][0]["Principal"] != {"Service": "sagemaker.amazonaws.com"}:
            continue  # a Kubernetes service account's role (IRSA): tests/test_kubernetes.py
        kind = _sagemaker_role_kind(role.name)
        expected = THIS_ACCOUNT if kind == "feature-store" else THIS_ACCOUNT_AND_REGION
        assert trust == _trust_statement(expected), role.name
        kinds.add(kind)
    assert kinds == {"model", "pool", "monitoring", "feature-store"}


def test_every_role_sagemaker_assumes_is_one_hour_bounded_and_has_one_sorted_inline_policy(prod: Plan) -> None:
    """Every SageMaker role (a model's, a pool's, monitoring jobs', a feature group's): sessions
    of at most an hour, the stack's permissions boundary, a description saying whose role it is,
    and one inline policy `least-privilege` whose JSON has its keys sorted (the same text on
    every render: no policy diff without a change). Both are children of the component that
    made them, so they sit under it in the stack."""
    components = {r.urn: r.type for r in prod.resources}
    roles = [r for r in prod.by_type(ROLE) if "sagemaker.amazonaws.com" in r.inputs["assumeRolePolicy"]]
    assert {_sagemaker_role_kind(r.name) for r in roles} == {"model", "pool", "monitoring", "feature-store"}
    for role in roles:
        policy = prod.one(POLICY, role.name.removesuffix("-role") + "-policy")
        assert role.inputs["maxSessionDuration"] == 3600, role.name
        assert role.inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/ml-boundary", role.name
        assert role.inputs["description"].endswith(" in prod (modelops)"), role.name
        assert policy.inputs["name"] == "least-privilege", policy.name
        assert policy.inputs["role"] == role.inputs["name"], policy.name
        assert policy.inputs["policy"] == json.dumps(json.loads(policy.inputs["policy"]), sort_keys=True), policy.name
        assert role.parent == policy.parent and components[role.parent].startswith("modelops:"), role.name
    execution = prod.one(ROLE, "fraud-detector-governance-execution-role")
    assert execution.inputs["description"] == "SageMaker execution role of fraud-detector in prod (modelops)"
    assert components[execution.parent] == "modelops:governance:Governance"


def test_source_arn_follows_the_partition() -> None:
    assert (
        sagemaker_source_arn("aws-cn", "cn-north-1", "210987654321") == "arn:aws-cn:sagemaker:cn-north-1:210987654321:*"
    )
    assert assume_role_policy("1", "arn:aws:sagemaker:r:1:*")["Statement"][0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:sagemaker:r:1:*"
    }


def test_feature_store_role_uses_the_key_only_through_s3(prod: Plan) -> None:
    key = statements(prod, "fraud-detector-payments-history-prod-store-policy")["UseStackKey"]
    assert key == {
        "Sid": "UseStackKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": [PROD_KMS],
        "Condition": {"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com"]}},
    }


@pytest.mark.parametrize(
    "policy", ["fraud-detector-governance-execution-policy", "fraud-detector-monitoring-jobs-policy"]
)
def test_execution_and_monitoring_keys_take_no_via_service(prod: Plan, policy: str) -> None:
    # SageMaker calls KMS with these roles directly (kms:Encrypt for capture and output keys),
    # and the model container may too: a kms:ViaService condition would refuse those calls.
    assert "Condition" not in statements(prod, policy)["UseStackKey"]


def test_via_service_names_the_partition_endpoint() -> None:
    assert s3_via_service("aws", "eu-west-1") == "s3.eu-west-1.amazonaws.com"
    assert s3_via_service("aws-cn", "cn-north-1") == "s3.cn-north-1.amazonaws.com.cn"


def test_the_mocks_answer_the_stack_partition() -> None:
    class Args:
        token = "aws:index/getPartition:getPartition"

    assert RecordingMocks("cn-north-1").call(Args()) == {
        "partition": "aws-cn",
        "dnsSuffix": "amazonaws.com.cn",
        "id": "aws-cn",
    }
    assert RecordingMocks("eu-west-1").call(Args())["partition"] == "aws"  # type: ignore[index]


TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{DEV_BUCKET}", f"arn:aws:s3:::{DEV_BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def test_stack_bucket_is_tls_only_versioned_and_owner_enforced(dev: Plan) -> None:
    policy = dev.one(BUCKET_POLICY, "stack-bucket-policy").inputs
    assert policy["bucket"] == DEV_BUCKET
    assert json.loads(policy["policy"]) == TLS_ONLY
    assert bucket_tls_only_policy("aws", DEV_BUCKET) == TLS_ONLY
    assert dev.one(VERSIONING, "stack-bucket-versioning").inputs == {
        "bucket": DEV_BUCKET,
        "versioningConfiguration": {"status": "Enabled"},
    }
    assert dev.one(OWNERSHIP, "stack-bucket-ownership").inputs == {
        "bucket": DEV_BUCKET,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }
    # Names of the existing bucket resources are unchanged: no replacement on upgrade.
    names = {r.name for r in dev.resources if r.type.startswith("aws:s3/")}
    assert {"stack-bucket-bucket", "stack-bucket-encryption", "stack-bucket-public-access-block"} <= names


def test_stack_bucket_settings_update_in_place() -> None:
    # terraform-provider-aws: `bucket` is ForceNew, the policy, rule and configuration are not.
    assert replacing_paths(BUCKET_POLICY, ["policy"]) == []
    assert replacing_paths(OWNERSHIP, ["rule.objectOwnership"]) == []
    assert replacing_paths(VERSIONING, ["versioningConfiguration.status"]) == []
    for token in (BUCKET_POLICY, OWNERSHIP, VERSIONING):
        assert replacing_paths(token, ["bucket"]) == ["bucket"]


def test_rehearsal_applies_the_bucket_settings_on_the_emulator() -> None:
    import boto3

    from modelops.engine.rehearse import emulated_aws, rehearse_in_emulator

    with emulated_aws("eu-west-1"):
        report = rehearse_in_emulator(REPO_ROOT, "dev")
        assert report.ok, report.summary()
        s3 = boto3.client("s3", region_name="eu-west-1")
        bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("modelops-"))
        expected = json.loads(json.dumps(TLS_ONLY).replace(DEV_BUCKET, bucket))
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == expected
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    calls = [c.call for c in report.calls if c.type.startswith("aws:s3/")]
    assert calls[-3:] == ["s3:put_bucket_ownership_controls", "s3:put_bucket_versioning", "s3:put_bucket_policy"]


@pytest.mark.parametrize("written", ["fraud", "fraud/"], ids=["without-slash", "with-slash"])
def test_an_s3_prefix_grants_the_folder_under_it_and_nothing_beside_it(project: Path, written: str) -> None:
    """`s3://bucket/fraud` and `s3://bucket/fraud/` both grant `fraud/*`: never `fraud*`, which
    would also grant `fraud-archive/` and any other key that merely starts with the name."""

    def read_from(data: dict[str, Any]) -> None:
        data["governance"]["data_access"]["s3_read"] = [f"s3://acme-features/{written}"]
        data["monitoring"]["model_quality"]["ground_truth_s3_uri"] = f"s3://acme-labels/{written}"

    edit_yaml(spec_path(project, version="1.3.0"), read_from)  # the dev stack pins churn-classifier latest
    dev = render(project, "dev")
    for policy, sid, bucket in (
        ("churn-classifier-governance-execution-policy", "ReadData", "acme-features"),
        ("churn-classifier-monitoring-jobs-policy", "ReadGroundTruth", "acme-labels"),
    ):
        found = statements(dev, policy)
        assert found[sid]["Resource"] == [f"arn:aws:s3:::{bucket}/fraud/*"], policy
        assert found[f"List{sid}0"]["Resource"] == [f"arn:aws:s3:::{bucket}"], policy
        assert found[f"List{sid}0"]["Condition"] == {"StringLike": {"s3:prefix": ["fraud/*"]}}, policy
