"""SageMaker Models, EndpointConfiguration, Endpoint, autoscaling and rollout alarms.

pulumi-aws (schema of aws:sagemaker/model:Model and .../endpointConfiguration:EndpointConfiguration)
marks every input of a Model and an EndpointConfiguration as replace-on-change, while an
Endpoint's `endpointConfigName` updates in place (SageMaker UpdateEndpoint, honouring the
deployment config). So Models and configurations get content-hashed names (modelops.aws.naming):
a new version creates a new Model and configuration next to the old, and the Endpoint,
whose name never changes, moves to the new configuration with its blue/green or rolling
guardrails and rolls back on the alarms created here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from components.providers.variant_scaling import ScalingPause, ScalingResume
from components.scale_from_zero import WakeAlarm, add_one_on_alarm
from modelops.aws import naming
from modelops.aws.instance_storage import has_local_storage
from modelops.aws.replacements import ENDPOINT_KIND_TAG
from modelops.aws.rollback_alarms import RollbackAlarm, rollback_alarms
from modelops.spec.container import container_environment
from modelops.spec.models import Serverless
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
# A Pulumi property path into the Endpoint's inputs; bracketed, since the strict path grammar
# (sdk/go/common/resource/properties_path.go) allows no '-' in a dotted name.
ENDPOINT_KIND_PATH = f'tags["{ENDPOINT_KIND_TAG}"]'


@dataclass(frozen=True)
class ContainerSource:
    """Where a variant's container comes from, resolved before any resource is declared."""

    image: str | None = None
    model_data_url: str | None = None
    model_package_name: str | None = None


@dataclass
class SageMakerEndpointArgs:
    model: ResolvedModel
    stack: StackConfig
    role_arn: pulumi.Input[str]
    role_name: str
    containers: dict[str, ContainerSource]  # by variant role
    capture_destination: str | None  # s3://bucket/prefix/
    async_output_path: str | None
    tags: dict[str, str]


def model_inputs(variant: Variant, source: ContainerSource, stack: StackConfig, role_name: str) -> dict[str, Any]:
    """The Model's inputs as plain data (the role by name, so the name hash is known offline)."""
    spec = variant.spec
    container: dict[str, Any] = {"environment": container_environment(variant)}
    if source.model_package_name:
        container["model_package_name"] = source.model_package_name
    else:
        container["image"] = source.image
        container["model_data_url"] = source.model_data_url
    in_vpc = stack.vpc is not None and spec.serving.mode != "serverless"
    return {
        "primary_container": container,
        "enable_network_isolation": spec.network_isolation,
        "vpc_config": (
            {"subnets": list(stack.vpc.subnet_ids), "security_group_ids": list(stack.vpc.security_group_ids)}
            if in_vpc and stack.vpc
            else None
        ),
        "role": role_name,
    }


def production_variant(variant: Variant, model_name: str, weight: float) -> dict[str, Any]:
    serving = variant.spec.serving
    entry: dict[str, Any] = {"variant_name": variant.role, "model_name": model_name, "initial_variant_weight": weight}
    if serving.mode == "serverless":
        serverless = serving.serverless or Serverless()
        entry["serverless_config"] = {
            "memory_size_in_mb": serverless.memory_mb,
            "max_concurrency": serverless.max_concurrency,
        }
    else:
        entry["instance_type"] = serving.instance_type
        entry["initial_instance_count"] = serving.instance_count
    return entry


def autoscaled_variants(model: ResolvedModel) -> dict[str, str]:
    """Production variants under autoscaling, with their instance types (a shadow runs at its
    fixed count; serverless endpoints scale by themselves)."""
    return {
        v.role: str(v.spec.serving.instance_type)
        for v in model.variants
        if v.role != "shadow" and v.spec.serving.autoscaling is not None and v.spec.serving.mode != "serverless"
    }


