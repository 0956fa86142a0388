"""A pool's endpoint configuration provider against botocore's Stubber: the exact requests of
create, read, update (tags) and delete, and the diff that replaces on any other change.

The Stubber checks each request against botocore's model as a real call would (an integer
field given a float fails, an unknown member fails), and against the exact parameters expected:
VpcConfig and EnableNetworkIsolation are sent when the props carry them, and only then.
"""

from __future__ import annotations

import base64
import copy
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from components.providers import aws_clients
from components.providers.pool_endpoint_configuration import (
    EndpointConfigurationError,
    PoolEndpointConfigurationProvider,
)
from tests.conftest import REPO_ROOT

REGION = "eu-west-1"
NAME = "shared-cpu-prod-1a2b3c4d"
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:endpoint-config/{NAME}"
ROLE = "arn:aws:iam::123456789012:role/modelops-shared-cpu-prod-pool"
KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
VPC = {"SecurityGroupIds": ["sg-1c2d3e4f"], "Subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"]}
TAGS = {"pool": "shared-cpu", "environment": "prod", "managed-by": "modelops"}


def variant(count: Any = 1) -> dict[str, Any]:
    return {
        "VariantName": "AllTraffic",
        "InstanceType": "ml.c6i.2xlarge",
        "InitialInstanceCount": count,
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": count, "MaxInstanceCount": 6 * count},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
    }


CAPTURE = {
    "EnableCapture": True,
    "InitialSamplingPercentage": 20,
    "DestinationS3Uri": "s3://acme-ml-capture/pool-data-capture/shared-cpu/",
    "KmsKeyId": KMS,
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"], "CsvContentTypes": ["text/csv"]},
}


def props(vpc: bool = True, isolated: bool = False, **changes: Any) -> dict[str, Any]:
    """The props as the engine hands them over: numbers as floats."""
    configuration: dict[str, Any] = {
        "ExecutionRoleArn": ROLE,
        "ProductionVariants": [variant(1.0)],
        "KmsKeyId": KMS,
        "DataCaptureConfig": {**copy.deepcopy(CAPTURE), "InitialSamplingPercentage": 20.0},
    }
    if vpc:
        configuration["VpcConfig"] = copy.deepcopy(VPC)
    if isolated:
        configuration["EnableNetworkIsolation"] = True
    base: dict[str, Any] = {"region": REGION, "name": NAME, "configuration": configuration, "tags": dict(TAGS)}
    base.update(changes)
    return base


def create_request(vpc: bool, isolated: bool) -> dict[str, Any]:
    request: dict[str, Any] = {
        "EndpointConfigName": NAME,
        "ExecutionRoleArn": ROLE,
        "ProductionVariants": [variant(1)],
        "KmsKeyId": KMS,
        "DataCaptureConfig": CAPTURE,
        "Tags": [
            {"Key": "environment", "Value": "prod"},
            {"Key": "managed-by", "Value": "modelops"},
            {"Key": "pool", "Value": "shared-cpu"},
        ],
    }
    if vpc:
        request["VpcConfig"] = VPC
    if isolated:
        request["EnableNetworkIsolation"] = True
    return request


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """The sagemaker client every provider call shares, stubbed."""
    session = botocore.session.get_session()
    client = session.create_client(
        "sagemaker", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    monkeypatch.setitem(aws_clients._CLIENTS, ("sagemaker", REGION), client)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(("vpc", "isolated"), [(True, True), (True, False), (False, True), (False, False)], ids=str)
def test_create_sends_vpc_and_isolation_exactly_when_given(stub: Stubber, vpc: bool, isolated: bool) -> None:
    stub.add_response("create_endpoint_config", {"EndpointConfigArn": ARN}, create_request(vpc, isolated))
    created = PoolEndpointConfigurationProvider().create(props(vpc=vpc, isolated=isolated))
    assert created.id == NAME
    assert created.outs["arn"] == ARN and created.outs["name"] == NAME


def test_a_create_aws_refuses_names_the_call_and_the_reason(stub: Stubber) -> None:
    stub.add_client_error(
        "create_endpoint_config",
        service_error_code="ValidationException",
        service_message=f"Cannot create already existing endpoint configuration {ARN!r}.",
    )
    with pytest.raises(EndpointConfigurationError, match=f"create_endpoint_config {NAME}: ValidationException"):
        PoolEndpointConfigurationProvider().create(props())


def test_read_takes_the_configuration_from_describe(stub: Stubber) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    stub.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": NAME,
            "EndpointConfigArn": ARN,
            "ExecutionRoleArn": ROLE,
            "ProductionVariants": [variant(1)],
            "KmsKeyId": KMS,
            "DataCaptureConfig": CAPTURE,
            "VpcConfig": VPC,
            "EnableNetworkIsolation": True,
            "CreationTime": now,
        },
        {"EndpointConfigName": NAME},
    )
    read = PoolEndpointConfigurationProvider().read(NAME, props(isolated=True, arn=None))
    assert read.id == NAME
    assert read.outs["arn"] == ARN
    assert read.outs["configuration"] == {
        "ExecutionRoleArn": ROLE,
        "ProductionVariants": [variant(1)],
        "KmsKeyId": KMS,
        "DataCaptureConfig": CAPTURE,
        "VpcConfig": VPC,
        "EnableNetworkIsolation": True,
    }
    assert read.outs["tags"] == TAGS


