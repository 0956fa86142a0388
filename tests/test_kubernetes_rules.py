"""Every validation rule of kubernetes serving (docs/kubernetes.md), broken once.

The examples are reviews-kserve (KServe, sklearn, a challenger 1.1.0), image-embedder (a GPU
Deployment) and ticket-router (kubernetes in dev and staging, SageMaker in prod). They are not
pinned in the committed stacks until the program renders kubernetes serving, so the stack
rules pin them here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelops.spec.models import MODEL_NAME_PATTERN
from modelops.spec.resolve import load_project
from modelops.spec.stack import stack_names
from tests.conftest import (
    REPO_ROOT,
    assert_problem,
    edit_yaml,
    problems,
    read_yaml,
    sagemaker_only,
    spec_path,
    write_yaml,
)
from tests.test_spec_rules import at, both

KSERVE = ("reviews-kserve", "1.0.0")
CHALLENGER = ("reviews-kserve", "1.1.0")
DEPLOYMENT = ("image-embedder", "1.0.0")
MIXED = ("ticket-router", "1.0.0")
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/reviews:1.0.0"
OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

# (id, spec, mutation, field, message fragment): each breaks one rule of a valid example.
CASES = [
    ("realtime-only", KSERVE, at("serving.mode", "async"), "serving.mode", "kubernetes serving is realtime only"),
    (
        "no-registry-package",
        KSERVE,
        both(
            at("model.artifact"),
            at("model.sha256"),
            at("model.framework"),
            at("model.package", {"group": "r", "version": 1}),
        ),
        "model.package",
        "a registry package only deploys to SageMaker",
    ),
    (
        "kserve-needs-format-or-image",
        KSERVE,
        at("model.framework"),
        "model",
        "runtime kserve serves the artifact with 'framework', one of KServe's model formats",
    ),
    (
        "kserve-model-format",
        KSERVE,
        at("model.framework", "caffe"),
        "model.framework",
        "KServe has no model format 'caffe'",
    ),
    (
        "kserve-format-or-image",
        KSERVE,
        at("model.image", IMAGE),
        "model.image",
        "either 'image' (a custom KServe predictor) or 'framework' (a KServe model format), not both",
    ),
    (
        "framework-version-alone",
        KSERVE,
        both(at("model.framework"), at("model.image", IMAGE), at("model.framework_version", "1.2-1")),
        "model.framework_version",
        "framework_version goes with framework",
    ),
    (
        "no-sagemaker-image-choice",
        KSERVE,
        at("model.py_version", "py310"),
        "model.py_version",
        "py_version chooses a SageMaker image; kubernetes serving takes none",
    ),
    (
        "deployment-needs-image",
        DEPLOYMENT,
        at("model.image"),
        "model.image",
        "runtime deployment needs model.image: a model server listening on serving.kubernetes.port",
    ),
    (
        "deployment-takes-no-framework",
        DEPLOYMENT,
        at("model.framework", "pytorch"),
        "model.framework",
        "runtime deployment runs model.image",
    ),
    (
        "monitoring-disabled",
        KSERVE,
        at("monitoring", {"data_quality": {"enabled": True}}),
        "monitoring.data_quality.enabled",
        "data_quality is a SageMaker Model Monitor job",
    ),
    (
        "min-max-replicas",
        KSERVE,
        at("serving.kubernetes.min_replicas", 7),
        "serving.kubernetes.min_replicas",
        "min_replicas 7 exceeds max_replicas 6",
    ),
    (
        "scale-to-zero-kserve-only",
        DEPLOYMENT,
        at("serving.kubernetes.min_replicas", 0),
        "serving.kubernetes.min_replicas",
        "min_replicas 0 (scale to zero) needs runtime kserve",
    ),
    (
        "kserve-hpa-metrics",
        KSERVE,
        at("serving.kubernetes.scale_metric", "concurrency"),
        "serving.kubernetes.scale_metric",
        "its webhook refuses concurrency, a Knative metric of its Serverless mode: use cpu or memory",
    ),
    (
        "deployment-hpa-metrics",
        DEPLOYMENT,
        at("serving.kubernetes.scale_metric", "rps"),
        "serving.kubernetes.scale_metric",
        "a Deployment's HorizontalPodAutoscaler (autoscaling/v2 Resource metrics) has no rps",
    ),
    (
        "scale-target-percent",
        KSERVE,
        both(at("serving.kubernetes.scale_metric", "memory"), at("serving.kubernetes.scale_target", 150)),
        "serving.kubernetes.scale_target",
        "a percent of the requested memory with scale_metric memory: 1 to 100",
    ),
    (
        "scale-target-positive",
        KSERVE,
        at("serving.kubernetes.scale_target", 0),
        "serving.kubernetes.scale_target",
        "must be at least 1",
    ),
    (
        "cpu-quantity",
        KSERVE,
        at("serving.kubernetes.cpu", "2 cores"),
        "serving.kubernetes.cpu",
        "not a Kubernetes CPU quantity",
    ),
    ("cpu-not-zero", KSERVE, at("serving.kubernetes.cpu", "0"), "serving.kubernetes.cpu", "a replica needs some CPU"),
    (
        "cpu-millicores",
        KSERVE,
        at("serving.kubernetes.cpu", "0.0005"),
        "serving.kubernetes.cpu",
        "finer than a millicore",
    ),
    (
        "memory-units",
        KSERVE,
        at("serving.kubernetes.memory", "2GB"),
        "serving.kubernetes.memory",
        "'2GB' is not a Kubernetes memory quantity ('GB' is not a Kubernetes unit)",
    ),
    ("memory-millibytes", KSERVE, at("serving.kubernetes.memory", "500m"), "serving.kubernetes.memory", "millibytes"),
    (
        "memory-without-unit",
        KSERVE,
        at("serving.kubernetes.memory", 4096),
        "serving.kubernetes.memory",
        "'4096' is 4096 bytes: write the unit, such as 4096Mi",
    ),
    ("memory-not-zero", KSERVE, at("serving.kubernetes.memory", "0"), "serving.kubernetes.memory", "some memory"),
    ("gpu-per-node", DEPLOYMENT, at("serving.kubernetes.gpu", 9), "serving.kubernetes.gpu", "more than 8 NVIDIA GPUs"),
    ("gpu-count", DEPLOYMENT, at("serving.kubernetes.gpu", -1), "serving.kubernetes.gpu", "must be at least 0"),
    (
        "namespace-label",
        KSERVE,
        at("serving.kubernetes.namespace", "Reviews"),
        "serving.kubernetes.namespace",
        "'Reviews' is not a DNS label",
    ),
    (
        "namespace-length",
        DEPLOYMENT,
        at("serving.kubernetes.namespace", "n" * 64),
        "serving.kubernetes.namespace",
        "at most 63 characters",
    ),
    (
        "namespace-reserved",
        KSERVE,
        at("serving.kubernetes.namespace", "kube-system"),
        "serving.kubernetes.namespace",
        "the kube- prefix is reserved",
    ),
    (
        "kserve-host-label",
        KSERVE,
        at("serving.kubernetes.namespace", "n" * 45),
        "serving.kubernetes.namespace",
        "use a namespace of at most 38 characters",
    ),
    (
        "deployment-has-no-capture",
        DEPLOYMENT,
        at("serving.data_capture", {"enabled": True}),
        "serving.data_capture.enabled",
        "a Deployment has none",
    ),
    (
        "no-canary-rollout",
        KSERVE,
        at("serving.rollout", {"strategy": "canary"}),
        "serving.rollout.strategy",
        "pin the new version as a challenger with its traffic_percent",
    ),
    (
        "no-linear-rollout",
        DEPLOYMENT,
        at("serving.rollout", {"strategy": "linear"}),
        "serving.rollout.strategy",
        "linear is a SageMaker deployment guardrail; kubernetes rolls out with rolling or all_at_once",
    ),
    (
        "no-guardrail-settings",
        KSERVE,
        at("serving.rollout.wait_s", 300),
        "serving.rollout.wait_s",
        "wait_s configures SageMaker's deployment guardrails",
    ),
    (
        "no-rollback-alarms",
        KSERVE,
        at("serving.rollout.alarms", {"max_p99_latency_ms": 200}),
        "serving.rollout.alarms",
        "a kubernetes rollout takes strategy and rolling_batch_percent only",
    ),
    (
        "no-instance-type",
        KSERVE,
        at("serving.instance_type", "ml.m5.large"),
        "serving.instance_type",
        "shapes a SageMaker endpoint",
    ),
    (
        "no-instance-count",
        KSERVE,
        at("serving.instance_count", 2),
        "serving.instance_count",
        "sized by serving.kubernetes",
    ),
    (
        "no-autoscaling",
        KSERVE,
        at("serving.autoscaling", {"min_instances": 1, "max_instances": 2, "target_invocations_per_instance": 5}),
        "serving.autoscaling",
        "autoscaling shapes a SageMaker endpoint",
    ),
    (
        "no-serverless",
        KSERVE,
        at("serving.serverless", {"memory_mb": 2048}),
        "serving.serverless",
        "SageMaker endpoint",
    ),
    (
        "no-async",
        KSERVE,
        at("serving.async", {"max_concurrent_invocations_per_instance": 2}),
        "serving.async",
        "async shapes a SageMaker endpoint",
    ),
    (
        "no-network-isolation",
        KSERVE,
        at("model.network_isolation", True),
        "model.network_isolation",
        "network isolation is SageMaker's (EnableNetworkIsolation); kubernetes serving has none",
    ),
    (
        "confidential-data",
        KSERVE,
        at("metadata.data_classification", "restricted"),
        "metadata.data_classification",
        "restricted data requires network isolation in every environment, which only SageMaker serving provides",
    ),
    (
        "kubernetes-block-on-sagemaker",
        MIXED,
        at("environments.prod.serving.kubernetes"),
        "serving.kubernetes",
        "only used with target: kubernetes",
    ),
    (
        "version-label",
        KSERVE,
        at("metadata.version", "1.0.0-rc-"),
        "metadata.version",
        "cannot be the value of the label app.kubernetes.io/version",
    ),
    # The same rules on the environment-merged spec, named after the override that broke them.
    (
        "override-scale-metric",
        KSERVE,
        at("environments.dev.serving.kubernetes.scale_metric", "rps"),
        "serving.kubernetes.scale_metric",
        "a Knative metric of its Serverless mode: use cpu or memory (after the dev override)",
    ),
    (
        "override-memory",
        KSERVE,
        at("environments.dev.serving.kubernetes.memory", "2GB"),
        "serving.kubernetes.memory",
        "(after the dev override)",
    ),
    (
        "override-min-max",
        DEPLOYMENT,
        at("environments.dev.serving.kubernetes.min_replicas", 3),
        "serving.kubernetes.min_replicas",
        "min_replicas 3 exceeds max_replicas 1 (after the dev override)",
    ),
    (
        "override-keeps-target",
        MIXED,
        at("environments.prod.serving.target"),
        "serving.instance_type",
        "instance_type shapes a SageMaker endpoint; kubernetes serving is sized by serving.kubernetes "
        "(min_replicas, max_replicas, cpu, memory, gpu); an environments override that switches to "
        "kubernetes sets it to null (after the prod override)",
    ),
    (
        "override-monitors-on-kubernetes",
        MIXED,
        at("environments.staging", {"monitoring": {"data_quality": {"enabled": True}}}),
        "monitoring.data_quality.enabled",
        "disable it on kubernetes (an environments override can enable it where the model serves on SageMaker) "
        "(after the staging override)",
    ),
    (
        "override-to-kubernetes",
        ("fraud-detector", "3.1.0"),
        at("environments.dev.serving", {"target": "kubernetes", "instance_count": None, "autoscaling": None}),
        "serving.instance_type",
        "instance_type shapes a SageMaker endpoint",
    ),
    (
        "override-canary",
        KSERVE,
        at("environments.dev.serving.rollout", {"strategy": "canary"}),
        "serving.rollout.strategy",
        "canary is a SageMaker deployment guardrail",
    ),
]


@pytest.mark.parametrize(("spec", "change", "field", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kubernetes_rule_is_enforced(project: Path, spec: tuple[str, str], change, field: str, fragment: str) -> None:
    edit_yaml(spec_path(project, *spec), change)
    problem = assert_problem(problems(project), field, fragment, f"{spec[0]}/{spec[1]}.yaml")
    assert problem.line > 1


def test_override_finding_points_at_the_override(project: Path) -> None:
    edit_yaml(spec_path(project, *KSERVE), at("environments.dev.serving.kubernetes.memory", "2GB"))
    problem = assert_problem(problems(project), "serving.kubernetes.memory", "(after the dev override)")
    lines = spec_path(project, *KSERVE).read_text().splitlines()
    assert "memory: 2GB" in lines[problem.line - 1] and "environments" not in lines[problem.line - 1]
    assert problem.line > next(i for i, line in enumerate(lines, 1) if line.startswith("environments:"))


def test_the_examples_validate() -> None:
    assert problems(REPO_ROOT) == []


@pytest.mark.parametrize(
    "change",
    [
        both(at("model.framework"), at("model.image", IMAGE)),  # a custom KServe predictor
        at("model.framework", "lightgbm"),  # a model format the sagemaker SDK does not know
        at("model.framework_version", "4.3"),  # not checked against the sagemaker SDK on kubernetes
        at("serving.kubernetes.min_replicas", 0),  # kserve may scale to zero
        at("serving.kubernetes.cpu", 2),  # YAML numbers are quantities too
        at("serving.kubernetes.cpu", 0.5),
        at("serving.kubernetes.memory", "1.5Gi"),
        at("serving.kubernetes.scale_metric", "memory"),
        at("serving.kubernetes.port", 9000),  # a custom predictor's port
        at("serving.rollout", {"strategy": "all_at_once"}),
        at("serving.data_capture", {"enabled": True, "sampling_percent": 20}),  # as in docs/kubernetes.md
    ],
    ids=[
        "custom-predictor",
        "lightgbm",
        "framework-version",
        "scale-to-zero",
        "cpu-int",
        "cpu-float",
        "memory-fraction",
        "memory-metric",
        "port",
        "all-at-once",
        "sampling",
    ],
)
def test_valid_kubernetes_settings(project: Path, change) -> None:
    edit_yaml(spec_path(project, *KSERVE), change)
    assert problems(project) == []


def test_build_metadata_cannot_be_a_label(project: Path) -> None:
    data = read_yaml(spec_path(project, *KSERVE))
    data["metadata"]["version"] = "1.2.0+build.7"
    write_yaml(spec_path(project, "reviews-kserve", "1.2.0+build.7"), data)
    assert_problem(problems(project), "metadata.version", "with no '+' build metadata", "1.2.0+build.7.yaml")


@given(st.from_regex(MODEL_NAME_PATTERN, fullmatch=True))
def test_model_names_are_dns_labels(name: str) -> None:
    """The ServiceAccount and the InferenceService are named after the model: any name the
    spec allows is a DNS-1035 label (KServe's IsvcNameFmt), so none needs a rule of its own."""
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name) and len(name) <= 63


