"""The stack's own S3 bucket for data capture and async output, when modelops:buckets names none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from modelops.naming import bounded


@dataclass
class StackBucketArgs:
    account: str
    region: str
    stack: str
    kms_key_arn: str | None
    tags: dict[str, str]


def stack_bucket_name(account: str, region: str, stack: str) -> str:
    # Deterministic and unique per account and region, so names are known before deploy.
    return bounded("modelops", account, region, stack).lower()


class StackBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: StackBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:storage:StackBucket", name, {}, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=stack_bucket_name(args.account, args.region, args.stack),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=False),
        )
        encryption: dict[str, Any] = (
            {"sse_algorithm": "aws:kms", "kms_master_key_id": args.kms_key_arn}
            if args.kms_key_arn
            else {"sse_algorithm": "AES256"}
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                cast(
                    Any,
                    {
                        "apply_server_side_encryption_by_default": encryption,
                        "bucket_key_enabled": bool(args.kms_key_arn),
                    },
                )
            ],
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.bucket_name = bucket.bucket
        self.register_outputs({"bucket_name": self.bucket_name})