def scaling_limits(model: ResolvedModel) -> dict[str, list[int]]:
    """[min, max] instances of each autoscaled production variant."""
    scaled = autoscaled_variants(model)
    return {
        v.role: [v.spec.serving.autoscaling.min_instances, v.spec.serving.autoscaling.max_instances]
        for v in model.variants
        if v.role in scaled and v.spec.serving.autoscaling is not None
    }


def endpoint_kind(mode: str) -> str:
    """What an endpoint is, as far as UpdateEndpoint can change it. "Updating a real-time
    inference endpoint to an on-demand serverless endpoint or a serverless endpoint with
    provisioned concurrency is currently not supported" ("Update a serverless endpoint",
    docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-update.html), and neither
    page documents the way back, so serverless and instance-backed endpoints (realtime,
    async) are different kinds: moving between them recreates the endpoint."""
    return "serverless" if mode == "serverless" else "instances"


def shadow_weight(model: ResolvedModel) -> float:
    """The shadow's InitialVariantWeight: the sampling fraction of the production weight.

    Weights are relative, on one scale: "The traffic to a production variant is determined by
    the ratio of the VariantWeight to the sum of all VariantWeight values" (API_ProductionVariant),
    and SageMaker copies to a shadow variant the share of requests its weight bears to the
    production variant's. The API reference does not spell the shadow rule out (shadow tests
    created through InferenceExperiment take an explicit SamplingPercentage instead): the
    ratio is what tests/test_guardrails.py holds."""
    assert model.shadow is not None
    return model.primary.percent * model.shadow.percent / 100


def deployment_config(model: ResolvedModel, alarm_names: list[str]) -> dict[str, Any] | None:
    rollout = model.spec.serving.rollout
    if rollout.strategy == "all_at_once":
        return None
    rollback = {"alarms": [{"alarm_name": n} for n in alarm_names]}
    if rollout.strategy == "rolling":
        return {
            "rolling_update_policy": {
                "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": rollout.rolling_batch_percent},
                "wait_interval_in_seconds": rollout.wait_s,
                "rollback_maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 100},
            },
            "auto_rollback_configuration": rollback,
        }
    routing: dict[str, Any] = {"type": rollout.strategy.upper(), "wait_interval_in_seconds": rollout.wait_s}
    if rollout.strategy == "canary":
        routing["canary_size"] = {"type": "CAPACITY_PERCENT", "value": rollout.canary_percent}
    else:
        routing["linear_step_size"] = {"type": "CAPACITY_PERCENT", "value": rollout.linear_step_percent}
    return {
        "blue_green_update_policy": {
            "traffic_routing_configuration": routing,
            "termination_wait_in_seconds": rollout.termination_wait_s,
        },
        "auto_rollback_configuration": rollback,
    }


def declare_rollback_alarms(
    name: str, alarms: list[RollbackAlarm], stack: StackConfig, tags: dict[str, str], opts: pulumi.ResourceOptions
) -> list[aws.cloudwatch.MetricAlarm]:
    """One MetricAlarm per rollback alarm, `<name>-rollback-<suffix>`, notifying the stack's
    alarm topic when it fires."""
    actions = [stack.alarm_topic_arn] if stack.alarm_topic_arn else []
    return [
        aws.cloudwatch.MetricAlarm(
            f"{name}-rollback-{alarm.suffix}",
            name=alarm.name,
            alarm_description=f"{alarm.description}: rolls the deployment back",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=1,
            threshold=alarm.threshold,
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            metric_queries=cast(Any, alarm.metric_queries),
            tags=tags,
            opts=opts,
        )
        for alarm in alarms
    ]


