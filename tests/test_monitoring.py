"""Model monitors as planned: job definitions, schedules, violation alarms and the jobs' role."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource
from modelops.engine.render import render
from tests.conftest import REPO_ROOT, edit_yaml, problems, spec_path

DATA_QUALITY = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
DYNAMIC_JOB = "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
RULE = "aws:cloudwatch/eventRule:EventRule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
POLICY = "aws:iam/rolePolicy:RolePolicy"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
PROD_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ml-alarms"
PROD_SUBNETS = ["subnet-1a2b3c4d", "subnet-5e6f7a8b"]


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def _of(plan: Plan, type_token: str, model: str) -> list[PlanResource]:
    return [r for r in plan.by_type(type_token) if r.name.startswith(f"{model}-monitoring-")]


def test_every_enabled_monitor_has_definition_schedule_and_alarm(prod: Plan) -> None:
    kinds = {r.inputs["kind"] for r in _of(prod, DYNAMIC_JOB, "fraud-detector")}
    assert kinds == {"ModelQuality", "ModelBias", "ModelExplainability"}
    assert len(_of(prod, DATA_QUALITY, "fraud-detector")) == 1
    schedules = {
        r.inputs["monitoringScheduleConfig"]["monitoringType"]: r.inputs for r in _of(prod, SCHEDULE, "fraud-detector")
    }
    assert set(schedules) == {"DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"}
    for schedule in schedules.values():
        assert schedule["monitoringScheduleConfig"]["scheduleConfig"] == {"scheduleExpression": "cron(0 * ? * * *)"}
    # churn enables data and model quality only (daily).
    churn = {r.inputs["monitoringScheduleConfig"]["monitoringType"] for r in _of(prod, SCHEDULE, "churn-classifier")}
    assert churn == {"DataQuality", "ModelQuality"}
    alarms = [a for a in _of(prod, ALARM, "fraud-detector")]
    rules = {r.inputs["name"]: r.inputs for r in _of(prod, RULE, "fraud-detector")}
    assert len(alarms) == len(rules) == 4
    for alarm in alarms:
        inputs = alarm.inputs
        assert inputs["alarmActions"] == [PROD_TOPIC]
        assert (inputs["namespace"], inputs["metricName"]) == ("AWS/Events", "MatchedEvents")
        pattern = json.loads(rules[inputs["dimensions"]["RuleName"]]["eventPattern"])
        assert pattern["detail"]["ExitMessage"] == [{"prefix": "CompletedWithViolations"}]
        assert pattern["detail"]["MonitoringScheduleArn"][0].startswith("arn:aws:sagemaker:eu-west-1:")


def _definitions(plan: Plan, model: str) -> dict[str, dict[str, Any]]:
    return {r.inputs["kind"]: r.inputs["definition"] for r in _of(plan, DYNAMIC_JOB, model)}


def test_jobs_read_the_capture_and_write_encrypted_reports_in_the_vpc(prod: Plan) -> None:
    definitions = _definitions(prod, "fraud-detector")
    for kind, definition in definitions.items():
        endpoint_input = definition[f"{kind}JobInput"]["EndpointInput"]
        assert endpoint_input["EndpointName"] == "fraud-detector-prod"
        output = definition[f"{kind}JobOutputConfig"]
        assert output["KmsKeyId"] == PROD_KMS
        assert output["MonitoringOutputs"][0]["S3Output"]["S3Uri"].startswith(
            "s3://acme-ml-monitoring/monitoring/fraud-detector/"
        )
        assert definition["JobResources"]["ClusterConfig"]["VolumeKmsKeyId"] == PROD_KMS
        assert definition["NetworkConfig"]["VpcConfig"] == {
            "SecurityGroupIds": ["sg-1c2d3e4f"],
            "Subnets": PROD_SUBNETS,
        }
        assert definition["RoleArn"].endswith(":role/modelops-fraud-detector-prod-monitor")
    assert "clarify" in definitions["ModelBias"]["ModelBiasAppSpecification"]["ImageUri"]
    assert definitions["ModelBias"]["ModelBiasAppSpecification"]["ConfigUri"] == "s3://acme-ml-config/fraud/bias.json"
    assert definitions["ModelBias"]["ModelBiasJobInput"]["GroundTruthS3Input"] == {"S3Uri": "s3://acme-labels/fraud/"}
    quality = definitions["ModelQuality"]
    assert "model-monitor-analyzer" in quality["ModelQualityAppSpecification"]["ImageUri"]
    assert quality["ModelQualityAppSpecification"]["ProblemType"] == "BinaryClassification"
    assert quality["ModelQualityJobInput"]["EndpointInput"]["ProbabilityThresholdAttribute"] == 0.8
    [data_quality] = _of(prod, DATA_QUALITY, "fraud-detector")
    network = data_quality.inputs["networkConfig"]
    assert network["vpcConfig"] == {"securityGroupIds": ["sg-1c2d3e4f"], "subnets": PROD_SUBNETS}
    assert data_quality.inputs["dataQualityJobOutputConfig"]["kmsKeyId"] == PROD_KMS


def test_monitoring_role_is_scoped_to_the_monitored_locations(prod: Plan) -> None:
    statements = {
        s["Sid"]: s
        for s in json.loads(prod.one(POLICY, "fraud-detector-monitoring-jobs-policy").inputs["policy"])["Statement"]
    }
    assert statements["ReadCapturedData"]["Resource"] == ["arn:aws:s3:::acme-ml-capture/data-capture/fraud-detector/*"]
    assert statements["ReadGroundTruth"]["Resource"] == ["arn:aws:s3:::acme-labels/fraud/*"]
    assert statements["ReadAnalysisConfigs"]["Resource"] == [
        "arn:aws:s3:::acme-ml-config/fraud/bias.json",
        "arn:aws:s3:::acme-ml-config/fraud/shap.json",
    ]
    assert statements["WriteReports"]["Resource"] == ["arn:aws:s3:::acme-ml-monitoring/monitoring/fraud-detector/*"]
    assert statements["InvokeMonitoredEndpoint"]["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/fraud-detector-prod"
    ]
    assert statements["UseStackKey"]["Resource"] == [PROD_KMS]
    churn = {
        s["Sid"]
        for s in json.loads(prod.one(POLICY, "churn-classifier-monitoring-jobs-policy").inputs["policy"])["Statement"]
    }
    assert "InvokeMonitoredEndpoint" not in churn and "ReadAnalysisConfigs" not in churn  # no Clarify monitor


def test_changed_definition_gets_a_new_name_and_the_same_schedule(project: Path) -> None:
    before = render(project, "dev")
    edit_yaml(
        spec_path(project, "fraud-detector", "3.1.0"),
        lambda d: d["monitoring"].update({"instance_type": "ml.m5.2xlarge"}),
    )
    after = render(project, "dev")
    old, new = _definitions(before, "fraud-detector"), _definitions(after, "fraud-detector")
    assert old["ModelBias"]["JobDefinitionName"] != new["ModelBias"]["JobDefinitionName"]
    assert {r.inputs["name"] for r in _of(before, SCHEDULE, "fraud-detector")} == {
        r.inputs["name"] for r in _of(after, SCHEDULE, "fraud-detector")
    }


def test_cron_schedule_is_passed_through(project: Path) -> None:
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.1.0"),
        lambda d: d["monitoring"].update({"schedule": "cron(0 0/6 ? * * *)"}),
    )
    [schedule] = _of(render(project, "dev"), SCHEDULE, "demand-forecaster")
    assert schedule.inputs["monitoringScheduleConfig"]["scheduleConfig"]["scheduleExpression"] == "cron(0 0/6 ? * * *)"


def test_bias_without_labels_reads_them_from_the_monitoring_bucket(project: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["metadata"]["risk"] = "low"  # prod requires model quality for medium and high risk
        data["monitoring"]["model_quality"] = {"enabled": False}
        data["monitoring"]["bias"] = {"enabled": True, "analysis_config_s3_uri": "s3://acme-ml-config/fraud/bias.json"}

    edit_yaml(spec_path(project, "fraud-detector", "3.1.0"), change)
    assert problems(project) == []
    plan = render(project, "dev")
    bias = _definitions(plan, "fraud-detector")["ModelBias"]
    labels = "s3://modelops-123456789012-eu-west-1-dev/monitoring/fraud-detector/ground-truth/"
    assert bias["ModelBiasJobInput"]["GroundTruthS3Input"] == {"S3Uri": labels}
    statements = {
        s["Sid"]: s
        for s in json.loads(plan.one(POLICY, "fraud-detector-monitoring-jobs-policy").inputs["policy"])["Statement"]
    }
    assert statements["ReadGroundTruth"]["Resource"] == [
        "arn:aws:s3:::modelops-123456789012-eu-west-1-dev/monitoring/fraud-detector/ground-truth/*"
    ]


def test_no_alarm_action_without_a_topic() -> None:
    dev = render(REPO_ROOT, "dev")
    alarms = [a for a in dev.by_type(ALARM) if "-monitoring-" in a.name]
    assert alarms and all(a.inputs.get("alarmActions", []) == [] for a in alarms)


def test_rules_cover_the_new_encryptable_and_taggable_resources(prod: Plan) -> None:
    from modelops.rules import RuleContext, check_resource

    ctx = RuleContext("prod", PROD_KMS, "arn:aws:iam::123456789012:policy/ml-boundary")
    [job] = [r for r in _of(prod, DYNAMIC_JOB, "fraud-detector") if r.inputs["kind"] == "ModelBias"]
    assert list(check_resource(job, ctx)) == []
    broken = copy.deepcopy(job)
    del broken.inputs["definition"]["ModelBiasJobOutputConfig"]["KmsKeyId"]
    broken.inputs["tags"].pop("owner")
    assert sorted(rule for rule, _ in check_resource(broken, ctx)) == ["kms-encryption", "required-tags"]
    group = prod.by_type("aws:sagemaker/featureGroup:FeatureGroup")[0]
    unencrypted = copy.deepcopy(group)
    del unencrypted.inputs["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"]
    assert [m for r, m in check_resource(unencrypted, ctx) if r == "kms-encryption"] == [
        "offlineStoreConfig.s3StorageConfig.kmsKeyId is not the stack's KMS key"
    ]


def test_baselines_are_wired_and_readable(prod: Plan) -> None:
    [data_quality] = _of(prod, DATA_QUALITY, "fraud-detector")
    base = "s3://acme-ml-baselines/fraud-detector/3.0.1"
    assert data_quality.inputs["dataQualityBaselineConfig"] == {
        "constraintsResource": {"s3Uri": f"{base}/data/constraints.json"},
        "statisticsResource": {"s3Uri": f"{base}/data/statistics.json"},
    }
    quality = _definitions(prod, "fraud-detector")["ModelQuality"]
    assert quality["ModelQualityBaselineConfig"] == {
        "ConstraintsResource": {"S3Uri": f"{base}/quality/constraints.json"}
    }
    assert "ModelBiasBaselineConfig" not in _definitions(prod, "fraud-detector")["ModelBias"]
    statements = {
        s["Sid"]: s
        for s in json.loads(prod.one(POLICY, "fraud-detector-monitoring-jobs-policy").inputs["policy"])["Statement"]
    }
    assert statements["ReadBaselines"]["Resource"] == [
        "arn:aws:s3:::acme-ml-baselines/fraud-detector/3.0.1/data/constraints.json",
        "arn:aws:s3:::acme-ml-baselines/fraud-detector/3.0.1/data/statistics.json",
        "arn:aws:s3:::acme-ml-baselines/fraud-detector/3.0.1/quality/constraints.json",
    ]
    churn = {
        s["Sid"]
        for s in json.loads(prod.one(POLICY, "churn-classifier-monitoring-jobs-policy").inputs["policy"])["Statement"]
    }
    assert "ReadBaselines" not in churn
