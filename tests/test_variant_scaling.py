"""Autoscaling taken off around an endpoint update AWS refuses with it on, then restored (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.providers.variant_scaling import (
    DIMENSION,
    NAMESPACE,
    ScalingPauseProvider,
    ScalingResumeProvider,
    resource_id,
)
from modelops.engine.render import RecordingMocks, render
from tests.conftest import MOTO_REGION, REPO_ROOT

TEST_ENDPOINT = "fraud-detector-prod"
TEST_ALARM = "fraud-detector-prod-has-backlog-without-capacity"


@pytest.fixture
def scaling(sagemaker: Any) -> Iterator[Any]:
    """Application Auto Scaling on moto with primary and challenger registered, each with a
    target-tracking policy, and a step policy whose alarm names it by ARN."""
    import boto3

    client = boto3.client("application-autoscaling", region_name=MOTO_REGION)
    cloudwatch = boto3.client("cloudwatch", region_name=MOTO_REGION)
    for variant, (low, high) in {"primary": (2, 10), "challenger": (1, 4)}.items():
        rid = resource_id(TEST_ENDPOINT, variant)
        client.register_scalable_target(
            ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION, MinCapacity=low, MaxCapacity=high
        )
        client.put_scaling_policy(
            PolicyName=f"{variant}-tracking",
            ServiceNamespace=NAMESPACE,
            ResourceId=rid,
            ScalableDimension=DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 1000.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            },
        )
    step = client.put_scaling_policy(
        PolicyName="primary-step",
        ServiceNamespace=NAMESPACE,
        ResourceId=resource_id(TEST_ENDPOINT, "primary"),
        ScalableDimension=DIMENSION,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
        },
    )
    cloudwatch.put_metric_alarm(
        AlarmName=TEST_ALARM,
        Namespace="AWS/SageMaker",
        MetricName="HasBacklogWithoutCapacity",
        Dimensions=[{"Name": "EndpointName", "Value": TEST_ENDPOINT}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=2,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[step["PolicyARN"]],
    )
    yield client


def registered(client: Any, variant: str) -> tuple[Any, list[str]]:
    rid = resource_id(TEST_ENDPOINT, variant)
    targets = client.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[rid], ScalableDimension=DIMENSION
    )["ScalableTargets"]
    policies = client.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=rid)["ScalingPolicies"]
    limits = (targets[0]["MinCapacity"], targets[0]["MaxCapacity"]) if targets else None
    return limits, sorted(p["PolicyName"] for p in policies)


def props(variants: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"region": MOTO_REGION, "endpointName": TEST_ENDPOINT, "variants": variants, **more}


BEFORE = {"primary": "ml.c5.xlarge", "challenger": "ml.c5.xlarge"}


def test_an_instance_type_change_is_deregistered_before_and_restored_after(scaling: Any) -> None:
    after = {"primary": "ml.c5.2xlarge", "challenger": "ml.c5.xlarge"}
    pause = ScalingPauseProvider()
    assert pause.diff(TEST_ENDPOINT, props(BEFORE), props(after)).changes
    paused = pause.update(TEST_ENDPOINT, props(BEFORE, paused=[]), props(after)).outs["paused"]
    assert [p["variant"] for p in paused] == ["primary"]
    assert registered(scaling, "primary") == (None, [])  # UpdateEndpoint may now change its instance type
    assert registered(scaling, "challenger") == ((1, 4), ["challenger-tracking"])  # untouched

    resumed = (
        ScalingResumeProvider()
        .update(TEST_ENDPOINT, props(BEFORE, paused=[]), props(after, paused=paused))
        .outs["resumed"]
    )
    assert resumed == ["primary"]
    assert registered(scaling, "primary") == ((2, 10), ["primary-step", "primary-tracking"])
    import boto3

    [alarm] = boto3.client("cloudwatch", region_name=MOTO_REGION).describe_alarms(AlarmNames=[TEST_ALARM])[
        "MetricAlarms"
    ]
    [step] = [
        p
        for p in scaling.describe_scaling_policies(ServiceNamespace=NAMESPACE)["ScalingPolicies"]
        if p["PolicyName"] == "primary-step"
    ]
    assert alarm["AlarmActions"] == [step["PolicyARN"]]  # points at the policy as re-created


def test_a_removed_variant_is_deregistered_and_not_restored(scaling: Any) -> None:
    after = {"primary": "ml.c5.xlarge"}
    paused = ScalingPauseProvider().update(TEST_ENDPOINT, props(BEFORE, paused=[]), props(after)).outs["paused"]
    assert [p["variant"] for p in paused] == ["challenger"]
    resumed = ScalingResumeProvider().update(TEST_ENDPOINT, props(BEFORE), props(after, paused=paused)).outs["resumed"]
    assert resumed == []
    assert registered(scaling, "challenger") == (None, [])
    assert registered(scaling, "primary")[0] == (2, 10)


def test_an_unchanged_instance_type_keeps_scaling(scaling: Any) -> None:
    pause = ScalingPauseProvider()
    assert not pause.diff(TEST_ENDPOINT, props(BEFORE), props(dict(BEFORE))).changes
    assert pause.update(TEST_ENDPOINT, props(BEFORE), props(dict(BEFORE))).outs["paused"] == []
    assert registered(scaling, "primary")[0] == (2, 10)


def test_the_pause_runs_before_the_endpoint_and_the_scaling_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # Mocks do not see dependencies: record them as the component declares them.
    import pulumi_aws

    from components.providers.variant_scaling import ScalingPause, ScalingResume

    seen: dict[str, list] = {}

    def recording(cls: type) -> type:
        class Recording(cls):  # type: ignore[misc, valid-type]
            def __init__(self, resource_name: str, *args: object, opts: Any = None, **kwargs: object) -> None:
                # A pool's instances scale by themselves, and its components' copies have no pause.
                copies = kwargs.get("scalable_dimension") == "sagemaker:inference-component:DesiredCopyCount"
                if not resource_name.startswith("pool-") and not copies:
                    seen.setdefault(cls.__name__, []).append(opts.depends_on if opts else None)
                super().__init__(resource_name, *args, opts=opts, **kwargs)

        return Recording

    monkeypatch.setattr(pulumi_aws.sagemaker, "Endpoint", recording(pulumi_aws.sagemaker.Endpoint))
    monkeypatch.setattr(pulumi_aws.appautoscaling, "Target", recording(pulumi_aws.appautoscaling.Target))
    render(REPO_ROOT, "prod", RecordingMocks("eu-west-1"))  # in this process, where the recording is
    assert seen["Endpoint"] and all(any(isinstance(d, ScalingPause) for d in deps) for deps in seen["Endpoint"])
    assert seen["Target"] and all(any(isinstance(d, ScalingResume) for d in deps) for deps in seen["Target"])


@pytest.fixture
def endpoint(sagemaker: Any) -> Any:
    """fraud-detector-prod with two variants of two instances each, as a deploy left it."""
    sagemaker.create_model(
        ModelName="fraud",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/modelops-fraud-detector-prod",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud:1"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="fraud-config",
        ProductionVariants=[
            {"VariantName": v, "ModelName": "fraud", "InitialInstanceCount": 2, "InstanceType": "ml.c5.xlarge"}
            for v in ("primary", "challenger")
        ],
    )
    sagemaker.create_endpoint(EndpointName=TEST_ENDPOINT, EndpointConfigName="fraud-config")
    return sagemaker


def counts(client: Any) -> dict[str, int]:
    variants = client.describe_endpoint(EndpointName=TEST_ENDPOINT)["ProductionVariants"]
    return {v["VariantName"]: v["DesiredInstanceCount"] for v in variants}


def set_counts(client: Any, **desired: int) -> None:
    client.update_endpoint_weights_and_capacities(
        EndpointName=TEST_ENDPOINT,
        DesiredWeightsAndCapacities=[{"VariantName": v, "DesiredInstanceCount": n} for v, n in desired.items()],
    )


def test_the_count_the_autoscaler_reached_survives_the_update(endpoint: Any, scaling: Any) -> None:
    set_counts(endpoint, primary=7, challenger=3)  # scaled out under load
    after = {"primary": "ml.c5.xlarge", "challenger": "ml.c5.2xlarge"}  # challenger changes type
    pause = ScalingPauseProvider()
    news = props(after, endpointConfigName="fraud-config-2")
    assert pause.diff(TEST_ENDPOINT, props(BEFORE, endpointConfigName="fraud-config"), news).changes
    outs = pause.update(TEST_ENDPOINT, props(BEFORE, endpointConfigName="fraud-config"), news).outs
    assert outs["counts"] == {"primary": 7}  # a new instance type starts afresh
    set_counts(endpoint, primary=2, challenger=2)  # what UpdateEndpoint does to both
    limits = {"primary": [2, 5], "challenger": [1, 4]}
    restored = (
        ScalingResumeProvider()
        .update(TEST_ENDPOINT, props(BEFORE), props(after, limits=limits, paused=outs["paused"], counts=outs["counts"]))
        .outs["restored"]
    )
    assert restored == {"primary": 5}  # within the new version's limits
    assert counts(endpoint) == {"primary": 5, "challenger": 2}


def test_a_config_change_alone_runs_the_pause(endpoint: Any) -> None:
    olds, news = props(BEFORE, endpointConfigName="a"), props(dict(BEFORE), endpointConfigName="b")
    assert ScalingPauseProvider().diff(TEST_ENDPOINT, olds, news).changes