class SageMakerEndpoint(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str]

    def __init__(self, name: str, args: SageMakerEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:serving:SageMakerEndpoint", name, {}, opts)
        model, stack = args.model, args.stack
        env = stack.environment
        child = pulumi.ResourceOptions(parent=self)
        endpoint_name = naming.endpoint_name(model.name, env)
        spec = model.spec

        models: dict[str, aws.sagemaker.Model] = {}
        model_names: dict[str, str] = {}
        for variant in model.variants:
            inputs = model_inputs(variant, args.containers[variant.role], stack, args.role_name)
            model_names[variant.role] = naming.model_name(model.name, env, variant.version, inputs)
            models[variant.role] = aws.sagemaker.Model(
                f"{name}-{variant.role}-model",
                name=model_names[variant.role],
                execution_role_arn=args.role_arn,
                primary_container=inputs["primary_container"],
                enable_network_isolation=inputs["enable_network_isolation"],
                vpc_config=inputs["vpc_config"],
                tags={**args.tags, "model-version": variant.version},
                opts=child,
            )

        challenger = model.challenger
        variants = [production_variant(model.primary, model_names["primary"], float(model.primary.percent))]
        if challenger is not None:
            variants.append(production_variant(challenger, model_names["challenger"], float(challenger.percent)))
        shadows = []
        if model.shadow is not None:
            shadows.append(production_variant(model.shadow, model_names["shadow"], shadow_weight(model)))
        capture = spec.serving.data_capture
        config_inputs: dict[str, Any] = {
            "production_variants": variants,
            "shadow_production_variants": shadows or None,
            # Serverless endpoints take no storage key; local NVMe storage is hardware-encrypted
            # and AWS rejects a key for it (modelops.aws.instance_storage).
            "kms_key_arn": (
                None
                if spec.serving.mode == "serverless"
                or any(has_local_storage(v.spec.serving.instance_type) for v in model.variants)
                else stack.kms_key_arn
            ),
            "data_capture_config": (
                {
                    "enable_capture": True,
                    "initial_sampling_percentage": capture.sampling_percent,
                    "destination_s3_uri": args.capture_destination,
                    "kms_key_id": stack.kms_key_arn,
                    "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                    "capture_content_type_header": {
                        "json_content_types": ["application/json"],
                        "csv_content_types": ["text/csv"],
                    },
                }
                if capture.enabled and spec.serving.mode != "serverless"
                else None
            ),
            "async_inference_config": self._async_config(model, stack, args.async_output_path),
        }
        config_name = naming.endpoint_config_name(model.name, env, config_inputs)
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name=config_name,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(models.values())),
            **config_inputs,
        )

        alarm_names = self._rollback_alarms(name, model, stack, args.tags, child)
        scaled = autoscaled_variants(model)
        pause = ScalingPause(f"{name}-scaling-pause", stack.region, endpoint_name, config.name, scaled, opts=child)
        endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=endpoint_name,
            endpoint_config_name=config.name,
            deployment_config=cast(Any, deployment_config(model, alarm_names)),
            tags={**args.tags, ENDPOINT_KIND_TAG: endpoint_kind(spec.serving.mode)},
            # A change of kind cannot be an UpdateEndpoint (see endpoint_kind): the engine
            # replaces the endpoint, deleting it first since its name is fixed.
            opts=pulumi.ResourceOptions(
                parent=self,
                replace_on_changes=[ENDPOINT_KIND_PATH],
                delete_before_replace=True,
                depends_on=[pause],
            ),
        )
        resume = ScalingResume(
            f"{name}-scaling-resume",
            stack.region,
            endpoint_name,
            scaled,
            scaling_limits(model),
            pause,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[endpoint]),
        )
        after_resume = pulumi.ResourceOptions(parent=self, depends_on=[resume])
        for variant in model.variants:
            if variant.role in scaled:
                self._autoscaling(name, model, variant, endpoint, args.tags, after_resume)

        self.endpoint_name = endpoint.name
        self.register_outputs({"endpoint_name": self.endpoint_name})

    @staticmethod
    def _async_config(model: ResolvedModel, stack: StackConfig, output_path: str | None) -> dict[str, Any] | None:
        serving = model.spec.serving
        if serving.mode != "async":
            return None
        config: dict[str, Any] = {"output_config": {"s3_output_path": output_path, "kms_key_id": stack.kms_key_arn}}
        per_instance = (
            serving.async_inference.max_concurrent_invocations_per_instance if serving.async_inference else None
        )
        if per_instance is not None:
            config["client_config"] = {"max_concurrent_invocations_per_instance": per_instance}
        return config

    @staticmethod
    def _rollback_alarms(
        name: str,
        model: ResolvedModel,
        stack: StackConfig,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> list[str]:
        """Alarms watched by the deployment guardrails (modelops.aws.rollback_alarms)."""
        declare_rollback_alarms(name, rollback_alarms(model), stack, tags, opts)
        return [alarm.name for alarm in rollback_alarms(model)]

    @staticmethod
    def _autoscaling(
        name: str,
        model: ResolvedModel,
        variant: Variant,
        endpoint: aws.sagemaker.Endpoint,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        """Target tracking for one production variant (a challenger scales on its own settings),
        one of autoscaled_variants."""
        serving = variant.spec.serving
        scaling = serving.autoscaling
        if scaling is None:
            return
        prefix = name if variant.role == "primary" else f"{name}-{variant.role}"  # primary names predate variants
        target = aws.appautoscaling.Target(
            f"{prefix}-scaling-target",
            service_namespace="sagemaker",
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=endpoint.name.apply(lambda n: f"endpoint/{n}/variant/{variant.role}"),
            min_capacity=scaling.min_instances,
            max_capacity=scaling.max_instances,
            opts=opts,
        )
        if serving.mode == "async":
            # Async endpoints scale on their queue, not on invocations (AWS async inference guide).
            metric: dict[str, Any] = {
                "customized_metric_specification": {
                    "metric_name": "ApproximateBacklogSizePerInstance",
                    "namespace": "AWS/SageMaker",
                    "statistic": "Average",
                    "dimensions": [
                        {"name": "EndpointName", "value": naming.endpoint_name(model.name, model.environment)}
                    ],
                }
            }
        else:
            metric = {
                "predefined_metric_specification": {"predefined_metric_type": "SageMakerVariantInvocationsPerInstance"}
            }
        role = "" if variant.role == "primary" else variant.role
        aws.appautoscaling.Policy(
            f"{prefix}-scaling-policy",
            name=naming.bounded(model.name, model.environment, role, "invocations-target-tracking", limit=255),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=cast(
                Any,
                {
                    "target_value": scaling.target_invocations_per_instance,
                    "scale_in_cooldown": scaling.scale_in_cooldown_s,
                    "scale_out_cooldown": scaling.scale_out_cooldown_s,
                    **metric,
                },
            ),
            opts=opts,
        )
        if serving.mode == "async" and scaling.min_instances == 0:
            SageMakerEndpoint._scale_out_from_zero(prefix, model, role, target, tags, opts)

    @staticmethod
    def _scale_out_from_zero(
        prefix: str,
        model: ResolvedModel,
        role: str,
        target: aws.appautoscaling.Target,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        """At zero instances the backlog per instance is undefined, so target tracking never
        scales out; AWS documents a step-scaling policy on HasBacklogWithoutCapacity for that
        ("Autoscale an asynchronous endpoint: define a scaling policy that scales up from zero",
        docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html): add one
        instance while requests wait with no capacity, on an alarm of two one-minute periods."""
        endpoint_name = naming.endpoint_name(model.name, model.environment)
        wake = WakeAlarm(
            name=naming.bounded(endpoint_name, role, "has-backlog-without-capacity", limit=255),
            description=f"requests wait for {endpoint_name} with no instance: scales out from zero",
            metric_name="HasBacklogWithoutCapacity",
            dimensions={"EndpointName": endpoint_name},
            statistic="Average",
            periods=2,
        )
        policy_name = naming.bounded(model.name, model.environment, role, "has-backlog-without-capacity", limit=255)
        add_one_on_alarm(prefix, policy_name, target, wake, 300, tags, opts)
