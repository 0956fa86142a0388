"""`modelops verify` against a deploy: the rehearsal's resources, left in moto, then inspected."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from modelops.engine.live import verify
from modelops.engine.moto_gaps import monitoring_schedules
from modelops.engine.rehearse import emulated_aws, rehearse_in_emulator
from tests.conftest import REPO_ROOT, json_document, sagemaker_only

REGION = "eu-west-1"


def test_a_fresh_deploy_verifies() -> None:
    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        report = verify(REPO_ROOT, "prod")
    assert report.ok, report.summary()
    subjects = {c.subject for c in report.checks}
    assert {
        "endpoint fraud-detector-prod",
        "schedule fraud-detector-prod-shap",
        "feature group customer-profile-prod",
    } <= subjects
    assert len([s for s in subjects if s.startswith("schedule ")]) == 7


def test_verify_names_what_is_not_as_intended(project: Path) -> None:
    sagemaker_only(project)  # kubernetes models are verified against a cluster: test_verify_kubernetes.py
    with emulated_aws(REGION):
        assert rehearse_in_emulator(project, "dev").ok
        client = boto3.client("sagemaker", region_name=REGION)
        client.delete_endpoint(EndpointName="demand-forecaster-dev")
        client.delete_feature_group(FeatureGroupName="payments-history-dev")
        report = verify(project, "dev")
    failed = {c.subject: c.message for c in report.checks if not c.ok}
    assert set(failed) == {"endpoint demand-forecaster-dev", "feature group payments-history-dev"}
    assert "Could not find endpoint" in failed["endpoint demand-forecaster-dev"]
    assert "ResourceNotFound" in failed["feature group payments-history-dev"]
    assert "FAIL endpoint demand-forecaster-dev" in report.summary()


def test_verify_and_drift_without_credentials_exit_3_in_one_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from modelops.cli import app

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for command in ("verify", "drift"):
        # prod serves on SageMaker only; a stack with kubernetes models needs a cluster first.
        result = CliRunner().invoke(app, [command, "--stack", "prod", "--root", str(REPO_ROOT)])
        # 3, not 1: nothing was compared, so there is no finding about the stack.
        assert result.exit_code == 3, result.output
        assert result.output.strip() == "modelops: AWS: Unable to locate credentials"
        as_json = CliRunner().invoke(app, [command, "--stack", "prod", "--root", str(REPO_ROOT), "--format", "json"])
        assert as_json.exit_code == 3, as_json.output
        document = json_document(as_json, command)
        assert document["error"] == {"kind": "aws", "message": "Unable to locate credentials"}
        assert document["ok"] is False and document["checks"] == []


def test_json_documents_of_a_deploy_on_aws() -> None:
    from typer.testing import CliRunner

    from modelops.cli import app

    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        boto3.client("sagemaker", region_name=REGION).delete_endpoint(EndpointName="churn-classifier-prod")
        results = {
            command: CliRunner().invoke(app, [command, "--stack", "prod", "--root", str(REPO_ROOT), "--format", "json"])
            for command in ("verify", "drift")
        }
    for command, result in results.items():
        assert result.exit_code == 1, result.output
        document = json_document(result, command)
        assert document["against"] == "AWS" and document["ok"] is False
        failed = {c["subject"]: c["message"] for c in document["checks"] if not c["ok"]}
        assert "Could not find endpoint" in failed["endpoint churn-classifier-prod"]
        assert "schedule fraud-detector-prod-shap" in {c["subject"] for c in document["checks"]}


def test_drift_reports_what_changed_outside_the_stack() -> None:
    from modelops.engine.live import drift

    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        clean = drift(REPO_ROOT, "prod")
        client = boto3.client("sagemaker", region_name=REGION)
        client.update_endpoint_weights_and_capacities(
            EndpointName="fraud-detector-prod",
            DesiredWeightsAndCapacities=[{"VariantName": "challenger", "DesiredWeight": 50.0}],
        )
        boto3.client("application-autoscaling", region_name=REGION).register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId="endpoint/churn-classifier-prod/variant/primary",
            ScalableDimension="sagemaker:variant:DesiredInstanceCount",
            MinCapacity=1,
            MaxCapacity=40,
        )
        client.update_feature_group(
            FeatureGroupName="customer-profile-prod", OnlineStoreConfig={"TtlDuration": {"Unit": "Days", "Value": 7}}
        )
        drifted = drift(REPO_ROOT, "prod")
    assert clean.ok, clean.summary()
    assert {c.subject for c in clean.checks} >= {
        "endpoint fraud-detector-prod variant challenger",
        "autoscaling endpoint/fraud-detector-prod/variant/challenger",
        "schedule fraud-detector-prod-dq",
        "feature group customer-profile-prod",
    }
    found = {c.subject: c.message for c in drifted.checks if not c.ok}
    assert found == {
        "endpoint fraud-detector-prod variant challenger": "weight 50.0, the stack intends 10.0",
        "autoscaling endpoint/churn-classifier-prod/variant/primary": "1-40 instances, the stack intends 3-12",
        "feature group customer-profile-prod": (
            "online TTL {'unit': 'Days', 'value': 7}, the stack intends {'unit': 'Days', 'value': 30}"
        ),
    }
    assert "DRIFT endpoint fraud-detector-prod variant challenger" in drifted.summary()


# What only AWS's own processes produce (a rollback, maintenance, a monitoring run) moto never
# does: an endpoint stays InService on the configuration it was given, and modelops's emulated
# schedules never run. These helpers put it into moto's state directly, the way AWS would leave it.


def _sagemaker_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[DEFAULT_ACCOUNT_ID][REGION]


def _set_endpoint(name: str, status: str, failure_reason: str | None = None, **attributes: Any) -> None:
    """DescribeEndpoint returns moto's FakeEndpoint attributes, CamelCased (`pending_deployment_summary`...)."""
    endpoint = _sagemaker_backend().endpoints[name]
    endpoint.endpoint_status = status
    endpoint.failure_reason = failure_reason
    for key, value in {"pending_deployment_summary": None, **attributes}.items():
        setattr(endpoint, key, value)


