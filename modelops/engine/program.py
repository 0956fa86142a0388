"""The Pulumi program: stack config -> pinned specs -> one ModelDeployment each.

`__main__.py` calls `run(<its folder>)`; `modelops plan`, `modelops rehearse` and a real `pulumi up` all
run this same function, only the engine behind it differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _config_mapping() -> dict[str, Any]:
    import pulumi

    from modelops.spec.stack import KEYS

    mapping: dict[str, Any] = {}
    for key in KEYS:
        namespace, name = key.split(":", 1)
        config = pulumi.Config(namespace)
        value = config.get(name)
        if value is None:
            continue
        try:
            mapping[key] = config.get_object(name)
        except Exception:  # noqa: BLE001 - plain strings are not JSON
            mapping[key] = value
    return mapping


def run(root: Path) -> None:
    import pulumi
    import pulumi_aws as aws

    from components.kubernetes_provider import KubernetesCluster, KubernetesClusterArgs
    from components.model_deployment import AccountContext, ModelDeployment, ModelDeploymentArgs
    from components.stack_bucket import StackBucket, StackBucketArgs, stack_bucket_name
    from modelops.aws.tags import stack_resource_tags
    from modelops.kubernetes import manifests
    from modelops.spec.feature_store import deployed_groups
    from modelops.spec.loader import ProblemsFound
    from modelops.spec.repository import load_repository
    from modelops.spec.resolve import resolve_stack
    from modelops.spec.stack import stack_config_from_mapping

    try:
        stack = stack_config_from_mapping(pulumi.get_stack(), _config_mapping())
    except ProblemsFound as exc:
        raise pulumi.RunError(str(exc)) from None
    repo = load_repository(root)
    models, problems = resolve_stack(repo, stack)
    problems += repo.problems
    if problems:
        raise pulumi.RunError("\n".join(str(p) for p in sorted(set(problems))))

    identity = aws.get_caller_identity()
    partition = aws.get_partition().partition
    account = AccountContext(partition=partition, account=identity.account_id, region=stack.region)

    groups = deployed_groups(repo, models, stack.environment)
    on_kubernetes = [m for m in models if m.spec.serving.target == "kubernetes"]
    needs_bucket = any(
        # A model on Kubernetes captures data through KServe's payload logger, not into S3.
        (
            m.spec.serving.data_capture.enabled
            and m.spec.serving.target == "sagemaker"
            and not stack.buckets.data_capture
        )
        or m.spec.serving.mode == "async"
        or (m.spec.monitoring.enabled_monitors() and not stack.buckets.monitoring)
        for m in models
    ) or (any(g.base.offline.enabled for g in groups) and not stack.buckets.feature_store)
    default_bucket = None
    if needs_bucket:
        StackBucket(
            "stack-bucket",
            StackBucketArgs(
                account=account.account,
                region=stack.region,
                stack=stack.name,
                kms_key_arn=stack.kms_key_arn,
                tags=stack_resource_tags(stack.environment, stack.tags),
                partition=account.partition,
            ),
        )
        default_bucket = stack_bucket_name(account.account, stack.region, stack.name)

    cluster = None
    if on_kubernetes:
        cluster = KubernetesCluster(
            "kubernetes",
            KubernetesClusterArgs(
                stack=stack, namespaces=[manifests.kubernetes_serving(m.spec).namespace for m in on_kubernetes]
            ),
        )

    endpoints = {}
    served_on_kubernetes = {}
    for model in models:
        deployment = ModelDeployment(
            model.name,
            ModelDeploymentArgs(
                model=model,
                stack=stack,
                account=account,
                default_bucket=default_bucket,
                feature_groups=groups,
                cluster=cluster,
            ),
        )
        if deployment.endpoint_name is not None:
            endpoints[model.name] = deployment.endpoint_name
        else:
            k = manifests.kubernetes_serving(model.spec)
            kind = "InferenceService" if k.runtime == "kserve" else "Deployment"
            served_on_kubernetes[model.name] = {"kind": kind, "namespace": k.namespace, "name": model.name}
    pulumi.export("environment", stack.environment)
    pulumi.export("endpoints", endpoints)
    if served_on_kubernetes:
        pulumi.export("kubernetes", served_on_kubernetes)
    pulumi.export("models", {m.name: m.version for m in models})
