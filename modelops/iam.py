"""The least-privilege inline policy of a model's execution role, as a pure function.

Everything a SageMaker endpoint's execution role does at run time, scoped to the exact
resources the spec names. The non-obvious parts, from AWS's "CreateModel API: Execution Role
Permissions" and the SageMaker VPC guide:
- `ecr:GetAuthorizationToken` and `cloudwatch:PutMetricData` have no resource-level
  permissions, so they are the only statements on "*" (the metric one limited by namespace);
- a model in a VPC needs to create and delete its elastic network interfaces in the stack's
  subnets and security groups, and the ec2 Describe calls, which also take only "*";
- endpoint logs go to `/aws/sagemaker/Endpoints/<endpoint>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?/(?P<repo>[^:@]+)"
)


@dataclass(frozen=True)
class ExecutionRoleScope:
    partition: str
    region: str
    account: str
    endpoint_name: str
    images: tuple[str, ...] = ()
    model_objects: tuple[str, ...] = ()  # s3://bucket/key of model artifacts
    secrets: tuple[str, ...] = ()
    kms_key_arn: str | None = None
    capture_prefix: str | None = None  # s3://bucket/prefix/
    async_output_prefix: str | None = None
    async_input_prefix: str | None = None
    s3_read: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    feature_group_reads: tuple[str, ...] = field(default=())  # feature group ARNs


def s3_parts(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _s3_object_arn(partition: str, uri: str, wildcard_prefix: bool) -> str:
    bucket, key = s3_parts(uri)
    if wildcard_prefix:
        key = key if not key or key.endswith("/") else key + "/"
        return f"arn:{partition}:s3:::{bucket}/{key}*"
    return f"arn:{partition}:s3:::{bucket}/{key}"


def ecr_repository_arn(partition: str, image: str) -> str | None:
    match = ECR_URI.match(image)
    if match is None:
        return None
    return f"arn:{partition}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"


def execution_role_policy(scope: ExecutionRoleScope) -> dict[str, Any]:
    p = scope.partition
    statements: list[dict[str, Any]] = [
        {
            "Sid": "EndpointLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [
                f"arn:{p}:logs:{scope.region}:{scope.account}:log-group:/aws/sagemaker/Endpoints/{scope.endpoint_name}",
                f"arn:{p}:logs:{scope.region}:{scope.account}:log-group:/aws/sagemaker/Endpoints/{scope.endpoint_name}:*",
            ],
        },
        {
            "Sid": "EndpointMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
            "Condition": {
                "StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]}
            },
        },
    ]
    repositories = sorted({arn for image in scope.images if (arn := ecr_repository_arn(p, image))})
    if repositories:
        statements += [
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
            {
                "Sid": "PullModelImage",
                "Effect": "Allow",
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": repositories,
            },
        ]
    if scope.model_objects:
        statements.append(
            {
                "Sid": "ReadModelArtifact",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": sorted({_s3_object_arn(p, uri, False) for uri in scope.model_objects}),
            }
        )
    secrets = sorted(a for a in scope.secrets if ":secretsmanager:" in a)
    parameters = sorted(a for a in scope.secrets if ":ssm:" in a)
    if secrets:
        statements.append(
            {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets}
        )
    if parameters:
        statements.append(
            {
                "Sid": "ReadParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": parameters,
            }
        )
    writes = [uri for uri in (scope.capture_prefix, scope.async_output_prefix) if uri]
    if writes:
        statements.append(
            {
                "Sid": "WriteCaptureAndOutput",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": sorted({_s3_object_arn(p, uri, True) for uri in writes}),
            }
        )
    reads = [*scope.s3_read, *([scope.async_input_prefix] if scope.async_input_prefix else [])]
    if reads:
        statements.append(
            {
                "Sid": "ReadData",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": sorted({_s3_object_arn(p, uri, True) for uri in reads}),
            }
        )
        for bucket, prefixes in sorted(_prefixes_by_bucket(reads).items()):
            statements.append(
                {
                    "Sid": f"ListData{len(statements)}",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": [f"arn:{p}:s3:::{bucket}"],
                    "Condition": {"StringLike": {"s3:prefix": sorted(prefixes)}},
                }
            )
    if scope.kms_key_arn:
        statements.append(
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [scope.kms_key_arn],
            }
        )
    if scope.subnet_ids:
        statements += _vpc_statements(scope)
    if scope.feature_group_reads:
        statements.append(
            {
                "Sid": "ReadFeatureGroups",
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord", "sagemaker:BatchGetRecord"],
                "Resource": sorted(scope.feature_group_reads),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _prefixes_by_bucket(uris: list[str]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for uri in uris:
        bucket, key = s3_parts(uri)
        key = key if not key or key.endswith("/") else key + "/"
        result.setdefault(bucket, set()).add(f"{key}*")
    return result


def _vpc_statements(scope: ExecutionRoleScope) -> list[dict[str, Any]]:
    p, region, account = scope.partition, scope.region, scope.account
    return [
        {
            "Sid": "VpcDescribe",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "Resource": ["*"],
        },
        {
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Resource": [
                f"arn:{p}:ec2:{region}:{account}:network-interface/*",
                *(f"arn:{p}:ec2:{region}:{account}:subnet/{s}" for s in scope.subnet_ids),
                *(f"arn:{p}:ec2:{region}:{account}:security-group/{g}" for g in scope.security_group_ids),
            ],
        },
    ]


def assume_role_policy(account: str) -> dict[str, Any]:
    """SageMaker may assume the role, only on behalf of this account (confused deputy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ],
    }
