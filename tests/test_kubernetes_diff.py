"""`diff` of Kubernetes serving: updates in place unless an immutable field changes; a model
switching between SageMaker and Kubernetes is downtime, flagged first and failing
`--fail-on destructive`."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.plan import Plan, PlanResource
from modelops.gitops.diff import StackDiff, diff, diff_markdown, diff_text, resource_changes
from tests.conftest import REPO_ROOT, sagemaker_only
from tests.kubernetes_project import write_kubernetes_project
from tests.test_gitops import git

SENTIMENT_ON_KUBERNETES = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: sentiment-api
  version: 0.3.0
  owner: support-ml@example.com
  description: Tags support tickets by sentiment; an experiment served on demand.
  risk: low
  data_classification: public
model:
  artifact: s3://acme-models/sentiment-api/0.3.0/model.tar.gz
  framework: pytorch
  framework_version: "2.1"
serving:
  target: kubernetes
  kubernetes: {runtime: kserve, namespace: support, min_replicas: 1, max_replicas: 3}
governance:
  allowed_environments: [dev]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The repository's specs and stacks, the tests' Kubernetes models, and a cluster for dev."""
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    write_kubernetes_project(tmp_path)  # the dev stack already names its cluster (modelops:kubernetes)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def cli(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--root", str(root)])


def actions(stack: StackDiff) -> dict[str, str]:
    return {c.name: c.action for c in stack.resources}


def test_sagemaker_to_kubernetes_is_downtime_and_destructive(repo: Path) -> None:
    (repo / "model_specs" / "sentiment-api" / "0.3.0.yaml").write_text(SENTIMENT_ON_KUBERNETES)
    result = diff(repo, "HEAD", "dev")
    [dev] = result.stacks
    changes = actions(dev)
    assert changes["sentiment-api-serving-endpoint"] == "delete"
    assert changes["sentiment-api-serving-inference-service"] == "create"
    assert changes["sentiment-api-identity-role"] == "create"
    assert changes["sentiment-api-governance-execution-role"] == "delete"
    assert changes["sentiment-api-governance-model-card"] == "update"  # the same card, in place
    assert "kubernetes-provider" not in changes  # dev's examples already serve on its cluster
    [(stack, critical)] = result.critical
    assert (stack, critical.name) == ("dev", "sentiment-api-serving-endpoint")
    assert critical.downtime == (
        "sentiment-api moves from its SageMaker endpoint to a KServe inference service: the SageMaker endpoint is "
        "deleted and every request to it fails from then on; callers must move to the new address"
    )
    assert diff_text(result).splitlines()[2].startswith("  !! DOWNTIME in dev: delete sentiment-api-serving-endpoint")
    assert "> [!CAUTION]" in diff_markdown(result)
    failing = cli(repo, "diff", "--base", "HEAD", "--stack", "dev", "--fail-on", "destructive")
    assert failing.exit_code == 1, failing.output
    assert cli(repo, "diff", "--base", "HEAD", "--stack", "dev").exit_code == 0


def test_kubernetes_to_sagemaker_is_downtime_too(repo: Path) -> None:
    sagemaker_only(repo)  # sentiment-api is then dev's one kubernetes model
    (repo / "model_specs" / "sentiment-api" / "0.3.0.yaml").write_text(SENTIMENT_ON_KUBERNETES)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sentiment-api on kubernetes")
    dev = repo / "stacks" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("sentiment-api: latest", "sentiment-api: 0.2.0"))
    result = diff(repo, "HEAD", "dev")
    critical = {c.name: c for _, c in result.critical}
    assert set(critical) == {"sentiment-api-serving-inference-service", "kubernetes-namespace-support"}
    assert critical["sentiment-api-serving-inference-service"].downtime.startswith(
        "sentiment-api moves from its KServe inference service to a SageMaker endpoint"
    )
    # the stack's last kubernetes model left: its namespace goes, with whatever else is in it
    assert critical["kubernetes-namespace-support"].data_loss == (
        "the namespace is deleted with every object in it, also those modelops does not manage"
    )
    assert actions(result.stacks[0])["kubernetes-provider"] == "delete"


