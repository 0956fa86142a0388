"""The resource-level governance rules (modelops/rules.py), called straight on hand-built inputs.

The renders in test_spec_rules.py and test_policies.py show that the rendered stacks pass and
that the CrossGuard pack reports what the rules report; these tests pin each rule's own
decisions and messages, one input at a time, in milliseconds (they are mutation testing's
first choice for rules.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource, PlanViolation
from modelops.rules import (
    RULE_DESCRIPTIONS,
    RULES,
    RuleContext,
    boundary_attached,
    check_plan,
    check_resource,
    kms_everywhere,
    names_within_limits,
    no_full_access_policies,
    no_wildcard_actions,
    required_tags,
    role_policy_within_quota,
)

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab"
BOUNDARY = "arn:aws:iam::123456789012:policy/ml-boundary"
PLAIN = RuleContext("dev", None, None)
STRICT = RuleContext("prod", KEY, BOUNDARY)
MODEL_TAGS = {"owner": "ml", "model": "fraud", "model-version": "1.0.0", "environment": "dev", "managed-by": "modelops"}
POOL_TAGS = {"pool": "shared", "environment": "dev", "managed-by": "modelops"}
ALL_MISSING = "missing tags: owner, model, model-version, environment, managed-by"

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
POOL_ENDPOINT_CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"
MONITORING_JOB = "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition"
DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"


def tags_problems(type_token: str, tags: Any) -> list[str]:
    return list(required_tags(type_token, {"tags": tags}, PLAIN))


# --- required-tags ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:sagemaker/model:Model",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:iam/role:Role",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/eventRule:EventRule",
        "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition",
        "pulumi-python:dynamic/sagemaker:ModelCard",
        "pulumi-python:dynamic/sagemaker:InferenceComponent",
        "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration",
    ],
)
def test_each_taggable_kind_of_resource_needs_a_models_five_tags(type_token: str) -> None:
    assert tags_problems(type_token, None) == [ALL_MISSING]
    assert tags_problems(type_token, MODEL_TAGS) == []


def test_a_tag_with_an_empty_value_is_missing() -> None:
    tags = {**MODEL_TAGS, "owner": "", "model-version": ""}
    assert tags_problems("aws:sagemaker/model:Model", tags) == ["missing tags: owner, model-version"]


def test_the_stacks_bucket_needs_only_the_stack_wide_tags() -> None:
    assert tags_problems("aws:s3/bucket:Bucket", {}) == ["missing tags: environment, managed-by"]
    assert tags_problems("aws:s3/bucket:Bucket", {"environment": "dev", "managed-by": "modelops"}) == []


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:iam/rolePolicy:RolePolicy",  # takes no tags
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",  # adopted from the training side
        "aws:cloudwatch/logGroup:LogGroup",  # no taggable prefix
        "aws:s3/bucketPolicy:BucketPolicy",
        "pulumi-python:dynamic/sagemaker:Other",
    ],
)
def test_resources_that_take_no_tags_or_are_not_ours_need_none(type_token: str) -> None:
    assert tags_problems(type_token, None) == []


@pytest.mark.parametrize(
    "type_token",
    [
        "aws:sagemaker/endpoint:Endpoint",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration",
        "aws:iam/role:Role",
    ],
)
def test_a_pools_shared_resources_need_the_pools_tags_instead_of_a_models(type_token: str) -> None:
    assert tags_problems(type_token, POOL_TAGS) == []
    assert tags_problems(type_token, {"pool": "shared"}) == ["missing tags: environment, managed-by"]
    # A model's resource always carries `model`: then the pool tag does not excuse the others.
    assert tags_problems(type_token, {**POOL_TAGS, "model": "fraud"}) == ["missing tags: owner, model-version"]


def test_a_model_resource_with_a_pool_tag_still_needs_the_models_tags() -> None:
    assert tags_problems("aws:sagemaker/model:Model", POOL_TAGS) == ["missing tags: owner, model, model-version"]


# --- no-wildcard-iam-actions -----------------------------------------------------------------


def wildcard_problems(policy: Any, type_token: str = "aws:iam/rolePolicy:RolePolicy") -> list[str]:
    return list(no_wildcard_actions(type_token, {"policy": policy}, PLAIN))


def test_wildcard_actions_are_refused_in_a_list_or_alone() -> None:
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*", "sagemaker:Describe*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
        ]
    }
    assert wildcard_problems(policy) == ["IAM action 's3:*' is a wildcard", "IAM action '*' is a wildcard"]
    assert wildcard_problems(json.dumps(policy), "aws:iam/policy:Policy") == wildcard_problems(policy)


def test_a_single_action_is_read_whole_not_letter_by_letter() -> None:
    assert wildcard_problems({"Statement": {"Action": "s3:*"}}) == ["IAM action 's3:*' is a wildcard"]
    assert wildcard_problems({"Statement": {"Action": "s3:GetObject"}}) == []


def test_not_action_is_refused_as_granting_everything_else() -> None:
    statement = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert wildcard_problems({"Statement": statement}) == ["IAM NotAction grants everything not listed"]


def test_narrow_actions_pass() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}
    assert wildcard_problems({"Statement": [statement, {"Effect": "Deny", "Resource": "*"}]}) == []


@pytest.mark.parametrize("policy", ["{not json", "[]", None, {"Version": "2012-10-17"}, [{"Action": "*"}]])
def test_a_policy_that_is_not_a_document_has_no_statements(policy: Any) -> None:
    assert wildcard_problems(policy) == []


def test_only_policies_are_read_for_actions() -> None:
    assert wildcard_problems({"Statement": {"Action": "*"}}, "aws:iam/role:Role") == []


# --- no-full-access-policies -----------------------------------------------------------------


def test_an_aws_managed_full_access_policy_is_refused_attached_or_managed() -> None:
    arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    message = "AWS-managed AmazonSageMakerFullAccess is broader than any model needs"
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert list(no_full_access_policies(attachment, {"policyArn": arn}, PLAIN)) == [message]
    role_arns = ["arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess", arn]
    assert list(no_full_access_policies("aws:iam/role:Role", {"managedPolicyArns": role_arns}, PLAIN)) == [message]


def test_a_managed_policy_under_a_path_is_named_by_its_last_part() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AmazonSageMakerServiceFullAccess"
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert list(no_full_access_policies(attachment, {"policyArn": arn}, PLAIN)) == [
        "AWS-managed AmazonSageMakerServiceFullAccess is broader than any model needs"
    ]


def test_narrower_or_own_policies_and_other_resources_pass() -> None:
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    own = "arn:aws:iam::123456789012:policy/TeamFullAccess"
    assert list(no_full_access_policies(attachment, {"policyArn": own}, PLAIN)) == []
    assert list(no_full_access_policies(attachment, {}, PLAIN)) == []
    assert list(no_full_access_policies("aws:iam/role:Role", {"managedPolicyArns": None}, PLAIN)) == []
    full = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    assert list(no_full_access_policies("aws:iam/policy:Policy", {"policyArn": full}, PLAIN)) == []


# --- permissions-boundary --------------------------------------------------------------------


def test_a_role_must_carry_the_stacks_boundary_when_the_stack_sets_one() -> None:
    message = f"role lacks the stack's permissions boundary {BOUNDARY}"
    assert list(boundary_attached("aws:iam/role:Role", {}, STRICT)) == [message]
    other = {"permissionsBoundary": "arn:aws:iam::123456789012:policy/other"}
    assert list(boundary_attached("aws:iam/role:Role", other, STRICT)) == [message]
    assert list(boundary_attached("aws:iam/role:Role", {"permissionsBoundary": BOUNDARY}, STRICT)) == []
    assert list(boundary_attached("aws:iam/role:Role", {}, PLAIN)) == []
    assert list(boundary_attached("aws:iam/rolePolicy:RolePolicy", {}, STRICT)) == []


# --- kms-encryption --------------------------------------------------------------------------


def kms_problems(type_token: str, inputs: dict[str, Any]) -> list[str]:
    return list(kms_everywhere(type_token, inputs, STRICT))


def test_no_key_is_asked_for_when_the_stack_sets_none() -> None:
    assert list(kms_everywhere(ENDPOINT_CONFIG, {"dataCaptureConfig": {"x": 1}}, PLAIN)) == []


def test_an_endpoint_configuration_encrypts_volumes_capture_and_async_output() -> None:
    variant = {"instanceType": "ml.m5.large"}
    inputs: dict[str, Any] = {
        "productionVariants": [variant],
        "dataCaptureConfig": {"enableCapture": True},
        "asyncInferenceConfig": {"outputConfig": {"s3OutputPath": "s3://b/out/"}},
    }
    assert kms_problems(ENDPOINT_CONFIG, inputs) == [
        "kmsKeyArn is not the stack's KMS key",
        "dataCaptureConfig.kmsKeyId is not the stack's KMS key",
        "asyncInferenceConfig.outputConfig.kmsKeyId is not the stack's KMS key",
    ]
    encrypted = {
        "productionVariants": [variant],
        "kmsKeyArn": KEY,
        "dataCaptureConfig": {"kmsKeyId": KEY},
        "asyncInferenceConfig": {"outputConfig": {"kmsKeyId": KEY}},
    }
    assert kms_problems(ENDPOINT_CONFIG, encrypted) == []
    assert kms_problems(ENDPOINT_CONFIG, {**encrypted, "kmsKeyArn": OTHER_KEY}) == [
        "kmsKeyArn is not the stack's KMS key"
    ]


@pytest.mark.parametrize(
    "variants",
    [
        {"productionVariants": [{"serverlessConfig": {"maxConcurrency": 5}}]},
        {"productionVariants": [{"instanceType": "ml.g5.xlarge"}]},
        {
            "productionVariants": [{"instanceType": "ml.m5.large"}],
            "shadowProductionVariants": [{"instanceType": "ml.c5d.xlarge"}],
        },
    ],
    ids=["serverless", "local-nvme", "shadow-on-local-nvme"],
)
def test_an_endpoint_without_volumes_to_encrypt_takes_no_storage_key(variants: dict[str, Any]) -> None:
    assert kms_problems(ENDPOINT_CONFIG, variants) == []
    assert kms_problems(ENDPOINT_CONFIG, {**variants, "dataCaptureConfig": {"enableCapture": True}}) == [
        "dataCaptureConfig.kmsKeyId is not the stack's KMS key"
    ]


def test_a_pools_endpoint_configuration_is_read_as_its_pascal_case_request() -> None:
    configuration: dict[str, Any] = {
        "ProductionVariants": [{"InstanceType": "ml.m5.large"}],
        "DataCaptureConfig": {"EnableCapture": True},
    }
    assert kms_problems(POOL_ENDPOINT_CONFIG, {"configuration": configuration}) == [
        "configuration.KmsKeyId is not the stack's KMS key",
        "configuration.DataCaptureConfig.KmsKeyId is not the stack's KMS key",
    ]
    local = {"ProductionVariants": [{"InstanceType": "ml.p4d.24xlarge"}], "DataCaptureConfig": {"KmsKeyId": KEY}}
    assert kms_problems(POOL_ENDPOINT_CONFIG, {"configuration": local}) == []
    assert kms_problems(POOL_ENDPOINT_CONFIG, {}) == ["configuration.KmsKeyId is not the stack's KMS key"]


def test_a_feature_group_encrypts_the_stores_it_has() -> None:
    online = {"onlineStoreConfig": {"enableOnlineStore": True}}
    offline = {"offlineStoreConfig": {"s3StorageConfig": {"s3Uri": "s3://b/"}}}
    assert kms_problems(FEATURE_GROUP, {**online, **offline}) == [
        "onlineStoreConfig.securityConfig.kmsKeyId is not the stack's KMS key",
        "offlineStoreConfig.s3StorageConfig.kmsKeyId is not the stack's KMS key",
    ]
    assert kms_problems(FEATURE_GROUP, {"offlineStoreConfig": {"s3StorageConfig": {"kmsKeyId": KEY}}}) == []
    assert kms_problems(FEATURE_GROUP, {}) == []


def test_a_monitoring_job_encrypts_its_output_named_by_its_kind_and_its_volume() -> None:
    definition: dict[str, Any] = {"JobResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge"}}}
    assert kms_problems(MONITORING_JOB, {"kind": "ModelQuality", "definition": definition}) == [
        "definition.ModelQualityJobOutputConfig.KmsKeyId is not the stack's KMS key",
        "definition.JobResources.ClusterConfig.VolumeKmsKeyId is not the stack's KMS key",
    ]
    encrypted = {
        "ModelBiasJobOutputConfig": {"KmsKeyId": KEY},
        "JobResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": KEY}},
    }
    assert kms_problems(MONITORING_JOB, {"kind": "ModelBias", "definition": encrypted}) == []
    local = {"JobResources": {"ClusterConfig": {"InstanceType": "ml.m5d.xlarge"}}}
    assert kms_problems(MONITORING_JOB, {"kind": "ModelBias", "definition": local}) == [
        "definition.ModelBiasJobOutputConfig.KmsKeyId is not the stack's KMS key"
    ]


def test_a_job_without_its_cluster_or_kind_still_needs_both_keys() -> None:
    assert kms_problems(MONITORING_JOB, {"definition": {}}) == [
        "definition.JobOutputConfig.KmsKeyId is not the stack's KMS key",
        "definition.JobResources.ClusterConfig.VolumeKmsKeyId is not the stack's KMS key",
    ]
    assert kms_problems(MONITORING_JOB, {"kind": "DataQuality"}) == [
        "definition.DataQualityJobOutputConfig.KmsKeyId is not the stack's KMS key",
        "definition.JobResources.ClusterConfig.VolumeKmsKeyId is not the stack's KMS key",
    ]
    assert kms_problems(MONITORING_JOB, {"kind": "DataQuality", "definition": {"JobResources": {}}}) == [
        "definition.DataQualityJobOutputConfig.KmsKeyId is not the stack's KMS key",
        "definition.JobResources.ClusterConfig.VolumeKmsKeyId is not the stack's KMS key",
    ]
    for inputs in ({}, {"jobResources": {}}):
        assert kms_problems(DATA_QUALITY, inputs) == [
            "dataQualityJobOutputConfig.kmsKeyId is not the stack's KMS key",
            "jobResources.clusterConfig.volumeKmsKeyId is not the stack's KMS key",
        ]


def test_a_data_quality_job_encrypts_output_and_volume_unless_the_volume_is_local() -> None:
    inputs: dict[str, Any] = {"jobResources": {"clusterConfig": {"instanceType": "ml.m5.xlarge"}}}
    assert kms_problems(DATA_QUALITY, inputs) == [
        "dataQualityJobOutputConfig.kmsKeyId is not the stack's KMS key",
        "jobResources.clusterConfig.volumeKmsKeyId is not the stack's KMS key",
    ]
    local = {
        "dataQualityJobOutputConfig": {"kmsKeyId": KEY},
        "jobResources": {"clusterConfig": {"instanceType": "ml.r5d.large"}},
    }
    assert kms_problems(DATA_QUALITY, local) == []


def test_a_model_card_and_a_key_under_a_value_that_is_not_a_mapping() -> None:
    card = "pulumi-python:dynamic/sagemaker:ModelCard"
    assert kms_problems(card, {"securityConfig": {"kmsKeyId": KEY}}) == []
    assert kms_problems(card, {"securityConfig": "encrypted"}) == ["securityConfig.kmsKeyId is not the stack's KMS key"]
    assert kms_problems("aws:sagemaker/model:Model", {}) == []


# --- aws-name-limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_token", "field", "limit"),
    [
        ("aws:iam/role:Role", "name", 64),
        (FEATURE_GROUP, "featureGroupName", 64),
        ("aws:cloudwatch/eventRule:EventRule", "name", 64),
        ("aws:sagemaker/endpoint:Endpoint", "name", 63),
        ("pulumi-python:dynamic/sagemaker:InferenceComponent", "name", 63),
        (POOL_ENDPOINT_CONFIG, "name", 63),
        ("pulumi-python:dynamic/sagemaker:ModelCard", "modelCardName", 63),
    ],
)
def test_a_name_may_be_as_long_as_aws_allows_and_no_longer(type_token: str, field: str, limit: int) -> None:
    assert list(names_within_limits(type_token, {field: "n" * limit}, PLAIN)) == []
    too_long = "n" * (limit + 1)
    assert list(names_within_limits(type_token, {field: too_long}, PLAIN)) == [
        f"name {too_long!r} is {limit + 1} characters; AWS allows {limit}"
    ]


def test_a_monitoring_jobs_name_is_its_definitions() -> None:
    long_name = "j" * 64
    inputs = {"definition": {"JobDefinitionName": long_name}}
    assert list(names_within_limits(MONITORING_JOB, inputs, PLAIN)) == [
        f"name {long_name!r} is 64 characters; AWS allows 63"
    ]


def test_names_of_other_resources_and_names_not_yet_known_are_not_measured() -> None:
    assert list(names_within_limits("aws:cloudwatch/metricAlarm:MetricAlarm", {"name": "a" * 300}, PLAIN)) == []
    assert list(names_within_limits("aws:sagemaker/model:Model", {"name": 12345}, PLAIN)) == []
    assert list(names_within_limits("aws:sagemaker/model:Model", {}, PLAIN)) == []


# --- role-policy-size ------------------------------------------------------------------------

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _policy_of_size(size: int) -> str:
    """A policy document of exactly `size` characters but white space, with white space in it."""
    head = '{"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/'
    tail = '"]}], "Version": "2012-10-17"}'
    counted = sum(not c.isspace() for c in head + tail)
    return head + "k" * (size - counted) + tail


@pytest.mark.parametrize("as_text", [True, False], ids=["json", "dict"])
def test_a_role_policy_may_fill_iams_quota_and_no_more(as_text: bool) -> None:
    """10,240 characters with white space not counted, as IAM counts them; a dict as it is sent."""
    for size in (10_240, 10_241):
        document = _policy_of_size(size)
        assert len(document) > size  # the spaces are not counted
        policy = document if as_text else json.loads(document)
        found = list(role_policy_within_quota(ROLE_POLICY, {"policy": policy}, PLAIN))
        assert found == (
            []
            if size == 10_240
            else [
                "inline policy of 10,241 characters (white space not counted), and IAM allows a role 10,240 "
                "(PutRolePolicy fails with LimitExceeded): the role must name fewer resources, or name them "
                "through prefixes that cover several"
            ]
        )


def test_only_a_role_policy_known_at_plan_time_is_measured() -> None:
    document = _policy_of_size(20_000)
    assert list(role_policy_within_quota("aws:iam/policy:Policy", {"policy": document}, PLAIN)) == []
    assert list(role_policy_within_quota(ROLE_POLICY, {"policy": None}, PLAIN)) == []
    assert list(role_policy_within_quota(ROLE_POLICY, {}, PLAIN)) == []


# --- the rule set ----------------------------------------------------------------------------


def test_every_rule_is_described_and_named_as_the_pack_names_it() -> None:
    assert list(RULE_DESCRIPTIONS) == list(RULES)
    assert list(RULES) == [
        "required-tags",
        "no-wildcard-iam-actions",
        "no-full-access-policies",
        "permissions-boundary",
        "kms-encryption",
        "aws-name-limits",
        "role-policy-size",
    ]


def test_a_resource_is_checked_by_every_rule_in_order() -> None:
    role = PlanResource(urn="urn:role", type="aws:iam/role:Role", name="r", parent=None, inputs={"name": "r" * 65})
    assert list(check_resource(role, STRICT)) == [
        ("required-tags", ALL_MISSING),
        ("permissions-boundary", f"role lacks the stack's permissions boundary {BOUNDARY}"),
        ("aws-name-limits", f"name {'r' * 65!r} is 65 characters; AWS allows 64"),
    ]


def test_a_plan_reports_each_managed_resources_violations_as_mandatory() -> None:
    role = PlanResource(urn="urn:role", type="aws:iam/role:Role", name="r", parent=None, inputs={"tags": MODEL_TAGS})
    component = PlanResource(
        urn="urn:component", type="modelops:aws:Model", name="m", parent=None, inputs={}, custom=False
    )
    # A component is not created: even a type the rules read is skipped when it is not custom.
    grouping = PlanResource(
        urn="urn:grouping", type="aws:iam/role:Role", name="g", parent=None, inputs={}, custom=False
    )
    plan = Plan(stack="prod", environment="prod", models=[], resources=[component, grouping, role])
    assert check_plan(plan, STRICT) == [
        PlanViolation(
            rule="permissions-boundary",
            severity="mandatory",
            urn="urn:role",
            message=f"role lacks the stack's permissions boundary {BOUNDARY}",
        )
    ]
    assert check_plan(plan, RuleContext("prod", None, None)) == []
