"""`rehearse`: the real program, every resource a botocore-validated call against moto."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelops.engine.rehearse import rehearse, to_botocore
from tests.conftest import REPO_ROOT, edit_yaml, spec_path


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_stacks_rehearse_cleanly(stack: str) -> None:
    report = rehearse(REPO_ROOT, stack)
    assert report.ok, report.summary()
    calls = {c.call for c in report.calls}
    assert {
        "sagemaker:create_model",
        "sagemaker:create_endpoint_config",
        "sagemaker:create_endpoint",
        "iam:create_role",
    } <= calls
    on_kubernetes = set(report.outputs.get("kubernetes", {}))
    assert on_kubernetes <= set(report.outputs["models"])
    on_pools = set(report.outputs.get("components", {}))
    expected = {f"{m}-{stack}" for m in report.outputs["models"] if m not in on_kubernetes | on_pools}
    assert set(report.outputs["endpoints"].values()) == expected


def unchecked_instance_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate` refuses instance types outside botocore's enums (tests/test_instance_types.py);
    switched off here to show that the rehearsal refuses them too, as AWS does, for a program
    run without validation."""
    from modelops.spec import checks as spec_checks

    monkeypatch.setattr(spec_checks, "_instance_types", lambda spec: iter(()))


def test_rejected_call_fails_the_rehearsal_with_aws_message(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pattern allows it, AWS's own enum of hosting instance types does not.
    unchecked_instance_types(monkeypatch)
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.1.0"),
        lambda d: d["serving"].update({"instance_type": "ml.zz9.mega"}),
    )
    report = rehearse(project, "dev")
    assert not report.ok
    failed = [c for c in report.calls if not c.ok]
    assert [(c.resource, c.call) for c in failed] == [
        ("demand-forecaster-serving-config", "sagemaker:create_endpoint_config"),
        ("demand-forecaster-serving-endpoint", "sagemaker:create_endpoint"),  # its configuration is missing
        # and the monitor's schedule, whose endpoint is missing
        ("demand-forecaster-monitoring-data-quality-schedule", "sagemaker:create_monitoring_schedule"),
    ]
    assert "ValidationException" in failed[0].message and "ml.zz9.mega" in failed[0].message
    assert "Could not find endpoint configuration" in failed[1].message
    assert "FAIL" in report.summary()


def test_current_instance_types_pass_despite_stale_moto_list(project: Path) -> None:
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.1.0"),
        lambda d: d["serving"].update({"instance_type": "ml.g5.xlarge"}),
    )
    assert rehearse(project, "dev").ok


def test_generic_translation_follows_the_botocore_shape() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateEndpointConfig").input_shape
    dropped: list[str] = []
    params = to_botocore(
        {
            "EndpointConfigName": "x",
            "productionVariants": {
                "variantName": "primary",
                "modelName": "m",
                "initialInstanceCount": 2.0,
                "instanceType": "ml.m5.large",
            },
            "tags": {"owner": "me"},
            "region": "eu-west-1",
            "madeUp": 1,
        },
        shape,
        "",
        dropped,
    )
    assert params["ProductionVariants"] == [
        {"VariantName": "primary", "ModelName": "m", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}
    ]
    assert isinstance(params["ProductionVariants"][0]["InitialInstanceCount"], int)
    assert params["Tags"] == [{"Key": "owner", "Value": "me"}]
    assert dropped == ["madeUp"]


def test_unapproved_package_is_refused_in_prod(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelops.engine import rehearse as rehearsal
    from modelops.spec.loader import ProblemsFound

    original = rehearsal._seed_registry

    def seed_pending(mocks, packages):
        notes = original(mocks, packages)
        client = mocks.client("sagemaker")
        arn = f"arn:aws:sagemaker:eu-west-1:{mocks.account}:model-package/churn-classifier/7"
        client.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="PendingManualApproval")
        return notes

    monkeypatch.setattr(rehearsal, "_seed_registry", seed_pending)
    with pytest.raises(ProblemsFound) as caught:
        rehearse(project, "prod")
    assert "churn-classifier/7 is PendingManualApproval, and prod requires Approved" in str(caught.value)


def test_prod_rehearses_feature_store_and_every_monitor() -> None:
    report = rehearse(REPO_ROOT, "prod")
    assert report.ok, report.summary()
    by_call: dict[str, list[str]] = {}
    for call in report.calls:
        by_call.setdefault(call.call, []).append(call.resource)
    assert len(by_call["sagemaker:create_feature_group"]) == 2
    assert len(by_call["FeatureAdditions.create"]) == 2
    assert len(by_call["MonitoringJobDefinition.create"]) == 4  # churn: quality; fraud: quality, bias, SHAP
    assert len(by_call["sagemaker:create_data_quality_job_definition"]) == 3
    assert len(by_call["sagemaker:create_monitoring_schedule"]) == 7
    assert len(by_call["events:put_rule"]) == 7
    assert any(
        "CreateMonitoringSchedule and DescribeMonitoringSchedule are emulated" in note for note in report.emulated
    )


def test_rehearsal_reports_a_monitor_the_provider_cannot_create(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pattern allows it; AWS's enum of processing instance types does not.
    unchecked_instance_types(monkeypatch)
    edit_yaml(
        spec_path(project, "fraud-detector", "3.1.0"),
        lambda d: d["monitoring"].update({"instance_type": "ml.zz9.mega"}),
    )
    report = rehearse(project, "dev")
    failed = {c.resource: c for c in report.calls if not c.ok}
    assert "fraud-detector-monitoring-bias-job" in failed
    assert "ml.zz9.mega" in failed["fraud-detector-monitoring-bias-job"].message
    assert "ValidationException" in failed["fraud-detector-monitoring-data-quality-job"].message  # pulumi-aws path


def test_a_pool_configuration_is_rehearsed_with_its_role_scaling_and_routing() -> None:
    """A variant without a model, as pulumi-aws records it (routing as a one-item list), becomes a
    CreateEndpointConfig for inference components that drops nothing."""
    import boto3

    from modelops.engine.plan import PlanResource
    from modelops.engine.rehearse import RehearsalMocks, emulated_aws

    role = "arn:aws:iam::123456789012:role/modelops-shared-cpu-dev"
    inputs = {
        "name": "shared-cpu-dev-0badcafe",
        "executionRoleArn": role,
        "kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        "productionVariants": [
            {
                "variantName": "AllTraffic",
                "instanceType": "ml.c6i.2xlarge",
                "initialInstanceCount": 1.0,
                "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 0.0, "maxInstanceCount": 4.0},
                "routingConfigs": [{"routingStrategy": "LEAST_OUTSTANDING_REQUESTS"}],
            }
        ],
        "tags": {"pool": "shared-cpu"},
    }
    resource = PlanResource(
        "urn:test", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "pool", None, inputs
    )
    with emulated_aws("eu-west-1"):
        mocks = RehearsalMocks("eu-west-1", "123456789012")
        physical, _ = mocks.create(resource)
        described = boto3.client("sagemaker", region_name="eu-west-1").describe_endpoint_config(
            EndpointConfigName=physical
        )
    (call,) = mocks.calls
    assert (call.ok, call.call, call.dropped) == (True, "sagemaker:create_endpoint_config", [])
    assert described["ExecutionRoleArn"] == role
    (variant,) = described["ProductionVariants"]
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 4}
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
