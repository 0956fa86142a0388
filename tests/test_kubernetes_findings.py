"""The rules of kubernetes serving (docs/kubernetes.md), each broken once: every finding `validate`
prints for the spec, with its field and whole message, and nothing else; and the value just
inside each bound, which must pass.

test_kubernetes_rules.py breaks the same rules in a project with its stacks; these cases hold
what each rule says word for word, and where it stops.
"""

from __future__ import annotations

import pytest

from modelops.spec.container import ARTIFACT_ENV, STORAGE_URI_ENV
from tests.spec_findings import SIZED_ENDPOINT, SIZING_SET_TO_NULL, Change, Example, findings, sizing_findings
from tests.test_spec_rules import at, both

KSERVE: Example = ("reviews-kserve", "1.0.0")  # runtime kserve, framework sklearn, namespace reviews
DEPLOYMENT: Example = ("image-embedder", "1.0.0")  # runtime deployment, its own image, one GPU
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/reviews:1.0.0"
as_predictor = both(at("model.framework"), at("model.image", IMAGE))  # kserve with a custom predictor image
FORMATS = "sklearn, xgboost, lightgbm, pytorch, tensorflow, onnx, huggingface"
PREDICTOR_HOST = "reviews-kserve-predictor-"  # <name>-predictor-<namespace>: KServe's host name


def sagemaker_field(key: str) -> str:
    return (
        f"{key} shapes a SageMaker endpoint; kubernetes serving is sized by serving.kubernetes (min_replicas, "
        "max_replicas, cpu, memory, gpu); an environments override that switches to kubernetes sets it to null"
    )


def guardrail_field(key: str) -> str:
    return (
        f"{key} configures SageMaker's deployment guardrails; a kubernetes rollout takes strategy and "
        "rolling_batch_percent only"
    )


def strategy(name: str) -> str:
    return (
        f"{name} is a SageMaker deployment guardrail; kubernetes rolls out with rolling or all_at_once. For the same "
        "result, pin the new version as a challenger with its traffic_percent in the stack: it becomes a KServe "
        "canary entry (runtime kserve)"
    )


def owned_variable(name: str) -> str:
    return (
        f"{name} is modelops's: it gives the container model.artifact, the one artifact the pod's role may read; "
        "remove it from model.environment"
    )


def confidential(classification: str) -> str:
    return (
        f"{classification} data requires network isolation in every environment, which only SageMaker serving "
        "provides: serve this model on SageMaker"
    )


def label_value(version: str) -> str:
    return (
        f"{version!r} cannot be the value of the label app.kubernetes.io/version: label values are at most 63 "
        "letters, digits, '-', '_' and '.', with no '+' build metadata; publish the version without it to serve it "
        "on kubernetes"
    )


