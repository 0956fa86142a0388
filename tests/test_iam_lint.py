"""Every IAM policy document the program renders, linted offline with parliament.

parliament (duo-labs) checks a policy against its bundled copy of AWS's service authorization
reference: actions that exist, resources of the types each action takes, condition keys each
action supports and operators of the key's type, plus its community auditors (privilege
escalation, credentials exposure, permissions management). It reads the plans of the repository's
stacks and of synthetic stacks that add a VPC, the stack key and the stack bucket, in the aws and
aws-cn partitions. Every finding at THRESHOLD or above fails, unless ALLOWED lists it with the
reason it is needed.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan
from modelops.engine.render import render
from tests.conftest import REPO_ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament 1.6.4 leaves its YAML config open at import
    import parliament

parliament.override_config(
    os.path.join(os.path.dirname(parliament.__file__), "community_auditors", "config_override.yaml")
)

PARLIAMENT_VERSION = "1.6.4"
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
THRESHOLD = "LOW"  # parliament's lowest: every finding counts

# (issue, document kind, action) -> why the finding stands.
ALLOWED: dict[tuple[str, str, str | None], str] = {
    ("CREDENTIALS_EXPOSURE", "trust", "sts:assumerole"): (
        "a trust policy exists to let SageMaker assume the role; it is limited to this account "
        "(aws:SourceAccount) and, for inference and monitoring roles, its SageMaker resources in the "
        "stack's region (aws:SourceArn)"
    ),
    ("CREDENTIALS_EXPOSURE", "identity", "ecr:getauthorizationtoken"): (
        "SageMaker pulls the serving and analyzer images with it (CreateModel execution role "
        "permissions); the action takes no resource, and the token pulls only the repositories "
        "that BatchGetImage names"
    ),
    ("PERMISSIONS_MANAGEMENT_ACTIONS", "identity", "ec2:createnetworkinterfacepermission"): (
        "SageMaker's VPC guide requires it to attach its ENIs; granted only on interfaces in the "
        "stack's subnets (ec2:Subnet)"
    ),
    # IRSA roles of kubernetes models: parliament knows neither EKS's OIDC providers as a
    # federation source nor their per-issuer condition keys (`<issuer>:sub`, `<issuer>:aud`),
    # which EKS's IRSA guide prescribes.
    ("CREDENTIALS_EXPOSURE", "trust", "sts:assumerolewithwebidentity"): (
        "an IRSA trust policy exists to let one service account's pods assume the role, limited by "
        "<issuer>:sub and <issuer>:aud to that service account"
    ),
    ("UNKNOWN_FEDERATION_SOURCE", "trust", None): "the EKS cluster's OIDC provider, which parliament does not list",
    ("UNKNOWN_CONDITION_FOR_ACTION", "trust", None): (
        "`<issuer>:sub` and `<issuer>:aud`, the condition keys EKS's IRSA guide prescribes"
    ),
    ("PERMISSIONS_MANAGEMENT_ACTIONS", "identity", "s3:putobjectacl"): (
        "the Feature Store role writes the offline store as AWS's AmazonSageMakerFeatureStoreAccess "
        "allows; limited to the group's own prefix, and on the stack bucket ACLs are disabled "
        "(BucketOwnerEnforced), so it can grant nothing"
    ),
}

SYNTHETIC_STACKS = {
    # Every example model (but the serverless one, which takes no VPC) in a VPC with the stack
    # key and no configured buckets: the stack bucket, KMS on every path, ENI statements.
    "lint-vpc-kms": """config:
  aws:region: eu-west-1
  modelops:environment: dev
  modelops:models:
    churn-classifier: latest
    fraud-detector: 3.1.0
    demand-forecaster: 1.1.0
    sentiment-hf: 1.0.0
  modelops:kmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
  modelops:permissionsBoundaryArn: arn:aws:iam::123456789012:policy/ml-boundary
  modelops:vpc:
    subnetIds: [subnet-0aa11bb2, subnet-0cc33dd4, subnet-0ee55ff6]
    securityGroupIds: [sg-0ab12cd3, sg-0ef45ab6]
  modelops:alarmTopicArn: arn:aws:sns:eu-west-1:123456789012:ml-alarms-lint
""",
    # The same in the aws-cn partition (churn-classifier reads an aws-partition secret, and
    # demand-forecaster's image is in eu-west-1's ECR).
    "lint-cn": """config:
  aws:region: cn-north-1
  modelops:environment: dev
  modelops:models:
    fraud-detector: 3.1.0
    sentiment-hf: 1.0.0
  modelops:kmsKeyArn: arn:aws-cn:kms:cn-north-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
  modelops:vpc: {subnetIds: [subnet-0aa11bb2], securityGroupIds: [sg-0ab12cd3]}
""",
}
STACKS = ["dev", "staging", "prod", *SYNTHETIC_STACKS]


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("iam-lint")
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    for name, text in SYNTHETIC_STACKS.items():
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    return root


def plan_of(stack: str, synthetic_root: Path) -> Plan:
    return _render(synthetic_root if stack in SYNTHETIC_STACKS else REPO_ROOT, stack)


@functools.cache
def _render(root: Path, stack: str) -> Plan:
    return render(root, stack)


def _documents_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every policy document (a mapping with a Statement) in an input, JSON text or not."""
    if isinstance(value, str) and '"Statement"' in value:
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if "Statement" in value:
            yield value
            return
        for item in value.values():
            yield from _documents_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _documents_in(item)


