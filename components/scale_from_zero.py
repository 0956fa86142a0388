"""Scaling out from zero: a step policy that adds one unit of capacity, and the CloudWatch alarm
that triggers it.

Target tracking divides a metric by the capacity, so at zero capacity it never scales out;
AWS's answer for both kinds of SageMaker capacity that may reach zero (an async endpoint's
instances, an inference component's copies) is a StepScaling policy (ChangeInCapacity +1) on an
alarm the deployer creates (the application-autoscaling service-linked role may only manage
its own `TargetTracking*` alarms). The two differ only in the metric that says requests wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class WakeAlarm:
    """The alarm of requests arriving with no capacity: SageMaker's metric, how it is read, and
    for how many one-minute periods before a unit of capacity is added."""

    name: str
    description: str
    metric_name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str  # also the step policy's metric aggregation
    periods: int


def add_one_on_alarm(
    prefix: str,
    policy_name: str,
    target: aws.appautoscaling.Target,
    alarm: WakeAlarm,
    cooldown: int,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    notify: Sequence[str] = (),
) -> None:
    """`<prefix>-scale-from-zero-policy` and `<prefix>-scale-from-zero-alarm`; the alarm also
    notifies `notify` (SNS topics)."""
    policy = aws.appautoscaling.Policy(
        f"{prefix}-scale-from-zero-policy",
        name=policy_name,
        policy_type="StepScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        step_scaling_policy_configuration={
            "adjustment_type": "ChangeInCapacity",
            "metric_aggregation_type": alarm.statistic,
            "cooldown": cooldown,
            "step_adjustments": [{"metric_interval_lower_bound": "0", "scaling_adjustment": 1}],
        },
        opts=opts,
    )
    aws.cloudwatch.MetricAlarm(
        f"{prefix}-scale-from-zero-alarm",
        name=alarm.name,
        alarm_description=alarm.description,
        namespace="AWS/SageMaker",
        metric_name=alarm.metric_name,
        dimensions=dict(alarm.dimensions),
        statistic=alarm.statistic,
        period=60,
        evaluation_periods=alarm.periods,
        datapoints_to_alarm=alarm.periods,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="missing",
        alarm_actions=[policy.arn, *notify],
        tags=tags,
        opts=opts,
    )
