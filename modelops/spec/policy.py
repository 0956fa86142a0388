"""Spec-level governance by environment (docs/spec-language.md, 'Governance by environment').

Pure functions over a spec merged for its environment. Resource-level rules (tags on every
resource, IAM without wildcards, KMS on every encryptable input) run over the rendered
resources in `modelops.rules`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from modelops.spec.loader import FieldPath
from modelops.spec.models import ModelSpec
from modelops.spec.stack import StackConfig


@dataclass(frozen=True)
class PolicyFinding:
    rule: str
    path: FieldPath
    message: str


STRICT = ("staging", "prod")


def spec_findings(spec: ModelSpec, environment: str) -> Iterator[PolicyFinding]:
    serving = spec.serving
    if environment in STRICT and spec.approval == "none" and spec.model.artifact and not spec.model.sha256:
        yield PolicyFinding(
            "pinned-artifact",
            ("model", "sha256"),
            f"{environment} requires approval: none models to pin their artifact with sha256",
        )
    if environment != "prod":
        return
    if serving.target == "kubernetes":
        yield from _kubernetes_prod_findings(spec)
        return
    if serving.mode == "realtime":
        if serving.instance_count < 2:
            yield PolicyFinding(
                "prod-redundancy",
                ("serving", "instance_count"),
                "prod requires instance_count >= 2 for realtime endpoints",
            )
        if serving.autoscaling is not None and serving.autoscaling.min_instances < 2:
            yield PolicyFinding(
                "prod-redundancy",
                ("serving", "autoscaling", "min_instances"),
                "prod requires min_instances >= 2 for realtime endpoints",
            )
    if not serving.data_capture.enabled:
        yield PolicyFinding("prod-data-capture", ("serving", "data_capture", "enabled"), "prod requires data capture")
    if serving.rollout.strategy == "all_at_once":
        yield PolicyFinding(
            "prod-guarded-rollout",
            ("serving", "rollout", "strategy"),
            "prod requires a guarded rollout (canary, linear or rolling), not all_at_once",
        )
    monitoring = spec.monitoring
    risk = spec.metadata.risk
    # A model on a pool can have no monitor (docs/pools.md, 'What a pool gives up'): say so here,
    # or prod would ask for the monitor that the component rules refuse.
    unmonitorable = (
        ", which a model on a pool cannot have (Model Monitor watches an endpoint hosting one model): serve it "
        "on an endpoint of its own in prod (mode realtime in the prod override)"
        if serving.mode == "component"
        else ""
    )
    if risk in ("medium", "high") and not monitoring.model_quality.enabled:
        yield PolicyFinding(
            "prod-risk-monitors",
            ("monitoring", "model_quality", "enabled"),
            f"risk {risk} requires the model_quality monitor in prod{unmonitorable}",
        )
    if risk == "high":
        for name in ("bias", "explainability"):
            if not getattr(monitoring, name).enabled:
                yield PolicyFinding(
                    "prod-risk-monitors",
                    ("monitoring", name, "enabled"),
                    f"risk high requires the {name} monitor in prod{unmonitorable}",
                )


def _kubernetes_prod_findings(spec: ModelSpec) -> Iterator[PolicyFinding]:
    """Prod's governance for a model served on kubernetes (docs/kubernetes.md, 'Governance').

    What applies as on SageMaker: redundancy (min_replicas, since each replica is a pod),
    a rollout that never takes serving capacity away (rolling: maxSurge with 0 unavailable;
    all_at_once is a Recreate), and data capture where modelops renders one (KServe's payload
    logger). What does not: the risk-driven monitors are SageMaker Model Monitor jobs over an
    endpoint's capture, which kubernetes serving cannot run (docs/kubernetes.md), and a plain
    Deployment has no capture modelops could wire; both are listed as gaps in docs/kubernetes.md."""
    serving = spec.serving
    k8s = serving.kubernetes
    replicas = k8s.min_replicas if k8s else 1
    if replicas < 2:
        yield PolicyFinding(
            "prod-redundancy", ("serving", "kubernetes", "min_replicas"), "prod requires min_replicas >= 2"
        )
    runtime = k8s.runtime if k8s else "kserve"
    if runtime == "kserve" and not serving.data_capture.enabled:
        yield PolicyFinding(
            "prod-data-capture",
            ("serving", "data_capture", "enabled"),
            "prod requires data capture (on kubernetes, KServe's payload logger)",
        )
    if serving.rollout.strategy == "all_at_once":
        yield PolicyFinding(
            "prod-guarded-rollout",
            ("serving", "rollout", "strategy"),
            "prod requires a rolling rollout on kubernetes, not all_at_once (a Recreate stops every replica first)",
        )


@dataclass(frozen=True)
class StackUse:
    """What the models a stack pins put on AWS: VPC config goes on SageMaker models and
    monitoring jobs; the stack's KMS key on SageMaker endpoints, capture, monitoring outputs and
    feature groups. A model served on kubernetes runs in the cluster's own network and writes
    neither, so a stack of kubernetes models alone needs no modelops:vpc (and, without feature
    groups, no modelops:kmsKeyArn)."""

    sagemaker: bool = True
    feature_groups: bool = True


def stack_findings(stack: StackConfig, use: StackUse = StackUse()) -> Iterator[PolicyFinding]:
    if stack.environment in STRICT:
        if stack.vpc is None and use.sagemaker:
            yield PolicyFinding(
                "vpc-required", ("vpc",), f"{stack.environment} requires modelops:vpc for models and monitoring jobs"
            )
        if stack.kms_key_arn is None and (use.sagemaker or use.feature_groups):
            yield PolicyFinding(
                "kms-required",
                ("kms_key_arn",),
                f"{stack.environment} requires modelops:kmsKeyArn for endpoint storage, capture, "
                "feature store and monitoring outputs",
            )
