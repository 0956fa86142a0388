"""Who may assume a SageMaker role, the stack bucket's TLS-only policy, and how IAM sizes a
policy (modelops.aws.iam), built without a render.

Trust: only SageMaker, only for this account (`aws:SourceAccount`), and when a source ARN is
given only for this account's SageMaker resources of the region (`aws:SourceArn`, SageMaker's
confused-deputy guide). Size: IAM "does not count white space" against its quotas.
"""

from __future__ import annotations

from modelops.aws.iam import (
    assume_role_policy,
    bucket_tls_only_policy,
    policy_size,
    s3_via_service,
    sagemaker_source_arn,
    sagemaker_via_service,
)


def test_sagemaker_may_assume_the_role_only_for_this_account() -> None:
    assert assume_role_policy("123456789012") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }


def test_with_a_source_arn_sagemaker_may_assume_the_role_only_for_the_matching_resources() -> None:
    source = "arn:aws:sagemaker:eu-west-1:123456789012:*"
    assert assume_role_policy("123456789012", source) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnLike": {"aws:SourceArn": source},
                },
            }
        ],
    }


def test_the_source_arn_is_every_sagemaker_resource_of_the_account_in_the_region() -> None:
    assert sagemaker_source_arn("aws", "eu-west-1", "123456789012") == "arn:aws:sagemaker:eu-west-1:123456789012:*"
    assert sagemaker_source_arn("aws-us-gov", "us-gov-west-1", "210987654321") == (
        "arn:aws-us-gov:sagemaker:us-gov-west-1:210987654321:*"
    )


def test_the_bucket_denies_every_request_without_tls_on_itself_and_its_objects() -> None:
    assert bucket_tls_only_policy("aws-cn", "acme-stack") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws-cn:s3:::acme-stack", "arn:aws-cn:s3:::acme-stack/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def test_a_policys_size_counts_its_characters_but_no_white_space() -> None:
    assert policy_size('{"a":1}') == 7
    assert policy_size('{ "a" :\n\t1 }\r\n') == 7
    assert policy_size("") == 0


def test_a_dict_is_sized_as_its_json_without_white_space_even_inside_strings() -> None:
    """json.dumps writes `{"Action": "s3:Get Object"}`: 27 characters, 2 of them spaces."""
    assert policy_size({"Action": "s3:Get Object"}) == 25
    assert policy_size({"b": [1, 2], "a": {"c": None}}) == 26  # {"a":{"c":null},"b":[1,2]}


def test_a_dict_is_sized_as_sent_with_its_non_ascii_characters_escaped() -> None:
    """json.dumps escapes "é" as `\\u00e9`, six characters in the document IAM receives."""
    assert policy_size({"Sid": "Café"}) == 19  # {"Sid":"Caf\u00e9"}


def test_the_services_that_use_the_key_for_the_role_are_named_in_the_partitions_domain() -> None:
    assert s3_via_service("aws", "eu-west-1") == "s3.eu-west-1.amazonaws.com"
    assert sagemaker_via_service("aws", "eu-west-1") == "sagemaker.eu-west-1.amazonaws.com"
    assert s3_via_service("aws-cn", "cn-north-1") == "s3.cn-north-1.amazonaws.com.cn"
    assert sagemaker_via_service("aws-cn", "cn-north-1") == "sagemaker.cn-north-1.amazonaws.com.cn"
