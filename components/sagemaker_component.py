"""A model served on a pool: its SageMaker Model, inference component, copy autoscaling and
rollback alarms (docs/pools.md).

The component runs on its pool's endpoint (`components.sagemaker_pool`), which SageMaker sizes
from the pool's instances; the model brings its container (a Model, named as an endpoint model
is, from a digest of its content) and the reservation of each copy. A new version creates a
new Model and updates the component in place (`components.providers.inference_component`),
batch by batch for `rolling`, rolling back on the alarms created here.

Copy autoscaling is Application Auto Scaling on the component's copy count: target tracking
on `SageMakerInferenceComponentInvocationsPerCopy`, and for `min_copies: 0` the scale-out from
zero AWS documents, since target tracking has no per-copy metric without copies (see
`_scale_out_from_zero`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from components.providers.inference_component import InferenceComponent
from components.sagemaker_endpoint import ContainerSource, declare_rollback_alarms, model_inputs
from components.scale_from_zero import WakeAlarm, add_one_on_alarm
from modelops.aws import naming
from modelops.aws.pool_role import POOL_VARIANT, component_name
from modelops.aws.rollback_alarms import component_rollback_alarms
from modelops.spec.models import Component
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import StackConfig

# A pool's endpoint has one production variant, which hosts every member's component.
NAMESPACE = "sagemaker"
SCALABLE_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
COPY_METRIC = "SageMakerInferenceComponentInvocationsPerCopy"


def component_of(model: ResolvedModel) -> Component:
    component = model.spec.serving.component
    assert component is not None  # validate requires it for mode component
    return component


def compute_requirements(component: Component) -> dict[str, Any]:
    """ComputeResourceRequirements of one copy. NumberOfAcceleratorDevicesRequired has a
    minimum of 1 (botocore), so a copy without accelerators leaves it out."""
    requirements: dict[str, Any] = {
        "NumberOfCpuCoresRequired": component.cpu,
        "MinMemoryRequiredInMb": component.memory_mb,
    }
    if component.accelerators > 0:
        requirements["NumberOfAcceleratorDevicesRequired"] = component.accelerators
    return requirements


def component_deployment_config(model: ResolvedModel, alarm_names: list[str]) -> dict[str, Any] | None:
    """UpdateInferenceComponent's DeploymentConfig: rolling batches of CAPACITY_PERCENT of the
    copies, each baking `wait_s` under the alarms; None for all_at_once, which SageMaker
    updates without a rolling policy."""
    rollout = model.spec.serving.rollout
    if rollout.strategy != "rolling":
        return None
    config: dict[str, Any] = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": rollout.rolling_batch_percent},
            "WaitIntervalInSeconds": rollout.wait_s,
        }
    }
    if alarm_names:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": n} for n in alarm_names]}
    return config


@dataclass
class PoolPlacement:
    """Where a member runs: its pool, the pool's instance type and endpoint."""

    pool: str
    instance_type: str
    endpoint_name: str
    endpoint: aws.sagemaker.Endpoint


@dataclass
class SageMakerComponentArgs:
    model: ResolvedModel
    stack: StackConfig
    placement: PoolPlacement
    role_arn: pulumi.Input[str]
    role_name: str
    container: ContainerSource
    tags: dict[str, str]


