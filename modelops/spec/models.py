"""Pydantic models of the model spec language v1 (shared/design/modelspec-v1.md).

The models check what a single field can check: types, enums, ranges, patterns and unknown
keys. Rules that relate several fields live in `modelops.spec.checks`, so that every problem
in a file is reported at once instead of stopping at the first failing validator.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    field_validator,
)

API_VERSION = "modelops/v1"
ENVIRONMENTS = ("dev", "staging", "prod")

MODEL_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$"
FEATURE_GROUP_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,40}$"
FEATURE_NAME_PATTERN = r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$"
INSTANCE_TYPE_PATTERN = r"^ml\.[a-z0-9]+\.[a-z0-9]+$"
S3_URI_PATTERN = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$"
S3_OBJECT_PATTERN = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ECR_IMAGE_PATTERN = (
    r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9][a-z0-9._/-]*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$"
)
PACKAGE_GROUP_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
# A DNS-1123 label, as Kubernetes requires of a namespace name (at most 63 characters).
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# What each pattern admits, in words, for the finding of a value it refuses.
PATTERN_NAMES = {
    MODEL_NAME_PATTERN: "a model name: 3 to 32 lowercase letters, digits and '-', starting with a letter "
    "and ending with a letter or digit",
    FEATURE_GROUP_NAME_PATTERN: "a feature group name: 2 to 41 lowercase letters, digits and '-', "
    "starting with a letter",
    FEATURE_NAME_PATTERN: "a feature name: at most 64 letters and digits, which '-' or '_' may join",
    INSTANCE_TYPE_PATTERN: "a SageMaker instance type, ml.<family>.<size> (e.g. ml.m5.large)",
    S3_URI_PATTERN: "an S3 URI, s3://<bucket> or s3://<bucket>/<prefix>",
    S3_OBJECT_PATTERN: "the S3 URI of an object, s3://<bucket>/<key>",
    SHA256_PATTERN: "a SHA-256 digest: 64 lowercase hexadecimal digits",
    ECR_IMAGE_PATTERN: "an ECR image, <account>.dkr.ecr.<region>.amazonaws.com/<repository> with :<tag> "
    "or @sha256:<digest>",
    PACKAGE_GROUP_PATTERN: "a model package group name: at most 63 letters and digits, which '-' may join",
    DNS_LABEL_PATTERN: "a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit",
}

Environment = Literal["dev", "staging", "prod"]
Risk = Literal["low", "medium", "high"]
DataClassification = Literal["public", "internal", "confidential", "restricted"]
FeatureType = Literal["string", "integral", "fractional"]
ProblemType = Literal["BinaryClassification", "MulticlassClassification", "Regression"]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
S3Uri = Annotated[str, Field(pattern=S3_URI_PATTERN)]
S3Object = Annotated[str, Field(pattern=S3_OBJECT_PATTERN)]
DEFAULT_LABEL_DELAY_HOURS = 24
MAX_LABEL_DELAY_HOURS = 24 * 14
BASELINE = (
    "constraints.json from a baselining job. Without it the monitor computes statistics "
    "but cannot report violations, so its alarm never fires."
)


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, values are never coerced to text.

    A float too large for a double (`1.0e+400`) reads as infinity: AWS's numeric fields take
    none, and strict JSON cannot carry it, so it is refused like a written `.inf`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, allow_inf_nan=False)


class Metadata(SpecModel):
    name: Annotated[str, Field(pattern=MODEL_NAME_PATTERN, description="Model name, DNS-like.")]
    version: Annotated[str, Field(description="SemVer 2.0 version of this release.")]
    owner: Annotated[str, Field(min_length=1, max_length=256)]
    description: Annotated[str, Field(min_length=1, max_length=1024)]
    risk: Risk | None = Field(None, description="Drives governance and the model card's risk rating (unset: unknown).")
    data_classification: DataClassification = "internal"
    tags: dict[str, str] = Field(default_factory=dict)


class PackageRef(SpecModel):
    group: Annotated[str, Field(pattern=PACKAGE_GROUP_PATTERN)]
    version: PositiveInt


def _stringify_scalars(value: Any) -> Any:
    # Container environment values are strings to SageMaker; YAML makes `4` an int.
    if isinstance(value, dict):
        return {
            k: str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, int | float) else v
            for k, v in value.items()
        }
    return value


class ModelSource(SpecModel):
    package: PackageRef | None = None
    artifact: Annotated[str, Field(pattern=S3_OBJECT_PATTERN)] | None = None
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)] | None = None
    framework: str | None = None
    framework_version: str | None = None
    base_framework_version: str | None = Field(
        None,
        description="huggingface only: the PyTorch or TensorFlow its image is built on, as the sagemaker SDK "
        "names it (e.g. pytorch2.1.0). Unset: the newest PyTorch the SDK has for framework_version.",
    )
    py_version: str | None = Field(
        None,
        description="Python of the framework image, as the sagemaker SDK names it (e.g. py310). "
        "Unset: the newest the SDK has for framework_version.",
    )
    image: Annotated[str, Field(pattern=ECR_IMAGE_PATTERN)] | None = None
    environment: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Container environment; values are passed as text."
    )
    secrets: dict[str, str] = Field(default_factory=dict)
    network_isolation: StrictBool | None = Field(
        None,
        description="Run the container without network access. Unset: on for confidential "
        "and restricted data, off otherwise.",
    )

    _coerce_environment = field_validator("environment", mode="before")(_stringify_scalars)


class Serverless(SpecModel):
    memory_mb: Literal[1024, 2048, 3072, 4096, 5120, 6144] = 2048
    max_concurrency: Annotated[StrictInt, Field(ge=1, le=200)] = 5


class AsyncInference(SpecModel):
    max_concurrent_invocations_per_instance: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None


class Autoscaling(SpecModel):
    min_instances: Annotated[StrictInt, Field(ge=0)]
    max_instances: Annotated[StrictInt, Field(ge=1)]
    target_invocations_per_instance: Annotated[float, Field(gt=0)]
    scale_in_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = 300
    scale_out_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = 60


class DataCapture(SpecModel):
    enabled: StrictBool = False
    sampling_percent: Annotated[StrictInt, Field(ge=1, le=100)] = 100


class RolloutAlarms(SpecModel):
    max_5xx_error_rate_percent: Annotated[float, Field(gt=0, le=100)] | None = 1.0
    max_p99_latency_ms: Annotated[float, Field(gt=0)] | None = None


class Rollout(SpecModel):
    strategy: Literal["all_at_once", "canary", "linear", "rolling"] = "all_at_once"
    canary_percent: Annotated[StrictInt, Field(ge=1, le=50)] = 10
    # TrafficRoutingConfig.LinearStepSize: 10 to 50 percent of capacity ("Use linear traffic
    # shifting", docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green-linear.html).
    linear_step_percent: Annotated[StrictInt, Field(ge=10, le=50)] = 20
    rolling_batch_percent: Annotated[StrictInt, Field(ge=5, le=50)] = Field(
        25, description="Share of capacity replaced per batch by the rolling strategy."
    )
    wait_s: Annotated[StrictInt, Field(ge=0, le=3600)] = 600
    termination_wait_s: Annotated[StrictInt, Field(ge=0, le=3600)] = 0
    alarms: RolloutAlarms = Field(default_factory=RolloutAlarms)


def _quantity_text(value: Any) -> Any:
    # YAML reads `cpu: 2` and `cpu: 0.5` as numbers, and Kubernetes takes a quantity written
    # either way (int-or-string); the spec keeps the text, which `modelops.spec.quantities` checks.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Quantity = Annotated[
    str,
    BeforeValidator(_quantity_text),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]}),
]


class KubernetesServing(SpecModel):
    """`serving.kubernetes` (shared/design/kubernetes-serving.md); the rules that relate its
    fields to each other and to the rest of the spec live in `modelops.spec.checks` (`_kubernetes_serving`)."""

    runtime: Literal["kserve", "deployment"] = Field(
        "kserve",
        description="kserve: a KServe InferenceService (Standard mode) serving model.artifact with model.framework "
        "as its model format, or with model.image as a custom predictor. deployment: a Deployment, Service and "
        "HorizontalPodAutoscaler running model.image.",
    )
    namespace: Annotated[str, Field(pattern=DNS_LABEL_PATTERN, max_length=63)] = Field(
        "models", description="Kubernetes namespace of the model's objects: a DNS label, not kube-*."
    )
    min_replicas: Annotated[StrictInt, Field(ge=0)] = Field(
        1, description="Fewest replicas the autoscaler keeps; 0 only with runtime kserve."
    )
    max_replicas: Annotated[StrictInt, Field(ge=1)] = Field(1, description="Most replicas the autoscaler adds.")
    cpu: Quantity = Field(
        "1", description='CPU per replica as a Kubernetes quantity ("500m", "2"); requests equal limits.'
    )
    memory: Quantity = Field(
        "2Gi", description='Memory per replica as a Kubernetes quantity ("512Mi", "4Gi"); requests equal limits.'
    )
    gpu: Annotated[StrictInt, Field(ge=0)] = Field(0, description="nvidia.com/gpu per replica (at most 8).")
    scale_metric: Literal["cpu", "memory", "concurrency", "rps"] = Field(
        "cpu",
        description="What the HorizontalPodAutoscaler watches: cpu or memory utilization. concurrency and rps are "
        "KServe's Knative (Serverless mode) metrics, which Standard mode refuses.",
    )
    scale_target: Annotated[StrictInt, Field(ge=1)] = Field(
        70, description="Percent for cpu and memory (1 to 100); per replica for concurrency and rps."
    )
    port: Annotated[StrictInt, Field(ge=1, le=65535)] = Field(
        8080, description="deployment runtime: the HTTP port the model server listens on."
    )


class Serving(SpecModel):
    target: Literal["sagemaker", "kubernetes"] = Field(
        "sagemaker",
        description="sagemaker: a SageMaker endpoint. kubernetes: the stack's EKS cluster (serving.kubernetes).",
    )
    mode: Literal["realtime", "serverless", "async"] = "realtime"
    instance_type: Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)] | None = None
    instance_count: PositiveInt = 1
    serverless: Serverless | None = None
    async_inference: AsyncInference | None = Field(None, alias="async")
    autoscaling: Autoscaling | None = None
    data_capture: DataCapture = Field(default_factory=DataCapture)
    rollout: Rollout = Field(default_factory=Rollout)
    kubernetes: KubernetesServing | None = Field(
        None, description="target kubernetes only: runtime, namespace, replicas and resources (defaults when unset)."
    )


class Feature(SpecModel):
    name: Annotated[str, Field(pattern=FEATURE_NAME_PATTERN)]
    type: FeatureType


class OnlineStore(SpecModel):
    enabled: StrictBool = False
    ttl_days: PositiveInt | None = None


class OfflineStore(SpecModel):
    enabled: StrictBool = False
    table_format: Literal["glue", "iceberg"] = "glue"


class FeatureGroupSpec(SpecModel):
    name: Annotated[str, Field(pattern=FEATURE_GROUP_NAME_PATTERN)]
    description: Annotated[str, Field(max_length=128)] | None = None
    record_identifier: str
    event_time: str
    features: Annotated[list[Feature], Field(min_length=1, max_length=2500)]
    online: OnlineStore = Field(default_factory=OnlineStore)
    offline: OfflineStore = Field(default_factory=OfflineStore)
    replace: StrictBool = Field(False, description="Allow removing or retyping features: the group is recreated empty.")


class Features(SpecModel):
    groups: list[FeatureGroupSpec] = Field(default_factory=list)
    reads: list[Annotated[str, Field(pattern=FEATURE_GROUP_NAME_PATTERN)]] = Field(default_factory=list)


class DataQualityMonitor(SpecModel):
    enabled: StrictBool = False
    baseline_constraints_s3_uri: S3Object | None = Field(None, description=BASELINE)
    baseline_statistics_s3_uri: S3Object | None = Field(None, description="statistics.json from a baselining job.")


# Hours after an inference that its ground-truth label is available. A monitor that merges
# labels reads captured data from a window that ends this long before each run
# (EndpointInput.StartTimeOffset/EndTimeOffset), or it finds no labels to merge.
LabelDelayHours = Annotated[
    StrictInt,
    Field(
        ge=0,
        le=MAX_LABEL_DELAY_HOURS,
        description="Hours until ground-truth labels arrive for an inference; each run reads the "
        "captured window that ends this long before it.",
    ),
]


class ModelQualityMonitor(SpecModel):
    enabled: StrictBool = False
    problem_type: ProblemType | None = None
    ground_truth_s3_uri: S3Uri | None = None
    label_delay_hours: LabelDelayHours = DEFAULT_LABEL_DELAY_HOURS
    probability_attribute: str | None = None
    probability_threshold: Annotated[float, Field(ge=0, le=1)] | None = None
    inference_attribute: str | None = None
    baseline_constraints_s3_uri: S3Object | None = Field(None, description=BASELINE)


class ClarifyMonitor(SpecModel):
    enabled: StrictBool = False
    analysis_config_s3_uri: S3Uri | None = None
    baseline_constraints_s3_uri: S3Object | None = Field(None, description=BASELINE)


class BiasMonitor(ClarifyMonitor):
    label_delay_hours: LabelDelayHours = DEFAULT_LABEL_DELAY_HOURS
    ground_truth_s3_uri: S3Uri | None = Field(
        None,
        description="Labels for post-training bias metrics (the API requires some). Unset: "
        "model_quality.ground_truth_s3_uri, else ground-truth/<model>/ in the stack's monitoring bucket.",
    )

    def ground_truth(self, monitoring: Monitoring) -> str | None:
        """The labels the spec names; None leaves the choice to the stack's monitoring bucket."""
        return self.ground_truth_s3_uri or monitoring.model_quality.ground_truth_s3_uri


