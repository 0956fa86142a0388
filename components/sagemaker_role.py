"""An IAM role with one least-privilege inline policy and the stack's permissions boundary,
assumed by SageMaker (`sagemaker_role`) or by a Kubernetes service account (`iam_role` with
`modelops.aws.iam.irsa_trust_policy`)."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from modelops.aws.iam import assume_role_policy


def iam_role(
    name: str,
    *,
    role_name: str,
    description: str,
    trust_policy: dict[str, Any],
    policy: dict[str, Any] | None,
    boundary_arn: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy | None]:
    """`name`-role and `name`-policy; the policy is left out when the role needs no permission."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-role",
        name=role_name,
        description=description,
        assume_role_policy=json.dumps(trust_policy),
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
    """A role SageMaker assumes. `source_arn` narrows the trust policy to SageMaker acting for
    those resources (`modelops.aws.iam.sagemaker_source_arn`); None where AWS documents no value for
    the feature."""
    return iam_role(
        name,
        role_name=role_name,
        description=description,
        trust_policy=assume_role_policy(account, source_arn),
        policy=policy,
        boundary_arn=boundary_arn,
        tags=tags,
        parent=parent,
    )
