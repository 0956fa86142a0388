"""`rehearse` on a Kubernetes stack: IAM on moto, every Kubernetes object checked offline.

Core objects go through kubernetes-validate (Kubernetes 1.31, strict), the InferenceService
through modelops's strict model and KServe's admission-webhook rules (their own tests are
tests/test_kserve_rules.py); the tests also validate
every rendered InferenceService against KServe's full CRD schema in ../shared/schemas/kserve/.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.plan import Plan, wire_numbers
from modelops.engine.rehearse import emulated_aws, rehearse, rehearse_in_emulator
from modelops.engine.render import render
from modelops.kubernetes import manifests as kubernetes_manifests
from modelops.kubernetes.checks import KUBERNETES_VERSION, check, validate_core
from tests.conftest import REPO_ROOT
from tests.kubernetes_project import OIDC_ARN, OIDC_ISSUER, write_kubernetes_project
from tests.test_kubernetes import CORE_TYPES, DEPLOYMENT, ISVC, RECORDED_INFERENCE_SERVICE

CRD_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "kserve" / "inferenceservice-v1beta1.strict.json"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kubernetes_project(tmp_path_factory.mktemp("kubernetes-rehearse"))


@pytest.fixture(scope="module")
def plan(root: Path) -> Plan:
    return render(root, "k8s")


def test_kubernetes_validate_is_the_pinned_version() -> None:
    import importlib.metadata

    assert importlib.metadata.version("kubernetes-validate") == "1.31.0"
    assert "kubernetes-validate==1.31.0" in (REPO_ROOT / "requirements.txt").read_text().splitlines()
    assert KUBERNETES_VERSION == "1.31.0"


def test_rehearsal_of_a_kubernetes_stack(root: Path) -> None:
    with emulated_aws("eu-west-1"):
        report = rehearse_in_emulator(root, "k8s")
        import boto3

        role = boto3.client("iam").get_role(RoleName="modelops-fraud-scorer-dev-irsa")["Role"]
    assert report.ok, report.summary()
    where = {(c.where, c.call) for c in report.calls}
    assert {
        ("moto", "iam:create_role"),
        ("moto", "iam:put_role_policy"),
        ("k8s-validate 1.31", "Namespace"),
        ("k8s-validate 1.31", "ServiceAccount"),
        ("k8s-validate 1.31", "Deployment"),
        ("k8s-validate 1.31", "Service"),
        ("k8s-validate 1.31", "HorizontalPodAutoscaler"),
        ("k8s-validate 1.31", "PodDisruptionBudget"),
        ("kserve rules", "InferenceService"),
        ("offline", "kubernetes provider"),
    } <= where
    # Nothing Kubernetes went to moto, nothing of AWS was checked offline.
    assert all(c.where == "moto" for c in report.calls if not c.type.startswith(("kubernetes:", "pulumi:providers")))
    assert all(c.where != "moto" for c in report.calls if c.type.startswith(("kubernetes:", "pulumi:providers")))
    # The IRSA role exists in moto with its trust policy, as IAM stored it.
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Federated": OIDC_ARN}
    assert statement["Condition"]["StringEquals"][f"{OIDC_ISSUER}:sub"] == "system:serviceaccount:models:fraud-scorer"
    summary = report.summary()
    assert "ok  k8s-validate 1.31: Deployment" in summary
    assert "ok  kserve rules: InferenceService" in summary
    assert "ok  moto: iam:create_role" in summary
    assert "Kubernetes objects are checked offline, nothing is sent to a cluster" in summary
    assert report.outputs["kubernetes"]["vision-gpu"]["kind"] == "Deployment"


def test_cli_rehearse_of_a_kubernetes_stack(root: Path) -> None:
    result = CliRunner().invoke(app, ["rehearse", "--stack", "k8s", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "kserve rules: InferenceService" in result.output


def test_a_broken_manifest_fails_the_rehearsal(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kubernetes-validate (strict) refuses what the API server would: here a misspelt field."""
    original = kubernetes_manifests.deployment

    def broken(model: Any) -> dict[str, Any]:
        manifest = original(model)
        manifest["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {"tcpSocket": {"port": 1}}
        return manifest

    monkeypatch.setattr(kubernetes_manifests, "deployment", broken)
    report = rehearse(root, "k8s")
    assert not report.ok
    failed = [c for c in report.calls if not c.ok]
    assert {(c.resource, c.where, c.call) for c in failed} == {
        ("vision-gpu-serving-deployment", "k8s-validate 1.31", "Deployment"),
        ("batch-ranker-serving-deployment", "k8s-validate 1.31", "Deployment"),
    }
    assert failed[0].message == (
        "spec.template.spec.containers.0: Additional properties are not allowed ('readinessprobe' was unexpected)"
    )
    assert "FAIL k8s-validate 1.31: Deployment" in report.summary()
    result = CliRunner().invoke(app, ["rehearse", "--stack", "k8s", "--root", str(root)])
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("type_token", CORE_TYPES)
def test_every_core_object_passes_and_a_mutation_of_it_fails(plan: Plan, type_token: str) -> None:
    for resource in plan.by_type(type_token):
        assert check(resource.type, resource.inputs).ok, resource.name
    obj = dict(wire_numbers(plan.by_type(type_token)[0].inputs))
    mutated = copy.deepcopy(obj)
    mutated["metadata"]["labels"] = ["not", "a", "map"]
    result = validate_core(mutated)
    assert not result.ok and result.message.startswith("metadata.labels: ")
    misspelt = copy.deepcopy(obj)
    misspelt["metadata"]["lables"] = {}
    assert "'lables' was unexpected" in validate_core(misspelt).message


def test_integers_stay_integers(plan: Plan) -> None:
    """Pulumi hands numbers to the mocks as floats; the API server's schema wants integers."""
    hpa = dict(
        wire_numbers(plan.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "vision-gpu-serving-hpa").inputs)
    )
    assert validate_core(hpa).ok
    hpa["spec"]["minReplicas"] = "2"
    assert validate_core(hpa).message == "spec.minReplicas: '2' is not of type 'integer', 'null'"


