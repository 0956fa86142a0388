"""What moto 5.2 lacks or gets wrong for modelops, filled in one place.

Each gap is patched into moto's SageMaker backend and response class so that every caller (the
rehearsal, the provider tests) sees the same behaviour, and each one is listed in `NOTES` (and
in the README's list of what rehearsal cannot show). The emulations follow the SageMaker API
reference: botocore's service model validates every request, references are checked, and the
errors carry AWS's codes.

- instance types: moto's list is stale (no ml.g5, ml.inf2): botocore's enum is used instead;
  monitoring job definitions' instance types are not checked at all: botocore's enum again
  (both from `modelops.aws.instance_types`, which `validate` checks specs against too);
- CreateMonitoringSchedule does not exist in moto;
- Feature Store: moto ignores OnlineStoreConfig and Description (and crashes on an online-only
  group), answers a missing group with a server error, and has no UpdateFeatureGroup or
  DeleteFeatureGroup;
- UpdateModelCard: both Content and ModelCardStatus are optional and AWS keeps what a call
  leaves out (it refuses both in one call, API_UpdateModelCard); moto stores None instead;
- inference components (`modelops.engine.moto_inference_components`): endpoint configurations
  whose variant has no model, the inference component API, and Application Auto Scaling of
  their copies;
- IAM's quota on a role's inline policies: moto takes any size, AWS refuses a PutRolePolicy
  that brings the role's inline policies together past 10,240 characters, white space not
  counted ("IAM and AWS STS quotas", "Role policy size cannot exceed 10,240 characters",
  docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), with LimitExceeded
  "Maximum policy size of 10240 bytes exceeded for role <name>". modelops attaches no managed
  policy (CreatePolicy, AttachRolePolicy), so their 6,144-character quota is not emulated.
"""

from __future__ import annotations

import json
from typing import Any

from modelops.engine import moto_inference_components

NOTES = [
    "SageMaker instance types are checked against botocore's ProductionVariantInstanceType enum (moto's list is "
    "stale), and monitoring jobs' against ProcessingInstanceType (moto checks none)",
    "CreateMonitoringSchedule and DescribeMonitoringSchedule are emulated (moto lacks them): the request is "
    "validated with botocore's service model, its job definition and that definition's endpoint must exist; "
    "no monitoring job ever runs",
    "Feature Store: online stores, descriptions, UpdateFeatureGroup (FeatureAdditions) and DeleteFeatureGroup are "
    "emulated (moto lacks them); no record is stored or read",
    "UpdateModelCard keeps the content or status a call leaves out, as AWS does (moto blanks it)",
    "CreateEndpointConfig with a production variant without ModelName is emulated (moto crashes on it): "
    "ExecutionRoleArn, ManagedInstanceScaling and RoutingConfig are stored and AWS's rules on them applied; "
    "its endpoint goes InService at once",
    "the inference component API is emulated (moto lacks it): requests are validated with botocore's service "
    "model and the limits it leaves to the service, the endpoint, its variant and the model must exist; "
    "every copy is placed and InService at once, whether or not the instances could hold it",
    "Application Auto Scaling of inference component copies (sagemaker:inference-component:DesiredCopyCount) "
    "is emulated (moto refuses the dimension): the component must exist, a policy needs its registered "
    "target; no copy is ever scaled",
    "PutRolePolicy is refused with LimitExceeded when a role's inline policies together exceed IAM's "
    "10,240 characters, white space not counted (moto takes any size)",
]

MONITORING_DEFINITIONS = {
    "DataQuality": "describe_data_quality_job_definition",
    "ModelQuality": "describe_model_quality_job_definition",
    "ModelBias": "describe_model_bias_job_definition",
    "ModelExplainability": "describe_model_explainability_job_definition",
}


def _validated(operation: str, body: str) -> dict[str, Any]:
    """The request's parameters, if the service would take their form (`request_validation`)."""
    from moto.sagemaker.exceptions import ValidationError

    from modelops.engine.request_validation import request_problem

    params: dict[str, Any] = json.loads(body or "{}")
    problem = request_problem("sagemaker", operation, params)
    if problem is not None:
        raise ValidationError(message=problem)
    return params


