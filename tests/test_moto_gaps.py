"""The emulated CreateMonitoringSchedule: validated like AWS, references checked, AWS's error codes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

TEST_REGION = "eu-west-1"
TEST_ROLE = "arn:aws:iam::123456789012:role/modelops-test"
TEST_ENDPOINT = "fraud-detector-dev"
TEST_JOB = "fraud-detector-dev-dq-1"
TEST_IMAGE = "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"


def create_endpoint(client: Any) -> None:
    client.create_model(
        ModelName="m",
        ExecutionRoleArn=TEST_ROLE,
        PrimaryContainer={"Image": TEST_IMAGE, "ModelDataUrl": "s3://b/m.tgz"},
    )
    client.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "primary", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        ],
    )
    client.create_endpoint(EndpointName=TEST_ENDPOINT, EndpointConfigName="c")


def create_job(client: Any, endpoint: str = TEST_ENDPOINT) -> None:
    client.create_data_quality_job_definition(
        JobDefinitionName=TEST_JOB,
        DataQualityAppSpecification={"ImageUri": TEST_IMAGE},
        DataQualityJobInput={"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}},
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/out/", "LocalPath": "/opt/ml/processing/output"}}]
        },
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
        RoleArn=TEST_ROLE,
    )


def schedule(client: Any, name: str = "fraud-detector-dev-dq", expression: str = "cron(0 * ? * * *)") -> Any:
    return client.create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": expression},
            "MonitoringJobDefinitionName": TEST_JOB,
            "MonitoringType": "DataQuality",
        },
    )


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_schedule_for_an_existing_definition_and_endpoint(sagemaker: Any) -> None:
    create_endpoint(sagemaker)
    create_job(sagemaker)
    arn = schedule(sagemaker)["MonitoringScheduleArn"]
    assert arn == "arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/fraud-detector-dev-dq"
    with pytest.raises(ClientError) as exc:
        schedule(sagemaker)
    assert error(exc)[0] == "ResourceInUse"


def test_schedule_needs_its_job_definition(sagemaker: Any) -> None:
    create_endpoint(sagemaker)
    with pytest.raises(ClientError) as exc:
        schedule(sagemaker)
    assert error(exc) == ("ResourceNotFound", f"Could not find DataQuality job definition '{TEST_JOB}'.")


def test_schedule_needs_the_definitions_endpoint(sagemaker: Any) -> None:
    create_job(sagemaker, endpoint="no-such-endpoint")
    with pytest.raises(ClientError) as exc:
        schedule(sagemaker)
    assert error(exc) == (
        "ValidationException",
        f"Endpoint no-such-endpoint of job definition {TEST_JOB} does not exist.",
    )


def test_schedule_expression_is_checked(sagemaker: Any) -> None:
    create_endpoint(sagemaker)
    create_job(sagemaker)
    with pytest.raises(ClientError) as exc:
        schedule(sagemaker, expression="rate(1 hour)")
    assert error(exc)[0] == "ValidationException" and "rate(1 hour)" in error(exc)[1]


def test_request_is_validated_against_the_service_model_server_side(sagemaker: Any) -> None:
    unchecked = boto3.client("sagemaker", region_name=TEST_REGION, config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        unchecked.create_monitoring_schedule(MonitoringScheduleName="x")
    code, message = error(exc)
    assert code == "ValidationException" and "MonitoringScheduleConfig" in message
