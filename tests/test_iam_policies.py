"""IAM policy documents built straight from a role's scope (modelops.aws.iam), without a render.

Each case asserts the whole document: a statement too many is a permission too many. These run
in milliseconds, so `make mutation` can judge iam.py's mutants by them rather than by renders.
"""

from __future__ import annotations

from modelops.aws.iam import (
    ExecutionRoleScope,
    FeatureGroupRoleScope,
    feature_group_role_policy,
    irsa_trust_policy,
    vpc_statements,
    workload_role_policy,
)
from modelops.spec.feature_store import feature_group_arn

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scorer/api-key-AbCdEf"
PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/scorer/threshold"
GROUP = "arn:aws:sagemaker:eu-west-1:123456789012:feature-group/customers"
ARTIFACTS = (
    "s3://acme-models/scorer/1.1.0/model.tar.gz",
    "s3://acme-models/scorer/1.0.0/model.tar.gz",
    "s3://other-models/scorer/weights.bin",
)


def scope(**fields: object) -> ExecutionRoleScope:
    return ExecutionRoleScope(partition="aws", region="eu-west-1", account="123456789012", endpoint_name=None, **fields)  # type: ignore[arg-type]


GET_ARTIFACTS = {
    "Sid": "ReadModelArtifact",
    "Effect": "Allow",
    "Action": ["s3:GetObject"],
    "Resource": [
        "arn:aws:s3:::acme-models/scorer/1.0.0/model.tar.gz",
        "arn:aws:s3:::acme-models/scorer/1.1.0/model.tar.gz",
        "arn:aws:s3:::other-models/scorer/weights.bin",
    ],
}


def test_a_pod_that_needs_no_aws_permission_gets_no_policy() -> None:
    assert workload_role_policy(scope(), list_artifacts=True) is None
    assert workload_role_policy(scope(), list_artifacts=False) is None


def test_a_deployment_gets_its_artifacts_and_lists_nothing() -> None:
    assert workload_role_policy(scope(model_objects=ARTIFACTS), list_artifacts=False) == {
        "Version": "2012-10-17",
        "Statement": [GET_ARTIFACTS],
    }


def test_kserve_lists_each_bucket_under_exactly_the_artifacts_keys() -> None:
    """KServe's storage initializer lists a storageUri before getting it: ListBucket per
    bucket, its prefixes the artifacts' own keys, so no other object of the bucket is listed."""
    assert workload_role_policy(scope(model_objects=ARTIFACTS), list_artifacts=True) == {
        "Version": "2012-10-17",
        "Statement": [
            GET_ARTIFACTS,
            {
                "Sid": "ListModelArtifact0",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-models"],
                "Condition": {"StringLike": {"s3:prefix": ["scorer/1.0.0/model.tar.gz", "scorer/1.1.0/model.tar.gz"]}},
            },
            {
                "Sid": "ListModelArtifact1",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::other-models"],
                "Condition": {"StringLike": {"s3:prefix": ["scorer/weights.bin"]}},
            },
        ],
    }


def test_kserve_without_artifacts_lists_nothing() -> None:
    policy = workload_role_policy(scope(secrets=(SECRET,)), list_artifacts=True)
    assert policy is not None
    assert [s["Sid"] for s in policy["Statement"]] == ["ReadSecrets"]


def test_the_pod_reads_its_secrets_data_and_features_and_only_decrypts_with_the_key() -> None:
    policy = workload_role_policy(
        scope(
            secrets=(SECRET, PARAMETER),
            s3_read=("s3://acme-data/scorer",),
            kms_key_arn=KEY,
            feature_group_reads=(GROUP,),
            # what SageMaker does for an endpoint is not the pod's to do
            images=("123456789012.dkr.ecr.eu-west-1.amazonaws.com/scorer:1",),
            capture_prefix="s3://acme-capture/scorer/",
            subnet_ids=("subnet-0abc",),
            security_group_ids=("sg-0abc",),
            rollback_alarms=("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:scorer-errors",),
            kms_via_services=("s3.eu-west-1.amazonaws.com",),
        ),
        list_artifacts=False,
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
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
                "Sid": "ReadData",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::acme-data/scorer/*"],
            },
            {
                "Sid": "ListReadData0",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-data"],
                "Condition": {"StringLike": {"s3:prefix": ["scorer/*"]}},
            },
            {"Sid": "UseStackKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [KEY]},
            {
                "Sid": "ReadFeatureGroups",
                "Effect": "Allow",
                "Action": ["sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord"],
                "Resource": [GROUP],
            },
        ],
    }


OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"


def test_only_one_service_account_of_one_namespace_may_assume_the_pods_role() -> None:
    assert irsa_trust_policy(OIDC, "models", "fraud-scorer") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": OIDC},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{ISSUER}:sub": "system:serviceaccount:models:fraud-scorer",
                        f"{ISSUER}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def test_the_issuer_is_all_of_the_arn_after_its_first_oidc_provider() -> None:
    odd = "arn:aws:iam::123456789012:oidc-provider/issuer.example/a:oidc-provider/b"
    conditions = irsa_trust_policy(odd, "models", "scorer")["Statement"][0]["Condition"]["StringEquals"]
    assert sorted(conditions) == ["issuer.example/a:oidc-provider/b:aud", "issuer.example/a:oidc-provider/b:sub"]


def test_sagemaker_in_the_vpc_describes_anything_but_touches_only_the_stacks_subnets() -> None:
    subnets = [
        "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0a",
        "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0b",
    ]
    assert vpc_statements("aws", "eu-west-1", "123456789012", ("subnet-0a", "subnet-0b"), ("sg-0c",)) == [
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
                "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
                *subnets,
                "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0c",
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
            "Resource": ["arn:aws:ec2:eu-west-1:123456789012:network-interface/*"],
            "Condition": {"ArnEquals": {"ec2:Subnet": subnets}},
        },
    ]


def test_the_offline_store_role_updates_only_its_groups_glue_table() -> None:
    """Feature Store names the table <group with '_' for '-'>_<creation time>."""
    policy = feature_group_role_policy(
        FeatureGroupRoleScope("aws", "eu-west-1", "123456789012", "customer-features", "s3://acme-offline/fs/")
    )
    assert policy is not None
    table = next(s for s in policy["Statement"] if s["Sid"] == "OfflineStoreTable")
    assert table["Resource"] == [
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        "arn:aws:glue:eu-west-1:123456789012:database/sagemaker_featurestore",
        "arn:aws:glue:eu-west-1:123456789012:table/sagemaker_featurestore/customer_features_*",
    ]


def test_a_feature_groups_arn_is_lowercase_as_sagemaker_writes_it() -> None:
    """A role granted on `feature-group/Customers` would match no ARN SageMaker checks."""
    assert feature_group_arn("aws-cn", "cn-north-1", "123456789012", "Customer-Features") == (
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:feature-group/customer-features"
    )