def test_a_new_version_updates_in_place(repo: Path) -> None:
    stack = repo / "stacks" / "Pulumi.k8s.yaml"
    stack.write_text(
        stack.read_text().replace(
            "fraud-scorer: {version: 1.0.0, challenger: {version: 1.1.0, traffic_percent: 10}}", "fraud-scorer: 1.1.0"
        )
    )
    result = diff(repo, "HEAD", "k8s")
    [k8s] = result.stacks
    assert result.critical == []
    changes = {c.name: c for c in k8s.resources}
    isvc = changes["fraud-scorer-serving-inference-service"]
    assert isvc.action == "update"
    assert "spec.canary" in isvc.fields and "spec.predictor.model.storageUri" in isvc.fields
    assert "metadata.labels.app.kubernetes.io/version" in isvc.fields
    assert changes["fraud-scorer-identity-policy"].action == "update"  # one artifact fewer to read


def test_moving_namespace_replaces_the_objects_with_downtime(repo: Path) -> None:
    spec = repo / "model_specs" / "vision-gpu" / "2.0.0.yaml"
    spec.write_text(spec.read_text().replace("namespace: vision", "namespace: vision-v2"))
    # (a released file edited: `validate --base` refuses that; the diff still shows what it does)
    result = diff(repo, "HEAD", "k8s")
    [k8s] = result.stacks
    changes = {c.name: c for c in k8s.resources}
    deployment = changes["vision-gpu-serving-deployment"]
    assert deployment.action == "replace" and deployment.replacing == ("metadata.namespace",)
    assert deployment.downtime and "deleted and created again" in deployment.downtime
    assert changes["vision-gpu-identity-service-account"].action == "replace"
    assert changes["vision-gpu-identity-role"].action == "update"  # trust policy names the new namespace
    assert changes["kubernetes-namespace-vision"].action == "delete"
    assert changes["kubernetes-namespace-vision-v2"].action == "create"
    assert {c.name for _, c in result.critical} >= {
        "vision-gpu-serving-deployment",
        "vision-gpu-serving-service",
        "kubernetes-namespace-vision",
    }


def test_another_cluster_replaces_every_object(repo: Path) -> None:
    stack = repo / "stacks" / "Pulumi.k8s.yaml"
    stack.write_text(stack.read_text().replace("context: ml-dev", "context: ml-dev-2"))
    result = diff(repo, "HEAD", "k8s")
    [k8s] = result.stacks
    changes = {c.name: c for c in k8s.resources}
    assert changes["kubernetes-provider"].action == "replace"
    assert changes["kubernetes-provider"].replacing == ("context",)
    for name, change in changes.items():
        if change.type.startswith("kubernetes:"):
            assert change.action == "replace", name
            assert change.replacing == ("kubernetes-provider: context",), name
    assert not [c for c in k8s.resources if c.type.startswith("aws:")]  # IAM is not on the cluster
    assert changes["fraud-scorer-serving-inference-service"].critical


def _deployment_plan(selector: dict[str, str], image: str = "img:1") -> Plan:
    inputs = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "m", "namespace": "models", "labels": {"app.kubernetes.io/version": "1"}},
        "spec": {
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": selector}, "spec": {"containers": [{"name": "model", "image": image}]}},
        },
    }
    urn = "urn:pulumi:k8s::modelops::modelops:kubernetes:Deployment$kubernetes:apps/v1:Deployment::m-serving-deployment"
    return Plan(
        "k8s", "dev", [], [PlanResource(urn, "kubernetes:apps/v1:Deployment", "m-serving-deployment", None, inputs)]
    )


def test_a_deployment_selector_change_is_a_replacement() -> None:
    """Kubernetes never changes a Deployment's selector: pulumi-kubernetes replaces it."""
    old = _deployment_plan({"app.kubernetes.io/name": "m"})
    [change] = resource_changes(old, _deployment_plan({"app.kubernetes.io/name": "m", "tier": "gpu"}))
    assert change.action == "replace"
    assert change.replacing == ("spec.selector.matchLabels.tier",)
    assert change.downtime == "the Deployment and its pods are deleted and created again: requests fail meanwhile"
    [image] = resource_changes(old, _deployment_plan({"app.kubernetes.io/name": "m"}, image="img:2"))
    assert (image.action, image.fields, image.critical) == (
        "update",
        ("spec.template.spec.containers[model].image",),
        False,
    )
    moved = copy.deepcopy(old)
    moved.resources[0].inputs["metadata"]["labels"]["app.kubernetes.io/version"] = "2"
    [labels] = resource_changes(old, moved)
    assert labels.action == "update"
