"""Live checks with boto3: `modelops verify` after a deploy, `modelops drift` any time.

The intended state is the program's own Plan, rendered with the live account (STS) and the live
registry (package ARNs and approval), so names and content digests match what `pulumi up`
created. Both commands only describe.

- verify: each endpoint InService on exactly the planned configuration, each monitoring
  schedule Scheduled on the planned job definition with no failed last execution, each feature
  group Created with every planned feature.
- drift: what can change outside Pulumi. The configuration each endpoint runs; variant weights
  and instance counts (UpdateEndpointWeightsAndCapacities), autoscaling limits, monitoring
  schedule expressions and feature-group TTLs are compared with the plan.
- both: the inference components of `serving.mode: component` models and the pools they run
  on, in `modelops.engine.live_components`. A component model has no endpoint of its own.

A failed endpoint update is silent. When an update fails, or its deployment guardrails trip an
auto-rollback alarm, SageMaker puts the endpoint back InService on its previous configuration
and reports why in `FailureReason` until the next update; `UpdateEndpoint` itself succeeded, so
the deploy that issued it looks green (terraform-provider-aws issues #39099 and #46663,
aws-controllers-k8s/sagemaker-controller PR #7; terraform-provider-aws PR #49020 notes the
reason may be empty). verify therefore compares the configuration and shows the reason.
Statuses: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeEndpoint.html
(botocore's `EndpointStatus` enum).

Kubernetes models (`serving.target: kubernetes`) are checked through the Kubernetes API by
`modelops.engine.live_kubernetes`, never with DescribeEndpoint. A stack whose models all serve on
kubernetes and own no feature group makes no AWS call; one without kubernetes models never
needs a cluster nor imports the kubernetes client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelops.engine.live_report import Check, LiveReport
from modelops.engine.plan import ENDPOINT_CONFIG, Plan, endpoint_variants
from modelops.engine.render import RecordingMocks, render

if TYPE_CHECKING:
    from modelops.engine.live_kubernetes import Cluster
    from modelops.spec.resolved_model import ResolvedModel
    from modelops.spec.stack import Pool

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ADDITIONS = "pulumi-python:dynamic/sagemaker:FeatureAdditions"
CONFIG = ENDPOINT_CONFIG
SCALING_TARGET = "aws:appautoscaling/target:Target"


class LiveIdentityMocks(RecordingMocks):
    """Render offline, but as the account the credentials belong to."""

    def call(self, args: Any) -> Any:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            import boto3

            identity = boto3.client("sts", region_name=self.region).get_caller_identity()
            return {
                "accountId": identity["Account"],
                "arn": identity["Arn"],
                "userId": identity["UserId"],
                "id": identity["Account"],
            }
        return super().call(args)


def _describe(call: Callable[..., Any], **request: Any) -> tuple[dict[str, Any] | None, str]:
    from botocore.exceptions import ClientError

    try:
        return dict(call(**request)), ""
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return None, f"{error.get('Code', 'Error')}: {error.get('Message', exc)}"


# DescribeEndpoint's EndpointStatus values other than InService, and why each fails verify.
# SystemUpdating is AWS maintenance that changes nothing the stack set, and the endpoint serves
# meanwhile, so it passes with a note. Creating and Updating fail: the deploy has not finished,
# and nothing says yet which configuration will end up serving.
ENDPOINT_STATUS_MEANING = {
    "Creating": "still being created, run verify again when it finishes",
    "Updating": "still updating, run verify again when it finishes",
    "RollingBack": "rolling back a weights or capacity change",
    "UpdateRollbackFailed": "the rolling deployment and its rollback both failed, it serves a mix of configurations",
    "Failed": "cannot serve, DeleteEndpoint is the only call it accepts",
    "OutOfService": "takes no requests",
    "Deleting": "being deleted",
}
SERVING = {"InService", "SystemUpdating"}


def _endpoint_check(name: str, intended: str, described: dict[str, Any]) -> Check:
    subject = f"endpoint {name}"
    status, running = described.get("EndpointStatus"), described.get("EndpointConfigName")
    reason = described.get("FailureReason") or ""
    if status not in SERVING:
        meaning = ENDPOINT_STATUS_MEANING.get(str(status), "not InService")
        pending = (described.get("PendingDeploymentSummary") or {}).get("EndpointConfigName")
        where = f"from {running} to {pending}" if pending and pending != running else f"on {running}"
        because = f": {reason}" if reason else ""
        return Check(subject, False, f"{status} {where} ({meaning}){because}")
    maintenance = " (AWS maintenance, still serving)" if status == "SystemUpdating" else ""
    if running != intended:
        if reason:
            return Check(subject, False, f"rolled back to {running}, the stack intends {intended}: {reason}")
        return Check(
            subject,
            False,
            f"runs {running}, the stack intends {intended} (an update rolled back without a FailureReason, "
            "or was never made)",
        )
    earlier = f" (an earlier update failed: {reason})" if reason else ""
    return Check(subject, True, f"{status} on {intended}{maintenance}{earlier}")


def _sagemaker_endpoints(plan: Plan, skip: frozenset[str]) -> list[Any]:
    """The plan's endpoints, less any named for a kubernetes model: those are not asked of SageMaker."""
    return [r for r in plan.by_type(ENDPOINT) if r.inputs["name"] not in skip]


