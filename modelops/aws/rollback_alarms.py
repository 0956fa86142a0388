"""The CloudWatch alarms that deployment guardrails watch to roll an endpoint update back.

Pure data, shared by the endpoint component (which creates the alarms and lists them in the
endpoint's AutoRollbackConfiguration) and the execution role (which AWS requires to be allowed
`cloudwatch:DescribeAlarms` on them: "Ensure that your IAM execution role has permission to
perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify",
docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html).

What AWS documents, and why the alarms look the way they do:
- Every production variant is watched: traffic shifting replaces every variant's fleet, and an
  alarm on `VariantName=primary` alone never sees a failing challenger. Each alarm takes the
  worst variant, `MAX([...])` over one series per variant (CloudWatch metric math).
- One alarm per threshold, whatever the variants: terraform-provider-aws's endpoint.go marks
  `deployment_config.auto_rollback_configuration` ForceNew, so a change to the list of alarm
  names replaces the endpoint (`modelops.aws.replacements`). Adding or removing a challenger
  changes what an alarm computes, in place, never the list.
- Real-time endpoints publish `Invocations` and `Invocation5XXErrors` per variant, so their
  error rate is `100 * errors / invocations`. Asynchronous endpoints publish neither
  `Invocations` nor `InvocationsPerInstance`: "Any metric not listed below is not published if
  the endpoint is enabled for asynchronous inference" ("Alarms and logs for tracking metrics
  from asynchronous endpoints", docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html).
  They count failed invocations in `InvocationFailures` out of the invocations processed, per
  endpoint and variant. That page and the async troubleshooting FAQ spell the second metric
  `InvocationsProcesssed`; the name CloudWatch uses cannot be checked offline and a misspelt
  metric silently has no data, so the rate is taken over each spelling and the one with data
  is the one that counts.
- `ModelLatency` (microseconds) is published for both; its p99 is taken per variant.
- AutoRollbackConfiguration takes at most 10 alarms (API_AutoRollbackConfig, `Alarms`: 1 to
  10 items), PutMetricAlarm at most 10 metric queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelops.aws import naming
from modelops.spec.resolved_model import ResolvedModel

NAMESPACE = "AWS/SageMaker"
PERIOD_S = 60
MAX_ROLLBACK_ALARMS = 10
MAX_METRIC_QUERIES = 10
# Documented spelling first (see the module docstring).
ASYNC_PROCESSED_METRICS = ("InvocationsProcesssed", "InvocationsProcessed")


@dataclass(frozen=True)
class RollbackAlarm:
    """One alarm: its AWS name, its Pulumi name suffix, and the MetricAlarm inputs it needs."""

    suffix: str  # unique within the endpoint component
    name: str
    description: str
    threshold: float
    metric_queries: list[dict[str, Any]] = field(default_factory=list)


def _metric(query_id: str, metric_name: str, dimensions: dict[str, str], stat: str) -> dict[str, Any]:
    return {
        "id": query_id,
        "return_data": False,
        "metric": {
            "metric_name": metric_name,
            "namespace": NAMESPACE,
            "period": PERIOD_S,
            "stat": stat,
            "dimensions": dimensions,
        },
    }


def _worst(expressions: list[str], label: str) -> dict[str, Any]:
    return {"id": "worst", "expression": f"MAX([{', '.join(expressions)}])", "label": label, "return_data": True}


def _error_rate_queries(mode: str, endpoint_name: str, variants: list[str]) -> list[dict[str, Any]]:
    queries, rates = [], []
    for index, variant in enumerate(variants):
        dimensions = {"EndpointName": endpoint_name, "VariantName": variant}
        errors = f"errors{index}"
        if mode == "async":
            queries.append(_metric(errors, "InvocationFailures", dimensions, "Sum"))
            for spelling, processed in enumerate(ASYNC_PROCESSED_METRICS):
                total = f"processed{index}_{spelling}"
                queries.append(_metric(total, processed, dimensions, "Sum"))
                rates.append(f"100 * {errors} / {total}")
        else:
            total = f"invocations{index}"
            queries.append(_metric(errors, "Invocation5XXErrors", dimensions, "Sum"))
            queries.append(_metric(total, "Invocations", dimensions, "Sum"))
            rates.append(f"100 * {errors} / {total}")
    failing = "failed invocation rate" if mode == "async" else "5xx error rate"
    return [*queries, _worst(rates, f"worst variant's {failing} (%)")]


def _latency_queries(endpoint_name: str, variants: list[str]) -> list[dict[str, Any]]:
    queries = [
        _metric(f"latency{index}", "ModelLatency", {"EndpointName": endpoint_name, "VariantName": variant}, "p99")
        for index, variant in enumerate(variants)
    ]
    return [*queries, _worst([q["id"] for q in queries], "worst variant's p99 model latency (us)")]


def rollback_alarms(model: ResolvedModel) -> list[RollbackAlarm]:
    """The alarms of the model's rollout; none for all_at_once, which has no guardrail."""
    rollout = model.spec.serving.rollout
    if rollout.strategy == "all_at_once":
        return []
    mode = model.spec.serving.mode
    endpoint_name = naming.endpoint_name(model.name, model.environment)
    # The shadow variant takes no production traffic and is not part of the rollback.
    variants = [v.role for v in model.variants if v.role != "shadow"]
    alarms = []
    rate = rollout.alarms.max_5xx_error_rate_percent
    if rate is not None:
        failing = "failed invocation rate" if mode == "async" else "5xx error rate"
        alarms.append(
            RollbackAlarm(
                suffix="5xx",
                name=naming.bounded(endpoint_name, "rollback-5xx-rate", limit=255),
                description=f"{failing} of a variant of {endpoint_name} above {rate}%",
                threshold=rate,
                metric_queries=_error_rate_queries(mode, endpoint_name, variants),
            )
        )
    latency = rollout.alarms.max_p99_latency_ms
    if latency is not None:
        alarms.append(
            RollbackAlarm(
                suffix="p99",
                name=naming.bounded(endpoint_name, "rollback-p99-latency", limit=255),
                description=f"p99 model latency of a variant of {endpoint_name} above {latency} ms",
                threshold=latency * 1000,  # ModelLatency is in microseconds
                metric_queries=_latency_queries(endpoint_name, variants),
            )
        )
    return alarms