def apply() -> list[str]:
    """Patch moto (idempotent); returns the notes to show with a rehearsal."""
    from moto.sagemaker import models, responses

    _patch_instance_types(models)
    _patch_processing_instance_types(models)
    _patch_feature_store(models, responses)
    _patch_monitoring_schedules(models, responses)
    _patch_model_card_updates(models)
    _patch_role_policy_size()
    moto_inference_components.apply()
    return list(NOTES)


def _patch_instance_types(models: Any) -> None:
    from moto.sagemaker.exceptions import ValidationError

    from modelops.aws.instance_types import hosting_instance_types

    valid = hosting_instance_types()

    def validate_instance_type(self: Any, instance_type: str) -> None:
        if instance_type not in valid:
            raise ValidationError(
                message=f"Value '{instance_type}' at 'instanceType' is not a SageMaker hosting instance type"
            )

    models.FakeEndpointConfig.validate_instance_type = validate_instance_type


_ORIGINAL_JOB_CREATES: dict[str, Any] = {}


def _patch_processing_instance_types(models: Any) -> None:
    from moto.sagemaker.exceptions import ValidationError

    from modelops.aws.instance_types import processing_instance_types

    valid = processing_instance_types()
    backend = models.SageMakerModelBackend
    for kind in ("data_quality", "model_quality", "model_bias", "model_explainability"):
        method = f"create_{kind}_job_definition"
        original = _ORIGINAL_JOB_CREATES.setdefault(method, getattr(backend, method))

        def checked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            instance_type = (kwargs.get("job_resources") or {}).get("ClusterConfig", {}).get("InstanceType")
            if instance_type not in valid:
                raise ValidationError(
                    message=f"Value '{instance_type}' at 'jobResources.clusterConfig.instanceType' "
                    "is not a SageMaker processing instance type"
                )
            return _original(self, *args, **kwargs)

        setattr(backend, method, checked)


def _feature_group_arn(backend: Any, name: str) -> str:
    from moto.sagemaker.utils import arn_formatter

    return arn_formatter("feature-group", name.lower(), backend.account_id, backend.region_name)


def _feature_group(backend: Any, name: str) -> Any:
    from moto.sagemaker.exceptions import ResourceNotFound

    group = backend.feature_groups.get(_feature_group_arn(backend, name))
    if group is None:
        raise ResourceNotFound(message=f"Resource Not Found: FeatureGroup {name} does not exist.")
    return group


