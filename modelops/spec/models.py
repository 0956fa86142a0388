"""Pydantic models of the model spec language v1 (docs/spec-language.md).

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
# AWS APIs' `integer` shapes are 32-bit (Smithy's `integer`, "a 32-bit signed integer ranging
# from -2^31 to (2^31)-1": smithy.io/2.0/spec/simple-types.html; botocore has a separate `long`
# type for 64-bit members). botocore sends a larger number as it is and the service cannot read
# it: an instance count, a copy count or a capacity of Application Auto Scaling beyond this
# never deploys.
AWS_INT32_MAX = 2**31 - 1
# Application Auto Scaling's TargetValue, and any CloudWatch metric value: "Values must be in the
# range of -2^360 to 2^360" (botocore TargetTrackingScalingPolicyConfiguration.TargetValue and
# MetricDatum.Value). A rollback alarm's threshold above that never fires, and one that
# overflows to infinity cannot be sent at all (JSON has no infinity).
AWS_DOUBLE_MAX = 2.0**360
PositiveInt = Annotated[StrictInt, Field(ge=1, le=AWS_INT32_MAX)]
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
    name: Annotated[
        str,
        Field(
            pattern=MODEL_NAME_PATTERN,
            description="Model name: lowercase letters, digits and '-', no '--'; equals the folder under model_specs/. "
            "Short so that every AWS name derived from it fits SageMaker's 63 characters.",
        ),
    ]
    version: Annotated[
        str, Field(description="SemVer 2.0 version of this release (1.2.0, 2.0.0-rc.1); equals the file name.")
    ]
    owner: Annotated[
        str,
        Field(
            min_length=1,
            max_length=256,
            description="Who answers for the model (a team address); the value of the owner tag on every resource.",
        ),
    ]
    description: Annotated[
        str, Field(min_length=1, max_length=1024, description="What the model does; shown on its model card.")
    ]
    risk: Risk | None = Field(None, description="Drives governance and the model card's risk rating (unset: unknown).")
    data_classification: DataClassification = Field(
        "internal",
        description="Sensitivity of the data the model sees: confidential and restricted data requires network "
        "isolation in every environment.",
    )
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Extra AWS tags on every resource of the model: at most 40, no key starting with aws:.",
    )


class PackageRef(SpecModel):
    group: Annotated[
        str, Field(pattern=PACKAGE_GROUP_PATTERN, description="SageMaker Model Registry model package group.")
    ]
    version: PositiveInt = Field(description="Model package version in that group.")


def _stringify_scalars(value: Any) -> Any:
    # Container environment values are strings to SageMaker; YAML makes `4` an int.
    if isinstance(value, dict):
        return {
            k: str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, int | float) else v
            for k, v in value.items()
        }
    return value


class ModelSource(SpecModel):
    package: PackageRef | None = Field(
        None,
        description="A SageMaker Model Registry package, which carries its image and model data. "
        "Exactly one of package and artifact.",
    )
    artifact: Annotated[str, Field(pattern=S3_OBJECT_PATTERN)] | None = Field(
        None,
        description="S3 URI of the model data (model.tar.gz), served with image or framework. "
        "Exactly one of package and artifact.",
    )
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)] | None = Field(
        None,
        description="SHA-256 of the artifact, 64 lowercase hex digits; artifact only. Required in staging and "
        "prod for approval: none models.",
    )
    framework: str | None = Field(
        None,
        description="With artifact on SageMaker: a framework whose official serving image is used "
        "(sklearn, xgboost, pytorch, huggingface...), as the sagemaker SDK names it. On Kubernetes (KServe): "
        "the model format.",
    )
    framework_version: str | None = Field(
        None,
        description="Version of framework, as the sagemaker SDK names it (sklearn 1.2-1, xgboost 1.7-1); "
        "an unknown one is an error listing the known versions.",
    )
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
    image: Annotated[str, Field(pattern=ECR_IMAGE_PATTERN)] | None = Field(
        None,
        description="Your own serving image in ECR (in the stack's region), instead of framework.",
    )
    environment: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Container environment; values are passed as text."
    )
    secrets: dict[str, str] = Field(
        default_factory=dict,
        description="NAME: Secrets Manager secret or SSM parameter ARN. The container gets NAME_SECRET_ARN, and "
        "may read exactly these ARNs.",
    )
    network_isolation: StrictBool | None = Field(
        None,
        description="Run the container without network access. Unset: on for confidential "
        "and restricted data, off otherwise.",
    )

    _coerce_environment = field_validator("environment", mode="before")(_stringify_scalars)


class Serverless(SpecModel):
    memory_mb: Literal[1024, 2048, 3072, 4096, 5120, 6144] = Field(2048, description="Memory of the endpoint.")
    max_concurrency: Annotated[StrictInt, Field(ge=1, le=200)] = Field(
        5, description="Most invocations served at once."
    )


class AsyncInference(SpecModel):
    max_concurrent_invocations_per_instance: Annotated[StrictInt, Field(ge=1, le=1000)] | None = Field(
        None,
        description="Requests an instance works on at once (unset: SageMaker chooses). Results go to the "
        "stack's bucket.",
    )


class Autoscaling(SpecModel):
    min_instances: Annotated[StrictInt, Field(ge=0, le=AWS_INT32_MAX)] = Field(
        description="Fewest instances; at least 1 (0 for async only), at most max_instances."
    )
    max_instances: Annotated[StrictInt, Field(ge=1, le=AWS_INT32_MAX)] = Field(description="Most instances.")
    target_invocations_per_instance: Annotated[float, Field(gt=0, le=AWS_DOUBLE_MAX)] = Field(
        description="Invocations per instance per minute the autoscaler aims for."
    )
    scale_in_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = Field(
        300, description="Seconds after a scale-in before the next one."
    )
    scale_out_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = Field(
        60, description="Seconds after a scale-out before the next one."
    )


class DataCapture(SpecModel):
    enabled: StrictBool = Field(
        False,
        description="Capture requests and responses to the stack's data capture bucket (on KServe: its payload "
        "logger). Required by every monitor, and in prod.",
    )
    sampling_percent: Annotated[StrictInt, Field(ge=1, le=100)] = Field(100, description="Share of requests captured.")


class RolloutAlarms(SpecModel):
    max_5xx_error_rate_percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        1.0, description="Roll back when more than this percent of invocations fail with a 5xx (null: no such alarm)."
    )
    # The alarm compares ModelLatency, in microseconds, with this times 1000 (rollback_alarms).
    max_p99_latency_ms: Annotated[float, Field(gt=0, le=AWS_DOUBLE_MAX / 1000)] | None = Field(
        None, description="Roll back when the p99 model latency passes this many milliseconds (unset: no such alarm)."
    )


class Rollout(SpecModel):
    strategy: Literal["all_at_once", "canary", "linear", "rolling"] = Field(
        "all_at_once",
        description="How an update shifts traffic. canary, linear and rolling are SageMaker deployment guardrails "
        "with automatic rollback on alarms; on Kubernetes only rolling and all_at_once exist.",
    )
    canary_percent: Annotated[StrictInt, Field(ge=1, le=50)] = Field(
        10, description="canary: share of capacity that gets the new version first."
    )
    # TrafficRoutingConfig.LinearStepSize: 10 to 50 percent of capacity ("Use linear traffic
    # shifting", docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green-linear.html).
    linear_step_percent: Annotated[StrictInt, Field(ge=10, le=50)] = Field(
        20, description="linear: share of capacity shifted per step."
    )
    rolling_batch_percent: Annotated[StrictInt, Field(ge=5, le=50)] = Field(
        25, description="Share of capacity replaced per batch by the rolling strategy."
    )
    wait_s: Annotated[StrictInt, Field(ge=0, le=3600)] = Field(
        600, description="Seconds each step bakes, watched by the alarms, before the next."
    )
    termination_wait_s: Annotated[StrictInt, Field(ge=0, le=3600)] = Field(
        0, description="Seconds the old fleet is kept after the last step, for a quick rollback."
    )
    alarms: RolloutAlarms = Field(
        default_factory=RolloutAlarms,
        description="CloudWatch alarms that roll a guarded update back; at least one unless all_at_once.",
    )


class ComponentAutoscaling(SpecModel):
    """Application Auto Scaling of the component's copy count (`sagemaker:inference-component:
    DesiredCopyCount`) on `SageMakerInferenceComponentInvocationsPerCopy`."""

    min_copies: Annotated[StrictInt, Field(ge=0, le=AWS_INT32_MAX)] = Field(
        description="Fewest copies; 0 lets the model scale to zero (the first request then fails while a copy "
        "starts, and wakes it)."
    )
    max_copies: Annotated[StrictInt, Field(ge=1, le=AWS_INT32_MAX)] = Field(description="Most copies.")
    target_invocations_per_copy: Annotated[float, Field(gt=0, le=AWS_DOUBLE_MAX)] = Field(
        description="Invocations per copy per minute the autoscaler aims for."
    )
    scale_in_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = Field(
        300, description="Seconds after a scale-in before the next one."
    )
    scale_out_cooldown_s: Annotated[StrictInt, Field(ge=0, le=86400)] = Field(
        60, description="Seconds after a scale-out before the next one."
    )


class Component(SpecModel):
    """A SageMaker inference component on one of the stack's pools (docs/pools.md): its own CPU,
    memory and accelerator reservation per copy, on instances the pool's models share."""

    pool: Annotated[str, Field(pattern=MODEL_NAME_PATTERN)] = Field(
        description="The pool it runs on: a key of the stack's modelops:pools."
    )
    copies: Annotated[StrictInt, Field(ge=1, le=AWS_INT32_MAX)] = Field(
        1, description="Copies at deploy time; within the autoscaling bounds when autoscaling is set."
    )
    # ComputeResourceRequirements (CreateInferenceComponent): NumberOfCpuCoresRequired >= 0.25,
    # MinMemoryRequiredInMb >= 128, NumberOfAcceleratorDevicesRequired >= 1 when given (botocore).
    cpu: Annotated[float, Field(ge=0.25)] = Field(1, description="CPU cores reserved per copy (at least 0.25).")
    memory_mb: Annotated[StrictInt, Field(ge=128)] = Field(
        description="Memory reserved per copy in MiB (at least 128)."
    )
    accelerators: Annotated[StrictInt, Field(ge=0)] = Field(
        0, description="GPUs or Inferentia devices reserved per copy (0: none)."
    )
    autoscaling: ComponentAutoscaling | None = Field(
        None, description="Scale the copy count on invocations per copy (unset: the copy count stays)."
    )


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
# The Kubernetes API's replica counts are int32 (HorizontalPodAutoscalerSpec, KServe's
# ComponentExtensionSpec); the API server and KServe's controller refuse a larger number.
KUBERNETES_INT32_MAX = 2**31 - 1


class KubernetesServing(SpecModel):
    """How the model runs on the stack's EKS cluster (docs/kubernetes.md)."""

    # The rules that relate these fields to each other and to the rest of the spec live in
    # `modelops.spec.checks` (`_kubernetes_serving`). The docstring is the JSON Schema's description.

    runtime: Literal["kserve", "deployment"] = Field(
        "kserve",
        description="kserve: a KServe InferenceService (Standard mode) serving model.artifact with model.framework "
        "as its model format, or with model.image as a custom predictor. deployment: a Deployment, Service and "
        "HorizontalPodAutoscaler running model.image.",
    )
    namespace: Annotated[str, Field(pattern=DNS_LABEL_PATTERN, max_length=63)] = Field(
        "models", description="Kubernetes namespace of the model's objects: a DNS label, not kube-*."
    )
    min_replicas: Annotated[StrictInt, Field(ge=0, le=KUBERNETES_INT32_MAX)] = Field(
        1, description="Fewest replicas the autoscaler keeps; 0 only with runtime kserve."
    )
    max_replicas: Annotated[StrictInt, Field(ge=1, le=KUBERNETES_INT32_MAX)] = Field(
        1, description="Most replicas the autoscaler adds."
    )
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
    scale_target: Annotated[StrictInt, Field(ge=1, le=KUBERNETES_INT32_MAX)] = Field(
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
    mode: Literal["realtime", "serverless", "async", "component"] = Field(
        "realtime",
        description="The SageMaker endpoint kind: realtime, serverless or async endpoints of the model's own, or "
        "component, an inference component on one of the stack's pools. kubernetes serving is realtime only.",
    )
    instance_type: Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)] | None = Field(
        None, description="SageMaker hosting instance type (ml.m5.large); required unless mode is serverless."
    )
    instance_count: PositiveInt = Field(
        1, description="Instances at deploy time; within the autoscaling bounds when autoscaling is set."
    )
    serverless: Serverless | None = Field(None, description="mode serverless only: memory and concurrency.")
    async_inference: AsyncInference | None = Field(None, alias="async", description="mode async only.")
    component: Component | None = Field(None, description="mode component only: pool, reservation and copies.")
    autoscaling: Autoscaling | None = Field(
        None, description="Scale the instance count on invocations; not with serverless."
    )
    data_capture: DataCapture = Field(
        default_factory=DataCapture, description="Request and response capture, which the monitors read."
    )
    rollout: Rollout = Field(default_factory=Rollout, description="How a new version replaces the running one.")
    kubernetes: KubernetesServing | None = Field(
        None, description="target kubernetes only: runtime, namespace, replicas and resources (defaults when unset)."
    )


class Feature(SpecModel):
    name: Annotated[str, Field(pattern=FEATURE_NAME_PATTERN)] = Field(
        description="Unique in the group; not is_deleted, write_time or api_invocation_time (Feature Store's own)."
    )
    type: FeatureType = Field(description="Feature Store type.")


class OnlineStore(SpecModel):
    enabled: StrictBool = Field(False, description="Keep the latest record per identifier for low-latency reads.")
    ttl_days: PositiveInt | None = Field(
        None, description="Days after which online records expire (unset: never); needs enabled."
    )


class OfflineStore(SpecModel):
    enabled: StrictBool = Field(
        False, description="Keep every record in S3 (the stack's featureStore bucket), as a table."
    )
    table_format: Literal["glue", "iceberg"] = Field("glue", description="Table format of the offline store.")


class FeatureGroupSpec(SpecModel):
    name: Annotated[str, Field(pattern=FEATURE_GROUP_NAME_PATTERN)] = Field(
        description="Group name; created as <name>-<environment> in every stack that deploys this model."
    )
    description: Annotated[str, Field(max_length=128)] | None = Field(
        None, description="Group description; fixed for a generation (AWS cannot update it)."
    )
    record_identifier: str = Field(description="The feature that identifies a record.")
    event_time: str = Field(description="The feature that holds a record's event time: a string or fractional one.")
    features: Annotated[list[Feature], Field(min_length=1, max_length=2500)] = Field(
        description="The group's features. Between versions a group may only gain features, unless replace is true."
    )
    online: OnlineStore = Field(default_factory=OnlineStore, description="Online store; enable online or offline.")
    offline: OfflineStore = Field(default_factory=OfflineStore, description="Offline store; enable online or offline.")
    replace: StrictBool = Field(False, description="Allow removing or retyping features: the group is recreated empty.")


class Features(SpecModel):
    groups: list[FeatureGroupSpec] = Field(
        default_factory=list, description="Feature groups this model owns: its deployment creates them."
    )
    reads: list[Annotated[str, Field(pattern=FEATURE_GROUP_NAME_PATTERN)]] = Field(
        default_factory=list,
        description="Feature groups owned by other models that this model reads: read access to exactly these.",
    )


MONITOR_ENABLED = "Run this monitor on a schedule, with an alarm on violations; needs data capture."


class DataQualityMonitor(SpecModel):
    enabled: StrictBool = Field(False, description=MONITOR_ENABLED)
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
    enabled: StrictBool = Field(False, description=MONITOR_ENABLED)
    problem_type: ProblemType | None = Field(None, description="Required when enabled.")
    ground_truth_s3_uri: S3Uri | None = Field(
        None, description="Where the ground-truth labels are written; required when enabled."
    )
    label_delay_hours: LabelDelayHours = DEFAULT_LABEL_DELAY_HOURS
    probability_attribute: str | None = Field(
        None, description="Where the probability is in the model's output (a JSON path or CSV column index)."
    )
    probability_threshold: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None, description="Probability at or above which a binary prediction is positive."
    )
    inference_attribute: str | None = Field(
        None, description="Where the predicted label is in the model's output (a JSON path or CSV column index)."
    )
    baseline_constraints_s3_uri: S3Object | None = Field(None, description=BASELINE)


class ClarifyMonitor(SpecModel):
    enabled: StrictBool = Field(False, description=MONITOR_ENABLED)
    analysis_config_s3_uri: S3Uri | None = Field(
        None, description="SageMaker Clarify analysis configuration; required when enabled."
    )
    baseline_constraints_s3_uri: S3Object | None = Field(None, description=BASELINE)


class BiasMonitor(ClarifyMonitor):
    label_delay_hours: LabelDelayHours = DEFAULT_LABEL_DELAY_HOURS
    ground_truth_s3_uri: S3Uri | None = Field(
        None,
        description="Labels for post-training bias metrics (the API requires some). Unset: "
        "model_quality.ground_truth_s3_uri, else monitoring/<model>/ground-truth/ in the stack's monitoring bucket.",
    )

    def ground_truth(self, monitoring: Monitoring) -> str | None:
        """The labels the spec names; None leaves the choice to the stack's monitoring bucket."""
        return self.ground_truth_s3_uri or monitoring.model_quality.ground_truth_s3_uri


class Monitoring(SpecModel):
    schedule: str = Field(
        "daily",
        description="When the monitors run: hourly, daily, or a SageMaker monitoring cron on the hour, such as "
        "cron(0 * ? * * *) or cron(0 0/6 ? * * *) (every 6 hours).",
    )
    instance_type: Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN)] = Field(
        "ml.m5.xlarge", description="Instance type of the monitoring jobs."
    )
    data_quality: DataQualityMonitor = Field(
        default_factory=DataQualityMonitor, description="Drift of the input data from a baseline."
    )
    model_quality: ModelQualityMonitor = Field(
        default_factory=ModelQualityMonitor, description="Accuracy against ground-truth labels."
    )
    bias: BiasMonitor = Field(default_factory=BiasMonitor, description="Post-training bias (SageMaker Clarify).")
    explainability: ClarifyMonitor = Field(
        default_factory=ClarifyMonitor, description="Drift of SHAP feature attributions (SageMaker Clarify)."
    )

    def enabled_monitors(self) -> list[str]:
        return [
            name for name in ("data_quality", "model_quality", "bias", "explainability") if getattr(self, name).enabled
        ]


def _all_environments() -> list[Environment]:
    return ["dev", "staging", "prod"]


class ModelCardSpec(SpecModel):
    intended_uses: Annotated[str, Field(min_length=1, max_length=2048)] = Field(
        description="What the model is for, and what not."
    )
    limitations: Annotated[str, Field(max_length=2048)] | None = Field(None, description="Known limitations.")
    ethical_considerations: Annotated[str, Field(max_length=2048)] | None = Field(
        None, description="Ethical considerations."
    )


class DataAccess(SpecModel):
    s3_read: list[S3Uri] = Field(
        default_factory=list, description="S3 prefixes the model may read at run time (and nothing else)."
    )


class Governance(SpecModel):
    approval: Literal["registry", "none"] | None = Field(
        None,
        description="registry: the model comes from model.package, which must be Approved in the registry for "
        "staging and prod. none: no registry approval. Unset: registry for model.package, none for model.artifact.",
    )
    allowed_environments: list[Environment] = Field(
        default_factory=_all_environments, description="Environments whose stacks may pin this version."
    )
    model_card: ModelCardSpec | None = Field(
        None, description="SageMaker Model Card content; its risk rating follows metadata.risk."
    )
    data_access: DataAccess = Field(default_factory=DataAccess, description="Data the model reads at run time.")


class EnvironmentOverride(SpecModel):
    serving: dict[str, Any] | None = Field(
        None, description="Any fields of serving, deep-merged over it for this environment; null removes a key."
    )
    monitoring: dict[str, Any] | None = Field(
        None, description="Any fields of monitoring, deep-merged over it for this environment; null removes a key."
    )


class ModelSpec(SpecModel):
    api_version: Literal["modelops/v1"] = Field(alias="apiVersion", description="The language version.")
    kind: Literal["ModelSpec"] = Field(description="The document kind.")
    metadata: Metadata = Field(description="Who and what: name, version, owner, risk.")
    model: ModelSource = Field(description="What runs: a registry package, or an artifact with its container.")
    serving: Serving = Field(default_factory=Serving, description="Where and how it serves.")
    features: Features = Field(default_factory=Features, description="Feature Store groups owned and read.")
    monitoring: Monitoring = Field(default_factory=Monitoring, description="SageMaker Model Monitor jobs.")
    governance: Governance = Field(default_factory=Governance, description="Approval, environments, model card.")
    environments: dict[Environment, EnvironmentOverride] = Field(
        default_factory=dict,
        description="Per-environment overrides of serving and monitoring, deep-merged over the spec.",
    )

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
