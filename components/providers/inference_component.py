"""A model's SageMaker inference component on its pool's endpoint: a boto3 dynamic provider.

pulumi-aws 7.51.1 has no InferenceComponent resource (terraform-provider-aws added one after
the version it bridges). The SageMaker calls, from botocore's service model:
- CreateInferenceComponent takes the name, EndpointName, VariantName, Specification,
  RuntimeConfig and Tags. It returns at once; the component then goes Creating -> InService
  (or Failed, with a FailureReason), so create waits for it, within CREATE_TIMEOUT_S.
- UpdateInferenceComponent has no EndpointName or VariantName: a component moves to another
  pool only by a new one. Its name includes a digest of where it runs
  (`modelops.aws.naming.inference_component_name`), so the new component has its own name and
  is created before the old one is deleted: the model keeps serving while it moves.
- An update carries a Specification or a RuntimeConfig (the service refuses one with neither,
  or with a DeploymentConfig alone), and DeploymentConfig exists on update only: a rolling
  update replaces the copies batch by batch and rolls back when a listed alarm fires. When
  Application Auto Scaling owns the copy count (`autoscaled`), the RuntimeConfig is left out:
  sending the spec's copy count would undo what the autoscaler set.
- DeleteInferenceComponent returns at once too; delete waits until the component is gone, so
  that its pool's endpoint, deleted next when no other model uses it, has no component left.

Props: `region`, `name`, `endpointName`, `variantName`, `specification` and `runtimeConfig`
(PascalCase, as botocore takes them), `autoscaled`, `deploymentConfig` (PascalCase or None),
`tags`; the output `arn`. This module is imported by Pulumi's dynamic provider host to unpickle
the provider: it must stay free of import-time side effects.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers import aws_clients
from components.providers.aws_call import aws_call, retag, tag_list

# Where a component runs: none of these can change in place (see the module docstring).
PLACEMENT_KEYS = ("region", "name", "endpointName", "variantName")
IN_SERVICE = "InService"
FAILED = "Failed"
POLL_S = 15.0
# A create may wait for the pool to add an instance (minutes); a rolling update runs at most
# MaximumExecutionTimeoutInSeconds, whose largest value is 28800 s (botocore
# `InferenceComponentRollingUpdatePolicy`), then rolls back.
CREATE_TIMEOUT_S = 3600.0
UPDATE_TIMEOUT_S = 28800.0 + 1800.0
DELETE_TIMEOUT_S = 1800.0
# Reads of InService with the old specification right after UpdateInferenceComponent, before the
# component reports Updating, that are taken for a read made too early rather than an update
# that did not happen.
EARLY_READS = 8


class InferenceComponentError(Exception):
    """AWS refused a call, or the component failed or did not settle; the message says which."""


def _client(props: dict[str, Any]) -> Any:
    return aws_clients.client("sagemaker", props["region"])


def _call(client: Any, method: str, **request: Any) -> dict[str, Any]:
    return aws_call(client, method, request, request.get("InferenceComponentName", "?"), InferenceComponentError)


def _not_found(exc: InferenceComponentError) -> bool:
    # SageMaker answers a missing component with a ValidationException "Could not find inference
    # component" (terraform-provider-aws, sagemaker/inference_component.go).
    return "Could not find" in str(exc) or ": ResourceNotFound:" in str(exc)


def _describe(client: Any, name: str) -> dict[str, Any] | None:
    try:
        return _call(client, "describe_inference_component", InferenceComponentName=name)
    except InferenceComponentError as exc:
        if _not_found(exc):
            return None
        raise


def _failure(described: dict[str, Any]) -> str:
    return str(described.get("FailureReason") or "no reason given")


def _runs(described: dict[str, Any], specification: dict[str, Any]) -> bool:
    """Whether the component describes the specification asked for (numbers as numbers: the
    engine hands 1 over as 1.0)."""
    running = described.get("Specification") or {}
    if running.get("ModelName") != specification.get("ModelName"):
        return False
    wanted = specification.get("ComputeResourceRequirements") or {}
    have = running.get("ComputeResourceRequirements") or {}
    return all(have.get(key) is not None and float(have[key]) == float(value) for key, value in wanted.items())


def _wait_created(client: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + CREATE_TIMEOUT_S
    while True:
        described = _describe(client, name)
        status = (described or {}).get("InferenceComponentStatus")
        if described is not None and status == IN_SERVICE:
            return described
        if described is not None and status == FAILED:
            reason = _failure(described)
            # A failed component keeps its name: deleting it lets the next deploy create it again.
            _delete_quietly(client, name)
            raise InferenceComponentError(f"inference component {name} failed to create: {reason}")
        if time.monotonic() >= deadline:
            raise InferenceComponentError(
                f"inference component {name} is still {status or 'not visible'} after {CREATE_TIMEOUT_S:.0f} s; "
                "see DescribeInferenceComponent, then run the deploy again once it is InService or deleted"
            )
        time.sleep(POLL_S)


def _wait_updated(client: Any, name: str, specification: dict[str, Any] | None) -> None:
    """Until the component is InService again; an update that ends InService on the old
    specification was rolled back (an alarm fired) and is an error."""
    deadline = time.monotonic() + UPDATE_TIMEOUT_S
    transitioned = False
    early = 0
    while True:
        described = _describe(client, name)
        if described is None:
            raise InferenceComponentError(f"inference component {name} disappeared during its update")
        status = described.get("InferenceComponentStatus")
        if status == FAILED:
            raise InferenceComponentError(f"inference component {name} failed to update: {_failure(described)}")
        if status == IN_SERVICE:
            if specification is None or _runs(described, specification):
                return
            early += 1
            if transitioned or early > EARLY_READS:
                raise InferenceComponentError(
                    f"inference component {name} was rolled back to model "
                    f"{(described.get('Specification') or {}).get('ModelName')}: a rollback alarm fired "
                    f"({_failure(described)})"
                )
        else:
            transitioned = True
        if time.monotonic() >= deadline:
            raise InferenceComponentError(
                f"inference component {name} is still {status} after {UPDATE_TIMEOUT_S:.0f} s of its update"
            )
        time.sleep(POLL_S)


def _delete(client: Any, name: str) -> None:
    try:
        _call(client, "delete_inference_component", InferenceComponentName=name)
    except InferenceComponentError as exc:
        if _not_found(exc):
            return
        raise
    deadline = time.monotonic() + DELETE_TIMEOUT_S
    while True:
        described = _describe(client, name)
        if described is None:
            return
        status = described.get("InferenceComponentStatus")
        if status == FAILED:
            raise InferenceComponentError(f"inference component {name} failed to delete: {_failure(described)}")
        if time.monotonic() >= deadline:
            raise InferenceComponentError(
                f"inference component {name} is still {status} after {DELETE_TIMEOUT_S:.0f} s"
            )
        time.sleep(POLL_S)


def _delete_quietly(client: Any, name: str) -> None:
    # The error being reported is the failure, not this clean-up.
    with contextlib.suppress(InferenceComponentError):
        _call(client, "delete_inference_component", InferenceComponentName=name)


def update_request(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any] | None:
    """The UpdateInferenceComponent request that takes the component from `olds` to `news`, or
    None when nothing SageMaker runs changes (tags, the deployment config or the copy count the
    autoscaler owns)."""
    owns_copies = not news.get("autoscaled")
    request: dict[str, Any] = {"InferenceComponentName": news["name"]}
    if olds.get("specification") != news["specification"]:
        request["Specification"] = news["specification"]
        if owns_copies:
            request["RuntimeConfig"] = news["runtimeConfig"]
        if news.get("deploymentConfig"):
            request["DeploymentConfig"] = news["deploymentConfig"]
    elif owns_copies and (olds.get("runtimeConfig") != news["runtimeConfig"] or olds.get("autoscaled")):
        # A copy count alone: nothing to roll out, so no DeploymentConfig.
        request["RuntimeConfig"] = news["runtimeConfig"]
    return request if len(request) > 1 else None


class InferenceComponentProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        name = props["name"]
        request = {
            "InferenceComponentName": name,
            "EndpointName": props["endpointName"],
            "VariantName": props["variantName"],
            "Specification": props["specification"],
            "RuntimeConfig": props["runtimeConfig"],
        }
        if props.get("tags"):
            request["Tags"] = tag_list(props["tags"])
        response = _call(client, "create_inference_component", **request)
        _wait_created(client, name)
        return CreateResult(name, {**props, "arn": response["InferenceComponentArn"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        described = _describe(_client(props), id_)
        if described is None:
            return ReadResult(None, {})  # deleted outside Pulumi: the engine drops it from state
        running = described.get("Specification") or {}
        wanted = props.get("specification") or {}
        requirements = running.get("ComputeResourceRequirements") or {}
        specification = {
            "ModelName": running.get("ModelName"),
            "ComputeResourceRequirements": {
                k: requirements[k] for k in wanted.get("ComputeResourceRequirements") or {} if k in requirements
            },
        }
        outs = {
            **props,
            "name": described["InferenceComponentName"],
            "endpointName": described.get("EndpointName"),
            "variantName": described.get("VariantName"),
            "specification": specification,
            "arn": described["InferenceComponentArn"],
        }
        copies = (described.get("RuntimeConfig") or {}).get("DesiredCopyCount")
        if not props.get("autoscaled") and copies is not None:
            outs["runtimeConfig"] = {"CopyCount": copies}
        return ReadResult(id_, outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in PLACEMENT_KEYS if olds.get(key) != news.get(key)]
        changed = [key for key in ("specification", "deploymentConfig", "autoscaled") if olds.get(key) != news.get(key)]
        if (olds.get("tags") or {}) != (news.get("tags") or {}):
            changed.append("tags")
        if not news.get("autoscaled") and olds.get("runtimeConfig") != news.get("runtimeConfig"):
            changed.append("runtimeConfig")
        return DiffResult(
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=[],
            # The name carries a digest of the endpoint and variant, so a moved component has a
            # new one and is created first; only a name that stays (a region change) cannot
            # exist twice and has to go first.
            delete_before_replace=bool(replaces) and olds.get("name") == news.get("name"),
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = _client(news)
        request = update_request(olds, news)
        if request is not None:
            _call(client, "update_inference_component", **request)
            _wait_updated(client, id_, request.get("Specification"))
        # The subject of a tag call's error is "?", as before: the request names no component.
        retag(client, olds["arn"], olds.get("tags"), news.get("tags"), "?", InferenceComponentError)
        return UpdateResult({**news, "arn": olds["arn"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _delete(_client(props), id_)


class InferenceComponent(pulumi.dynamic.Resource, module="sagemaker", name="InferenceComponent"):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        region: str,
        name: str,
        endpoint_name: pulumi.Input[str],
        variant_name: str,
        specification: dict[str, Any],
        copy_count: int,
        autoscaled: bool,
        deployment_config: dict[str, Any] | None,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            InferenceComponentProvider(),
            resource_name,
            {
                "region": region,
                "name": name,
                "endpointName": endpoint_name,
                "variantName": variant_name,
                "specification": specification,
                "runtimeConfig": {"CopyCount": copy_count},
                "autoscaled": autoscaled,
                "deploymentConfig": deployment_config,
                "tags": tags,
                "arn": None,
            },
            opts,
        )
