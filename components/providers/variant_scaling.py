"""Variant autoscaling taken off before an endpoint update AWS would refuse, and put back after.

"If the update would change the instance type for any model that is a target for automatic
scaling, the update fails ... Before you update the endpoint, delete any scaling policies
configured for it and deregister the variant as a scalable target ... After you update the
endpoint, you can register the updated variant as a scalable target and attach an automatic
scaling policy" ("Update or delete endpoints that use automatic scaling",
docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-delete.html). Removing an
autoscaled variant fails the same way. pulumi-aws's Endpoint calls UpdateEndpoint directly, and
its appautoscaling Target and Policy depend on the endpoint, so they can only act after it.

Two resources of this module bracket the endpoint:
- `ScalingPause` (the endpoint depends on it) holds the autoscaled production variants and
  their instance types. When a variant's instance type changes, or the variant or its
  autoscaling goes away, it records that variant's scalable target and policies and
  deregisters it (which deletes its policies), before UpdateEndpoint runs.
- `ScalingResume` (depends on the endpoint; the variant's Target and Policy depend on it)
  re-registers each paused variant that still exists with the same limits and policies, and
  re-points any alarm whose action named a re-created policy (a policy's ARN changes when it
  is created again). pulumi-aws's Target and Policy then apply whatever the new version changes.
  Pulumi's state keeps the old policy ARN until the next `pulumi up --refresh`.

UpdateEndpoint also resets every variant to its new configuration's initial instance count,
and pulumi-aws offers no RetainAllVariantProperties (terraform-provider-aws issue #48990):
an endpoint the autoscaler had scaled out drops back at every deploy. So the pause runs on
every configuration change and records the instance count each autoscaled variant runs at;
the resume sets it back (UpdateEndpointWeightsAndCapacities, within the new version's limits)
for each variant whose instance type did not change, instead of waiting for the autoscaler's
alarms to notice. The new fleet still starts at `instance_count`: that moment is the
provider's, not ours.

terraform-provider-aws's appautoscaling target.go and policy.go treat ObjectNotFound on
delete as deleted, so a removed variant's Target and Policy, already deregistered here,
delete cleanly afterwards.

This module is imported by Pulumi's dynamic provider host to unpickle the providers: it must
stay free of import-time side effects.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from components.providers import aws_clients
from components.providers.request_shape import shaped_request

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
POLICY_KEYS = (
    "PolicyName",
    "PolicyType",
    "StepScalingPolicyConfiguration",
    "TargetTrackingScalingPolicyConfiguration",
)


def resource_id(endpoint_name: str, variant: str) -> str:
    return f"endpoint/{endpoint_name}/variant/{variant}"


def _plain(value: Any) -> Any:
    """A describe response as engine-safe data (no datetimes)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not hasattr(v, "isoformat")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def snapshot(region: str, endpoint_name: str, variant: str) -> dict[str, Any] | None:
    """The variant's scalable target and policies, or None when it is not registered."""
    scaling = aws_clients.client("application-autoscaling", region)
    rid = resource_id(endpoint_name, variant)
    targets = scaling.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[rid], ScalableDimension=DIMENSION
    ).get("ScalableTargets", [])
    if not targets:
        return None
    policies = scaling.describe_scaling_policies(
        ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION
    ).get("ScalingPolicies", [])
    return {
        "variant": variant,
        "minCapacity": targets[0]["MinCapacity"],
        "maxCapacity": targets[0]["MaxCapacity"],
        "policies": [
            {"arn": p["PolicyARN"], "request": _plain({k: p[k] for k in POLICY_KEYS if k in p})} for p in policies
        ],
    }


def running_counts(region: str, endpoint_name: str, olds: dict[str, str], news: dict[str, str]) -> dict[str, int]:
    """The instance count of each autoscaled variant that keeps its instance type."""
    from botocore.exceptions import ClientError

    try:
        described = aws_clients.client("sagemaker", region).describe_endpoint(EndpointName=endpoint_name)
    except ClientError:
        return {}
    counts = {}
    for variant in described.get("ProductionVariants", []):
        name = variant["VariantName"]
        count = variant.get("DesiredInstanceCount", variant.get("CurrentInstanceCount"))
        if name in olds and news.get(name) == olds[name] and count is not None:
            counts[name] = int(count)
    return counts


def restore_counts(
    region: str, endpoint_name: str, counts: dict[str, int], limits: dict[str, list[int]]
) -> dict[str, int]:
    """Set each variant back to the count it ran at, within its new limits; returns what was set."""
    desired = {}
    for variant, count in sorted(counts.items()):
        if variant in limits:
            low, high = (int(v) for v in limits[variant])
            desired[variant] = min(max(int(count), low), high)
    if desired:
        aws_clients.client("sagemaker", region).update_endpoint_weights_and_capacities(
            EndpointName=endpoint_name,
            DesiredWeightsAndCapacities=[{"VariantName": v, "DesiredInstanceCount": n} for v, n in desired.items()],
        )
    return desired


