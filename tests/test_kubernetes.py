"""Kubernetes serving as rendered: recorded manifests of both runtimes, read as a reviewer would.

The project is the tests' own (`tests/kubernetes_project.py`): a KServe model with a
challenger, a KServe model with its own image, a GPU Deployment and a small Deployment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource, strict_json, wire_numbers
from modelops.engine.render import render
from modelops.gitops.plan_format import render_markdown, render_mermaid, render_tree
from modelops.kubernetes import manifests
from tests.conftest import REPO_ROOT
from tests.kubernetes_project import (
    BOUNDARY,
    EMBEDDER_IMAGE,
    IMAGE,
    KMS,
    LOGGER,
    OIDC_ARN,
    OIDC_ISSUER,
    SECRET,
    write_kubernetes_project,
)

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
NAMESPACE = "kubernetes:core/v1:Namespace"
PROVIDER = "pulumi:providers:kubernetes"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
CORE_TYPES = (NAMESPACE, SERVICE_ACCOUNT, DEPLOYMENT, SERVICE, HPA, PDB)


def labels(model: str, version: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": model,
        "app.kubernetes.io/version": version,
        "app.kubernetes.io/managed-by": "modelops",
        "modelops/environment": "dev",
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kubernetes_project(tmp_path_factory.mktemp("kubernetes"))


@pytest.fixture(scope="module")
def plan(root: Path) -> Plan:
    return render(root, "k8s")


def inputs(plan: Plan, type_token: str, name: str) -> dict[str, Any]:
    return dict(wire_numbers(plan.one(type_token, name).inputs))


def kubernetes_objects(plan: Plan) -> list[PlanResource]:
    return [r for r in plan.resources if r.type.startswith("kubernetes:")]


FRAUD_PREDICTOR_MODEL = {
    "modelFormat": {"name": "xgboost"},
    "storageUri": "s3://acme-models/fraud-scorer/1.0.0/model.tar.gz",
    "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
    "env": [{"name": "FEATURE_API_TOKEN_SECRET_ARN", "value": SECRET}],
}

RECORDED_INFERENCE_SERVICE = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {
        "name": "fraud-scorer",
        "namespace": "models",
        "labels": labels("fraud-scorer", "1.0.0"),
        "annotations": {
            "serving.kserve.io/deploymentMode": "Standard",
            "serving.kserve.io/autoscalerClass": "hpa",
            "pulumi.com/waitFor": 'jsonpath={.status.conditions[?(@.type=="Ready")].status}=True',
        },
    },
    "spec": {
        "predictor": {
            "serviceAccountName": "fraud-scorer",
            "labels": labels("fraud-scorer", "1.0.0"),
            "minReplicas": 2,
            "maxReplicas": 6,
            "scaleMetric": "cpu",
            "scaleTarget": 70,
            "deploymentStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "logger": {"mode": "all", "url": LOGGER},
            "model": FRAUD_PREDICTOR_MODEL,
        },
        "canary": [
            {
                "trafficPercent": 10,
                "predictor": {
                    "serviceAccountName": "fraud-scorer",
                    "labels": labels("fraud-scorer", "1.1.0"),
                    "logger": {"mode": "all", "url": LOGGER},
                    "model": {
                        **FRAUD_PREDICTOR_MODEL,
                        "storageUri": "s3://acme-models/fraud-scorer/1.1.0/model.tar.gz",
                        "name": "kserve-container",
                    },
                },
            }
        ],
    },
}

RECORDED_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "vision-gpu",
        "namespace": "vision",
        "labels": labels("vision-gpu", "2.0.0"),
        "annotations": {
            "pulumi.com/waitFor": json.dumps(
                [
                    "condition=Available",
                    'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable',
                ]
            )
        },
    },
    "spec": {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "vision-gpu"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}},
        "template": {
            "metadata": {"labels": labels("vision-gpu", "2.0.0")},
            "spec": {
                "serviceAccountName": "vision-gpu",
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                "containers": [
                    {
                        "name": "model",
                        "image": IMAGE,
                        "ports": [{"name": "http", "containerPort": 9000, "protocol": "TCP"}],
                        "env": [
                            {"name": "MODEL_ARTIFACT_URI", "value": "s3://acme-models/vision-gpu/2.0.0/model.tar.gz"},
                            {"name": "MODEL_NAME", "value": "vision"},
                            {"name": "WORKERS", "value": "2"},
                        ],
                        "resources": {
                            "requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                            "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                        },
                        "readinessProbe": {
                            "httpGet": {"path": "/ping", "port": "http"},
                            "initialDelaySeconds": 5,
                            "periodSeconds": 10,
                            "timeoutSeconds": 2,
                            "failureThreshold": 3,
                        },
                        "livenessProbe": {
                            "httpGet": {"path": "/ping", "port": "http"},
                            "initialDelaySeconds": 60,
                            "periodSeconds": 20,
                            "timeoutSeconds": 2,
                            "failureThreshold": 3,
                        },
                    }
                ],
            },
        },
    },
}


def test_recorded_inference_service_with_a_canary(plan: Plan) -> None:
    assert inputs(plan, ISVC, "fraud-scorer-serving-inference-service") == RECORDED_INFERENCE_SERVICE


def test_recorded_inference_service_of_an_own_image(plan: Plan) -> None:
    isvc = inputs(plan, ISVC, "text-embedder-serving-inference-service")
    predictor = isvc["spec"]["predictor"]
    assert "canary" not in isvc["spec"]
    assert predictor["containers"] == [
        {
            "name": "kserve-container",
            "image": EMBEDDER_IMAGE,
            "ports": [{"containerPort": 8085, "protocol": "TCP"}],
            "env": [
                {"name": "STORAGE_URI", "value": "s3://acme-models/text-embedder/1.0.0/model.tar.gz"},
                {"name": "MAX_BATCH", "value": "16"},
            ],
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}},
        }
    ]
    assert "model" not in predictor and "logger" not in predictor  # no data capture
    assert predictor["deploymentStrategy"] == {"type": "Recreate"}  # all_at_once
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (1, 2)


def test_recorded_deployment_service_hpa_and_pdb(plan: Plan) -> None:
    assert inputs(plan, DEPLOYMENT, "vision-gpu-serving-deployment") == RECORDED_DEPLOYMENT
    assert inputs(plan, SERVICE, "vision-gpu-serving-service")["spec"] == {
        "type": "ClusterIP",
        "selector": {"app.kubernetes.io/name": "vision-gpu"},
        "ports": [{"name": "http", "port": 9000, "targetPort": "http", "protocol": "TCP"}],
    }
    assert inputs(plan, HPA, "vision-gpu-serving-hpa")["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "vision-gpu"},
        "minReplicas": 2,
        "maxReplicas": 4,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
            }
        ],
    }
    assert inputs(plan, PDB, "vision-gpu-serving-pdb")["spec"] == {
        "minAvailable": 2,  # never below the replicas the spec needs
        "selector": {"matchLabels": {"app.kubernetes.io/name": "vision-gpu"}},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def test_deployment_leaves_the_replica_count_to_the_hpa(plan: Plan) -> None:
    for name in ("vision-gpu", "batch-ranker"):
        assert "replicas" not in inputs(plan, DEPLOYMENT, f"{name}-serving-deployment")["spec"]
    ranker = inputs(plan, HPA, "batch-ranker-serving-hpa")["spec"]
    assert ranker["metrics"][0]["resource"] == {
        "name": "memory",
        "target": {"type": "Utilization", "averageUtilization": 80},
    }


def test_rolling_strategy_never_takes_serving_replicas_away(plan: Plan) -> None:
    vision = inputs(plan, DEPLOYMENT, "vision-gpu-serving-deployment")["spec"]["strategy"]
    assert vision == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}}
    ranker = inputs(plan, DEPLOYMENT, "batch-ranker-serving-deployment")["spec"]["strategy"]
    assert ranker == {"type": "Recreate"}  # the spec's default rollout, all_at_once
    fraud = inputs(plan, ISVC, "fraud-scorer-serving-inference-service")["spec"]["predictor"]["deploymentStrategy"]
    assert fraud["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": 0}


def test_pod_disruption_budget_only_from_two_replicas(plan: Plan) -> None:
    budgets = {r.name for r in plan.by_type(PDB)}
    assert budgets == {"vision-gpu-serving-pdb"}  # batch-ranker needs one replica: no budget


def test_every_object_carries_the_standard_labels(plan: Plan) -> None:
    objects = kubernetes_objects(plan)
    assert {r.type for r in objects} == {*CORE_TYPES, ISVC}
    for resource in objects:
        found = resource.inputs["metadata"]["labels"]
        if resource.type == NAMESPACE:  # shared by the models in it: the stack's labels
            assert found == {"app.kubernetes.io/managed-by": "modelops", "modelops/environment": "dev"}
            continue
        model = resource.inputs["metadata"]["name"]
        version = {"fraud-scorer": "1.0.0", "text-embedder": "1.0.0", "vision-gpu": "2.0.0", "batch-ranker": "1.0.0"}
        assert found == labels(model, version[model]), resource.name
    pod = inputs(plan, DEPLOYMENT, "vision-gpu-serving-deployment")["spec"]["template"]["metadata"]["labels"]
    assert pod == labels("vision-gpu", "2.0.0")


def test_pulumi_waits_for_readiness(plan: Plan) -> None:
    for resource in [*plan.by_type(ISVC), *plan.by_type(DEPLOYMENT)]:
        wait = resource.inputs["metadata"]["annotations"]["pulumi.com/waitFor"]
        if resource.type == ISVC:
            assert wait == 'jsonpath={.status.conditions[?(@.type=="Ready")].status}=True'
        else:
            assert json.loads(wait)[0] == "condition=Available"


def test_label_values_take_semver_build_metadata() -> None:
    assert manifests.label_value("1.2.0+build.5") == "1.2.0_build.5"
    assert manifests.label_value("1.0.0-rc.1") == "1.0.0-rc.1"
    assert len(manifests.label_value("1." + "9" * 80)) <= 63


def test_irsa_role_trusts_exactly_one_service_account(plan: Plan) -> None:
    role = plan.one(ROLE, "fraud-scorer-identity-role").inputs
    assert role["name"] == "modelops-fraud-scorer-dev-irsa"
    assert json.loads(role["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": OIDC_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{OIDC_ISSUER}:sub": "system:serviceaccount:models:fraud-scorer",
                        f"{OIDC_ISSUER}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }
    assert role["permissionsBoundary"] == BOUNDARY
    assert role["tags"]["model"] == "fraud-scorer" and role["tags"]["cost-center"] == "ml-platform"
    account = inputs(plan, SERVICE_ACCOUNT, "fraud-scorer-identity-service-account")
    assert account["metadata"]["name"] == "fraud-scorer" and account["metadata"]["namespace"] == "models"
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        "arn:aws:iam::123456789012:role/modelops-fraud-scorer-dev-irsa"
    )
    assert account["automountServiceAccountToken"] is False
    vision = json.loads(plan.one(ROLE, "vision-gpu-identity-role").inputs["assumeRolePolicy"])
    condition = vision["Statement"][0]["Condition"]["StringEquals"]
    assert condition[f"{OIDC_ISSUER}:sub"] == "system:serviceaccount:vision:vision-gpu"


def test_irsa_permissions_are_the_execution_scope_of_the_pod(plan: Plan) -> None:
    policy = json.loads(plan.one(POLICY, "fraud-scorer-identity-policy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert set(statements) == {
        "ReadModelArtifact",
        "ListModelArtifact0",
        "ReadSecrets",
        "ReadData",
        "ListReadData0",
        "UseStackKey",
    }
    # both versions' artifacts: the primary's and the canary's
    assert statements["ReadModelArtifact"]["Resource"] == [
        "arn:aws:s3:::acme-models/fraud-scorer/1.0.0/model.tar.gz",
        "arn:aws:s3:::acme-models/fraud-scorer/1.1.0/model.tar.gz",
    ]
    # KServe's storage initializer lists the storageUri's prefix before it downloads
    assert statements["ListModelArtifact0"] == {
        "Sid": "ListModelArtifact0",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": ["arn:aws:s3:::acme-models"],
        "Condition": {
            "StringLike": {"s3:prefix": ["fraud-scorer/1.0.0/model.tar.gz", "fraud-scorer/1.1.0/model.tar.gz"]}
        },
    }
    assert statements["ReadSecrets"]["Resource"] == [SECRET]
    assert statements["UseStackKey"] == {
        "Sid": "UseStackKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Resource": [KMS],
    }
    # SageMaker's own needs are not the pod's: no logs, metrics, ECR, capture writes or VPC.
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert not {a for a in actions if a.split(":")[0] in ("logs", "cloudwatch", "ecr", "ec2")}
    assert "s3:PutObject" not in actions
    deployment = json.loads(plan.one(POLICY, "vision-gpu-identity-policy").inputs["policy"])
    assert [s["Sid"] for s in deployment["Statement"]] == ["ReadModelArtifact", "UseStackKey"]  # no listing


def test_irsa_policies_pass_the_linter(plan: Plan) -> None:
    """Only the IRSA trust findings tests/test_iam_lint.py allows, each with its reason."""
    from tests.test_iam_lint import ALLOWED, counts, findings, policy_documents, unallowed

    failures, allowed = [], set()
    for where, kind, document in policy_documents(plan):
        for finding in findings(document):
            if counts(finding):
                failures += [f"{where}: {key} {finding.detail}" for key in unallowed(kind, finding)]
                allowed |= {key for key in ALLOWED if key[0] == finding.issue and key[1] == kind}
    assert failures == []
    assert ("UNKNOWN_FEDERATION_SOURCE", "trust", None) in allowed


def test_no_sagemaker_resources_for_a_model_on_kubernetes(plan: Plan) -> None:
    types = {r.type for r in plan.resources}
    assert not {t for t in types if t.startswith("aws:sagemaker/") or t.startswith("aws:appautoscaling")}
    assert not any(r.name.endswith("-governance-execution-role") for r in plan.resources)
    assert {r.name for r in plan.by_type("pulumi-python:dynamic/sagemaker:ModelCard")} == {
        f"{m}-governance-model-card" for m in ("fraud-scorer", "text-embedder", "vision-gpu", "batch-ranker")
    }
    assert plan.outputs["endpoints"] == {}
    assert plan.outputs["kubernetes"]["fraud-scorer"] == {
        "kind": "InferenceService",
        "namespace": "models",
        "name": "fraud-scorer",
    }
    assert plan.outputs["kubernetes"]["vision-gpu"] == {
        "kind": "Deployment",
        "namespace": "vision",
        "name": "vision-gpu",
    }


def test_one_provider_and_one_namespace_each(plan: Plan, root: Path) -> None:
    [provider] = plan.by_type(PROVIDER)
    assert provider.inputs == {"context": "ml-dev"}
    namespaces = {r.inputs["metadata"]["name"] for r in plan.by_type(NAMESPACE)}
    assert namespaces == {"models", "vision", "ranking"}  # fraud-scorer and text-embedder share models
    provider_urn = provider.urn
    for resource in kubernetes_objects(plan):
        assert resource.parent is not None
    unmanaged = render(root, "k8s-unmanaged")
    assert unmanaged.by_type(NAMESPACE) == []
    assert unmanaged.one(PROVIDER, "kubernetes-provider").inputs == {}  # the kubeconfig's current context
    assert provider_urn.endswith("::kubernetes-provider")


def test_a_stack_without_kubernetes_models_declares_no_provider() -> None:
    prod = render(REPO_ROOT, "prod")  # ticket-router serves on SageMaker there, and nothing else is pinned
    assert not [r for r in prod.resources if r.type == PROVIDER or r.type.startswith("kubernetes:")]
    assert "kubernetes" not in prod.outputs
    dev = render(REPO_ROOT, "dev")
    assert [r for r in dev.resources if r.type == PROVIDER] and set(dev.outputs["kubernetes"]) == {
        "reviews-kserve",
        "image-embedder",
        "ticket-router",
    }


def test_plan_formats_show_the_manifests(plan: Plan) -> None:
    tree = render_tree(plan)
    assert (
        "- fraud-scorer-serving-inference-service (kubernetes:serving.kserve.io/v1beta1:InferenceService)  "
        "[models/fraud-scorer]" in tree
    )
    assert "- kubernetes-namespace-vision (kubernetes:core/v1:Namespace)  [vision]" in tree
    markdown = render_markdown(plan)
    assert "| `serving.kserve.io/v1beta1:InferenceService` | 2 |" in markdown
    assert "| `apps/v1:Deployment` | 2 |" in markdown
    assert "<details><summary>Kubernetes manifests (16)</summary>" in markdown
    assert '"storageUri": "s3://acme-models/fraud-scorer/1.1.0/model.tar.gz"' in markdown
    mermaid = render_mermaid(plan)
    assert "models/fraud-scorer<br/><small>serving.kserve.io/v1beta1#58;InferenceService</small>" in mermaid
    data = json.loads(strict_json(plan.to_json()))
    [isvc] = [r for r in data["resources"] if r["name"] == "fraud-scorer-serving-inference-service"]
    assert isvc["inputs"] == RECORDED_INFERENCE_SERVICE


def test_hostile_spec_values_stay_inert_in_the_manifests_block(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value that tries to end the fenced block, the <details> or the comment's markup."""
    import shutil

    from tests import test_markdown_safe

    shutil.copytree(root, tmp_path / "hostile")
    spec = tmp_path / "hostile" / "model_specs" / "batch-ranker" / "1.0.0.yaml"
    hostile = json.dumps(test_markdown_safe.HOSTILE)
    spec.write_text(spec.read_text().replace("model:\n", f"model:\n  environment: {{NOTE: {hostile}}}\n"))
    markdown = render_markdown(render(tmp_path / "hostile", "k8s-unmanaged"))
    ours = "<details><summary>Kubernetes manifests (4)</summary>"
    assert ours in markdown
    monkeypatch.setattr(test_markdown_safe, "OUR_HTML", test_markdown_safe.OUR_HTML | {ours})
    tokens = test_markdown_safe.assert_inert(markdown)
    [block] = [t for t in tokens if t.type == "fence" and t.info == "json"]
    assert "\\u202e" in block.content and "</details>" in block.content  # shown, escaped, inside
