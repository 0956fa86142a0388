"""`modelops verify` and `drift` of kubernetes models, against a fake Kubernetes API.

The kubernetes client runs as it would against a cluster (kubeconfig, context, ApiClient, path
building, deserialization, ApiException), except for its REST client's `request`, which answers
the GETs from recorded objects (tests/recorded/kubernetes/) and 404s with the API server's
Status body for anything not recorded.

No kubernetes model is pinned in the repository's stacks yet, so these tests build a project: the
repository's specs and stacks plus `risk-scorer` (KServe) and `ranker` (a Deployment) pinned by a
stack `k8s`. A challenger on kubernetes is refused by validation today, so the canary cases build
the resolved models directly.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.live import drift, verify
from modelops.spec.resolve import load_project
from modelops.spec.resolved_model import ResolvedModel, Variant
from tests.conftest import REPO_ROOT, fake_terminal, json_document, without_colour, write_yaml

RECORDED = Path(__file__).parent / "recorded" / "kubernetes"
ISVC = "/apis/serving.kserve.io/v1beta1/namespaces/models/inferenceservices/risk-scorer"
DEPLOYMENT = "/apis/apps/v1/namespaces/search/deployments/ranker"
HPA = "/apis/autoscaling/v2/namespaces/search/horizontalpodautoscalers/ranker"
ARTIFACT = "s3://acme-models/risk-scorer/{version}/model.tar.gz"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:2.0.0"
OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"


def _kserve_spec(version: str) -> dict[str, Any]:
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": "risk-scorer",
            "version": version,
            "owner": "risk-ml@example.com",
            "description": "Scores credit risk.",
        },
        "model": {"artifact": ARTIFACT.format(version=version), "framework": "sklearn", "framework_version": "1.2-1"},
        "serving": {
            "target": "kubernetes",
            "mode": "realtime",
            "kubernetes": {"runtime": "kserve", "namespace": "models", "min_replicas": 2, "max_replicas": 6},
            "rollout": {"strategy": "all_at_once"},
        },
    }


def _deployment_spec() -> dict[str, Any]:
    spec = _kserve_spec("2.0.0")
    spec["metadata"].update(name="ranker", owner="search-ml@example.com", description="Ranks search results.")
    spec["model"] = {"artifact": "s3://acme-models/ranker/2.0.0/model.tar.gz", "image": IMAGE}
    spec["serving"]["kubernetes"] = {
        "runtime": "deployment",
        "namespace": "search",
        "min_replicas": 2,
        "max_replicas": 4,
        "port": 8080,
    }
    return spec


def _kubeconfig(path: Path, server: str = "https://kube.test:6443") -> Path:
    """Two contexts; the current one is not the stack's, so a check that reached it fails."""
    write_yaml(
        path,
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "test", "cluster": {"server": server, "insecure-skip-tls-verify": True}},
                {"name": "other", "cluster": {"server": "https://other.test:6443", "insecure-skip-tls-verify": True}},
            ],
            "users": [{"name": "test", "user": {"token": "test-token"}}, {"name": "other", "user": {"token": "x"}}],
            "contexts": [
                {"name": "test", "context": {"cluster": "test", "user": "test"}},
                {"name": "other", "context": {"cluster": "other", "user": "other"}},
            ],
            "current-context": "other",
        },
    )
    return path


@pytest.fixture
def k8s_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's specs and stacks, two kubernetes models, a stack `k8s` on context `test`."""
    root = tmp_path / "repo"
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    for version in ("1.0.0", "1.1.0"):
        write_yaml(root / "model_specs" / "risk-scorer" / f"{version}.yaml", _kserve_spec(version))
    write_yaml(root / "model_specs" / "ranker" / "2.0.0.yaml", _deployment_spec())
    write_yaml(
        root / "stacks" / "Pulumi.k8s.yaml",
        {
            "config": {
                "aws:region": "eu-west-1",
                "modelops:environment": "dev",
                "modelops:models": {"risk-scorer": "1.0.0", "ranker": "2.0.0"},
                "modelops:kubernetes": {"oidcProviderArn": OIDC, "context": "test"},
            }
        },
    )
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path / "kubeconfig")))
    # A kubernetes-only stack (no feature group) makes no AWS call: no credentials at all.
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return root


