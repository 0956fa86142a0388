"""Hypothesis strategies for projects that obey every rule: specs, pins and a stack to pin them.

Each strategy generates one concern within the rules (docs/spec-language.md, docs/kubernetes.md,
docs/pools.md and the governance table), and reaches its bounds on purpose. Every bounded value
is drawn with `bounded` (or `between`, `chosen`, and `present` for an optional field), which
draws the bounds as often as anything between; and `at_bounds("lowest")` or
`at_bounds("highest")` puts every one of them at that bound, with every optional field present,
so that `min == max`, 0 where it is allowed and the largest values (AWS's int32 counts, 200
concurrent serverless invocations, 6144 MB, 1000 async invocations per instance, canary 50,
linear 10 and 50, waits of 0 and 3600 s, sampling 1 and 100, 40 tags, a 1024-character
description, a 32-character name) are in every run, not there by luck.

A project is a stack of one environment (dev, staging or prod) and the models it pins, each
model one of the serving modes:

- `realtime`, `serverless`, `async`: an endpoint of the model's own;
- `component`: an inference component on one of the stack's pools;
- `kserve`, `deployment`: served on the stack's EKS cluster with that runtime.

Whatever the environment demands is generated, not assumed away: staging and prod pin
artifacts by sha256, prod gets redundancy, data capture, a guarded rollout and the monitors its
risk calls for.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from modelops.aws.instance_specs import instance_spec
from modelops.spec import frameworks
from modelops.spec.checks import KSERVE_MODEL_FORMATS
from modelops.spec.models import AWS_DOUBLE_MAX, AWS_INT32_MAX, KUBERNETES_INT32_MAX
from tests.conftest import write_yaml

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ENVIRONMENTS = ("dev", "staging", "prod")
SAGEMAKER_MODES = ("realtime", "serverless", "async", "component")
KUBERNETES_RUNTIMES = ("kserve", "deployment")
MODES = (*SAGEMAKER_MODES, *KUBERNETES_RUNTIMES)
# Serverless endpoints take no VPC, and staging and prod require one for SageMaker models
# (policy `vpc-required`): serverless runs in dev only.
MODES_BY_ENVIRONMENT = {
    "dev": MODES,
    "staging": tuple(m for m in MODES if m != "serverless"),
    "prod": tuple(m for m in MODES if m != "serverless"),
}
# One instance type per way an endpoint of its own differs: CPU, local NVMe storage (no KMS key),
# GPU with local storage, Inferentia 1 (no deployment guardrails) and 2, Graviton, a large GPU.
ENDPOINT_INSTANCE_TYPES = (
    "ml.m5.large",
    "ml.c5.xlarge",
    "ml.m5d.large",
    "ml.g5.xlarge",
    "ml.inf1.xlarge",
    "ml.inf2.xlarge",
    "ml.c7g.xlarge",
    "ml.p4d.24xlarge",
)
# Pools: a small and a larger CPU instance, a GPU one (accelerators per copy) and an arm64 one.
POOL_INSTANCE_TYPES = ("ml.m5.large", "ml.c6i.2xlarge", "ml.g5.2xlarge", "ml.c8g.12xlarge")
MAX_TAGS_OF_SPEC = 40
MAX_TAGS = 50  # AWS's, per resource: the spec's, the stack's and modelops's five together
MODELOPS_TAGS = 5
MAX_GPUS_PER_REPLICA = 8


# Where bounded values are drawn: "anywhere" (the bounds as often as between), or every one at
# its "lowest" or "highest" allowed value with every optional field present (`at_bounds`).
SIDE: ContextVar[str] = ContextVar("side", default="anywhere")


@contextmanager
def at_bounds(side: str) -> Iterator[None]:
    """Draws inside put every bounded value at `side`: "lowest" or "highest"."""
    token = SIDE.set(side)
    try:
        yield
    finally:
        SIDE.reset(token)


def _sided(low: Any, high: Any, anywhere: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    @st.composite
    def draw_sided(draw: st.DrawFn) -> Any:
        side = SIDE.get()
        return low if side == "lowest" else high if side == "highest" else draw(anywhere)

    return draw_sided()


@functools.cache  # each strategy built once: Hypothesis validates every new one
def bounded(low: int, high: int, *also: int) -> st.SearchStrategy[int]:
    """An integer in [low, high]: the bounds (and `also`) half of the time, any other the rest."""
    return _sided(low, high, st.one_of(st.sampled_from(sorted({low, high, *also})), st.integers(low, high)))


@functools.cache
def between(low: float, high: float) -> st.SearchStrategy[float]:
    """A float in [low, high], the bounds half of the time."""
    return _sided(low, high, st.one_of(st.sampled_from([low, high]), st.floats(low, high)))


@functools.cache
def bounded_floats(low: float, high: float) -> st.SearchStrategy[float]:
    """A float in (low, high]: the smallest above `low`, `high` and whole numbers as often as any other."""
    least = math.nextafter(low, high)
    anywhere = st.one_of(
        st.sampled_from([least, high]),
        st.integers(1, int(min(high, 10_000))).map(float),
        st.floats(low, high, exclude_min=True, allow_nan=False, allow_infinity=False),
    )
    return _sided(least, high, anywhere)


@functools.cache
def chosen(options: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of `options`, ordered from lowest to highest."""
    return _sided(options[0], options[-1], st.sampled_from(options))


