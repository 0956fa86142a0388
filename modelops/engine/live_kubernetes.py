"""Live checks of kubernetes models through the Kubernetes API: `verify` and `drift`.

The intended state comes from the stack's resolved models (the same pins `plan` renders), in the
shape docs/kubernetes.md fixes for what is rendered: per model M, objects named M in the
model's namespace, labelled `app.kubernetes.io/version: <spec version>`; `runtime: kserve` is an
InferenceService (predictor `minReplicas`/`maxReplicas`, a challenger pin as a `spec.canary`
entry of its `trafficPercent`), `runtime: deployment` a Deployment and an autoscaling/v2
HorizontalPodAutoscaler. Only GETs are made.

- verify: the InferenceService carries the intended version and source, KServe has reconciled
  its latest generation, its Ready condition is True and it splits traffic as the stack
  intends; or the Deployment runs the intended image, its controller has observed the latest
  generation, every replica is updated and at least the stack's minimum are available, and its
  HorizontalPodAutoscaler is able to scale.
- drift: what `kubectl edit`, `kubectl scale` or a patch can change: the version and source of
  the object, its replica bounds (predictor or HorizontalPodAutoscaler) and the canary percent.

The cluster is the kubeconfig context the stack names (`modelops:kubernetes.context`; unset:
the kubeconfig's current context), read from KUBECONFIG or ~/.kube/config as kubectl does. A
cluster that cannot be reached raises ClusterUnavailable: nothing was compared, so it is an
error (exit 3), not a finding. The `kubernetes` client is imported only here, and only for a
stack that has kubernetes models.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modelops.engine.live_report import Check
from modelops.errors import ClusterUnavailable
from modelops.spec.models import KubernetesServing

if TYPE_CHECKING:
    from modelops.spec.resolved_model import ResolvedModel

VERSION_LABEL = "app.kubernetes.io/version"
ISVC_PATH = "/apis/serving.kserve.io/v1beta1/namespaces/{namespace}/inferenceservices/{name}"
DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
HPA_PATH = "/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}"
DEFAULT_KUBECONFIG = "~/.kube/config"
# (connect, read) seconds: an address that does not answer must not hang a deploy job.
REQUEST_TIMEOUT = (5, 30)
RETRIES = 1


@dataclass(frozen=True)
class Source:
    version: str
    artifact: str | None
    image: str | None

    def describe(self) -> str:
        return " with ".join(s for s in (self.artifact, self.image) if s) or "nothing"


@dataclass(frozen=True)
class Intended:
    """What the stack intends for one kubernetes model, in the rendered objects' terms."""

    name: str
    namespace: str
    runtime: str  # kserve | deployment
    primary: Source
    min_replicas: int
    max_replicas: int
    canary: Source | None = None
    canary_percent: int = 0

    @property
    def version(self) -> str:
        return self.primary.version

    @property
    def bounds(self) -> str:
        return f"{self.min_replicas}-{self.max_replicas}"

    def split(self) -> str:
        if self.canary is None:
            return "no canary"
        return (
            f"{100 - self.canary_percent}% to {self.version} and {self.canary_percent}% to canary {self.canary.version}"
        )


def is_kubernetes(model: ResolvedModel) -> bool:
    return model.spec.serving.target == "kubernetes"


def intended(model: ResolvedModel) -> Intended:
    serving = model.spec.serving.kubernetes or KubernetesServing()
    challenger = model.challenger

    def source(variant: Any) -> Source:
        return Source(variant.version, variant.spec.model.artifact, variant.spec.model.image)

    return Intended(
        name=model.name,
        namespace=serving.namespace,
        runtime=serving.runtime,
        primary=source(model.primary),
        min_replicas=serving.min_replicas,
        max_replicas=serving.max_replicas,
        canary=source(challenger) if challenger else None,
        canary_percent=challenger.percent if challenger else 0,
    )


