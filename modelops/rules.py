"""Resource-level governance rules: pure functions over rendered resources.

Each rule takes one PlanResource (type and camelCase inputs, as the engine sees them) and the
stack's settings, and returns messages. `modelops plan` reports them in the Plan; the
CrossGuard pack in `policies/` runs the same functions in `pulumi preview`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT, policy_size
from modelops.aws.instance_storage import has_local_storage
from modelops.aws.tags import POOL_TAG, POOL_TAGS, REQUIRED_TAGS
from modelops.engine.plan import Plan, PlanResource, PlanViolation, physical_name

TAGGABLE_PREFIXES = (
    "aws:sagemaker/",
    "aws:iam/role:",
    "aws:cloudwatch/metricAlarm:",
    "aws:cloudwatch/eventRule:",
    "aws:s3/bucket:Bucket",
    "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition",
    "pulumi-python:dynamic/sagemaker:ModelCard",
    "pulumi-python:dynamic/sagemaker:InferenceComponent",
    "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration",
)
# RolePolicy takes no tags; a ModelPackageGroup is adopted from the training side, not ours to tag.
UNTAGGABLE = {"aws:iam/rolePolicy:RolePolicy", "aws:sagemaker/modelPackageGroup:ModelPackageGroup"}
STACK_WIDE = {"aws:s3/bucket:Bucket"}
# A pool's endpoint, configuration and role serve all its members and belong to none: they are
# tagged with the pool instead of an owner, model and version (modelops.aws.tags.pool_resource_tags).
POOL_RESOURCES = {
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration",
    "aws:iam/role:Role",
}
INFERENCE_COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
POOL_ENDPOINT_CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"
MODEL_CARD = "pulumi-python:dynamic/sagemaker:ModelCard"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@dataclass(frozen=True)
class RuleContext:
    environment: str
    kms_key_arn: str | None
    permissions_boundary_arn: str | None


Rule = Callable[[str, dict[str, Any], RuleContext], Iterator[str]]


def required_tags(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    if type_token in UNTAGGABLE or not type_token.startswith(TAGGABLE_PREFIXES):
        return
    tags = inputs.get("tags") or {}
    required: tuple[str, ...] = ("environment", "managed-by") if type_token in STACK_WIDE else REQUIRED_TAGS
    if type_token in POOL_RESOURCES and POOL_TAG in tags and "model" not in tags:
        # A model's resources always carry `model` (resource_tags), so none passes for a pool's.
        required = POOL_TAGS
    missing = [t for t in required if not tags.get(t)]
    if missing:
        yield f"missing tags: {', '.join(missing)}"


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [statements] if isinstance(statements, dict) else list(statements)


def no_wildcard_actions(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    if type_token not in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
        return
    for statement in _statements(inputs.get("policy")):
        actions = statement.get("Action", [])
        for action in [actions] if isinstance(actions, str) else actions:
            if action == "*" or action.endswith(":*"):
                yield f"IAM action {action!r} is a wildcard"
        if "NotAction" in statement:
            yield "IAM NotAction grants everything not listed"


def no_full_access_policies(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    arns = []
    if type_token == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        arns.append(str(inputs.get("policyArn", "")))
    if type_token == "aws:iam/role:Role":
        arns += [str(a) for a in inputs.get("managedPolicyArns") or []]
    for arn in arns:
        if ":aws:policy/" in arn and "FullAccess" in arn:
            yield f"AWS-managed {arn.rsplit('/', 1)[-1]} is broader than any model needs"


def boundary_attached(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    boundary = ctx.permissions_boundary_arn
    if type_token == "aws:iam/role:Role" and boundary and inputs.get("permissionsBoundary") != boundary:
        yield f"role lacks the stack's permissions boundary {boundary}"


KMS_INPUTS: dict[str, list[tuple[str, ...]]] = {
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [("kmsKeyArn",)],
    MODEL_CARD: [("securityConfig", "kmsKeyId")],
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": [
        ("dataQualityJobOutputConfig", "kmsKeyId"),
        ("jobResources", "clusterConfig", "volumeKmsKeyId"),
    ],
}
MONITORING_JOB = "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition"


def kms_everywhere(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    if not ctx.kms_key_arn:
        return
    paths = list(KMS_INPUTS.get(type_token, []))
    if type_token == "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
        # A shadow variant's instances are the endpoint's too: on local NVMe storage they take no key.
        variants = [*(inputs.get("productionVariants") or []), *(inputs.get("shadowProductionVariants") or [])]
        if any("serverlessConfig" in v or has_local_storage(v.get("instanceType")) for v in variants):
            paths = []  # serverless endpoints and local NVMe storage take no storage key
        if inputs.get("dataCaptureConfig"):
            paths.append(("dataCaptureConfig", "kmsKeyId"))
        if inputs.get("asyncInferenceConfig"):
            paths.append(("asyncInferenceConfig", "outputConfig", "kmsKeyId"))
    if type_token == POOL_ENDPOINT_CONFIG:
        # The CreateEndpointConfig request, PascalCase (components/providers/pool_endpoint_configuration.py).
        configuration = inputs.get("configuration") or {}
        variants = configuration.get("ProductionVariants") or []
        if not any(has_local_storage(v.get("InstanceType")) for v in variants):
            paths.append(("configuration", "KmsKeyId"))
        if configuration.get("DataCaptureConfig"):
            paths.append(("configuration", "DataCaptureConfig", "KmsKeyId"))
    if type_token == "aws:sagemaker/featureGroup:FeatureGroup":
        if inputs.get("onlineStoreConfig"):
            paths.append(("onlineStoreConfig", "securityConfig", "kmsKeyId"))
        if inputs.get("offlineStoreConfig"):
            paths.append(("offlineStoreConfig", "s3StorageConfig", "kmsKeyId"))
    if type_token == MONITORING_JOB:
        kind = inputs.get("kind", "")
        cluster = inputs.get("definition", {}).get("JobResources", {}).get("ClusterConfig", {})
        paths.append(("definition", f"{kind}JobOutputConfig", "KmsKeyId"))
        if not has_local_storage(cluster.get("InstanceType")):
            paths.append(("definition", "JobResources", "ClusterConfig", "VolumeKmsKeyId"))
    if type_token == "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition":
        cluster = inputs.get("jobResources", {}).get("clusterConfig", {})
        if has_local_storage(cluster.get("instanceType")):
            paths = [p for p in paths if p[-1] != "volumeKmsKeyId"]
    for path in paths:
        value: Any = inputs
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value != ctx.kms_key_arn:
            yield f"{'.'.join(path)} is not the stack's KMS key"


def names_within_limits(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    """64 characters for a role, a feature group and an EventBridge rule, 63 for the rest of
    SageMaker's names (each API's `...Name` length constraint; CreateModelCard's ModelCardName
    and CreateMonitoringSchedule's job definitions included)."""
    limit = (
        64
        if type_token
        in ("aws:iam/role:Role", "aws:sagemaker/featureGroup:FeatureGroup", "aws:cloudwatch/eventRule:EventRule")
        else 63
        if type_token.startswith("aws:sagemaker/")
        or type_token in (MONITORING_JOB, INFERENCE_COMPONENT, POOL_ENDPOINT_CONFIG, MODEL_CARD)
        else None
    )
    name = physical_name(inputs)
    if limit and isinstance(name, str) and len(name) > limit:
        yield f"name {name!r} is {len(name)} characters; AWS allows {limit}"


