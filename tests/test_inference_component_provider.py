"""The inference component's dynamic provider against botocore's Stubber: the exact requests of
create, update, delete and read, and the diff that decides between update and replacement.

moto 5.2.1 implements no inference-component call, so every call here is stubbed; the Stubber
checks each request against botocore's model as a real call would (an integer field given a
float fails), and against the exact parameters expected.
"""

from __future__ import annotations

import base64
import copy
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from components.providers import aws_clients
from components.providers import inference_component as module
from components.providers.inference_component import InferenceComponentError, InferenceComponentProvider
from tests.conftest import REPO_ROOT

REGION = "eu-west-1"
NAME = "fraud-scorer-dev-1a2b3c4d"
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:inference-component/{NAME}"
ALARMS = ["fraud-scorer-dev-component-rollback-5xx-rate", "fraud-scorer-dev-component-rollback-p99-latency"]
ROLLING = {
    "RollingUpdatePolicy": {
        "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
        "WaitIntervalInSeconds": 120,
    },
    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": n} for n in ALARMS]},
}


def props(**changes: Any) -> dict[str, Any]:
    """The props as the engine hands them over: numbers as floats."""
    base: dict[str, Any] = {
        "region": REGION,
        "name": NAME,
        "endpointName": "shared-cpu-dev",
        "variantName": "AllTraffic",
        "specification": {
            "ModelName": "fraud-scorer-dev-v1-0-0-aaaa1111",
            "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048.0},
        },
        "runtimeConfig": {"CopyCount": 2.0},
        "autoscaled": False,
        "deploymentConfig": copy.deepcopy(ROLLING),
        "tags": {"model": "fraud-scorer", "owner": "ml@example.com"},
    }
    base.update(changes)
    return base


def described(status: str, model: str = "fraud-scorer-dev-v1-0-0-aaaa1111", **extra: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "InferenceComponentName": NAME,
        "InferenceComponentArn": ARN,
        "EndpointName": "shared-cpu-dev",
        "EndpointArn": f"arn:aws:sagemaker:{REGION}:123456789012:endpoint/shared-cpu-dev",
        "VariantName": "AllTraffic",
        "Specification": {
            "ModelName": model,
            "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048},
        },
        "RuntimeConfig": {"DesiredCopyCount": 2, "CurrentCopyCount": 2},
        "CreationTime": now,
        "LastModifiedTime": now,
        "InferenceComponentStatus": status,
        **extra,
    }


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """The sagemaker client every provider call shares, stubbed; no wait between polls."""
    session = botocore.session.get_session()
    client = session.create_client(
        "sagemaker", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    monkeypatch.setitem(aws_clients._CLIENTS, ("sagemaker", REGION), client)
    monkeypatch.setattr(module, "POLL_S", 0.0)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def expect_describe(stub: Stubber, response: dict[str, Any]) -> None:
    stub.add_response("describe_inference_component", response, {"InferenceComponentName": NAME})


def expect_gone(stub: Stubber, method: str = "describe_inference_component") -> None:
    stub.add_client_error(
        method,
        service_error_code="ValidationException",
        service_message=f"Could not find inference component {NAME!r}.",
        expected_params={"InferenceComponentName": NAME},
    )


def test_create_sends_the_request_and_waits_for_in_service(stub: Stubber) -> None:
    stub.add_response(
        "create_inference_component",
        {"InferenceComponentArn": ARN},
        {
            "InferenceComponentName": NAME,
            "EndpointName": "shared-cpu-dev",
            "VariantName": "AllTraffic",
            "Specification": {
                "ModelName": "fraud-scorer-dev-v1-0-0-aaaa1111",
                "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048},
            },
            "RuntimeConfig": {"CopyCount": 2},
            "Tags": [{"Key": "model", "Value": "fraud-scorer"}, {"Key": "owner", "Value": "ml@example.com"}],
        },
    )
    expect_describe(stub, described("Creating"))
    expect_describe(stub, described("InService"))
    created = InferenceComponentProvider().create(props())
    assert created.id == NAME
    assert created.outs["arn"] == ARN
    assert created.outs["deploymentConfig"] == ROLLING  # kept for the first update; not sent on create


def test_a_failed_create_is_deleted_and_reported_with_the_reason(stub: Stubber) -> None:
    stub.add_response("create_inference_component", {"InferenceComponentArn": ARN})
    expect_describe(stub, described("Failed", FailureReason="Not enough memory on ml.c6i.2xlarge"))
    stub.add_response("delete_inference_component", {}, {"InferenceComponentName": NAME})
    with pytest.raises(InferenceComponentError, match=f"{NAME} failed to create: Not enough memory"):
        InferenceComponentProvider().create(props())


def test_a_create_that_does_not_settle_stops_at_the_bound(stub: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "CREATE_TIMEOUT_S", 0.0)
    stub.add_response("create_inference_component", {"InferenceComponentArn": ARN})
    expect_describe(stub, described("Creating"))
    with pytest.raises(InferenceComponentError, match="still Creating after 0 s"):
        InferenceComponentProvider().create(props())


def test_aws_refusing_the_create_names_the_call_and_the_reason(stub: Stubber) -> None:
    stub.add_client_error(
        "create_inference_component",
        service_error_code="ValidationException",
        service_message="Inference Components are not supported in this Endpoint.",
    )
    with pytest.raises(InferenceComponentError) as caught:
        InferenceComponentProvider().create(props())
    assert str(caught.value) == (
        f"create_inference_component {NAME}: ValidationException: "
        "Inference Components are not supported in this Endpoint."
    )


NEW_MODEL = "fraud-scorer-dev-v1-1-0-bbbb2222"


def new_version(**changes: Any) -> dict[str, Any]:
    news = props(**changes)
    news["specification"]["ModelName"] = NEW_MODEL
    news["tags"] = {**news["tags"], "model-version": "1.1.0"}
    return news


def test_a_rolling_update_sends_the_deployment_config_and_leaves_autoscaled_copies(stub: Stubber) -> None:
    olds = {**props(autoscaled=True), "arn": ARN}
    news = new_version(autoscaled=True)
    stub.add_response(
        "update_inference_component",
        {"InferenceComponentArn": ARN},
        {
            "InferenceComponentName": NAME,
            "Specification": {
                "ModelName": NEW_MODEL,
                "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048},
            },
            "DeploymentConfig": ROLLING,
        },
    )
    expect_describe(stub, described("Updating"))
    expect_describe(stub, described("InService", model=NEW_MODEL))
    stub.add_response(
        "add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": [{"Key": "model-version", "Value": "1.1.0"}]}
    )
    updated = InferenceComponentProvider().update(NAME, olds, news)
    assert updated.outs["arn"] == ARN and updated.outs["specification"]["ModelName"] == NEW_MODEL