class FakeResponse:
    """What the REST client hands back: urllib3's response, as kubernetes.client.rest.RESTResponse."""

    def __init__(self, status: int, reason: str, body: Any):
        self.status, self.reason, self.data = status, reason, json.dumps(body).encode()
        self.headers = {"Content-Type": "application/json"}

    def getheaders(self) -> dict[str, str]:
        return self.headers

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


class FakeApi:
    """Recorded objects by API path; every request is logged as (host, path, Authorization)."""

    def __init__(self) -> None:
        self.objects = {
            ISVC: _recorded("inferenceservice"),
            DEPLOYMENT: _recorded("deployment"),
            HPA: _recorded("horizontalpodautoscaler"),
        }
        self.requests: list[tuple[str, str, str]] = []

    def edit(self, path: str, change: Callable[[dict[str, Any]], None]) -> None:
        change(self.objects[path])

    def request(self, rest: Any, method: str, url: str, query_params: Any = None, headers: Any = None, **_: Any) -> Any:
        from kubernetes.client.exceptions import ApiException

        parts = urlsplit(url)
        sent = {k.lower(): v for k, v in (headers or {}).items()}
        self.requests.append((parts.netloc, parts.path, sent.get("authorization", "")))
        assert method == "GET", "verify and drift only read"
        found = self.objects.get(parts.path)
        if found is None:
            resource, name = parts.path.split("/")[-2:]
            group = parts.path.split("/")[2]  # /apis/<group>/<version>/namespaces/...
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": f'{resource}.{group} "{name}" not found',
                "reason": "NotFound",
                "details": {"name": name, "kind": resource},
                "code": 404,
            }
            raise ApiException(http_resp=FakeResponse(404, "Not Found", status))
        return FakeResponse(200, "OK", found)


def _recorded(name: str) -> dict[str, Any]:
    return dict(json.loads((RECORDED / f"{name}.json").read_text()))


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    from kubernetes.client.rest import RESTClientObject

    fake = FakeApi()
    monkeypatch.setattr(RESTClientObject, "request", lambda rest, *a, **k: fake.request(rest, *a, **k))
    return fake


def _failed(report: Any) -> dict[str, str]:
    return {c.subject: c.message for c in report.checks if not c.ok}


def test_a_rolled_out_stack_verifies_on_the_stacks_context(k8s_project: Path, api: FakeApi) -> None:
    report = verify(k8s_project, "k8s")
    assert report.ok, report.summary()
    assert {c.subject: c.message for c in report.checks} == {
        "inferenceservice models/risk-scorer": "Ready on 1.0.0",
        "deployment search/ranker": f"rolled out 2.0.0 ({IMAGE}), 3 replicas available",
        "horizontalpodautoscaler search/ranker": "scales 2-4 replicas, 3 now",
    }
    assert report.summary().splitlines()[0] == "verify stack k8s against Kubernetes context test"
    # The stack's context, not the kubeconfig's current one; only the three objects are read.
    assert api.requests == [
        ("kube.test:6443", ISVC, "Bearer test-token"),
        ("kube.test:6443", DEPLOYMENT, "Bearer test-token"),
        ("kube.test:6443", HPA, "Bearer test-token"),
    ]
    assert drift(k8s_project, "k8s").ok


def _not_ready(isvc: dict[str, Any]) -> None:
    isvc["status"]["conditions"][1:] = [
        {
            "type": "PredictorReady",
            "status": "False",
            "reason": "RevisionMissing",
            "message": "Revision risk-scorer-predictor-00003 failed with message:\nContainer failed with: "
            "FileNotFoundError model.joblib.",
        },
        {
            "type": "Ready",
            "status": "False",
            "reason": "RevisionMissing",
            "message": "Revision risk-scorer-predictor-00003 failed with message:\nContainer failed with: "
            "FileNotFoundError model.joblib.",
        },
    ]


def _older_version(isvc: dict[str, Any]) -> None:
    isvc["metadata"]["labels"]["app.kubernetes.io/version"] = "0.9.0"
    isvc["spec"]["predictor"]["model"]["storageUri"] = ARTIFACT.format(version="0.9.0")


def _other_artifact(isvc: dict[str, Any]) -> None:
    isvc["spec"]["predictor"]["model"]["storageUri"] = "s3://acme-models/risk-scorer/hotfix/model.tar.gz"


