"""Rules of one spec that relate several fields (docs/spec-language.md, 'Rules between fields').

Each check returns (field path, message) pairs; nothing stops at the first finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelops.aws.tags import REQUIRED_TAGS, case_twins, tag_problems, tag_value_problem
from modelops.spec import frameworks
from modelops.spec.container import ARTIFACT_ENV, STORAGE_URI_ENV, model_environment
from modelops.spec.loader import FieldPath
from modelops.spec.models import FeatureGroupSpec, KubernetesServing, ModelSpec
from modelops.spec.quantities import cpu_problem, memory_problem

Finding = tuple[FieldPath, str]

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
SHELL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY", re.IGNORECASE)
SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$"
)
# ModelSource fields that pick among a framework's images (sagemaker `image_uris.retrieve` arguments).
FRAMEWORK_IMAGE_CHOICES = ("base_framework_version", "py_version")
RESERVED_FEATURE_NAMES = {"is_deleted", "write_time", "api_invocation_time"}
# SageMaker model monitoring accepts hourly, daily and "every N hours" cron forms only.
SCHEDULE_CRON = re.compile(r"^cron\(0 (\*|(?P<start>\d{1,2})(-(?P<end>\d{1,2}))?(/(?P<every>\d{1,2}))?) \? \* \* \*\)$")


def is_semver(text: str) -> bool:
    return SEMVER.match(text) is not None


def semver_key(text: str) -> tuple:
    """Sort key that orders SemVer 2.0 precedence (build metadata ignored)."""
    match = SEMVER.match(text)
    if match is None:
        return (-1, -1, -1, 0, ())
    major, minor, patch, pre, _ = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


def schedule_problem(schedule: str) -> str | None:
    if schedule in ("hourly", "daily"):
        return None
    match = SCHEDULE_CRON.match(schedule)
    if match is None:
        return (
            f"schedule {schedule!r} is not hourly, daily or a SageMaker monitoring cron "
            "such as cron(0 * ? * * *) or cron(0 0/6 ? * * *)"
        )
    hours = [match["start"], match["end"]]
    if any(h is not None and int(h) > 23 for h in hours):
        return f"schedule {schedule!r}: hours run from 0 to 23"
    if match["every"] is not None and not 1 <= int(match["every"]) <= 24:
        return f"schedule {schedule!r}: the interval runs from 1 to 24 hours"
    return None


def schedule_interval_hours(schedule: str) -> int:
    """Hours between two runs of a valid monitoring schedule (for a range, between runs inside it)."""
    if schedule == "hourly":
        return 1
    match = SCHEDULE_CRON.match(schedule)
    if match is None:  # "daily", the only valid schedule besides hourly and the crons
        return 24
    if match["every"] is not None:
        return int(match["every"])
    return 24 if match["start"] is not None and match["end"] is None else 1


def check_spec(spec: ModelSpec) -> list[Finding]:
    return [
        *_metadata(spec),
        *_model(spec),
        *_serving(spec),
        *_instance_types(spec),
        *_features(spec),
        *_monitoring(spec),
        *_governance(spec),
    ]


def _metadata(spec: ModelSpec) -> Iterator[Finding]:
    meta = spec.metadata
    if "--" in meta.name:
        yield ("metadata", "name"), f"name {meta.name!r} must not contain '--'"
    if not is_semver(meta.version):
        yield ("metadata", "version"), f"version {meta.version!r} is not SemVer 2.0 (e.g. 1.2.0)"
    if len(meta.tags) > 40:
        yield ("metadata", "tags"), f"{len(meta.tags)} tags: AWS allows at most 40 (with ours, fewer)"
    for key, message in tag_problems(meta.tags):
        yield ("metadata", "tags", key), message
    for key, twin in case_twins([*REQUIRED_TAGS, *meta.tags], meta.tags).items():
        whose = "modelops's own tag" if twin in REQUIRED_TAGS else "tag"
        yield (
            ("metadata", "tags", key),
            f"{key!r} and {whose} {twin!r} differ only in case, and IAM takes a role's tag keys without case "
            "(CreateRole refuses both): keep one",
        )
    # The owner is the value of the `owner` tag on every resource of the model.
    owner_problem = tag_value_problem(meta.owner, "the owner tag's value")
    if owner_problem is not None:
        yield ("metadata", "owner"), owner_problem


def _model(spec: ModelSpec) -> Iterator[Finding]:
    model = spec.model
    path: FieldPath = ("model",)
    if (model.artifact is None) == (model.package is None):
        yield path, "exactly one of 'artifact' or 'package' is required"
    if model.sha256 is not None and model.artifact is None:
        yield (*path, "sha256"), "sha256 is only allowed with 'artifact'"
    uses_framework = model.framework is not None or model.framework_version is not None
    if model.package is not None:
        for name in ("image", "framework", "framework_version", *FRAMEWORK_IMAGE_CHOICES):
            if getattr(model, name) is not None:
                yield (*path, name), (f"{name} is not allowed with 'package': the registry package carries its image")
    elif spec.serving.target == "kubernetes":
        yield from _kubernetes_container(spec)
    elif model.artifact is not None:
        if model.image is not None and uses_framework:
            yield (*path, "image"), "give either 'image' or 'framework' + 'framework_version', not both"
        elif model.image is None and not uses_framework:
            yield path, "an artifact needs 'image' or 'framework' + 'framework_version'"
    if spec.serving.target == "sagemaker":  # on kubernetes the framework is KServe's model format
        if uses_framework and model.image is None:
            yield from _framework(spec)
        elif model.package is None:
            for name in FRAMEWORK_IMAGE_CHOICES:
                if getattr(model, name) is not None:
                    yield (*path, name), f"{name} only goes with 'framework' + 'framework_version'"
    for key in model.environment:
        if not SHELL_IDENTIFIER.match(key):
            yield (*path, "environment", key), f"{key!r} is not a shell identifier"
        elif SECRET_LOOKING.search(key):
            yield (
                (*path, "environment", key),
                (f"{key!r} looks like a secret: put its Secrets Manager or SSM ARN under model.secrets instead"),
            )
    for key, arn in model.secrets.items():
        if not SHELL_IDENTIFIER.match(key):
            yield (*path, "secrets", key), f"{key!r} is not a shell identifier"
        if not SECRET_ARN.match(arn):
            yield (*path, "secrets", key), (f"{arn!r} is not a Secrets Manager secret or SSM parameter ARN")
        if f"{key}_SECRET_ARN" in model.environment:
            yield (*path, "environment", f"{key}_SECRET_ARN"), f"collides with secret {key!r}"
    if spec.serving.target == "kubernetes":
        yield from _kubernetes_isolation(spec)
        return
    yield from _container_environment_size(spec)
    if model.secrets and spec.network_isolation:
        reason = (
            "network_isolation is on"
            if model.network_isolation
            else f"{spec.metadata.data_classification} data requires network isolation"
        )
        yield (
            (*path, "secrets"),
            (
                f"a network-isolated container cannot reach Secrets Manager ({reason}); "
                "remove the secrets or the isolation"
            ),
        )
    if model.network_isolation is False and spec.metadata.data_classification in (
        "confidential",
        "restricted",
    ):
        yield (
            (*path, "network_isolation"),
            (f"{spec.metadata.data_classification} data requires network isolation in every environment"),
        )


# CreateModel's ContainerDefinition.Environment (API_ContainerDefinition): "The maximum length of
# each key and value in the Environment map is 1024 bytes. The maximum length of all keys and
# values in the map, combined, is 32 KB", and "Map Entries: Maximum number of 100 items" (botocore's
# EnvironmentMap, max 100). The total is held at 32,000 bytes, the smaller reading of "KB", so
# that what validate accepts is created whichever one SageMaker means.
ENVIRONMENT_ENTRY_MAX_BYTES = 1024
ENVIRONMENT_MAX_BYTES = 32_000
ENVIRONMENT_MAX_ENTRIES = 100


def _container_environment_size(spec: ModelSpec) -> Iterator[Finding]:
    """The SageMaker container's environment: `model.environment` and a `<NAME>_SECRET_ARN` for
    each secret (modelops.spec.container), each entry and the whole within CreateModel's limits."""
    model = spec.model
    where = {key: ("model", "environment", key) for key in model.environment}
    where.update({f"{key}_SECRET_ARN": ("model", "secrets", key) for key in model.secrets})
    environment = model_environment(model)
    # The whole is the secrets' when the spec sets no environment of its own.
    whole = ("model", "environment") if model.environment else ("model", "secrets")
    if len(environment) > ENVIRONMENT_MAX_ENTRIES:
        yield (
            whole,
            (
                f"the container's environment (model.environment, and a NAME_SECRET_ARN for each secret) has "
                f"{len(environment)} variables, and SageMaker takes at most {ENVIRONMENT_MAX_ENTRIES} (CreateModel): "
                "pass settings in the model artifact instead"
            ),
        )
    total = 0
    for key, value in environment.items():
        key_bytes, value_bytes = len(key.encode("utf-8")), len(value.encode("utf-8"))
        total += key_bytes + value_bytes
        for what, size in (("name", key_bytes), ("value", value_bytes)):
            if size > ENVIRONMENT_ENTRY_MAX_BYTES:
                yield (
                    where[key],
                    (
                        f"the container's variable {key[:40]}{'...' if len(key) > 40 else ''} has a {what} of "
                        f"{size:,} bytes, and SageMaker takes at most {ENVIRONMENT_ENTRY_MAX_BYTES:,} (CreateModel)"
                    ),
                )
    if total > ENVIRONMENT_MAX_BYTES:
        yield (
            whole,
            (
                f"the container's environment (model.environment, and a NAME_SECRET_ARN for each secret) comes to "
                f"{total:,} bytes of names and values, and SageMaker takes at most {ENVIRONMENT_MAX_BYTES:,} in all "
                "(CreateModel): pass large settings in the model artifact instead"
            ),
        )


