"""A model's SageMaker Model Card, updated in place and never deleted: a boto3 dynamic provider.

Why not pulumi-aws's `aws.sagemaker.ModelCard`: terraform-provider-aws's model_card.go sends
the whole planned card to UpdateModelCard, content and status together, and AWS documents
"You cannot update both model card content and model card status in a single call"
(API_UpdateModelCard). This provider sends the content, then the status, each only when it
changed. Every UpdateModelCard keeps the previous content as a card version ("Updating a
model card creates a new model card version in order to have an immutable record",
docs.aws.amazon.com/sagemaker/latest/dg/model-cards-console-edit.html), so a version move
records what ran before instead of deleting it.

A governance record must not disappear with a deploy: deleting the resource (the model left
the stack, or the stack was destroyed) archives the card ("Archived: No more updates should
be made to the model card, but it can still be exported"), and creating a card that exists,
archived or not, takes it over with the new content and status. UpdateModelCard cannot
change the card's KMS key, so taking over a card encrypted with another key is refused with
the way out.

This module is imported by Pulumi's dynamic provider host to unpickle the provider: it must
stay free of import-time side effects.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers import aws_clients
from components.providers.aws_call import aws_call, tag_list

ARCHIVED = "Archived"


class ModelCardError(Exception):
    """AWS refused a call, or the card cannot be taken over; the message says which and why."""


def _call(client: Any, method: str, **request: Any) -> dict[str, Any]:
    return aws_call(client, method, request, request.get("ModelCardName", "?"), ModelCardError)


def _describe(client: Any, name: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return dict(client.describe_model_card(ModelCardName=name))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("ResourceNotFound", "ValidationException"):
            return None
        raise


def _key(props: dict[str, Any]) -> str | None:
    return (props.get("securityConfig") or {}).get("kmsKeyId")


def _update(client: Any, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Content first, then status: never both in one call."""
    if old.get("content") != new["content"]:
        _call(client, "update_model_card", ModelCardName=name, Content=new["content"])
    if old.get("modelCardStatus") != new["modelCardStatus"]:
        _call(client, "update_model_card", ModelCardName=name, ModelCardStatus=new["modelCardStatus"])


class ModelCardProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = aws_clients.client("sagemaker", props["region"])
        name = props["modelCardName"]
        existing = _describe(client, name)
        if existing is None:
            request: dict[str, Any] = {
                "ModelCardName": name,
                "Content": props["content"],
                "ModelCardStatus": props["modelCardStatus"],
                "Tags": tag_list(props.get("tags")),
            }
            if _key(props):
                request["SecurityConfig"] = {"KmsKeyId": _key(props)}
            arn = _call(client, "create_model_card", **request)["ModelCardArn"]
            return CreateResult(name, {**props, "arn": arn})
        live_key = (existing.get("SecurityConfig") or {}).get("KmsKeyId")
        if live_key != _key(props):
            raise ModelCardError(
                f"model card {name} exists (kept from an earlier deploy) encrypted with {live_key or 'no key'}, "
                f"and its key cannot change: export it, delete it with DeleteModelCard, then deploy again"
            )
        current = {"content": existing.get("Content"), "modelCardStatus": existing.get("ModelCardStatus")}
        _update(client, name, current, props)
        arn = existing["ModelCardArn"]
        if props.get("tags"):
            _call(client, "add_tags", ResourceArn=arn, Tags=tag_list(props["tags"]))
        return CreateResult(name, {**props, "arn": arn})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        described = _describe(aws_clients.client("sagemaker", props["region"]), id_)
        if described is None:
            return ReadResult(None, {})
        live = {"content": described.get("Content"), "modelCardStatus": described.get("ModelCardStatus")}
        return ReadResult(id_, {**props, **live})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in ("modelCardName", "region") if olds.get(k) != news.get(k)]
        if _key(olds) != _key(news):
            replaces.append("securityConfig")
        changed = bool(replaces) or any(olds.get(k) != news.get(k) for k in ("content", "modelCardStatus", "tags"))
        # The name is fixed per model and stack: a replacement archives the old card first.
        return DiffResult(changes=changed, replaces=replaces, stables=[], delete_before_replace=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = aws_clients.client("sagemaker", news["region"])
        _update(client, id_, olds, news)
        arn = olds.get("arn")
        old_tags, new_tags = olds.get("tags") or {}, news.get("tags") or {}
        if arn and old_tags != new_tags:
            removed = sorted(set(old_tags) - set(new_tags))
            if removed:
                _call(client, "delete_tags", ResourceArn=arn, TagKeys=removed)
            if new_tags:
                _call(client, "add_tags", ResourceArn=arn, Tags=tag_list(new_tags))
        return UpdateResult({**news, "arn": arn})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Archive, never delete: the record of what ran stays exportable."""
        client = aws_clients.client("sagemaker", props["region"])
        existing = _describe(client, id_)
        if existing is not None and existing.get("ModelCardStatus") != ARCHIVED:
            _call(client, "update_model_card", ModelCardName=id_, ModelCardStatus=ARCHIVED)


class ModelCard(pulumi.dynamic.Resource, module="sagemaker", name="ModelCard"):
    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        region: str,
        model_card_name: str,
        content: str,
        status: str,
        kms_key_id: str | None,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "region": region,
            "modelCardName": model_card_name,
            "content": content,
            "modelCardStatus": status,
            "securityConfig": {"kmsKeyId": kms_key_id} if kms_key_id else None,
            "tags": tags,
            "arn": None,
        }
        super().__init__(ModelCardProvider(), name, props, opts)