def _unreconciled(isvc: dict[str, Any]) -> None:
    isvc["metadata"]["generation"] = 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _not_ready,
            "Ready False on 1.0.0: RevisionMissing: Revision risk-scorer-predictor-00003 failed with message: "
            "Container failed with: FileNotFoundError model.joblib.",
        ),
        (_older_version, "labelled app.kubernetes.io/version 0.9.0, the stack intends 1.0.0"),
        (
            _other_artifact,
            "the predictor serves s3://acme-models/risk-scorer/hotfix/model.tar.gz, the stack intends 1.0.0: "
            "s3://acme-models/risk-scorer/1.0.0/model.tar.gz",
        ),
        (
            _unreconciled,
            "KServe has not yet acted on generation 4 (observed 3), run verify again when it finishes",
        ),
    ],
    ids=["not-ready", "wrong-version", "wrong-artifact", "not-reconciled"],
)
def test_verify_fails_an_inference_service_not_ready_on_the_intended_version(
    k8s_project: Path, api: FakeApi, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    api.edit(ISVC, change)
    report = verify(k8s_project, "k8s")
    # The condition's message spans lines; the report prints one line per check.
    assert {s: " ".join(m.split()) for s, m in _failed(report).items()} == {
        "inferenceservice models/risk-scorer": message
    }
    assert f"  FAIL inferenceservice models/risk-scorer: {message}\n" in report.summary()


def _rolling(deployment: dict[str, Any]) -> None:
    deployment["metadata"]["generation"] = 5
    deployment["status"].update(observedGeneration=5, replicas=4, updatedReplicas=1, availableReplicas=3)


def _stalled(deployment: dict[str, Any]) -> None:
    _rolling(deployment)
    deployment["status"]["conditions"][1].update(
        status="False",
        reason="ProgressDeadlineExceeded",
        message='ReplicaSet "ranker-7c9d8e6f4b" has timed out progressing.',
    )


def _wrong_image(deployment: dict[str, Any]) -> None:
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = IMAGE.replace("2.0.0", "1.9.3")


def _unavailable(deployment: dict[str, Any]) -> None:
    deployment["status"].update(replicas=2, updatedReplicas=2, availableReplicas=1, readyReplicas=1)
    deployment["status"]["conditions"][0].update(
        status="False", reason="MinimumReplicasUnavailable", message="Deployment does not have minimum availability."
    )


def _not_observed(deployment: dict[str, Any]) -> None:
    deployment["metadata"]["generation"] = 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_rolling, "still rolling out 2.0.0: 1 of 4 replicas updated, run verify again when it finishes"),
        (
            _stalled,
            'rollout of 2.0.0 stalled: ProgressDeadlineExceeded: ReplicaSet "ranker-7c9d8e6f4b" has timed out '
            "progressing.",
        ),
        (_wrong_image, f"runs image {IMAGE.replace('2.0.0', '1.9.3')}, the stack intends {IMAGE}"),
        (
            _unavailable,
            "1 of 2 replicas of 2.0.0 available, the stack intends at least 2: MinimumReplicasUnavailable: "
            "Deployment does not have minimum availability.",
        ),
        (
            _not_observed,
            "the deployment controller has not yet acted on generation 5 (observed 4), run verify again when it "
            "finishes",
        ),
    ],
    ids=["rolling", "stalled", "wrong-image", "unavailable", "not-observed"],
)
def test_verify_fails_a_deployment_not_rolled_out(
    k8s_project: Path, api: FakeApi, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    api.edit(DEPLOYMENT, change)
    assert _failed(verify(k8s_project, "k8s")) == {"deployment search/ranker": message}


def test_verify_fails_an_autoscaler_that_cannot_scale(k8s_project: Path, api: FakeApi) -> None:
    def no_metrics(hpa: dict[str, Any]) -> None:
        hpa["status"]["conditions"][1].update(
            status="False",
            reason="FailedGetResourceMetric",
            message="the HPA was unable to compute the replica count: unable to get metrics for resource cpu",
        )

    api.edit(HPA, no_metrics)
    assert _failed(verify(k8s_project, "k8s")) == {
        "horizontalpodautoscaler search/ranker": "ScalingActive False: FailedGetResourceMetric: the HPA was unable "
        "to compute the replica count: unable to get metrics for resource cpu"
    }


def test_missing_objects_fail_verify_and_are_drift(k8s_project: Path, api: FakeApi) -> None:
    del api.objects[ISVC], api.objects[HPA]
    missing = {
        "inferenceservice models/risk-scorer": 'NotFound: inferenceservices.serving.kserve.io "risk-scorer" not found',
        "horizontalpodautoscaler search/ranker": ('NotFound: horizontalpodautoscalers.autoscaling "ranker" not found'),
    }
    assert _failed(verify(k8s_project, "k8s")) == missing
    assert _failed(drift(k8s_project, "k8s")) == missing


def test_drift_reports_replica_bounds_changed_outside_pulumi(k8s_project: Path, api: FakeApi) -> None:
    api.edit(ISVC, lambda isvc: isvc["spec"]["predictor"].update(minReplicas=1, maxReplicas=10))
    api.edit(HPA, lambda hpa: hpa["spec"].update(maxReplicas=12))
    report = drift(k8s_project, "k8s")
    assert {c.subject: (c.ok, c.message) for c in report.checks} == {
        "inferenceservice models/risk-scorer": (True, "runs 1.0.0"),
        "inferenceservice models/risk-scorer replicas": (False, "1-10 replicas, the stack intends 2-6"),
        "inferenceservice models/risk-scorer canary": (True, "none"),
        "deployment search/ranker": (True, f"runs 2.0.0 ({IMAGE})"),
        "horizontalpodautoscaler search/ranker": (False, "2-12 replicas, the stack intends 2-4"),
    }
    assert "  DRIFT inferenceservice models/risk-scorer replicas: 1-10 replicas" in report.summary()
    assert report.summary().splitlines()[0] == "drift stack k8s against Kubernetes context test"


def test_drift_reports_an_image_set_by_hand(k8s_project: Path, api: FakeApi) -> None:
    api.edit(DEPLOYMENT, _wrong_image)
    assert _failed(drift(k8s_project, "k8s")) == {
        "deployment search/ranker": f"runs image {IMAGE.replace('2.0.0', '1.9.3')}, the stack intends {IMAGE}"
    }


# A challenger on kubernetes (a KServe canary entry) is refused by validation until the rules
# for it land; the split logic is checked on resolved models built here.


def _with_challenger(root: Path, percent: int) -> list[ResolvedModel]:
    project = load_project(root, ["k8s"])
    assert not project.problems, project.problems
    models = project.resolved["k8s"]
    scorer = next(m for m in models if m.name == "risk-scorer")
    spec = project.repo.specs["risk-scorer"]["1.1.0"].for_environment("dev")
    challenger = Variant("challenger", "1.1.0", spec, percent)
    primary = Variant("primary", scorer.version, scorer.spec, 100 - percent)
    return [ResolvedModel("risk-scorer", "dev", primary, challenger)]


def _canary(percent: int, version: str = "1.1.0") -> dict[str, Any]:
    predictor = copy.deepcopy(_recorded("inferenceservice")["spec"]["predictor"])
    predictor["model"]["storageUri"] = ARTIFACT.format(version=version)
    for key in ("minReplicas", "maxReplicas", "scaleMetric", "scaleTarget"):
        predictor.pop(key)  # KServe refuses scaling fields on canaries
    return {"trafficPercent": percent, "predictor": predictor}


def _cluster() -> Any:
    from modelops.engine.live_kubernetes import connect

    return connect("test", "k8s")


def _isvc_check(models: list[ResolvedModel], command: str = "verify") -> dict[str, tuple[bool, str]]:
    from modelops.engine.live_kubernetes import drift_checks, verify_checks

    cluster = _cluster()
    try:
        checks = (verify_checks if command == "verify" else drift_checks)(cluster, models)
    finally:
        cluster.close()
    return {c.subject: (c.ok, c.message) for c in checks}


SUBJECT = "inferenceservice models/risk-scorer"
INTENDS = "the stack intends 90% to 1.0.0 and 10% to canary 1.1.0"


def test_verify_passes_the_intended_canary_split(k8s_project: Path, api: FakeApi) -> None:
    models = _with_challenger(k8s_project, 10)
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(10)]))
    assert _isvc_check(models) == {SUBJECT: (True, "Ready on 1.0.0, 10% to canary 1.1.0")}
    # KServe's own account of the split, where it gives one, is what counts.
    api.edit(
        ISVC, lambda isvc: isvc["status"].update(canaryStatuses=[{"name": "c0", "ready": True, "trafficPercent": 10}])
    )
    assert _isvc_check(models) == {SUBJECT: (True, "Ready on 1.0.0, 10% to canary 1.1.0")}


