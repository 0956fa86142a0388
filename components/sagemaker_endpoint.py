"""SageMaker Models, EndpointConfiguration, Endpoint, autoscaling and rollout alarms.

pulumi-aws (schema of aws:sagemaker/model:Model and .../endpointConfiguration:EndpointConfiguration)
marks every input of a Model and an EndpointConfiguration as replace-on-change, while an
Endpoint's `endpointConfigName` updates in place (SageMaker UpdateEndpoint, honouring the
deployment config). So Models and configurations get content-hashed names (modelops.naming):
a new version creates a new Model and configuration next to the old, and the Endpoint,
whose name never changes, moves to the new configuration with its blue/green or rolling
guardrails and rolls back on the alarms created here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from modelops import naming
from modelops.instance_storage import has_local_storage
from modelops.resolve import ResolvedModel, Variant
from modelops.spec import Serverless
from modelops.stack import StackConfig

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


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


def container_environment(variant: Variant) -> dict[str, str]:
    env = {k: str(v) for k, v in variant.spec.model.environment.items()}
    for key, arn in variant.spec.model.secrets.items():
        env[f"{key}_SECRET_ARN"] = arn
    return env


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


class SageMakerEndpoint(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str]
    endpoint_config_name: pulumi.Output[str]
    model_names: pulumi.Output[list[str]]

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
            shadows.append(production_variant(model.shadow, model_names["shadow"], model.shadow.percent / 100))
        capture = spec.serving.data_capture
        config_inputs: dict[str, Any] = {
            "production_variants": variants,
            "shadow_production_variants": shadows or None,
            # Serverless endpoints take no storage key; local NVMe storage is hardware-encrypted
            # and AWS rejects a key for it (modelops.instance_storage).
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

        alarm_names = self._rollback_alarms(name, model, stack, endpoint_name, args.tags, child)
        endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=endpoint_name,
            endpoint_config_name=config.name,
            deployment_config=cast(Any, deployment_config(model, alarm_names)),
            tags=args.tags,
            opts=child,
        )
        for scaled in model.variants:
            if scaled.role != "shadow":  # a shadow runs at its fixed count
                self._autoscaling(name, model, scaled, endpoint, child)

        self.endpoint_name = endpoint.name
        self.endpoint_config_name = config.name
        self.model_names = pulumi.Output.from_input(list(model_names.values()))
        self.register_outputs(
            {
                "endpoint_name": self.endpoint_name,
                "endpoint_config_name": self.endpoint_config_name,
                "model_names": self.model_names,
            }
        )

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
        endpoint_name: str,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> list[str]:
        """Alarms watched by the deployment guardrails; any strategy but all_at_once has them."""
        rollout = model.spec.serving.rollout
        if rollout.strategy == "all_at_once":
            return []
        dimensions = {"EndpointName": endpoint_name, "VariantName": "primary"}
        actions = [stack.alarm_topic_arn] if stack.alarm_topic_arn else []
        names = []

        def alarm(suffix: str, alarm_name: str, description: str, threshold: float, **metric: Any) -> None:
            aws.cloudwatch.MetricAlarm(
                f"{name}-rollback-{suffix}",
                name=alarm_name,
                alarm_description=f"{description}: rolls the deployment back",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                threshold=threshold,
                treat_missing_data="notBreaching",
                alarm_actions=actions,
                tags=tags,
                opts=opts,
                **metric,
            )
            names.append(alarm_name)

        if rollout.alarms.max_5xx_error_rate_percent is not None:

            def count(metric_name: str) -> dict[str, Any]:
                return {
                    "metric_name": metric_name,
                    "namespace": "AWS/SageMaker",
                    "period": 60,
                    "stat": "Sum",
                    "dimensions": dimensions,
                }

            alarm(
                "5xx",
                naming.bounded(endpoint_name, "rollback-5xx-rate", limit=255),
                f"5xx error rate of {endpoint_name} above {rollout.alarms.max_5xx_error_rate_percent}%",
                rollout.alarms.max_5xx_error_rate_percent,
                metric_queries=[
                    {"id": "errors", "return_data": False, "metric": count("Invocation5XXErrors")},
                    {"id": "invocations", "return_data": False, "metric": count("Invocations")},
                    {
                        "id": "rate",
                        "expression": "100 * errors / invocations",
                        "label": "5xx error rate (%)",
                        "return_data": True,
                    },
                ],
            )
        if rollout.alarms.max_p99_latency_ms is not None:
            alarm(
                "p99",
                naming.bounded(endpoint_name, "rollback-p99-latency", limit=255),
                f"p99 model latency of {endpoint_name} above {rollout.alarms.max_p99_latency_ms} ms",
                rollout.alarms.max_p99_latency_ms * 1000,  # ModelLatency is in microseconds
                namespace="AWS/SageMaker",
                metric_name="ModelLatency",
                extended_statistic="p99",
                period=60,
                dimensions=dimensions,
            )
        return names

    @staticmethod
    def _autoscaling(
        name: str,
        model: ResolvedModel,
        variant: Variant,
        endpoint: aws.sagemaker.Endpoint,
        opts: pulumi.ResourceOptions,
    ) -> None:
        """Target tracking for one production variant (a challenger scales on its own settings)."""
        serving = variant.spec.serving
        scaling = serving.autoscaling
        if scaling is None or serving.mode == "serverless":
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
