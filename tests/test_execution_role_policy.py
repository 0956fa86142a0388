"""A SageMaker execution role's inline policy, built straight from its scope (modelops.aws.iam).

Each case asserts the whole document, in order: a statement, action, resource or condition too
many is a permission too many, one too few a model that cannot run. The rules (AWS's "CreateModel
API: Execution Role Permissions", "Monitor with CloudWatch"): logs only in the endpoint's and
its inference components' log groups; PutMetricData and GetAuthorizationToken take no resource,
so they are on "*" (metrics limited by namespace); images are pulled from their ECR repository
only; S3, secrets, key, VPC interfaces, feature groups and rollback alarms are those named.
"""

from __future__ import annotations

from typing import Any

from modelops.aws.iam import (
    ExecutionRoleScope,
    _feature_read_statements,
    _key_statement,
    _secret_statements,
    ecr_repository_arn,
    execution_role_policy,
    vpc_statements,
)

ACCOUNT = "123456789012"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scorer/api-key-AbCdEf"
OTHER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scorer/db-password-GhIjKl"
PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/scorer/threshold"
OTHER_PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/scorer/labels"
GROUP = "arn:aws:sagemaker:eu-west-1:123456789012:feature-group/customers"
OTHER_GROUP = "arn:aws:sagemaker:eu-west-1:123456789012:feature-group/accounts"
LOG_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
ENDPOINT_LOGS = [
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scorer",
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scorer:*",
]


def scope(endpoint_name: str | None = "fraud-scorer", partition: str = "aws", **fields: Any) -> ExecutionRoleScope:
    return ExecutionRoleScope(
        partition=partition, region="eu-west-1", account=ACCOUNT, endpoint_name=endpoint_name, **fields
    )


def logs(resources: list[str]) -> dict[str, Any]:
    return {"Sid": "EndpointLogs", "Effect": "Allow", "Action": LOG_ACTIONS, "Resource": resources}


def metrics(namespaces: list[str]) -> dict[str, Any]:
    return {
        "Sid": "EndpointMetrics",
        "Effect": "Allow",
        "Action": ["cloudwatch:PutMetricData"],
        "Resource": ["*"],
        "Condition": {"StringLike": {"cloudwatch:namespace": namespaces}},
    }