# --- the stack's side ---------------------------------------------------------------------


def stack_file(root: Path, name: str) -> Path:
    return root / "stacks" / f"Pulumi.{name}.yaml"


def pin(root: Path, stack: str, model: str, value: Any) -> None:
    edit_yaml(stack_file(root, stack), lambda d: d["config"]["modelops:models"].__setitem__(model, value))


def kubernetes_config(root: Path, stack: str, **values: Any) -> None:
    """Set (or with None remove) keys of the stack's modelops:kubernetes."""

    def change(d: Any) -> None:
        config = d["config"].setdefault("modelops:kubernetes", {})
        for key, value in values.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value

    edit_yaml(stack_file(root, stack), change)


WITH_CHALLENGER = {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 20}}


def test_the_intended_pins_validate(project: Path) -> None:
    """The pins the stack files hold as comments: a KServe challenger in dev and staging, the GPU
    Deployment, and ticket-router on kubernetes in dev and staging and on SageMaker in prod."""
    for stack in ("dev", "staging"):
        pin(project, stack, "reviews-kserve", WITH_CHALLENGER)
        pin(project, stack, "image-embedder", "1.0.0")
        pin(project, stack, "ticket-router", "1.0.0")
    pin(project, "prod", "ticket-router", "1.0.0")
    project_state = load_project(project, stack_names(project))
    assert project_state.problems == []
    targets = {
        stack: next(m for m in models if m.name == "ticket-router").spec.serving.target
        for stack, models in project_state.resolved.items()
    }
    assert targets == {"dev": "kubernetes", "staging": "kubernetes", "prod": "sagemaker"}
    dev = {m.name: m for m in project_state.resolved["dev"]}
    assert dev["reviews-kserve"].challenger is not None and dev["reviews-kserve"].challenger.percent == 20


