"""Tags every taggable resource carries (governance table: in every environment), and AWS's
rules for tag keys and values, checked at validate time.

The rules are those of SageMaker's `Tag` shape in botocore's service model
(`botocore/data/sagemaker/2017-07-24/service-2.json`): `TagKey` is 1 to 128 characters of
pattern `([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)`, `TagValue` 0 to 256 of the same pattern, and a
`TagList` holds at most 50 tags. IAM's `tagKeyType`/`tagValueType` (roles) take the same
characters (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html). The `aws:`
prefix of a key is AWS's own in any case: "Don't use `aws:`, `AWS:`, or any upper or lowercase
combination of such as a prefix ... as it is reserved for AWS use"
(https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html; the same restrictions
list 50 tags per resource, 128 and 256 Unicode characters).
A tag AWS refuses fails `CreateEndpoint`, `CreateRole` or `CreateBucket` at deploy time, after
other resources of the stack were already created, so it is refused here instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable

REQUIRED_TAGS = ("owner", "model", "model-version", "environment", "managed-by")
MANAGED_BY = "modelops"

# botocore's pattern, kept verbatim so that tests/test_credentials_and_tags.py notices when AWS changes it.
TAG_PATTERN = "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
MAX_TAGS = 50  # SageMaker's TagList max; IAM roles and S3 buckets take 50 too
_PUNCTUATION = frozenset("_.:/=+-@")
_ALLOWED_TEXT = "letters, numbers, spaces and _ . : / = + - @"


def _refused_characters(text: str) -> list[str]:
    """Characters outside \\p{L} (letters), \\p{Z} (separators), \\p{N} (numbers) and the
    punctuation of the pattern. Python's `re` has no \\p classes: Unicode categories are the
    same definition."""
    refused: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in ("L", "Z", "N") or char in _PUNCTUATION:
            continue
        if char not in refused:
            refused.append(char)
    return refused


def _describe(chars: list[str]) -> str:
    shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in chars[:5])
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    return shown + more


def tag_key_problem(key: str) -> str | None:
    """Why AWS refuses `key` as a tag key, or None."""
    if not 1 <= len(key) <= TAG_KEY_MAX:
        return f"tag keys are 1 to {TAG_KEY_MAX} characters (this one has {len(key)})"
    if key[:4].lower() == "aws:":
        return "tag keys starting with 'aws:' (in any case) are reserved by AWS"
    refused = _refused_characters(key)
    if refused:
        return f"AWS refuses {_describe(refused)} in a tag key: it takes only {_ALLOWED_TEXT}"
    return None


def tag_value_problem(value: str, what: str) -> str | None:
    """Why AWS refuses `value` as a tag value, or None. `what` names it in the message ("a tag
    value", "the owner tag's value")."""
    if len(value) > TAG_VALUE_MAX:
        return f"{what} is at most {TAG_VALUE_MAX} characters (this one has {len(value)})"
    refused = _refused_characters(value)
    if refused:
        return f"AWS refuses {_describe(refused)} in {what}: it takes only {_ALLOWED_TEXT}"
    return None


def tag_problems(tags: dict[str, str]) -> list[tuple[str, str]]:
    """(key, message) for each key or value of `tags` that AWS refuses."""
    found: list[tuple[str, str]] = []
    for key, value in tags.items():
        problem = tag_key_problem(key)
        if problem is None and isinstance(value, str):
            problem = tag_value_problem(value, "a tag value")
        if problem is not None:
            found.append((key, problem))
    return found


def case_twins(keys: Iterable[str], among: Collection[str]) -> dict[str, str]:
    """Each key of `among` that equals another key of `keys` but for case, with that other key.

    IAM compares a role's tag keys without case: CreateRole and TagRole refuse `Team` next to
    `team` ("Duplicate tag keys found. Please note that Tag keys are case insensitive.", IAM's
    InvalidInput; "Case sensitivity" in https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html).
    Every model and every pool has a role carrying the stack's tags, the spec's and modelops's."""
    first: dict[str, str] = {}
    for key in keys:
        first.setdefault(key.lower(), key)
    return {key: first[key.lower()] for key in among if first[key.lower()] != key}


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


POOL_TAG = "pool"
POOL_TAGS = (POOL_TAG, "environment", "managed-by")


def pool_resource_tags(pool: str, environment: str, stack_tags: dict[str, str]) -> dict[str, str]:
    """Tags of a pool's own resources (its endpoint, configuration and role), which serve every
    member model and belong to none: the pool's name takes the place of owner, model and
    version (`modelops.rules.required_tags` holds them to POOL_TAGS)."""
    return {**stack_tags, POOL_TAG: pool, "environment": environment, "managed-by": MANAGED_BY}
