"""Offline checks of the Kubernetes objects a rehearsal renders: nothing is sent to a cluster.

- core objects (Namespace, ServiceAccount, Deployment, Service, HorizontalPodAutoscaler,
  PodDisruptionBudget) against the Kubernetes API's OpenAPI schema of a pinned Kubernetes
  version with `kubernetes-validate` in strict mode, which refuses unknown fields as the API
  server's strict field validation does;
- the InferenceService against `modelops.kubernetes.kserve`: the strict model of the fields
  modelops writes and the rules of KServe's admission webhook;
- the `kubernetes.Provider`: nothing to check offline; its kubeconfig context is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KUBERNETES_VERSION = "1.31.0"  # the schema kubernetes-validate (pinned in requirements.txt) checks against
K8S_VALIDATE = f"k8s-validate {KUBERNETES_VERSION.rsplit('.', 1)[0]}"
KSERVE_RULES = "kserve rules"
OFFLINE = "offline"
PROVIDER_TYPE = "pulumi:providers:kubernetes"
INFERENCE_SERVICE_TYPE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"


@dataclass(frozen=True)
class ObjectCheck:
    where: str  # which checker ran it
    call: str  # what was checked
    ok: bool
    message: str = ""


def is_kubernetes(type_token: str) -> bool:
    return type_token == PROVIDER_TYPE or type_token.startswith("kubernetes:")


def manifest(inputs: dict[str, Any]) -> dict[str, Any]:
    """The object as the API server would read it: Pulumi's wire format turns every number
    into a float, which the schemas' integer fields refuse."""
    from modelops.engine.plan import wire_numbers

    return {k: v for k, v in wire_numbers(inputs).items() if not k.startswith("__")}


def check(type_token: str, inputs: dict[str, Any]) -> ObjectCheck:
    if type_token == PROVIDER_TYPE:
        context = inputs.get("context")
        where = f"kubeconfig context {context}" if context else "the kubeconfig's current context"
        return ObjectCheck(OFFLINE, "kubernetes provider", True, f"{where}; no cluster is contacted")
    obj = manifest(inputs)
    if type_token == INFERENCE_SERVICE_TYPE:
        from modelops.kubernetes.kserve import inference_service_problems

        problems = inference_service_problems(obj)  # a wrong `kind` is one of them
        return ObjectCheck(KSERVE_RULES, "InferenceService", not problems, "; ".join(problems))
    return validate_core(obj)


def validate_core(obj: dict[str, Any]) -> ObjectCheck:
    import kubernetes_validate

    kind = str(obj.get("kind", "?"))
    # kubernetes-validate looks the schema up by both and raises KeyError without one
    missing = [key for key in ("apiVersion", "kind") if key not in obj]
    if missing:
        return ObjectCheck(K8S_VALIDATE, kind, False, f"(root): {' and '.join(missing)} required")
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path)
        return ObjectCheck(K8S_VALIDATE, kind, False, f"{path or '(root)'}: {exc.message}")
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError):
        # their messages are empty: name what was looked up
        message = f"no schema of {obj['apiVersion']} {kind} in Kubernetes {KUBERNETES_VERSION}"
        return ObjectCheck(K8S_VALIDATE, kind, False, message)
    return ObjectCheck(K8S_VALIDATE, kind, True)
