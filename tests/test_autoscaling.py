"""An endpoint's autoscaling as rendered: what each mode scales on, and the bounds the spec allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan
from modelops.engine.render import render
from tests.conftest import REPO_ROOT, edit_yaml, problems, spec_path

TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def tracking(plan: Plan, name: str) -> dict[str, Any]:
    policy = plan.one(POLICY, name).inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    return dict(policy["targetTrackingScalingPolicyConfiguration"])


@pytest.mark.parametrize(
    ("policy", "target_value"),
    [
        ("churn-classifier-serving-scaling-policy", 700),
        ("fraud-detector-serving-scaling-policy", 1000),
        ("fraud-detector-serving-challenger-scaling-policy", 1000),
    ],
    ids=["churn-classifier", "fraud-detector", "fraud-detector-challenger"],
)
def test_a_realtime_variant_scales_on_invocations_per_instance(prod: Plan, policy: str, target_value: float) -> None:
    assert tracking(prod, policy) == {
        "predefinedMetricSpecification": {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "targetValue": target_value,
        "scaleInCooldown": 300,
        "scaleOutCooldown": 60,
    }


def test_an_async_endpoint_scales_on_its_backlog_per_instance(prod: Plan) -> None:
    """AWS's async inference guide: target tracking on the customized metric
    ApproximateBacklogSizePerInstance of the endpoint, its average (an async endpoint serves
    from a queue, and SageMakerVariantInvocationsPerInstance does not measure it)."""
    assert tracking(prod, "demand-forecaster-serving-scaling-policy") == {
        "customizedMetricSpecification": {
            "metricName": "ApproximateBacklogSizePerInstance",
            "namespace": "AWS/SageMaker",
            "statistic": "Average",
            "dimensions": [{"name": "EndpointName", "value": "demand-forecaster-prod"}],
        },
        "targetValue": 50,
        "scaleInCooldown": 300,
        "scaleOutCooldown": 60,
    }


def test_min_instances_equal_to_max_instances_is_allowed_and_rendered(project: Path) -> None:
    """`1 <= min_instances <= max_instances`: equal bounds are a fixed size the autoscaler keeps."""

    def fixed_prod_size(data: dict[str, Any]) -> None:
        data["environments"]["prod"]["serving"] = {
            "instance_count": 3,
            "autoscaling": {"min_instances": 3, "max_instances": 3},
        }

    def fixed_async_size(data: dict[str, Any]) -> None:
        data["environments"]["prod"] = {
            "serving": {"instance_count": 2, "autoscaling": {"min_instances": 2, "max_instances": 2}}
        }

    edit_yaml(spec_path(project), fixed_prod_size)
    edit_yaml(spec_path(project, "demand-forecaster", "1.0.0"), fixed_async_size)
    assert problems(project) == []
    plan = render(project, "prod")
    for name, size in (("churn-classifier", 3), ("demand-forecaster", 2)):
        target = plan.one(TARGET, f"{name}-serving-scaling-target").inputs
        assert (target["minCapacity"], target["maxCapacity"]) == (size, size), name
        assert target["resourceId"] == f"endpoint/{name}-prod/variant/primary"