def _traffic(*routes: tuple[str, int]) -> Callable[[dict[str, Any]], None]:
    def change(isvc: dict[str, Any]) -> None:
        isvc["spec"]["canary"] = [_canary(10)]
        isvc["status"]["components"]["predictor"]["traffic"] = [
            {"revisionName": name, "percent": percent, "latestRevision": i == 0}
            for i, (name, percent) in enumerate(routes)
        ]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _traffic(("risk-scorer-predictor-00003", 100)),
            f"routes 100% to risk-scorer-predictor-00003, {INTENDS}",
        ),
        (
            lambda isvc: isvc["status"].update(canaryStatuses=[{"name": "c0", "ready": True, "trafficPercent": 30}]),
            f"serves a canary at 30%, {INTENDS}",
        ),
        (
            lambda isvc: isvc["status"].update(canaryStatuses=[{"name": "c0", "ready": False, "trafficPercent": 10}]),
            "canary c0 is not ready",
        ),
        (lambda isvc: isvc["spec"].pop("canary"), f"serves no canary, {INTENDS}"),
        (
            lambda isvc: isvc["spec"].update(canary=[_canary(10, version="1.0.9")]),
            "the canary serves s3://acme-models/risk-scorer/1.0.9/model.tar.gz, the stack intends 1.1.0: "
            "s3://acme-models/risk-scorer/1.1.0/model.tar.gz",
        ),
    ],
    ids=["traffic", "canary-status", "canary-not-ready", "no-canary", "canary-source"],
)
def test_verify_fails_a_canary_split_other_than_intended(
    k8s_project: Path, api: FakeApi, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    models = _with_challenger(k8s_project, 10)
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(10)]))
    api.edit(ISVC, change)
    assert _isvc_check(models) == {SUBJECT: (False, message)}