# -- the cluster -----------------------------------------------------------------------------


class Cluster:
    """A read-only view of one cluster through the kubernetes client's ApiClient."""

    def __init__(self, api: Any, context: str):
        self.api = api
        self.context = context

    @property
    def host(self) -> str:
        return str(self.api.configuration.host)

    def get(self, template: str, namespace: str, name: str) -> tuple[dict[str, Any] | None, str]:
        """(object, "") or (None, "<reason>: <message>") as the API server answered.

        A failure to reach the server, or credentials it rejects, raise ClusterUnavailable.
        """
        import urllib3
        from kubernetes.client.exceptions import ApiException

        try:
            found = self.api.call_api(
                template,
                "GET",
                path_params={"namespace": namespace, "name": name},
                header_params={"Accept": "application/json"},
                response_type="object",
                auth_settings=["BearerToken"],
                _return_http_data_only=True,
                _request_timeout=REQUEST_TIMEOUT,
            )
        except ApiException as exc:
            if exc.status in (0, None):  # the client's own wrapping of a TLS failure
                raise ClusterUnavailable(self._unreachable(exc.reason)) from None
            if exc.status == 401:
                raise ClusterUnavailable(
                    f"context {self.context}: the API server at {self.host} rejected the credentials "
                    "(401 Unauthorized); refresh them (for EKS, `aws eks update-kubeconfig`)"
                ) from None
            return None, _status_message(exc)
        except urllib3.exceptions.HTTPError as exc:
            raise ClusterUnavailable(self._unreachable(getattr(exc, "reason", None) or exc)) from None
        if not isinstance(found, dict):
            return None, f"the API server answered {type(found).__name__}, not an object"
        return found, ""

    def close(self) -> None:
        self.api.close()

    def _unreachable(self, reason: object) -> str:
        return f"context {self.context}: cannot reach the API server at {self.host}: {reason}"


def _status_message(exc: Any) -> str:
    """`<reason>: <message>` from the API server's Status body (`NotFound: ... not found`)."""
    try:
        status = json.loads(exc.body or b"")
    except (TypeError, ValueError):
        status = None
    if isinstance(status, dict) and status.get("message"):
        return f"{status.get('reason') or exc.reason}: {status['message']}"
    return f"{exc.status} {exc.reason}"


