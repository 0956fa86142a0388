"""The stack's own S3 bucket for data capture and async output, when modelops:buckets names none.

Encrypted (the stack key, else SSE-S3), public access blocked, ACLs disabled (object ownership
BucketOwnerEnforced), versioned, and reachable only over TLS (`modelops.aws.iam.bucket_tls_only_policy`).
S3 refuses concurrent configuration calls on one bucket ("OperationAborted: A conflicting
conditional operation is currently in progress", pulumi/pulumi-aws#1570,
hashicorp/terraform-provider-aws#7628 and #33552), so each configuration waits for the previous one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from modelops.aws.iam import bucket_tls_only_policy
from modelops.aws.naming import stack_bucket_name


@dataclass
class StackBucketArgs:
    account: str
    region: str
    stack: str
    kms_key_arn: str | None
    tags: dict[str, str]
    partition: str


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
        encryption_config = aws.s3.BucketServerSideEncryptionConfiguration(
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
        public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[encryption_config]),
        )
        # ACLs off: the bucket owner owns every object and only policies grant access. New buckets
        # default to it since April 2023; declaring it keeps it so
        # (docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block]),
        )
        # An overwritten or deleted capture, report or offline-store object stays recoverable
        # as a noncurrent version (docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ownership]),
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=json.dumps(
                bucket_tls_only_policy(args.partition, stack_bucket_name(args.account, args.region, args.stack)),
                sort_keys=True,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        self.bucket_name = bucket.bucket
        self.register_outputs({"bucket_name": self.bucket_name})