def test_kubernetes_needs_the_oidc_provider(project: Path) -> None:
    pin(project, "dev", "reviews-kserve", "1.0.0")
    kubernetes_config(project, "dev", oidcProviderArn=None)
    assert_problem(
        problems(project),
        "modelops:models.reviews-kserve",
        "reviews-kserve 1.0.0 serves on kubernetes in stack dev (as primary): set modelops:kubernetes.oidcProviderArn",
        "Pulumi.dev.yaml",
    )


def test_a_stack_without_kubernetes_config(project: Path) -> None:
    pin(project, "prod", "image-embedder", "1.0.0")
    assert_problem(
        problems(project),
        "modelops:models.image-embedder",
        "set modelops:kubernetes.oidcProviderArn",
        "Pulumi.prod.yaml",
    )


def test_data_capture_needs_the_payload_logger(project: Path) -> None:
    pin(project, "dev", "reviews-kserve", "1.0.0")
    kubernetes_config(project, "dev", payloadLoggerUrl=None)
    assert_problem(
        problems(project),
        "modelops:models.reviews-kserve",
        "with data capture: set modelops:kubernetes.payloadLoggerUrl",
        "Pulumi.dev.yaml",
    )


def test_data_capture_off_needs_no_payload_logger(project: Path) -> None:
    sagemaker_only(project)  # reviews-kserve, pinned in dev, captures
    pin(project, "dev", "image-embedder", "1.0.0")
    kubernetes_config(project, "dev", payloadLoggerUrl=None)
    assert problems(project) == []


