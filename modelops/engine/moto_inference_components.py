"""SageMaker inference components on moto 5.2, which has none of them: three gaps, one patch each.

- Endpoint configurations for inference components: a production variant without ModelName
  crashes moto (KeyError 'ModelName'), and moto drops ExecutionRoleArn, VpcConfig,
  EnableNetworkIsolation, ManagedInstanceScaling and RoutingConfig. They are stored and returned
  by DescribeEndpointConfig (the last two by DescribeEndpoint's variant too), with the rules AWS
  applies to them.
- The inference component API (Create, Describe, Update, UpdateRuntimeConfig, Delete, List, and
  the tags of a component's ARN).
- Application Auto Scaling of copies: moto refuses the dimension
  `sagemaker:inference-component:DesiredCopyCount`.

Every request is judged as the service would (`modelops.engine.request_validation`: botocore's
validation, then the maximums, patterns and enums botocore leaves to the service); references
are checked and AWS's error codes returned. Where AWS's words for a refusal are on record they
are used verbatim and cited; elsewhere the message says in modelops's words what AWS refuses,
and the docstring says so. Sources: the SageMaker API reference and its botocore model
(CreateInferenceComponent, UpdateInferenceComponent, ProductionVariantManagedInstanceScaling),
and the Application Auto Scaling API reference (RegisterScalableTarget, PutScalingPolicy).

What is not emulated: adapter components (BaseInferenceComponentName) are refused as such;
placement (whether copies fit the instances) is not modelled, every component is InService with
all its copies at once; no copy ever scales, and no request is served.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from modelops.engine.request_validation import request_problem

COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# The predefined metrics of the copy dimension (application-autoscaling MetricType enum).
COPY_METRICS = (
    "SageMakerInferenceComponentInvocationsPerCopy",
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
)
COMPONENT_RESOURCE_ID = re.compile(r"inference-component/(?P<name>[^/]+)")

# AWS's words, on record: terraform-provider-aws PR #45926 (acceptance-test log) for the first,
# DIAGNijmegen/rse-grand-challenge PR #4659 for the second, hashicorp/terraform-provider-aws
# issue #40644 and pulumi/pulumi-aws issue #4940 for the third (CloudControl prefixes it with
# "Invalid request provided: ").
MANAGED_SCALING_NEEDS_COMPONENTS = "ManagedInstanceScaling is only supported for inference component endpoints."
MANAGED_SCALING_SETUP = "ManagedInstanceScaling is not supported with the given EndpointConfig setup."
NOT_A_COMPONENT_ENDPOINT = (
    "Inference Components are not supported in this Endpoint. "
    "Please make sure this endpoint can deploy inference components."
)
# The service's generic refusal of a namespace, resource type and dimension that do not go
# together (Application Auto Scaling; moto raises the same text).
UNSUPPORTED_TARGET = "Unsupported service namespace, resource type or scalable dimension"

_ORIGINALS: dict[tuple[Any, str], Any] = {}


def _original(owner: Any, name: str) -> Any:
    """The attribute as moto defines it, however often `apply` runs."""
    return _ORIGINALS.setdefault((owner, name), getattr(owner, name))


def apply() -> None:
    """Patch moto (idempotent)."""
    from moto.sagemaker import models, responses

    _patch_component_endpoint_configs(models, responses)
    _patch_inference_components(responses)
    _patch_component_tags(models)
    _patch_copy_autoscaling()


def _refuse(message: str) -> Exception:
    from moto.sagemaker.exceptions import ValidationError

    return ValidationError(message=message)


def _request(response: Any, operation: str) -> dict[str, Any]:
    params: dict[str, Any] = json.loads(response.body or "{}")
    problem = request_problem("sagemaker", operation, params)
    if problem is not None:
        raise _refuse(problem)
    return params


# --- endpoint configurations whose variant has no model ---------------------------------------


def component_endpoint_problem(params: dict[str, Any]) -> str | None:
    """What AWS refuses in a CreateEndpointConfig request for inference components.

    - ManagedInstanceScaling only on a variant without a model, and not with async inference:
      AWS's own messages (see the constants).
    - A variant without a model is one inference components are deployed to, and SageMaker
      fetches their artifacts with the configuration's ExecutionRoleArn: required then
      (CreateEndpointConfigInput.ExecutionRoleArn; terraform-provider-aws PR #44977, "AWS
      requires this when model_name is not provided"). modelops's words.
    - MinInstanceCount no more than MaxInstanceCount (ProductionVariantManagedInstanceScaling:
      the range of instances). modelops's words.
    """
    variants = params.get("ProductionVariants") or []
    for variant in variants:
        scaling = variant.get("ManagedInstanceScaling")
        if scaling is None:
            continue
        if variant.get("ModelName"):
            return MANAGED_SCALING_NEEDS_COMPONENTS
        if params.get("AsyncInferenceConfig"):
            return MANAGED_SCALING_SETUP
        low, high = scaling.get("MinInstanceCount"), scaling.get("MaxInstanceCount")
        if low is not None and high is not None and low > high:
            return (
                f"ManagedInstanceScaling of variant {variant['VariantName']}: MinInstanceCount {low} exceeds "
                f"MaxInstanceCount {high}."
            )
    if any(not variant.get("ModelName") for variant in variants) and not params.get("ExecutionRoleArn"):
        return (
            "ExecutionRoleArn is required when a production variant has no ModelName: SageMaker uses it to "
            "fetch the artifacts of the endpoint's inference components."
        )
    return None


def _patch_component_endpoint_configs(models: Any, responses: Any) -> None:
    from moto.core.responses import ActionResult

    backend_validate = _original(models.SageMakerModelBackend, "validate_production_variants")
    process_variants = _original(models.FakeEndpoint, "_process_production_variants")

    def validate_production_variants(self: Any, production_variants: list[dict[str, Any]]) -> None:
        # moto looks up every variant's ModelName; a variant without one hosts components.
        backend_validate(self, [v for v in production_variants if v.get("ModelName")])

    def _process_production_variants(self: Any, production_variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # DescribeEndpoint's ProductionVariantSummary reports both (botocore shape).
        summaries: list[dict[str, Any]] = process_variants(self, production_variants)
        for summary, variant in zip(summaries, production_variants, strict=True):
            for key in ("ManagedInstanceScaling", "RoutingConfig"):
                if variant.get(key):
                    summary[key] = variant[key]
        return summaries

    def create_endpoint_config(self: Any) -> Any:
        params = _request(self, "CreateEndpointConfig")
        problem = component_endpoint_problem(params)
        if problem is not None:
            raise _refuse(problem)
        config = self.sagemaker_backend.create_endpoint_config(
            endpoint_config_name=params["EndpointConfigName"],
            production_variants=params["ProductionVariants"],
            data_capture_config=params.get("DataCaptureConfig"),
            async_inference_config=params.get("AsyncInferenceConfig"),
            tags=params.get("Tags"),
            kms_key_id=params.get("KmsKeyId"),
        )
        # DescribeEndpointConfig returns moto's attributes CamelCased (ExecutionRoleArn, VpcConfig,
        # EnableNetworkIsolation) and leaves out those that are None.
        config.execution_role_arn = params.get("ExecutionRoleArn")
        config.vpc_config = params.get("VpcConfig")
        config.enable_network_isolation = params.get("EnableNetworkIsolation")
        return ActionResult({"EndpointConfigArn": config.endpoint_config_arn})

    models.SageMakerModelBackend.validate_production_variants = validate_production_variants
    models.FakeEndpoint._process_production_variants = _process_production_variants
    responses.SageMakerResponse.create_endpoint_config = create_endpoint_config


# --- the inference component API ----------------------------------------------------------------


def inference_components(backend: Any) -> dict[str, dict[str, Any]]:
    """The emulated components of one moto SageMaker backend, by name: what DescribeInferenceComponent returns.

    A test that needs what only AWS's own processes produce (a Failed component, copies the
    autoscaler moved) sets it in the entry: `InferenceComponentStatus`, `FailureReason`,
    `RuntimeConfig.CurrentCopyCount` (fields: DescribeInferenceComponent's output shape).
    """
    components: dict[str, dict[str, Any]] = backend.__dict__.setdefault("modelops_inference_components", {})
    return components


def _arn(backend: Any, kind: str, name: str) -> str:
    from moto.sagemaker.utils import arn_formatter

    # SageMaker writes resource names in ARNs in lower case.
    return str(arn_formatter(kind, name.lower(), backend.account_id, backend.region_name))


def _component(backend: Any, name: str) -> dict[str, Any]:
    """The component, or AWS's not-found refusal ("Could not find inference component", which
    terraform-provider-aws matches to tell a deleted component)."""
    component = inference_components(backend).get(name)
    if component is None:
        raise _refuse(f"Could not find inference component '{_arn(backend, 'inference-component', name)}'.")
    return component


def _endpoint_variants(backend: Any, endpoint_name: str) -> tuple[Any, list[dict[str, Any]]]:
    """The endpoint and the production variants of the configuration it runs (the endpoint must exist)."""
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        raise _refuse(f"Could not find endpoint '{_arn(backend, 'endpoint', endpoint_name)}'.")
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    return endpoint, list(config.production_variants) if config is not None else []


def _specifications(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Specification xor Specifications ("You can use either this parameter or the singular
    Specification parameter, but not both": CreateInferenceComponentInput.Specifications);
    with several, each names its InstanceType ("Required when using the Specifications
    parameter with multiple entries": InferenceComponentSpecification.InstanceType). modelops's words.
    An adapter component (BaseInferenceComponentName) is refused as not emulated."""
    single, several = params.get("Specification"), params.get("Specifications")
    if single is not None and several is not None:
        raise _refuse("Specify either Specification or Specifications, not both.")
    if several is not None and len(several) > 1 and any(not s.get("InstanceType") for s in several):
        raise _refuse("Each of several Specifications needs its InstanceType.")
    specifications = [single] if single is not None else list(several or [])
    if any(s.get("BaseInferenceComponentName") for s in specifications):
        raise _refuse(
            "BaseInferenceComponentName (an adapter inference component) is not emulated: modelops emulates "
            "components that deploy a model or a container."
        )
    return specifications


