"""How the dynamic providers call AWS: the request shaped to botocore's model, and a refusal
turned into the provider's own error, one line naming the call, what it was for and AWS's answer
(the engine shows a provider's exception as the resource's failure)."""

from __future__ import annotations

from typing import Any

from components.providers.request_shape import shaped_request


def aws_call(client: Any, method: str, request: dict[str, Any], subject: str, error: type[Exception]) -> dict[str, Any]:
    from botocore.exceptions import ClientError, ParamValidationError

    try:
        return dict(getattr(client, method)(**shaped_request(client, method, request)))
    except ClientError as exc:
        answer = exc.response.get("Error", {})
        raise error(f"{method} {subject}: {answer.get('Code', 'Error')}: {answer.get('Message', exc)}") from None
    except ParamValidationError as exc:
        raise error(f"{method} {subject}: {exc}".replace("\n", " ")) from None


def tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """A tag mapping as the SageMaker API takes it, in key order."""
    return [{"Key": k, "Value": str(v)} for k, v in sorted((tags or {}).items())]


def retag(
    client: Any,
    arn: str,
    old: dict[str, str] | None,
    new: dict[str, str] | None,
    subject: str,
    error: type[Exception],
) -> None:
    """Bring a resource's tags from `old` to `new` in place: DeleteTags for the keys gone,
    AddTags for the keys added or changed, nothing when they are the same."""
    old, new = old or {}, new or {}
    removed = sorted(set(old) - set(new))
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if removed:
        aws_call(client, "delete_tags", {"ResourceArn": arn, "TagKeys": removed}, subject, error)
    if changed:
        aws_call(client, "add_tags", {"ResourceArn": arn, "Tags": tag_list(changed)}, subject, error)