def _framework(spec: ModelSpec) -> Iterator[Finding]:
    model = spec.model
    framework, version = model.framework, model.framework_version
    if framework is None or version is None:
        missing = "framework" if framework is None else "framework_version"
        yield ("model", missing), "framework and framework_version go together"
        return
    versions = frameworks.known_versions(framework)
    if versions is None:
        known = ", ".join(frameworks.known_frameworks())
        yield ("model", "framework"), f"unknown framework {framework!r}; the sagemaker SDK knows: {known}"
        return
    if version not in versions:
        yield (
            ("model", "framework_version"),
            (f"{framework} {version!r} is unknown to the sagemaker SDK; known versions: " + ", ".join(versions)),
        )
        return
    serving = spec.serving
    if serving.mode != "serverless" and serving.instance_type is None:
        return  # reported by _serving; the image depends on the instance type
    image = frameworks.serving_image(
        framework, version, serving.instance_type, model.base_framework_version, model.py_version
    )
    if isinstance(image, frameworks.ImageRefusal):
        if image.field != "instance_type":
            yield ("model", image.field), image.message
        else:
            yield ("serving", "instance_type" if serving.instance_type else "mode"), image.message


def _serving(spec: ModelSpec) -> Iterator[Finding]:
    serving = spec.serving
    path: FieldPath = ("serving",)
    serverless = serving.mode == "serverless"
    if serving.target == "kubernetes":
        yield from _kubernetes_serving(spec)
        return
    if serving.kubernetes is not None:
        yield (
            (*path, "kubernetes"),
            "only used with target: kubernetes (an environments override that switches to sagemaker sets it to null)",
        )
    if serving.mode == "component":
        yield from _component(spec)
        return
    if serving.component is not None:
        yield (
            (*path, "component"),
            "only used with mode: component (an environments override that moves the model off its pool sets it "
            "to null)",
        )
    if serverless:
        if serving.instance_type is not None:
            yield (*path, "instance_type"), "serverless endpoints take no instance_type"
        if serving.autoscaling is not None:
            yield (*path, "autoscaling"), "serverless endpoints scale by themselves: remove autoscaling"
        if serving.data_capture.enabled:
            yield (*path, "data_capture", "enabled"), "serverless endpoints do not support data capture"
        if serving.rollout.strategy != "all_at_once":
            yield (
                (*path, "rollout", "strategy"),
                (
                    "deployment guardrails (canary, linear, rolling) exist for realtime and async "
                    "endpoints only; serverless takes all_at_once"
                ),
            )
        if spec.network_isolation:
            yield ("model", "network_isolation"), "serverless endpoints do not support network isolation"
    elif serving.instance_type is None:
        yield (*path, "instance_type"), f"required for mode {serving.mode}"
    if serving.serverless is not None and not serverless:
        yield (*path, "serverless"), "only used with mode: serverless"
    if serving.async_inference is not None and serving.mode != "async":
        yield (*path, "async"), "only used with mode: async"
    scaling = serving.autoscaling
    if scaling is not None and not serverless:
        if scaling.min_instances > scaling.max_instances:
            yield (
                (*path, "autoscaling", "min_instances"),
                (f"min_instances {scaling.min_instances} exceeds max_instances {scaling.max_instances}"),
            )
        if scaling.min_instances < 1 and serving.mode != "async":
            yield (*path, "autoscaling", "min_instances"), "must be >= 1 (0 is allowed for async only)"
        yield from _instance_count_within_scaling(serving.instance_count, scaling.min_instances, scaling.max_instances)
    yield from _guardrails_available(serving.rollout.strategy, serving.instance_type)
    alarms = serving.rollout.alarms
    if serving.rollout.strategy != "all_at_once" and (
        alarms.max_5xx_error_rate_percent is None and alarms.max_p99_latency_ms is None
    ):
        yield (
            (*path, "rollout", "alarms"),
            (f"a {serving.rollout.strategy} rollout rolls back on alarms: set at least one"),
        )


