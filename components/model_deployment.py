"""One resolved model in one stack: its governance and its serving, composed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pulumi

from components.feature_group import FeatureGroup, FeatureGroupArgs
from components.governance import Governance, GovernanceArgs
from components.kserve_service import KServeService, KServeServiceArgs
from components.kubernetes_deployment import KubernetesDeployment, KubernetesDeploymentArgs
from components.kubernetes_identity import KubernetesIdentity, KubernetesIdentityArgs
from components.kubernetes_provider import KubernetesCluster
from components.monitoring import Monitoring, MonitoringArgs
from components.sagemaker_component import PoolPlacement, SageMakerComponent, SageMakerComponentArgs
from components.sagemaker_endpoint import ContainerSource, SageMakerEndpoint, SageMakerEndpointArgs
from modelops.aws import naming, registry
from modelops.aws.model_role import model_role_scope
from modelops.aws.tags import resource_tags
from modelops.errors import DeploymentRefused
from modelops.kubernetes import manifests
from modelops.spec import frameworks
from modelops.spec.feature_store import FeatureGroupDeployment
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig


@dataclass(frozen=True)
class AccountContext:
    partition: str
    account: str
    region: str


@dataclass
class ModelDeploymentArgs:
    model: ResolvedModel
    stack: StackConfig
    account: AccountContext
    default_bucket: str | None  # the stack's own bucket, when modelops:buckets leaves one out
    feature_groups: list[FeatureGroupDeployment]  # the stack's groups this model owns or reads
    cluster: KubernetesCluster | None = None  # the stack's, when any of its models serves on Kubernetes
    placement: PoolPlacement | None = None  # the pool of a model with serving.mode component


def container_source(
    variant: Variant, stack: StackConfig, account: AccountContext, pool_instance_type: str | None = None
) -> tuple[ContainerSource, tuple[str, ...], tuple[str, ...]]:
    """The variant's container, and the images and model objects its role must read. A model on
    a pool runs on the pool's instance type, which chooses its framework image (CPU or GPU)."""
    model = variant.spec.model
    if model.package is not None:
        info = registry.current().package(
            account.partition, account.region, account.account, model.package.group, model.package.version
        )
        strict = stack.environment in ("staging", "prod") and variant.spec.approval == "registry"
        if strict and info.approval_status not in (None, "Approved"):
            raise DeploymentRefused(
                f"{variant.spec.metadata.name} {variant.version}: registry package "
                f"{model.package.group}/{model.package.version} is {info.approval_status}, "
                f"and {stack.environment} requires Approved"
            )
        return ContainerSource(model_package_name=info.arn), info.images, info.model_data_urls
    if model.image is not None:
        image = model.image
    else:
        if not (model.framework and model.framework_version):
            # What validate refuses is refused here too, should a program run without it.
            raise DeploymentRefused(
                f"{variant.spec.metadata.name} {variant.version}: model.framework and model.framework_version "
                "are required without model.image or model.package"
            )
        image = frameworks.image_uri(
            model.framework,
            model.framework_version,
            stack.region,
            pool_instance_type or variant.spec.serving.instance_type,
            model.base_framework_version,
            model.py_version,
        )
    artifact = model.artifact
    return ContainerSource(image=image, model_data_url=artifact), (image,), ((artifact,) if artifact else ())


def pool_placement(model: ResolvedModel, placement: PoolPlacement | None) -> PoolPlacement:
    """The pool a component model runs on; what validate refuses is refused here too, with the
    reason, should a program run without it."""
    component = model.spec.serving.component
    pool = component.pool if component else "?"
    if placement is None or placement.pool != pool:
        raise DeploymentRefused(f"{model.name}: runs on pool {pool}, which the stack's modelops:pools does not declare")
    if model.challenger is not None or model.shadow is not None:
        raise DeploymentRefused(
            f"{model.name}: an inference component serves one version; a challenger or shadow needs an endpoint "
            "of the model's own (serving.mode realtime)"
        )
    return placement