def policy_documents(plan: Plan) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, kind, document) for every policy document of the plan.

    parliament reads identity and resource policies; a role's trust policy has no Resource
    element (its resource is the role), so the linter sees it with the role's ARN as Resource.
    """
    found = []
    for resource in plan.resources:
        for key, value in resource.inputs.items():
            for document in _documents_in(value):
                where = f"{plan.stack}: {resource.name}.{key}"
                if key == "assumeRolePolicy":
                    role_arn = _role_arn(plan, resource.inputs["name"])
                    document = {
                        **document,
                        "Statement": [{**s, "Resource": role_arn} for s in document["Statement"]],
                    }
                    found.append((where, "trust", document))
                elif any("Principal" in s for s in document["Statement"]):
                    found.append((where, "resource", document))
                else:
                    found.append((where, "identity", document))
    return found


def _role_arn(plan: Plan, role_name: str) -> str:
    from modelops.engine.render import MOCK_ACCOUNT

    return f"arn:{_partition(plan)}:iam::{MOCK_ACCOUNT}:role/{role_name}"


def _partition(plan: Plan) -> str:
    """The plan's partition, as the program rendered it into the roles' policies."""
    for resource in plan.by_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in json.loads(resource.inputs["policy"])["Statement"]:
            for arn in statement["Resource"]:
                if arn.startswith("arn:"):
                    return str(arn.split(":")[1])
    return "aws"


def findings(document: dict[str, Any]) -> list[Any]:
    policy = parliament.analyze_policy_string(json.dumps(document), include_community_auditors=True)
    return [parliament.enhance_finding(f) for f in policy.findings]


def counts(finding: Any) -> bool:
    severity = finding.severity
    return severity not in SEVERITIES or SEVERITIES.index(severity) >= SEVERITIES.index(THRESHOLD)


def unallowed(kind: str, finding: Any) -> list[tuple[str, str, str | None]]:
    actions = (finding.location or {}).get("actions") or [None]
    return [(finding.issue, kind, action) for action in actions if (finding.issue, kind, action) not in ALLOWED]


def test_parliament_is_the_pinned_version() -> None:
    assert parliament.__version__ == PARLIAMENT_VERSION
    requirements = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    assert f"parliament=={PARLIAMENT_VERSION}" in requirements


@pytest.mark.parametrize("stack", STACKS)
def test_every_rendered_policy_passes_the_linter(stack: str, synthetic_root: Path) -> None:
    plan = plan_of(stack, synthetic_root)
    documents = policy_documents(plan)
    kinds = {kind for _, kind, _ in documents}
    assert {"identity", "trust"} <= kinds, kinds
    failures = []
    for where, kind, document in documents:
        for finding in findings(document):
            if counts(finding):
                for key in unallowed(kind, finding):
                    failures.append(f"{where}: {finding.severity} {key} {finding.detail} {finding.location}")
    assert failures == []


def test_every_allowance_is_still_needed(synthetic_root: Path) -> None:
    """An allow-list entry that no rendered policy needs any more is removed, not kept."""
    seen = set()
    for stack in STACKS:
        for _, kind, document in policy_documents(plan_of(stack, synthetic_root)):
            for finding in findings(document):
                for action in (finding.location or {}).get("actions") or [None]:
                    seen.add((finding.issue, kind, action))
    assert set(ALLOWED) <= seen, set(ALLOWED) - seen


def test_the_plans_hold_every_kind_of_policy(synthetic_root: Path) -> None:
    """The stack bucket's policy is linted where a stack creates the bucket."""
    kinds = {kind for _, kind, _ in policy_documents(plan_of("lint-vpc-kms", synthetic_root))}
    assert kinds == {"identity", "trust", "resource"}


@pytest.mark.parametrize(
    ("statement", "issue"),
    [
        # An action on a resource type it does not take.
        (
            {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": "arn:aws:s3:::bucket"},
            "RESOURCE_MISMATCH",
        ),
        # CreateNetworkInterface's new interface carries no ec2:Subnet: such a condition never
        # matches (the EC2 authorization reference), hence the subnet ARNs as its resources.
        (
            {
                "Effect": "Allow",
                "Action": "ec2:CreateNetworkInterface",
                "Resource": "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
                "Condition": {"ArnEquals": {"ec2:Subnet": "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1"}},
            },
            "UNKNOWN_CONDITION_FOR_ACTION",
        ),
        # A KMS key's ViaService compared as a Bool.
        (
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "arn:aws:kms:eu-west-1:123456789012:key/k",
                "Condition": {"Bool": {"kms:ViaService": "true"}},
            },
            "MISMATCHED_TYPE",
        ),
    ],
)
def test_the_linter_catches_what_it_is_here_for(statement: dict[str, Any], issue: str) -> None:
    found = findings({"Version": "2012-10-17", "Statement": [statement]})
    assert issue in {f.issue for f in found if counts(f)}
