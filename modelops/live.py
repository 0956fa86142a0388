"""`modelops verify`: after a deploy, does AWS run what the stack intends?

The intended state is the program's own Plan, rendered with the live account (STS) and the live
registry (package ARNs and approval), so names and content digests match what `pulumi up`
created. Each endpoint must be InService on exactly the planned configuration, each monitoring
schedule Scheduled on the planned job definition, each feature group Created with every planned
feature. Read-only: verify only describes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelops.render import Plan, RecordingMocks, render

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ADDITIONS = "pulumi-python:dynamic/sagemaker:FeatureAdditions"


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    message: str


@dataclass
class VerifyReport:
    stack: str
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def summary(self) -> str:
        lines = [f"verify stack {self.stack} against AWS"]
        lines += [f"  {'ok ' if c.ok else 'FAIL'} {c.subject}: {c.message}" for c in self.checks]
        failed = sum(not c.ok for c in self.checks)
        lines.append(f"{len(self.checks) - failed} checks passed, {failed} failed")
        return "\n".join(lines)


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


def _endpoints(plan: Plan, client: Any) -> Iterator[Check]:
    for resource in plan.by_type(ENDPOINT):
        name, intended = resource.inputs["name"], resource.inputs["endpointConfigName"]
        described, error = _describe(client.describe_endpoint, EndpointName=name)
        if described is None:
            yield Check(f"endpoint {name}", False, error)
            continue
        status, running = described.get("EndpointStatus"), described.get("EndpointConfigName")
        if status != "InService":
            reason = described.get("FailureReason")
            yield Check(f"endpoint {name}", False, f"{status}{f': {reason}' if reason else ''}")
        elif running != intended:
            yield Check(f"endpoint {name}", False, f"runs {running}, the stack intends {intended}")
        else:
            yield Check(f"endpoint {name}", True, f"InService on {intended}")


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
            yield Check(f"schedule {name}", True, f"Scheduled on {intended}")


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


def verify(root: Path, stack: str) -> VerifyReport:
    import boto3

    from modelops.registry import BotoRegistry
    from modelops.resolve import load_project

    project = load_project(root, [stack])
    region = project.stacks[stack][0].region if stack in project.stacks else None
    plan = render(root, stack, LiveIdentityMocks(region) if region else None, BotoRegistry())
    client = boto3.client("sagemaker", region_name=region)
    checks = [*_endpoints(plan, client), *_schedules(plan, client), *_feature_groups(plan, client)]
    return VerifyReport(stack, checks)