def _endpoints(plan: Plan, client: Any, skip: frozenset[str] = frozenset()) -> Iterator[Check]:
    for resource in _sagemaker_endpoints(plan, skip):
        name, intended = resource.inputs["name"], resource.inputs["endpointConfigName"]
        described, error = _describe(client.describe_endpoint, EndpointName=name)
        if described is None:
            yield Check(f"endpoint {name}", False, error)
        else:
            yield _endpoint_check(name, intended, described)


def _schedules(plan: Plan, client: Any) -> Iterator[Check]:
    for resource in plan.by_type(SCHEDULE):
        name = resource.inputs["name"]
        intended = resource.inputs["monitoringScheduleConfig"]["monitoringJobDefinitionName"]
        described, error = _describe(client.describe_monitoring_schedule, MonitoringScheduleName=name)
        if described is None:
            yield Check(f"schedule {name}", False, error)
            continue
        status = described.get("MonitoringScheduleStatus")
        running = described.get("MonitoringScheduleConfig", {}).get("MonitoringJobDefinitionName")
        if status != "Scheduled":
            yield Check(f"schedule {name}", False, f"{status}: {described.get('FailureReason', 'not scheduled')}")
        elif running != intended:
            yield Check(f"schedule {name}", False, f"runs job definition {running}, the stack intends {intended}")
        else:
            yield _last_execution_check(name, intended, described.get("LastMonitoringExecutionSummary") or {})


def _last_execution_check(name: str, intended: str, last: dict[str, Any]) -> Check:
    """A schedule on its planned definition: its last run, if any, must not have failed.

    A Failed run (a job that could not read the capture, write the report or start) means the
    monitor watches nothing. CompletedWithViolations passes: the monitor worked and found
    something, which is its violation alarm's to report, not a deploy's fault. A failed run of a
    definition the stack has since replaced says nothing about the new one, which has not run yet.
    Fields: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringExecutionSummary.html
    """
    subject, scheduled = f"schedule {name}", f"Scheduled on {intended}"
    status = last.get("MonitoringExecutionStatus")
    if status is None:
        return Check(subject, True, f"{scheduled}, not run yet")
    ran = last.get("MonitoringJobDefinitionName") or intended
    reason = last.get("FailureReason") or "no FailureReason given"
    if status == "Failed" and ran == intended:
        return Check(subject, False, f"last execution Failed: {reason}")
    if ran != intended:
        return Check(subject, True, f"{scheduled}, not run yet (last execution {status}, of {ran})")
    return Check(subject, True, f"{scheduled}, last execution {status}")


