"""A model's own role: what it touches, as one least-privilege scope for either target, the
SageMaker execution role's policy (`modelops.aws.iam.execution_role_policy`) or the pods' IRSA
role's (`workload_role_policy`). A pool's member logs as its inference component; the pool's
endpoint is the pool's (`modelops.aws.pool_role`).

Pure and without pulumi, like `modelops.aws.pool_role`: `components.model_deployment` declares
the role from `model_role_scope` with each variant's image and artifact as the program resolves
them, and `modelops.spec.model_roles` (validate) measures the same policy against IAM's quota with
them resolved offline (`offline_variant_sources`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from modelops.aws import naming
from modelops.aws.iam import ExecutionRoleScope, workload_role_policy
from modelops.aws.pool_role import component_name, variant_sources
from modelops.aws.rollback_alarms import alarm_arns, component_rollback_alarms, rollback_alarm_arns
from modelops.spec.feature_store import FeatureGroupDeployment, feature_group_arn, model_reads
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig

# A variant's images and model objects as its role must read them (SageMaker only: on
# Kubernetes the server reads the artifact itself, and the cluster pulls the image).
VariantSources = Callable[[Variant], tuple[Sequence[str], Sequence[str]]]


def model_role_scope(
    model: ResolvedModel,
    stack: StackConfig,
    partition: str,
    account: str,
    sources: VariantSources,
    default_bucket: str | None,
    feature_groups: Sequence[FeatureGroupDeployment],
    pool_endpoint_name: str | None,
) -> ExecutionRoleScope:
    """`default_bucket` is the stack's own bucket when `modelops:buckets` leaves one out;
    `pool_endpoint_name` the endpoint of the pool a component model runs on."""
    region = stack.region
    spec = model.spec
    on_kubernetes = spec.serving.target == "kubernetes"
    images: list[str] = []
    objects: list[str] = []
    secrets: list[str] = []
    s3_read: list[str] = []
    for variant in model.variants:
        if on_kubernetes:
            # KServe or the Deployment's server reads the artifact itself, with the pod's role.
            objects += [variant.spec.model.artifact] if variant.spec.model.artifact else []
        else:
            variant_images, variant_objects = sources(variant)
            images += variant_images
            objects += variant_objects
        secrets += variant.spec.model.secrets.values()
        s3_read += variant.spec.governance.data_access.s3_read

    capture_bucket = stack.buckets.data_capture or default_bucket
    capture = (
        f"s3://{capture_bucket}/data-capture/{model.name}/"
        # A pool's members capture through the pool's endpoint (components.sagemaker_pool).
        if spec.serving.data_capture.enabled
        and spec.serving.mode not in ("serverless", "component")
        and not on_kubernetes
        else None
    )
    async_output = async_input = None
    if spec.serving.mode == "async":
        async_output = f"s3://{default_bucket or capture_bucket}/async/{model.name}/output/"
        async_input = f"s3://{default_bucket or capture_bucket}/async/{model.name}/input/"
    in_vpc = stack.vpc is not None and spec.serving.mode != "serverless" and not on_kubernetes
    groups = {g.spec.name: g for g in feature_groups}
    reads = tuple(
        feature_group_arn(partition, region, account, groups[group].physical_name)
        for group in model_reads(model)
        if group in groups  # validation reports a read of a group the stack lacks
    )
    ic_name = component_name(model, pool_endpoint_name) if pool_endpoint_name else None
    if on_kubernetes:
        alarms: tuple[str, ...] = ()
    elif ic_name is not None:
        alarms = alarm_arns(component_rollback_alarms(model, ic_name), partition, region, account)
    else:
        alarms = rollback_alarm_arns(model, partition, region, account)
    return ExecutionRoleScope(
        partition=partition,
        region=region,
        account=account,
        endpoint_name=None if ic_name else naming.endpoint_name(model.name, stack.environment),
        images=tuple(images),
        model_objects=tuple(objects),
        secrets=tuple(sorted(set(secrets))),
        kms_key_arn=stack.kms_key_arn,
        capture_prefix=capture,
        async_output_prefix=async_output,
        async_input_prefix=async_input,
        s3_read=tuple(sorted(set(s3_read))),
        subnet_ids=tuple(stack.vpc.subnet_ids) if in_vpc and stack.vpc else (),
        security_group_ids=tuple(stack.vpc.security_group_ids) if in_vpc and stack.vpc else (),
        feature_group_reads=reads,
        rollback_alarms=alarms,
        inference_components=(ic_name,) if ic_name else (),
    )


def pods_role_policy(model: ResolvedModel, scope: ExecutionRoleScope) -> dict[str, Any] | None:
    """The policy of the role a Kubernetes model's pods assume: KServe's storage initializer lists
    the objects under the artifact's key before getting them; a plain Deployment gets the one."""
    from modelops.kubernetes import manifests

    return workload_role_policy(scope, list_artifacts=manifests.kubernetes_serving(model.spec).runtime == "kserve")


def offline_variant_sources(stack: StackConfig, pool_instance_type: str | None) -> VariantSources:
    """Each variant's image and artifact as `validate` knows them (`pool_role.offline_sources`):
    a registry package's are the registry's, known at deploy only, and count for nothing."""

    def sources(variant: Variant) -> tuple[Sequence[str], Sequence[str]]:
        return variant_sources(variant, stack, pool_instance_type or variant.spec.serving.instance_type)

    return sources
