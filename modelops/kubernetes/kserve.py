"""The InferenceService fields modelops writes, as a strict model, and KServe's admission rules.

`modelops rehearse` has no cluster, so no KServe webhook to ask. It checks each rendered
InferenceService twice instead:
- against `InferenceService` below: exactly the fields `modelops.kubernetes.manifests` writes,
  with their types and enums as KServe 0.20's CRD defines them, and nothing else (a misspelt
  or unexpected key is an error, as with the API server's strict field validation);
- against the rules KServe's validating webhook applies on create and update
  (`pkg/apis/serving/v1beta1/inference_service_validation.go` and `component.go`), which no
  schema carries: the name's format, the autoscaler class, the HPA's metrics and targets in
  Standard mode, replica bounds, the logger mode, one implementation per predictor, and for
  `spec.canary` (KServe 0.20): traffic shares within 0..100 that sum to at most 100, and no
  scaling fields on a canary's predictor (a canary is scaled with the primary).

The tests also validate every rendered InferenceService against KServe's full CRD schema
(`../shared/schemas/kserve/`), which checks types and unknown keys but none of these rules.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from modelops.kubernetes.manifests import (
    AUTOSCALER_CLASS_ANNOTATION,
    DEPLOYMENT_MODE_ANNOTATION,
    GPU_RESOURCE,
    KSERVE_API_VERSION,
    STANDARD_MODE,
)

# pkg/apis/serving/v1beta1/inference_service_validation.go: IsvcNameFmt.
ISVC_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# pkg/constants: AutoscalerAllowedClassList and AutoscalerAllowedHPAMetricsList.
AUTOSCALER_CLASSES = ("hpa", "keda", "external", "none")
HPA_METRICS = ("cpu", "memory")
# Kubernetes quantities (the CRD's pattern for resource amounts).
QUANTITY = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
SCALING_FIELDS = ("minReplicas", "maxReplicas", "scaleMetric", "scaleTarget", "deploymentStrategy")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


Quantity = Annotated[StrictStr, Field(pattern=QUANTITY)]
# The CRD's `format: int32`, which a JSON Schema validator leaves unchecked; KServe's controller
# decodes these fields into Go int32s, so a larger number never reconciles.
Int32 = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]


class ResourceList(_Strict):
    cpu: Quantity
    memory: Quantity
    gpu: Quantity | None = Field(None, alias=GPU_RESOURCE)


class Resources(_Strict):
    requests: ResourceList
    limits: ResourceList


class EnvVar(_Strict):
    name: Annotated[StrictStr, Field(min_length=1)]
    value: StrictStr


class ModelFormat(_Strict):
    name: Annotated[StrictStr, Field(min_length=1)]


class ServedModel(_Strict):
    model_format: ModelFormat = Field(alias="modelFormat")
    storage_uri: Annotated[StrictStr, Field(pattern=r"^s3://")] = Field(alias="storageUri")
    resources: Resources
    env: list[EnvVar] | None = None


class CanaryServedModel(ServedModel):
    name: Literal["kserve-container"]  # required by the CRD in a canary


class ContainerPort(_Strict):
    container_port: Annotated[StrictInt, Field(ge=1, le=65535)] = Field(alias="containerPort")
    protocol: Literal["TCP"]


class Container(_Strict):
    name: Literal["kserve-container"]
    image: Annotated[StrictStr, Field(min_length=1)]
    ports: list[ContainerPort]
    env: list[EnvVar]
    resources: Resources


class Logger(_Strict):
    mode: Literal["all", "request", "response"]
    url: Annotated[StrictStr, Field(pattern=r"^https?://")]


class RollingUpdate(_Strict):
    max_surge: StrictStr | StrictInt = Field(alias="maxSurge")
    max_unavailable: StrictStr | StrictInt = Field(alias="maxUnavailable")


class DeploymentStrategy(_Strict):
    type: Literal["RollingUpdate", "Recreate"]
    rolling_update: RollingUpdate | None = Field(None, alias="rollingUpdate")


class Toleration(_Strict):
    key: StrictStr
    operator: Literal["Exists", "Equal"]
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class Predictor(_Strict):
    service_account_name: StrictStr = Field(alias="serviceAccountName")
    labels: dict[StrictStr, StrictStr]
    # int32 in the CRD; the webhook's bounds are checked in `webhook_problems`.
    min_replicas: Int32 | None = Field(None, alias="minReplicas")
    max_replicas: Int32 | None = Field(None, alias="maxReplicas")
    scale_metric: Literal["cpu", "memory", "concurrency", "rps"] | None = Field(None, alias="scaleMetric")
    scale_target: Int32 | None = Field(None, alias="scaleTarget")
    deployment_strategy: DeploymentStrategy | None = Field(None, alias="deploymentStrategy")
    logger: Logger | None = None
    tolerations: list[Toleration] | None = None
    model: ServedModel | None = None
    containers: list[Container] | None = None


class CanaryPredictor(Predictor):
    model: CanaryServedModel | None = None


class Canary(_Strict):
    traffic_percent: Int32 = Field(alias="trafficPercent")
    predictor: CanaryPredictor


class Spec(_Strict):
    predictor: Predictor
    canary: list[Canary] | None = None


class Metadata(_Strict):
    name: StrictStr
    namespace: StrictStr
    labels: dict[StrictStr, StrictStr]
    annotations: dict[StrictStr, StrictStr]


class InferenceService(_Strict):
    api_version: Literal["serving.kserve.io/v1beta1"] = Field(alias="apiVersion")
    kind: Literal["InferenceService"]
    metadata: Metadata
    spec: Spec


def model_problems(manifest: dict[str, Any]) -> list[str]:
    """Where the manifest leaves the strict model, one message per field."""
    try:
        InferenceService.model_validate(manifest)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}" for error in exc.errors()]
    return []


def _predictor_rules(path: str, predictor: dict[str, Any], annotations: dict[str, Any]) -> list[str]:
    problems = []
    # component.go validateReplicas: minReplicas defaults to 1; both at least 0; a maximum that
    # is absent or 0 means "no maximum".
    low, high = predictor.get("minReplicas", 1), predictor.get("maxReplicas")
    if isinstance(low, int) and low < 0:
        problems.append(f"{path}.minReplicas: {low} is below 0 (KServe: 'MinReplicas cannot be less than 0')")
    if isinstance(high, int) and high < 0:
        problems.append(f"{path}.maxReplicas: {high} is below 0 (KServe: 'MaxReplicas cannot be less than 0')")
    if isinstance(low, int) and isinstance(high, int) and high != 0 and low > high:
        problems.append(
            f"{path}.minReplicas: {low} exceeds maxReplicas {high} "
            "(KServe: 'MinReplicas cannot be greater than MaxReplicas')"
        )
    if path == "spec.predictor" and (predictor.get("model") or {}).get("name"):
        problems.append(f"{path}.model.name: the 'name' field is not allowed in standard predictor")
    implementations = [key for key in ("model", "containers") if predictor.get(key)]
    if len(implementations) != 1:
        problems.append(f"{path}: exactly one of model or containers, not {implementations or 'none'}")
    # validateAutoScalingCompExtension: in Standard mode with the HPA autoscaler, the metric is
    # cpu or memory (default cpu), and a target above 100 is refused.
    standard = annotations.get(DEPLOYMENT_MODE_ANNOTATION) == STANDARD_MODE
    if standard and annotations.get(AUTOSCALER_CLASS_ANNOTATION) == "hpa":
        metric = predictor.get("scaleMetric", "cpu")
        if metric not in HPA_METRICS:
            problems.append(
                f"{path}.scaleMetric: [{metric}] is not a supported metric: KServe in Standard mode with the "
                "HPA autoscaler scales on cpu or memory (concurrency and rps need Knative mode)"
            )
        target = predictor.get("scaleTarget")
        if isinstance(target, int) and (target < 1 or target > 100):
            problems.append(
                f"{path}.scaleTarget: {target}: the target utilization percentage should be a [1-100] integer"
            )
    return problems


def webhook_problems(manifest: dict[str, Any]) -> list[str]:
    """What KServe's validating webhook would refuse, one message each."""
    problems = []
    meta = manifest.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    name = str(meta.get("name", ""))
    if not ISVC_NAME.match(name):
        problems.append(
            f"metadata.name: {name!r} must match [a-z]([-a-z0-9]*[a-z0-9])? "
            "(KServe: lowercase letters, digits and '-', starting with a letter)"
        )
    autoscaler = annotations.get(AUTOSCALER_CLASS_ANNOTATION)
    if autoscaler is not None and autoscaler not in AUTOSCALER_CLASSES:
        problems.append(
            f"metadata.annotations.{AUTOSCALER_CLASS_ANNOTATION}: [{autoscaler}] is not a supported "
            "autoscaler class type"
        )
    spec = manifest.get("spec") or {}
    problems += _predictor_rules("spec.predictor", spec.get("predictor") or {}, annotations)
    total = 0
    for index, canary in enumerate(spec.get("canary") or []):
        path = f"spec.canary[{index}]"
        share = canary.get("trafficPercent")
        if isinstance(share, int):
            total += share
            if not 0 <= share <= 100:
                problems.append(f"{path}.trafficPercent: {share} is outside 0..100")
        predictor = canary.get("predictor") or {}
        scaling = [field for field in SCALING_FIELDS if field in predictor]
        if scaling:
            problems.append(
                f"{path}.predictor: {', '.join(scaling)} not allowed on a canary: it is scaled with the "
                "primary predictor"
            )
        problems += _predictor_rules(f"{path}.predictor", predictor, {})
    if total > 100:
        problems.append(f"spec.canary: the trafficPercent of the canaries sums to {total}, more than 100")
    return problems


def inference_service_problems(manifest: dict[str, Any]) -> list[str]:
    """Every problem of a rendered InferenceService: the strict model's, then the webhook's."""
    if manifest.get("apiVersion") != KSERVE_API_VERSION:
        return [f"apiVersion: {manifest.get('apiVersion')!r} is not {KSERVE_API_VERSION}"]
    return model_problems(manifest) + webhook_problems(manifest)
