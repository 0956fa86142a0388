"""What a change does to IAM: policy statements added, removed or changed, per resource.

The CDK's `cdk diff` shows an "IAM Statement Changes" table; this is the same view of the
plan. A policy document is any input (at any depth) whose value is a JSON policy document, as
pulumi-aws takes them: a role's `assumeRolePolicy` and `inlinePolicies[...].policy`, a role or
managed policy's `policy`, a bucket policy, a KMS key policy. The plan records them as the
strings the program resolved its Outputs to.

Statements are compared after normalising what IAM treats as the same: `Action` as one string
or a list, element order, a repeated value, the `Sid` (a label). A statement whose `Sid` is on
both sides, or the only one of its effect left on both sides, is `changed`; the others are
`added` or `removed`. Each change says how it broadens access, if it does: a reviewer must not
have to read two JSON documents to see that a role can now delete objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from modelops.engine.plan import PlanResource


@dataclass(frozen=True)
class Condition:
    operator: str  # StringEquals, ArnLike, Bool, ...
    key: str  # aws:SourceAccount, ...
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    effect: str  # Allow | Deny
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # `Service:sagemaker.amazonaws.com`, `AWS:arn:...`, `*`
    not_principals: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None

    def same_grant(self, other: Statement) -> bool:
        """Equal but for the Sid, which is only a label."""
        return _grant(self) == _grant(other)


def _grant(statement: Statement) -> tuple[Any, ...]:
    return (
        statement.effect,
        statement.actions,
        statement.not_actions,
        statement.resources,
        statement.not_resources,
        statement.principals,
        statement.not_principals,
        statement.conditions,
    )


@dataclass(frozen=True)
class Widening:
    """One way a statement change widens access: `how` is ours, `values` come from the policy."""

    how: str  # "allows actions", "drops the conditions", "adds an Allow statement", ...
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.how} {', '.join(self.values)}" if self.values else self.how


@dataclass(frozen=True)
class StatementChange:
    change: str  # added | removed | changed
    old: Statement | None
    new: Statement | None
    broadens: tuple[Widening, ...] = ()  # how it widens access; empty when it does not


@dataclass(frozen=True)
class PolicyChange:
    """The statement changes of one policy document of one resource."""

    urn: str
    type: str
    name: str
    path: str  # the input holding the document: `policy`, `assumeRolePolicy`, `inlinePolicies[x].policy`
    statements: tuple[StatementChange, ...]

    @property
    def broadens(self) -> bool:
        return any(s.broadens for s in self.statements)


def _texts(value: Any) -> tuple[str, ...]:
    """A policy element that may be one value or a list, as sorted distinct strings."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    return tuple(sorted({_scalar(v) for v in items}))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # how IAM writes them
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # numbers reach the plan as floats (plan.wire_numbers)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        return tuple(f"{v}" for v in _texts(value))  # "*"
    return tuple(sorted(f"{kind}:{v}" for kind, values in value.items() for v in _texts(values)))


def _conditions(value: Any) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        return ()
    found = []
    for operator, tests in value.items():
        if isinstance(tests, dict):
            found += [Condition(str(operator), str(key), _texts(values)) for key, values in tests.items()]
    return tuple(sorted(found, key=lambda c: (c.operator, c.key, c.values)))


def statement(raw: dict[str, Any]) -> Statement:
    """One statement as IAM reads it."""
    sid = raw.get("Sid")
    return Statement(
        effect=str(raw.get("Effect", "Allow")),
        actions=_texts(raw.get("Action")),
        not_actions=_texts(raw.get("NotAction")),
        resources=_texts(raw.get("Resource")),
        not_resources=_texts(raw.get("NotResource")),
        principals=_principals(raw.get("Principal")),
        not_principals=_principals(raw.get("NotPrincipal")),
        conditions=_conditions(raw.get("Condition")),
        sid=sid if isinstance(sid, str) and sid else None,
    )


def statements(document: dict[str, Any]) -> list[Statement]:
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    result: list[Statement] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        found = statement(item)
        if not any(found.same_grant(s) for s in result):  # a repeated statement grants nothing more
            result.append(found)
    return result


def as_document(value: Any) -> dict[str, Any] | None:
    """The policy document `value` holds (a JSON string or already an object), or None."""
    if isinstance(value, str) and value.lstrip().startswith("{") and "Statement" in value:
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("Statement"), list | dict):
        return value
    return None


def _named(value: list[Any]) -> bool:
    return bool(value) and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)


def documents(inputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every policy document in a resource's inputs, by the path of the input holding it (the
    paths `modelops.gitops.diff.changed_paths` reports: dotted, list items by name)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(value: Any, path: str) -> None:
        document = as_document(value)
        if document is not None:
            found[path] = document
        elif isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            named = _named(value)
            for index, child in enumerate(value):
                walk(child, f"{path}[{child['name'] if named else index}]")

    walk(inputs, "")
    return found