def _patch_feature_store(models: Any, responses: Any) -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ResourceInUseException, ValidationError

    def describe(self: Any) -> dict[str, Any]:
        result = {
            "FeatureGroupArn": self.arn,
            "FeatureGroupName": self.feature_group_name,
            "RecordIdentifierFeatureName": self.record_identifier_feature_name,
            "EventTimeFeatureName": self.event_time_feature_name,
            "FeatureDefinitions": self.feature_definitions,
            "CreationTime": self.creation_time,
            "RoleArn": self.role_arn,
            "ThroughputConfig": {"ThroughputMode": "OnDemand"},
            "FeatureGroupStatus": "Created",
            "OfflineStoreConfig": self.offline_store_config,
            "OnlineStoreConfig": getattr(self, "online_store_config", None),
            "Description": getattr(self, "description", None),
            "LastUpdateStatus": getattr(self, "last_update_status", None),
        }
        return {k: v for k, v in result.items() if v is not None}

    def create_feature_group(self: Any) -> Any:
        params = _validated("CreateFeatureGroup", self.body)
        backend = self.sagemaker_backend
        name = params["FeatureGroupName"]
        if _feature_group_arn(backend, name) in backend.feature_groups:
            raise ResourceInUseException(
                message=f"Resource Already Exists: FeatureGroup with name {name} already exists."
            )
        names = {d["FeatureName"] for d in params["FeatureDefinitions"]}
        for key in ("RecordIdentifierFeatureName", "EventTimeFeatureName"):
            if params[key] not in names:
                raise ValidationError(message=f"{key} {params[key]} is not in FeatureDefinitions.")
        offline = params.get("OfflineStoreConfig")
        online = params.get("OnlineStoreConfig")
        if not offline and not (online or {}).get("EnableOnlineStore"):
            raise ValidationError(message="At least one of OnlineStoreConfig and OfflineStoreConfig must be enabled.")
        group = models.FeatureGroup(
            feature_group_name=name,
            record_identifier_feature_name=params["RecordIdentifierFeatureName"],
            event_time_feature_name=params["EventTimeFeatureName"],
            feature_definitions=params["FeatureDefinitions"],
            offline_store_config=offline or {"S3StorageConfig": {"S3Uri": "s3://unused"}},
            role_arn=params.get("RoleArn"),
            region_name=backend.region_name,
            account_id=backend.account_id,
            tags=params.get("Tags"),
        )
        group.offline_store_config = offline
        group.online_store_config = online
        group.description = params.get("Description")
        backend.feature_groups[group.arn] = group
        return ActionResult({"FeatureGroupArn": group.arn})

    def describe_feature_group(self: Any) -> Any:
        params = _validated("DescribeFeatureGroup", self.body)
        return ActionResult(_feature_group(self.sagemaker_backend, params["FeatureGroupName"]).describe())

    def update_feature_group(self: Any) -> Any:
        params = _validated("UpdateFeatureGroup", self.body)
        group = _feature_group(self.sagemaker_backend, params["FeatureGroupName"])
        additions = params.get("FeatureAdditions") or []
        existing = {d["FeatureName"] for d in group.feature_definitions}
        clashes = sorted(existing & {d["FeatureName"] for d in additions})
        if clashes:
            raise ValidationError(
                message=f"Feature definitions {', '.join(clashes)} already exist in the feature group."
            )
        if len(existing) + len(additions) > 2500:
            raise ValidationError(message="A feature group can have at most 2500 feature definitions.")
        group.feature_definitions = [*group.feature_definitions, *additions]
        if "OnlineStoreConfig" in params:
            online = dict(getattr(group, "online_store_config", None) or {})
            online.update(params["OnlineStoreConfig"])
            group.online_store_config = online
        group.last_update_status = {"Status": "Successful"}
        return ActionResult({"FeatureGroupArn": group.arn})

    def delete_feature_group(self: Any) -> Any:
        params = _validated("DeleteFeatureGroup", self.body)
        backend = self.sagemaker_backend
        group = _feature_group(backend, params["FeatureGroupName"])
        del backend.feature_groups[group.arn]
        return ActionResult({})

    models.FeatureGroup.describe = describe
    responses.SageMakerResponse.create_feature_group = create_feature_group
    responses.SageMakerResponse.describe_feature_group = describe_feature_group
    responses.SageMakerResponse.update_feature_group = update_feature_group
    responses.SageMakerResponse.delete_feature_group = delete_feature_group


def monitoring_schedules(backend: Any) -> dict[str, dict[str, Any]]:
    """The emulated schedules of one moto SageMaker backend, by name: what DescribeMonitoringSchedule returns.

    Each value is the CreateMonitoringSchedule request plus its ARN, returned as stored, with
    `MonitoringScheduleStatus` Scheduled unless the entry sets one. No monitoring job ever runs
    here, so a test that needs what only a run produces puts it in the entry itself, e.g. a
    `LastMonitoringExecutionSummary` whose `MonitoringExecutionStatus` is Failed with a
    `FailureReason` (fields: DescribeMonitoringSchedule's MonitoringExecutionSummary shape).
    """
    schedules: dict[str, dict[str, Any]] = backend.__dict__.setdefault("modelops_monitoring_schedules", {})
    return schedules