def _roll_back(name: str, failure_reason: str | None) -> tuple[str, str]:
    """Leave an endpoint as a failed or auto-rolled-back update does: InService on the previous configuration.

    Returns (previous configuration, the configuration the stack intends).
    """
    client = boto3.client("sagemaker", region_name=REGION)
    intended = client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    variants = client.describe_endpoint_config(EndpointConfigName=intended)["ProductionVariants"]
    previous = f"{name}-previous"
    client.create_endpoint_config(EndpointConfigName=previous, ProductionVariants=variants)
    _set_endpoint(name, "InService", failure_reason, endpoint_config_name=previous)
    return previous, intended


ROLLBACK_REASON = "Alarm fraud-detector-prod-rollback-errors tripped during the baking period (test text)"


def test_verify_fails_an_endpoint_that_rolled_back_and_prints_why() -> None:
    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        previous, intended = _roll_back("fraud-detector-prod", ROLLBACK_REASON)
        quiet_previous, quiet_intended = _roll_back("churn-classifier-prod", None)
        report = verify(REPO_ROOT, "prod")
    failed = {c.subject: c.message for c in report.checks if not c.ok}
    assert failed == {
        "endpoint fraud-detector-prod": f"rolled back to {previous}, the stack intends {intended}: {ROLLBACK_REASON}",
        "endpoint churn-classifier-prod": (
            f"runs {quiet_previous}, the stack intends {quiet_intended} "
            "(an update rolled back without a FailureReason, or was never made)"
        ),
    }
    assert f"  FAIL endpoint fraud-detector-prod: rolled back to {previous}" in report.summary()


def test_verify_judges_each_endpoint_status() -> None:
    """SystemUpdating passes (AWS maintenance, still serving); every other status but InService fails."""
    found: dict[str, tuple[bool, str]] = {}
    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        client = boto3.client("sagemaker", region_name=REGION)
        config = client.describe_endpoint(EndpointName="fraud-detector-prod")["EndpointConfigName"]
        cases: dict[str, tuple[str | None, dict[str, Any]]] = {
            "SystemUpdating": (None, {}),
            # On the planned configuration, a FailureReason is left over from an earlier update.
            "InService": ("Could not scale variant primary to 4 instances.", {}),
            "Updating": (None, {"pending_deployment_summary": {"EndpointConfigName": "fraud-detector-prod-next"}}),
            "Creating": (None, {}),
            "Failed": ("The primary container failed its ping health check.", {}),
            "UpdateRollbackFailed": ("Rollback alarm tripped; rollback could not start instances.", {}),
            "OutOfService": ("Insufficient capacity for ml.m5.xlarge.", {}),
            "RollingBack": ("Could not scale variant primary to 4 instances.", {}),
        }
        for status, (reason, attributes) in cases.items():
            _set_endpoint("fraud-detector-prod", status, reason, **attributes)
            check = next(c for c in verify(REPO_ROOT, "prod").checks if c.subject == "endpoint fraud-detector-prod")
            found[status] = (check.ok, check.message)
    assert found == {
        "SystemUpdating": (True, f"SystemUpdating on {config} (AWS maintenance, still serving)"),
        "InService": (
            True,
            f"InService on {config} (an earlier update failed: Could not scale variant primary to 4 instances.)",
        ),
        "Updating": (
            False,
            f"Updating from {config} to fraud-detector-prod-next (still updating, run verify again when it finishes)",
        ),
        "Creating": (False, f"Creating on {config} (still being created, run verify again when it finishes)"),
        "Failed": (
            False,
            f"Failed on {config} (cannot serve, DeleteEndpoint is the only call it accepts): "
            "The primary container failed its ping health check.",
        ),
        "UpdateRollbackFailed": (
            False,
            f"UpdateRollbackFailed on {config} (the rolling deployment and its rollback both failed, it serves a mix "
            "of configurations): Rollback alarm tripped; rollback could not start instances.",
        ),
        "OutOfService": (
            False,
            f"OutOfService on {config} (takes no requests): Insufficient capacity for ml.m5.xlarge.",
        ),
        "RollingBack": (
            False,
            f"RollingBack on {config} (rolling back a weights or capacity change): "
            "Could not scale variant primary to 4 instances.",
        ),
    }


