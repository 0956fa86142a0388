"""Per-environment overrides: deep merge, lists replaced, `null` removes a key."""

from __future__ import annotations

import copy
from typing import Any

OVERRIDABLE = ("serving", "monitoring")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merged_spec_data(data: dict[str, Any], environment: str) -> dict[str, Any] | None:
    """The spec document as `environment` sees it, or None when it has no override."""
    override = (data.get("environments") or {}).get(environment)
    if not isinstance(override, dict):
        return None
    merged = {k: v for k, v in data.items() if k != "environments"}
    for section in OVERRIDABLE:
        if section in override:
            merged = deep_merge(merged, {section: override[section]})
    return merged
