"""The Pulumi program: stack config -> pinned specs -> one ModelDeployment each.

`__main__.py` calls `run(<its folder>)`; `modelops plan`, `modelops rehearse` and a real `pulumi up` all
run this same function, only the engine behind it differs. `modelops plan` may run it several
times over parts of the stack (`only`), each part in its own process (`modelops.engine.render`):
what one model's deployment reads is `model_inputs`, so parts render exactly what the whole would.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelops.spec.feature_store import FeatureGroupDeployment
    from modelops.spec.repository import Repository
    from modelops.spec.resolved_model import ResolvedModel
    from modelops.spec.stack import StackConfig


@dataclass(frozen=True)
class StackInputs:
    """Everything the program derives from the stack config and the specs before it declares
    a resource; `stack` and `repo` as the engine's config and the project root give them."""

    stack: StackConfig
    repo: Repository
    models: list[ResolvedModel]
    groups: list[FeatureGroupDeployment]
    needs_bucket: bool

    @cached_property
    def on_kubernetes(self) -> list[ResolvedModel]:
        return [m for m in self.models if m.spec.serving.target == "kubernetes"]

    @cached_property
    def pool_members(self) -> dict[str, list[ResolvedModel]]:
        """The pools pinned models use, by name, with their members in pin order: a pool no
        pinned model uses is not created. A pool the stack lacks is `validate`'s finding (and
        the member's deployment refuses it)."""
        members: dict[str, list[ResolvedModel]] = {}
        for model in self.models:
            serving = model.spec.serving
            component = serving.component if serving.mode == "component" and serving.target == "sagemaker" else None
            if component is not None and component.pool in self.stack.pools:
                members.setdefault(component.pool, []).append(model)
        return dict(sorted(members.items()))

    def groups_of(self, model: ResolvedModel) -> list[FeatureGroupDeployment]:
        """The groups `model` owns or reads: all its deployment needs of the stack's groups."""
        from modelops.spec.feature_store import model_reads

        by_owner, by_name = self._group_indexes
        wanted = set(by_owner.get(model.name, ())) | {i for name in model_reads(model) for i in by_name.get(name, ())}
        return [self.groups[i] for i in sorted(wanted)]

    @cached_property
    def _group_indexes(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        by_owner: dict[str, list[int]] = {}
        by_name: dict[str, list[int]] = {}
        for index, group in enumerate(self.groups):
            by_owner.setdefault(group.owner, []).append(index)
            by_name.setdefault(group.spec.name, []).append(index)
        return by_owner, by_name


def prepare(stack: StackConfig, repo: Repository, models: list[ResolvedModel]) -> StackInputs:
    from modelops.spec.feature_store import deployed_groups

    groups = deployed_groups(repo, models, stack.environment)
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
    return StackInputs(stack, repo, models, groups, needs_bucket)


def model_inputs(inputs: StackInputs, model: ResolvedModel) -> dict[str, Any]:
    """What `model`'s deployment reads besides the account (fixed per stack), as plain data: two
    renders of a model with equal `model_inputs` declare the same resources (`diff` relies on it).

    The stack's pins are left out (they are `model` itself); of the feature groups, the ones the
    model owns and the names of those it reads; the stack bucket and the cluster count only as
    present or not. tests/test_incremental_diff.py compares diffs built on this with full ones.
    """
    groups = inputs.groups_of(model)
    return {
        "model": model,
        "stack": inputs.stack.model_copy(update={"models": {}}),
        "groups": [g for g in groups if g.owner == model.name],
        # Of a group it only reads, a deployment uses the name (its role's policy names the ARN).
        "reads": sorted(g.physical_name for g in groups if g.owner != model.name),
        "bucket": inputs.needs_bucket,
        "cluster": bool(inputs.on_kubernetes),
    }


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


def _inputs_from_config(root: Path) -> StackInputs:
    import pulumi

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
    return prepare(stack, repo, models)


def run(root: Path, inputs: StackInputs | None = None, only: Collection[str] | None = None) -> None:
    """Declare the stack. `inputs`, when given, must be what the engine's config and `root`
    give (`modelops plan` computes them once for all its parts); `only` limits the models
    declared to those names: the stack-level resources and outputs are declared in every part."""
    import pulumi
    import pulumi_aws as aws

    from components.kubernetes_provider import KubernetesCluster, KubernetesClusterArgs
    from components.model_deployment import AccountContext, ModelDeployment, ModelDeploymentArgs
    from components.sagemaker_component import PoolPlacement
    from components.sagemaker_pool import SageMakerPool, SageMakerPoolArgs
    from components.stack_bucket import StackBucket, StackBucketArgs, stack_bucket_name
    from modelops.aws.tags import stack_resource_tags
    from modelops.kubernetes import manifests

    inputs = inputs or _inputs_from_config(root)
    stack, models = inputs.stack, inputs.models

    identity = aws.get_caller_identity()
    partition = aws.get_partition().partition
    account = AccountContext(partition=partition, account=identity.account_id, region=stack.region)

    default_bucket = None
    if inputs.needs_bucket:
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
    if inputs.on_kubernetes:
        cluster = KubernetesCluster(
            "kubernetes",
            KubernetesClusterArgs(
                stack=stack, namespaces=[manifests.kubernetes_serving(m.spec).namespace for m in inputs.on_kubernetes]
            ),
        )

    # Stack-level like the bucket: declared in every part, from all the pool's members.
    placements: dict[str, PoolPlacement] = {}
    for pool_name, members in inputs.pool_members.items():
        pool = SageMakerPool(
            f"pool-{pool_name}",
            SageMakerPoolArgs(
                pool=pool_name,
                config=stack.pools[pool_name],
                stack=stack,
                account=account,
                members=members,
                capture_bucket=stack.buckets.data_capture or default_bucket,
            ),
        )
        placements[pool_name] = PoolPlacement(
            pool=pool_name,
            instance_type=stack.pools[pool_name].instance_type,
            endpoint_name=pool.endpoint_name,
            endpoint=pool.endpoint,
        )

    endpoints = {}
    served_on_kubernetes = {}
    components = {}
    for model in models:
        if only is not None and model.name not in only:
            continue
        component = model.spec.serving.component if model.spec.serving.mode == "component" else None
        deployment = ModelDeployment(
            model.name,
            ModelDeploymentArgs(
                model=model,
                stack=stack,
                account=account,
                default_bucket=default_bucket,
                feature_groups=inputs.groups_of(model),
                cluster=cluster,
                placement=placements.get(component.pool) if component else None,
            ),
        )
        if deployment.endpoint_name is not None:
            endpoints[model.name] = deployment.endpoint_name
        elif component is not None:
            placement = placements[component.pool]
            components[model.name] = {
                "pool": component.pool,
                "endpoint": placement.endpoint_name,
                "name": deployment.component_name,
            }
        else:
            k = manifests.kubernetes_serving(model.spec)
            kind = "InferenceService" if k.runtime == "kserve" else "Deployment"
            served_on_kubernetes[model.name] = {"kind": kind, "namespace": k.namespace, "name": model.name}
    pulumi.export("environment", stack.environment)
    pulumi.export("endpoints", endpoints)
    if served_on_kubernetes:
        pulumi.export("kubernetes", served_on_kubernetes)
    if placements:
        pulumi.export("pools", {name: p.endpoint_name for name, p in placements.items()})
    if components:
        pulumi.export("components", components)
    pulumi.export("models", {m.name: m.version for m in models})