def test_no_shadow_on_kubernetes(project: Path) -> None:
    pin(project, "dev", "reviews-kserve", {"version": "1.0.0", "shadow": {"version": "1.1.0", "sampling_percent": 10}})
    found = problems(project)
    assert_problem(
        found,
        "modelops:models.reviews-kserve.shadow.version",
        "shadow variants are not available on kubernetes (KServe mirrors no traffic)",
    )
    assert not [p for p in found if "SageMaker shadow testing" in p.message]


def test_challenger_needs_kserve(project: Path) -> None:
    edit_yaml(
        spec_path(project, *CHALLENGER),
        both(
            at("serving.kubernetes.runtime", "deployment"),
            at("model.framework"),
            at("model.image", IMAGE),
            at("serving.data_capture"),
        ),
    )
    pin(project, "dev", "reviews-kserve", WITH_CHALLENGER)
    assert_problem(
        problems(project),
        "modelops:models.reviews-kserve.challenger.version",
        "both need runtime kserve (the primary has kserve, the challenger deployment)",
    )


def test_challenger_in_the_primary_namespace(project: Path) -> None:
    edit_yaml(spec_path(project, *CHALLENGER), at("serving.kubernetes.namespace", "reviews-next"))
    pin(project, "staging", "reviews-kserve", WITH_CHALLENGER)
    assert_problem(
        problems(project),
        "modelops:models.reviews-kserve.challenger.version",
        "InferenceService in namespace 'reviews', but its spec serves in 'reviews-next'",
        "Pulumi.staging.yaml",
    )


