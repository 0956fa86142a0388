"""The changed input values of a resource, leaf by leaf, as a reviewer reads them.

`modelops.gitops.diff.changed_paths` says which inputs changed, at the grain the replacement
rules need; this goes down to each changed leaf (into lists item by item, and into JSON text
such as a model card's content) and keeps the old and the new value, so a diff can show
`endpointConfigName: "churn-1-2-0" -> "churn-1-3-0"`.

No secret is shown. The plan keeps a Pulumi secret as the wire format's secret envelope (the
mock runtime hands inputs over without unwrapping it); a value under a key named like a
credential (Pulumi's own pattern, `modelops.spec.stack.SECRET_KEY_NAME`) or shaped like one is
hidden too, except an ARN, which names a secret without holding it. Policy documents are left
to `modelops.gitops.policy_diff`, which compares their statements.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# pulumi.runtime.rpc: `_special_sig_key` and `_special_secret_sig`.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Tags are labels every describe call shows, never secrets; their keys are free text.
OPEN_INPUTS = frozenset({"tags", "tagsAll"})

SECRET = "secret"
CREDENTIAL = "named like a credential"
POLICY = "policy document: see the IAM statement changes"
SAME_STATEMENTS = "policy document rewritten, same statements"


@dataclass(frozen=True)
class ValueChange:
    path: str
    old: Any  # None: absent, or hidden
    new: Any
    hidden: str | None = None  # why the values are not shown

    @property
    def shown(self) -> bool:
        return self.hidden is None


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def _credential_name(path: str) -> bool:
    from modelops.spec.stack import PATH_KEY_NAME, SECRET_KEY_NAME

    segments = [s for s in re.split(r"[.\[\]]", path) if s]
    if segments and segments[0] in OPEN_INPUTS:
        return False
    return any(SECRET_KEY_NAME.search(s) and not PATH_KEY_NAME.search(s) for s in segments)


def _holds_secret(value: Any) -> bool:
    """A Pulumi secret or a credential-shaped text, anywhere in `value`."""
    from modelops.spec.stack import CREDENTIAL_SHAPES

    if is_secret(value):
        return True
    if isinstance(value, str):
        return any(pattern.search(value) for pattern, _ in CREDENTIAL_SHAPES)
    if isinstance(value, dict):
        return any(_holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


def _names_only(value: Any) -> bool:
    """An ARN (or nothing): it names a secret, it does not hold one."""
    return value is None or (isinstance(value, str) and value.startswith("arn:"))


def _json_container(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict | list) else None
    return None


def _named(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)
    )


def _leaves(old: Any, new: Any, path: str, whole: frozenset[str], out: list[tuple[str, Any, Any]]) -> None:
    if old == new:
        return
    if path in whole or is_secret(old) or is_secret(new):
        out.append((path, old, new))
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _leaves(old.get(key), new.get(key), f"{path}.{key}" if path else str(key), whole, out)
    elif _named(old) and _named(new):
        before, after = {v["name"]: v for v in old}, {v["name"]: v for v in new}
        for name in [*before, *(n for n in after if n not in before)]:
            _leaves(before.get(name), after.get(name), f"{path}[{name}]", whole, out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (was, now) in enumerate(zip(old, new, strict=True)):
            _leaves(was, now, f"{path}[{index}]", whole, out)
    elif (parsed_old := _json_container(old)) is not None and (parsed_new := _json_container(new)) is not None:
        _leaves(parsed_old, parsed_new, path, whole, out)
    else:
        out.append((path, old, new))


def value_changes(
    old: dict[str, Any],
    new: dict[str, Any],
    ignored: frozenset[str] = frozenset(),
    policies: dict[str, bool] | None = None,
) -> list[ValueChange]:
    """The changed leaves of `old` -> `new` inputs. `ignored` are top-level inputs the engine
    does not diff; `policies` maps each policy-document path to whether its statements changed
    (a document is one leaf: `modelops.gitops.policy_diff` shows what changed in it)."""
    from modelops.aws.replacements import top_level

    policies = policies or {}
    leaves: list[tuple[str, Any, Any]] = []
    _leaves(old, new, "", frozenset(policies), leaves)
    changes = []
    for path, was, now in leaves:
        if top_level(path) in ignored:
            continue
        if path in policies:
            changes.append(ValueChange(path, None, None, POLICY if policies[path] else SAME_STATEMENTS))
        elif (reason := hidden(path, was, now)) is not None:
            changes.append(ValueChange(path, None, None, reason))
        else:
            changes.append(ValueChange(path, was, now))
    return changes


def hidden(path: str, old: Any, new: Any) -> str | None:
    """Why the values at `path` must not be shown, or None."""
    if _holds_secret(old) or _holds_secret(new):
        return SECRET
    if _credential_name(path) and not (_names_only(old) and _names_only(new)):
        return CREDENTIAL
    return None


ELLIPSIS = "\u2026"


def compact(value: Any, limit: int = 80) -> str:
    """A value on one short line: JSON, cut at `limit` characters with an ellipsis."""
    if value is None:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def compact_pair(old: Any, new: Any, limit: int = 80) -> tuple[str, str]:
    """Both values of a change, each cut to `limit`; two long texts that share a beginning are
    shown from a little before where they differ, so the difference is what stays visible."""
    was, now = (json.dumps(v, sort_keys=True, default=str, ensure_ascii=False) for v in (old, new))
    if old is None or new is None or (len(was) <= limit and len(now) <= limit):
        return compact(old, limit), compact(new, limit)
    common = 0
    for a, b in zip(was, now, strict=False):
        if a != b:
            break
        common += 1
    start = max(0, common - 10)
    if start <= 1:
        return compact(old, limit), compact(new, limit)

    def window(text: str) -> str:
        rest = text[start:]
        return ELLIPSIS + (rest if len(rest) <= limit - 1 else rest[: limit - 2] + ELLIPSIS)

    return window(was), window(now)
