"""The Kubernetes objects that serve a `target: kubernetes` model, as plain manifests.

Pure functions (no Pulumi): each returns a manifest in the API server's own camelCase, which
the components in `components/kubernetes_*.py` and `components/kserve_service.py` hand to
pulumi-kubernetes unchanged, `modelops rehearse` checks offline (kubernetes-validate for the
core objects, `modelops.kubernetes.kserve` for the InferenceService) and the tests validate
against KServe's CRD. One source, so what is checked is what is applied.

Names (the verify and drift checks read the same): per stack one `kubernetes.Provider` and,
with `manageNamespaces`, one Namespace per namespace the models use; per model, in its
`serving.kubernetes.namespace`, a ServiceAccount `<model>`, then either an InferenceService
`<model>` (runtime kserve) or a Deployment, Service, HorizontalPodAutoscaler and (with
`min_replicas >= 2`) a PodDisruptionBudget, all `<model>` (runtime deployment).
"""

from __future__ import annotations

import json
import re
from typing import Any

from modelops.spec.container import ARTIFACT_ENV, STORAGE_URI_ENV, container_environment
from modelops.spec.models import KubernetesServing, ModelSpec, Rollout
from modelops.spec.resolved_model import ResolvedModel, Variant

KSERVE_API_VERSION = "serving.kserve.io/v1beta1"
MANAGED_BY = "modelops"
NAME_LABEL = "app.kubernetes.io/name"
VERSION_LABEL = "app.kubernetes.io/version"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
ENVIRONMENT_LABEL = "modelops/environment"

# IRSA: the EKS pod identity webhook gives the pods of a service account with this annotation
# the role's web identity token (docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
# KServe's S3 credential builder sets the storage initializer's region from this annotation of
# an IRSA service account (kserve pkg/credentials/s3).
S3_REGION_ANNOTATION = "serving.kserve.io/s3-region"

# KServe 0.15 renamed its deployment modes: "RawDeployment" became "Standard" (and "Serverless"
# "Knative"); the old names are accepted as legacy aliases, but the admission webhook of 0.16
# and later dispatches to its HPA rules (scaleMetric cpu or memory) only on the literal
# "Standard" together with autoscalerClass "hpa" (pkg/constants/constants.go,
# pkg/apis/serving/v1beta1/inference_service_validation.go). KServe 0.20 is what the CRD in
# ../shared/schemas/kserve/ comes from.
DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
STANDARD_MODE = "Standard"
AUTOSCALER_CLASS_ANNOTATION = "serving.kserve.io/autoscalerClass"
HPA_AUTOSCALER = "hpa"

# pulumi-kubernetes 4.x: `pulumi.com/waitFor` replaces the resource's await logic with the
# given condition, or a JSON list of conditions that must all hold
# (www.pulumi.com/registry/packages/kubernetes/api-docs/, "waitFor"). A real `pulumi up`
# then returns only once the model serves.
WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
INFERENCE_SERVICE_READY = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}=True'
# Available alone holds during a rolling update (the old pods serve); Progressing's reason
# becomes NewReplicaSetAvailable once the new ReplicaSet is fully rolled out, which is what
# `kubectl rollout status` waits for.
DEPLOYMENT_ROLLED_OUT = json.dumps(
    [
        "condition=Available",
        'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable',
    ]
)

GPU_RESOURCE = "nvidia.com/gpu"
# EKS GPU node groups are commonly tainted so that only GPU workloads land there.
GPU_TOLERATION = {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}
KSERVE_CONTAINER = "kserve-container"  # the name KServe gives (and expects of) a custom predictor
CONTAINER_NAME = "model"
PORT_NAME = "http"
# The same image serves on SageMaker, whose container contract answers GET /ping with 200 once
# the model is loaded (docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html).
HEALTH_PATH = "/ping"

_LABEL_VALUE_INVALID = re.compile(r"[^A-Za-z0-9_.-]")


def kubernetes_serving(spec: ModelSpec) -> KubernetesServing:
    return spec.serving.kubernetes or KubernetesServing()


def label_value(text: str) -> str:
    """A label value Kubernetes takes (63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both
    ends): SemVer build metadata `1.2.0+build.5` becomes `1.2.0_build.5`, as Helm does for
    `app.kubernetes.io/version`."""
    value = _LABEL_VALUE_INVALID.sub("_", text)[:63]
    return value.strip("_.-")


def standard_labels(model: str, version: str, environment: str) -> dict[str, str]:
    """The labels of every object of a model (Kubernetes' recommended labels, and ours)."""
    return {
        NAME_LABEL: model,
        VERSION_LABEL: label_value(version),
        MANAGED_BY_LABEL: MANAGED_BY,
        ENVIRONMENT_LABEL: environment,
    }