def test_challenger_on_the_primary_target(project: Path) -> None:
    def to_sagemaker(data: Any) -> None:
        data["serving"] = {"instance_type": "ml.m5.large", "rollout": {"strategy": "all_at_once"}}
        data["model"]["framework_version"] = "1.2-1"
        del data["environments"]

    edit_yaml(spec_path(project, *CHALLENGER), to_sagemaker)
    pin(project, "dev", "reviews-kserve", WITH_CHALLENGER)
    assert_problem(
        problems(project),
        "modelops:models.reviews-kserve.challenger.version",
        "the primary serves on kubernetes in dev, the challenger on sagemaker",
    )


def test_manage_namespaces_never_owns_default(project: Path) -> None:
    edit_yaml(spec_path(project, *DEPLOYMENT), at("serving.kubernetes.namespace", "default"))
    sagemaker_only(project, "staging")  # staging pins image-embedder too
    pin(project, "dev", "image-embedder", "1.0.0")
    assert_problem(
        problems(project), "modelops:models.image-embedder", "in namespace 'default', which every cluster has"
    )
    kubernetes_config(project, "dev", manageNamespaces=False)
    assert problems(project) == []


def prod_kubernetes(root: Path, spec: tuple[str, str], change) -> list:
    edit_yaml(spec_path(root, *spec), change)
    pin(root, "prod", spec[0], spec[1])
    kubernetes_config(root, "prod", oidcProviderArn=OIDC, payloadLoggerUrl="http://logger.monitoring.svc/")
    return [p for p in problems(root) if spec[0] in p.file]