def connect(context: str | None, stack: str) -> Cluster:
    """An ApiClient on the stack's kubeconfig context; ClusterUnavailable when there is none."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigMerger

    where = os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG
    stack_context = f"modelops:kubernetes.context of stack {stack}"
    try:
        merged = KubeConfigMerger(where).config
    except (ConfigException, OSError, ValueError) as exc:
        raise ClusterUnavailable(f"cannot read the kubeconfig {where}: {exc}") from None
    if merged is None:
        raise ClusterUnavailable(
            f"no kubeconfig at {where} (set KUBECONFIG): stack {stack} has kubernetes models and no cluster "
            "to check them on"
        )
    document = merged.value
    names = [str(c["name"]) for c in document.get("contexts") or [] if "name" in c]
    if context is None:
        context = document.get("current-context") or None
        if context is None:
            raise ClusterUnavailable(
                f"the kubeconfig {where} has no current context; set {stack_context} "
                f"(contexts: {', '.join(names) or 'none'})"
            )
    if context not in names:
        known = ", ".join(names) or "none"
        raise ClusterUnavailable(
            f"the kubeconfig {where} has no context {context!r} ({stack_context}; contexts: {known})"
        )
    configuration = client.Configuration()
    try:
        config.load_kube_config(
            config_file=where, context=context, client_configuration=configuration, persist_config=False
        )
    except (ConfigException, OSError, ValueError) as exc:
        raise ClusterUnavailable(f"kubeconfig context {context}: {exc}") from None
    configuration.retries = RETRIES
    return Cluster(client.ApiClient(configuration), context)


# -- reading the objects ---------------------------------------------------------------------


def _labels(obj: dict[str, Any]) -> dict[str, Any]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == kind:
            return condition
    return None


def _because(condition: dict[str, Any] | None) -> str:
    if condition is None:
        return "no condition reported"
    reason, message = condition.get("reason") or "", condition.get("message") or ""
    return ": ".join(p for p in (reason, message) if p) or "no reason given"


def _unreconciled(obj: dict[str, Any], controller: str) -> str | None:
    generation = (obj.get("metadata") or {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    if isinstance(generation, int) and isinstance(observed, int) and observed < generation:
        return (
            f"{controller} has not yet acted on generation {generation} (observed {observed}), "
            "run verify again when it finishes"
        )
    return None


def _predictor_sources(predictor: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(storage URIs, images) a predictor names, wherever KServe lets it name them: the `model`
    or a framework key, `storageUris`, its containers and their STORAGE_URI variable."""
    uris: set[str] = set()
    images: set[str] = set()

    def container(item: dict[str, Any]) -> None:
        for key, into in (("storageUri", uris), ("image", images)):
            if isinstance(item.get(key), str):
                into.add(item[key])
        for variable in item.get("env") or []:
            if isinstance(variable, dict) and variable.get("name") == "STORAGE_URI" and variable.get("value"):
                uris.add(str(variable["value"]))

    for key, value in predictor.items():
        if key == "containers" and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    container(item)
        elif key == "storageUris" and isinstance(value, list):
            uris.update(str(u["uri"]) for u in value if isinstance(u, dict) and u.get("uri"))
        elif isinstance(value, dict):
            container(value)
    return uris, images


def _source_problem(predictor: dict[str, Any], want: Source, role: str) -> str | None:
    uris, images = _predictor_sources(predictor)
    if (want.artifact is None or want.artifact in uris) and (want.image is None or want.image in images):
        return None
    serves = ", ".join(sorted(uris | images)) or "nothing"
    return f"the {role} serves {serves}, the stack intends {want.version}: {want.describe()}"


def _version_problem(obj: dict[str, Any], want: Intended) -> str | None:
    labelled = _labels(obj).get(VERSION_LABEL)
    if labelled == want.version:
        return None
    return f"labelled {VERSION_LABEL} {labelled or '(none)'}, the stack intends {want.version}"


def _image_problem(deployment: dict[str, Any], want: Intended) -> str | None:
    """The version label, then the containers' images, against the stack's."""
    containers = ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
    images = [str(c.get("image")) for c in containers if isinstance(c, dict)]
    problem = _version_problem(deployment, want)
    if problem is None and want.primary.image is not None and want.primary.image not in images:
        problem = f"runs image {', '.join(images) or '(none)'}, the stack intends {want.primary.image}"
    return problem


def _canaries(isvc: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in (isvc.get("spec") or {}).get("canary") or [] if isinstance(c, dict)]


def _spec_canary_percents(isvc: dict[str, Any]) -> list[Any]:
    return [c.get("trafficPercent") for c in _canaries(isvc)]


def _percents(values: list[Any]) -> str:
    return ", ".join(f"{v}%" for v in values)


# -- verify ----------------------------------------------------------------------------------


def _verify_inference_service(want: Intended, isvc: dict[str, Any]) -> Check:
    subject = f"inferenceservice {want.namespace}/{want.name}"
    predictor = (isvc.get("spec") or {}).get("predictor") or {}
    problem = (
        _version_problem(isvc, want)
        or _source_problem(predictor, want.primary, "predictor")
        or _unreconciled(isvc, "KServe")
    )
    if problem:
        return Check(subject, False, problem)
    ready = _condition(isvc, "Ready")
    if ready is None or ready.get("status") != "True":
        state = "not Ready" if ready is None else f"Ready {ready.get('status')}"
        return Check(subject, False, f"{state} on {want.version}: {_because(ready)}")
    problem = _canary_problem(want, isvc)
    if problem:
        return Check(subject, False, problem)
    canary = f", {want.canary_percent}% to canary {want.canary.version}" if want.canary else ""
    return Check(subject, True, f"Ready on {want.version}{canary}")