# (id, example, change, every finding as (field, message)); [] where the value is just allowed.
CASES: list[tuple[str, Example, Change, list[tuple[str, str]]]] = [
    # What runs the artifact (_kubernetes_container).
    (
        "no-sagemaker-image-choices",
        KSERVE,
        both(at("model.base_framework_version", "1.2"), at("model.py_version", "py310")),
        [
            (
                "model.base_framework_version",
                "base_framework_version chooses a SageMaker image; kubernetes serving takes none",
            ),
            ("model.py_version", "py_version chooses a SageMaker image; kubernetes serving takes none"),
        ],
    ),
    (
        "framework-version-alone",
        KSERVE,
        both(as_predictor, at("model.framework_version", "1.2-1")),
        [("model.framework_version", "framework_version goes with framework")],
    ),
    ("framework-version-with-framework", KSERVE, at("model.framework_version", "1.2-1"), []),
    (
        "deployment-owns-the-artifact-variable",
        DEPLOYMENT,
        at("model.environment", {ARTIFACT_ENV: "s3://acme-models/other.tar.gz"}),
        [(f"model.environment.{ARTIFACT_ENV}", owned_variable(ARTIFACT_ENV))],
    ),
    (
        "deployment-leaves-the-storage-variable",
        DEPLOYMENT,
        at("model.environment", {STORAGE_URI_ENV: "s3://acme-models/other.tar.gz"}),
        [],
    ),
    (
        "predictor-owns-the-storage-variable",
        KSERVE,
        both(as_predictor, at("model.environment", {STORAGE_URI_ENV: "s3://acme-models/other.tar.gz"})),
        [(f"model.environment.{STORAGE_URI_ENV}", owned_variable(STORAGE_URI_ENV))],
    ),
    (
        "default-runtime-is-kserve",
        KSERVE,
        both(at("serving.kubernetes"), as_predictor, at("model.environment", {STORAGE_URI_ENV: "s3://a/b"})),
        [(f"model.environment.{STORAGE_URI_ENV}", owned_variable(STORAGE_URI_ENV))],
    ),
    (
        "predictor-leaves-the-artifact-variable",
        KSERVE,
        both(as_predictor, at("model.environment", {ARTIFACT_ENV: "s3://acme-models/other.tar.gz"})),
        [],
    ),
    (
        "model-format-leaves-the-storage-variable",
        KSERVE,
        at("model.environment", {STORAGE_URI_ENV: "s3://acme-models/other.tar.gz"}),
        [],
    ),
    (
        "deployment-takes-no-framework",
        DEPLOYMENT,
        at("model.framework", "pytorch"),
        [
            (
                "model.framework",
                "runtime deployment runs model.image, a model server of your own; a framework's model is served by "
                "runtime kserve",
            )
        ],
    ),
    (
        "deployment-needs-image",
        DEPLOYMENT,
        at("model.image"),
        [("model.image", "runtime deployment needs model.image: a model server listening on serving.kubernetes.port")],
    ),
    (
        "no-registry-package",
        DEPLOYMENT,
        both(
            at("model.artifact"),
            at("model.sha256"),
            at("model.image"),
            at("model.package", {"group": "r", "version": 1}),
        ),
        [
            (
                "model.package",
                "kubernetes serving needs 'artifact' with 'image' or 'framework': a registry package only deploys "
                "to SageMaker",
            )
        ],
    ),
    (
        "kserve-image-or-framework",
        KSERVE,
        at("model.image", IMAGE),
        [
            (
                "model.image",
                "give either 'image' (a custom KServe predictor) or 'framework' (a KServe model format), not both",
            )
        ],
    ),
    (
        "kserve-needs-format-or-image",
        KSERVE,
        at("model.framework"),
        [
            (
                "model",
                f"runtime kserve serves the artifact with 'framework', one of KServe's model formats ({FORMATS}), or "
                "with your own predictor 'image'",
            )
        ],
    ),
    (
        "kserve-model-format",
        KSERVE,
        at("model.framework", "caffe"),
        [
            (
                "model.framework",
                f"KServe has no model format 'caffe': runtime kserve takes {FORMATS}; serve any other model with your "
                "own predictor 'image'",
            )
        ],
    ),
    ("kserve-last-model-format", KSERVE, at("model.framework", "huggingface"), []),
    # Network isolation (_kubernetes_isolation).
    (
        "no-network-isolation",
        KSERVE,
        at("model.network_isolation", True),
        [
            (
                "model.network_isolation",
                "network isolation is SageMaker's (EnableNetworkIsolation); kubernetes serving has none: remove it, "
                "or serve this model on SageMaker",
            )
        ],
    ),
    (
        "confidential-data",
        KSERVE,
        at("metadata.data_classification", "confidential"),
        [("metadata.data_classification", confidential("confidential"))],
    ),
    (
        "restricted-data",
        KSERVE,
        at("metadata.data_classification", "restricted"),
        [("metadata.data_classification", confidential("restricted"))],
    ),
    ("public-data", KSERVE, at("metadata.data_classification", "public"), []),
    # serving (_kubernetes_serving).
    ("realtime-only", KSERVE, at("serving.mode", "async"), [("serving.mode", "kubernetes serving is realtime only")]),
    (
        "no-pool-on-kubernetes",
        ("intent-classifier", "1.0.0"),  # mode component, on a SageMaker pool
        at("serving.target", "kubernetes"),
        [
            ("serving.mode", "kubernetes serving is realtime only"),
            ("serving.rollout.wait_s", guardrail_field("wait_s")),
        ],
    ),
    (
        "no-sagemaker-sizing",
        KSERVE,
        SIZED_ENDPOINT,
        sizing_findings(sagemaker_field),
    ),
    (
        "sagemaker-sizing-set-to-null",
        KSERVE,
        SIZING_SET_TO_NULL,
        [],
    ),
    (
        "deployment-has-no-payload-logger",
        DEPLOYMENT,
        at("serving.data_capture", {"enabled": True}),
        [
            (
                "serving.data_capture.enabled",
                "data capture on kubernetes is KServe's payload logger, and a Deployment has none: use runtime "
                "kserve, or disable data capture",
            )
        ],
    ),
    ("deployment-without-capture", DEPLOYMENT, at("serving.data_capture", {"enabled": False}), []),
    (
        "no-canary",
        KSERVE,
        at("serving.rollout", {"strategy": "canary"}),
        [("serving.rollout.strategy", strategy("canary"))],
    ),
    (
        "no-linear",
        KSERVE,
        at("serving.rollout", {"strategy": "linear"}),
        [("serving.rollout.strategy", strategy("linear"))],
    ),
    (
        "no-guardrail-fields",
        KSERVE,
        at(
            "serving.rollout",
            {
                "strategy": "rolling",
                "canary_percent": 10,
                "linear_step_percent": 10,
                "wait_s": 5,
                "termination_wait_s": 5,
                "alarms": {"max_p99_latency_ms": 100},
            },
        ),
        [
            ("serving.rollout.canary_percent", guardrail_field("canary_percent")),
            ("serving.rollout.linear_step_percent", guardrail_field("linear_step_percent")),
            ("serving.rollout.wait_s", guardrail_field("wait_s")),
            ("serving.rollout.termination_wait_s", guardrail_field("termination_wait_s")),
            ("serving.rollout.alarms", guardrail_field("alarms")),
        ],
    ),
    # Replicas, autoscaling and resources (_kubernetes_scaling).
    (
        "min-above-max-replicas",
        KSERVE,
        at("serving.kubernetes.min_replicas", 7),
        [("serving.kubernetes.min_replicas", "min_replicas 7 exceeds max_replicas 6")],
    ),
    ("min-equals-max-replicas", KSERVE, at("serving.kubernetes.min_replicas", 6), []),
    (
        "deployment-keeps-a-replica",
        DEPLOYMENT,
        at("serving.kubernetes.min_replicas", 0),
        [
            (
                "serving.kubernetes.min_replicas",
                "min_replicas 0 (scale to zero) needs runtime kserve: a Deployment's HorizontalPodAutoscaler keeps "
                "at least 1 replica",
            )
        ],
    ),
    ("kserve-scales-to-zero", KSERVE, at("serving.kubernetes.min_replicas", 0), []),
    (
        "kserve-no-concurrency",
        KSERVE,
        at("serving.kubernetes.scale_metric", "concurrency"),
        [
            (
                "serving.kubernetes.scale_metric",
                "KServe's Standard (raw deployment) mode scales with a HorizontalPodAutoscaler, and its webhook "
                "refuses concurrency, a Knative metric of its Serverless mode: use cpu or memory",
            )
        ],
    ),
    (
        "kserve-no-rps-whatever-its-target",
        KSERVE,
        both(at("serving.kubernetes.scale_metric", "rps"), at("serving.kubernetes.scale_target", 500)),
        [
            (
                "serving.kubernetes.scale_metric",
                "KServe's Standard (raw deployment) mode scales with a HorizontalPodAutoscaler, and its webhook "
                "refuses rps, a Knative metric of its Serverless mode: use cpu or memory",
            )
        ],
    ),
    (
        "deployment-no-rps",
        DEPLOYMENT,
        at("serving.kubernetes.scale_metric", "rps"),
        [
            (
                "serving.kubernetes.scale_metric",
                "a Deployment's HorizontalPodAutoscaler (autoscaling/v2 Resource metrics) has no rps without a "
                "custom metrics adapter: use cpu or memory",
            )
        ],
    ),
    ("scale-target-100-percent", KSERVE, at("serving.kubernetes.scale_target", 100), []),
    (
        "scale-target-101-percent",
        KSERVE,
        both(at("serving.kubernetes.scale_metric", "memory"), at("serving.kubernetes.scale_target", 101)),
        [
            (
                "serving.kubernetes.scale_target",
                "scale_target is a percent of the requested memory with scale_metric memory: 1 to 100 (requests "
                "equal limits, so utilization never passes 100)",
            )
        ],
    ),
    (
        "cpu-and-memory-quantities",
        KSERVE,
        both(at("serving.kubernetes.cpu", "0"), at("serving.kubernetes.memory", "0")),
        [
            ("serving.kubernetes.cpu", "a replica needs some CPU: requests equal limits, and a limit of 0 is no limit"),
            (
                "serving.kubernetes.memory",
                "a replica needs some memory: requests equal limits, and a limit of 0 is no limit",
            ),
        ],
    ),
    ("eight-gpus", DEPLOYMENT, at("serving.kubernetes.gpu", 8), []),
    (
        "nine-gpus",
        DEPLOYMENT,
        at("serving.kubernetes.gpu", 9),
        [
            (
                "serving.kubernetes.gpu",
                "9 GPUs per replica: no EC2 instance has more than 8 NVIDIA GPUs, and a replica's GPUs come from one "
                "node, so it would never schedule",
            )
        ],
    ),
    # Names Kubernetes derives (_kubernetes_names).
    (
        "kube-namespace",
        KSERVE,
        at("serving.kubernetes.namespace", "kube-models"),
        [
            (
                "serving.kubernetes.namespace",
                "'kube-models': the kube- prefix is reserved for Kubernetes system namespaces",
            )
        ],
    ),
    ("kube-without-dash", KSERVE, at("serving.kubernetes.namespace", "kubeflow"), []),
    ("host-of-63-characters", KSERVE, at("serving.kubernetes.namespace", "n" * (63 - len(PREDICTOR_HOST))), []),
    (
        "host-of-64-characters",
        KSERVE,
        at("serving.kubernetes.namespace", "n" * 39),
        [
            (
                "serving.kubernetes.namespace",
                f"KServe names the predictor's host {PREDICTOR_HOST}{'n' * 39}.<domain> (64 characters before the "
                "domain), and a DNS label holds at most 63: use a namespace of at most 38 characters",
            )
        ],
    ),
    ("deployment-has-no-predictor-host", DEPLOYMENT, at("serving.kubernetes.namespace", "n" * 39), []),
    (
        "version-with-build-metadata",
        KSERVE,
        at("metadata.version", "1.0.0+build.5"),
        [("metadata.version", label_value("1.0.0+build.5"))],
    ),
    ("version-of-63-characters", KSERVE, at("metadata.version", "1.0.0-" + "a" * 57), []),
    (
        "version-of-64-characters",
        KSERVE,
        at("metadata.version", "1.0.0-" + "a" * 58),
        [("metadata.version", label_value("1.0.0-" + "a" * 58))],
    ),
]


@pytest.mark.parametrize(("example", "change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_kubernetes_rule_finds_exactly_this(example: Example, change: Change, expected: list) -> None:
    assert findings(example, change) == expected


def test_the_examples_break_no_rule() -> None:
    assert findings(KSERVE, lambda data: None) == []
    assert findings(DEPLOYMENT, lambda data: None) == []