def rollback_alarm_arns(model: ResolvedModel, partition: str, region: str, account: str) -> tuple[str, ...]:
    return alarm_arns(rollback_alarms(model), partition, region, account)


# A model on a pool (an inference component) is watched by its component's own metrics: SageMaker
# publishes `Invocation5XXErrors` (1 per 5xx response, 0 otherwise: its Average is the share
# that failed) and `ModelLatency` (microseconds) in AWS/SageMaker with the dimension
# `InferenceComponentName` ("Inference component metrics", docs.aws.amazon.com/sagemaker/latest/
# dg/monitoring-cloudwatch.html). A rolling update keeps the component's name, so these series
# mix the old and the new copies' traffic while it rolls; there is no per-fleet dimension.


def component_rollback_alarms(model: ResolvedModel, component_name: str) -> list[RollbackAlarm]:
    """The alarms of a component's rolling update (UpdateInferenceComponent's
    AutoRollbackConfiguration); none for all_at_once. Their names differ from the endpoint
    form's, so a model moving between its own endpoint and a pool creates the new alarm before
    deleting the old without both being one alarm (PutMetricAlarm overwrites an alarm of the
    same name, and the old one's deletion would then remove the new)."""
    rollout = model.spec.serving.rollout
    if rollout.strategy != "rolling":
        return []
    base = naming.bounded(model.name, model.environment)
    dimensions = {"InferenceComponentName": component_name}
    alarms = []
    rate = rollout.alarms.max_5xx_error_rate_percent
    if rate is not None:
        alarms.append(
            RollbackAlarm(
                suffix="5xx",
                name=naming.bounded(base, "component-rollback-5xx-rate", limit=255),
                description=f"5xx error rate of inference component {component_name} above {rate}%",
                threshold=rate,
                metric_queries=[
                    _metric("errors", "Invocation5XXErrors", dimensions, "Average"),
                    {"id": "rate", "expression": "100 * errors", "label": "5xx error rate (%)", "return_data": True},
                ],
            )
        )
    latency = rollout.alarms.max_p99_latency_ms
    if latency is not None:
        alarms.append(
            RollbackAlarm(
                suffix="p99",
                name=naming.bounded(base, "component-rollback-p99-latency", limit=255),
                description=f"p99 model latency of inference component {component_name} above {latency} ms",
                threshold=latency * 1000,  # ModelLatency is in microseconds
                metric_queries=[{**_metric("latency", "ModelLatency", dimensions, "p99"), "return_data": True}],
            )
        )
    return alarms


def alarm_arns(alarms: list[RollbackAlarm], partition: str, region: str, account: str) -> tuple[str, ...]:
    return tuple(f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{alarm.name}" for alarm in alarms)
