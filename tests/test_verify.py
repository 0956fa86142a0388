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
