"""The emulated inference components (modelops/engine/moto_inference_components.py): pool endpoint
configurations, the component API and copy autoscaling, each rule refused once in AWS's terms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from modelops.engine import moto_inference_components as emulation
from tests.conftest import MOTO_REGION

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/modelops-shared-cpu-dev"
IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/tiny-ranker:1.0.0"
POOL = "shared-cpu-dev"
MODEL = "tiny-ranker-dev-v1-0-0-0badcafe"
COMPONENT = "tiny-ranker-dev"
RESOURCE_ID = f"inference-component/{COMPONENT}"
RESERVATION = {"NumberOfCpuCoresRequired": 1.0, "MinMemoryRequiredInMb": 2048}


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def refused(call: Callable[..., Any], **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**request)
    return error(exc)


def pool_variant(**changes: Any) -> dict[str, Any]:
    variant = {
        "VariantName": "AllTraffic",
        "InstanceType": "ml.c6i.2xlarge",
        "InitialInstanceCount": 1,
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 6},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
    }
    return {**variant, **changes}


def create_model(client: Any, name: str = MODEL) -> None:
    client.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://acme-models/tiny-ranker/1.0.0/model.tar.gz"},
    )


def create_pool(client: Any, endpoint: str = POOL, **variant_changes: Any) -> None:
    client.create_endpoint_config(
        EndpointConfigName=f"{endpoint}-config",
        ExecutionRoleArn=ROLE,
        ProductionVariants=[pool_variant(**variant_changes)],
    )
    client.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{endpoint}-config")


def component_request(**changes: Any) -> dict[str, Any]:
    request = {
        "InferenceComponentName": COMPONENT,
        "EndpointName": POOL,
        "VariantName": "AllTraffic",
        "Specification": {"ModelName": MODEL, "ComputeResourceRequirements": RESERVATION},
        "RuntimeConfig": {"CopyCount": 2},
    }
    return {k: v for k, v in {**request, **changes}.items() if v is not None}


@pytest.fixture
def pooled(sagemaker: Any) -> Any:
    """A pool endpoint and a model to deploy on it."""
    create_model(sagemaker)
    create_pool(sagemaker)
    return sagemaker


@pytest.fixture
def deployed(pooled: Any) -> Any:
    """The model as a component of two copies on the pool."""
    pooled.create_inference_component(**component_request())
    return pooled


def autoscaling() -> Any:
    return boto3.client("application-autoscaling", region_name=MOTO_REGION)


# --- endpoint configurations for inference components -------------------------------------------


def test_a_pool_configuration_keeps_its_role_scaling_and_routing_and_goes_in_service(sagemaker: Any) -> None:
    create_pool(sagemaker)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=f"{POOL}-config")
    assert config["ExecutionRoleArn"] == ROLE
    (variant,) = config["ProductionVariants"]
    assert "ModelName" not in variant
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 6}
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
    endpoint = sagemaker.describe_endpoint(EndpointName=POOL)
    assert endpoint["EndpointStatus"] == "InService"
    (summary,) = endpoint["ProductionVariants"]
    assert summary["ManagedInstanceScaling"]["MaxInstanceCount"] == 6
    assert summary["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}


def test_a_variant_with_a_model_still_needs_that_model(sagemaker: Any) -> None:
    code, message = refused(
        sagemaker.create_endpoint_config,
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "primary", "ModelName": "missing", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    assert (code, message) == (
        "ValidationException",
        f"Could not find model 'arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:model/missing'.",
    )


def test_managed_instance_scaling_only_on_a_variant_without_a_model(sagemaker: Any) -> None:
    create_model(sagemaker)
    assert refused(
        sagemaker.create_endpoint_config,
        EndpointConfigName="c",
        ExecutionRoleArn=ROLE,
        ProductionVariants=[pool_variant(ModelName=MODEL)],
    ) == ("ValidationException", "ManagedInstanceScaling is only supported for inference component endpoints.")


def test_managed_instance_scaling_not_with_async_inference(sagemaker: Any) -> None:
    assert refused(
        sagemaker.create_endpoint_config,
        EndpointConfigName="c",
        ExecutionRoleArn=ROLE,
        ProductionVariants=[pool_variant()],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://acme-async/out/"}},
    ) == ("ValidationException", "ManagedInstanceScaling is not supported with the given EndpointConfig setup.")


def test_a_variant_without_a_model_needs_the_execution_role(sagemaker: Any) -> None:
    code, message = refused(
        sagemaker.create_endpoint_config, EndpointConfigName="c", ProductionVariants=[pool_variant()]
    )
    assert code == "ValidationException"
    assert message.startswith("ExecutionRoleArn is required when a production variant has no ModelName")


def test_managed_instance_scaling_minimum_within_maximum(sagemaker: Any) -> None:
    scaling = {"Status": "ENABLED", "MinInstanceCount": 4, "MaxInstanceCount": 2}
    assert refused(
        sagemaker.create_endpoint_config,
        EndpointConfigName="c",
        ExecutionRoleArn=ROLE,
        ProductionVariants=[pool_variant(ManagedInstanceScaling=scaling)],
    ) == (
        "ValidationException",
        "ManagedInstanceScaling of variant AllTraffic: MinInstanceCount 4 exceeds MaxInstanceCount 2.",
    )


def test_the_execution_role_is_a_role_arn(sagemaker: Any) -> None:
    code, message = refused(
        sagemaker.create_endpoint_config,
        EndpointConfigName="c",
        ExecutionRoleArn="arn:aws:iam::123456789012:user/someone",
        ProductionVariants=[pool_variant()],
    )
    assert code == "ValidationException"
    assert message.startswith(
        "1 validation error detected: Value 'arn:aws:iam::123456789012:user/someone' at 'executionRoleArn' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws"
    )


# --- the inference component API ------------------------------------------------------------------


def test_create_describe_list_update_and_delete(deployed: Any) -> None:
    described = deployed.describe_inference_component(InferenceComponentName=COMPONENT)
    arn = f"arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:inference-component/{COMPONENT}"
    assert described["InferenceComponentArn"] == arn
    assert (described["EndpointName"], described["VariantName"]) == (POOL, "AllTraffic")
    assert described["InferenceComponentStatus"] == "InService"
    assert described["Specification"] == {"ModelName": MODEL, "ComputeResourceRequirements": RESERVATION}
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 2, "CurrentCopyCount": 2}
    listed = deployed.list_inference_components()["InferenceComponents"]
    assert [(c["InferenceComponentName"], c["EndpointName"], c["InferenceComponentStatus"]) for c in listed] == [
        (COMPONENT, POOL, "InService")
    ]

    create_model(deployed, "tiny-ranker-dev-v1-1-0-feedface")
    rollout = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
            "WaitIntervalInSeconds": 120,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "tiny-ranker-dev-rollback-errors"}]},
    }
    updated = deployed.update_inference_component(
        InferenceComponentName=COMPONENT,
        Specification={"ModelName": "tiny-ranker-dev-v1-1-0-feedface", "ComputeResourceRequirements": RESERVATION},
        DeploymentConfig=rollout,
    )
    assert updated["InferenceComponentArn"] == arn
    described = deployed.describe_inference_component(InferenceComponentName=COMPONENT)
    assert described["Specification"]["ModelName"] == "tiny-ranker-dev-v1-1-0-feedface"
    assert described["LastDeploymentConfig"] == rollout
    assert described["RuntimeConfig"]["CurrentCopyCount"] == 2  # an update without RuntimeConfig keeps the copies

    deployed.update_inference_component_runtime_config(
        InferenceComponentName=COMPONENT, DesiredRuntimeConfig={"CopyCount": 0}
    )
    described = deployed.describe_inference_component(InferenceComponentName=COMPONENT)
    assert described["RuntimeConfig"] == {"DesiredCopyCount": 0, "CurrentCopyCount": 0}

    deployed.delete_inference_component(InferenceComponentName=COMPONENT)
    assert refused(deployed.describe_inference_component, InferenceComponentName=COMPONENT) == (
        "ValidationException",
        f"Could not find inference component '{arn}'.",
    )
    assert deployed.list_inference_components()["InferenceComponents"] == []


def test_a_container_is_described_as_its_deployed_image(pooled: Any) -> None:
    container = {"Image": IMAGE, "ArtifactUrl": "s3://acme-models/tiny-ranker/1.0.0/model.tar.gz"}
    pooled.create_inference_component(
        **component_request(Specification={"Container": container, "ComputeResourceRequirements": RESERVATION})
    )
    shown = pooled.describe_inference_component(InferenceComponentName=COMPONENT)["Specification"]["Container"]
    assert shown["ArtifactUrl"] == container["ArtifactUrl"]
    assert shown["DeployedImage"]["SpecifiedImage"] == IMAGE


def test_list_filters_orders_and_pages(pooled: Any) -> None:
    create_pool(pooled, "shared-gpu-dev")
    for name, endpoint in (("b-dev", POOL), ("a-dev", POOL), ("c-dev", "shared-gpu-dev")):
        pooled.create_inference_component(**component_request(InferenceComponentName=name, EndpointName=endpoint))

    def names(**request: Any) -> list[str]:
        return [c["InferenceComponentName"] for c in pooled.list_inference_components(**request)["InferenceComponents"]]

    assert names() == ["c-dev", "a-dev", "b-dev"]  # newest first
    assert names(SortBy="Name", SortOrder="Ascending") == ["a-dev", "b-dev", "c-dev"]
    assert names(EndpointNameEquals=POOL, SortBy="Name", SortOrder="Ascending") == ["a-dev", "b-dev"]
    assert names(NameContains="c-") == ["c-dev"]
    first = pooled.list_inference_components(SortBy="Name", SortOrder="Ascending", MaxResults=2)
    assert [c["InferenceComponentName"] for c in first["InferenceComponents"]] == ["a-dev", "b-dev"]
    assert names(SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"]) == ["c-dev"]


def test_the_name_within_63_characters_of_its_pattern(pooled: Any) -> None:
    code, message = refused(pooled.create_inference_component, **component_request(InferenceComponentName="r" * 64))
    assert code == "ValidationException"
    assert message == (
        f"1 validation error detected: Value '{'r' * 64}' at 'inferenceComponentName' failed to satisfy "
        "constraint: Member must have length less than or equal to 63"
    )
    code, message = refused(pooled.create_inference_component, **component_request(InferenceComponentName="ranker-"))
    assert message == (
        "1 validation error detected: Value 'ranker-' at 'inferenceComponentName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?"
    )


def test_the_request_is_validated_with_botocore_server_side(pooled: Any) -> None:
    unchecked = boto3.client("sagemaker", region_name=MOTO_REGION, config=Config(parameter_validation=False))
    code, message = refused(unchecked.create_inference_component, InferenceComponentName=COMPONENT)
    assert code == "ValidationException" and 'Missing required parameter in input: "EndpointName"' in message
    reservation = {"NumberOfCpuCoresRequired": 0.1, "MinMemoryRequiredInMb": 2048}
    code, message = refused(
        unchecked.create_inference_component,
        **component_request(Specification={"ModelName": MODEL, "ComputeResourceRequirements": reservation}),
    )
    assert "NumberOfCpuCoresRequired" in message and "0.25" in message


def test_the_name_is_unique(deployed: Any) -> None:
    arn = f"arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:inference-component/{COMPONENT}"
    assert refused(deployed.create_inference_component, **component_request()) == (
        "ValidationException",
        f'Cannot create already existing inference component "{arn}".',
    )


def test_the_endpoint_must_exist(pooled: Any) -> None:
    assert refused(pooled.create_inference_component, **component_request(EndpointName="nowhere-dev")) == (
        "ValidationException",
        f"Could not find endpoint 'arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:endpoint/nowhere-dev'.",
    )


def test_an_endpoint_whose_variant_has_a_model_takes_no_component(pooled: Any) -> None:
    pooled.create_endpoint_config(
        EndpointConfigName="own-config",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": MODEL, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    pooled.create_endpoint(EndpointName="own-dev", EndpointConfigName="own-config")
    assert refused(pooled.create_inference_component, **component_request(EndpointName="own-dev")) == (
        "ValidationException",
        "Inference Components are not supported in this Endpoint. "
        "Please make sure this endpoint can deploy inference components.",
    )


def test_the_variant_is_given_and_one_of_the_endpoints(pooled: Any) -> None:
    code, message = refused(pooled.create_inference_component, **component_request(VariantName=None))
    assert (code, message) == (
        "ValidationException",
        "VariantName is required for an inference component that is not an adapter component.",
    )
    assert refused(pooled.create_inference_component, **component_request(VariantName="Other")) == (
        "ValidationException",
        f"Could not find variant Other in endpoint 'arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:endpoint/{POOL}'.",
    )


def test_the_model_must_exist(pooled: Any) -> None:
    specification = {"ModelName": "missing", "ComputeResourceRequirements": RESERVATION}
    assert refused(pooled.create_inference_component, **component_request(Specification=specification)) == (
        "ValidationException",
        f"Could not find model 'arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:model/missing'.",
    )


def test_one_specification_or_several(pooled: Any) -> None:
    single = {"ModelName": MODEL, "ComputeResourceRequirements": RESERVATION}
    assert refused(
        pooled.create_inference_component, **component_request(Specification=single, Specifications=[single])
    ) == ("ValidationException", "Specify either Specification or Specifications, not both.")
    assert refused(pooled.create_inference_component, **component_request(Specification=None)) == (
        "ValidationException",
        "Specification or Specifications is required.",
    )
    several = [{**single, "InstanceType": "ml.c6i.2xlarge"}, single]
    assert refused(
        pooled.create_inference_component, **component_request(Specification=None, Specifications=several)
    ) == ("ValidationException", "Each of several Specifications needs its InstanceType.")


def test_a_specification_deploys_something_with_a_reservation(pooled: Any) -> None:
    assert refused(
        pooled.create_inference_component,
        **component_request(Specification={"ComputeResourceRequirements": RESERVATION}),
    ) == ("ValidationException", "A Specification needs a ModelName or a Container.")
    assert refused(pooled.create_inference_component, **component_request(Specification={"ModelName": MODEL})) == (
        "ValidationException",
        "ComputeResourceRequirements is required for an inference component that is not an adapter component.",
    )


def test_adapter_components_are_refused_as_not_emulated(deployed: Any) -> None:
    adapter = {"BaseInferenceComponentName": COMPONENT, "Container": {"ArtifactUrl": "s3://acme-models/lora.tar.gz"}}
    code, message = refused(
        deployed.create_inference_component,
        **component_request(InferenceComponentName="adapter-dev", VariantName=None, Specification=adapter),
    )
    assert code == "ValidationException" and message.startswith("BaseInferenceComponentName (an adapter")


def test_an_update_carries_a_specification_or_a_runtime_config(deployed: Any) -> None:
    rollout = {
        "RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1}, "WaitIntervalInSeconds": 0}
    }
    assert refused(deployed.update_inference_component, InferenceComponentName=COMPONENT, DeploymentConfig=rollout) == (
        "ValidationException",
        "An update needs a Specification (or Specifications) or a RuntimeConfig.",
    )


def test_an_update_of_a_missing_component_is_refused(pooled: Any) -> None:
    code, message = refused(
        pooled.update_inference_component, InferenceComponentName=COMPONENT, RuntimeConfig={"CopyCount": 1}
    )
    assert code == "ValidationException" and message.startswith("Could not find inference component")


@pytest.mark.parametrize(
    ("policy", "alarms", "expected"),
    [
        (
            {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1}, "WaitIntervalInSeconds": 5000},
            1,
            "Value '5000' at 'deploymentConfig.rollingUpdatePolicy.waitIntervalInSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 3600",
        ),
        (
            {
                "MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
                "WaitIntervalInSeconds": 60,
                "MaximumExecutionTimeoutInSeconds": 30000,
            },
            1,
            "Value '30000' at 'deploymentConfig.rollingUpdatePolicy.maximumExecutionTimeoutInSeconds' failed to "
            "satisfy constraint: Member must have value less than or equal to 28800",
        ),
        (
            {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1}, "WaitIntervalInSeconds": 60},
            11,
            "at 'deploymentConfig.autoRollbackConfiguration.alarms' failed to satisfy constraint: Member must have "
            "length less than or equal to 10",
        ),
        (
            {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 80}, "WaitIntervalInSeconds": 60},
            1,
            "MaximumBatchSize of type CAPACITY_PERCENT is 80: it must be between 5 and 50.",
        ),
        (
            {"MaximumBatchSize": {"Type": "COPIES", "Value": 1}, "WaitIntervalInSeconds": 60},
            1,
            "Value 'COPIES' at 'deploymentConfig.rollingUpdatePolicy.maximumBatchSize.type' failed to satisfy "
            "constraint: Member must satisfy enum value set: [COPY_COUNT, CAPACITY_PERCENT]",
        ),
    ],
)
def test_deployment_config_bounds(deployed: Any, policy: dict[str, Any], alarms: int, expected: str) -> None:
    rollout = {
        "RollingUpdatePolicy": policy,
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": f"alarm-{n}"} for n in range(alarms)]},
    }
    code, message = refused(
        deployed.update_inference_component,
        InferenceComponentName=COMPONENT,
        RuntimeConfig={"CopyCount": 3},
        DeploymentConfig=rollout,
    )
    assert code == "ValidationException" and expected in message


# --- Application Auto Scaling of copies -------------------------------------------------------------


def register(low: int = 0, high: int = 8, resource_id: str = RESOURCE_ID) -> Any:
    return autoscaling().register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=emulation.COPY_DIMENSION,
        MinCapacity=low,
        MaxCapacity=high,
    )


def put_policy(policy_type: str = "TargetTrackingScaling", **configuration: Any) -> Any:
    return autoscaling().put_scaling_policy(
        PolicyName=f"{COMPONENT}-{policy_type}",
        ServiceNamespace="sagemaker",
        ResourceId=RESOURCE_ID,
        ScalableDimension=emulation.COPY_DIMENSION,
        PolicyType=policy_type,
        **configuration,
    )


TRACKING = {
    "TargetValue": 50.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerInferenceComponentInvocationsPerCopy"},
    "ScaleInCooldown": 300,
    "ScaleOutCooldown": 60,
}
WAKE_FROM_ZERO = {
    "AdjustmentType": "ChangeInCapacity",
    "MetricAggregationType": "Maximum",
    "Cooldown": 60,
    "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
}


def test_copies_of_an_existing_component_scale_down_to_zero(deployed: Any) -> None:
    register(low=0, high=8)
    targets = autoscaling().describe_scalable_targets(
        ServiceNamespace="sagemaker", ScalableDimension=emulation.COPY_DIMENSION
    )["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [(RESOURCE_ID, 0, 8)]
    put_policy(TargetTrackingScalingPolicyConfiguration=TRACKING)
    put_policy("StepScaling", StepScalingPolicyConfiguration=WAKE_FROM_ZERO)
    policies = autoscaling().describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID)
    assert sorted(p["PolicyType"] for p in policies["ScalingPolicies"]) == ["StepScaling", "TargetTrackingScaling"]
    autoscaling().deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=RESOURCE_ID, ScalableDimension=emulation.COPY_DIMENSION
    )
    assert autoscaling().describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


def test_copies_of_a_missing_component_are_refused(pooled: Any) -> None:
    with pytest.raises(ClientError) as exc:
        register()
    assert error(exc) == (
        "ValidationException",
        f"Could not find inference component 'arn:aws:sagemaker:{MOTO_REGION}:{ACCOUNT}:inference-component/"
        f"{COMPONENT}'.",
    )


def test_the_copy_dimension_is_an_inference_components(deployed: Any) -> None:
    with pytest.raises(ClientError) as exc:
        register(resource_id=f"endpoint/{POOL}/variant/AllTraffic")
    assert error(exc) == ("ValidationException", emulation.UNSUPPORTED_TARGET)


def test_copy_limits_minimum_within_maximum(deployed: Any) -> None:
    with pytest.raises(ClientError) as exc:
        register(low=5, high=2)
    assert error(exc) == ("ValidationException", "MinCapacity 5 exceeds MaxCapacity 2.")


def test_a_copy_policy_needs_its_registered_target(deployed: Any) -> None:
    with pytest.raises(ClientError) as exc:
        put_policy(TargetTrackingScalingPolicyConfiguration=TRACKING)
    assert error(exc) == (
        "ObjectNotFoundException",
        f"No scalable target registered for service namespace: sagemaker, resource ID: {RESOURCE_ID}, "
        f"scalable dimension: {emulation.COPY_DIMENSION}",
    )


def test_a_copy_policy_tracks_a_metric_of_copies(deployed: Any) -> None:
    register()
    per_instance = {
        **TRACKING,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
    }
    with pytest.raises(ClientError) as exc:
        put_policy(TargetTrackingScalingPolicyConfiguration=per_instance)
    code, message = error(exc)
    assert code == "ValidationException"
    assert message.startswith(
        f"The predefined metric type SageMakerVariantInvocationsPerInstance does not apply to scalable dimension "
        f"{emulation.COPY_DIMENSION}"
    )


def test_the_rehearsal_notes_each_emulation(sagemaker: Any) -> None:
    from modelops.engine import moto_gaps

    notes = moto_gaps.apply()
    assert any(n.startswith("CreateEndpointConfig with a production variant without ModelName") for n in notes)
    assert any(n.startswith("the inference component API is emulated") for n in notes)
    assert any(n.startswith("Application Auto Scaling of inference component copies") for n in notes)


def test_a_components_tags_are_listed_added_and_deleted_by_its_arn(pooled: Any) -> None:
    arn = pooled.create_inference_component(**component_request(Tags=[{"Key": "model", "Value": "tiny-ranker"}]))[
        "InferenceComponentArn"
    ]
    pooled.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "ranking@example.com"}])
    pooled.delete_tags(ResourceArn=arn, TagKeys=["model"])
    assert pooled.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "ranking@example.com"}]
    code, message = refused(pooled.list_tags, ResourceArn=arn.replace(COMPONENT, "gone-dev"))
    assert code == "ValidationException" and message.startswith("Could not find inference component")