def _component(spec: ModelSpec) -> Iterator[Finding]:
    """A model on a pool: an inference component (docs/pools.md, 'What a pool gives up').

    - The pool's endpoint configuration sizes the instances: the model's own instance_type,
      instance_count and instance autoscaling have nothing to size.
    - Serverless and async are endpoint kinds of their own: InvokeEndpointAsync has no
      InferenceComponentName (botocore sagemaker-runtime), and a serverless variant has no
      instances to place copies on.
    - UpdateInferenceComponent's DeploymentConfig has a RollingUpdatePolicy only (botocore
      `InferenceComponentDeploymentConfig`): no canary or linear traffic shifting.
    - Model Monitor watches an endpoint that hosts a single model; its EndpointInput has no
      inference component field ("Monitor data quality", docs.aws.amazon.com/sagemaker/latest/dg/
      model-monitor.html; botocore `EndpointInput`): a monitor could not tell the models apart.
    - An inference component's rolling update has no termination wait, canary or linear step
      (`COMPONENT_IGNORED_ROLLOUT_FIELDS`): set, they would be silently ignored.
    """
    serving = spec.serving
    path: FieldPath = ("serving",)
    component = serving.component
    # target kubernetes never gets here: _serving checks it by _kubernetes_serving ("realtime only").
    if component is None:
        yield (*path, "component"), "required for mode component: the pool, the reservation per copy and the copies"
        return
    for name, key in SAGEMAKER_SERVING_FIELDS:
        if name in serving.model_fields_set and getattr(serving, name) is not None:
            yield (
                (*path, key),
                f"a component runs on its pool's instances: {key} is the pool's (stack modelops:pools), "
                "remove it (or set it to null in an environments override that switches to component)",
            )
    if serving.rollout.strategy not in ("rolling", "all_at_once"):
        yield (
            (*path, "rollout", "strategy"),
            f"an inference component updates by rolling batches of copies only: {serving.rollout.strategy} "
            "traffic shifting is for endpoints of a model's own; use rolling or all_at_once",
        )
    elif serving.rollout.strategy == "rolling" and (
        serving.rollout.alarms.max_5xx_error_rate_percent is None and serving.rollout.alarms.max_p99_latency_ms is None
    ):
        yield (*path, "rollout", "alarms"), "a rolling rollout rolls back on alarms: set at least one"
    for name in COMPONENT_IGNORED_ROLLOUT_FIELDS:
        if name in serving.rollout.model_fields_set:
            yield (
                (*path, "rollout", name),
                f"an inference component's rolling update takes a batch size, a wait and alarms only "
                f"(InferenceComponentRollingUpdatePolicy): {name} would be ignored; remove it (or set it to null in "
                "an environments override that switches to component)",
            )
    for monitor in spec.monitoring.enabled_monitors():
        yield (
            ("monitoring", monitor, "enabled"),
            "Model Monitor watches an endpoint hosting one model and cannot tell a pool's components apart: "
            "disable it, or serve the model on its own endpoint (mode realtime)",
        )
    scaling = component.autoscaling
    cpath: FieldPath = (*path, "component")
    if scaling is not None:
        if scaling.min_copies > scaling.max_copies:
            yield (
                (*cpath, "autoscaling", "min_copies"),
                f"min_copies {scaling.min_copies} exceeds max_copies {scaling.max_copies}",
            )
        elif not scaling.min_copies <= component.copies <= scaling.max_copies:
            yield (
                (*cpath, "copies"),
                f"copies {component.copies} is outside the autoscaling bounds {scaling.min_copies} to "
                f"{scaling.max_copies}: the component would start at a size the autoscaler immediately changes",
            )


