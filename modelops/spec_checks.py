"""Rules of one spec that relate several fields (modelspec-v1.md, 'Rules').

Each check returns (field path, message) pairs; nothing stops at the first finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelops import frameworks
from modelops.loader import FieldPath
from modelops.spec import FeatureGroupSpec, ModelSpec
from modelops.tags import tag_problems, tag_value_problem

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
    if schedule == "daily" or match is None:
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
    elif model.artifact is not None:
        if model.image is not None and uses_framework:
            yield (*path, "image"), "give either 'image' or 'framework' + 'framework_version', not both"
        elif model.image is None and not uses_framework:
            yield path, "an artifact needs 'image' or 'framework' + 'framework_version'"
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
    if serving.target != "sagemaker":
        for name in FRAMEWORK_IMAGE_CHOICES:
            if getattr(model, name) is not None:
                yield ("model", name), f"{name} chooses a SageMaker image; {serving.target} serving takes none"
        return
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
        if serving.kubernetes and serving.kubernetes.min_replicas > serving.kubernetes.max_replicas:
            yield (*path, "kubernetes", "min_replicas"), "min_replicas must not exceed max_replicas"
        return
    if serving.kubernetes is not None:
        yield (*path, "kubernetes"), "only used with target: kubernetes"
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


def _instance_types(spec: ModelSpec) -> Iterator[Finding]:
    """Instance types SageMaker takes: botocore's SageMaker service model enumerates them for
    endpoints (`ProductionVariantInstanceType`) and for monitoring jobs (`ProcessingInstanceType`)."""
    from modelops.instance_types import instance_type_problem

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
            yield path, "monitoring needs SageMaker serving"
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