def role_policy_within_quota(type_token: str, inputs: dict[str, Any], ctx: RuleContext) -> Iterator[str]:
    """IAM's quota on a role's inline policies, 10,240 characters with white space not counted
    ("IAM and AWS STS quotas"): past it PutRolePolicy fails with LimitExceeded. modelops gives each
    role one inline policy (components/sagemaker_role.py), so each RolePolicy has the whole quota.
    validate measures a pool's role and each model's own (modelops.spec.pools, model_roles) with a
    registry package's images unknown; on a real preview the CrossGuard pack measures every role
    with them."""
    document = inputs.get("policy")
    if type_token != ROLE_POLICY or not isinstance(document, str | dict):
        return
    size = policy_size(document)
    if size > ROLE_POLICY_SIZE_LIMIT:
        yield (
            f"inline policy of {size:,} characters (white space not counted), and IAM allows a role "
            f"{ROLE_POLICY_SIZE_LIMIT:,} (PutRolePolicy fails with LimitExceeded): the role must name fewer "
            "resources, or name them through prefixes that cover several"
        )


RULE_DESCRIPTIONS: dict[str, str] = {
    "required-tags": "Every taggable resource carries owner, model, model-version, environment and managed-by "
    "(a pool's endpoint, configuration and role: pool, environment and managed-by).",
    "no-wildcard-iam-actions": "No IAM policy allows the action '*' or a service wildcard such as 's3:*'.",
    "no-full-access-policies": "No role gets an AWS-managed *FullAccess policy.",
    "permissions-boundary": "Every role carries the stack's permissions boundary when the stack sets one.",
    "kms-encryption": "Every input that takes a KMS key uses the stack's key when the stack sets one.",
    "aws-name-limits": "Physical names stay within AWS's length limits.",
    "role-policy-size": "Each role's inline policy stays within IAM's 10,240 characters.",
}
RULES: dict[str, Rule] = {
    "required-tags": required_tags,
    "no-wildcard-iam-actions": no_wildcard_actions,
    "no-full-access-policies": no_full_access_policies,
    "permissions-boundary": boundary_attached,
    "kms-encryption": kms_everywhere,
    "aws-name-limits": names_within_limits,
    "role-policy-size": role_policy_within_quota,
}


def check_resource(resource: PlanResource, ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for rule_name, rule in RULES.items():
        for message in rule(resource.type, resource.inputs, ctx):
            yield rule_name, message


def check_plan(plan: Plan, ctx: RuleContext) -> list[PlanViolation]:

    return [
        PlanViolation(rule=rule, severity="mandatory", urn=r.urn, message=message)
        for r in plan.resources
        if r.custom
        for rule, message in check_resource(r, ctx)
    ]