def test_an_all_at_once_update_carries_the_copy_count_and_no_deployment_config(stub: Stubber) -> None:
    olds = {**props(deploymentConfig=None), "arn": ARN}
    news = new_version(deploymentConfig=None, runtimeConfig={"CopyCount": 3.0})
    news["tags"] = olds["tags"]
    stub.add_response(
        "update_inference_component",
        {"InferenceComponentArn": ARN},
        {
            "InferenceComponentName": NAME,
            "Specification": {
                "ModelName": NEW_MODEL,
                "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048},
            },
            "RuntimeConfig": {"CopyCount": 3},
        },
    )
    expect_describe(stub, described("Updating"))
    expect_describe(stub, described("InService", model=NEW_MODEL))
    InferenceComponentProvider().update(NAME, olds, news)


def test_a_copy_count_alone_is_a_runtime_update(stub: Stubber) -> None:
    olds = {**props(), "arn": ARN}
    news = props(runtimeConfig={"CopyCount": 4.0})
    stub.add_response(
        "update_inference_component",
        {"InferenceComponentArn": ARN},
        {"InferenceComponentName": NAME, "RuntimeConfig": {"CopyCount": 4}},
    )
    expect_describe(stub, described("InService"))
    InferenceComponentProvider().update(NAME, olds, news)


def test_an_update_that_ends_on_the_old_model_was_rolled_back(stub: Stubber) -> None:
    olds = {**props(autoscaled=True), "arn": ARN}
    news = new_version(autoscaled=True)
    news["tags"] = olds["tags"]
    stub.add_response("update_inference_component", {"InferenceComponentArn": ARN})
    expect_describe(stub, described("Updating"))
    expect_describe(stub, described("InService"))  # back on the old model
    with pytest.raises(InferenceComponentError, match="was rolled back to model fraud-scorer-dev-v1-0-0-aaaa1111"):
        InferenceComponentProvider().update(NAME, olds, news)


