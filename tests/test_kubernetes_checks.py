"""The offline checks `rehearse` makes of each Kubernetes object (modelops.kubernetes.checks).

Each check is asserted whole: which checker ran, what it names, the verdict and the message
a user reads in the rehearsal's report. The objects are the recorded ones of test_kubernetes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from modelops.kubernetes.checks import ObjectCheck, check, is_kubernetes, manifest, validate_core
from tests.test_kubernetes import DEPLOYMENT, ISVC, PROVIDER, RECORDED_DEPLOYMENT, RECORDED_INFERENCE_SERVICE

K8S = "k8s-validate 1.31"


def deployment() -> dict[str, Any]:
    return copy.deepcopy(RECORDED_DEPLOYMENT)


@pytest.mark.parametrize(
    ("type_token", "expected"),
    [
        (PROVIDER, True),
        (DEPLOYMENT, True),
        (ISVC, True),
        ("kubernetes:core/v1:Namespace", True),
        ("pulumi:providers:aws", False),
        ("aws:iam/role:Role", False),
        ("kubernetes", False),
        ("aws:eks/cluster:Cluster", False),
    ],
)
def test_which_resources_are_kubernetes_objects(type_token: str, expected: bool) -> None:
    assert is_kubernetes(type_token) is expected


def test_the_provider_names_its_kubeconfig_context_and_contacts_no_cluster() -> None:
    assert check(PROVIDER, {"context": "eks-prod"}) == ObjectCheck(
        "offline", "kubernetes provider", True, "kubeconfig context eks-prod; no cluster is contacted"
    )
    assert check(PROVIDER, {}) == ObjectCheck(
        "offline", "kubernetes provider", True, "the kubeconfig's current context; no cluster is contacted"
    )


def test_the_manifest_is_the_object_with_integers_and_without_pulumis_keys() -> None:
    inputs = {"__defaults": [], "kind": "Service", "spec": {"ports": [{"port": 80.0, "weight": 0.5}]}}
    assert manifest(inputs) == {"kind": "Service", "spec": {"ports": [{"port": 80, "weight": 0.5}]}}


def test_a_core_object_is_checked_without_pulumis_own_keys() -> None:
    inputs = deployment()
    inputs["__defaults"] = []
    assert check(DEPLOYMENT, inputs) == ObjectCheck(K8S, "Deployment", True)
    assert validate_core(inputs) == ObjectCheck(
        K8S, "Deployment", False, "(root): Additional properties are not allowed ('__defaults' was unexpected)"
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda m: m["metadata"].update(labels=["not", "a", "map"]),
            ObjectCheck(
                K8S, "Deployment", False, "metadata.labels: ['not', 'a', 'map'] is not of type 'object', 'null'"
            ),
        ),
        (
            lambda m: m.update(extra=1),
            ObjectCheck(
                K8S, "Deployment", False, "(root): Additional properties are not allowed ('extra' was unexpected)"
            ),
        ),
        (
            lambda m: m.pop("kind"),
            ObjectCheck(K8S, "?", False, "(root): kind required"),
        ),
        (
            lambda m: m.pop("apiVersion"),
            ObjectCheck(K8S, "Deployment", False, "(root): apiVersion required"),
        ),
        (
            lambda m: m.update(kind="Frobnicator"),
            ObjectCheck(K8S, "Frobnicator", False, "no schema of apps/v1 Frobnicator in Kubernetes 1.31.0"),
        ),
    ],
)
def test_a_broken_core_object_is_refused_with_its_path(mutate: Any, expected: ObjectCheck) -> None:
    obj = deployment()
    mutate(obj)
    assert validate_core(obj) == expected
    assert check(DEPLOYMENT, obj) == expected


def test_an_object_with_neither_kind_nor_api_version() -> None:
    assert validate_core({}) == ObjectCheck(K8S, "?", False, "(root): apiVersion and kind required")


def test_the_inference_service_goes_to_the_kserve_rules() -> None:
    assert check(ISVC, copy.deepcopy(RECORDED_INFERENCE_SERVICE)) == ObjectCheck(
        "kserve rules", "InferenceService", True, ""
    )
    broken = copy.deepcopy(RECORDED_INFERENCE_SERVICE)
    broken["metadata"]["name"] = "Fraud"
    broken["spec"]["predictor"]["minReplicas"] = 7
    result = check(ISVC, broken)
    assert (result.where, result.call, result.ok) == ("kserve rules", "InferenceService", False)
    assert result.message.split("; ") == [
        "metadata.name: 'Fraud' must match [a-z]([-a-z0-9]*[a-z0-9])? "
        "(KServe: lowercase letters, digits and '-', starting with a letter)",
        "spec.predictor.minReplicas: 7 exceeds maxReplicas 6 "
        "(KServe: 'MinReplicas cannot be greater than MaxReplicas')",
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [(None, "kind: Field required"), ("Deployment", "kind: Input should be 'InferenceService'")],
)
def test_an_inference_service_without_its_kind_is_named_by_its_type(kind: str | None, message: str) -> None:
    broken = copy.deepcopy(RECORDED_INFERENCE_SERVICE)
    del broken["kind"]
    if kind:
        broken["kind"] = kind
    assert check(ISVC, broken) == ObjectCheck("kserve rules", "InferenceService", False, message)