# KServe's built-in ServingRuntimes select a predictor by `modelFormat.name`
# (docs/kubernetes.md, 'The spec'): sklearn, xgboost, lightgbm, pytorch,
# tensorflow, onnx and huggingface. Any other model is served with the spec's own image.
KSERVE_MODEL_FORMATS = ("sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "onnx", "huggingface")
# serving fields that size or shape a SageMaker endpoint (field name, spec key).
SAGEMAKER_SERVING_FIELDS = (
    ("instance_type", "instance_type"),
    ("instance_count", "instance_count"),
    ("autoscaling", "autoscaling"),
    ("serverless", "serverless"),
    ("async_inference", "async"),
)
# rollout fields that configure SageMaker's deployment guardrails (traffic shifting, baking,
# rollback alarms); a Kubernetes rolling update has maxSurge (rolling_batch_percent) only.
GUARDRAIL_ROLLOUT_FIELDS = ("canary_percent", "linear_step_percent", "wait_s", "termination_wait_s", "alarms")
# rollout fields an inference component has no place for. UpdateInferenceComponent's
# RollingUpdatePolicy has MaximumBatchSize, WaitIntervalInSeconds, MaximumExecutionTimeoutInSeconds
# and RollbackMaximumBatchSize (botocore `InferenceComponentRollingUpdatePolicy`; https://docs.aws.
# amazon.com/sagemaker/latest/APIReference/API_InferenceComponentRollingUpdatePolicy.html): no
# TerminationWaitInSeconds, which a rolling (blue/green) update of an endpoint has: set, it would
# promise a wait that does not happen. canary_percent and linear_step_percent belong to the
# canary and linear strategies, which a component refuses already, and are ignored by a rolling
# rollout of any model alike (an override that switches a canary model to a pool keeps them).
COMPONENT_IGNORED_ROLLOUT_FIELDS = ("termination_wait_s",)
# No EC2 instance has more than 8 NVIDIA GPUs (p4d, p5, g5.48xlarge, g6.48xlarge: "Amazon EC2
# accelerated computing instances", docs.aws.amazon.com/ec2/latest/instancetypes/ac.html), and a
# pod's GPUs come from one node: a replica asking for more would stay Pending forever.
MAX_GPUS_PER_REPLICA = 8
# Kubernetes label values: at most 63 characters, alphanumerics with '-', '_' and '.' inside
# ("Labels and Selectors, Syntax and character set", kubernetes.io/docs/concepts/overview/
# working-with-objects/labels/). Every object carries app.kubernetes.io/version: <version>.
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# A DNS label, as every host name part: at most 63 characters (RFC 1123).
DNS_LABEL_MAX = 63


def _kubernetes_container(spec: ModelSpec) -> Iterator[Finding]:
    """What runs the artifact on kubernetes (docs/kubernetes.md): runtime kserve serves it with
    `framework` as KServe's `modelFormat`, or with `image` as a custom predictor; runtime
    deployment runs `image`, a model server. SageMaker's framework images play no part, so the
    sagemaker SDK's framework versions are not checked here; `framework_version` is optional."""
    model = spec.model
    runtime = (spec.serving.kubernetes or KubernetesServing()).runtime
    path: FieldPath = ("model",)
    for name in FRAMEWORK_IMAGE_CHOICES:
        if getattr(model, name) is not None:
            yield (*path, name), f"{name} chooses a SageMaker image; kubernetes serving takes none"
    if model.framework_version is not None and model.framework is None:
        yield (*path, "framework_version"), "framework_version goes with framework"
    if model.artifact is None:
        return  # "exactly one of 'artifact' or 'package'" is reported
    artifact_env = ARTIFACT_ENV if runtime == "deployment" else STORAGE_URI_ENV if model.image else None
    if artifact_env in model.environment:
        yield (
            (*path, "environment", artifact_env),
            f"{artifact_env} is modelops's: it gives the container model.artifact, the one artifact the pod's "
            "role may read; remove it from model.environment",
        )
    if runtime == "deployment":
        if model.framework is not None:
            yield (
                (*path, "framework"),
                "runtime deployment runs model.image, a model server of your own; a framework's model "
                "is served by runtime kserve",
            )
        if model.image is None:
            yield (
                (*path, "image"),
                "runtime deployment needs model.image: a model server listening on serving.kubernetes.port",
            )
        return
    formats = ", ".join(KSERVE_MODEL_FORMATS)
    if model.image is not None and model.framework is not None:
        yield (
            (*path, "image"),
            "give either 'image' (a custom KServe predictor) or 'framework' (a KServe model format), not both",
        )
    elif model.image is None and model.framework is None:
        yield (
            path,
            f"runtime kserve serves the artifact with 'framework', one of KServe's model formats ({formats}), "
            "or with your own predictor 'image'",
        )
    elif model.framework is not None and model.framework not in KSERVE_MODEL_FORMATS:
        yield (
            (*path, "framework"),
            f"KServe has no model format {model.framework!r}: runtime kserve takes {formats}; serve any other "
            "model with your own predictor 'image'",
        )


def _kubernetes_isolation(spec: ModelSpec) -> Iterator[Finding]:
    """Network isolation is SageMaker's (`EnableNetworkIsolation` of CreateModel); modelops renders
    no NetworkPolicy, and KServe's storage initializer downloads the artifact over the network.
    Confidential and restricted data requires isolation in every environment (docs/spec-language.md,
    'Governance by environment'), so such a model is served on SageMaker."""
    model = spec.model
    if model.network_isolation:
        yield (
            ("model", "network_isolation"),
            "network isolation is SageMaker's (EnableNetworkIsolation); kubernetes serving has none: remove it, "
            "or serve this model on SageMaker",
        )
    classification = spec.metadata.data_classification
    if classification in ("confidential", "restricted"):
        yield (
            ("metadata", "data_classification"),
            f"{classification} data requires network isolation in every environment, which only SageMaker "
            "serving provides: serve this model on SageMaker",
        )


def _kubernetes_serving(spec: ModelSpec) -> Iterator[Finding]:
    """The rules of docs/kubernetes.md on `serving` of a kubernetes model,
    merged for its environment (so an override that switches the target is checked as well)."""
    serving = spec.serving
    k8s = serving.kubernetes or KubernetesServing()
    path: FieldPath = ("serving",)
    kpath: FieldPath = (*path, "kubernetes")
    if serving.mode != "realtime":
        yield (*path, "mode"), "kubernetes serving is realtime only"
    if spec.model.package is not None:
        yield (
            ("model", "package"),
            (
                "kubernetes serving needs 'artifact' with 'image' or 'framework': "
                "a registry package only deploys to SageMaker"
            ),
        )
    for field, key in SAGEMAKER_SERVING_FIELDS:
        if field in serving.model_fields_set and getattr(serving, field) is not None:
            yield (
                (*path, key),
                f"{key} shapes a SageMaker endpoint; kubernetes serving is sized by serving.kubernetes "
                "(min_replicas, max_replicas, cpu, memory, gpu); an environments override that switches to "
                "kubernetes sets it to null",
            )
    yield from _kubernetes_scaling(k8s, kpath)
    yield from _kubernetes_names(spec, k8s, kpath)
    if serving.data_capture.enabled and k8s.runtime == "deployment":
        yield (
            (*path, "data_capture", "enabled"),
            "data capture on kubernetes is KServe's payload logger, and a Deployment has none: "
            "use runtime kserve, or disable data capture",
        )
    rollout = serving.rollout
    if rollout.strategy in ("canary", "linear"):
        yield (
            (*path, "rollout", "strategy"),
            f"{rollout.strategy} is a SageMaker deployment guardrail; kubernetes rolls out with rolling or "
            "all_at_once. For the same result, pin the new version as a challenger with its traffic_percent "
            "in the stack: it becomes a KServe canary entry (runtime kserve)",
        )
    for name in GUARDRAIL_ROLLOUT_FIELDS:
        if name in rollout.model_fields_set:
            yield (
                (*path, "rollout", name),
                f"{name} configures SageMaker's deployment guardrails; a kubernetes rollout takes strategy and "
                "rolling_batch_percent only",
            )


def _kubernetes_scaling(k8s: KubernetesServing, kpath: FieldPath) -> Iterator[Finding]:
    """Replicas, autoscaling and resources of a kubernetes model.

    - A Deployment's HorizontalPodAutoscaler keeps at least one replica (`minReplicas` "is
      allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled", autoscaling/v2
      HorizontalPodAutoscalerSpec); docs/kubernetes.md allows 0 with kserve only.
    - KServe's Standard (raw deployment) mode scales with an HPA, and its admission webhook
      (`validateScalingHPACompExtension`, kserve pkg/apis/serving/v1beta1/
      inference_service_validation.go) accepts the metrics cpu and memory only, with a target
      of 1 to 100 percent; concurrency and rps are its Knative (Serverless mode) metrics. A
      Deployment's autoscaling/v2 HPA scales on the same two Resource metrics without a custom
      metrics adapter, so both runtimes take cpu and memory.
    - requests equal limits, so utilization never passes 100 percent of the request.
    """
    if k8s.min_replicas > k8s.max_replicas:
        yield (
            (*kpath, "min_replicas"),
            f"min_replicas {k8s.min_replicas} exceeds max_replicas {k8s.max_replicas}",
        )
    if k8s.min_replicas == 0 and k8s.runtime == "deployment":
        yield (
            (*kpath, "min_replicas"),
            "min_replicas 0 (scale to zero) needs runtime kserve: a Deployment's HorizontalPodAutoscaler "
            "keeps at least 1 replica",
        )
    if k8s.scale_metric in ("concurrency", "rps"):
        if k8s.runtime == "kserve":
            reason = (
                "KServe's Standard (raw deployment) mode scales with a HorizontalPodAutoscaler, and its webhook "
                f"refuses {k8s.scale_metric}, a Knative metric of its Serverless mode"
            )
        else:
            reason = (
                "a Deployment's HorizontalPodAutoscaler (autoscaling/v2 Resource metrics) has no "
                f"{k8s.scale_metric} without a custom metrics adapter"
            )
        yield (*kpath, "scale_metric"), f"{reason}: use cpu or memory"
    elif k8s.scale_target > 100:
        yield (
            (*kpath, "scale_target"),
            f"scale_target is a percent of the requested {k8s.scale_metric} with scale_metric {k8s.scale_metric}: "
            "1 to 100 (requests equal limits, so utilization never passes 100)",
        )
    for field, problem in (("cpu", cpu_problem(k8s.cpu)), ("memory", memory_problem(k8s.memory))):
        if problem is not None:
            yield (*kpath, field), problem
    if k8s.gpu > MAX_GPUS_PER_REPLICA:
        yield (
            (*kpath, "gpu"),
            f"{k8s.gpu} GPUs per replica: no EC2 instance has more than {MAX_GPUS_PER_REPLICA} NVIDIA GPUs, "
            "and a replica's GPUs come from one node, so it would never schedule",
        )


def _kubernetes_names(spec: ModelSpec, k8s: KubernetesServing, kpath: FieldPath) -> Iterator[Finding]:
    """Names Kubernetes derives from the spec.

    The model name is the ServiceAccount's and the InferenceService's: MODEL_NAME_PATTERN
    (a letter, then at most 31 lowercase letters, digits and '-') is always a DNS-1035 label,
    the strictest of the two (KServe's `IsvcNameFmt` is `[a-z]([-a-z0-9]*[a-z0-9])?`), so it
    needs no rule of its own here. The namespace pattern and length are the field's.
    """
    namespace = k8s.namespace
    if namespace.startswith("kube-"):
        # "Avoid creating namespaces with the prefix kube-, since it is reserved for Kubernetes
        # system namespaces" (kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/).
        yield (*kpath, "namespace"), f"{namespace!r}: the kube- prefix is reserved for Kubernetes system namespaces"
    name = spec.metadata.name
    host = f"{name}-predictor-{namespace}"
    if k8s.runtime == "kserve" and len(host) > DNS_LABEL_MAX:
        # KServe's default ingress domainTemplate is "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}"
        # (kserve pkg/apis/serving/v1beta1/configmap.go), and the predictor's Name is <isvc>-predictor.
        yield (
            (*kpath, "namespace"),
            f"KServe names the predictor's host {host}.<domain> ({len(host)} characters before the domain), "
            f"and a DNS label holds at most {DNS_LABEL_MAX}: use a namespace of at most "
            f"{DNS_LABEL_MAX - len(name) - len('-predictor-')} characters",
        )
    version = spec.metadata.version
    if len(version) > DNS_LABEL_MAX or not LABEL_VALUE.match(version):
        yield (
            ("metadata", "version"),
            f"{version!r} cannot be the value of the label app.kubernetes.io/version: label values are at most "
            "63 letters, digits, '-', '_' and '.', with no '+' build metadata; publish the version without it "
            "to serve it on kubernetes",
        )


def _instance_types(spec: ModelSpec) -> Iterator[Finding]:
    """Instance types SageMaker takes: botocore's SageMaker service model enumerates them for
    endpoints (`ProductionVariantInstanceType`) and for monitoring jobs (`ProcessingInstanceType`)."""
    from modelops.aws.instance_types import instance_type_problem

    if spec.serving.target == "sagemaker" and spec.serving.instance_type is not None:
        problem = instance_type_problem("hosting", spec.serving.instance_type)
        if problem:
            yield ("serving", "instance_type"), problem
    problem = instance_type_problem("processing", spec.monitoring.instance_type)
    if problem:
        yield ("monitoring", "instance_type"), problem


def _instance_count_within_scaling(count: int, low: int, high: int) -> Iterator[Finding]:
    """The variant starts with `instance_count` and Application Auto Scaling immediately moves
    it inside [min, max] ("Configure auto scaling: MinCapacity/MaxCapacity",
    docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-policy.html); a count
    outside means every deploy provisions capacity the autoscaler then tears down or adds."""
    if low <= count <= high:
        return
    yield (
        ("serving", "instance_count"),
        f"instance_count {count} is outside the autoscaling bounds {low} to {high}: "
        "the endpoint would start at a size the autoscaler immediately changes",
    )


def _guardrails_available(strategy: str, instance_type: str | None) -> Iterator[Finding]:
    """ "Endpoints that use Inf1 (Inferentia-based) instances ... fall back to using a blue/green
    deployment with all at once traffic shifting and no final baking period"
    (docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html): the
    canary, the steps and the rollback alarms would be silently ignored."""
    if strategy != "all_at_once" and instance_type is not None and instance_type.startswith("ml.inf1."):
        yield (
            ("serving", "rollout", "strategy"),
            f"deployment guardrails are not available on {instance_type}: AWS shifts all traffic at once "
            "and never rolls back; use all_at_once, or an ml.inf2 instance type",
        )


def _features(spec: ModelSpec) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, group in enumerate(spec.features.groups):
        path: FieldPath = ("features", "groups", index)
        if group.name in seen:
            yield (*path, "name"), f"feature group {group.name!r} is declared twice"
        seen.add(group.name)
        yield from _feature_group(group, path)
    for index, name in enumerate(spec.features.reads):
        if name in seen:
            yield ("features", "reads", index), f"{name!r} is owned by this model; do not list it in reads"


def _feature_group(group: FeatureGroupSpec, path: FieldPath) -> Iterator[Finding]:
    types: dict[str, str] = {}
    for index, feature in enumerate(group.features):
        if feature.name in types:
            yield (*path, "features", index, "name"), f"feature {feature.name!r} is declared twice"
        if feature.name in RESERVED_FEATURE_NAMES:
            yield (*path, "features", index, "name"), f"{feature.name!r} is reserved by Feature Store"
        types.setdefault(feature.name, feature.type)
    if group.record_identifier not in types:
        yield (*path, "record_identifier"), f"{group.record_identifier!r} is not a declared feature"
    if group.event_time not in types:
        yield (*path, "event_time"), f"{group.event_time!r} is not a declared feature"
    elif types[group.event_time] not in ("string", "fractional"):
        yield (
            (*path, "event_time"),
            (f"event_time feature {group.event_time!r} is {types[group.event_time]}: it must be string or fractional"),
        )
    if not group.online.enabled and not group.offline.enabled:
        yield path, "enable at least one of online and offline"
    if group.online.ttl_days is not None and not group.online.enabled:
        yield (*path, "online", "ttl_days"), "ttl_days needs online.enabled"


def _monitoring(spec: ModelSpec) -> Iterator[Finding]:
    monitoring = spec.monitoring
    problem = schedule_problem(monitoring.schedule)
    if problem:
        yield ("monitoring", "schedule"), problem
    enabled = monitoring.enabled_monitors()
    for name in enabled:
        path: FieldPath = ("monitoring", name, "enabled")
        if spec.serving.mode == "serverless":
            yield path, "serverless endpoints cannot be monitored"
        elif spec.serving.target != "sagemaker":
            # docs/kubernetes.md: every monitor must be disabled on kubernetes.
            yield (
                path,
                f"{name} is a SageMaker Model Monitor job, which reads a SageMaker endpoint's data capture: "
                "disable it on kubernetes (an environments override can enable it where the model serves on "
                "SageMaker)",
            )
        elif not spec.serving.data_capture.enabled:
            yield path, f"{name} monitoring needs serving.data_capture.enabled: true"
    quality = monitoring.model_quality
    if quality.enabled:
        for name in ("problem_type", "ground_truth_s3_uri"):
            if getattr(quality, name) is None:
                yield ("monitoring", "model_quality", name), "required when model_quality is enabled"
    for name in ("bias", "explainability"):
        monitor = getattr(monitoring, name)
        if monitor.enabled and monitor.analysis_config_s3_uri is None:
            yield ("monitoring", name, "analysis_config_s3_uri"), f"required when {name} is enabled"


def _governance(spec: ModelSpec) -> Iterator[Finding]:
    governance = spec.governance
    if spec.approval == "registry" and spec.model.package is None:
        yield ("governance", "approval"), "approval: registry needs the model from model.package"
    if not governance.allowed_environments:
        yield ("governance", "allowed_environments"), "list at least one environment"
    if len(set(governance.allowed_environments)) != len(governance.allowed_environments):
        yield ("governance", "allowed_environments"), "lists an environment twice"