def _last_execution(schedule: str, status: str, definition: str, failure_reason: str | None = None) -> None:
    """A schedule's last run, as DescribeMonitoringSchedule's LastMonitoringExecutionSummary reports it."""
    now = datetime.now(UTC)
    summary = {
        "MonitoringScheduleName": schedule,
        "ScheduledTime": now,
        "CreationTime": now,
        "LastModifiedTime": now,
        "MonitoringExecutionStatus": status,
        "MonitoringJobDefinitionName": definition,
    }
    if failure_reason:
        summary["FailureReason"] = failure_reason
    monitoring_schedules(_sagemaker_backend())[schedule]["LastMonitoringExecutionSummary"] = summary


def test_verify_fails_a_schedule_whose_last_execution_failed_but_not_one_with_violations() -> None:
    reason = "AlgorithmError: no data captured in\ns3://acme-ml-capture/data-capture/fraud-detector/"
    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        client = boto3.client("sagemaker", region_name=REGION)

        def definition(schedule: str) -> str:
            described = client.describe_monitoring_schedule(MonitoringScheduleName=schedule)
            return str(described["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"])

        _last_execution("fraud-detector-prod-dq", "Failed", definition("fraud-detector-prod-dq"), reason)
        _last_execution("fraud-detector-prod-mq", "CompletedWithViolations", definition("fraud-detector-prod-mq"))
        # A failure of the definition this deploy replaced says nothing about the new one.
        _last_execution("fraud-detector-prod-bias", "Failed", "fraud-detector-prod-bias-replaced", reason)
        # The schedule itself failing is another matter: it never starts a run.
        monitoring_schedules(_sagemaker_backend())["fraud-detector-prod-shap"].update(
            MonitoringScheduleStatus="Failed", FailureReason="The role cannot be assumed."
        )
        report = verify(REPO_ROOT, "prod")
    checks = {c.subject: c for c in report.checks}
    assert {c.subject: c.message for c in report.checks if not c.ok} == {
        "schedule fraud-detector-prod-dq": f"last execution Failed: {reason}",
        "schedule fraud-detector-prod-shap": "Failed: The role cannot be assumed.",
    }
    assert checks["schedule fraud-detector-prod-mq"].message.endswith(", last execution CompletedWithViolations")
    assert checks["schedule fraud-detector-prod-bias"].message.endswith(
        ", not run yet (last execution Failed, of fraud-detector-prod-bias-replaced)"
    )
    # A multi-line FailureReason still prints as one line.
    assert (
        "  FAIL schedule fraud-detector-prod-dq: last execution Failed: AlgorithmError: no data captured in "
        "s3://acme-ml-capture/data-capture/fraud-detector/\n"
    ) in report.summary()


def test_drift_reports_an_endpoint_running_another_configuration() -> None:
    from modelops.engine.live import drift

    with emulated_aws(REGION):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok
        previous, intended = _roll_back("fraud-detector-prod", ROLLBACK_REASON)
        report = drift(REPO_ROOT, "prod")
    found = {c.subject: c.message for c in report.checks if not c.ok}
    assert found == {
        "endpoint fraud-detector-prod": (
            f"runs {previous}, the stack intends {intended} (an update rolled back: {ROLLBACK_REASON})"
        )
    }
    # The variants of a configuration the stack does not intend are not compared with the plan's.
    assert not [c for c in report.checks if c.subject.startswith("endpoint fraud-detector-prod variant")]
    assert "  DRIFT endpoint fraud-detector-prod: runs" in report.summary()