def test_verify_passes_a_traffic_split_as_intended(k8s_project: Path, api: FakeApi) -> None:
    api.edit(ISVC, _traffic(("risk-scorer-predictor-00004", 10), ("risk-scorer-predictor-00003", 90)))
    assert _isvc_check(_with_challenger(k8s_project, 10)) == {SUBJECT: (True, "Ready on 1.0.0, 10% to canary 1.1.0")}


def test_verify_fails_a_canary_the_stack_does_not_intend(k8s_project: Path, api: FakeApi) -> None:
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(20)]))
    assert _failed(verify(k8s_project, "k8s")) == {SUBJECT: "serves a canary at 20%, the stack intends no canary"}


def test_drift_reports_a_canary_percent_changed_outside_pulumi(k8s_project: Path, api: FakeApi) -> None:
    models = _with_challenger(k8s_project, 10)
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(10)]))
    assert _isvc_check(models, "drift")[f"{SUBJECT} canary"] == (True, "10% to 1.1.0")
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(50)]))
    assert _isvc_check(models, "drift")[f"{SUBJECT} canary"] == (False, "at 50%, the stack intends 10%")
    api.edit(ISVC, lambda isvc: isvc["spec"].pop("canary"))
    assert _isvc_check(models, "drift")[f"{SUBJECT} canary"] == (False, f"none, {INTENDS}")
    # And one added by hand to a model that has no challenger pinned.
    api.edit(ISVC, lambda isvc: isvc["spec"].update(canary=[_canary(25)]))
    assert _failed(drift(k8s_project, "k8s")) == {f"{SUBJECT} canary": "at 25%, the stack intends none"}


# Without a cluster: one line, exit 3, for both commands.


def _invoke(root: Path, command: str, *options: str) -> Any:
    return CliRunner().invoke(app, [command, "--stack", "k8s", "--root", str(root), *options])


