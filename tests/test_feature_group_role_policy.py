"""A feature group's role policy, built straight from its scope (modelops.aws.iam).

Feature Store uses the role to write the offline store: its S3 objects (and their ACL, as AWS's
AmazonSageMakerFeatureStoreAccess grants), the bucket's ACL, and the group's own Glue table;
the stack key only through S3, which encrypts the offline store's objects with it
(API_S3StorageConfig: "kms:GenerateDataKey" on S3StorageConfig.KmsKeyId).
"""

from __future__ import annotations

from modelops.aws.iam import FeatureGroupRoleScope, feature_group_role_policy

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CN_KEY = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]


def test_an_online_only_group_without_a_key_needs_no_policy() -> None:
    assert feature_group_role_policy(FeatureGroupRoleScope("aws", "eu-west-1", "123456789012", "customers")) is None


def test_the_offline_store_writes_under_its_prefix_and_updates_its_own_table() -> None:
    """The table is named after the group with '_' for '-', in lower case, then its creation time."""
    policy = feature_group_role_policy(
        FeatureGroupRoleScope("aws", "eu-west-1", "123456789012", "Customer-Features", "s3://acme-offline/fs")
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOfflineStore",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"],
                "Resource": ["arn:aws:s3:::acme-offline/fs/*"],
            },
            {
                "Sid": "OfflineStoreBucket",
                "Effect": "Allow",
                "Action": ["s3:GetBucketAcl"],
                "Resource": ["arn:aws:s3:::acme-offline"],
            },
            {
                "Sid": "OfflineStoreTable",
                "Effect": "Allow",
                "Action": ["glue:GetTable", "glue:UpdateTable"],
                "Resource": [
                    "arn:aws:glue:eu-west-1:123456789012:catalog",
                    "arn:aws:glue:eu-west-1:123456789012:database/sagemaker_featurestore",
                    "arn:aws:glue:eu-west-1:123456789012:table/sagemaker_featurestore/customer_features_*",
                ],
            },
        ],
    }


def test_a_key_alone_is_used_only_through_s3_of_the_region() -> None:
    policy = feature_group_role_policy(
        FeatureGroupRoleScope("aws", "eu-west-1", "123456789012", "customers", kms_key_arn=KEY)
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": KEY_ACTIONS,
                "Resource": [KEY],
                "Condition": {"StringEquals": {"kms:ViaService": ["s3.eu-west-1.amazonaws.com"]}},
            }
        ],
    }


def test_in_china_the_offline_store_and_its_key_are_in_aws_cn_and_s3_is_under_amazonaws_com_cn() -> None:
    policy = feature_group_role_policy(
        FeatureGroupRoleScope("aws-cn", "cn-north-1", "123456789012", "customers", "s3://acme-offline/", CN_KEY)
    )
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOfflineStore",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl"],
                "Resource": ["arn:aws-cn:s3:::acme-offline/*"],
            },
            {
                "Sid": "OfflineStoreBucket",
                "Effect": "Allow",
                "Action": ["s3:GetBucketAcl"],
                "Resource": ["arn:aws-cn:s3:::acme-offline"],
            },
            {
                "Sid": "OfflineStoreTable",
                "Effect": "Allow",
                "Action": ["glue:GetTable", "glue:UpdateTable"],
                "Resource": [
                    "arn:aws-cn:glue:cn-north-1:123456789012:catalog",
                    "arn:aws-cn:glue:cn-north-1:123456789012:database/sagemaker_featurestore",
                    "arn:aws-cn:glue:cn-north-1:123456789012:table/sagemaker_featurestore/customers_*",
                ],
            },
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": KEY_ACTIONS,
                "Resource": [CN_KEY],
                "Condition": {"StringEquals": {"kms:ViaService": ["s3.cn-north-1.amazonaws.com.cn"]}},
            },
        ],
    }