def pause(region: str, endpoint_name: str, olds: dict[str, str], news: dict[str, str]) -> list[dict[str, Any]]:
    """Deregister every variant of `olds` whose instance type changes or that loses autoscaling."""
    from botocore.exceptions import ClientError

    paused = []
    for variant, instance_type in sorted(olds.items()):
        if news.get(variant) == instance_type:
            continue
        saved = snapshot(region, endpoint_name, variant)
        if saved is None:
            continue
        scaling = aws_clients.client("application-autoscaling", region)
        rid = resource_id(endpoint_name, variant)
        # As the guide says: delete the policies, then deregister (which would delete them too).
        calls = [(scaling.delete_scaling_policy, {"PolicyName": p["request"]["PolicyName"]}) for p in saved["policies"]]
        calls.append((scaling.deregister_scalable_target, {}))
        for call, request in calls:
            try:
                call(ServiceNamespace=NAMESPACE, ResourceId=rid, ScalableDimension=DIMENSION, **request)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ObjectNotFoundException":
                    raise
        paused.append(saved)
    return paused


def resume(region: str, endpoint_name: str, variants: dict[str, str], paused: list[dict[str, Any]]) -> list[str]:
    """Register each paused variant that still exists again, with its policies; re-point the
    alarms that named a policy by its old ARN. Returns the variants resumed."""
    scaling = aws_clients.client("application-autoscaling", region)
    resumed = []
    for saved in paused:
        variant = saved["variant"]
        if variant not in variants:
            continue
        rid = resource_id(endpoint_name, variant)
        scaling.register_scalable_target(
            **shaped_request(
                scaling,
                "register_scalable_target",
                {
                    "ServiceNamespace": NAMESPACE,
                    "ResourceId": rid,
                    "ScalableDimension": DIMENSION,
                    "MinCapacity": saved["minCapacity"],
                    "MaxCapacity": saved["maxCapacity"],
                },
            )
        )
        for policy in saved["policies"]:
            request = {
                **policy["request"],
                "ServiceNamespace": NAMESPACE,
                "ResourceId": rid,
                "ScalableDimension": DIMENSION,
            }
            created = scaling.put_scaling_policy(**shaped_request(scaling, "put_scaling_policy", request))
            if created["PolicyARN"] != policy["arn"]:
                _repoint_alarms(region, policy["arn"], created["PolicyARN"])
        resumed.append(variant)
    return resumed


def _repoint_alarms(region: str, old_arn: str, new_arn: str) -> None:
    cloudwatch = aws_clients.client("cloudwatch", region)
    members = cloudwatch.meta.service_model.operation_model("PutMetricAlarm").input_shape.members
    for alarm in cloudwatch.describe_alarms(ActionPrefix=old_arn).get("MetricAlarms", []):
        request = {k: v for k, v in _plain(alarm).items() if k in members}
        request["AlarmActions"] = [new_arn if a == old_arn else a for a in alarm.get("AlarmActions", [])]
        cloudwatch.put_metric_alarm(**request)


def _changes(olds: dict[str, Any], news: dict[str, Any], keys: tuple[str, ...]) -> DiffResult:
    changed = any(olds.get(k) != news.get(k) for k in keys)
    return DiffResult(changes=changed, replaces=[], stables=[], delete_before_replace=False)


def _resume(props: dict[str, Any]) -> dict[str, Any]:
    region, endpoint = props["region"], props["endpointName"]
    resumed = resume(region, endpoint, props["variants"], props.get("paused") or [])
    restored = restore_counts(region, endpoint, props.get("counts") or {}, props.get("limits") or {})
    return {"resumed": resumed, "restored": restored}


class ScalingPauseProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["endpointName"], {**props, "paused": [], "counts": {}})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changes(olds, news, ("variants", "endpointConfigName", "endpointName", "region"))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        region, endpoint, before = news["region"], news["endpointName"], olds.get("variants") or {}
        counts = running_counts(region, endpoint, before, news["variants"])
        paused = pause(region, endpoint, before, news["variants"])
        return UpdateResult({**news, "paused": paused, "counts": counts})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to undo: the endpoint's own deletion follows."""


class ScalingResumeProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["endpointName"], {**props, **_resume(props)})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changes(olds, news, ("paused", "counts", "limits", "variants", "endpointName", "region"))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, **_resume(news)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to undo: the variant's Target and Policy own the registration."""


class ScalingPause(pulumi.dynamic.Resource, module="sagemaker", name="ScalingPause"):
    paused: pulumi.Output[list[dict[str, Any]]]
    counts: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        name: str,
        region: str,
        endpoint_name: str,
        endpoint_config_name: pulumi.Input[str],
        variants: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "region": region,
            "endpointName": endpoint_name,
            "endpointConfigName": endpoint_config_name,
            "variants": variants,
            "paused": None,
            "counts": None,
        }
        super().__init__(ScalingPauseProvider(), name, props, opts)


class ScalingResume(pulumi.dynamic.Resource, module="sagemaker", name="ScalingResume"):
    resumed: pulumi.Output[list[str]]
    restored: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        name: str,
        region: str,
        endpoint_name: str,
        variants: dict[str, str],
        limits: dict[str, list[int]],
        pause: ScalingPause,
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "region": region,
            "endpointName": endpoint_name,
            "variants": variants,
            "limits": limits,
            "paused": pause.paused,
            "counts": pause.counts,
            "resumed": None,
            "restored": None,
        }
        super().__init__(ScalingResumeProvider(), name, props, opts)
