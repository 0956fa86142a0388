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

pulumi-aws's EndpointConfiguration has no VpcConfig or EnableNetworkIsolation (research for
issue 12, §10): they stay on each member's Model, as for a model's own endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.model_deployment import AccountContext, container_source
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
        "variant_name": POOL_VARIANT,
        "instance_type": config.instance_type,
        "initial_instance_count": max(1, config.min_instances),
        "managed_instance_scaling": {
            "status": "ENABLED",
            "min_instance_count": config.min_instances,
            "max_instance_count": config.max_instances,
        },
        "routing_configs": [{"routing_strategy": ROUTING_STRATEGY}],
    }


class SageMakerPool(pulumi.ComponentResource):
    endpoint: aws.sagemaker.Endpoint
    endpoint_name: str
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: SageMakerPoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:serving:SageMakerPool", name, {}, opts)
        stack, account, config = args.stack, args.account, args.config
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
        config_inputs: dict[str, Any] = {
            "production_variants": [production_variant(config)],
            # Local NVMe storage is hardware-encrypted and AWS rejects a key for it
            # (modelops.aws.instance_storage).
            "kms_key_arn": None if has_local_storage(config.instance_type) else stack.kms_key_arn,
            "data_capture_config": capture_config(args),
        }
        # The role by name, so that the configuration's name is known offline.
        config_name = naming.pool_endpoint_config_name(args.pool, env, {**config_inputs, "execution_role": role_name})
        endpoint_config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name=config_name,
            execution_role_arn=role.arn,
            tags=tags,
            # SageMaker checks the role when the endpoint is created: its permissions come first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy] if policy else []),
            **config_inputs,
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