@functools.cache
def present() -> st.SearchStrategy[bool]:
    """Whether an optional field is set: always at the bounds, where every field is."""
    return _sided(True, True, st.booleans())


# --- names and text -------------------------------------------------------------------------

LOWER_DIGITS = string.ascii_lowercase + string.digits


@st.composite
def model_names(draw: st.DrawFn) -> str:
    """`^[a-z][a-z0-9-]{1,30}[a-z0-9]$` without `--`: 3 to 32 characters (a pool's name too)."""
    length = draw(bounded(3, 32))
    middle = draw(st.text(LOWER_DIGITS + "-", min_size=length - 2, max_size=length - 2))
    middle = middle.replace("--", "-a")
    return draw(st.sampled_from(string.ascii_lowercase)) + middle + draw(st.sampled_from(LOWER_DIGITS))


@st.composite
def semvers(draw: st.DrawFn) -> str:
    core = ".".join(str(draw(st.integers(0, 20))) for _ in range(3))
    if draw(st.booleans()):
        return core
    return f"{core}-{draw(st.sampled_from(['rc', 'alpha', 'beta']))}.{draw(st.integers(0, 9))}"


@functools.cache
@st.composite
def texts(draw: st.DrawFn, alphabet: st.SearchStrategy[str] | str, low: int, high: int) -> str:
    """`low` to `high` characters, each bound as often as any length between: a drawn stem of a
    few characters repeated to the length, since Hypothesis keeps a whole test case within 8 KB
    of drawn data (a project of several models with 40 tags of 128 characters would not fit)."""
    length = draw(bounded(low, high))
    stem = draw(st.text(alphabet, min_size=1, max_size=4))
    return (stem * length)[:length]


# AWS tag text: letters, numbers, spaces and _ . : / = + - @ (botocore's TagKey pattern);
# a few letters beyond ASCII, since AWS counts characters, not bytes.
TAG_ALPHABET = string.ascii_letters + string.digits + " _.:/=+-@" + "éßçø"


# Tag keys modelops puts on resources itself (a model's, and a pool's `pool`).
MODELOPS_TAG_KEYS = frozenset({"owner", "model", "model-version", "environment", "managed-by", "pool"})
# First characters of tag keys, distinct in any case: a spec's keys start with one of the first,
# a stack's with one of the second, so that no two keys of a resource differ only in case (IAM
# takes a role's tag keys without case).
SPEC_TAG_INITIALS = string.ascii_lowercase + string.digits + "éßçø"
STACK_TAG_INITIALS = "_.:/=+-@"


@st.composite
def tag_maps(draw: st.DrawFn, most: int, initials: str = SPEC_TAG_INITIALS) -> dict[str, str]:
    """0 to `most` tags, `most` as often as fewer: keys of 1 to 128 characters, each starting
    with its own one of `initials`, values 0 to 256 characters."""
    count = draw(bounded(0, most))
    stem = draw(st.text(TAG_ALPHABET, min_size=1, max_size=4))
    value_stem = draw(st.text(TAG_ALPHABET, min_size=1, max_size=4))
    tags = {}
    for index in range(count):
        key_length, value_length = draw(bounded(1, 128)), draw(bounded(0, 256))
        key = (initials[index] + stem * key_length)[:key_length]
        if key[:4].lower() == "aws:" or key.lower() in MODELOPS_TAG_KEYS:
            key = key[:1] + "0" + key[2:]  # reserved by AWS, or modelops's own in another case
        tags[key] = (value_stem * value_length)[:value_length]
    return tags


PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))


# --- the frameworks -------------------------------------------------------------------------

# Instance types a framework image is looked for on: serverless (None), the endpoints' and the pools'.
_IMAGE_INSTANCE_TYPES = (None, *ENDPOINT_INSTANCE_TYPES, *POOL_INSTANCE_TYPES)


