"""A pool: one SageMaker endpoint of the stack whose instances its member models share, each as
an inference component (`components.sagemaker_component`; docs/pools.md).

Created only for a pool at least one pinned model uses. Its endpoint configuration has a single
production variant, `AllTraffic`, with no model: an endpoint whose variant names a model
refuses inference components ("Inference Components are not supported in this Endpoint",
quoted in terraform-provider-aws#40644). Without a model, SageMaker needs the configuration's
ExecutionRoleArn to fetch the components' images and artifacts (pulumi-aws 7.51.1
EndpointConfiguration, `execution_role_arn`: "Required when `model_name` is not specified in
`production_variants` to support Inference Components"). So the pool has its own execution
role, which reads exactly its members' artifacts and images, writes their logs and the pool's
data capture, and uses the stack key only through S3 and SageMaker. Its policy is built in
`modelops.aws.pool_role`, where `validate` measures it against IAM's quota too.

The variant's instances scale with the copies placed on them (ManagedInstanceScaling, ENABLED,
between the pool's minInstances and maxInstances); InitialInstanceCount has a minimum of 1
(botocore `InitialTaskCount`) even for a pool that may scale to zero. Requests go to the copy
with the fewest outstanding requests (RoutingConfig LEAST_OUTSTANDING_REQUESTS, as AWS's scale
to zero example sets it). Data capture is a setting of the endpoint configuration, with no
per-component field: when any member captures, the pool captures at the highest sampling
percent any member asks for.

For an inference component endpoint, AWS takes `VpcConfig` and `EnableNetworkIsolation` on the
endpoint configuration (CreateEndpointConfig; terraform-provider-aws PRs #48738 and #48884 add
them "only for Inference Components endpoints"). pulumi-aws 7.51.1's EndpointConfiguration has
neither, so the configuration is a boto3 dynamic provider
(`components.providers.pool_endpoint_configuration`) that sends the stack's VPC and, when the
members run isolated (validate makes a pool's members agree: `modelops.spec.pools`), network
isolation. Each member's Model keeps its own VpcConfig and EnableNetworkIsolation too, as for a
model's own endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.model_deployment import AccountContext, container_source
from components.providers.pool_endpoint_configuration import PoolEndpointConfiguration
from components.sagemaker_component import POOL_VARIANT
from components.sagemaker_role import sagemaker_role
from modelops.aws import naming
from modelops.aws.iam import sagemaker_source_arn
from modelops.aws.instance_storage import has_local_storage
from modelops.aws.pool_role import Sources, pool_role_policy
from modelops.aws.pool_role import capture_config as pool_capture_config
from modelops.aws.tags import pool_resource_tags
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import Pool, StackConfig

ROUTING_STRATEGY = "LEAST_OUTSTANDING_REQUESTS"


@dataclass
class SageMakerPoolArgs:
    pool: str
    config: Pool
    stack: StackConfig
    account: AccountContext
    members: list[ResolvedModel]  # the pinned models on this pool, at least one
    capture_bucket: str | None  # the stack's data capture bucket, when a member captures


def member_sources(args: SageMakerPoolArgs) -> Sources:
    """Each member's images and model objects as the program resolves them (the registry's for
    a package), on the pool's instance type."""

    def sources(member: ResolvedModel) -> tuple[tuple[str, ...], tuple[str, ...]]:
        _, images, objects = container_source(member.primary, args.stack, args.account, args.config.instance_type)
        return images, objects

    return sources


def capture_config(args: SageMakerPoolArgs) -> dict[str, Any] | None:
    return pool_capture_config(args.pool, args.members, args.stack, args.capture_bucket)


def production_variant(config: Pool) -> dict[str, Any]:
    return {
        "VariantName": POOL_VARIANT,
        "InstanceType": config.instance_type,
        "InitialInstanceCount": max(1, config.min_instances),
        "ManagedInstanceScaling": {
            "Status": "ENABLED",
            "MinInstanceCount": config.min_instances,
            "MaxInstanceCount": config.max_instances,
        },
        "RoutingConfig": {"RoutingStrategy": ROUTING_STRATEGY},
    }


def members_isolated(members: list[ResolvedModel]) -> bool:
    """Whether the pool's members run with network isolation (validate makes them agree,
    `modelops.spec.pools._shared_setting_problems`; one isolated member isolates the pool)."""
    return any(m.spec.network_isolation for m in members)


def endpoint_configuration(args: SageMakerPoolArgs, role: Any) -> dict[str, Any]:
    """The CreateEndpointConfig request but its name and tags, PascalCase as botocore takes it;
    `role` is the execution role's ARN (or, for the name's digest, its name)."""
    stack, config = args.stack, args.config
    request: dict[str, Any] = {"ExecutionRoleArn": role, "ProductionVariants": [production_variant(config)]}
    # Local NVMe storage is hardware-encrypted and AWS rejects a key for it
    # (modelops.aws.instance_storage).
    if stack.kms_key_arn and not has_local_storage(config.instance_type):
        request["KmsKeyId"] = stack.kms_key_arn
    capture = capture_config(args)
    if capture is not None:
        request["DataCaptureConfig"] = capture
    if stack.vpc is not None:
        request["VpcConfig"] = {
            "SecurityGroupIds": list(stack.vpc.security_group_ids),
            "Subnets": list(stack.vpc.subnet_ids),
        }
    if members_isolated(args.members):
        request["EnableNetworkIsolation"] = True
    return request


class SageMakerPool(pulumi.ComponentResource):
    endpoint: aws.sagemaker.Endpoint
    endpoint_name: str
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: SageMakerPoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:serving:SageMakerPool", name, {}, opts)
        stack, account = args.stack, args.account
        env = stack.environment
        tags = pool_resource_tags(args.pool, env, stack.tags)
        endpoint_name = naming.pool_endpoint_name(args.pool, env)
        role_name = naming.pool_role_name(args.pool, env)

        role, policy = sagemaker_role(
            f"{name}-execution",
            role_name=role_name,
            description=f"SageMaker execution role of pool {args.pool} in {stack.name} (modelops)",
            account=account.account,
            source_arn=sagemaker_source_arn(account.partition, account.region, account.account),
            policy=pool_role_policy(
                args.pool,
                stack,
                account.partition,
                account.account,
                args.members,
                member_sources(args),
                args.capture_bucket,
            ),
            boundary_arn=stack.permissions_boundary_arn,
            tags=tags,
            parent=self,
        )
        # The role by name, so that the configuration's name is known offline.
        config_name = naming.pool_endpoint_config_name(args.pool, env, endpoint_configuration(args, role_name))
        endpoint_config = PoolEndpointConfiguration(
            f"{name}-config",
            region=account.region,
            name=config_name,
            configuration=endpoint_configuration(args, role.arn),
            tags=tags,
            # SageMaker checks the role when the endpoint is created: its permissions come first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy] if policy else []),
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=endpoint_name,
            endpoint_config_name=endpoint_config.name,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint_name = endpoint_name
        self.role_arn = role.arn
        self.register_outputs({"endpoint_name": self.endpoint.name, "role_arn": self.role_arn})