def _patch_monitoring_schedules(models: Any, responses: Any) -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
    from moto.sagemaker.utils import arn_formatter

    from modelops.spec.checks import schedule_problem

    def create_monitoring_schedule(self: Any) -> Any:
        params = _validated("CreateMonitoringSchedule", self.body)
        backend = self.sagemaker_backend
        schedules = monitoring_schedules(backend)
        name = params["MonitoringScheduleName"]
        if name in schedules:
            raise ResourceInUseException(message=f"Monitoring schedule {name} already exists.")
        config = params["MonitoringScheduleConfig"]
        expression = config.get("ScheduleConfig", {}).get("ScheduleExpression")
        if expression is not None and schedule_problem(expression):
            raise ValidationError(message=f"Invalid ScheduleExpression {expression}.")
        monitoring_type = config.get("MonitoringType", "DataQuality")
        definition_name = config.get("MonitoringJobDefinitionName")
        if definition_name is None:
            raise ValidationError(message="MonitoringJobDefinitionName is required (modelops emulates only this form).")
        try:
            described = getattr(backend, MONITORING_DEFINITIONS[monitoring_type])(definition_name)
        except ResourceNotFound:
            raise ResourceNotFound(
                message=f"Could not find {monitoring_type} job definition '{definition_name}'."
            ) from None
        job_input: dict[str, Any] = next((v for k, v in described.items() if k.endswith("JobInput")), {}) or {}
        endpoint = (job_input.get("EndpointInput") or {}).get("EndpointName")
        if endpoint is not None and endpoint not in backend.endpoints:
            raise ValidationError(message=f"Endpoint {endpoint} of job definition {definition_name} does not exist.")
        arn = arn_formatter("monitoring-schedule", name.lower(), backend.account_id, backend.region_name)
        schedules[name] = {"MonitoringScheduleArn": arn, **params}
        return ActionResult({"MonitoringScheduleArn": arn})

    def describe_monitoring_schedule(self: Any) -> Any:
        params = _validated("DescribeMonitoringSchedule", self.body)
        schedules = monitoring_schedules(self.sagemaker_backend)
        name = params["MonitoringScheduleName"]
        if name not in schedules:
            raise ResourceNotFound(message=f"Could not find monitoring schedule {name}.")
        return ActionResult({"MonitoringScheduleStatus": "Scheduled", **schedules[name]})

    responses.SageMakerResponse.create_monitoring_schedule = create_monitoring_schedule
    responses.SageMakerResponse.describe_monitoring_schedule = describe_monitoring_schedule


def _patch_model_card_updates(models: Any) -> None:
    backend = models.SageMakerModelBackend
    original = backend.update_model_card
    if getattr(original, "_modelops", False):
        return

    def update_model_card(self: Any, model_card_name: str, content: str | None, model_card_status: str | None) -> str:
        latest = self.model_cards.get(model_card_name, [None])[-1]
        if latest is not None:
            content = latest.content if content is None else content
            model_card_status = latest.model_card_status if model_card_status is None else model_card_status
        return str(original(self, model_card_name, content, model_card_status))

    update_model_card._modelops = True  # type: ignore[attr-defined]
    backend.update_model_card = update_model_card


def _patch_role_policy_size() -> None:
    """PutRolePolicy past IAM's quota on a role's inline policies fails as on AWS (see the module
    docstring): the role's other inline policies and the new document together, a policy of the
    same name counted once, as the new document replaces it."""
    from moto.iam import models as iam_models
    from moto.iam.exceptions import LimitExceededException

    from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT, policy_size

    backend: Any = iam_models.IAMBackend
    original = backend.put_role_policy
    if getattr(original, "_modelops", False):
        return

    def put_role_policy(self: Any, role_name: str, policy_name: str, policy_json: str) -> None:
        role = self.get_role(role_name)
        others = sum(policy_size(document) for name, document in role.policies.items() if name != policy_name)
        if others + policy_size(policy_json) > ROLE_POLICY_SIZE_LIMIT:
            raise LimitExceededException(
                f"Maximum policy size of {ROLE_POLICY_SIZE_LIMIT} bytes exceeded for role {role_name}"
            )
        original(self, role_name, policy_name, policy_json)

    put_role_policy._modelops = True  # type: ignore[attr-defined]
    backend.put_role_policy = put_role_policy