def isvc() -> dict[str, Any]:
    return copy.deepcopy(RECORDED_INFERENCE_SERVICE)


def _crd_validator() -> Any:
    if not CRD_SCHEMA.parent.parent.parent.exists():
        pytest.skip("../shared is absent (a user's clone): KServe's CRD schema is the workplace's test data")
    import jsonschema

    return jsonschema.Draft7Validator(json.loads(CRD_SCHEMA.read_text()))


def test_every_rendered_inference_service_validates_against_the_kserve_crd(plan: Plan, root: Path) -> None:
    validator = _crd_validator()
    services = [r for stack in ("k8s",) for r in render(root, stack).by_type(ISVC)]
    # and whatever the repository's own stacks render
    from modelops.spec.stack import stack_names

    services += [r for stack in stack_names(REPO_ROOT) for r in render(REPO_ROOT, stack).by_type(ISVC)]
    assert {r.name for r in services} >= {
        "fraud-scorer-serving-inference-service",
        "text-embedder-serving-inference-service",
    }
    for resource in services:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(dict(wire_numbers(resource.inputs)))]
        assert errors == [], resource.name


def test_the_crd_schema_refuses_what_kserve_would(plan: Plan) -> None:
    validator = _crd_validator()
    manifest = isvc()
    manifest["spec"]["predictor"]["scaleMetric"] = "gpu"
    manifest["spec"]["canary"][0]["predictor"]["model"].pop("name")
    manifest["spec"]["predictor"]["minReplica"] = 1
    messages = sorted(e.message for e in validator.iter_errors(manifest))
    assert messages == [
        "'gpu' is not one of ['cpu', 'memory', 'concurrency', 'rps']",
        "'name' is a required property",
        "Additional properties are not allowed ('minReplica' was unexpected)",
    ]


def test_a_gpu_inference_service_and_a_gpu_deployment(root: Path, tmp_path: Path) -> None:
    """GPU amounts are quantities in requests and limits, with the GPU nodes' toleration."""
    import shutil

    shutil.copytree(root, tmp_path / "gpu")
    spec = tmp_path / "gpu" / "model_specs" / "text-embedder" / "1.0.0.yaml"
    spec.write_text(spec.read_text().replace("port: 8085}", "port: 8085, gpu: 2}"))
    plan = render(tmp_path / "gpu", "k8s")
    predictor = dict(wire_numbers(plan.one(ISVC, "text-embedder-serving-inference-service").inputs))["spec"][
        "predictor"
    ]
    assert predictor["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert predictor["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    for resource in [*plan.by_type(ISVC), *plan.by_type(DEPLOYMENT)]:
        assert check(resource.type, resource.inputs).ok, resource.name
    if CRD_SCHEMA.exists():
        _crd_validator().validate(dict(wire_numbers(plan.one(ISVC, "text-embedder-serving-inference-service").inputs)))
