"""The CloudWatch alarms that deployment guardrails watch to roll an endpoint update back.

Pure data, shared by the endpoint component (which creates the alarms and lists them in the
endpoint's AutoRollbackConfiguration) and the execution role (which AWS requires to be allowed
`cloudwatch:DescribeAlarms` on them).

What AWS documents, and why the alarms look the way they do:
- Every production variant gets its own alarms: traffic shifting replaces every variant's fleet,
  and an alarm on `VariantName=primary` alone would never see a failing challenger
  ("Auto-Rollback Configuration and Monitoring",
  docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html).
- Real-time endpoints publish `Invocations` and `Invocation5XXErrors` per variant, so their
  error rate is `100 * errors / invocations`. Asynchronous endpoints publish neither
  `Invocations` nor `InvocationsPerInstance`: "Any metric not listed below is not published if
  the endpoint is enabled for asynchronous inference" ("Alarms and logs for tracking metrics
  from asynchronous endpoints", docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html).
  They count failed invocations in `InvocationFailures` out of the invocations processed, per
  endpoint and variant. That page and the async troubleshooting FAQ both spell the second
  metric `InvocationsProcesssed`; since the name CloudWatch uses cannot be checked offline and a
  misspelt metric silently has no data, an async variant gets one failure-rate alarm per
  spelling: the one whose denominator exists is the one that can fire.
- `ModelLatency` (microseconds) is published for both.
- AutoRollbackConfiguration takes at most 10 alarms (API_AutoRollbackConfig, `Alarms`:
  1 to 10 items): at most three per variant, two production variants at most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelops import naming
from modelops.resolve import ResolvedModel

NAMESPACE = "AWS/SageMaker"
PERIOD_S = 60
MAX_ROLLBACK_ALARMS = 10


@dataclass(frozen=True)
class RollbackAlarm:
    """One alarm: its AWS name, its Pulumi name suffix, and the MetricAlarm inputs it needs."""

    suffix: str  # unique within the endpoint component
    name: str
    description: str
    threshold: float
    metric: dict[str, Any] = field(default_factory=dict)  # metric_queries, or a single metric


def _count(metric_name: str, dimensions: dict[str, str]) -> dict[str, Any]:
    return {
        "metric_name": metric_name,
        "namespace": NAMESPACE,
        "period": PERIOD_S,
        "stat": "Sum",
        "dimensions": dimensions,
    }


# Documented spelling first (see the module docstring).
ASYNC_PROCESSED_METRICS = ("InvocationsProcesssed", "InvocationsProcessed")


def _error_rate(errors: dict[str, Any], total: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": "errors", "return_data": False, "metric": errors},
        {"id": "invocations", "return_data": False, "metric": total},
        {"id": "rate", "expression": "100 * errors / invocations", "label": "error rate (%)", "return_data": True},
    ]


def _error_rates(mode: str, dimensions: dict[str, str]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(name part, metric queries) of each error-rate alarm of one variant."""
    if mode != "async":
        return [("5xx", _error_rate(_count("Invocation5XXErrors", dimensions), _count("Invocations", dimensions)))]
    failures = _count("InvocationFailures", dimensions)
    return [
        ("failure" if index == 0 else "failure-alt", _error_rate(failures, _count(processed, dimensions)))
        for index, processed in enumerate(ASYNC_PROCESSED_METRICS)
    ]


def rollback_alarms(model: ResolvedModel) -> list[RollbackAlarm]:
    """The alarms of the model's rollout; none for all_at_once, which has no guardrail."""
    rollout = model.spec.serving.rollout
    if rollout.strategy == "all_at_once":
        return []
    mode = model.spec.serving.mode
    endpoint_name = naming.endpoint_name(model.name, model.environment)
    alarms = []
    # The shadow variant takes no production traffic and is not part of the rollback.
    for variant in (v.role for v in model.variants if v.role != "shadow"):
        # The primary's names predate per-variant alarms; keeping them keeps existing alarms.
        who = "" if variant == "primary" else variant
        label = endpoint_name if variant == "primary" else f"{endpoint_name} ({variant})"
        dimensions = {"EndpointName": endpoint_name, "VariantName": variant}
        rate = rollout.alarms.max_5xx_error_rate_percent
        if rate is not None:
            failing = "failed invocation rate" if mode == "async" else "5xx error rate"
            for part, queries in _error_rates(mode, dimensions):
                alarms.append(
                    RollbackAlarm(
                        suffix="-".join(filter(None, [part, who])),
                        name=naming.bounded(endpoint_name, who, f"rollback-{part}-rate", limit=255),
                        description=f"{failing} of {label} above {rate}%",
                        threshold=rate,
                        metric={"metric_queries": queries},
                    )
                )
        latency = rollout.alarms.max_p99_latency_ms
        if latency is not None:
            alarms.append(
                RollbackAlarm(
                    suffix="-".join(filter(None, ["p99", who])),
                    name=naming.bounded(endpoint_name, who, "rollback-p99-latency", limit=255),
                    description=f"p99 model latency of {label} above {latency} ms",
                    threshold=latency * 1000,  # ModelLatency is in microseconds
                    metric={
                        "namespace": NAMESPACE,
                        "metric_name": "ModelLatency",
                        "extended_statistic": "p99",
                        "period": PERIOD_S,
                        "dimensions": dimensions,
                    },
                )
            )
    return alarms


def rollback_alarm_arns(model: ResolvedModel, partition: str, region: str, account: str) -> tuple[str, ...]:
    return tuple(
        f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{alarm.name}" for alarm in rollback_alarms(model)
    )
