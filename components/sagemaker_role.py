"""An IAM role that SageMaker assumes, with one least-privilege inline policy and the boundary."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from modelops.iam import assume_role_policy


def sagemaker_role(
    name: str,
    *,
    role_name: str,
    description: str,
    account: str,
    source_arn: str | None,
    policy: dict[str, Any] | None,
    boundary_arn: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy | None]:
    """`name`-role and `name`-policy; the policy is left out when the role needs no permission.

    `source_arn` narrows the trust policy to SageMaker acting for those resources
    (`modelops.iam.sagemaker_source_arn`); None where AWS documents no value for the feature.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-role",
        name=role_name,
        description=description,
        assume_role_policy=json.dumps(assume_role_policy(account, source_arn)),
        permissions_boundary=boundary_arn,
        max_session_duration=3600,
        tags=tags,
        opts=child,
    )
    inline = None
    if policy is not None:
        inline = aws.iam.RolePolicy(
            f"{name}-policy",
            name="least-privilege",
            role=role.name,
            policy=json.dumps(policy, sort_keys=True),
            opts=child,
        )
    return role, inline