def _canary_problem(want: Intended, isvc: dict[str, Any]) -> str | None:
    """The split KServe reports (the predictor's traffic, else the canary statuses), else the spec's."""
    canaries = _canaries(isvc)
    if want.canary is not None and canaries:
        problem = _source_problem(canaries[0].get("predictor") or {}, want.canary, "canary")
        if problem:
            return problem
    status = isvc.get("status") or {}
    traffic = ((status.get("components") or {}).get("predictor") or {}).get("traffic")
    if traffic:
        live = [t for t in traffic if isinstance(t, dict) and isinstance(t.get("percent"), int) and t["percent"] > 0]
        wanted = sorted([100 - want.canary_percent, want.canary_percent] if want.canary else [100])
        if sorted(int(t["percent"]) for t in live) == wanted:
            return None
        routes = ", ".join(
            f"{t.get('percent')}% to {t.get('revisionName') or t.get('tag') or 'a revision'}" for t in live
        )
        return f"routes {routes or 'no traffic'}, the stack intends {want.split()}"
    statuses = [s for s in status.get("canaryStatuses") or [] if isinstance(s, dict)]
    if statuses:
        not_ready = [s for s in statuses if s.get("ready") is False]
        if not_ready and want.canary is not None:
            return f"canary {not_ready[0].get('name') or want.canary.version} is not ready"
        live_percents = [s.get("trafficPercent") for s in statuses]
    else:
        live_percents = _spec_canary_percents(isvc)
    wanted_percents = [want.canary_percent] if want.canary else []
    if live_percents == wanted_percents:
        return None
    live_text = f"a canary at {_percents(live_percents)}" if live_percents else "no canary"
    return f"serves {live_text}, the stack intends {want.split()}"


def _verify_deployment(want: Intended, deployment: dict[str, Any]) -> Check:
    subject = f"deployment {want.namespace}/{want.name}"
    problem = _image_problem(deployment, want) or _unreconciled(deployment, "the deployment controller")
    if problem:
        return Check(subject, False, problem)
    status = deployment.get("status") or {}
    progressing = _condition(deployment, "Progressing")
    if progressing and progressing.get("status") == "False":
        return Check(subject, False, f"rollout of {want.version} stalled: {_because(progressing)}")
    replicas, updated = int(status.get("replicas") or 0), int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated != replicas:
        return Check(
            subject,
            False,
            f"still rolling out {want.version}: {updated} of {replicas} replicas updated, "
            "run verify again when it finishes",
        )
    if available < want.min_replicas:
        why = _condition(deployment, "Available")
        because = f": {_because(why)}" if why and why.get("status") != "True" else ""
        return Check(
            subject,
            False,
            f"{available} of {replicas} replicas of {want.version} available, the stack intends at least "
            f"{want.min_replicas}{because}",
        )
    return Check(subject, True, f"rolled out {want.version} ({want.primary.image}), {available} replicas available")


def _verify_autoscaler(want: Intended, hpa: dict[str, Any]) -> Check:
    subject = f"horizontalpodautoscaler {want.namespace}/{want.name}"
    for kind in ("AbleToScale", "ScalingActive"):
        condition = _condition(hpa, kind)
        if condition is not None and condition.get("status") == "False":
            return Check(subject, False, f"{kind} False: {_because(condition)}")
    spec, current = hpa.get("spec") or {}, (hpa.get("status") or {}).get("currentReplicas")
    now = f", {current} now" if current is not None else ""
    return Check(subject, True, f"scales {spec.get('minReplicas')}-{spec.get('maxReplicas')} replicas{now}")


