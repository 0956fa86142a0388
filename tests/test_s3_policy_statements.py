"""The S3 pieces of the roles' policies (modelops.aws.iam), built without a render.

An object is granted by its exact ARN; a prefix by `<prefix>/*`, so `s3://b/data` never grants
`s3://b/database/...`; ListBucket is limited by `s3:prefix` to the same prefixes, one statement
per bucket since its resource is the bucket ("Amazon S3 condition key examples", s3:prefix).
"""

from __future__ import annotations

from modelops.aws.iam import (
    _artifact_statements,
    _prefixes_by_bucket,
    _s3_object_arn,
    s3_parts,
    s3_read_statements,
)


def test_an_s3_uri_splits_into_its_bucket_and_its_whole_key() -> None:
    assert s3_parts("s3://acme-data/scorer/2024/part-0.csv") == ("acme-data", "scorer/2024/part-0.csv")


def test_a_bucket_root_has_an_empty_key_with_or_without_its_slash() -> None:
    assert s3_parts("s3://acme-data") == ("acme-data", "")
    assert s3_parts("s3://acme-data/") == ("acme-data", "")


def test_an_object_is_granted_by_its_exact_arn_in_the_partition() -> None:
    assert _s3_object_arn("aws", "s3://acme-models/scorer/model.tar.gz", False) == (
        "arn:aws:s3:::acme-models/scorer/model.tar.gz"
    )
    assert _s3_object_arn("aws-cn", "s3://acme-models/scorer/model.tar.gz", False) == (
        "arn:aws-cn:s3:::acme-models/scorer/model.tar.gz"
    )


def test_a_prefix_is_granted_under_its_slash_so_a_sibling_prefix_is_not() -> None:
    """`s3://b/data` grants `b/data/*`, not `b/data*` (which would also grant `b/database/`)."""
    assert _s3_object_arn("aws", "s3://acme-data/scorer", True) == "arn:aws:s3:::acme-data/scorer/*"
    assert _s3_object_arn("aws", "s3://acme-data/scorer/", True) == "arn:aws:s3:::acme-data/scorer/*"


def test_a_bucket_root_prefix_grants_every_object_of_the_bucket_and_no_double_slash() -> None:
    assert _s3_object_arn("aws-us-gov", "s3://acme-data", True) == "arn:aws-us-gov:s3:::acme-data/*"
    assert _s3_object_arn("aws-us-gov", "s3://acme-data/", True) == "arn:aws-us-gov:s3:::acme-data/*"


def test_list_prefixes_are_grouped_by_bucket_and_end_in_slash_star() -> None:
    assert _prefixes_by_bucket(
        ["s3://acme-data/scorer", "s3://acme-data/labels/", "s3://other-data", "s3://acme-data/scorer/"]
    ) == {"acme-data": {"scorer/*", "labels/*"}, "other-data": {"*"}}


def test_nothing_to_read_grants_nothing() -> None:
    assert s3_read_statements("aws", "ReadData", []) == []


def test_one_prefix_is_read_and_listed_under_itself_only() -> None:
    assert s3_read_statements("aws", "ReadData", ["s3://acme-data/scorer"]) == [
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
    ]


def test_prefixes_across_buckets_get_one_get_statement_and_one_list_statement_per_bucket() -> None:
    """Resources and prefixes sorted and deduplicated (a prefix with and without its slash is
    one), buckets in name order, the Sids numbered after the statement's own."""
    uris = ["s3://zeta-labels/truth/", "s3://acme-data/scorer/", "s3://acme-data/features", "s3://acme-data/scorer"]
    assert s3_read_statements("aws-cn", "ReadGroundTruth", uris) == [
        {
            "Sid": "ReadGroundTruth",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [
                "arn:aws-cn:s3:::acme-data/features/*",
                "arn:aws-cn:s3:::acme-data/scorer/*",
                "arn:aws-cn:s3:::zeta-labels/truth/*",
            ],
        },
        {
            "Sid": "ListReadGroundTruth0",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws-cn:s3:::acme-data"],
            "Condition": {"StringLike": {"s3:prefix": ["features/*", "scorer/*"]}},
        },
        {
            "Sid": "ListReadGroundTruth1",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws-cn:s3:::zeta-labels"],
            "Condition": {"StringLike": {"s3:prefix": ["truth/*"]}},
        },
    ]


def test_a_bucket_root_is_read_and_listed_whole() -> None:
    assert s3_read_statements("aws", "ReadData", ["s3://acme-data"]) == [
        {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::acme-data/*"]},
        {
            "Sid": "ListReadData0",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::acme-data"],
            "Condition": {"StringLike": {"s3:prefix": ["*"]}},
        },
    ]


def test_no_model_artifact_grants_nothing() -> None:
    assert _artifact_statements("aws", ()) == []


def test_model_artifacts_are_got_by_their_exact_objects_sorted_once_each() -> None:
    artifacts = (
        "s3://other-models/scorer/weights.bin",
        "s3://acme-models/scorer/1.1.0/model.tar.gz",
        "s3://acme-models/scorer/1.0.0/model.tar.gz",
        "s3://acme-models/scorer/1.1.0/model.tar.gz",
    )
    assert _artifact_statements("aws-us-gov", artifacts) == [
        {
            "Sid": "ReadModelArtifact",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [
                "arn:aws-us-gov:s3:::acme-models/scorer/1.0.0/model.tar.gz",
                "arn:aws-us-gov:s3:::acme-models/scorer/1.1.0/model.tar.gz",
                "arn:aws-us-gov:s3:::other-models/scorer/weights.bin",
            ],
        }
    ]