def _feature_groups(plan: Plan, client: Any) -> Iterator[Check]:
    wanted = {r.inputs["featureGroupName"]: r.inputs["features"] for r in plan.by_type(ADDITIONS)}
    for resource in plan.by_type(GROUP):
        name = resource.inputs["featureGroupName"]
        described, error = _describe(client.describe_feature_group, FeatureGroupName=name)
        if described is None:
            yield Check(f"feature group {name}", False, error)
            continue
        live = {d["FeatureName"]: d["FeatureType"] for d in described.get("FeatureDefinitions", [])}
        missing = [f["FeatureName"] for f in wanted.get(name, []) if live.get(f["FeatureName"]) != f["FeatureType"]]
        status = described.get("FeatureGroupStatus")
        if status != "Created":
            yield Check(f"feature group {name}", False, f"{status}: {described.get('FailureReason', '')}".rstrip(": "))
        elif missing:
            yield Check(f"feature group {name}", False, f"lacks or mistypes {', '.join(missing)}")
        else:
            yield Check(f"feature group {name}", True, f"Created with all {len(live)} features")


def _intended(root: Path, stack: str) -> tuple[Plan, str]:
    from modelops.aws.registry import BotoRegistry
    from modelops.spec.stack import load_stack_file

    region = load_stack_file(root, stack)[0].region  # render checks everything else
    return render(root, stack, LiveIdentityMocks(region), BotoRegistry()), region


@dataclass(frozen=True)
class _Targets:
    """Where a stack's models run: which live checks it needs."""

    models: list[ResolvedModel]
    kubernetes: list[ResolvedModel]
    context: str | None  # modelops:kubernetes.context; None: the kubeconfig's current context
    needs_aws: bool
    # Endpoint names of kubernetes and component models, which have no endpoint of their own:
    # never described as one.
    skip_endpoints: frozenset[str]
    environment: str
    pools: dict[str, Pool]


def _targets(root: Path, stack: str) -> _Targets:
    from modelops.aws.naming import endpoint_name, pool_endpoint_name
    from modelops.engine.live_components import is_component
    from modelops.engine.live_kubernetes import is_kubernetes
    from modelops.spec.feature_store import deployed_groups
    from modelops.spec.loader import ProblemsFound
    from modelops.spec.resolve import load_project

    project = load_project(root, [stack])
    if project.problems:
        raise ProblemsFound(project.problems)
    config, _ = project.stacks[stack]
    models = project.resolved[stack]
    kubernetes = [m for m in models if is_kubernetes(m)]
    # AWS is asked whenever the stack has anything there (or nothing anywhere, as before).
    needs_aws = (
        not kubernetes
        or len(kubernetes) < len(models)
        or bool(deployed_groups(project.repo, models, config.environment))
    )
    # A pool's endpoint is checked as the pool (`live_components.pool_checks`), its configuration
    # included, once rather than twice.
    skip = frozenset(
        [endpoint_name(m.name, config.environment) for m in models if is_kubernetes(m) or is_component(m)]
        + [pool_endpoint_name(pool, config.environment) for pool in config.pools]
    )
    return _Targets(models, kubernetes, config.kubernetes.context, needs_aws, skip, config.environment, config.pools)


def _live(
    command: str,
    root: Path,
    stack: str,
    aws_checks: Callable[[Plan, str, _Targets], list[Check]],
    cluster_checks: Callable[[Cluster, list[ResolvedModel]], list[Check]],
) -> LiveReport:
    targets = _targets(root, stack)
    cluster = None
    if targets.kubernetes:
        from modelops.engine.live_kubernetes import connect

        cluster = connect(targets.context, stack)  # first: without a cluster, nothing is compared
    try:
        checks: list[Check] = []
        if targets.needs_aws:
            plan, region = _intended(root, stack)
            checks += aws_checks(plan, region, targets)
        if cluster is not None:
            checks += cluster_checks(cluster, targets.kubernetes)
    finally:
        if cluster is not None:
            cluster.close()
    against = [*(["AWS"] if targets.needs_aws else []), *([f"Kubernetes context {cluster.context}"] if cluster else [])]
    return LiveReport(command, stack, checks, " and ".join(against))