def test_without_a_kubeconfig_verify_and_drift_say_so_in_one_line(
    k8s_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    for command in ("verify", "drift"):
        result = _invoke(k8s_project, command)
        assert result.exit_code == 3, result.output
        assert result.output == (
            f"modelops: Kubernetes: no kubeconfig at {tmp_path / 'absent'} (set KUBECONFIG): stack k8s has kubernetes "
            "models and no cluster to check them on\n"
        )


def test_a_context_the_kubeconfig_lacks_is_named(
    k8s_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = k8s_project / "stacks" / "Pulumi.k8s.yaml"
    stack.write_text(stack.read_text().replace("context: test", "context: ml-prod"))
    result = _invoke(k8s_project, "verify")
    assert result.exit_code == 3, result.output
    assert result.output == (
        f"modelops: Kubernetes: the kubeconfig {tmp_path / 'kubeconfig'} has no context 'ml-prod' "
        "(modelops:kubernetes.context of stack k8s; contexts: test, other)\n"
    )


def test_an_unreachable_api_server_is_one_line(
    k8s_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 on the loopback refuses at once: the real REST client, no fake.
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path / "refusing", "https://127.0.0.1:1")))
    for command in ("verify", "drift"):
        result = _invoke(k8s_project, command)
        assert result.exit_code == 3, result.output
        assert result.output.startswith(
            "modelops: Kubernetes: context test: cannot reach the API server at https://127.0.0.1:1: "
        ), result.output
        assert result.output.count("\n") == 1