def stack_labels(environment: str) -> dict[str, str]:
    """Labels of a stack-wide object (a namespace that several models share: no name or version)."""
    return {MANAGED_BY_LABEL: MANAGED_BY, ENVIRONMENT_LABEL: environment}


def selector_labels(model: str) -> dict[str, str]:
    """A Deployment's selector, which Kubernetes never lets change: the model's name only, never
    its version, so a new version updates the Deployment instead of replacing it."""
    return {NAME_LABEL: model}


def metadata(name: str, namespace: str, labels: dict[str, str], annotations: dict[str, Any] | None = None) -> dict:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return meta


def resources(k: KubernetesServing) -> dict[str, dict[str, str]]:
    """Requests equal to limits: the Guaranteed QoS class, never evicted for another pod's use."""
    amounts = {"cpu": k.cpu, "memory": k.memory}
    if k.gpu:
        amounts[GPU_RESOURCE] = str(k.gpu)
    return {"requests": dict(amounts), "limits": dict(amounts)}


def environment(variant: Variant) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in container_environment(variant).items()]


def rollout_strategy(rollout: Rollout) -> dict[str, Any]:
    """`all_at_once` recreates the pods; any other strategy rolls: new pods surge in batches of
    `rolling_batch_percent` and no serving pod is taken away before its replacement is ready."""
    if rollout.strategy == "all_at_once":
        return {"type": "Recreate"}
    return {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": f"{rollout.rolling_batch_percent}%", "maxUnavailable": 0},
    }


def namespace(name: str, environment: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": stack_labels(environment)}}


def service_account(model: ResolvedModel, role_arn: Any, region: str) -> dict[str, Any]:
    """The identity of the model's pods: the IRSA role by annotation. No Kubernetes API token is
    mounted (the model never calls the API); the web identity token is a projected volume of
    its own, which the EKS pod identity webhook adds."""
    k = kubernetes_serving(model.spec)
    annotations: dict[str, Any] = {ROLE_ARN_ANNOTATION: role_arn}
    if k.runtime == "kserve":
        annotations[S3_REGION_ANNOTATION] = region
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(
            model.name, k.namespace, standard_labels(model.name, model.version, model.environment), annotations
        ),
        "automountServiceAccountToken": False,
    }


def kserve_predictor(model: ResolvedModel, variant: Variant, payload_logger_url: str | None, primary: bool) -> dict:
    """One predictor of the InferenceService. The primary's carries the scaling and rollout
    fields; a canary's does not (it is scaled with the primary, see `modelops.kubernetes.kserve`)."""
    spec = variant.spec
    k = kubernetes_serving(spec)
    predictor: dict[str, Any] = {
        "serviceAccountName": model.name,
        "labels": standard_labels(model.name, variant.version, model.environment),
    }
    if primary:
        predictor.update(
            {
                "minReplicas": k.min_replicas,
                "maxReplicas": k.max_replicas,
                "scaleMetric": k.scale_metric,
                "scaleTarget": k.scale_target,
                "deploymentStrategy": rollout_strategy(spec.serving.rollout),
            }
        )
    if spec.serving.data_capture.enabled and payload_logger_url:
        # KServe's logger sends every request and response (CloudEvents) to the URL; it has no
        # sampling of its own, so `sampling_percent` is the payload logger's to apply.
        predictor["logger"] = {"mode": "all", "url": payload_logger_url}
    if k.gpu:
        predictor["tolerations"] = [dict(GPU_TOLERATION)]
    env = environment(variant)
    if spec.model.image is not None:
        container: dict[str, Any] = {
            "name": KSERVE_CONTAINER,
            "image": spec.model.image,
            "ports": [{"containerPort": k.port, "protocol": "TCP"}],
            "env": ([{"name": STORAGE_URI_ENV, "value": spec.model.artifact}] if spec.model.artifact else []) + env,
            "resources": resources(k),
        }
        predictor["containers"] = [container]
    else:
        served: dict[str, Any] = {
            "modelFormat": {"name": spec.model.framework},
            "storageUri": spec.model.artifact,
            "resources": resources(k),
        }
        if not primary:
            # KServe 0.20's CRD requires a canary model's container name (`spec.canary[].predictor
            # .model.required: [modelFormat, name]`), while its webhook refuses one on the primary
            # ("the 'name' field is not allowed in standard predictor"): KServe's own name.
            served["name"] = KSERVE_CONTAINER
        if env:
            served["env"] = env
        predictor["model"] = served
    return predictor