class ModelDeployment(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str] | None  # the model's own SageMaker endpoint; None on Kubernetes or a pool
    component_name: pulumi.Output[str] | None  # its inference component, on a pool

    def __init__(self, name: str, args: ModelDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:index:ModelDeployment", name, {}, opts)
        model, stack, account = args.model, args.stack, args.account
        env = stack.environment
        spec = model.spec
        on_kubernetes = spec.serving.target == "kubernetes"
        placement = pool_placement(model, args.placement) if spec.serving.mode == "component" else None
        tags = resource_tags(spec.metadata.owner, model.name, model.version, env, stack.tags, spec.metadata.tags)
        endpoint_name = naming.endpoint_name(model.name, env)

        # On Kubernetes KServe or the Deployment's server reads the artifact itself: no container.
        resolved = (
            {}
            if on_kubernetes
            else {
                variant.role: container_source(variant, stack, account, placement.instance_type if placement else None)
                for variant in model.variants
            }
        )
        containers = {role: source for role, (source, _, _) in resolved.items()}
        # One least-privilege scope for either target: the SageMaker execution role's policy or
        # the pods' IRSA role's (modelops.aws.model_role, which validate measures too).
        scope = model_role_scope(
            model,
            stack,
            account.partition,
            account.account,
            lambda variant: resolved[variant.role][1:],
            args.default_bucket,
            args.feature_groups,
            placement.endpoint_name if placement else None,
        )
        governance = Governance(
            f"{name}-governance",
            GovernanceArgs(model=model, stack=stack, scope=None if on_kubernetes else scope, tags=tags),
            pulumi.ResourceOptions(parent=self),
        )
        serving: pulumi.Resource
        self.component_name = None
        if on_kubernetes:
            if args.cluster is None:
                raise DeploymentRefused(f"{model.name}: serves on Kubernetes, but the stack declares no cluster")
            identity = KubernetesIdentity(
                f"{name}-identity",
                KubernetesIdentityArgs(model=model, stack=stack, scope=scope, tags=tags, cluster=args.cluster),
                pulumi.ResourceOptions(parent=self),
            )
            if manifests.kubernetes_serving(spec).runtime == "kserve":
                serving = KServeService(
                    f"{name}-serving",
                    KServeServiceArgs(
                        model=model, stack=stack, cluster=args.cluster, service_account=identity.service_account
                    ),
                    pulumi.ResourceOptions(parent=self),
                )
            else:
                serving = KubernetesDeployment(
                    f"{name}-serving",
                    KubernetesDeploymentArgs(
                        model=model, cluster=args.cluster, service_account=identity.service_account
                    ),
                    pulumi.ResourceOptions(parent=self),
                )
            self.endpoint_name = None
        elif placement is not None:
            component = SageMakerComponent(
                f"{name}-serving",
                SageMakerComponentArgs(
                    model=model,
                    stack=stack,
                    placement=placement,
                    role_arn=cast(pulumi.Output[str], governance.role_arn),
                    role_name=naming.role_name(model.name, env),
                    container=containers["primary"],
                    tags=tags,
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[governance]),
            )
            serving = component
            self.endpoint_name = None
            self.component_name = component.component_name
        else:
            endpoint = SageMakerEndpoint(
                f"{name}-serving",
                SageMakerEndpointArgs(
                    model=model,
                    stack=stack,
                    role_arn=cast(pulumi.Output[str], governance.role_arn),
                    role_name=naming.role_name(model.name, env),
                    containers=containers,
                    capture_destination=scope.capture_prefix,
                    async_output_path=scope.async_output_prefix,
                    tags=tags,
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[governance]),
            )
            serving = endpoint
            self.endpoint_name = endpoint.endpoint_name
        for group in args.feature_groups:
            if group.owner != model.name:
                continue
            FeatureGroup(
                f"{name}-{group.physical_name}",
                FeatureGroupArgs(
                    deployment=group,
                    stack=stack,
                    partition=account.partition,
                    account=account.account,
                    bucket=stack.buckets.feature_store or args.default_bucket,
                    tags=tags,
                ),
                pulumi.ResourceOptions(parent=self),
            )
        if spec.monitoring.enabled_monitors() and scope.capture_prefix is not None:
            monitoring_bucket = stack.buckets.monitoring or args.default_bucket
            Monitoring(
                f"{name}-monitoring",
                MonitoringArgs(
                    model=model,
                    stack=stack,
                    partition=account.partition,
                    account=account.account,
                    endpoint_name=endpoint_name,
                    capture_prefix=scope.capture_prefix,
                    output_prefix=f"s3://{monitoring_bucket}/monitoring/{model.name}/",
                    tags=tags,
                    endpoint=cast(SageMakerEndpoint, serving),
                ),
                pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"endpoint_name": self.endpoint_name, "component_name": self.component_name})
