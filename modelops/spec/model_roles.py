"""A model's own role within IAM's quota, checked by `validate` before anything is planned.

IAM allows a role 10,240 characters of inline policy, white space not counted ("IAM and AWS
STS quotas", "Role policy size cannot exceed 10,240 characters",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), and PutRolePolicy
past it fails with LimitExceeded. A model's execution role (or its pods' role on Kubernetes) has
one policy naming each secret, data prefix, feature group it reads, image and artifact of the
versions a stack pins, so a model reading enough of them cannot be deployed. Measured with the
program's own builder (`modelops.aws.model_role`), the images resolved offline (a registry
package's count for nothing, as for a pool: `modelops.spec.pools`) and a 12-digit stand-in for
the account. The plan's `role-policy-size` rule measures every rendered role again.
"""

from __future__ import annotations

from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT
from modelops.spec.feature_store import FeatureGroupDeployment
from modelops.spec.loader import Document, Problem
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig, stack_problem


def model_role_problems(
    models: list[ResolvedModel], stack: StackConfig, doc: Document | None, groups: list[FeatureGroupDeployment]
) -> list[Problem]:
    """`groups`: the feature groups the stack's models deploy (feature_store.deployed_groups)."""
    from modelops.aws import naming
    from modelops.aws.iam import execution_role_policy, policy_size
    from modelops.aws.model_role import model_role_scope, offline_variant_sources, pods_role_policy
    from modelops.aws.pool_role import OFFLINE_ACCOUNT
    from modelops.aws.regions import partition_of

    partition = partition_of(stack.region)
    if partition is None:
        return []  # the stack's region finding says it
    # The program creates the stack's own bucket only when a model uses it (modelops.engine.program),
    # and a role names it only then: where `modelops:buckets` names every bucket used, no scope reads it.
    default_bucket = naming.stack_bucket_name(OFFLINE_ACCOUNT, stack.region, stack.name)
    problems = []
    for model in models:
        spec = model.spec
        component = spec.serving.component if spec.serving.mode == "component" else None
        pool = stack.pools.get(component.pool) if component else None
        if component and pool is None:
            continue  # the pool's finding says it
        scope = model_role_scope(
            model,
            stack,
            partition,
            OFFLINE_ACCOUNT,
            offline_variant_sources(stack, pool.instance_type if pool else None),
            default_bucket,
            groups,
            naming.pool_endpoint_name(component.pool, stack.environment) if component else None,
        )
        if spec.serving.target == "kubernetes":
            policy = pods_role_policy(model, scope)
            role = f"pods' role {naming.workload_role_name(model.name, stack.environment)}"
        else:
            policy = execution_role_policy(scope)
            role = f"execution role {naming.role_name(model.name, stack.environment)}"
        size = policy_size(policy or {})
        if size > ROLE_POLICY_SIZE_LIMIT:
            problems.append(
                stack_problem(
                    doc,
                    stack,
                    ("models", model.name),
                    f"the {role} of {model.name} would need an inline policy of {size:,} characters, and IAM "
                    f"allows a role {ROLE_POLICY_SIZE_LIMIT:,} (white space not counted; PutRolePolicy fails with "
                    "LimitExceeded): the policy names each secret, data prefix (governance.data_access.s3_read), "
                    "feature group read, image and artifact of the versions pinned here; read fewer, or through "
                    "prefixes that cover several",
                )
            )
    return problems