def _verify_aws(plan: Plan, region: str, targets: _Targets) -> list[Check]:
    import boto3

    from modelops.engine.live_components import component_checks, intended, pool_checks

    client = boto3.client("sagemaker", region_name=region)
    components, pools = intended(plan, targets.models, targets.environment, targets.pools)
    return [
        *_endpoints(plan, client, targets.skip_endpoints),
        *pool_checks(pools, _describe, client, judge_status=True),
        *component_checks(components, _describe, client, judge_status=True),
        *_schedules(plan, client),
        *_feature_groups(plan, client),
    ]


def verify(root: Path, stack: str) -> LiveReport:
    from modelops.engine.live_kubernetes import verify_checks

    return _live("verify", root, stack, _verify_aws, verify_checks)


def _variant_drift(
    plan: Plan, client: Any, limits: dict[str, tuple[int, int]], skip: frozenset[str] = frozenset()
) -> Iterator[Check]:
    configs = endpoint_variants(plan)
    for resource in _sagemaker_endpoints(plan, skip):
        name = resource.inputs["name"]
        described, error = _describe(client.describe_endpoint, EndpointName=name)
        if described is None:
            yield Check(f"endpoint {name}", False, error)
            continue
        intended, running = resource.inputs["endpointConfigName"], described.get("EndpointConfigName")
        if running != intended:
            # Another configuration's variants are not comparable with the plan's.
            reason = described.get("FailureReason")
            rolled_back = f" (an update rolled back: {reason})" if reason else ""
            yield Check(f"endpoint {name}", False, f"runs {running}, the stack intends {intended}{rolled_back}")
            continue
        yield Check(f"endpoint {name}", True, f"runs {intended}")
        live = {v["VariantName"]: v for v in described.get("ProductionVariants", [])}
        for variant in configs.get(intended, []):
            role, subject = variant["variantName"], f"endpoint {name} variant {variant['variantName']}"
            current = live.get(role)
            if current is None:
                yield Check(subject, False, "not running")
                continue
            weight, planned_weight = current.get("DesiredWeight"), variant.get("initialVariantWeight")
            if weight is not None and planned_weight is not None and float(weight) != float(planned_weight):
                yield Check(subject, False, f"weight {weight}, the stack intends {planned_weight}")
                continue
            count = current.get("DesiredInstanceCount")
            low, high = limits.get(f"endpoint/{name}/variant/{role}", _instance_bounds(variant))
            if count is not None and low is not None and not low <= count <= high:
                bounds = f"{low}" if low == high else f"{low}-{high}"
                yield Check(subject, False, f"{count} instances, the stack intends {bounds}")
                continue
            yield Check(subject, True, f"weight {weight}, {count} instances")


def _instance_bounds(variant: dict[str, Any]) -> tuple[Any, Any]:
    """A variant's instance count as the stack intends it without an autoscaling target: its
    initial count, or for a pool the range its managed instance scaling moves it in
    (ProductionVariantManagedInstanceScaling: SageMaker adds and removes instances as the copies
    need room, so any count within it is the stack's)."""
    managed = variant.get("managedInstanceScaling") or {}
    if managed.get("status") == "ENABLED":
        return managed.get("minInstanceCount"), managed.get("maxInstanceCount")
    return (variant.get("initialInstanceCount"),) * 2