class Monitoring(SpecModel):
    schedule: str = Field("daily", description="hourly | daily | cron(...) as SageMaker accepts it")
    instance_type: Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)] = Field(
        "ml.m5.xlarge", description="Instance type of the monitoring jobs."
    )
    data_quality: DataQualityMonitor = Field(default_factory=DataQualityMonitor)
    model_quality: ModelQualityMonitor = Field(default_factory=ModelQualityMonitor)
    bias: BiasMonitor = Field(default_factory=BiasMonitor)
    explainability: ClarifyMonitor = Field(default_factory=ClarifyMonitor)

    def enabled_monitors(self) -> list[str]:
        return [
            name for name in ("data_quality", "model_quality", "bias", "explainability") if getattr(self, name).enabled
        ]


def _all_environments() -> list[Environment]:
    return ["dev", "staging", "prod"]


class ModelCardSpec(SpecModel):
    intended_uses: Annotated[str, Field(min_length=1, max_length=2048)]
    limitations: Annotated[str, Field(max_length=2048)] | None = None
    ethical_considerations: Annotated[str, Field(max_length=2048)] | None = None


class DataAccess(SpecModel):
    s3_read: list[S3Uri] = Field(default_factory=list)


class Governance(SpecModel):
    approval: Literal["registry", "none"] | None = Field(
        None, description="Unset: registry for model.package, none for model.artifact."
    )
    allowed_environments: list[Environment] = Field(default_factory=_all_environments)
    model_card: ModelCardSpec | None = None
    data_access: DataAccess = Field(default_factory=DataAccess)


class EnvironmentOverride(SpecModel):
    serving: dict[str, Any] | None = Field(None, description="Deep-merged over `serving`.")
    monitoring: dict[str, Any] | None = Field(None, description="Deep-merged over `monitoring`.")


class ModelSpec(SpecModel):
    api_version: Literal["modelops/v1"] = Field(alias="apiVersion")
    kind: Literal["ModelSpec"]
    metadata: Metadata
    model: ModelSource
    serving: Serving = Field(default_factory=Serving)
    features: Features = Field(default_factory=Features)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    governance: Governance = Field(default_factory=Governance)
    environments: dict[Environment, EnvironmentOverride] = Field(default_factory=dict)

    @property
    def approval(self) -> str:
        if self.governance.approval is not None:
            return self.governance.approval
        return "registry" if self.model.package is not None else "none"

    @property
    def network_isolation(self) -> bool:
        if self.model.network_isolation is not None:
            return self.model.network_isolation
        return self.metadata.data_classification in ("confidential", "restricted")