def test_read_of_a_configuration_deleted_outside_pulumi_drops_it(stub: Stubber) -> None:
    stub.add_client_error(
        "describe_endpoint_config",
        service_error_code="ValidationException",
        service_message=f"Could not find endpoint configuration {ARN!r}.",
        expected_params={"EndpointConfigName": NAME},
    )
    read = PoolEndpointConfigurationProvider().read(NAME, props())
    assert read.id is None


def test_delete_calls_delete_and_tolerates_a_missing_configuration(stub: Stubber) -> None:
    stub.add_response("delete_endpoint_config", {}, {"EndpointConfigName": NAME})
    stub.add_client_error(
        "delete_endpoint_config",
        service_error_code="ValidationException",
        service_message=f"Could not find endpoint configuration {ARN!r}.",
        expected_params={"EndpointConfigName": NAME},
    )
    provider = PoolEndpointConfigurationProvider()
    provider.delete(NAME, props())
    provider.delete(NAME, props())


def test_delete_reports_any_other_refusal(stub: Stubber) -> None:
    stub.add_client_error("delete_endpoint_config", service_error_code="ThrottlingException", service_message="Slow")
    with pytest.raises(EndpointConfigurationError, match="ThrottlingException: Slow"):
        PoolEndpointConfigurationProvider().delete(NAME, props())


@pytest.mark.parametrize(
    "change",
    [
        {"configuration": props(vpc=False)["configuration"]},
        {"configuration": props(isolated=True)["configuration"]},
        {"configuration": {**props()["configuration"], "ProductionVariants": [variant(2.0)]}},
        {"configuration": {**props()["configuration"], "ExecutionRoleArn": ROLE + "-2"}},
    ],
    ids=["vpc", "isolation", "variant", "role"],
)
def test_any_change_to_the_configuration_replaces_it_creating_the_new_one_first(change: dict[str, Any]) -> None:
    olds = {**props(), "arn": ARN}
    news = props(name="shared-cpu-prod-9f8e7d6c", **change)
    diff = PoolEndpointConfigurationProvider().diff(NAME, olds, news)
    assert diff.changes is True
    assert diff.replaces == ["name", "configuration"]
    assert diff.delete_before_replace is False


def test_an_unchanged_configuration_has_no_diff_and_tags_update_in_place() -> None:
    olds = {**props(), "arn": ARN}
    provider = PoolEndpointConfigurationProvider()
    assert provider.diff(NAME, olds, props()).changes is False
    retagged = provider.diff(NAME, olds, props(tags={**TAGS, "cost-centre": "ml"}))
    assert retagged.changes is True and retagged.replaces == []


def test_a_configuration_that_keeps_its_name_goes_before_it_is_created_again() -> None:
    """Only a region change keeps the name (the digest covers the rest): one name cannot exist twice."""
    diff = PoolEndpointConfigurationProvider().diff(NAME, {**props(), "arn": ARN}, props(region="eu-central-1"))
    assert diff.replaces == ["region"] and diff.delete_before_replace is True


def test_update_changes_only_tags(stub: Stubber) -> None:
    stub.add_response("delete_tags", {}, {"ResourceArn": ARN, "TagKeys": ["managed-by"]})
    stub.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": [{"Key": "cost-centre", "Value": "ml"}]})
    news = props(tags={"pool": "shared-cpu", "environment": "prod", "cost-centre": "ml"})
    updated = PoolEndpointConfigurationProvider().update(NAME, {**props(), "arn": ARN}, news)
    assert updated.outs["arn"] == ARN


def test_the_provider_pickles_by_reference() -> None:
    """Pulumi's dynamic provider host unpickles the provider in its own process: the pickle must
    name the module's class, not carry the module by value."""
    from pulumi.dynamic.dynamic import serialize_provider

    pickled = serialize_provider(PoolEndpointConfigurationProvider())
    code = (
        "import base64, sys, dill; "
        "p = dill.loads(base64.b64decode(sys.stdin.read())); "
        "print(type(p).__module__ + '.' + type(p).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=pickled, capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "components.providers.pool_endpoint_configuration.PoolEndpointConfigurationProvider"
    assert len(base64.b64decode(pickled)) < 2000
