"""Model quality, bias and explainability job definitions: a boto3 dynamic provider.

pulumi-aws has `aws.sagemaker.DataQualityJobDefinition` but none of these three. Their
SageMaker APIs are alike: Create<Kind>JobDefinition, Describe..., Delete..., and no update; tags
change through AddTags/DeleteTags. So the diff replaces on any change to the definition (a new
name, from `naming.monitoring_job_definition_name`, lets Pulumi create the new one first and
repoint the schedule before deleting the old), and updates tags in place.

The props are the Create request itself (PascalCase, as botocore takes it) under
`definition`, plus `kind`, `region` and `tags`. This module is imported by Pulumi's dynamic
provider host to unpickle the provider: it must stay free of import-time side effects.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers import aws_clients
from components.providers.aws_call import aws_call, tag_list

KINDS = {
    "ModelQuality": "model_quality",
    "ModelBias": "model_bias",
    "ModelExplainability": "model_explainability",
}
DEFINITION_KEYS = ("kind", "region", "definition")


class JobDefinitionError(Exception):
    """AWS refused a call; the message names the call, the definition and AWS's answer."""


def _call(props: dict[str, Any], verb: str, **request: Any) -> dict[str, Any]:
    kind = props["kind"]
    if kind not in KINDS:
        raise JobDefinitionError(f"unknown monitoring job kind {kind!r}; one of {', '.join(KINDS)}")
    method = f"{verb}_{KINDS[kind]}_job_definition"
    name = props["definition"].get("JobDefinitionName", "?")
    client = aws_clients.client("sagemaker", props["region"])
    return aws_call(client, method, request, name, JobDefinitionError)


def _not_found(exc: JobDefinitionError) -> bool:
    return ": ResourceNotFound:" in str(exc)


class JobDefinitionProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        request = {**props["definition"]}
        if props.get("tags"):
            request["Tags"] = tag_list(props["tags"])
        response = _call(props, "create", **request)
        name = props["definition"]["JobDefinitionName"]
        return CreateResult(name, {**props, "arn": response["JobDefinitionArn"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            described = _call(props, "describe", JobDefinitionName=id_)
        except JobDefinitionError as exc:
            if _not_found(exc):
                return ReadResult(None, {})  # deleted outside Pulumi: the engine drops it from state
            raise
        definition = {k: described[k] for k in props["definition"] if k in described}
        return ReadResult(id_, {**props, "definition": definition, "arn": described["JobDefinitionArn"]})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in DEFINITION_KEYS if olds.get(key) != news.get(key)]
        tags_changed = (olds.get("tags") or {}) != (news.get("tags") or {})
        same_name = olds.get("definition", {}).get("JobDefinitionName") == news["definition"].get("JobDefinitionName")
        return DiffResult(
            changes=bool(replaces) or tags_changed,
            replaces=replaces,
            stables=[],
            # Names normally carry a digest of the definition; an unchanged name cannot be
            # created twice, so then the old one has to go first.
            delete_before_replace=bool(replaces) and same_name,
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only tags reach here (every other change replaces)."""
        import boto3

        client = boto3.client("sagemaker", region_name=news["region"])
        old_tags, new_tags = olds.get("tags") or {}, news.get("tags") or {}
        removed = sorted(set(old_tags) - set(new_tags))
        changed = {k: v for k, v in new_tags.items() if old_tags.get(k) != v}
        if removed:
            client.delete_tags(ResourceArn=olds["arn"], TagKeys=removed)
        if changed:
            client.add_tags(ResourceArn=olds["arn"], Tags=tag_list(changed))
        return UpdateResult({**news, "arn": olds["arn"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            _call(props, "delete", JobDefinitionName=id_)
        except JobDefinitionError as exc:
            if not _not_found(exc):
                raise


class MonitoringJobDefinition(pulumi.dynamic.Resource, module="sagemaker", name="MonitoringJobDefinition"):
    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        kind: str,
        region: str,
        definition: dict[str, Any],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            JobDefinitionProvider(),
            name,
            {"kind": kind, "region": region, "definition": definition, "tags": tags, "arn": None},
            opts,
        )
