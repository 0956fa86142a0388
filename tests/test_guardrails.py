"""Guardrails that can fire: rollback alarms on metrics the endpoint publishes, for every
production variant, readable by the execution role; async scale-out from zero; shadow
sampling; labelled windows for label-merging monitors; one model card per model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelops.aws.rollback_alarms import MAX_METRIC_QUERIES
from modelops.engine.plan import Plan
from modelops.engine.render import RecordingMocks, render
from tests.conftest import REPO_ROOT, edit_yaml, spec_path

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
POLICY = "aws:iam/rolePolicy:RolePolicy"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
CARD = "pulumi-python:dynamic/sagemaker:ModelCard"
JOB_DEFINITION = "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def _metrics(alarm_inputs: dict) -> list[tuple[str, dict]]:
    return [
        (q["metric"]["metricName"], q["metric"]["dimensions"]) for q in alarm_inputs["metricQueries"] if "metric" in q
    ]


def _expression(alarm_inputs: dict) -> str:
    [returned] = [q for q in alarm_inputs["metricQueries"] if q.get("returnData")]
    return returned["expression"]


def _statements(plan: Plan, model: str) -> dict[str, dict]:
    policy = plan.one(POLICY, f"{model}-governance-execution-policy").inputs["policy"]
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_async_rollback_alarm_uses_metrics_async_endpoints_publish(prod: Plan) -> None:
    # demand-forecaster is async: AWS publishes no Invocations for it, so a 5xx rate on
    # Invocations would never have data and never fire.
    alarm = prod.one(ALARM, "demand-forecaster-serving-rollback-5xx").inputs
    names = [name for name, _ in _metrics(alarm)]
    assert "Invocations" not in names
    # failures over the processed count, under each spelling (see modelops.aws.rollback_alarms)
    assert names == ["InvocationFailures", "InvocationsProcesssed", "InvocationsProcessed"]
    assert _expression(alarm) == "MAX([100 * errors0 / processed0_0, 100 * errors0 / processed0_1])"
    realtime = prod.one(ALARM, "fraud-detector-serving-rollback-5xx").inputs
    assert [name for name, _ in _metrics(realtime)][:2] == ["Invocation5XXErrors", "Invocations"]


def test_the_worst_production_variant_trips_the_rollback(prod: Plan) -> None:
    watched = {
        a["alarmName"]
        for a in prod.one(ENDPOINT, "fraud-detector-serving-endpoint").inputs["deploymentConfig"][
            "autoRollbackConfiguration"
        ]["alarms"]
    }
    assert watched == {"fraud-detector-prod-rollback-5xx-rate", "fraud-detector-prod-rollback-p99-latency"}
    for resource in prod.by_type(ALARM):
        if resource.inputs["name"] in watched:
            variants = {dimensions["VariantName"] for _, dimensions in _metrics(resource.inputs)}
            assert variants == {"primary", "challenger"}
            assert _expression(resource.inputs).startswith("MAX([")
            assert len(resource.inputs["metricQueries"]) <= MAX_METRIC_QUERIES
    latency = prod.one(ALARM, "fraud-detector-serving-rollback-p99").inputs
    assert {q["metric"]["stat"] for q in latency["metricQueries"] if "metric" in q} == {"p99"}
    assert latency["threshold"] == 120_000  # 120 ms in microseconds


def test_a_challenger_changes_what_the_alarms_compute_not_which_alarms(project: Path) -> None:
    # The endpoint's alarm list is ForceNew upstream: adding a variant must leave it alone.
    from modelops.gitops.diff import resource_changes

    before = render(project, "prod")
    stack = project / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(
        stack.read_text().replace("{version: 3.0.1, challenger: {version: 3.1.0, traffic_percent: 10}}", "3.0.1")
    )
    after = render(project, "prod")
    changes = {c.name: c for c in resource_changes(before, after)}
    endpoint = changes["fraud-detector-serving-endpoint"]
    assert endpoint.action == "update" and not endpoint.critical
    assert changes["fraud-detector-serving-rollback-5xx"].action == "update"


def test_shadow_takes_no_part_in_rollback(prod: Plan) -> None:
    names = {r.inputs["name"] for r in prod.by_type(ALARM)}
    assert not [n for n in names if "shadow" in n]


def test_execution_role_may_describe_exactly_its_rollback_alarms(prod: Plan) -> None:
    watched = sorted(
        f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{a['alarmName']}"
        for a in prod.one(ENDPOINT, "fraud-detector-serving-endpoint").inputs["deploymentConfig"][
            "autoRollbackConfiguration"
        ]["alarms"]
    )
    statement = _statements(prod, "fraud-detector")["ReadRollbackAlarms"]
    assert statement["Action"] == ["cloudwatch:DescribeAlarms"]
    assert statement["Resource"] == watched


def test_no_rollback_alarms_no_describe_permission() -> None:
    dev = render(REPO_ROOT, "dev")  # dev rolls out all_at_once
    assert "ReadRollbackAlarms" not in _statements(dev, "fraud-detector")


def test_async_from_zero_scales_out_on_backlog_without_capacity(prod: Plan) -> None:
    step = prod.one(SCALING_POLICY, "demand-forecaster-serving-scale-from-zero-policy").inputs
    assert step["policyType"] == "StepScaling"
    assert step["resourceId"] == "endpoint/demand-forecaster-prod/variant/primary"
    config = step["stepScalingPolicyConfiguration"]
    assert config["adjustmentType"] == "ChangeInCapacity"
    assert config["stepAdjustments"] == [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}]
    alarm = prod.one(ALARM, "demand-forecaster-serving-scale-from-zero-alarm").inputs
    assert alarm["metricName"] == "HasBacklogWithoutCapacity"
    assert alarm["dimensions"] == {"EndpointName": "demand-forecaster-prod"}
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold" and alarm["threshold"] == 1
    [action] = alarm["alarmActions"]  # the step policy's ARN
    assert action.startswith("arn:aws:") and action.endswith("demand-forecaster-prod-has-backlog-without-capacity")


def test_no_step_scaling_where_the_minimum_is_not_zero(prod: Plan) -> None:
    steps = [r.name for r in prod.by_type(SCALING_POLICY) if r.inputs["policyType"] == "StepScaling"]
    # demand-forecaster's async endpoint scales from zero instances, toxicity-filter from zero copies
    assert sorted(steps) == [
        "demand-forecaster-serving-scale-from-zero-policy",
        "toxicity-filter-serving-scale-from-zero-policy",
    ]


@pytest.mark.parametrize("sampling", [1, 10, 50, 100])
def test_shadow_weight_ratio_is_the_sampling_fraction(project: Path, sampling: int) -> None:
    stack = project / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(stack.read_text().replace("sampling_percent: 10}", f"sampling_percent: {sampling}}}"))
    config = render(project, "prod").one(CONFIG, "churn-classifier-serving-config").inputs
    [production] = config["productionVariants"]
    [shadow] = config["shadowProductionVariants"]
    assert shadow["initialVariantWeight"] / production["initialVariantWeight"] == pytest.approx(sampling / 100)


def _endpoint_input(plan: Plan, model: str, kind: str) -> dict:
    [definition] = [
        r.inputs["definition"] for r in plan.by_type(JOB_DEFINITION) if r.name.startswith(model) and kind in r.name
    ]
    [job_input] = [v for k, v in definition.items() if k.endswith("JobInput")]
    return job_input["EndpointInput"]


def test_label_merging_monitors_read_a_window_whose_labels_arrived(prod: Plan) -> None:
    # daily schedule, default delay of 24 hours: the day that ended 24 hours ago
    churn = _endpoint_input(prod, "churn-classifier", "model-quality")
    assert (churn["StartTimeOffset"], churn["EndTimeOffset"]) == ("-PT48H", "-PT24H")
    bias = _endpoint_input(prod, "fraud-detector", "bias")
    assert (bias["StartTimeOffset"], bias["EndTimeOffset"]) == ("-PT25H", "-PT24H")  # hourly
    shap = _endpoint_input(prod, "fraud-detector", "explainability")
    assert "StartTimeOffset" not in shap  # merges no labels


def test_label_delay_is_the_users_to_set(project: Path) -> None:
    edit_yaml(
        spec_path(project, "churn-classifier", "1.2.0"),
        lambda d: d["monitoring"]["model_quality"].update({"label_delay_hours": 72}),
    )
    churn = _endpoint_input(render(project, "prod"), "churn-classifier", "model-quality")
    assert (churn["StartTimeOffset"], churn["EndTimeOffset"]) == ("-PT96H", "-PT72H")


def test_model_card_survives_a_version_move(project: Path) -> None:
    before = render(project, "prod").one(CARD, "churn-classifier-governance-model-card").inputs
    stack = project / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(
        stack.read_text().replace("{version: 1.2.0, shadow: {version: 1.3.0, sampling_percent: 10}}", "1.3.0")
    )
    after = render(project, "prod").one(CARD, "churn-classifier-governance-model-card").inputs
    assert before["modelCardName"] == after["modelCardName"] == "churn-classifier-prod"
    assert json.loads(before["content"])["additional_information"]["custom_details"]["release"] == "1.2.0"
    assert json.loads(after["content"])["additional_information"]["custom_details"]["release"] == "1.3.0"
    from components.providers.model_card import ModelCardProvider

    assert ModelCardProvider().diff("churn-classifier-prod", before, after).replaces == []  # updated in place


def test_the_endpoint_is_declared_with_the_replacement_the_diff_expects(monkeypatch: pytest.MonkeyPatch) -> None:
    # Mocks do not see resource options: record the Endpoint's as the component passes them.
    import pulumi_aws

    from modelops.aws.replacements import PROGRAM_REPLACES

    seen: list = []
    original = pulumi_aws.sagemaker.Endpoint

    class RecordingEndpoint(original):  # type: ignore[misc, valid-type]
        def __init__(self, resource_name: str, *args: object, opts: object = None, **kwargs: object) -> None:
            if not resource_name.startswith("pool-"):  # a pool's endpoint has one kind, never replaced for it
                seen.append(opts)
            super().__init__(resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(pulumi_aws.sagemaker, "Endpoint", RecordingEndpoint)
    render(REPO_ROOT, "dev", RecordingMocks("eu-west-1"))  # in this process, where the recording is
    assert seen
    for opts in seen:
        # the engine's bracketed path, the diff's dotted one: the same input
        marked = {path.replace('["', ".").replace('"]', "") for path in opts.replace_on_changes}
        assert marked == PROGRAM_REPLACES[ENDPOINT]
        assert opts.delete_before_replace is True  # the name is fixed: delete, then create