def test_a_failed_update_is_reported(stub: Stubber) -> None:
    olds = {**props(), "arn": ARN}
    news = new_version()
    news["tags"] = olds["tags"]
    stub.add_response("update_inference_component", {"InferenceComponentArn": ARN})
    expect_describe(stub, described("Failed", FailureReason="Image not found"))
    with pytest.raises(InferenceComponentError, match="failed to update: Image not found"):
        InferenceComponentProvider().update(NAME, olds, news)


def test_tags_and_the_deployment_config_alone_call_no_update(stub: Stubber) -> None:
    olds = {**props(), "arn": ARN}
    news = props(deploymentConfig=None, tags={"model": "fraud-scorer", "cost-center": "risk"})
    stub.add_response("delete_tags", {}, {"ResourceArn": ARN, "TagKeys": ["owner"]})
    stub.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": [{"Key": "cost-center", "Value": "risk"}]})
    InferenceComponentProvider().update(NAME, olds, news)


def test_delete_waits_until_the_component_is_gone(stub: Stubber) -> None:
    stub.add_response("delete_inference_component", {}, {"InferenceComponentName": NAME})
    expect_describe(stub, described("Deleting"))
    expect_gone(stub)
    InferenceComponentProvider().delete(NAME, props())


def test_deleting_a_component_already_gone_is_not_an_error(stub: Stubber) -> None:
    expect_gone(stub, "delete_inference_component")
    InferenceComponentProvider().delete(NAME, props())


def test_read_refreshes_what_runs_and_drops_a_deleted_component(stub: Stubber) -> None:
    running = described("InService", model="changed-by-hand")
    running["RuntimeConfig"]["DesiredCopyCount"] = 5
    expect_describe(stub, running)
    read = InferenceComponentProvider().read(NAME, {**props(), "arn": ARN})
    assert read.id == NAME
    assert read.outs["specification"] == {
        "ModelName": "changed-by-hand",
        "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048},
    }
    assert read.outs["runtimeConfig"] == {"CopyCount": 5}
    expect_gone(stub)
    assert InferenceComponentProvider().read(NAME, props()).id is None


def test_read_leaves_the_copy_count_autoscaling_owns(stub: Stubber) -> None:
    running = described("InService")
    running["RuntimeConfig"]["DesiredCopyCount"] = 7
    expect_describe(stub, running)
    read = InferenceComponentProvider().read(NAME, {**props(autoscaled=True), "arn": ARN})
    assert read.outs["runtimeConfig"] == {"CopyCount": 2.0}


def test_moving_to_another_pool_creates_the_new_component_before_deleting_the_old() -> None:
    provider = InferenceComponentProvider()
    olds = {**props(), "arn": ARN}
    moved = props(name="fraud-scorer-dev-9f8e7d6c", endpointName="shared-gpu-dev")
    diff = provider.diff(NAME, olds, moved)
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["name", "endpointName"], False)
    # The same name on the other endpoint could not exist twice: that one goes first.
    same_name = props(endpointName="shared-gpu-dev")
    assert provider.diff(NAME, olds, same_name).delete_before_replace is True


def test_a_new_version_or_reservation_updates_in_place() -> None:
    provider = InferenceComponentProvider()
    olds = {**props(), "arn": ARN}
    for news in (
        new_version(),
        props(
            specification={**props()["specification"], "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 4096}}
        ),
        props(deploymentConfig=None),
        props(tags={"model": "fraud-scorer"}),
    ):
        diff = provider.diff(NAME, olds, news)
        assert (diff.changes, diff.replaces) == (True, [])
    assert provider.diff(NAME, olds, props()).changes is False


def test_the_copy_count_autoscaling_owns_is_no_change() -> None:
    provider = InferenceComponentProvider()
    olds = {**props(autoscaled=True), "arn": ARN}
    assert provider.diff(NAME, olds, props(autoscaled=True, runtimeConfig={"CopyCount": 5.0})).changes is False
    assert provider.diff(NAME, {**props(), "arn": ARN}, props(runtimeConfig={"CopyCount": 5.0})).changes is True


def test_the_provider_pickles_by_reference() -> None:
    """Pulumi's dynamic provider host unpickles the provider in its own process: the pickle must
    name the module's class, not carry the module by value."""
    from pulumi.dynamic.dynamic import serialize_provider

    pickled = serialize_provider(InferenceComponentProvider())
    code = (
        "import base64, sys, dill; "
        "p = dill.loads(base64.b64decode(sys.stdin.read())); "
        "print(type(p).__module__ + '.' + type(p).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=pickled, capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "components.providers.inference_component.InferenceComponentProvider"
    assert len(base64.b64decode(pickled)) < 2000