@functools.cache
def servable() -> dict[str, tuple[tuple[str, str | None], ...]]:
    """(version, instance type) pairs of every framework the sagemaker SDK has a serving image
    for in REGION, by framework: what `validate` accepts. The plan then asks the SDK itself for
    the image (`frameworks.image_uri`), so a pair here that the SDK does not resolve fails it."""
    found: dict[str, tuple[tuple[str, str | None], ...]] = {}
    for framework in frameworks.known_frameworks():
        pairs = []
        for version in frameworks.known_versions(framework) or ():
            for instance_type in _IMAGE_INSTANCE_TYPES:
                image = frameworks.serving_image(framework, version, instance_type)
                if isinstance(image, frameworks.ServingImage) and REGION in image.regions:
                    pairs.append((version, instance_type))
        if pairs:
            found[framework] = tuple(pairs)
    return found


@functools.cache
def framework_images(instance_type: str | None, among: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(framework, version) of every servable framework image on `instance_type` (None: serverless)."""
    return [
        (framework, version)
        for framework, pairs in servable().items()
        if among is None or framework in among
        for version, where in pairs
        if where == instance_type
    ]


# --- the model: where its container comes from -----------------------------------------------


SHA256 = st.text("0123456789abcdef", min_size=64, max_size=64)


def artifacts(name: str, version: str) -> str:
    return f"s3://acme-models/{name}/{version}/model.tar.gz"


@st.composite
def images(draw: st.DrawFn, name: str) -> str:
    """The model's own image in the stack region's ECR, by tag or by digest."""
    repository = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"
    if draw(st.booleans()):
        return f"{repository}:{draw(st.integers(0, 99))}.0"
    return f"{repository}@sha256:{draw(SHA256)}"


@st.composite
def container_sources(
    draw: st.DrawFn, name: str, version: str, role: Role, instance_type: str | None
) -> dict[str, Any]:
    """`model`'s package, or artifact with image or framework, for a model served on
    `instance_type` (None: serverless), with its environment and secrets."""
    mode, environment = role.mode, role.environment
    among = (role.framework,) if role.framework else None
    kinds = ["image"]
    if mode not in KUBERNETES_RUNTIMES:
        kinds.append("package")
    if mode == "kserve" or (mode in SAGEMAKER_MODES and framework_images(instance_type, among)):
        kinds.append("framework")
    if role.framework:
        kinds = ["framework"]
    kind = draw(st.sampled_from(kinds))
    if kind == "package":
        group = draw(st.sampled_from([name, f"{name}-pkg"]))
        source: dict[str, Any] = {"package": {"group": group, "version": draw(bounded(1, role.largest_package))}}
    else:
        source = {"artifact": artifacts(name, version)}
        if environment != "dev" or draw(st.booleans()):
            source["sha256"] = draw(SHA256)  # staging and prod pin artifacts (approval none)
        if kind == "image":
            source["image"] = draw(images(name))
        elif mode == "kserve":
            source["framework"] = draw(st.sampled_from(KSERVE_MODEL_FORMATS))
            if draw(present()):
                source["framework_version"] = draw(st.sampled_from(["1", "1.7-1", "2.3.0"]))
        else:
            choices = framework_images(instance_type, among)
            source["framework"], source["framework_version"] = draw(st.sampled_from(choices))
    source["environment"] = draw(environments())
    return source


# Shell identifiers that do not look like secrets, and are not modelops's own variables.
VARIABLES = ("SAGEMAKER_PROGRAM", "LOG_LEVEL", "_workers", "x", "MODEL_SERVER_TIMEOUT", "batch_size_2", "Hf_Task")
VALUES = st.one_of(st.text(string.printable, max_size=20), st.integers(-5, 10**6), st.booleans())
SECRET_ARNS = (
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:crm-token-AbCdEf",
    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/models/api/key",
)


@st.composite
def environments(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(VARIABLES), unique=True, max_size=4))
    return {name: draw(VALUES) for name in names}


@st.composite
def secrets(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(["CRM", "db_credentials", "Upstream"]), unique=True, max_size=2))
    return {name: draw(st.sampled_from(SECRET_ARNS)) for name in names}


# --- serving ----------------------------------------------------------------------------------


@functools.cache
def data_captures(required: bool) -> st.SearchStrategy[dict[str, Any]]:
    enabled = st.just(True) if required else present()
    return st.fixed_dictionaries({"enabled": enabled, "sampling_percent": bounded(1, 100)})


@st.composite
def rollout_alarms(draw: st.DrawFn, guarded: bool) -> dict[str, Any]:
    """At least one alarm for a guarded rollout, which rolls back on them."""
    error_rate = draw(bounded_floats(0, 100)) if draw(present()) else None
    latency = draw(bounded_floats(0, AWS_DOUBLE_MAX / 1000)) if draw(present()) else None
    if guarded and error_rate is None and latency is None:
        error_rate = 1.0
    return {"max_5xx_error_rate_percent": error_rate, "max_p99_latency_ms": latency}


# Each rollout field with its allowed range.
ROLLOUT_FIELDS = {
    "canary_percent": (1, 50),
    "linear_step_percent": (10, 50),
    "rolling_batch_percent": (5, 50),
    "wait_s": (0, 3600),
    "termination_wait_s": (0, 3600),
}


@st.composite
def rollouts(draw: st.DrawFn, strategies: tuple[str, ...], fields: tuple[str, ...]) -> dict[str, Any]:
    """A rollout of one of `strategies` (the last at the highest bounds), setting any of `fields`
    (each at its bounds or between)."""
    strategy = draw(chosen(strategies))
    rollout: dict[str, Any] = {"strategy": strategy}
    for field in fields:
        if field in ROLLOUT_FIELDS and draw(present()):
            rollout[field] = draw(bounded(*ROLLOUT_FIELDS[field]))
    if "alarms" in fields:
        rollout["alarms"] = draw(rollout_alarms(strategy != "all_at_once"))
    return rollout


def endpoint_strategies(environment: str, instance_type: str | None, with_variant: bool) -> tuple[str, ...]:
    """Rollout strategies an endpoint of the model's own may use."""
    if instance_type is None or instance_type.startswith("ml.inf1."):
        return ("all_at_once",)  # serverless, and Inf1, which deployment guardrails exclude
    strategies = ("all_at_once", "rolling", "linear", "canary")
    if with_variant:
        strategies = tuple(s for s in strategies if s != "rolling")  # multi-variant endpoints are excluded
    if environment == "prod":
        strategies = tuple(s for s in strategies if s != "all_at_once")
    return strategies


@st.composite
def instance_scaling(draw: st.DrawFn, mode: str, environment: str) -> dict[str, Any]:
    """instance_count, and autoscaling around it: min == max, min 0 (async), int32's maximum."""
    lowest = 0 if mode == "async" else 1
    if environment == "prod" and mode == "realtime":
        lowest = 2  # prod redundancy
    serving: dict[str, Any] = {}
    if draw(present()):
        low = draw(bounded(lowest, AWS_INT32_MAX, lowest + 1))
        high = draw(bounded(max(low, 1), AWS_INT32_MAX))
        serving["autoscaling"] = {
            "min_instances": low,
            "max_instances": high,
            "target_invocations_per_instance": draw(bounded_floats(0, AWS_DOUBLE_MAX)),
            "scale_in_cooldown_s": draw(bounded(0, 86400)),
            "scale_out_cooldown_s": draw(bounded(0, 86400)),
        }
        serving["instance_count"] = draw(bounded(max(low, 1), high))
    else:
        serving["instance_count"] = draw(bounded(max(lowest, 1), AWS_INT32_MAX))
    return serving


@st.composite
def endpoint_servings(
    draw: st.DrawFn, mode: str, environment: str, instance_type: str | None, with_variant: bool
) -> dict[str, Any]:
    """serving of a realtime, async or serverless endpoint of the model's own."""
    serving: dict[str, Any] = {"mode": mode}
    if mode == "serverless":
        serving["serverless"] = {
            "memory_mb": draw(chosen((1024, 2048, 3072, 4096, 5120, 6144))),
            "max_concurrency": draw(bounded(1, 200)),
        }
        serving["data_capture"] = {"enabled": False}
        serving["rollout"] = {"strategy": "all_at_once"}
        return serving
    serving["instance_type"] = instance_type
    serving.update(draw(instance_scaling(mode, environment)))
    if mode == "async" and draw(present()):
        serving["async"] = {"max_concurrent_invocations_per_instance": draw(bounded(1, 1000))}
    serving["data_capture"] = draw(data_captures(required=environment == "prod"))
    strategies = endpoint_strategies(environment, instance_type, with_variant)
    serving["rollout"] = draw(rollouts(strategies, (*ROLLOUT_FIELDS, "alarms")))
    return serving


@dataclass(frozen=True)
class PoolSetting:
    """What a pool's members share (docs/pools.md): one endpoint configuration's network
    isolation and data capture."""

    name: str
    instance_type: str
    isolated: bool
    capture: dict[str, Any]
    members: int  # how many models the project puts on it


@st.composite
def component_servings(draw: st.DrawFn, pool: PoolSetting, environment: str) -> dict[str, Any]:
    """serving of an inference component on `pool`: a copy fits one instance, and the pool's
    members together start with at most int32's largest copy count."""
    size = instance_spec(pool.instance_type)
    assert size is not None
    most_copies = AWS_INT32_MAX // pool.members
    component: dict[str, Any] = {
        "pool": pool.name,
        "cpu": draw(between(0.25, float(size.vcpus))),
        "memory_mb": draw(bounded(128, size.memory_mib)),
        "accelerators": draw(bounded(0, size.accelerators)),
    }
    if draw(present()):
        low = draw(bounded(0, most_copies))
        high = draw(bounded(max(low, 1), AWS_INT32_MAX))
        component["copies"] = draw(bounded(max(low, 1), min(high, most_copies)))
        component["autoscaling"] = {
            "min_copies": low,
            "max_copies": high,
            "target_invocations_per_copy": draw(bounded_floats(0, AWS_DOUBLE_MAX)),
            "scale_in_cooldown_s": draw(bounded(0, 86400)),
            "scale_out_cooldown_s": draw(bounded(0, 86400)),
        }
    else:
        component["copies"] = draw(bounded(1, most_copies))
    strategies = ("rolling",) if environment == "prod" else ("all_at_once", "rolling")
    # No termination wait: an inference component's rolling update has none.
    fields = ("canary_percent", "linear_step_percent", "rolling_batch_percent", "wait_s", "alarms")
    return {
        "mode": "component",
        "component": component,
        "data_capture": pool.capture,
        "rollout": draw(rollouts(strategies, fields)),
    }


@st.composite
def cpu_quantities(draw: st.DrawFn) -> str:
    millicores = draw(bounded(1, 96_000, 1000))
    if millicores % 1000 == 0 and draw(st.booleans()):
        return str(millicores // 1000)
    if draw(st.booleans()):
        return f"{millicores}m"
    return str(millicores / 1000).rstrip("0").rstrip(".")


@st.composite
def memory_quantities(draw: st.DrawFn) -> str:
    unit, most = draw(st.sampled_from([("Mi", 2**20), ("Gi", 2**10), ("M", 10**6), ("G", 10**3), ("", 2**40)]))
    least = {"Mi": 1, "Gi": 1, "M": 2, "G": 1, "": 2**20}[unit]  # 1Mi at least: no model server runs in less
    return f"{draw(bounded(least, most))}{unit}"


@st.composite
def kubernetes_servings(draw: st.DrawFn, runtime: str, name: str, environment: str, namespace: str | None) -> dict:
    """serving of a model on the stack's EKS cluster with `runtime`, in `namespace` if given."""
    lowest = 2 if environment == "prod" else (0 if runtime == "kserve" else 1)
    low = draw(bounded(lowest, KUBERNETES_INT32_MAX, lowest + 1))
    kubernetes: dict[str, Any] = {
        "runtime": runtime,
        "namespace": namespace or draw(namespaces(name, runtime)),
        "min_replicas": low,
        "max_replicas": draw(bounded(max(low, 1), KUBERNETES_INT32_MAX)),
        "cpu": draw(cpu_quantities()),
        "memory": draw(memory_quantities()),
        "gpu": draw(bounded(0, MAX_GPUS_PER_REPLICA)),
        "scale_metric": draw(st.sampled_from(["cpu", "memory"])),
        "scale_target": draw(bounded(1, 100)),
    }
    if runtime == "deployment":
        kubernetes["port"] = draw(bounded(1, 65535))
    capture_required = environment == "prod" and runtime == "kserve"
    capture = draw(data_captures(capture_required)) if runtime == "kserve" else {"enabled": False}
    strategies = ("rolling",) if environment == "prod" else ("all_at_once", "rolling")
    return {
        "target": "kubernetes",
        "kubernetes": kubernetes,
        "data_capture": capture,
        "rollout": draw(rollouts(strategies, ("rolling_batch_percent",))),
    }


@st.composite
def namespaces(draw: st.DrawFn, name: str, runtime: str) -> str:
    """A DNS label, not kube-* nor default; for KServe short enough that the predictor's host
    `<name>-predictor-<namespace>` is one DNS label (63 characters)."""
    longest = 63 - len(name) - len("-predictor-") if runtime == "kserve" else 63
    length = draw(bounded(1, longest))
    label = draw(st.text(LOWER_DIGITS + "-", min_size=length, max_size=length))
    label = draw(st.sampled_from(LOWER_DIGITS)) + label[1:-1] + draw(st.sampled_from(LOWER_DIGITS))
    label = label[:length]
    if label.startswith("kube-") or label == "default":
        label = "m" + label[1:]
    return label


# --- monitoring and governance -------------------------------------------------------------


@st.composite
def schedules(draw: st.DrawFn) -> str:
    """hourly, daily, or a monitoring cron: at an hour (0 to 23), or every 1 to 24 hours."""
    kind = draw(st.sampled_from(["hourly", "daily", "at", "every"]))
    if kind == "at":
        return f"cron(0 {draw(bounded(0, 23))} ? * * *)"
    if kind == "every":
        return f"cron(0 0/{draw(bounded(1, 24))} ? * * *)"
    return kind


@st.composite
def monitorings(draw: st.DrawFn, name: str, risk: str | None, environment: str, capture: bool) -> dict[str, Any]:
    """Monitors where data is captured; in prod, the ones the model's risk requires."""
    prod = environment == "prod"
    wanted = {
        "data_quality": draw(present()),
        "model_quality": (prod and risk in ("medium", "high")) or draw(present()),
        "bias": (prod and risk == "high") or draw(present()),
        "explainability": (prod and risk == "high") or draw(present()),
    }
    if not capture or not any(wanted.values()):
        return {}
    monitoring: dict[str, Any] = {"schedule": draw(schedules())}
    if wanted["data_quality"]:
        monitoring["data_quality"] = {"enabled": True}
    if wanted["model_quality"]:
        monitoring["model_quality"] = {
            "enabled": True,
            "problem_type": draw(st.sampled_from(["BinaryClassification", "MulticlassClassification", "Regression"])),
            "ground_truth_s3_uri": f"s3://acme-labels/{name}/",
            "label_delay_hours": draw(bounded(0, 24 * 14)),
        }
    for clarify in ("bias", "explainability"):
        if wanted[clarify]:
            monitoring[clarify] = {
                "enabled": True,
                "analysis_config_s3_uri": f"s3://acme-ml-config/{name}/{clarify}.json",
            }
    return monitoring


@st.composite
def governances(draw: st.DrawFn, environment: str, package: bool) -> dict[str, Any]:
    others = [e for e in ENVIRONMENTS if e != environment]
    allowed = [environment, *draw(st.lists(st.sampled_from(others), unique=True))]
    governance: dict[str, Any] = {"allowed_environments": draw(st.permutations(allowed))}
    approvals = ["registry", "none", None] if package else ["none", None]
    approval = draw(st.sampled_from(approvals))
    if approval is not None:
        governance["approval"] = approval
    if draw(present()):
        governance["model_card"] = {"intended_uses": draw(texts(PRINTABLE, 1, 2048))}
    if draw(st.booleans()):
        governance["data_access"] = {"s3_read": ["s3://acme-features/shared/"]}
    return governance


# --- a model's spec ------------------------------------------------------------------------


def classifications(isolation_possible: bool) -> st.SearchStrategy[str]:
    """Confidential and restricted data require network isolation, which serverless endpoints
    and kubernetes serving do not have."""
    levels = ["public", "internal", "confidential", "restricted"]
    return st.sampled_from(levels if isolation_possible else levels[:2])


@dataclass(frozen=True)
class Role:
    """Where a spec is pinned: its model's mode, and what its pin adds."""

    mode: str
    environment: str
    pool: PoolSetting | None = None  # a component's
    largest_package: int = AWS_INT32_MAX  # the highest registry package version to pin
    framework: str | None = None  # served with this framework's image
    with_variant: bool = False  # pinned with a challenger or a shadow
    avoid_inf1: bool = False  # a variant next to a guarded primary: Inf1 would drop its guardrails
    namespace: str | None = None  # a KServe challenger's is its primary's


@st.composite
def specs(draw: st.DrawFn, name: str, version: str, role: Role, stack_tags: int) -> dict[str, Any]:
    """One valid spec of `name` at `version` for `role`, whose stack has `stack_tags` tags."""
    mode, environment = role.mode, role.environment
    instance_type: str | None = None
    if mode in ("realtime", "async"):
        choices = ENDPOINT_INSTANCE_TYPES
        if role.framework:
            choices = tuple(sorted({t for _, t in servable()[role.framework] if t is not None}))
        if role.avoid_inf1 or environment == "prod":  # prod needs the guardrails that Inf1 drops
            choices = tuple(t for t in choices if not t.startswith("ml.inf1."))
        assume(choices)
        instance_type = draw(st.sampled_from(choices))
    elif mode == "component":
        assert role.pool is not None
        instance_type = role.pool.instance_type
    model = draw(container_sources(name, version, role, instance_type))

    if role.pool is not None:
        isolation_possible = role.pool.isolated
        classification = draw(
            st.sampled_from(["confidential", "restricted"] if role.pool.isolated else ["public", "internal"])
        )
    else:
        isolation_possible = mode not in ("serverless", *KUBERNETES_RUNTIMES)
        classification = draw(classifications(isolation_possible))
    isolated = classification in ("confidential", "restricted")
    if role.pool is None and isolation_possible and not isolated and draw(st.booleans()):
        model["network_isolation"] = draw(st.booleans())
        isolated = model["network_isolation"]
    if isolated is False and draw(st.booleans()):
        model["secrets"] = draw(secrets())

    if mode in ("realtime", "async", "serverless"):
        serving = draw(endpoint_servings(mode, environment, instance_type, role.with_variant))
    elif mode == "component":
        assert role.pool is not None
        serving = draw(component_servings(role.pool, environment))
    else:
        serving = draw(kubernetes_servings(mode, name, environment, role.namespace))

    # Monitors need an endpoint of the model's own on SageMaker; a component's or a
    # kubernetes model's risk cannot ask for them in prod.
    # In prod, risk medium and high call for monitors, which need an endpoint of the model's
    # own on SageMaker: a component cannot have them (kubernetes serving is exempt).
    monitorable = mode in ("realtime", "async")
    risks = [None, "low"] if environment == "prod" and mode == "component" else [None, "low", "medium", "high"]
    risk = draw(st.sampled_from(risks))
    metadata: dict[str, Any] = {
        "name": name,
        "version": version,
        "owner": draw(texts(TAG_ALPHABET, 1, 256)) if draw(present()) else "ml@example.com",
        "description": draw(texts(PRINTABLE, 1, 1024)),
        "data_classification": classification,
        "tags": draw(tag_maps(min(MAX_TAGS_OF_SPEC, MAX_TAGS - MODELOPS_TAGS - stack_tags))),
    }
    if risk is not None:
        metadata["risk"] = risk
    spec: dict[str, Any] = {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": metadata,
        "model": model,
        "serving": serving,
    }
    if monitorable:
        monitoring = draw(monitorings(name, risk, environment, serving["data_capture"]["enabled"]))
        if monitoring:
            spec["monitoring"] = monitoring
    spec["governance"] = draw(governances(environment, "package" in model))
    return spec


# --- pins, pools and the stack ---------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedModel:
    name: str
    mode: str
    specs: tuple[dict[str, Any], ...]  # the primary's first, then its challenger's or shadow's
    pin: str | dict[str, Any]

    @property
    def primary(self) -> dict[str, Any]:
        return self.specs[0]

    @property
    def variant(self) -> str | None:
        """`challenger`, `shadow` or None."""
        if isinstance(self.pin, str):
            return None
        return next((role for role in ("challenger", "shadow") if role in self.pin), None)


@st.composite
def generated_models(draw: st.DrawFn, name: str, role: Role, stack_tags: int) -> GeneratedModel:
    """A model and its pin: one version, or a primary with a challenger or a shadow where the
    mode has second variants (an endpoint of its own, or a KServe challenger)."""
    variants: list[str | None] = [None]
    if role.mode in ("realtime", "async"):
        variants += ["challenger", "shadow"]
    elif role.mode == "kserve":
        variants.append("challenger")
    variant = draw(st.sampled_from(variants))
    versions = draw(st.lists(semvers(), min_size=2 if variant else 1, max_size=2 if variant else 1, unique=True))
    primary_role = replace(role, with_variant=variant is not None)
    primary = draw(specs(name, versions[0], primary_role, stack_tags))
    if variant is None:
        latest = role.environment == "dev" and draw(st.booleans())  # the only version is the latest
        return GeneratedModel(name, role.mode, (primary,), "latest" if latest else versions[0])
    namespace = primary["serving"].get("kubernetes", {}).get("namespace")
    guarded = primary["serving"]["rollout"]["strategy"] != "all_at_once"
    second_role = replace(role, with_variant=True, avoid_inf1=guarded, namespace=namespace)
    second = draw(specs(name, versions[1], second_role, stack_tags))
    if variant == "challenger":
        pin = {"version": versions[0], "challenger": {"version": versions[1], "traffic_percent": draw(bounded(1, 50))}}
    else:
        pin = {"version": versions[0], "shadow": {"version": versions[1], "sampling_percent": draw(bounded(1, 100))}}
    return GeneratedModel(name, role.mode, (primary, second), pin)


@st.composite
def pool_settings(draw: st.DrawFn, name: str, members: int, environment: str) -> PoolSetting:
    return PoolSetting(
        name=name,
        instance_type=draw(st.sampled_from(POOL_INSTANCE_TYPES)),
        isolated=draw(st.booleans()),
        capture=draw(data_captures(required=environment == "prod")),
        members=members,
    )


def pool_declaration(pool: PoolSetting, members: list[GeneratedModel], spare: int, least: int) -> dict[str, Any]:
    """`modelops:pools.<name>`: as many instances as the members' first copies reserve at
    least (plus `spare`), at least `least` of them."""
    size = instance_spec(pool.instance_type)
    assert size is not None
    components = [m.primary["serving"]["component"] for m in members]
    needed = max(
        1,
        -(-sum(c["copies"] * c["cpu"] for c in components) // size.vcpus),
        -(-sum(c["copies"] * c["memory_mb"] for c in components) // size.memory_mib),
        -(-sum(c["copies"] * c["accelerators"] for c in components) // max(size.accelerators, 1)),
    )
    most = min(int(needed) + spare, AWS_INT32_MAX)
    return {"instanceType": pool.instance_type, "minInstances": min(least, most), "maxInstances": most}


@dataclass(frozen=True)
class GeneratedProject:
    environment: str
    stack: dict[str, Any]  # the `config` of stacks/Pulumi.<environment>.yaml
    models: tuple[GeneratedModel, ...]

    @property
    def stack_name(self) -> str:
        return self.environment

    def write(self, root: Path) -> None:
        for model in self.models:
            for spec in model.specs:
                write_yaml(root / "model_specs" / model.name / f"{spec['metadata']['version']}.yaml", spec)
        write_yaml(root / "stacks" / f"Pulumi.{self.stack_name}.yaml", {"config": self.stack})

    def model(self, mode: str) -> GeneratedModel:
        return next(m for m in self.models if m.mode == mode)


@st.composite
def projects(
    draw: st.DrawFn,
    environment: str,
    modes: tuple[str, ...],
    largest: int = AWS_INT32_MAX,
    frameworks_: tuple[str | None, ...] = (),
) -> GeneratedProject:
    """A stack of `environment` pinning one model of each of `modes` (in that order), whose
    registry packages are versions up to `largest`; the nth model serves with the nth of
    `frameworks_`' images where one is given."""
    components = sum(1 for mode in modes if mode == "component")
    pooled = draw(st.integers(1, min(2, components))) if components else 0
    # Models' and pools' names together: a pool named like a model would take its names.
    every_name = draw(st.lists(model_names(), min_size=len(modes) + pooled, max_size=len(modes) + pooled, unique=True))
    names, pool_names = every_name[: len(modes)], every_name[len(modes) :]
    stack_tags = draw(tag_maps(MAX_TAGS - MODELOPS_TAGS - MAX_TAGS_OF_SPEC, STACK_TAG_INITIALS))
    pools: dict[str, PoolSetting] = {}
    placement: dict[str, PoolSetting] = {}
    if components:
        component_models = [name for name, mode in zip(names, modes, strict=True) if mode == "component"]
        chosen = {name: draw(st.sampled_from(pool_names)) for name in component_models}
        for pool_name in pool_names:
            members = sum(1 for p in chosen.values() if p == pool_name)
            pools[pool_name] = draw(pool_settings(pool_name, max(members, 1), environment))
        placement = {name: pools[pool] for name, pool in chosen.items()}
    models = tuple(
        draw(generated_models(name, Role(mode, environment, placement.get(name), largest, framework), len(stack_tags)))
        for name, mode, framework in zip(names, modes, frameworks_ or (None,) * len(modes), strict=True)
    )
    config: dict[str, Any] = {
        "aws:region": REGION,
        "modelops:environment": environment,
        "modelops:models": {m.name: m.pin for m in models},
    }
    if stack_tags:
        config["modelops:tags"] = stack_tags
    strict = environment != "dev"
    if strict or draw(st.booleans()):
        config["modelops:kmsKeyArn"] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
    if strict or ("serverless" not in modes and draw(st.booleans())):
        config["modelops:vpc"] = {
            "subnetIds": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"],
            "securityGroupIds": ["sg-1c2d3e4f"],
        }
    if draw(st.booleans()):
        config["modelops:permissionsBoundaryArn"] = f"arn:aws:iam::{ACCOUNT}:policy/ml-boundary"
    if draw(st.booleans()):
        config["modelops:alarmTopicArn"] = f"arn:aws:sns:{REGION}:{ACCOUNT}:ml-alarms"
    if draw(st.booleans()):
        config["modelops:buckets"] = {"dataCapture": "acme-ml-capture", "monitoring": "acme-ml-monitoring"}
    if any(m in KUBERNETES_RUNTIMES for m in modes):
        config["modelops:kubernetes"] = {
            "oidcProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/"
            "5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F",
            "payloadLoggerUrl": "http://payload-logger.monitoring.svc.cluster.local/",
        }
    if pools:
        declared = {}
        for pool in pools.values():
            members = [m for m in models if placement.get(m.name) == pool]
            declared[pool.name] = pool_declaration(pool, members, draw(bounded(0, 10)), draw(bounded(0, 3)))
        config["modelops:pools"] = declared
    return GeneratedProject(environment, config, models)
