"""The least-privilege inline policy of a model's execution role, as a pure function.

Everything a SageMaker endpoint's execution role does at run time, scoped to the exact
resources the spec names. The non-obvious parts, from AWS's "CreateModel API: Execution Role
Permissions" and the SageMaker VPC guide:
- `ecr:GetAuthorizationToken` and `cloudwatch:PutMetricData` have no resource-level
  permissions, so they are the only statements on "*" (the metric one limited by namespace);
- a model in a VPC needs to create and delete its elastic network interfaces in the stack's
  subnets and security groups, and the ec2 Describe calls, which also take only "*"
  (`vpc_statements` says which ENI of the account the role may touch);
- endpoint logs go to `/aws/sagemaker/Endpoints/<endpoint>`, an inference component's to
  `/aws/sagemaker/InferenceComponents/<component>`, and its per-copy metrics to the namespace
  `/aws/sagemaker/InferenceComponents` ("Monitor with CloudWatch",
  docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html).

Every rendered policy is linted with parliament in `tests/test_iam_lint.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# IAM's quota on a role's inline policies: "Role policy size cannot exceed 10,240 characters",
# "the total aggregate policy size (the sum size of all inline policies)" of the role, and "IAM
# does not count white space when calculating the size of a policy against these quotas"
# ("IAM and AWS STS quotas", docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
# Past it PutRolePolicy fails with LimitExceeded, "Maximum policy size of 10240 bytes exceeded
# for role <name>" (HTTP 409).
ROLE_POLICY_SIZE_LIMIT = 10_240


def policy_size(document: str | dict[str, Any]) -> int:
    """A policy's size as IAM counts it against its quotas: its characters but white space.
    A dict is counted as `components.sagemaker_role` sends it (json.dumps, sorted keys)."""
    text = document if isinstance(document, str) else json.dumps(document, sort_keys=True)
    return sum(not character.isspace() for character in text)


ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?/(?P<repo>[^:@]+)"
)


@dataclass(frozen=True)
class ExecutionRoleScope:
    partition: str
    region: str
    account: str
    endpoint_name: str | None  # None: a pool's member, which logs as its inference component only
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
    rollback_alarms: tuple[str, ...] = ()  # ARNs of the alarms the deployment guardrails watch
    inference_components: tuple[str, ...] = ()  # names of the components whose logs the role writes
    kms_via_services: tuple[str, ...] = ()  # the services through which alone the stack key is used


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
    groups = []
    namespaces = []
    if scope.endpoint_name:
        groups.append(f"/aws/sagemaker/Endpoints/{scope.endpoint_name}")
        namespaces += ["/aws/sagemaker/Endpoints", "aws/sagemaker/Endpoints/*"]
    groups += [f"/aws/sagemaker/InferenceComponents/{name}" for name in scope.inference_components]
    if scope.inference_components:
        namespaces.append("/aws/sagemaker/InferenceComponents")
    log_group = f"arn:{p}:logs:{scope.region}:{scope.account}:log-group:"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "EndpointLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [arn for group in groups for arn in (f"{log_group}{group}", f"{log_group}{group}:*")],
        },
        {
            "Sid": "EndpointMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
            "Condition": {"StringLike": {"cloudwatch:namespace": namespaces}},
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
    statements += _artifact_statements(p, scope.model_objects)
    statements += _secret_statements(scope.secrets)
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
    statements += s3_read_statements(p, "ReadData", reads)
    if scope.kms_key_arn:
        statements.append(_key_statement(scope.kms_key_arn, scope.kms_via_services))
    if scope.subnet_ids:
        statements += vpc_statements(p, scope.region, scope.account, scope.subnet_ids, scope.security_group_ids)
    statements += _feature_read_statements(scope.feature_group_reads)
    if scope.rollback_alarms:
        # "the execution role must have cloudwatch:DescribeAlarms on the auto-rollback alarms"
        # (docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html);
        # DescribeAlarms takes alarm ARNs as resources.
        statements.append(
            {
                "Sid": "ReadRollbackAlarms",
                "Effect": "Allow",
                "Action": ["cloudwatch:DescribeAlarms"],
                "Resource": sorted(scope.rollback_alarms),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


# The statements below are shared by the SageMaker execution role and the role a Kubernetes
# pod assumes (IRSA): the same least-privilege reading of what the spec names.


def _artifact_statements(partition: str, model_objects: tuple[str, ...]) -> list[dict[str, Any]]:
    if not model_objects:
        return []
    return [
        {
            "Sid": "ReadModelArtifact",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": sorted({_s3_object_arn(partition, uri, False) for uri in model_objects}),
        }
    ]


def _secret_statements(arns: tuple[str, ...]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    secrets = sorted(a for a in arns if ":secretsmanager:" in a)
    parameters = sorted(a for a in arns if ":ssm:" in a)
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
    return statements


def _feature_read_statements(group_arns: tuple[str, ...]) -> list[dict[str, Any]]:
    if not group_arns:
        return []
    return [
        {
            "Sid": "ReadFeatureGroups",
            "Effect": "Allow",
            "Action": ["sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord"],
            "Resource": sorted(group_arns),
        }
    ]


def workload_role_policy(scope: ExecutionRoleScope, list_artifacts: bool) -> dict[str, Any] | None:
    """The inline policy of the role a model's Kubernetes pods assume (IRSA), from the same
    scope as its SageMaker execution role, keeping only what runs inside the pod: reading the
    model artifacts, the secrets, the `data_access` prefixes and the feature groups it reads,
    and decrypting them with the stack key. What SageMaker does for an endpoint is left out:
    the kubelet pulls images with the node's role, logs go to the cluster's log pipeline, data
    capture is the payload logger's (`modelops:kubernetes.payloadLoggerUrl`), and there is no
    VPC interface or rollback alarm to manage. None when the pod needs no AWS permission.

    `list_artifacts`: KServe's storage initializer downloads a `storageUri` by listing the
    objects under it (`s3:ListBucket` with the artifact's key as the prefix) before getting
    them; a plain Deployment's server is given the URI and gets the one object.
    """
    p = scope.partition
    statements = _artifact_statements(p, scope.model_objects)
    if list_artifacts and scope.model_objects:
        for index, (bucket, keys) in enumerate(sorted(_keys_by_bucket(list(scope.model_objects)).items())):
            statements.append(
                {
                    "Sid": f"ListModelArtifact{index}",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": [f"arn:{p}:s3:::{bucket}"],
                    "Condition": {"StringLike": {"s3:prefix": sorted(keys)}},
                }
            )
    statements += _secret_statements(scope.secrets)
    statements += s3_read_statements(p, "ReadData", list(scope.s3_read))
    if scope.kms_key_arn:
        # Reading only: objects and secrets encrypted with the stack key are decrypted.
        statements.append(_key_statement(scope.kms_key_arn, actions=("kms:Decrypt", "kms:DescribeKey")))
    statements += _feature_read_statements(scope.feature_group_reads)
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def _keys_by_bucket(uris: list[str]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for uri in uris:
        bucket, key = s3_parts(uri)
        result.setdefault(bucket, set()).add(key)
    return result


def irsa_trust_policy(oidc_provider_arn: str, namespace: str, service_account: str) -> dict[str, Any]:
    """Only the pods of one service account may assume the role (IAM roles for service accounts).

    EKS's IRSA guide: the principal is the cluster's IAM OIDC provider, the action
    `sts:AssumeRoleWithWebIdentity`, and the conditions name the token's subject
    (`system:serviceaccount:<namespace>:<name>`) and audience (`sts.amazonaws.com`) under the
    provider's issuer, which is the ARN after `oidc-provider/`
    (docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
    `StringEquals`, never `StringLike`: no other service account, namespace or audience.
    """
    issuer = oidc_provider_arn.split(":oidc-provider/", 1)[1]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def _prefixes_by_bucket(uris: list[str]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for uri in uris:
        bucket, key = s3_parts(uri)
        key = key if not key or key.endswith("/") else key + "/"
        result.setdefault(bucket, set()).add(f"{key}*")
    return result


def s3_read_statements(partition: str, sid: str, uris: list[str]) -> list[dict[str, Any]]:
    """GetObject under each prefix, and ListBucket limited to those prefixes."""
    if not uris:
        return []
    statements: list[dict[str, Any]] = [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": sorted({_s3_object_arn(partition, uri, True) for uri in uris}),
        }
    ]
    for index, (bucket, prefixes) in enumerate(sorted(_prefixes_by_bucket(uris).items())):
        statements.append(
            {
                "Sid": f"List{sid}{index}",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"arn:{partition}:s3:::{bucket}"],
                "Condition": {"StringLike": {"s3:prefix": sorted(prefixes)}},
            }
        )
    return statements


KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")


def _key_statement(
    kms_key_arn: str, via_services: tuple[str, ...] = (), actions: tuple[str, ...] = KEY_ACTIONS
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "UseStackKey",
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": [kms_key_arn],
    }
    if via_services:
        # "kms:ViaService limits use of a KMS key to requests from specified AWS services"
        # (docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
        statement["Condition"] = {"StringEquals": {"kms:ViaService": sorted(via_services)}}
    return statement


def s3_via_service(partition: str, region: str) -> str:
    """The `kms:ViaService` value of S3 in `region`: S3 calls KMS on the caller's behalf for
    SSE-KMS (docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)."""
    from modelops.aws.regions import dns_suffix

    return f"s3.{region}.{dns_suffix(partition)}"


def sagemaker_via_service(partition: str, region: str) -> str:
    """The `kms:ViaService` value of SageMaker in `region`: SageMaker uses the endpoint
    configuration's KmsKeyId for the instances' storage volumes on the endpoint's behalf
    (CreateEndpointConfig, KmsKeyId)."""
    from modelops.aws.regions import dns_suffix

    return f"sagemaker.{region}.{dns_suffix(partition)}"


def vpc_statements(
    p: str, region: str, account: str, subnet_ids: tuple[str, ...], security_group_ids: tuple[str, ...]
) -> list[dict[str, Any]]:
    """What SageMaker does with the role in the stack's VPC, limited to the stack's subnets.

    From the EC2 service authorization reference
    (docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
    - the Describe calls support no resource-level permissions: `Resource: "*"` only;
    - `CreateNetworkInterface` is authorized on the new network-interface (which carries no
      `ec2:Subnet` key yet), the subnet (required) and the security groups, so it is limited by
      naming exactly the stack's subnets and security groups as resources;
    - `DeleteNetworkInterface`, `CreateNetworkInterfacePermission` and
      `DeleteNetworkInterfacePermission` are authorized on an existing network-interface, which
      carries `ec2:Subnet` (the ARN of its subnet): they are allowed only on interfaces in the
      stack's subnets, not on any interface of the account. The stack names its subnets, not its
      VPC, so the narrower `ec2:Subnet` is used rather than `ec2:Vpc`.
    """
    subnets = [f"arn:{p}:ec2:{region}:{account}:subnet/{s}" for s in subnet_ids]
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
            "Sid": "VpcCreateNetworkInterface",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [
                f"arn:{p}:ec2:{region}:{account}:network-interface/*",
                *subnets,
                *(f"arn:{p}:ec2:{region}:{account}:security-group/{g}" for g in security_group_ids),
            ],
        },
        {
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            "Resource": [f"arn:{p}:ec2:{region}:{account}:network-interface/*"],
            "Condition": {"ArnEquals": {"ec2:Subnet": subnets}},
        },
    ]


@dataclass(frozen=True)
class FeatureGroupRoleScope:
    """What Feature Store does with a group's role: write the offline store (S3 and its Glue
    table, as AWS's AmazonSageMakerFeatureStoreAccess does, narrowed to this group) and use the
    stack key for both stores."""

    partition: str
    region: str
    account: str
    group_name: str
    offline_s3_uri: str | None = None  # s3://bucket/prefix/ the offline store writes under
    kms_key_arn: str | None = None


def feature_group_role_policy(scope: FeatureGroupRoleScope) -> dict[str, Any] | None:
    p = scope.partition
    statements: list[dict[str, Any]] = []
    if scope.offline_s3_uri:
        bucket, _ = s3_parts(scope.offline_s3_uri)
        # Feature Store names the Glue table <group, '-' as '_'>_<creation time>.
        table = scope.group_name.replace("-", "_").lower()
        statements += [
            {
                "Sid": "WriteOfflineStore",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"],
                "Resource": [_s3_object_arn(p, scope.offline_s3_uri, True)],
            },
            {
                "Sid": "OfflineStoreBucket",
                "Effect": "Allow",
                "Action": ["s3:GetBucketAcl"],
                "Resource": [f"arn:{p}:s3:::{bucket}"],
            },
            {
                "Sid": "OfflineStoreTable",
                "Effect": "Allow",
                "Action": ["glue:GetTable", "glue:UpdateTable"],
                "Resource": [
                    f"arn:{p}:glue:{scope.region}:{scope.account}:catalog",
                    f"arn:{p}:glue:{scope.region}:{scope.account}:database/sagemaker_featurestore",
                    f"arn:{p}:glue:{scope.region}:{scope.account}:table/sagemaker_featurestore/{table}_*",
                ],
            },
        ]
    if scope.kms_key_arn:
        # The role uses the key only to write the offline store: "The IAM roleARN that is passed
        # as a parameter to CreateFeatureGroup must have ... kms:GenerateDataKey" on
        # S3StorageConfig.KmsKeyId, the key "used to encrypt any objects written into the
        # OfflineStore S3 location" (docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3StorageConfig.html),
        # i.e. S3 server-side encryption, where S3 calls KMS for the role: only through S3.
        # The online store's key is used by the caller of CreateFeatureGroup and of the data
        # plane, not by this role (API_OnlineStoreSecurityConfig.html).
        statements.append(_key_statement(scope.kms_key_arn, (s3_via_service(p, scope.region),)))
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


@dataclass(frozen=True)
class MonitoringRoleScope:
    """What a model's monitoring jobs (SageMaker processing jobs) touch, from the Model Monitor
    and Clarify guides: the captured data, labels and analysis configs they read, the report
    prefix they write, their analyzer images, their logs and metrics, the stack key and VPC;
    Clarify also invokes the endpoint to compute SHAP values and predicted labels."""

    partition: str
    region: str
    account: str
    endpoint_name: str
    capture_prefix: str
    output_prefix: str
    images: tuple[str, ...]
    ground_truth: tuple[str, ...] = ()
    baselines: tuple[str, ...] = ()  # constraints.json / statistics.json objects
    analysis_configs: tuple[str, ...] = ()
    invokes_endpoint: bool = False
    kms_key_arn: str | None = None
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()


MONITORING_METRIC_NAMESPACES = (
    "/aws/sagemaker/Endpoint/data-metrics",
    "/aws/sagemaker/Endpoints/data-metric",
    "/aws/sagemaker/Endpoints/data-metrics",
    "aws/sagemaker/Endpoints/*",
)


def monitoring_role_policy(scope: MonitoringRoleScope) -> dict[str, Any]:
    p, region, account = scope.partition, scope.region, scope.account
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ProcessingJobLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [
                f"arn:{p}:logs:{region}:{account}:log-group:/aws/sagemaker/ProcessingJobs",
                f"arn:{p}:logs:{region}:{account}:log-group:/aws/sagemaker/ProcessingJobs:*",
            ],
        },
        {
            "Sid": "MonitorMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": ["*"],
            # Data quality publishes under a leading slash, which AWS's pages spell three ways:
            # "/aws/sagemaker/Endpoints/data-metric" ("CloudWatch Metrics",
            # model-monitor-interpreting-cloudwatch.html), "/aws/sagemaker/Endpoint/data-metrics"
            # (model-monitor-byoc-cloudwatch.html) and "/aws/sagemaker/Endpoints/data-metrics"
            # (the one seen in use): each is allowed, since a denied PutMetricData loses the drift
            # metrics silently. Model quality, bias and explainability publish to
            # "aws/sagemaker/Endpoints/<kind>-metrics", without.
            "Condition": {"StringLike": {"cloudwatch:namespace": list(MONITORING_METRIC_NAMESPACES)}},
        },
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
        {
            "Sid": "PullAnalyzerImages",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": sorted({arn for image in scope.images if (arn := ecr_repository_arn(p, image))}),
        },
    ]
    statements += s3_read_statements(p, "ReadCapturedData", [scope.capture_prefix])
    statements += s3_read_statements(p, "ReadGroundTruth", list(scope.ground_truth))
    for sid, objects in (("ReadAnalysisConfigs", scope.analysis_configs), ("ReadBaselines", scope.baselines)):
        if objects:
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": sorted({_s3_object_arn(p, uri, False) for uri in objects}),
                }
            )
    statements.append(
        {
            "Sid": "WriteReports",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": [_s3_object_arn(p, scope.output_prefix, True)],
        }
    )
    if scope.invokes_endpoint:
        statements.append(
            {
                "Sid": "InvokeMonitoredEndpoint",
                "Effect": "Allow",
                "Action": ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"],
                "Resource": [f"arn:{p}:sagemaker:{region}:{account}:endpoint/{scope.endpoint_name.lower()}"],
            }
        )
    if scope.kms_key_arn:
        statements.append(_key_statement(scope.kms_key_arn))
    if scope.subnet_ids:
        statements += vpc_statements(p, region, account, scope.subnet_ids, scope.security_group_ids)
    return {"Version": "2012-10-17", "Statement": statements}


def sagemaker_source_arn(partition: str, region: str, account: str) -> str:
    """The `aws:SourceArn` SageMaker presents when it assumes an inference or processing role.

    SageMaker's confused-deputy guide gives `arn:aws:sagemaker:<region>:<account>:*` for
    real-time, serverless and asynchronous inference ("Do not replace the aws:SourceArn in this
    template with the full ARN of a specific model or endpoint"), and
    `arn:aws:sagemaker:<region>:<account>:processing-job/*` for processing jobs, which the
    monitoring schedules start
    (docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
    The monitoring role takes the region-wide form too: its job definitions are created before
    any processing job exists, and what SageMaker presents then is not documented.
    """
    return f"arn:{partition}:sagemaker:{region}:{account}:*"


def assume_role_policy(account: str, source_arn: str | None = None) -> dict[str, Any]:
    """SageMaker may assume the role, only on behalf of this account (confused deputy) and, when
    `source_arn` is given, only for this account's SageMaker resources in the stack's region."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
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


def bucket_tls_only_policy(partition: str, bucket: str) -> dict[str, Any]:
    """The stack bucket's policy: every request without TLS is denied, on the bucket and its
    objects. S3 accepts HTTP unless a bucket policy denies `aws:SecureTransport` false
    (docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html, "Enforce
    encryption of data in transit"; repost.aws/knowledge-center/s3-bucket-policy-for-config-rule).
    A Deny-only policy is not public, so it passes the bucket's BlockPublicPolicy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
