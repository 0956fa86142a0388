"""`modelops verify` against a deploy: the rehearsal's resources, left in moto, then inspected."""

from __future__ import annotations

from pathlib import Path

import boto3

from modelops.live import verify
from modelops.rehearse import emulated_aws, rehearse_in_emulator
from tests.conftest import REPO_ROOT

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


def test_verify_without_credentials_says_so_in_one_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from modelops.cli import app

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(app, ["verify", "--stack", "dev", "--root", str(REPO_ROOT)])
    assert result.exit_code == 1
    assert result.output.strip() == "modelops: AWS: Unable to locate credentials"


def test_drift_reports_what_changed_outside_the_stack() -> None:
    from modelops.live import drift

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