def test_rejected_credentials_are_one_line(k8s_project: Path, api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.client.exceptions import ApiException

    def unauthorized(*_: Any, **__: Any) -> Any:
        body = {"kind": "Status", "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
        raise ApiException(http_resp=FakeResponse(401, "Unauthorized", body))

    monkeypatch.setattr(api, "request", unauthorized)
    result = _invoke(k8s_project, "drift")
    assert result.exit_code == 3, result.output
    assert result.output == (
        "modelops: Kubernetes: context test: the API server at https://kube.test:6443 rejected the credentials "
        "(401 Unauthorized); refresh them (for EKS, `aws eks update-kubeconfig`)\n"
    )


def test_the_cli_reports_checks_and_exits_1_on_a_failure(k8s_project: Path, api: FakeApi) -> None:
    assert _invoke(k8s_project, "verify").exit_code == 0
    api.edit(DEPLOYMENT, _rolling)
    result = _invoke(k8s_project, "verify")
    assert result.exit_code == 1, result.output
    assert "  FAIL deployment search/ranker: still rolling out 2.0.0" in result.output


def test_json_documents_carry_each_check_and_the_exit_code(k8s_project: Path, api: FakeApi) -> None:
    for command in ("verify", "drift"):
        result = _invoke(k8s_project, command, "--format", "json")
        assert result.exit_code == 0, result.output
        document = json_document(result, command)
        assert document["ok"] is True and document["stack"] == "k8s"
        assert document["against"] == "Kubernetes context test" and document["findings"] == []
        assert "deployment search/ranker" in {c["subject"] for c in document["checks"]}
    api.edit(DEPLOYMENT, _rolling)
    result = _invoke(k8s_project, "verify", "--format", "json")
    assert result.exit_code == 1, result.output
    failed = [c for c in json_document(result, "verify")["checks"] if not c["ok"]]
    assert [c["subject"] for c in failed] == ["deployment search/ranker"]
    assert failed[0]["message"].startswith("still rolling out 2.0.0")


def test_without_a_cluster_the_json_document_says_why_and_exits_3(
    k8s_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    for command in ("verify", "drift"):
        result = _invoke(k8s_project, command, "--format", "json")
        assert result.exit_code == 3, result.output
        document = json_document(result, command)
        assert document["ok"] is False and document["checks"] == [] and document["against"] is None
        assert document["error"]["kind"] == "kubernetes"
        assert document["error"]["message"].startswith(f"no kubeconfig at {tmp_path / 'absent'} (set KUBECONFIG)")
        assert result.stderr == f"modelops: Kubernetes: {document['error']['message']}\n"


def test_fail_and_drift_are_coloured_on_a_terminal_only(
    k8s_project: Path, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.edit(DEPLOYMENT, _rolling)
    api.edit(HPA, lambda hpa: hpa["spec"].update(maxReplicas=12))
    plain = {command: _invoke(k8s_project, command).stdout for command in ("verify", "drift")}
    assert "\x1b" not in plain["verify"] + plain["drift"]  # a pipe gets plain lines
    fake_terminal(monkeypatch)
    verified, drifted = _invoke(k8s_project, "verify"), _invoke(k8s_project, "drift")
    assert verified.exit_code == drifted.exit_code == 1
    assert "  \x1b[1;31mFAIL\x1b[0m deployment search/ranker: still rolling out" in verified.stdout
    assert "  \x1b[32mok \x1b[0m inferenceservice models/risk-scorer: " in verified.stdout
    assert "  \x1b[1;33mDRIFT\x1b[0m horizontalpodautoscaler search/ranker: 2-12 replicas" in drifted.stdout
    # Colour changes no character of the text.
    assert without_colour(verified.stdout) == plain["verify"] and without_colour(drifted.stdout) == plain["drift"]
    for variable, value in (("NO_COLOR", "1"), ("TERM", "dumb")):
        with monkeypatch.context() as env:
            env.setenv(variable, value)
            assert _invoke(k8s_project, "verify").stdout == plain["verify"]


# A stack without kubernetes models needs no cluster and never imports the client.


def test_a_sagemaker_stack_never_needs_a_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from modelops.engine.rehearse import emulated_aws, rehearse_in_emulator

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # importing it now raises ImportError
    with emulated_aws("eu-west-1"):
        assert rehearse_in_emulator(REPO_ROOT, "prod").ok  # prod serves on SageMaker only
        checked = verify(REPO_ROOT, "prod")
        drifted = drift(REPO_ROOT, "prod")
    assert checked.ok, checked.summary()
    assert drifted.ok, drifted.summary()
    assert checked.summary().splitlines()[0] == "verify stack prod against AWS"


def test_sagemaker_endpoints_of_kubernetes_models_are_never_described() -> None:
    from modelops.engine.live import ENDPOINT, _sagemaker_endpoints
    from modelops.engine.plan import Plan, PlanResource

    plan = Plan("k8s", "dev", [])
    for name in ("risk-scorer-dev", "fraud-detector-dev"):
        plan.resources.append(PlanResource(f"urn:{name}", ENDPOINT, name, None, {"name": name}))
    kept = _sagemaker_endpoints(plan, frozenset({"risk-scorer-dev"}))
    assert [r.name for r in kept] == ["fraud-detector-dev"]


def test_a_mixed_stack_asks_sagemaker_and_kubernetes_each_for_their_own(
    k8s_project: Path, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kubernetes rendering is written elsewhere; here a kubernetes model renders nothing on AWS."""
    import pulumi

    from components import model_deployment
    from modelops.engine import live
    from modelops.engine.rehearse import emulated_aws, rehearse_in_emulator

    stack = k8s_project / "stacks" / "Pulumi.mixed.yaml"
    write_yaml(
        stack,
        {
            "config": {
                "aws:region": "eu-west-1",
                "modelops:environment": "dev",
                "modelops:models": {"risk-scorer": "1.0.0", "demand-forecaster": "1.1.0"},
                "modelops:kubernetes": {"oidcProviderArn": OIDC, "context": "test"},
            }
        },
    )
    original = model_deployment.ModelDeployment.__init__

    def only_sagemaker(self: Any, name: str, args: Any, opts: Any = None) -> None:
        if args.model.spec.serving.target == "kubernetes":
            pulumi.ComponentResource.__init__(self, "modelops:index:ModelDeployment", name, {}, opts)
            self.endpoint_name = pulumi.Output.from_input("")
            return
        original(self, name, args, opts)

    monkeypatch.setattr(model_deployment.ModelDeployment, "__init__", only_sagemaker)
    described: list[str] = []
    real_describe = live._describe

    def recording(call: Any, **request: Any) -> Any:
        described.append(str(request.get("EndpointName") or ""))
        return real_describe(call, **request)

    monkeypatch.setattr(live, "_describe", recording)
    with emulated_aws("eu-west-1"):
        assert rehearse_in_emulator(k8s_project, "mixed").ok
        report = verify(k8s_project, "mixed")
        drifted = drift(k8s_project, "mixed")
    assert report.ok, report.summary()
    assert drifted.ok, drifted.summary()
    assert {"endpoint demand-forecaster-dev", "inferenceservice models/risk-scorer"} <= {
        c.subject for c in report.checks
    }
    assert "risk-scorer-dev" not in described and "demand-forecaster-dev" in described
    assert report.summary().splitlines()[0] == "verify stack mixed against AWS and Kubernetes context test"