def _added(new: tuple[str, ...], old: tuple[str, ...]) -> list[str]:
    return [v for v in new if v not in old]


ELEMENTS = (("actions", "not_actions"), ("resources", "not_resources"), ("principals", "not_principals"))


def _broadening(old: Statement | None, new: Statement | None) -> tuple[Widening, ...]:
    """How going from `old` to `new` (either absent) widens what the policy allows.

    An Allow grants what it lists, a Deny takes it away: more actions, resources or principals
    in an Allow (fewer in a Deny) broaden, and so does a condition gone from an Allow or added to
    a Deny (it then applies less often). `Not...` elements list exceptions, so they count the
    other way round."""
    if old is None:
        return (Widening("adds an Allow statement"),) if new is not None and new.effect == "Allow" else ()
    if new is None:
        return (Widening("removes a Deny statement"),) if old.effect == "Deny" else ()
    if old.effect != new.effect:
        return (Widening("turns a Deny statement into an Allow"),) if new.effect == "Allow" else ()
    reasons = []
    if new.effect == "Allow":
        for listed, excepted in ELEMENTS:
            label = listed.removesuffix("s")
            if more := _added(getattr(new, listed), getattr(old, listed)):
                reasons.append(Widening(f"allows {listed}", tuple(more)))
            if fewer := _added(getattr(old, excepted), getattr(new, excepted)):
                reasons.append(Widening(f"no longer excepts {listed}", tuple(fewer)))
            if getattr(new, excepted) and not getattr(old, excepted) and getattr(old, listed):
                reasons.append(Widening(f"allows every {label} but", getattr(new, excepted)))
        if gone := [c for c in old.conditions if c not in new.conditions]:
            reasons.append(Widening("drops the conditions", tuple(condition_text(c) for c in gone)))
    else:
        for listed, excepted in ELEMENTS:
            if fewer := _added(getattr(old, listed), getattr(new, listed)):
                reasons.append(Widening(f"no longer denies {listed}", tuple(fewer)))
            if more := _added(getattr(new, excepted), getattr(old, excepted)):
                reasons.append(Widening(f"excepts from the Deny the {listed}", tuple(more)))
        if extra := [c for c in new.conditions if c not in old.conditions]:
            reasons.append(Widening("denies only under the conditions", tuple(condition_text(c) for c in extra)))
    return tuple(reasons)


def condition_text(condition: Condition) -> str:
    return f"{condition.operator} {condition.key} = {' | '.join(condition.values)}"


def statement_changes(old: list[Statement], new: list[Statement]) -> list[StatementChange]:
    removed = [s for s in old if not any(s.same_grant(n) for n in new)]
    added = [s for s in new if not any(s.same_grant(o) for o in old)]
    pairs: list[tuple[Statement, Statement]] = []
    for was in list(removed):
        match = next((now for now in added if was.sid is not None and now.sid == was.sid), None)
        if match is not None:
            pairs.append((was, match))
            removed.remove(was)
            added.remove(match)
    for effect in ("Allow", "Deny"):
        left = [s for s in removed if s.effect == effect]
        right = [s for s in added if s.effect == effect]
        if len(left) == len(right) == 1:
            pairs.append((left[0], right[0]))
            removed.remove(left[0])
            added.remove(right[0])
    changes = [StatementChange("changed", was, now, _broadening(was, now)) for was, now in pairs]
    changes += [StatementChange("removed", s, None, _broadening(s, None)) for s in removed]
    changes += [StatementChange("added", None, s, _broadening(None, s)) for s in added]
    return changes


def policy_changes(old: PlanResource | None, new: PlanResource | None) -> list[PolicyChange]:
    """The statement changes of every policy document in one resource; `old` or `new` is None
    when the resource is created or deleted."""
    resource = new or old
    assert resource is not None
    before = documents(old.inputs) if old else {}
    after = documents(new.inputs) if new else {}
    changes = []
    for path in sorted(set(before) | set(after)):
        found = statement_changes(
            statements(before[path]) if path in before else [], statements(after[path]) if path in after else []
        )
        if found:
            changes.append(PolicyChange(resource.urn, resource.type, resource.name, path, tuple(found)))
    return changes


def statement_text(s: Statement, effect: bool = True) -> str:
    """One line: `Allow s3:GetObject on arn:... to Service:x when StringEquals k = v`."""
    parts = [s.effect] if effect else []
    if s.actions or s.not_actions:
        parts.append(", ".join(s.actions) if s.actions else f"every action but {', '.join(s.not_actions)}")
    else:
        parts.append("no action")
    if s.resources or s.not_resources:
        every = f"every resource but {', '.join(s.not_resources)}"
        parts.append("on " + (", ".join(s.resources) if s.resources else every))
    if s.principals or s.not_principals:
        every = f"everyone but {', '.join(s.not_principals)}"
        parts.append("to " + (", ".join(s.principals) if s.principals else every))
    if s.conditions:
        parts.append("when " + " and ".join(condition_text(c) for c in s.conditions))
    return " ".join(parts)
