"""Features added to an existing Feature Store group, in place: a boto3 dynamic provider.

pulumi-aws replaces a feature group when its feature definitions change (every definition
argument is ForceNew in terraform-provider-aws's `aws_sagemaker_feature_group`), which for a
group with a fixed name means deleting its data. SageMaker itself can add features in place:
UpdateFeatureGroup(FeatureAdditions). This resource holds the group's full feature list and
adds whatever the live group lacks; it never replaces anything but itself when the group it
points at changes (a new generation of the group). Removing or retyping a feature cannot be
done in place, so an update that asks for it fails before calling AWS (validation already
requires `replace: true`, which gives the group a new name instead).

This module is imported by Pulumi's dynamic provider host to unpickle the provider: it must
stay free of import-time side effects.
"""

from __future__ import annotations

import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers import aws_clients

UPDATE_TIMEOUT_S = 600.0
POLL_INTERVAL_S = 5.0


class FeatureAdditionError(Exception):
    """The group cannot take the requested features; the message says which and why."""


def _describe(client: Any, group: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return dict(client.describe_feature_group(FeatureGroupName=group))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFound":
            return None
        raise


def _live_features(described: dict[str, Any]) -> dict[str, str]:
    return {d["FeatureName"]: d["FeatureType"] for d in described.get("FeatureDefinitions", [])}


def missing_features(live: dict[str, str], wanted: list[dict[str, str]]) -> list[dict[str, str]]:
    """The wanted features the live group lacks; a wanted feature with another live type is an error."""
    retyped = [
        f"{f['FeatureName']} ({live[f['FeatureName']]} in AWS, {f['FeatureType']} wanted)"
        for f in wanted
        if f["FeatureName"] in live and live[f["FeatureName"]] != f["FeatureType"]
    ]
    if retyped:
        raise FeatureAdditionError(
            "features cannot be retyped in place: " + ", ".join(retyped) + "; publish the group with replace: true"
        )
    return [f for f in wanted if f["FeatureName"] not in live]


def _apply(props: dict[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    group, client = props["featureGroupName"], aws_clients.client("sagemaker", props["region"])
    described = _describe(client, group)
    if described is None:
        raise FeatureAdditionError(f"feature group {group} does not exist")
    additions = missing_features(_live_features(described), props["features"])
    if additions:
        try:
            client.update_feature_group(FeatureGroupName=group, FeatureAdditions=additions)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise FeatureAdditionError(
                f"UpdateFeatureGroup {group}: {error.get('Code', 'Error')}: {error.get('Message', exc)}"
            ) from None
        described = _wait_for_update(client, group)
    return {**props, "liveFeatures": sorted(_live_features(described))}


def _wait_for_update(client: Any, group: str) -> dict[str, Any]:
    deadline = time.monotonic() + UPDATE_TIMEOUT_S
    while True:
        described = _describe(client, group) or {}
        status = described.get("LastUpdateStatus", {})
        if status.get("Status") == "Failed":
            raise FeatureAdditionError(f"UpdateFeatureGroup {group} failed: {status.get('FailureReason', 'unknown')}")
        if status.get("Status") != "InProgress":
            return described
        if time.monotonic() > deadline:
            raise FeatureAdditionError(f"UpdateFeatureGroup {group} still in progress after {UPDATE_TIMEOUT_S:.0f} s")
        time.sleep(POLL_INTERVAL_S)


class FeatureAdditionsProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["featureGroupName"], _apply(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        described = _describe(aws_clients.client("sagemaker", props["region"]), id_)
        if described is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, "liveFeatures": sorted(_live_features(described))})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in ("featureGroupName", "region") if olds.get(key) != news.get(key)]
        changed = bool(replaces) or olds.get("features") != news.get("features")
        return DiffResult(changes=changed, replaces=replaces, stables=[], delete_before_replace=False)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kept = {f["FeatureName"] for f in news["features"]}
        removed = sorted(f["FeatureName"] for f in olds.get("features", []) if f["FeatureName"] not in kept)
        if removed:
            raise FeatureAdditionError(
                f"features cannot be removed from {id_} in place: {', '.join(removed)}; "
                "publish the group with replace: true"
            )
        return UpdateResult(_apply(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to undo: SageMaker cannot remove features, and deleting the group removes them."""


class FeatureAdditions(pulumi.dynamic.Resource, module="sagemaker", name="FeatureAdditions"):
    live_features: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        feature_group_name: pulumi.Input[str],
        region: str,
        features: list[dict[str, str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            FeatureAdditionsProvider(),
            name,
            {"featureGroupName": feature_group_name, "region": region, "features": features, "liveFeatures": None},
            opts,
        )