class SageMakerComponent(pulumi.ComponentResource):
    component_name: pulumi.Output[str]
    model_name: pulumi.Output[str]

    def __init__(self, name: str, args: SageMakerComponentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelops:serving:SageMakerComponent", name, {}, opts)
        model, stack, placement = args.model, args.stack, args.placement
        env = stack.environment
        child = pulumi.ResourceOptions(parent=self)
        component = component_of(model)
        ic_name = component_name(model, placement.endpoint_name)

        inputs = model_inputs(model.primary, args.container, stack, args.role_name)
        # The digest also tells it from the Model of the model's own endpoint, whose content can
        # be the same: a model moving to a pool creates this one before that one is deleted.
        model_name = naming.model_name(model.name, env, model.version, {**inputs, "hosting": "inference-component"})
        sagemaker_model = aws.sagemaker.Model(
            f"{name}-model",
            name=model_name,
            execution_role_arn=args.role_arn,
            primary_container=inputs["primary_container"],
            enable_network_isolation=inputs["enable_network_isolation"],
            vpc_config=inputs["vpc_config"],
            tags={**args.tags, "model-version": model.version},
            opts=child,
        )

        alarms = component_rollback_alarms(model, ic_name)
        alarm_resources = declare_rollback_alarms(name, alarms, stack, args.tags, child)
        inference_component = InferenceComponent(
            f"{name}-component",
            region=stack.region,
            name=ic_name,
            endpoint_name=placement.endpoint.name,
            variant_name=POOL_VARIANT,
            specification={
                "ModelName": sagemaker_model.name,
                "ComputeResourceRequirements": compute_requirements(component),
            },
            copy_count=component.copies,
            autoscaled=component.autoscaling is not None,
            deployment_config=component_deployment_config(model, [a.name for a in alarms]),
            tags=args.tags,
            # The rollback alarms exist before an update names them.
            opts=pulumi.ResourceOptions(parent=self, depends_on=cast(list[pulumi.Resource], alarm_resources)),
        )
        if component.autoscaling is not None:
            self._autoscaling(name, model, inference_component, args.tags, stack, child)

        self.component_name = inference_component.name
        self.model_name = sagemaker_model.name
        self.register_outputs({"component_name": self.component_name, "model_name": self.model_name})

    @staticmethod
    def _autoscaling(
        name: str,
        model: ResolvedModel,
        inference_component: InferenceComponent,
        tags: dict[str, str],
        stack: StackConfig,
        opts: pulumi.ResourceOptions,
    ) -> None:
        scaling = component_of(model).autoscaling
        assert scaling is not None
        target = aws.appautoscaling.Target(
            f"{name}-scaling-target",
            service_namespace=NAMESPACE,
            scalable_dimension=SCALABLE_DIMENSION,
            resource_id=inference_component.name.apply(lambda n: f"inference-component/{n}"),
            min_capacity=scaling.min_copies,
            max_capacity=scaling.max_copies,
            opts=opts,
        )
        aws.appautoscaling.Policy(
            f"{name}-scaling-policy",
            name=naming.bounded(model.name, model.environment, "invocations-per-copy-target-tracking", limit=255),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=cast(
                Any,
                {
                    "target_value": scaling.target_invocations_per_copy,
                    "scale_in_cooldown": scaling.scale_in_cooldown_s,
                    "scale_out_cooldown": scaling.scale_out_cooldown_s,
                    "predefined_metric_specification": {"predefined_metric_type": COPY_METRIC},
                },
            ),
            opts=opts,
        )
        if scaling.min_copies == 0:
            SageMakerComponent._scale_out_from_zero(name, model, inference_component, target, tags, stack, opts)

    @staticmethod
    def _scale_out_from_zero(
        name: str,
        model: ResolvedModel,
        inference_component: InferenceComponent,
        target: aws.appautoscaling.Target,
        tags: dict[str, str],
        stack: StackConfig,
        opts: pulumi.ResourceOptions,
    ) -> None:
        """With no copy, the invocations per copy are undefined and target tracking never scales
        out: "you must use step scaling if you want to enable an endpoint to scale out from zero"
        ("Autoscale an endpoint to zero instances", docs.aws.amazon.com/sagemaker/latest/dg/
        endpoint-auto-scaling-zero-instances.html). A step policy adds one copy, triggered by an
        alarm on `NoCapacityInvocationFailures`, which SageMaker emits when a request reaches the
        component with no copy to serve it. The alarm is the AWS blog's ("Unlock cost savings
        with the new scale down to zero feature in SageMaker Inference", 3 Dec 2024): the
        Maximum over one minute at or above 1, so the first refused request wakes the model (the
        guide's `> 1` on the Sum would need two). The application-autoscaling service-linked role
        may only manage `TargetTracking*` alarms, hence this alarm is the deployer's."""
        base = naming.bounded(model.name, model.environment)
        wake = WakeAlarm(
            name=naming.bounded(base, "no-capacity-invocation-failures", limit=255),
            description=f"requests reach {base} with no copy to serve them: adds a copy",
            metric_name="NoCapacityInvocationFailures",
            dimensions={"InferenceComponentName": inference_component.name},
            statistic="Maximum",
            periods=1,
        )
        policy_name = naming.bounded(model.name, model.environment, "no-capacity-add-copy", limit=255)
        topic = [stack.alarm_topic_arn] if stack.alarm_topic_arn else []
        add_one_on_alarm(name, policy_name, target, wake, 60, tags, opts, notify=topic)