def _scaling_drift(
    plan: Plan, region: str, skip: frozenset[str] = frozenset()
) -> tuple[list[Check], dict[str, tuple[int, int]]]:
    import boto3

    # endpoint/<name>/variant/<variant>; a component's copies (inference-component/<name>) are
    # compared with its spec in `modelops.engine.live_components`.
    planned = {
        r.inputs["resourceId"]: r.inputs
        for r in plan.by_type(SCALING_TARGET)
        if r.inputs["resourceId"].startswith("endpoint/") and r.inputs["resourceId"].split("/")[1] not in skip
    }
    limits = {rid: (int(t["minCapacity"]), int(t["maxCapacity"])) for rid, t in planned.items()}
    if not planned:
        return [], limits
    client = boto3.client("application-autoscaling", region_name=region)
    described, error = _describe(
        client.describe_scalable_targets, ServiceNamespace="sagemaker", ResourceIds=sorted(planned)
    )
    live = {t["ResourceId"]: t for t in (described or {}).get("ScalableTargets", [])}
    checks = []
    for resource_id, (low, high) in sorted(limits.items()):
        target = live.get(resource_id)
        if target is None:
            checks.append(Check(f"autoscaling {resource_id}", False, error or "not registered"))
        elif (target["MinCapacity"], target["MaxCapacity"]) != (low, high):
            checks.append(
                Check(
                    f"autoscaling {resource_id}",
                    False,
                    f"{target['MinCapacity']}-{target['MaxCapacity']} instances, the stack intends {low}-{high}",
                )
            )
        else:
            checks.append(Check(f"autoscaling {resource_id}", True, f"{low}-{high} instances"))
    return checks, limits


def _schedule_drift(plan: Plan, client: Any) -> Iterator[Check]:
    for resource in plan.by_type(SCHEDULE):
        name = resource.inputs["name"]
        intended = resource.inputs["monitoringScheduleConfig"]["scheduleConfig"]["scheduleExpression"]
        described, error = _describe(client.describe_monitoring_schedule, MonitoringScheduleName=name)
        if described is None:
            yield Check(f"schedule {name}", False, error)
            continue
        live = described.get("MonitoringScheduleConfig", {}).get("ScheduleConfig", {}).get("ScheduleExpression")
        status = described.get("MonitoringScheduleStatus")
        if status == "Stopped":
            yield Check(f"schedule {name}", False, "stopped outside the stack")
        elif live != intended:
            yield Check(f"schedule {name}", False, f"runs {live}, the stack intends {intended}")
        else:
            yield Check(f"schedule {name}", True, intended)


def _ttl_drift(plan: Plan, client: Any) -> Iterator[Check]:
    for resource in plan.by_type(GROUP):
        name = resource.inputs["featureGroupName"]
        intended = (resource.inputs.get("onlineStoreConfig") or {}).get("ttlDuration")
        described, error = _describe(client.describe_feature_group, FeatureGroupName=name)
        if described is None:
            yield Check(f"feature group {name}", False, error)
            continue
        live = (described.get("OnlineStoreConfig") or {}).get("TtlDuration")
        live_ttl = {"unit": live["Unit"], "value": live["Value"]} if live else None
        planned_ttl = {"unit": intended["unit"], "value": int(intended["value"])} if intended else None
        if live_ttl != planned_ttl:
            yield Check(f"feature group {name}", False, f"online TTL {live_ttl}, the stack intends {planned_ttl}")
        else:
            yield Check(f"feature group {name}", True, f"online TTL {planned_ttl}")


def _drift_aws(plan: Plan, region: str, targets: _Targets) -> list[Check]:
    import boto3

    from modelops.engine.live_components import component_checks, copy_scaling_drift, intended, pool_checks

    client = boto3.client("sagemaker", region_name=region)
    skip = targets.skip_endpoints
    scaling, limits = _scaling_drift(plan, region, skip)
    components, pools = intended(plan, targets.models, targets.environment, targets.pools)
    autoscaling = boto3.client("application-autoscaling", region_name=region) if components else None
    return [
        *_variant_drift(plan, client, limits, skip),
        *scaling,
        *pool_checks(pools, _describe, client, judge_status=False),
        *component_checks(components, _describe, client, judge_status=False),
        *copy_scaling_drift(components, _describe, autoscaling),
        *_schedule_drift(plan, client),
        *_ttl_drift(plan, client),
    ]


def drift(root: Path, stack: str) -> LiveReport:
    from modelops.engine.live_kubernetes import drift_checks

    return _live("drift", root, stack, _drift_aws, drift_checks)