def inference_service(model: ResolvedModel, payload_logger_url: str | None) -> dict[str, Any]:
    """KServe in Standard (raw Deployment) mode, scaled by an HPA; a challenger pin becomes a
    `spec.canary` entry with its traffic share and its own predictor."""
    k = kubernetes_serving(model.spec)
    manifest: dict[str, Any] = {
        "apiVersion": KSERVE_API_VERSION,
        "kind": "InferenceService",
        "metadata": metadata(
            model.name,
            k.namespace,
            standard_labels(model.name, model.version, model.environment),
            {
                DEPLOYMENT_MODE_ANNOTATION: STANDARD_MODE,
                AUTOSCALER_CLASS_ANNOTATION: HPA_AUTOSCALER,
                WAIT_FOR_ANNOTATION: INFERENCE_SERVICE_READY,
            },
        ),
        "spec": {"predictor": kserve_predictor(model, model.primary, payload_logger_url, primary=True)},
    }
    if model.challenger is not None:
        manifest["spec"]["canary"] = [
            {
                "trafficPercent": model.challenger.percent,
                "predictor": kserve_predictor(model, model.challenger, payload_logger_url, primary=False),
            }
        ]
    return manifest


def _probe(initial_delay: int, period: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": HEALTH_PATH, "port": PORT_NAME},
        "initialDelaySeconds": initial_delay,
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    }


def deployment(model: ResolvedModel) -> dict[str, Any]:
    """A model server (`model.image`) on `port`. No `replicas`: the HPA owns the count, and a
    Deployment that names one is scaled back to it by every apply ("Migrating Deployments and
    StatefulSets to horizontal autoscaling", kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/)."""
    spec = model.spec
    k = kubernetes_serving(spec)
    labels = standard_labels(model.name, model.version, model.environment)
    env = environment(model.primary)
    if spec.model.artifact:
        env = [{"name": ARTIFACT_ENV, "value": spec.model.artifact}, *env]
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": spec.model.image,
        "ports": [{"name": PORT_NAME, "containerPort": k.port, "protocol": "TCP"}],
        "resources": resources(k),
        # Ready once the model answers; restarted only when it stops answering for a minute.
        "readinessProbe": _probe(5, 10),
        "livenessProbe": _probe(60, 20),
    }
    if env:
        container["env"] = env
    pod: dict[str, Any] = {"serviceAccountName": model.name, "containers": [container]}
    if k.gpu:
        pod["tolerations"] = [dict(GPU_TOLERATION)]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(model.name, k.namespace, labels, {WAIT_FOR_ANNOTATION: DEPLOYMENT_ROLLED_OUT}),
        "spec": {
            "selector": {"matchLabels": selector_labels(model.name)},
            "strategy": rollout_strategy(spec.serving.rollout),
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


def service(model: ResolvedModel) -> dict[str, Any]:
    k = kubernetes_serving(model.spec)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(model.name, k.namespace, standard_labels(model.name, model.version, model.environment)),
        "spec": {
            "type": "ClusterIP",
            "selector": selector_labels(model.name),
            "ports": [{"name": PORT_NAME, "port": k.port, "targetPort": PORT_NAME, "protocol": "TCP"}],
        },
    }


HPA_METRICS = ("cpu", "memory")


def horizontal_pod_autoscaler(model: ResolvedModel) -> dict[str, Any]:
    """Utilization of the requests (= limits) of `scale_metric`, between the replica bounds."""
    k = kubernetes_serving(model.spec)
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(model.name, k.namespace, standard_labels(model.name, model.version, model.environment)),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": model.name},
            "minReplicas": k.min_replicas,
            "maxReplicas": k.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": k.scale_metric,
                        "target": {"type": "Utilization", "averageUtilization": k.scale_target},
                    },
                }
            ],
        },
    }


def pod_disruption_budget(model: ResolvedModel) -> dict[str, Any] | None:
    """With two or more replicas needed, a voluntary disruption (a node drain, a cluster
    upgrade) never leaves fewer than `min_replicas` serving: `minAvailable`, not
    `maxUnavailable: 1`, which would let a drain take a model at its minimum below it. A drain
    then evicts only the replicas above the minimum and waits for the rest; an unhealthy pod
    never holds it up (`unhealthyPodEvictionPolicy: AlwaysAllow`, GA in Kubernetes 1.31)."""
    k = kubernetes_serving(model.spec)
    if k.min_replicas < 2:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(model.name, k.namespace, standard_labels(model.name, model.version, model.environment)),
        "spec": {
            "minAvailable": k.min_replicas,
            "selector": {"matchLabels": selector_labels(model.name)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }
