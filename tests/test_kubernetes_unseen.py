"""Specs and stacks written from shared/design/kubernetes-serving.md alone, by a reviewer who had
not read the project's examples (issue 10's acceptance: they validate, plan and rehearse, and
the invalid ones are refused with the field named).

- `VALID`: seven specs and two stacks, each using the design's fields as it describes them: a
  KServe model with a challenger (a canary entry), a GPU Deployment on its own port, a custom
  KServe predictor scaling to zero on memory, a huggingface model owning a feature group, a
  model on kubernetes in dev and SageMaker in prod (and one the other way round), and the
  design's own example verbatim. `validate`, `plan` and `rehearse` take them, through the CLI.
- `INVALID`: a small valid KServe spec and stack, each case breaking one rule; `validate`
  exits 1 and names `file:line:col: field`.
- `HOSTILE`: odd types, huge numbers, unicode: never a traceback, and a refusal names the field.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.kubernetes.kserve import inference_service_problems
from tests.test_kubernetes_rehearse import _crd_validator

OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
LOGGER = "http://payload-logger.monitoring.svc.cluster.local/"
SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

FRAUD_SCORER = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: fraud-scorer
  version: {version}
  owner: risk-ml@example.com
  description: Scores card transactions for fraud.
  risk: low
model:
  artifact: s3://acme-models/fraud-scorer/{version}/model.tar.gz
  sha256: {sha}
  framework: xgboost
  framework_version: "1.7-1"
serving:
  target: kubernetes
  mode: realtime
  kubernetes:
    runtime: kserve
    namespace: fraud
    min_replicas: 2
    max_replicas: 6
    cpu: "2"
    memory: 4Gi
    gpu: 0
    scale_metric: cpu
    scale_target: 65
  data_capture: {{enabled: true, sampling_percent: 20}}
  rollout: {{strategy: rolling, rolling_batch_percent: 25}}
governance:
  approval: none
  allowed_environments: [dev, staging, prod]
"""

PHOTO_TAGGER = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: photo-tagger
  version: 2.0.0
  owner: vision@example.com
  description: Tags uploaded photos on a GPU model server.
model:
  artifact: s3://acme-models/photo-tagger/2.0.0/weights.tar.gz
  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/photo-tagger:2.0.0
  environment: {MODEL_DIR: /mnt/models, LOG_LEVEL: info}
  secrets: {HF_TOKEN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hf-token-AbCdEf"}
serving:
  target: kubernetes
  mode: realtime
  kubernetes:
    runtime: deployment
    namespace: vision
    min_replicas: 2
    max_replicas: 4
    cpu: 3500m
    memory: 15Gi
    gpu: 1
    port: 9000
  rollout: {strategy: all_at_once}
governance:
  approval: none
"""

HYBRID_RANKER = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: hybrid-ranker
  version: 0.3.0
  owner: search@example.com
  description: Ranks search results; kubernetes in dev, SageMaker elsewhere.
  risk: low
model:
  artifact: s3://acme-models/hybrid-ranker/0.3.0/model.tar.gz
  sha256: {SHA}
  framework: xgboost
  framework_version: "1.7-1"
serving:
  target: sagemaker
  mode: realtime
  instance_type: ml.m5.large
  instance_count: 2
  autoscaling: {{min_instances: 2, max_instances: 4, target_invocations_per_instance: 500}}
  data_capture: {{enabled: true, sampling_percent: 10}}
  rollout: {{strategy: canary, canary_percent: 10, wait_s: 300}}
governance:
  approval: none
environments:
  dev:
    serving:
      target: kubernetes
      instance_type: null
      instance_count: null
      autoscaling: null
      data_capture: {{enabled: false}}
      rollout: {{strategy: rolling, rolling_batch_percent: 50, canary_percent: null, wait_s: null}}
      kubernetes:
        runtime: kserve
        namespace: search-dev
        min_replicas: 1
        max_replicas: 2
        cpu: 500m
        memory: 1Gi
        scale_metric: cpu
        scale_target: 60
"""

DOC_EMBEDDER = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: doc-embedder
  version: 1.4.2
  owner: nlp@example.com
  description: Embeds documents with a custom KServe predictor; scales to zero.
model:
  artifact: s3://acme-models/doc-embedder/1.4.2/model.tar.gz
  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/doc-embedder:1.4.2
  secrets: {VECTOR_DB_PASSWORD: "arn:aws:ssm:eu-west-1:123456789012:parameter/vector-db/password"}
serving:
  target: kubernetes
  mode: realtime
  kubernetes:
    runtime: kserve
    namespace: nlp
    min_replicas: 0
    max_replicas: 3
    cpu: "1"
    memory: 2Gi
    scale_metric: memory
    scale_target: 75
    port: 8081
  data_capture: {enabled: true, sampling_percent: 100}
features:
  reads: [churn-customer-text]
governance:
  approval: none
"""

CHURN_HF = """apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: churn-hf
  version: 3.0.0
  owner: growth@example.com
  description: Churn text classifier (huggingface) that owns the customer text feature group.
model:
  artifact: s3://acme-models/churn-hf/3.0.0/model.tar.gz
  framework: huggingface
  framework_version: "4.26"
serving:
  target: kubernetes
  kubernetes:
    runtime: kserve
    namespace: growth
    min_replicas: 1
    max_replicas: 3
    cpu: "4"
    memory: 8Gi
    gpu: 1
    scale_metric: memory
    scale_target: 80
  rollout: {strategy: all_at_once}
features:
  groups:
    - name: churn-customer-text
      description: Latest support ticket text per customer.
      record_identifier: customer_id
      event_time: event_time
      features:
        - {name: customer_id, type: string}
        - {name: event_time, type: fractional}
        - {name: last_ticket, type: string}
      online: {enabled: true, ttl_days: 7}
      offline: {enabled: true}
monitoring:
  data_quality: {enabled: false}
governance:
  approval: none
"""

# The example of kubernetes-serving.md, 'Spec', as it is written there (port included).
DOC_EXAMPLE = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: doc-example
  version: 1.0.0
  owner: ml@example.com
  description: The design's example, verbatim.
model:
  artifact: s3://acme-models/doc-example/1.0.0/model.tar.gz
  sha256: {SHA}
  framework: sklearn
serving:
  target: kubernetes
  mode: realtime                      # the only mode on kubernetes
  kubernetes:
    runtime: kserve                   # kserve | deployment
    namespace: models                 # DNS label
    min_replicas: 2
    max_replicas: 6
    cpu: "2"                          # Kubernetes quantities, requests = limits
    memory: 4Gi
    gpu: 0                            # nvidia.com/gpu
    scale_metric: cpu                 # cpu | memory | concurrency | rps  (kserve only)
    scale_target: 70                  # percent for cpu/memory, per replica for concurrency/rps
    port: 8080                        # deployment runtime: the container's HTTP port
  data_capture: {{enabled: true, sampling_percent: 20}}   # kserve: payload logger
  rollout: {{strategy: rolling, rolling_batch_percent: 25}}
governance:
  approval: none
"""

FLIP_RANKER = f"""apiVersion: modelops/v1
kind: ModelSpec
metadata:
  name: flip-ranker
  version: 2.1.0
  owner: search@example.com
  description: kubernetes by default, SageMaker in prod.
model:
  artifact: s3://acme-models/flip-ranker/2.1.0/model.tar.gz
  sha256: {SHA}
  framework: xgboost
  framework_version: "1.7-1"
serving:
  target: kubernetes
  kubernetes:
    runtime: kserve
    namespace: search
    min_replicas: 1
    max_replicas: 2
    cpu: 250m
    memory: 512Mi
governance:
  approval: none
environments:
  prod:
    serving:
      target: sagemaker
      kubernetes: null
      instance_type: ml.m5.large
      instance_count: 2
      autoscaling: {{min_instances: 2, max_instances: 4, target_invocations_per_instance: 500}}
      data_capture: {{enabled: true, sampling_percent: 10}}
      rollout: {{strategy: canary, canary_percent: 10, wait_s: 300}}
"""

LAB_STACK = f"""config:
  aws:region: eu-west-1
  modelops:environment: dev
  modelops:models:
    fraud-scorer: {{version: 1.0.0, challenger: {{version: 1.1.0, traffic_percent: 10}}}}
    photo-tagger: 2.0.0
    hybrid-ranker: 0.3.0
    doc-embedder: 1.4.2
    churn-hf: 3.0.0
    flip-ranker: latest
  modelops:kubernetes:
    oidcProviderArn: {OIDC}
    context: ml-lab
    payloadLoggerUrl: {LOGGER}
    manageNamespaces: false
  modelops:tags: {{environment-owner: platform}}
"""

PROD_STACK = f"""config:
  aws:region: eu-west-1
  modelops:environment: prod
  modelops:models:
    doc-example: 1.0.0
    flip-ranker: 2.1.0
    hybrid-ranker: 0.3.0
  modelops:kmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  modelops:permissionsBoundaryArn: arn:aws:iam::123456789012:policy/ml-boundary
  modelops:vpc: {{subnetIds: [subnet-0a1b2c3d, subnet-1a2b3c4d], securityGroupIds: [sg-0a1b2c3d]}}
  modelops:alarmTopicArn: arn:aws:sns:eu-west-1:123456789012:ml-alarms
  modelops:kubernetes:
    oidcProviderArn: {OIDC}
    payloadLoggerUrl: {LOGGER}
"""

VALID = {
    "model_specs/fraud-scorer/1.0.0.yaml": FRAUD_SCORER.format(version="1.0.0", sha=SHA),
    "model_specs/fraud-scorer/1.1.0.yaml": FRAUD_SCORER.format(version="1.1.0", sha=SHA),
    "model_specs/photo-tagger/2.0.0.yaml": PHOTO_TAGGER,
    "model_specs/hybrid-ranker/0.3.0.yaml": HYBRID_RANKER,
    "model_specs/doc-embedder/1.4.2.yaml": DOC_EMBEDDER,
    "model_specs/churn-hf/3.0.0.yaml": CHURN_HF,
    "model_specs/doc-example/1.0.0.yaml": DOC_EXAMPLE,
    "model_specs/flip-ranker/2.1.0.yaml": FLIP_RANKER,
    "stacks/Pulumi.lab.yaml": LAB_STACK,
    "stacks/Pulumi.prod.yaml": PROD_STACK,
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def assert_no_traceback(result: Any) -> None:
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output


@pytest.fixture(scope="module")
def valid_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp("unseen"), VALID)


@pytest.fixture(scope="module")
def lab_plan(valid_root: Path) -> dict[str, Any]:
    result = cli("plan", "--stack", "lab", "--format", "json", "--root", str(valid_root))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def prod_plan(valid_root: Path) -> dict[str, Any]:
    result = cli("plan", "--stack", "prod", "--format", "json", "--root", str(valid_root))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def inputs(plan: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r["inputs"] for r in plan["resources"] if r["name"] == name)


def types(plan: dict[str, Any]) -> list[str]:
    return [r["type"] for r in plan["resources"]]


def test_the_unseen_specs_validate(valid_root: Path) -> None:
    result = cli("validate", "--root", str(valid_root))
    assert result.exit_code == 0, result.output
    assert "8 spec file(s), 2 stack(s) valid" in result.output


@pytest.mark.parametrize("stack", ["lab", "prod"])
def test_the_unseen_stacks_rehearse(valid_root: Path, stack: str) -> None:
    result = cli("rehearse", "--stack", stack, "--root", str(valid_root))
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ calls succeeded, 0 failed", result.output), result.output


def test_a_challenger_is_a_kserve_canary_entry(lab_plan: dict[str, Any]) -> None:
    spec = inputs(lab_plan, "fraud-scorer-serving-inference-service")["spec"]
    assert spec["predictor"]["model"]["storageUri"].endswith("/1.0.0/model.tar.gz")
    assert spec["predictor"]["deploymentStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    (canary,) = spec["canary"]
    assert canary["trafficPercent"] == 10
    assert canary["predictor"]["model"]["storageUri"].endswith("/1.1.0/model.tar.gz")
    assert spec["predictor"]["logger"] == {"mode": "all", "url": LOGGER}


def test_a_gpu_deployment_on_its_own_port(lab_plan: dict[str, Any]) -> None:
    deployment = inputs(lab_plan, "photo-tagger-serving-deployment")["spec"]
    assert deployment["strategy"] == {"type": "Recreate"}
    (container,) = deployment["template"]["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == 9000
    assert container["resources"]["limits"] == container["resources"]["requests"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["readinessProbe"]["httpGet"]["port"] == container["ports"][0]["name"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["HF_TOKEN_SECRET_ARN"].endswith(":secret:hf-token-AbCdEf") and env["LOG_LEVEL"] == "info"
    assert inputs(lab_plan, "photo-tagger-serving-service")["spec"]["ports"][0]["port"] == 9000
    assert inputs(lab_plan, "photo-tagger-serving-pdb")["apiVersion"] == "policy/v1"


def test_a_custom_predictor_scaling_to_zero(lab_plan: dict[str, Any]) -> None:
    predictor = inputs(lab_plan, "doc-embedder-serving-inference-service")["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["scaleMetric"], predictor["scaleTarget"]) == (0, "memory", 75)
    (container,) = predictor["containers"]
    assert container["ports"] == [{"containerPort": 8081, "protocol": "TCP"}]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["STORAGE_URI"] == "s3://acme-models/doc-embedder/1.4.2/model.tar.gz"
    policy = json.loads(inputs(lab_plan, "doc-embedder-identity-policy")["policy"])
    reads = next(s for s in policy["Statement"] if s["Sid"] == "ReadFeatureGroups")
    assert reads["Resource"] == ["arn:aws:sagemaker:eu-west-1:123456789012:feature-group/churn-customer-text-dev"]


def test_the_lab_stack_keys(lab_plan: dict[str, Any]) -> None:
    assert "kubernetes:core/v1:Namespace" not in types(lab_plan)  # manageNamespaces: false
    provider = next(r for r in lab_plan["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["context"] == "ml-lab"
    kinds = {model: entry["kind"] for model, entry in lab_plan["outputs"]["kubernetes"].items()}
    assert kinds == {
        "fraud-scorer": "InferenceService",
        "photo-tagger": "Deployment",
        "hybrid-ranker": "InferenceService",
        "doc-embedder": "InferenceService",
        "churn-hf": "InferenceService",
        "flip-ranker": "InferenceService",
    }


def test_a_target_per_environment(lab_plan: dict[str, Any], prod_plan: dict[str, Any]) -> None:
    assert "hybrid-ranker-serving-inference-service" in {r["name"] for r in lab_plan["resources"]}
    assert set(prod_plan["outputs"]["kubernetes"]) == {"doc-example"}
    assert {"hybrid-ranker", "flip-ranker"} <= set(prod_plan["outputs"]["endpoints"])
    assert "kubernetes:core/v1:Namespace" in types(prod_plan)  # manageNamespaces defaults to true


def _inference_services(*plans: dict[str, Any]) -> list[dict[str, Any]]:
    services = [
        r["inputs"]
        for plan in plans
        for r in plan["resources"]
        if r["type"] == "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    ]
    assert len(services) == 6
    return services


def test_every_rendered_inference_service_meets_kserves_webhook_rules(
    lab_plan: dict[str, Any], prod_plan: dict[str, Any]
) -> None:
    for manifest in _inference_services(lab_plan, prod_plan):
        assert inference_service_problems(manifest) == []


def test_every_rendered_inference_service_meets_kserves_crd(
    lab_plan: dict[str, Any], prod_plan: dict[str, Any]
) -> None:
    validator = _crd_validator()  # skips where ../shared is absent
    for manifest in _inference_services(lab_plan, prod_plan):
        assert [e.message for e in validator.iter_errors(manifest)] == []


# --- invalid: one rule broken per case ----------------------------------------------------

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:1.0.0"
SPEC_FILE = "model_specs/ranker/1.0.0.yaml"
STACK_FILE = "stacks/Pulumi.dev.yaml"
BASE_SPEC: dict[str, Any] = {
    "apiVersion": "modelops/v1",
    "kind": "ModelSpec",
    "metadata": {"name": "ranker", "version": "1.0.0", "owner": "a@example.com", "description": "d"},
    "model": {"artifact": "s3://acme-models/ranker/1.0.0/model.tar.gz", "framework": "xgboost"},
    "serving": {
        "target": "kubernetes",
        "mode": "realtime",
        "kubernetes": {
            "runtime": "kserve",
            "namespace": "models",
            "min_replicas": 1,
            "max_replicas": 3,
            "cpu": "1",
            "memory": "2Gi",
            "scale_metric": "cpu",
            "scale_target": 70,
        },
        "data_capture": {"enabled": True, "sampling_percent": 20},
        "rollout": {"strategy": "rolling", "rolling_batch_percent": 25},
    },
    "governance": {"approval": "none"},
}
BASE_STACK: dict[str, Any] = {
    "config": {
        "aws:region": "eu-west-1",
        "modelops:environment": "dev",
        "modelops:models": {"ranker": "1.0.0"},
        "modelops:kubernetes": {"oidcProviderArn": OIDC, "payloadLoggerUrl": LOGGER},
    }
}
DROP = object()
DEPLOYMENT = {
    "serving.kubernetes.runtime": "deployment",
    "model.image": IMAGE,
    "model.framework": DROP,
    "serving.data_capture": DROP,
}
CHALLENGER_PIN = {"ranker": {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 10}}}


def edited(data: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for dotted, value in edits.items():
        *parents, key = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is DROP:
            node.pop(key, None)
        else:
            node[key] = value
    return data


def write_case(root: Path, spec: dict[str, Any], stack: dict[str, Any], second: dict[str, Any] | None = None) -> Path:
    files = {SPEC_FILE: yaml.safe_dump(spec, sort_keys=False), STACK_FILE: yaml.safe_dump(stack, sort_keys=False)}
    if second is not None:
        files["model_specs/ranker/1.1.0.yaml"] = yaml.safe_dump(second, sort_keys=False)
    return write_files(root, files)


def second_version(spec: dict[str, Any], edits: dict[str, Any] | None = None) -> dict[str, Any]:
    return edited(spec, {"metadata.version": "1.1.0", **(edits or {})})


# (id, spec edits, stack config edits, a 1.1.0 with these edits or None, file, field, message fragment)
INVALID = [
    (
        "runtime",
        {"serving.kubernetes.runtime": "knative"},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.runtime",
        "`kserve`, `deployment`",
    ),
    (
        "namespace-dns",
        {"serving.kubernetes.namespace": "Models_NS"},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.namespace",
        "is not a DNS label",
    ),
    (
        "namespace-host",
        {"serving.kubernetes.namespace": "n" * 47},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.namespace",
        "at most 46 characters",
    ),
    (
        "min-over-max",
        {"serving.kubernetes.min_replicas": 5},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.min_replicas",
        "exceeds max_replicas 3",
    ),
    (
        "zero-on-deployment",
        {**DEPLOYMENT, "serving.kubernetes.min_replicas": 0},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.min_replicas",
        "needs runtime kserve",
    ),
    (
        "deployment-needs-image",
        {**DEPLOYMENT, "model.image": DROP},
        {},
        None,
        SPEC_FILE,
        "model.image",
        "runtime deployment needs model.image",
    ),
    (
        "no-package",
        {"model.artifact": DROP, "model.framework": DROP, "model.package": {"group": "ranker", "version": 3}},
        {},
        None,
        SPEC_FILE,
        "model.package",
        "only deploys to SageMaker",
    ),
    (
        "no-monitor",
        {"monitoring": {"schedule": "daily", "data_quality": {"enabled": True}}},
        {},
        None,
        SPEC_FILE,
        "monitoring.data_quality.enabled",
        "SageMaker Model Monitor",
    ),
    (
        "no-canary-rollout",
        {"serving.rollout": {"strategy": "canary"}},
        {},
        None,
        SPEC_FILE,
        "serving.rollout.strategy",
        "challenger with its traffic_percent",
    ),
    (
        "no-linear-rollout",
        {"serving.rollout": {"strategy": "linear"}},
        {},
        None,
        SPEC_FILE,
        "serving.rollout.strategy",
        "KServe canary entry",
    ),
    ("realtime-only", {"serving.mode": "serverless"}, {}, None, SPEC_FILE, "serving.mode", "realtime only"),
    (
        "cpu-quantity",
        {"serving.kubernetes.cpu": "2 cores"},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.cpu",
        "not a Kubernetes CPU quantity",
    ),
    (
        "memory-quantity",
        {"serving.kubernetes.memory": "4GB"},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.memory",
        "'GB' is not a Kubernetes unit",
    ),
    (
        "model-format",
        {"model.framework": "catboost"},
        {},
        None,
        SPEC_FILE,
        "model.framework",
        "KServe has no model format",
    ),
    (
        "unknown-key",
        {"serving.kubernetes.replicas": 3},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.replicas",
        "unknown field",
    ),
    (
        "percent-target",
        {"serving.kubernetes.scale_target": 150},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.scale_target",
        "1 to 100",
    ),
    (
        "sagemaker-sizing",
        {"serving.instance_type": "ml.m5.large"},
        {},
        None,
        SPEC_FILE,
        "serving.instance_type",
        "sets it to null",
    ),
    (
        "capture-on-deployment",
        {**DEPLOYMENT, "serving.data_capture": {"enabled": True}},
        {},
        None,
        SPEC_FILE,
        "serving.data_capture.enabled",
        "payload logger",
    ),
    (
        "merged-override",
        {"environments": {"dev": {"serving": {"kubernetes": {"min_replicas": 9}}}}},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.min_replicas",
        "(after the dev override)",
    ),
    (
        "stale-kubernetes-block",
        {
            "model.framework_version": "1.7-1",
            "environments": {"dev": {"serving": {"target": "sagemaker", "instance_type": "ml.m5.large"}}},
        },
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes",
        "switches to sagemaker sets it to null",
    ),
    (
        "replicas-int32",
        {"serving.kubernetes.max_replicas": 10**12},
        {},
        None,
        SPEC_FILE,
        "serving.kubernetes.max_replicas",
        "2147483647",
    ),
    (
        "storage-uri-is-ours",
        {"model.framework": DROP, "model.image": IMAGE, "model.environment": {"STORAGE_URI": "s3://other/x"}},
        {},
        None,
        SPEC_FILE,
        "model.environment.STORAGE_URI",
        "remove it",
    ),
    (
        "artifact-uri-is-ours",
        {**DEPLOYMENT, "model.environment": {"MODEL_ARTIFACT_URI": "s3://other/x"}},
        {},
        None,
        SPEC_FILE,
        "model.environment.MODEL_ARTIFACT_URI",
        "remove it",
    ),
    (
        "oidc-required",
        {},
        {"modelops:kubernetes": {"payloadLoggerUrl": LOGGER}},
        None,
        STACK_FILE,
        "modelops:models.ranker",
        "set modelops:kubernetes.oidcProviderArn",
    ),
    (
        "logger-required",
        {},
        {"modelops:kubernetes": {"oidcProviderArn": OIDC}},
        None,
        STACK_FILE,
        "modelops:models.ranker",
        "set modelops:kubernetes.payloadLoggerUrl",
    ),
    (
        "oidc-format",
        {},
        {"modelops:kubernetes": {"oidcProviderArn": "arn:aws:iam::123456789012:role/x"}},
        None,
        STACK_FILE,
        "modelops:kubernetes.oidcProviderArn",
        "IAM OIDC provider of an EKS cluster",
    ),
    (
        "stack-unknown-key",
        {},
        {"modelops:kubernetes": {"oidcProviderArn": OIDC, "payloadLoggerUrl": LOGGER, "kubeContext": "x"}},
        None,
        STACK_FILE,
        "modelops:kubernetes.kubeContext",
        "unknown field",
    ),
    (
        "no-shadow",
        {},
        {"modelops:models": {"ranker": {"version": "1.0.0", "shadow": {"version": "1.1.0", "sampling_percent": 10}}}},
        {},
        STACK_FILE,
        "modelops:models.ranker.shadow.version",
        "not available on kubernetes",
    ),
    (
        "challenger-needs-kserve",
        DEPLOYMENT,
        {"modelops:models": CHALLENGER_PIN},
        {},
        STACK_FILE,
        "modelops:models.ranker.challenger.version",
        "both need runtime kserve",
    ),
    (
        "challenger-same-namespace",
        {},
        {"modelops:models": CHALLENGER_PIN},
        {"serving.kubernetes.namespace": "other"},
        STACK_FILE,
        "modelops:models.ranker.challenger.version",
        "use the same namespace",
    ),
    (
        "prod-redundancy",
        {"model.sha256": SHA},
        {"modelops:environment": "prod"},
        None,
        SPEC_FILE,
        "serving.kubernetes.min_replicas",
        "prod requires min_replicas >= 2",
    ),
]


@pytest.mark.parametrize(
    ("spec_edits", "stack_edits", "second", "file", "field", "fragment"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_an_invalid_unseen_spec_is_refused_naming_the_field(
    tmp_path: Path,
    spec_edits: dict[str, Any],
    stack_edits: dict[str, Any],
    second: dict[str, Any] | None,
    file: str,
    field: str,
    fragment: str,
) -> None:
    spec = edited(BASE_SPEC, spec_edits)
    stack = copy.deepcopy(BASE_STACK)
    stack["config"].update(stack_edits)
    write_case(tmp_path, spec, stack, None if second is None else second_version(spec, second))
    result = cli("validate", "--root", str(tmp_path))
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    pattern = rf"^{re.escape(file)}:[1-9]\d*:[1-9]\d*: {re.escape(field)}: .*{re.escape(fragment)}"
    assert re.search(pattern, result.output, re.MULTILINE), result.output


def test_the_invalid_table_starts_from_a_valid_spec(tmp_path: Path) -> None:
    write_case(tmp_path, BASE_SPEC, BASE_STACK, second_version(BASE_SPEC))
    result = cli("validate", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output


# --- hostile: odd types, huge numbers, unicode --------------------------------------------

BASE_TEXT = yaml.safe_dump(BASE_SPEC, sort_keys=False)


def dumped(edits: dict[str, Any]) -> str:
    return yaml.safe_dump(edited(BASE_SPEC, edits), sort_keys=False)


def replaced(old: str, new: str) -> str:
    """YAML that `safe_dump` never writes (`.inf`, `1e400`, a repeated key)."""
    assert old in BASE_TEXT
    return BASE_TEXT.replace(old, new, 1)


# (id, spec text, stack config edits, the field a refusal names, or None when the input is valid)
HOSTILE = [
    ("kubernetes-text", dumped({"serving.kubernetes": "kserve"}), {}, "serving.kubernetes"),
    ("kubernetes-list", dumped({"serving.kubernetes": ["kserve"]}), {}, "serving.kubernetes"),
    ("replicas-text", dumped({"serving.kubernetes.min_replicas": "2"}), {}, "serving.kubernetes.min_replicas"),
    ("replicas-float", dumped({"serving.kubernetes.min_replicas": 2.0}), {}, "serving.kubernetes.min_replicas"),
    ("replicas-bool", dumped({"serving.kubernetes.min_replicas": True}), {}, "serving.kubernetes.min_replicas"),
    ("replicas-1e400", replaced("max_replicas: 3", "max_replicas: 1e400"), {}, "serving.kubernetes.max_replicas"),
    (
        "replicas-bigint",
        replaced("max_replicas: 3", "max_replicas: " + "9" * 40),
        {},
        "serving.kubernetes.max_replicas",
    ),
    ("cpu-infinity", replaced("cpu: '1'", "cpu: .inf"), {}, "serving.kubernetes.cpu"),
    ("cpu-nan", replaced("cpu: '1'", "cpu: .nan"), {}, "serving.kubernetes.cpu"),
    ("cpu-list", dumped({"serving.kubernetes.cpu": [1]}), {}, "serving.kubernetes.cpu"),
    ("cpu-negative", dumped({"serving.kubernetes.cpu": "-1"}), {}, "serving.kubernetes.cpu"),
    ("memory-exponent", dumped({"serving.kubernetes.memory": "1e400"}), {}, "serving.kubernetes.memory"),
    ("gpu-float", dumped({"serving.kubernetes.gpu": 1000.0}), {}, "serving.kubernetes.gpu"),
    ("gpu-huge", dumped({"serving.kubernetes.gpu": 10**12}), {}, "serving.kubernetes.gpu"),
    ("namespace-cyrillic", dumped({"serving.kubernetes.namespace": "модели"}), {}, "serving.kubernetes.namespace"),
    ("namespace-emoji", dumped({"serving.kubernetes.namespace": "models-🚀"}), {}, "serving.kubernetes.namespace"),
    ("namespace-int", dumped({"serving.kubernetes.namespace": 123}), {}, "serving.kubernetes.namespace"),
    ("metric-null", dumped({"serving.kubernetes.scale_metric": None}), {}, "serving.kubernetes.scale_metric"),
    ("port-text", dumped({"serving.kubernetes.port": "http"}), {}, "serving.kubernetes.port"),
    (
        "duplicate-key",
        replaced("min_replicas: 1", "min_replicas: 1\n    min_replicas: 2"),
        {},
        "serving.kubernetes.min_replicas",
    ),
    ("stack-block-text", BASE_TEXT, {"modelops:kubernetes": "eks"}, "modelops:kubernetes"),
    (
        "stack-oidc-int",
        BASE_TEXT,
        {"modelops:kubernetes": {"oidcProviderArn": 123, "payloadLoggerUrl": LOGGER}},
        "modelops:kubernetes.oidcProviderArn",
    ),
    (
        "stack-flag-text",
        BASE_TEXT,
        {"modelops:kubernetes": {"oidcProviderArn": OIDC, "payloadLoggerUrl": LOGGER, "manageNamespaces": "yes"}},
        "modelops:kubernetes.manageNamespaces",
    ),
    (
        "stack-context-unicode",
        BASE_TEXT,
        {"modelops:kubernetes": {"oidcProviderArn": OIDC, "payloadLoggerUrl": LOGGER, "context": "кластер"}},
        None,
    ),
    ("kubernetes-null", dumped({"serving.kubernetes": None}), {}, None),  # the defaults
]


@pytest.mark.parametrize(("text", "stack_edits", "field"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_input_is_refused_cleanly(
    tmp_path: Path, text: str, stack_edits: dict[str, Any], field: str | None
) -> None:
    stack = copy.deepcopy(BASE_STACK)
    stack["config"].update(stack_edits)
    write_files(tmp_path, {SPEC_FILE: text, STACK_FILE: yaml.safe_dump(stack, sort_keys=False)})
    result = cli("validate", "--root", str(tmp_path))
    assert_no_traceback(result)
    if field is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
        assert re.search(rf"^\S+:[1-9]\d*:[1-9]\d*: {re.escape(field)}: ", result.output, re.MULTILINE), result.output


def test_the_rehearsal_refuses_a_replica_count_beyond_int32(lab_plan: dict[str, Any]) -> None:
    """KServe's CRD declares the replica bounds `format: int32`, which no JSON Schema validator
    checks; the rehearsal's own model of the InferenceService does."""
    manifest = copy.deepcopy(inputs(lab_plan, "fraud-scorer-serving-inference-service"))
    manifest["spec"]["predictor"]["maxReplicas"] = 2**31
    found = inference_service_problems(manifest)
    assert any(p.startswith("spec.predictor.maxReplicas:") for p in found), found
