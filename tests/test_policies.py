"""The CrossGuard pack: the same rule functions as `modelops plan`, wired as Pulumi runs them."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from modelops.engine.plan import Plan, PlanResource
from modelops.engine.render import render
from modelops.rules import RULES, RuleContext, check_resource
from policies.governance import PACK_NAME, build_policies, rule_context
from tests.conftest import REPO_ROOT

PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
PROD_BOUNDARY = "arn:aws:iam::123456789012:policy/ml-boundary"
PROD_CONFIG = {"environment": "prod", "kmsKeyArn": PROD_KMS, "permissionsBoundaryArn": PROD_BOUNDARY}


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def run_policies(resource: PlanResource, config: dict[str, Any]) -> list[tuple[str, str]]:
    from pulumi_policy import ResourceValidationArgs

    found: list[tuple[str, str, str | None]] = []
    for policy in build_policies():
        args = ResourceValidationArgs(
            resource.type,
            resource.inputs,
            resource.urn,
            resource.name,
            None,
            None,
            config=config,  # type: ignore[arg-type]
        )
        policy.validate(args, lambda message, urn=None, name=policy.name: found.append((name, message, urn)))
    # The analyzer's diagnostic carries the urn reported: each violation names the resource it is about.
    assert [urn for _, _, urn in found] == [resource.urn] * len(found)
    return sorted((name, message) for name, message, _ in found)


def broken_resources(plan: Plan) -> Iterator[tuple[str, PlanResource]]:
    """One resource per rule, edited to break exactly that rule."""
    role = copy.deepcopy(plan.one("aws:iam/role:Role", "fraud-detector-governance-execution-role"))
    role.inputs.pop("permissionsBoundary")
    yield "permissions-boundary", role
    policy = copy.deepcopy(plan.one("aws:iam/rolePolicy:RolePolicy", "fraud-detector-monitoring-jobs-policy"))
    document = json.loads(policy.inputs["policy"])
    document["Statement"][0]["Action"] = ["s3:*"]
    policy.inputs["policy"] = json.dumps(document)
    yield "no-wildcard-iam-actions", policy
    attached = copy.deepcopy(role)
    attached.inputs["permissionsBoundary"] = PROD_BOUNDARY
    attached.inputs["managedPolicyArns"] = ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]
    yield "no-full-access-policies", attached
    [group] = [g for g in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup") if "payments" in g.name]
    unencrypted = copy.deepcopy(group)
    unencrypted.inputs["onlineStoreConfig"].pop("securityConfig")
    yield "kms-encryption", unencrypted
    untagged = copy.deepcopy(group)
    untagged.inputs["tags"].pop("owner")
    yield "required-tags", untagged
    long_name = copy.deepcopy(
        plan.one("aws:cloudwatch/eventRule:EventRule", "fraud-detector-monitoring-bias-violations-rule")
    )
    long_name.inputs["name"] = "x" * 65
    yield "aws-name-limits", long_name
    oversized = copy.deepcopy(plan.one("aws:iam/rolePolicy:RolePolicy", "fraud-detector-governance-execution-policy"))
    document = json.loads(oversized.inputs["policy"])
    document["Statement"][0]["Resource"] = [f"arn:aws:s3:::acme-data/prefix-{i:04}/*" for i in range(400)]
    oversized.inputs["policy"] = json.dumps(document)
    yield "role-policy-size", oversized


def test_pack_has_one_mandatory_policy_per_rule() -> None:
    from pulumi_policy import EnforcementLevel

    policies = build_policies()
    assert [p.name for p in policies] == list(RULES)
    assert all(p.enforcement_level is EnforcementLevel.MANDATORY for p in policies)


def test_each_policy_takes_the_config_modelops_policy_config_writes() -> None:
    """Pulumi checks --policy-pack-config against each policy's config schema: the environment is
    required, one of the three, and the stack's ARNs are text."""
    import jsonschema

    for policy in build_policies():
        assert policy.config_schema is not None, policy.name
        schema = {
            "type": "object",
            "properties": policy.config_schema.properties,
            "required": policy.config_schema.required,
        }
        jsonschema.validate(PROD_CONFIG, schema)
        jsonschema.validate({"environment": "dev"}, schema)
        for refused in ({}, {"environment": "qa"}, {**PROD_CONFIG, "kmsKeyArn": 1}):
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(refused, schema)