def _check_specification(backend: Any, specification: dict[str, Any]) -> None:
    """A standard (non-adapter) component deploys a model or a container with a reservation.

    - ModelName names an existing model ("an existing SageMaker AI model object in your account":
      InferenceComponentSpecification.ModelName); refused in the words moto uses for a missing
      model of an endpoint configuration.
    - ModelName or Container: a component needs something to run. modelops's words.
    - ComputeResourceRequirements: "Omit this parameter if your request is meant to create an
      adapter inference component" (InferenceComponentSpecification): required otherwise.
      modelops's words.
    """
    model = specification.get("ModelName")
    if model is not None and model not in backend._models:
        raise _refuse(f"Could not find model '{_arn(backend, 'model', model)}'.")
    if model is None and not specification.get("Container"):
        raise _refuse("A Specification needs a ModelName or a Container.")
    if not specification.get("ComputeResourceRequirements"):
        raise _refuse(
            "ComputeResourceRequirements is required for an inference component that is not an adapter component."
        )


def _specification_summary(specification: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A Specification as DescribeInferenceComponent returns it: the container's image as DeployedImage."""
    summary = {key: value for key, value in specification.items() if key != "Container"}
    container = specification.get("Container")
    if container:
        shown = {key: value for key, value in container.items() if key != "Image"}
        if "Image" in container:
            image = container["Image"]
            shown["DeployedImage"] = {"SpecifiedImage": image, "ResolvedImage": image, "ResolutionTime": now}
        summary["Container"] = shown
    return summary


def _set_specifications(component: dict[str, Any], specifications: list[dict[str, Any]], plural: bool) -> None:
    now = datetime.now(UTC)
    component.pop("Specification", None)
    component.pop("Specifications", None)
    if plural:
        component["Specifications"] = [_specification_summary(s, now) for s in specifications]
    else:
        component["Specification"] = _specification_summary(specifications[0], now)


def _set_copies(component: dict[str, Any], copies: int) -> None:
    # No placement is modelled: every desired copy runs at once.
    component["RuntimeConfig"] = {"DesiredCopyCount": copies, "CurrentCopyCount": copies}


def deployment_problem(config: dict[str, Any]) -> str | None:
    """A rolling update's batch as a percentage: "The value must be between 5% to 50% of the copy
    count of the inference component" (InferenceComponentRollingUpdatePolicy.MaximumBatchSize).
    The other bounds (WaitIntervalInSeconds 0-3600, MaximumExecutionTimeoutInSeconds 600-28800, 1
    to 10 rollback alarms) are the service model's, checked with every request. modelops's words.
    A batch given in copies is not judged: for one copy, no whole number is within 5% to 50%."""
    batch = config.get("RollingUpdatePolicy", {}).get("MaximumBatchSize", {})
    if batch.get("Type") == "CAPACITY_PERCENT" and not 5 <= batch.get("Value", 0) <= 50:
        return f"MaximumBatchSize of type CAPACITY_PERCENT is {batch['Value']}: it must be between 5 and 50."
    return None


def _patch_inference_components(responses: Any) -> None:
    from moto.core.responses import ActionResult

    def create_inference_component(self: Any) -> Any:
        """CreateInferenceComponent: the request as the service judges it, then

        - the specification's form (`_specifications`);
        - the name unique in the account and region, refused as SageMaker refuses an existing
          endpoint or model ("Cannot create already existing ...");
        - the endpoint exists and hosts components: every variant of its configuration without a
          model, else AWS's NOT_A_COMPONENT_ENDPOINT;
        - VariantName given and one of the endpoint's variants ("The name of an existing
          production variant where you host the inference component": CreateInferenceComponentInput;
          required for a component that is not an adapter: terraform-provider-aws
          inference_component.go). modelops's words;
        - what the specification deploys (`_check_specification`).
        """
        params = _request(self, "CreateInferenceComponent")
        backend = self.sagemaker_backend
        components = inference_components(backend)
        name = params["InferenceComponentName"]
        arn = _arn(backend, "inference-component", name)
        specifications = _specifications(params)
        if not specifications:
            raise _refuse("Specification or Specifications is required.")
        if name in components:
            raise _refuse(f'Cannot create already existing inference component "{arn}".')
        endpoint, variants = _endpoint_variants(backend, params["EndpointName"])
        if not variants or any(v.get("ModelName") for v in variants):
            raise _refuse(NOT_A_COMPONENT_ENDPOINT)
        variant = params.get("VariantName")
        if variant is None:
            raise _refuse("VariantName is required for an inference component that is not an adapter component.")
        if variant not in {v["VariantName"] for v in variants}:
            raise _refuse(f"Could not find variant {variant} in endpoint '{endpoint.arn}'.")
        for specification in specifications:
            _check_specification(backend, specification)
        now = datetime.now(UTC)
        component: dict[str, Any] = {
            "InferenceComponentName": name,
            "InferenceComponentArn": arn,
            "EndpointName": endpoint.endpoint_name,
            "EndpointArn": endpoint.arn,
            "VariantName": variant,
            "CreationTime": now,
            "LastModifiedTime": now,
            "InferenceComponentStatus": "InService",
            "Tags": params.get("Tags") or [],
        }
        _set_specifications(component, specifications, plural="Specifications" in params)
        if "RuntimeConfig" in params:
            _set_copies(component, params["RuntimeConfig"]["CopyCount"])
        components[name] = component
        return ActionResult({"InferenceComponentArn": arn})

    def describe_inference_component(self: Any) -> Any:
        params = _request(self, "DescribeInferenceComponent")
        return ActionResult(dict(_component(self.sagemaker_backend, params["InferenceComponentName"])))

    def update_inference_component(self: Any) -> Any:
        """UpdateInferenceComponent: no EndpointName or VariantName (moving a component is a new
        one); Specification or RuntimeConfig required, a DeploymentConfig alone is refused
        (terraform-provider-aws inference_component.go: "UpdateInferenceComponent requires
        RuntimeConfig or a Specification"), modelops's words; the batch rule of `deployment_problem`."""
        params = _request(self, "UpdateInferenceComponent")
        backend = self.sagemaker_backend
        component = _component(backend, params["InferenceComponentName"])
        specifications = _specifications(params)
        if not specifications and "RuntimeConfig" not in params:
            raise _refuse("An update needs a Specification (or Specifications) or a RuntimeConfig.")
        for specification in specifications:
            _check_specification(backend, specification)
        deployment = params.get("DeploymentConfig")
        problem = deployment_problem(deployment) if deployment else None
        if problem is not None:
            raise _refuse(problem)
        if specifications:
            _set_specifications(component, specifications, plural="Specifications" in params)
        if "RuntimeConfig" in params:
            _set_copies(component, params["RuntimeConfig"]["CopyCount"])
        if deployment:
            # Describe reports it as LastDeploymentConfig after an update (DescribeInferenceComponentOutput).
            component["LastDeploymentConfig"] = deployment
        component.update(InferenceComponentStatus="InService", LastModifiedTime=datetime.now(UTC))
        return ActionResult({"InferenceComponentArn": component["InferenceComponentArn"]})

    def update_inference_component_runtime_config(self: Any) -> Any:
        params = _request(self, "UpdateInferenceComponentRuntimeConfig")
        component = _component(self.sagemaker_backend, params["InferenceComponentName"])
        _set_copies(component, params["DesiredRuntimeConfig"]["CopyCount"])
        component["LastModifiedTime"] = datetime.now(UTC)
        return ActionResult({"InferenceComponentArn": component["InferenceComponentArn"]})

    def delete_inference_component(self: Any) -> Any:
        params = _request(self, "DeleteInferenceComponent")
        backend = self.sagemaker_backend
        component = _component(backend, params["InferenceComponentName"])
        del inference_components(backend)[component["InferenceComponentName"]]
        return ActionResult({})

    def list_inference_components(self: Any) -> Any:
        params = _request(self, "ListInferenceComponents")
        found = _listed(list(inference_components(self.sagemaker_backend).values()), params)
        start = _page_start(params.get("NextToken"))
        size = params.get("MaxResults", 10)
        page = found[start : start + size]
        summary_keys = (
            "CreationTime",
            "InferenceComponentArn",
            "InferenceComponentName",
            "EndpointArn",
            "EndpointName",
            "VariantName",
            "InferenceComponentStatus",
            "LastModifiedTime",
        )
        result: dict[str, Any] = {"InferenceComponents": [{k: c.get(k) for k in summary_keys} for c in page]}
        if start + size < len(found):
            result["NextToken"] = str(start + size)
        return ActionResult(result)

    response = responses.SageMakerResponse
    response.create_inference_component = create_inference_component
    response.describe_inference_component = describe_inference_component
    response.update_inference_component = update_inference_component
    response.update_inference_component_runtime_config = update_inference_component_runtime_config
    response.delete_inference_component = delete_inference_component
    response.list_inference_components = list_inference_components


class _TaggedComponent:
    """A component as moto's AddTags, ListTags and DeleteTags see a resource: its `tags` list."""

    def __init__(self, component: dict[str, Any]):
        self._component = component

    @property
    def tags(self) -> list[dict[str, str]]:
        tags: list[dict[str, str]] = self._component.setdefault("Tags", [])
        return tags

    @tags.setter
    def tags(self, value: list[dict[str, str]]) -> None:
        self._component["Tags"] = value


def _patch_component_tags(models: Any) -> None:
    """AddTags, ListTags and DeleteTags on a component's ARN (CloudControl's handlers for
    AWS::SageMaker::InferenceComponent call them); moto resolves only its own resource types."""
    resource_from_arn = _original(models.SageMakerModelBackend, "_get_resource_from_arn")

    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        if ":inference-component/" not in arn:
            return resource_from_arn(self, arn)
        for component in inference_components(self).values():
            if component["InferenceComponentArn"] == arn:
                return _TaggedComponent(component)
        raise _refuse(f"Could not find inference component '{arn}'.")

    models.SageMakerModelBackend._get_resource_from_arn = _get_resource_from_arn


def _page_start(token: str | None) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise _refuse("Invalid pagination token.")
    return int(token)


def _moment(value: Any) -> datetime:
    """A timestamp of the request body: boto3 sends epoch seconds, a hand-written body may send ISO 8601."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _listed(components: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """ListInferenceComponents' filters and order (default: CreationTime, Descending)."""
    equal = {
        "EndpointNameEquals": "EndpointName",
        "VariantNameEquals": "VariantName",
        "StatusEquals": "InferenceComponentStatus",
    }
    for request_key, field in equal.items():
        if request_key in params:
            components = [c for c in components if c.get(field) == params[request_key]]
    if "NameContains" in params:
        components = [c for c in components if params["NameContains"] in c["InferenceComponentName"]]
    for request_key, field, after in (
        ("CreationTimeAfter", "CreationTime", True),
        ("CreationTimeBefore", "CreationTime", False),
        ("LastModifiedTimeAfter", "LastModifiedTime", True),
        ("LastModifiedTimeBefore", "LastModifiedTime", False),
    ):
        if request_key in params:
            moment = _moment(params[request_key])
            components = [c for c in components if (c[field] > moment if after else c[field] < moment)]
    order = {"Name": "InferenceComponentName", "CreationTime": "CreationTime", "Status": "InferenceComponentStatus"}
    key = order[params.get("SortBy", "CreationTime")]
    return sorted(components, key=lambda c: c[key], reverse=params.get("SortOrder", "Descending") == "Descending")


# --- Application Auto Scaling of copies ---------------------------------------------------------


def _copy_target_problem(backend: Any, resource_id: str, low: int | None, high: int | None) -> str | None:
    """RegisterScalableTarget of the copy dimension: ResourceId `inference-component/<name>` of an
    existing component (API_RegisterScalableTarget: "Amazon SageMaker inference component - The
    resource type is inference-component and the unique identifier is the resource ID"), in the
    not-found words of SageMaker; MinCapacity 0 is allowed for components ("the minimum value
    allowed is 0"); MinCapacity no more than MaxCapacity, modelops's words."""
    from moto.sagemaker.models import sagemaker_backends

    match = COMPONENT_RESOURCE_ID.fullmatch(resource_id)
    if match is None:
        return UNSUPPORTED_TARGET
    sagemaker = sagemaker_backends[backend.account_id][backend.region_name]
    if match["name"] not in inference_components(sagemaker):
        return f"Could not find inference component '{_arn(sagemaker, 'inference-component', match['name'])}'."
    if low is not None and high is not None and low > high:
        return f"MinCapacity {low} exceeds MaxCapacity {high}."
    return None


def copy_policy_problem(policy_type: str | None, body: dict[str, Any] | None) -> str | None:
    """A target tracking policy of the copy dimension tracks one of its own predefined metrics
    (COPY_METRICS; API_PredefinedMetricSpecification) or a customized metric; step scaling, how a
    component scales out from zero copies, takes any. modelops's words."""
    if policy_type != "TargetTrackingScaling":
        return None
    metric = ((body or {}).get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if metric is not None and metric not in COPY_METRICS:
        return (
            f"The predefined metric type {metric} does not apply to scalable dimension {COPY_DIMENSION}: "
            f"use {' or '.join(COPY_METRICS)}."
        )
    return None


def _patch_copy_autoscaling() -> None:
    from moto.applicationautoscaling import models, responses
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.core.exceptions import JsonRESTError

    backend_class = models.ApplicationAutoscalingBackend
    register = _original(backend_class, "register_scalable_target")
    put_policy = _original(backend_class, "put_scaling_policy")
    target_params_are_valid = _original(models, "_target_params_are_valid")
    validate_params = _original(responses.ApplicationAutoScalingResponse, "_validate_params")

    def _target_params_are_valid(namespace: str, r_id: str, dimension: str) -> bool:
        if dimension != COPY_DIMENSION:
            return bool(target_params_are_valid(namespace, r_id, dimension))
        if namespace != "sagemaker" or COMPONENT_RESOURCE_ID.fullmatch(r_id) is None:
            raise AWSValidationException(UNSUPPORTED_TARGET)
        return True

    def _validate_params(self: Any) -> None:
        # moto's enum of dimensions lacks the copy dimension; the namespace is still judged.
        if self._get_param("ScalableDimension") != COPY_DIMENSION:
            validate_params(self)
        elif self._get_param("ServiceNamespace") != "sagemaker":
            raise AWSValidationException(UNSUPPORTED_TARGET)

    def register_scalable_target(
        self: Any, namespace: str, r_id: str, dimension: str, *args: Any, **kwargs: Any
    ) -> Any:
        if dimension == COPY_DIMENSION:
            problem = _copy_target_problem(self, r_id, kwargs.get("min_capacity"), kwargs.get("max_capacity"))
            if problem is not None:
                raise AWSValidationException(problem)
        return register(self, namespace, r_id, dimension, *args, **kwargs)

    def put_scaling_policy(self: Any, **kwargs: Any) -> Any:
        """A policy needs its registered target: AWS's ObjectNotFoundException, in its words
        ("No scalable target registered for service namespace: ...", quoted in ansible/ansible
        PR #35632 and cloudposse/terraform-aws-ecs-cloudwatch-autoscaling PR #36)."""
        namespace, resource_id = kwargs["service_namespace"], kwargs["resource_id"]
        dimension = kwargs["scalable_dimension"]
        if dimension == COPY_DIMENSION:
            if not self._scalable_target_exists(resource_id, dimension):
                raise JsonRESTError(
                    "ObjectNotFoundException",
                    f"No scalable target registered for service namespace: {namespace}, resource ID: "
                    f"{resource_id}, scalable dimension: {dimension}",
                )
            problem = copy_policy_problem(kwargs.get("policy_type"), kwargs.get("policy_body"))
            if problem is not None:
                raise AWSValidationException(problem)
        return put_policy(self, **kwargs)

    models._target_params_are_valid = _target_params_are_valid
    setattr(backend_class, "register_scalable_target", register_scalable_target)  # noqa: B010 - a method of moto's
    setattr(backend_class, "put_scaling_policy", put_scaling_policy)  # noqa: B010
    setattr(responses.ApplicationAutoScalingResponse, "_validate_params", _validate_params)  # noqa: B010