def verify_checks(cluster: Cluster, models: list[ResolvedModel]) -> list[Check]:
    checks: list[Check] = []
    for want in (intended(m) for m in models if is_kubernetes(m)):
        if want.runtime == "kserve":
            isvc, error = cluster.get(ISVC_PATH, want.namespace, want.name)
            subject = f"inferenceservice {want.namespace}/{want.name}"
            checks.append(Check(subject, False, error) if isvc is None else _verify_inference_service(want, isvc))
            continue
        deployment, error = cluster.get(DEPLOYMENT_PATH, want.namespace, want.name)
        subject = f"deployment {want.namespace}/{want.name}"
        checks.append(Check(subject, False, error) if deployment is None else _verify_deployment(want, deployment))
        hpa, error = cluster.get(HPA_PATH, want.namespace, want.name)
        subject = f"horizontalpodautoscaler {want.namespace}/{want.name}"
        checks.append(Check(subject, False, error) if hpa is None else _verify_autoscaler(want, hpa))
    return checks


# -- drift -----------------------------------------------------------------------------------


def _bounds_check(subject: str, want: Intended, holder: dict[str, Any]) -> Check:
    low, high = holder.get("minReplicas"), holder.get("maxReplicas")
    if (low, high) == (want.min_replicas, want.max_replicas):
        return Check(subject, True, f"{want.bounds} replicas")
    live = f"{'unset' if low is None else low}-{'unset' if high is None else high}"
    return Check(subject, False, f"{live} replicas, the stack intends {want.bounds}")


def _drift_inference_service(want: Intended, isvc: dict[str, Any]) -> Iterator[Check]:
    subject = f"inferenceservice {want.namespace}/{want.name}"
    predictor = (isvc.get("spec") or {}).get("predictor") or {}
    problem = _version_problem(isvc, want) or _source_problem(predictor, want.primary, "predictor")
    yield Check(subject, problem is None, problem or f"runs {want.version}")
    yield _bounds_check(f"{subject} replicas", want, predictor)
    live = _spec_canary_percents(isvc)
    wanted = [want.canary_percent] if want.canary else []
    if live == wanted:
        yield Check(
            f"{subject} canary", True, f"{_percents(wanted)} to {want.canary.version}" if want.canary else "none"
        )
    elif not live:
        yield Check(f"{subject} canary", False, f"none, the stack intends {want.split()}")
    elif want.canary is None:
        yield Check(f"{subject} canary", False, f"at {_percents(live)}, the stack intends none")
    else:
        yield Check(f"{subject} canary", False, f"at {_percents(live)}, the stack intends {want.canary_percent}%")


def _drift_deployment(want: Intended, cluster: Cluster) -> Iterator[Check]:
    subject = f"deployment {want.namespace}/{want.name}"
    deployment, error = cluster.get(DEPLOYMENT_PATH, want.namespace, want.name)
    if deployment is None:
        yield Check(subject, False, error)
    else:
        problem = _image_problem(deployment, want)
        yield Check(subject, problem is None, problem or f"runs {want.version} ({want.primary.image})")
    subject = f"horizontalpodautoscaler {want.namespace}/{want.name}"
    hpa, error = cluster.get(HPA_PATH, want.namespace, want.name)
    yield Check(subject, False, error) if hpa is None else _bounds_check(subject, want, hpa.get("spec") or {})


def drift_checks(cluster: Cluster, models: list[ResolvedModel]) -> list[Check]:
    checks: list[Check] = []
    for want in (intended(m) for m in models if is_kubernetes(m)):
        if want.runtime == "kserve":
            isvc, error = cluster.get(ISVC_PATH, want.namespace, want.name)
            subject = f"inferenceservice {want.namespace}/{want.name}"
            checks += [Check(subject, False, error)] if isvc is None else list(_drift_inference_service(want, isvc))
        else:
            checks += list(_drift_deployment(want, cluster))
    return checks