def test_policies_pass_the_rendered_prod_stack(prod: Plan) -> None:
    for resource in prod.resources:
        if resource.custom:
            assert run_policies(resource, PROD_CONFIG) == [], resource.name


@pytest.mark.parametrize("rule", list(RULES))
def test_each_policy_reports_what_its_rule_reports(prod: Plan, rule: str) -> None:
    resource = dict(broken_resources(prod))[rule]
    expected = sorted(check_resource(resource, RuleContext("prod", PROD_KMS, PROD_BOUNDARY)))
    found = run_policies(resource, PROD_CONFIG)
    assert found == expected
    assert [name for name, _ in found] == [rule]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            {"Effect": "Allow", "NotAction": ["iam:PassRole"], "Resource": "*"},
            "IAM NotAction grants everything not listed",
        ),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "IAM action '*' is a wildcard"),
        ({"Effect": "Allow", "Action": ["s3:GetObject", "kms:*"], "Resource": "*"}, "IAM action 'kms:*' is a wildcard"),
    ],
    ids=["not-action", "star", "service-wildcard"],
)
def test_a_policy_granting_actions_it_does_not_name_is_refused(
    prod: Plan, statement: dict[str, Any], message: str
) -> None:
    """No IAM action `*` (governance table): nor a service wildcard, nor NotAction, which grants
    every action but those listed."""
    policy = copy.deepcopy(prod.one("aws:iam/rolePolicy:RolePolicy", "fraud-detector-governance-execution-policy"))
    document = json.loads(policy.inputs["policy"])
    document["Statement"].append(statement)
    policy.inputs["policy"] = json.dumps(document)
    expected = [("no-wildcard-iam-actions", message)]
    assert list(check_resource(policy, RuleContext("prod", PROD_KMS, PROD_BOUNDARY))) == expected
    assert run_policies(policy, PROD_CONFIG) == expected


def test_policy_config_matches_the_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "modelops", "policy-config", "--stack", "prod"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert set(config) == set(RULES)
    assert rule_context(config["kms-encryption"]) == RuleContext("prod", PROD_KMS, PROD_BOUNDARY)


def test_pulumi_policy_yaml_runs_the_pack_in_the_project_venv() -> None:
    manifest = yaml.safe_load((REPO_ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert (REPO_ROOT / "policies" / "__main__.py").is_file()


def test_served_pack_analyzes_a_resource_like_the_engine(prod: Plan) -> None:
    """Start the pack as Pulumi does and speak the analyzer protocol to it."""
    import grpc
    from google.protobuf import empty_pb2, json_format, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    process = subprocess.Popen(
        [sys.executable, "policies/__main__.py"], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        port = int(process.stdout.readline())  # type: ignore[union-attr]
        stub = analyzer_pb2_grpc.AnalyzerStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=20)
        assert info.name == PACK_NAME
        assert [p.name for p in info.policies] == list(RULES)
        assert all(list(p.configSchema.required) == ["environment"] for p in info.policies)
        properties = struct_pb2.Struct()
        properties.update(PROD_CONFIG)
        stub.Configure(
            analyzer_pb2.ConfigureAnalyzerRequest(
                policyConfig={name: analyzer_pb2.PolicyConfig(properties=properties) for name in RULES}
            ),
            timeout=20,
        )
        role = dict(broken_resources(prod))["permissions-boundary"]
        request = analyzer_pb2.AnalyzeRequest(
            type=role.type,
            urn=role.urn,
            name=role.name,
            properties=json_format.ParseDict(role.inputs, struct_pb2.Struct()),
        )
        response = stub.Analyze(request, timeout=20)
        assert [(d.policyName, d.urn) for d in response.diagnostics] == [("permissions-boundary", role.urn)]
        good = prod.one("aws:iam/role:Role", "fraud-detector-governance-execution-role")
        clean = analyzer_pb2.AnalyzeRequest(
            type=good.type,
            urn=good.urn,
            name=good.name,
            properties=json_format.ParseDict(good.inputs, struct_pb2.Struct()),
        )
        assert list(stub.Analyze(clean, timeout=20).diagnostics) == []
    finally:
        process.kill()
        process.wait()
