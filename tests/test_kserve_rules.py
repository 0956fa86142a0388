"""KServe's admission rules and the strict InferenceService model (modelops.kubernetes.kserve).

`rehearse` has no cluster, so no KServe webhook: these rules are what stands in for it. Each case
breaks one rule of a recorded InferenceService and asserts the whole list of problems, so a
message that changes, a rule that fires twice or a neighbouring rule that fires too all fail;
each bound has a case just inside it that must find nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from modelops.kubernetes.kserve import QUANTITY, inference_service_problems, model_problems, webhook_problems
from tests.test_kubernetes import RECORDED_INFERENCE_SERVICE

Manifest = dict[str, Any]

MIN_EXCEEDS_MAX = "(KServe: 'MinReplicas cannot be greater than MaxReplicas')"
NAME_RULE = "must match [a-z]([-a-z0-9]*[a-z0-9])? (KServe: lowercase letters, digits and '-', starting with a letter)"
CANARY_SCALED = "not allowed on a canary: it is scaled with the primary predictor"
HPA_METRIC = (
    "is not a supported metric: KServe in Standard mode with the HPA autoscaler scales on cpu or memory "
    "(concurrency and rps need Knative mode)"
)
CONTAINER = {
    "name": "kserve-container",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1",
    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
    "env": [],
    "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
}


def isvc() -> Manifest:
    return copy.deepcopy(RECORDED_INFERENCE_SERVICE)


def predictor(manifest: Manifest) -> dict[str, Any]:
    return manifest["spec"]["predictor"]


def canary(manifest: Manifest, index: int = 0) -> dict[str, Any]:
    return manifest["spec"]["canary"][index]


def annotations(manifest: Manifest) -> dict[str, Any]:
    return manifest["metadata"]["annotations"]


def problems_after(mutate: Callable[[Manifest], object]) -> list[str]:
    manifest = isvc()
    mutate(manifest)
    return inference_service_problems(manifest)


def test_the_recorded_inference_service_has_no_problem() -> None:
    assert inference_service_problems(isvc()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        # traffic: each canary's share within 0..100, and their sum at most 100
        (
            lambda m: canary(m).update(trafficPercent=101),
            [
                "spec.canary[0].trafficPercent: 101 is outside 0..100",
                "spec.canary: the trafficPercent of the canaries sums to 101, more than 100",
            ],
        ),
        (lambda m: canary(m).update(trafficPercent=-1), ["spec.canary[0].trafficPercent: -1 is outside 0..100"]),
        (
            lambda m: m["spec"]["canary"].append({**canary(m), "trafficPercent": 91}),
            ["spec.canary: the trafficPercent of the canaries sums to 101, more than 100"],
        ),
        (
            lambda m: m["spec"]["canary"].append({**canary(m), "trafficPercent": 120}),
            [
                "spec.canary[1].trafficPercent: 120 is outside 0..100",
                "spec.canary: the trafficPercent of the canaries sums to 130, more than 100",
            ],
        ),
        # a canary is scaled with the primary predictor
        (
            lambda m: canary(m)["predictor"].update(minReplicas=1, scaleTarget=50),
            [f"spec.canary[0].predictor: minReplicas, scaleTarget {CANARY_SCALED}"],
        ),
        (
            lambda m: canary(m)["predictor"].update(
                maxReplicas=3, scaleMetric="cpu", deploymentStrategy={"type": "Recreate"}
            ),
            [f"spec.canary[0].predictor: maxReplicas, scaleMetric, deploymentStrategy {CANARY_SCALED}"],
        ),
        (
            lambda m: canary(m)["predictor"].update(minReplicas=4, maxReplicas=3),
            [
                f"spec.canary[0].predictor: minReplicas, maxReplicas {CANARY_SCALED}",
                f"spec.canary[0].predictor.minReplicas: 4 exceeds maxReplicas 3 {MIN_EXCEEDS_MAX}",
            ],
        ),
        (
            lambda m: canary(m)["predictor"].update(containers=[CONTAINER]),
            ["spec.canary[0].predictor: exactly one of model or containers, not ['model', 'containers']"],
        ),
        # replicas: both at least 0, the minimum at most the maximum, a maximum of 0 is "none"
        (
            lambda m: predictor(m).update(minReplicas=7),
            [f"spec.predictor.minReplicas: 7 exceeds maxReplicas 6 {MIN_EXCEEDS_MAX}"],
        ),
        (
            lambda m: predictor(m).update(minReplicas=-1),
            ["spec.predictor.minReplicas: -1 is below 0 (KServe: 'MinReplicas cannot be less than 0')"],
        ),
        (
            lambda m: predictor(m).update(maxReplicas=-1),
            [
                "spec.predictor.maxReplicas: -1 is below 0 (KServe: 'MaxReplicas cannot be less than 0')",
                f"spec.predictor.minReplicas: 2 exceeds maxReplicas -1 {MIN_EXCEEDS_MAX}",
            ],
        ),
        (
            lambda m: (predictor(m).pop("minReplicas"), predictor(m).update(maxReplicas=-1)),
            [
                "spec.predictor.maxReplicas: -1 is below 0 (KServe: 'MaxReplicas cannot be less than 0')",
                f"spec.predictor.minReplicas: 1 exceeds maxReplicas -1 {MIN_EXCEEDS_MAX}",
            ],
        ),
        # one implementation per predictor; a name only on a canary's model
        (
            lambda m: predictor(m)["model"].update(name="kserve-container"),
            [
                "spec.predictor.model.name: Extra inputs are not permitted",
                "spec.predictor.model.name: the 'name' field is not allowed in standard predictor",
            ],
        ),
        (
            lambda m: predictor(m).update(containers=[CONTAINER]),
            ["spec.predictor: exactly one of model or containers, not ['model', 'containers']"],
        ),
        (
            lambda m: predictor(m).pop("model"),
            ["spec.predictor: exactly one of model or containers, not none"],
        ),
        # Standard mode with the HPA: cpu or memory, a target of 1..100
        (
            lambda m: predictor(m).update(scaleMetric="concurrency"),
            [f"spec.predictor.scaleMetric: [concurrency] {HPA_METRIC}"],
        ),
        (
            lambda m: predictor(m).pop("scaleMetric") and predictor(m).update(scaleMetric="rps"),
            [f"spec.predictor.scaleMetric: [rps] {HPA_METRIC}"],
        ),
        (
            lambda m: predictor(m).update(scaleTarget=101),
            ["spec.predictor.scaleTarget: 101: the target utilization percentage should be a [1-100] integer"],
        ),
        (
            lambda m: predictor(m).update(scaleTarget=0),
            ["spec.predictor.scaleTarget: 0: the target utilization percentage should be a [1-100] integer"],
        ),
        # metadata
        (
            lambda m: m["metadata"].update(name="Fraud_Scorer"),
            [f"metadata.name: 'Fraud_Scorer' {NAME_RULE}"],
        ),
        (lambda m: m["metadata"].update(name="fraud-"), [f"metadata.name: 'fraud-' {NAME_RULE}"]),
        (lambda m: m["metadata"].update(name="1fraud"), [f"metadata.name: '1fraud' {NAME_RULE}"]),
        (
            lambda m: m["metadata"].pop("name"),
            ["metadata.name: Field required", f"metadata.name: '' {NAME_RULE}"],
        ),
        (
            lambda m: annotations(m).update({"serving.kserve.io/autoscalerClass": "vpa"}),
            ["metadata.annotations.serving.kserve.io/autoscalerClass: [vpa] is not a supported autoscaler class type"],
        ),
        # the strict model: a field modelops does not write, a misspelt one, a wrong type
        (
            lambda m: predictor(m)["logger"].update(mode="everything"),
            ["spec.predictor.logger.mode: Input should be 'all', 'request' or 'response'"],
        ),
        (
            lambda m: predictor(m).update(minReplica=1),
            ["spec.predictor.minReplica: Extra inputs are not permitted"],
        ),
        (
            lambda m: predictor(m).update(maxReplicas="6"),
            ["spec.predictor.maxReplicas: Input should be a valid integer"],
        ),
        (
            lambda m: canary(m)["predictor"]["model"].pop("name"),
            ["spec.canary.0.predictor.model.name: Field required"],
        ),
        (
            # the recorded canary's model shares its resources with the primary's
            lambda m: predictor(m)["model"]["resources"]["limits"].update(cpu="two"),
            [
                f"spec.predictor.model.resources.limits.cpu: String should match pattern '{QUANTITY}'",
                f"spec.canary.0.predictor.model.resources.limits.cpu: String should match pattern '{QUANTITY}'",
            ],
        ),
        (
            lambda m: m.update(apiVersion="serving.kserve.io/v1alpha1"),
            ["apiVersion: 'serving.kserve.io/v1alpha1' is not serving.kserve.io/v1beta1"],
        ),
    ],
)
def test_a_broken_rule_gives_exactly_its_problems(mutate: Callable[[Manifest], object], expected: list[str]) -> None:
    assert problems_after(mutate) == expected


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: canary(m).update(trafficPercent=0),
        lambda m: canary(m).update(trafficPercent=100),
        lambda m: m["spec"].pop("canary"),
        lambda m: m["spec"]["canary"].append({**canary(m), "trafficPercent": 90}),
        lambda m: predictor(m).update(minReplicas=6),
        lambda m: predictor(m).update(minReplicas=0),
        lambda m: predictor(m).update(maxReplicas=0),
        lambda m: predictor(m).update(minReplicas=9, maxReplicas=0),
        lambda m: predictor(m).pop("maxReplicas"),
        lambda m: predictor(m).update(scaleMetric="memory"),
        lambda m: predictor(m).pop("scaleMetric"),
        lambda m: predictor(m).update(scaleTarget=1),
        lambda m: predictor(m).update(scaleTarget=100),
        lambda m: (predictor(m).pop("model"), predictor(m).update(containers=[CONTAINER])),
        lambda m: m["metadata"].update(name="a"),
        lambda m: m["metadata"].update(name="a-1"),
        # KServe judges the HPA's metric and target only in Standard mode with the HPA autoscaler
        lambda m: (
            annotations(m).update({"serving.kserve.io/autoscalerClass": "keda"}),
            predictor(m).update(scaleMetric="concurrency", scaleTarget=120),
        ),
        lambda m: (
            annotations(m).pop("serving.kserve.io/autoscalerClass"),
            predictor(m).update(scaleMetric="rps", scaleTarget=0),
        ),
        lambda m: (
            annotations(m).update({"serving.kserve.io/deploymentMode": "Serverless"}),
            predictor(m).update(scaleMetric="concurrency", scaleTarget=120),
        ),
        lambda m: annotations(m).update({"serving.kserve.io/autoscalerClass": "external"}),
        lambda m: annotations(m).update({"serving.kserve.io/autoscalerClass": "none"}),
    ],
)
def test_just_inside_each_rule_nothing_is_found(mutate: Callable[[Manifest], object]) -> None:
    assert problems_after(mutate) == []


def test_a_manifest_that_is_not_an_object_is_named_at_its_root() -> None:
    assert model_problems([]) == [  # type: ignore[arg-type]
        "(root): Input should be a valid dictionary or instance of InferenceService"
    ]


def test_an_empty_manifest_breaks_the_name_and_predictor_rules() -> None:
    assert webhook_problems({}) == [
        f"metadata.name: '' {NAME_RULE}",
        "spec.predictor: exactly one of model or containers, not none",
    ]
    assert webhook_problems({"metadata": None, "spec": {"predictor": None, "canary": None}}) == webhook_problems({})


def test_a_canary_without_a_traffic_share_adds_nothing_to_the_sum() -> None:
    manifest = isvc()
    manifest["spec"]["canary"] = [
        {**canary(manifest), "trafficPercent": 100},
        {"predictor": canary(manifest)["predictor"]},
    ]
    assert webhook_problems(manifest) == []
