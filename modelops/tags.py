"""Tags every taggable resource carries (governance table: in every environment)."""

from __future__ import annotations

REQUIRED_TAGS = ("owner", "model", "model-version", "environment", "managed-by")
MANAGED_BY = "modelops"


def resource_tags(
    owner: str, model: str, version: str, environment: str, stack_tags: dict[str, str], spec_tags: dict[str, str]
) -> dict[str, str]:
    """Stack tags, then the spec's, then ours: the required tags cannot be overridden."""
    return {
        **stack_tags,
        **spec_tags,
        "owner": owner,
        "model": model,
        "model-version": version,
        "environment": environment,
        "managed-by": MANAGED_BY,
    }


def stack_resource_tags(environment: str, stack_tags: dict[str, str]) -> dict[str, str]:
    """Tags of stack-wide resources that belong to no single model."""
    return {**stack_tags, "environment": environment, "managed-by": MANAGED_BY}