def test_an_endpoint_with_nothing_else_only_logs_and_puts_its_metrics() -> None:
    assert execution_role_policy(scope()) == {
        "Version": "2012-10-17",
        "Statement": [
            logs(ENDPOINT_LOGS),
            metrics(["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]),
        ],
    }


def test_a_pools_member_logs_and_measures_as_its_inference_components_only() -> None:
    """No endpoint of its own: no Endpoints log group nor namespace."""
    assert execution_role_policy(scope(None, inference_components=("scorer-a", "scorer-b"))) == {
        "Version": "2012-10-17",
        "Statement": [
            logs(
                [
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-a",
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-a:*",
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-b",
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-b:*",
                ]
            ),
            metrics(["/aws/sagemaker/InferenceComponents"]),
        ],
    }


def test_an_endpoint_with_components_logs_and_measures_as_both() -> None:
    assert execution_role_policy(scope(inference_components=("scorer-a",))) == {
        "Version": "2012-10-17",
        "Statement": [
            logs(
                [
                    *ENDPOINT_LOGS,
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-a",
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/InferenceComponents/scorer-a:*",
                ]
            ),
            metrics(["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*", "/aws/sagemaker/InferenceComponents"]),
        ],
    }


def test_everything_the_spec_names_is_granted_on_exactly_what_it_names() -> None:
    policy = execution_role_policy(
        scope(
            images=(
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/scorer:1.1.0",
                "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1-cpu",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/scorer:1.0.0",
                "docker.io/library/nginx:1.25",
            ),
            model_objects=("s3://acme-models/scorer/model.tar.gz",),
            secrets=(SECRET, PARAMETER),
            kms_key_arn=KEY,
            kms_via_services=("sagemaker.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"),
            capture_prefix="s3://acme-capture/scorer",
            async_output_prefix="s3://acme-async/out/",
            async_input_prefix="s3://acme-async/in",
            s3_read=("s3://acme-data/scorer/",),
            subnet_ids=("subnet-0a",),
            security_group_ids=("sg-0c",),
            feature_group_reads=(GROUP,),
            rollback_alarms=(
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:scorer-latency",
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:scorer-errors",
            ),
        )
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            logs(ENDPOINT_LOGS),
            metrics(["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]),
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
            {
                "Sid": "PullModelImage",
                "Effect": "Allow",
                "Action": PULL_ACTIONS,
                "Resource": [
                    "arn:aws:ecr:eu-west-1:123456789012:repository/scorer",
                    "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference",
                ],
            },
            {
                "Sid": "ReadModelArtifact",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::acme-models/scorer/model.tar.gz"],
            },
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [SECRET],
            },
            {
                "Sid": "ReadParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": [PARAMETER],
            },
            {
                "Sid": "WriteCaptureAndOutput",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": ["arn:aws:s3:::acme-async/out/*", "arn:aws:s3:::acme-capture/scorer/*"],
            },
            {
                "Sid": "ReadData",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::acme-async/in/*", "arn:aws:s3:::acme-data/scorer/*"],
            },
            {
                "Sid": "ListReadData0",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-async"],
                "Condition": {"StringLike": {"s3:prefix": ["in/*"]}},
            },
            {
                "Sid": "ListReadData1",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-data"],
                "Condition": {"StringLike": {"s3:prefix": ["scorer/*"]}},
            },
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [KEY],
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": ["s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"]
                    }
                },
            },
            # pinned whole by tests/test_iam_policies.py
            *vpc_statements("aws", "eu-west-1", "123456789012", ("subnet-0a",), ("sg-0c",)),
            {
                "Sid": "ReadFeatureGroups",
                "Effect": "Allow",
                "Action": ["sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord"],
                "Resource": [GROUP],
            },
            {
                "Sid": "ReadRollbackAlarms",
                "Effect": "Allow",
                "Action": ["cloudwatch:DescribeAlarms"],
                "Resource": [
                    "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:scorer-errors",
                    "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:scorer-latency",
                ],
            },
        ],
    }


def test_images_outside_ecr_need_no_ecr_permission_at_all() -> None:
    """The registry's own credentials pull them; not even GetAuthorizationToken is granted."""
    policy = execution_role_policy(scope(images=("docker.io/library/nginx:1.25", "ghcr.io/acme/scorer:1")))
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [logs(ENDPOINT_LOGS), metrics(["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"])],
    }


def test_data_capture_alone_is_written_under_its_prefix() -> None:
    statements = execution_role_policy(scope(capture_prefix="s3://acme-capture/"))["Statement"]
    assert statements[2:] == [
        {
            "Sid": "WriteCaptureAndOutput",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::acme-capture/*"],
        }
    ]


def test_async_output_alone_is_written_and_its_input_read_and_listed() -> None:
    statements = execution_role_policy(
        scope(async_output_prefix="s3://acme-async/out", async_input_prefix="s3://acme-async/in/")
    )["Statement"]
    assert statements[2:] == [
        {
            "Sid": "WriteCaptureAndOutput",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::acme-async/out/*"],
        },
        {
            "Sid": "ReadData",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::acme-async/in/*"],
        },
        {
            "Sid": "ListReadData0",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::acme-async"],
            "Condition": {"StringLike": {"s3:prefix": ["in/*"]}},
        },
    ]


def test_a_key_without_via_services_is_used_by_any_service_of_the_role() -> None:
    statements = execution_role_policy(scope(kms_key_arn=KEY))["Statement"]
    assert statements[2:] == [
        {
            "Sid": "UseStackKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [KEY],
        }
    ]


def test_via_services_without_a_key_grant_no_key() -> None:
    assert execution_role_policy(scope(kms_via_services=("s3.eu-west-1.amazonaws.com",)))["Statement"][2:] == []


def test_security_groups_without_subnets_open_no_vpc_permission() -> None:
    assert execution_role_policy(scope(security_group_ids=("sg-0c",)))["Statement"][2:] == []


def test_every_arn_the_role_builds_is_in_the_stacks_partition() -> None:
    policy = execution_role_policy(
        scope(
            partition="aws-us-gov",
            images=("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/scorer:1",),
            model_objects=("s3://acme-models/model.tar.gz",),
            capture_prefix="s3://acme-capture/scorer/",
            subnet_ids=("subnet-0a",),
        )
    )
    assert policy["Statement"][:5] == [
        logs(
            [
                "arn:aws-us-gov:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scorer",
                "arn:aws-us-gov:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/fraud-scorer:*",
            ]
        ),
        metrics(["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]),
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
        {
            "Sid": "PullModelImage",
            "Effect": "Allow",
            "Action": PULL_ACTIONS,
            "Resource": ["arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/scorer"],
        },
        {
            "Sid": "ReadModelArtifact",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws-us-gov:s3:::acme-models/model.tar.gz"],
        },
    ]
    assert policy["Statement"][5]["Resource"] == ["arn:aws-us-gov:s3:::acme-capture/scorer/*"]
    assert policy["Statement"][7]["Resource"][1:] == ["arn:aws-us-gov:ec2:eu-west-1:123456789012:subnet/subnet-0a"]


def test_an_ecr_image_is_pulled_from_its_repository_in_its_own_region_and_account() -> None:
    """The repository is the path before the tag or digest, slashes included."""
    assert ecr_repository_arn("aws", "210987654321.dkr.ecr.us-east-1.amazonaws.com/team/scorer:1.0") == (
        "arn:aws:ecr:us-east-1:210987654321:repository/team/scorer"
    )
    assert ecr_repository_arn("aws", "210987654321.dkr.ecr.us-east-1.amazonaws.com/scorer@sha256:" + "0" * 64) == (
        "arn:aws:ecr:us-east-1:210987654321:repository/scorer"
    )
    assert ecr_repository_arn("aws", "210987654321.dkr.ecr.us-east-1.amazonaws.com/scorer") == (
        "arn:aws:ecr:us-east-1:210987654321:repository/scorer"
    )


def test_an_ecr_image_in_china_has_its_cn_host_and_the_partitions_arn() -> None:
    assert ecr_repository_arn("aws-cn", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/scorer:1") == (
        "arn:aws-cn:ecr:cn-north-1:123456789012:repository/scorer"
    )


def test_an_image_not_in_a_private_ecr_registry_has_no_repository_arn() -> None:
    assert ecr_repository_arn("aws", "docker.io/library/nginx:1.25") is None
    assert ecr_repository_arn("aws", "public.ecr.aws/acme/scorer:1") is None
    assert ecr_repository_arn("aws", "12345678901.dkr.ecr.us-east-1.amazonaws.com/scorer:1") is None  # 11 digits
    assert ecr_repository_arn("aws", "mirror.example/123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1") is None
    assert ecr_repository_arn("aws", "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil/scorer:1") is None


def test_no_secret_grants_nothing() -> None:
    assert _secret_statements(()) == []


def test_secrets_manager_secrets_and_ssm_parameters_each_get_their_own_read_action() -> None:
    """GetSecretValue on secrets, GetParameter(s) on parameters: neither action on the other's ARNs;
    each list sorted, whatever the order they are named in."""
    assert _secret_statements((PARAMETER, OTHER_SECRET, OTHER_PARAMETER, SECRET)) == [
        {
            "Sid": "ReadSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [SECRET, OTHER_SECRET],
        },
        {
            "Sid": "ReadParameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
            "Resource": [OTHER_PARAMETER, PARAMETER],
        },
    ]


def test_only_parameters_get_only_the_parameter_statement() -> None:
    assert _secret_statements((PARAMETER,)) == [
        {
            "Sid": "ReadParameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
            "Resource": [PARAMETER],
        }
    ]


def test_only_secrets_get_only_the_secret_statement() -> None:
    assert _secret_statements((SECRET,)) == [
        {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET]}
    ]


def test_an_arn_of_neither_service_is_granted_nothing() -> None:
    assert _secret_statements(("arn:aws:s3:::acme-secrets/api-key",)) == []


def test_the_stack_key_by_default_encrypts_and_decrypts_from_any_service() -> None:
    assert _key_statement(KEY) == {
        "Sid": "UseStackKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": [KEY],
    }


def test_the_stack_key_through_given_services_only_with_the_given_actions() -> None:
    assert _key_statement(
        KEY, ("sagemaker.cn-north-1.amazonaws.com.cn", "s3.cn-north-1.amazonaws.com.cn"), ("kms:Decrypt",)
    ) == {
        "Sid": "UseStackKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [KEY],
        "Condition": {
            "StringEquals": {
                "kms:ViaService": ["s3.cn-north-1.amazonaws.com.cn", "sagemaker.cn-north-1.amazonaws.com.cn"]
            }
        },
    }


def test_no_feature_group_grants_no_feature_read() -> None:
    assert _feature_read_statements(()) == []


def test_feature_groups_are_read_by_record_and_described_sorted() -> None:
    assert _feature_read_statements((GROUP, OTHER_GROUP)) == [
        {
            "Sid": "ReadFeatureGroups",
            "Effect": "Allow",
            "Action": ["sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord"],
            "Resource": [OTHER_GROUP, GROUP],
        }
    ]