def test_prod_governance_on_kubernetes(project: Path) -> None:
    weaken = both(
        at("serving.kubernetes.min_replicas", 1),
        at("serving.data_capture", {"enabled": False}),
        at("serving.rollout", {"strategy": "all_at_once"}),
        at("metadata.risk", "high"),
    )
    found = prod_kubernetes(project, KSERVE, weaken)
    pinned = " (stack prod pins this version as primary)"
    # Model Monitor cannot watch a kubernetes model: the risk-driven monitors are not required.
    assert sorted((p.field, p.message) for p in found) == [
        (
            "serving.data_capture.enabled",
            f"[prod-data-capture] prod requires data capture (on kubernetes, KServe's payload logger){pinned}",
        ),
        ("serving.kubernetes.min_replicas", f"[prod-redundancy] prod requires min_replicas >= 2{pinned}"),
        (
            "serving.rollout.strategy",
            "[prod-guarded-rollout] prod requires a rolling rollout on kubernetes, not all_at_once (a Recreate stops "
            f"every replica first){pinned}",
        ),
    ]


def test_prod_governance_of_kubernetes_defaults(project: Path) -> None:
    """Without a serving.kubernetes block the model runs on KServe with one replica: prod asks
    for more replicas and for KServe's payload logger, as it would of those fields written out."""
    found = prod_kubernetes(
        project,
        KSERVE,
        both(at("serving.kubernetes"), at("environments"), at("serving.data_capture", {"enabled": False})),
    )
    assert sorted((p.field, p.message.split(" (stack ")[0]) for p in found) == [
        (
            "serving.data_capture.enabled",
            "[prod-data-capture] prod requires data capture (on kubernetes, KServe's payload logger)",
        ),
        ("serving.kubernetes.min_replicas", "[prod-redundancy] prod requires min_replicas >= 2"),
    ]


def test_prod_deployment_needs_no_capture(project: Path) -> None:
    assert prod_kubernetes(project, DEPLOYMENT, at("serving.data_capture", {"enabled": False})) == []


def test_kubernetes_only_stack_needs_no_vpc(project: Path) -> None:
    """VPC config goes on SageMaker models and monitoring jobs; pods run in the cluster's network."""

    def only_kubernetes(d: Any) -> None:
        d["config"]["modelops:models"] = {"reviews-kserve": "1.0.0"}
        for key in ("modelops:vpc", "modelops:kmsKeyArn"):
            d["config"].pop(key)

    edit_yaml(stack_file(project, "staging"), only_kubernetes)
    assert problems(project) == []
    groups = read_yaml(spec_path(project, "fraud-detector", "3.1.0"))["features"]["groups"]
    for group in groups:
        group["name"] = "review-signals"
    edit_yaml(spec_path(project, *KSERVE), at("features", {"groups": groups}))
    found = problems(project)
    assert_problem(found, "modelops:kmsKeyArn", "[kms-required]", "Pulumi.staging.yaml")
    assert not [p for p in found if "vpc-required" in p.message]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            "not the IAM OIDC provider of an EKS cluster",
        ),
        (
            "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
            "partitions are isolated",
        ),
        (
            "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "the OIDC provider is in account 210987654321, the permissions boundary in 123456789012",
        ),
    ],
    ids=["not-eks", "partition", "account"],
)
def test_oidc_provider_arn(project: Path, value: str, fragment: str) -> None:
    kubernetes_config(project, "staging", oidcProviderArn=value)
    assert_problem(problems(project), "modelops:kubernetes.oidcProviderArn", fragment, "Pulumi.staging.yaml")


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("payloadLoggerUrl", "ftp://logger", "'ftp://logger' is not an http:// or https:// URL"),
        ("manageNamespaces", "true", "expected true or false (got the text 'true'): remove the quotes (true)"),
        ("context", "", "must not be empty"),
        ("cluster", "ml", "unknown field"),
    ],
)
def test_kubernetes_stack_keys(project: Path, key: str, value: Any, fragment: str) -> None:
    kubernetes_config(project, "dev", **{key: value})
    assert_problem(problems(project), f"modelops:kubernetes.{key}", fragment, "Pulumi.dev.yaml")


def test_schema_describes_kubernetes_serving() -> None:
    schema = json.loads((REPO_ROOT / "schemas" / "modelspec-v1.json").read_text())
    fields = schema["$defs"]["KubernetesServing"]["properties"]
    assert set(fields) == {
        "runtime",
        "namespace",
        "min_replicas",
        "max_replicas",
        "cpu",
        "memory",
        "gpu",
        "scale_metric",
        "scale_target",
        "port",
    }
    assert all(field.get("description") for field in fields.values())
    assert fields["namespace"]["maxLength"] == 63
    assert {"type": "number"} in fields["memory"]["anyOf"]
