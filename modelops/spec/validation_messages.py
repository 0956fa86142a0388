"""pydantic's validation errors as findings in modelops's words.

pydantic says "Input should be a valid dictionary or instance of Pin" or "String should match
pattern '^ml\\.[a-z0-9]+...'": true, but written for the programmer of the model. The author of
a spec or stack gets what was expected, what YAML read instead (an unquoted `1.1` is a number,
`2024-01-01` a date), how to write it, and for a misspelt key or value the closest allowed one.

The error types a spec or stack reaches have their sentence here (`tests/test_validation_messages.py`
reaches each); any other keeps pydantic's message, with the value it got.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Mapping
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from modelops.spec.loader import FieldPath

# How many of the closest names a "did you mean" offers, and how close they must be
# (difflib's ratio: `instance_typ` and `instance_type` are 0.96, `replicas` and `rollout` 0.4).
SUGGESTIONS = 1
CLOSENESS = 0.6
SHOWN_TEXT = 60


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The allowed name `word` most likely misspells, or None.

    Case, `-` and `_` are ignored first (`Instance-Type` is `instance_type`), then difflib
    ranks by similarity; `word` itself is never suggested.
    """
    options = [c for c in dict.fromkeys(choices) if c != word]
    folded = {_fold(c): c for c in options}
    if _fold(word) in folded:
        return folded[_fold(word)]
    found = difflib.get_close_matches(word, options, n=SUGGESTIONS, cutoff=CLOSENESS)
    return found[0] if found else None


def _fold(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`; did you mean `x`?` when a choice is close to `word`, else nothing."""
    match = closest(word, choices)
    return f"; did you mean `{match}`?" if match is not None else ""


def described(value: Any) -> str:
    """A value as the YAML author wrote it, for "got ..." (`the number 1.1`, `the text 'x'`)."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= SHOWN_TEXT else value[: SHOWN_TEXT - 3] + "..."
        return f"the text {shown!r}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def yaml_reading(value: Any) -> str | None:
    """What YAML made of an unquoted scalar the field wanted as text ("a number"), or None."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    return None


def _written(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# Texts that YAML reads as a number when written without quotes: plain decimals only (`nan`,
# `1_000` or `010` are text, or refused, unquoted, so removing the quotes is no advice for them).
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")


def _unquoted(value: Any) -> Any:
    """What a quoted text would be without its quotes ('8' -> 8, 'true' -> True), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in ("true", "false"):
        return text == "true"
    if _PLAIN_INT.fullmatch(text):
        return int(text)
    if _PLAIN_FLOAT.fullmatch(text):
        return float(text)
    return None


_EXPECTED_VALUE = re.compile(r"'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)")


def _expected_values(expected: str) -> list[str]:
    """The allowed values of pydantic's `expected` ("'a', 'b' or 'c'", "1024, 2048 or 3072")."""
    return [quoted if quoted else number for quoted, number in _EXPECTED_VALUE.findall(expected)]


def _got(value: Any) -> str:
    return f" (got {described(value)})"


class _Context:
    """What a message may name beyond the error: the model owning the mapping of an unknown key,
    the model a mapping was expected to be, the names of the patterns."""

    def __init__(self, owner: type[BaseModel] | None, expected: type[BaseModel] | None, patterns: Mapping[str, str]):
        self.owner = owner
        self.expected = expected
        self.patterns = patterns


def _message(error: Any, path: FieldPath, context: _Context) -> str:
    kind: str = error["type"]
    value = error.get("input")
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = allowed_fields(context.owner)
        if not allowed:
            return "unknown field"
        return f"unknown field{did_you_mean(str(path[-1]) if path else '', allowed)} (allowed: {', '.join(allowed)})"
    if kind in ("literal_error", "enum"):
        return _one_of(value, str(ctx.get("expected", "")), as_key=error["loc"][-1:] == ("[key]",))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping{_fields_of(context.expected)}{_got(value)}"
    if kind == "list_type":
        hint = f": a list of one is [{value}]" if isinstance(value, str | int | float) else ""
        return f"expected a list{_got(value)}{hint}"
    return _scalar_message(kind, value, ctx, context.patterns) or _pydantic_message(error)


def _one_of(value: Any, expected: str, as_key: bool) -> str:
    values = _expected_values(expected)
    numbers = all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values)
    listed = ", ".join(values) if numbers else ", ".join(f"`{v}`" for v in values)
    message = f"{'the key' if as_key else 'the value'} must be one of {listed}{_got(value)}"
    unquoted = _unquoted(value)
    if numbers and unquoted is not None and not isinstance(unquoted, bool) and str(unquoted) in values:
        return f"{message}: remove the quotes ({unquoted})"
    if not numbers and isinstance(value, str):
        return message + did_you_mean(value, values)
    return message


def _scalar_message(kind: str, value: Any, ctx: dict[str, Any], patterns: Mapping[str, str]) -> str | None:
    """Our sentence for an error about one text, number or boolean, or None."""
    if kind == "string_type":
        reading = yaml_reading(value)
        if reading is None:
            return f"expected text{_got(value)}"
        written = _written(value)
        return f'expected text, but YAML reads the unquoted {written} as {reading}: quote it ("{written}")'
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number{_got(value)}{_remove_quotes(value, number=True, whole=True)}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number{_got(value)}{_remove_quotes(value, number=True)}"
    if kind == "finite_number":
        return f"expected a finite number{_got(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false{_got(value)}{_remove_quotes(value, number=False)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        name = patterns.get(pattern)
        return f"{described(value)} is not {name}" if name else f"{described(value)} does not match {pattern}"
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        if least == 1:
            return "must not be empty"
        return f"must be at least {least} characters long (this one has {len(str(value))})"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long (this one has {len(str(value))})"
    if kind in ("too_short", "too_long"):
        takes = f"at least {ctx.get('min_length')}" if kind == "too_short" else f"at most {ctx.get('max_length')}"
        return f"holds {ctx.get('actual_length')} item(s): it takes {takes}"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        limit = ctx.get(key)
        shown: object = limit
        if isinstance(limit, float) and limit.is_integer() and abs(limit) < 1e16:
            shown = int(limit)  # 0, not 0.0
        elif isinstance(limit, float):
            shown = f"{limit:.6g}"  # 2.34854e+108, not 109 digits
        return f"must be {words} {shown}{_got(value)}"
    return None


_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("greater than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}


def _pydantic_message(error: Any) -> str:
    """An error type without a sentence here: a validator's own message (value errors and
    modelops's custom errors are already in our words), else pydantic's with the value."""
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    value = error.get("input")
    if message.startswith("Input should") and isinstance(value, str | int | float | bool):
        return f"{message}{_got(value)}"
    return message


def _remove_quotes(value: Any, number: bool, whole: bool = False) -> str:
    """`: remove the quotes (8)` for the text '8' where a number is expected, 'true' for a boolean."""
    unquoted = _unquoted(value)
    if unquoted is None or isinstance(unquoted, bool) == number:
        return ""
    if whole and not isinstance(unquoted, int):
        return ""
    return f": remove the quotes ({_written(unquoted)})"


def _fields_of(model: type[BaseModel] | None) -> str:
    allowed = allowed_fields(model)
    return f" with the keys {', '.join(allowed)}" if allowed else ""


def allowed_fields(model: type[BaseModel] | None) -> list[str]:
    """The keys a mapping of `model` takes, as written in a file (aliases)."""
    if model is None:
        return []
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _model_at(root: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The pydantic model class of the mapping at `path`, through fields, lists and dicts."""
    current: Any = root
    for part in path:
        current = _step(current, part)
        if current is None:
            return None
    found = _strip(current)
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of `part` inside a value of `annotation` (a field, list item or dict value)."""
    container = _strip(annotation)
    if isinstance(container, type) and issubclass(container, BaseModel):
        fields = container.model_fields
        return next((f.annotation for n, f in fields.items() if part in (n, f.alias)), None)
    origin, args = get_origin(container), get_args(container)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _strip(annotation: Any) -> Any:
    """`annotation` without Annotated metadata and without None as a union member."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            members = [m for m in get_args(annotation) if m is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


_UNION_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "a boolean",
}


def _either(kinds: Iterable[str]) -> str:
    """`text, a number or a boolean` for the members of a union that all refused a value."""
    names = list(dict.fromkeys(_UNION_EXPECTED[kind] for kind in kinds))
    if "a number" in names and "a whole number" in names:
        names.remove("a whole number")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"


def validation_findings(
    exc: ValidationError, model: type[BaseModel], data: Any, patterns: Mapping[str, str] | None = None
) -> list[tuple[FieldPath, str]]:
    """pydantic errors as (field path, message) pairs in the user's terms.

    pydantic's `loc` may hold union member names; only parts that exist in the data are kept,
    so the path is the user's path. The members of a union that all refused a value become one
    finding naming what each would have taken.
    """
    findings: list[tuple[FieldPath, str]] = []
    union_members: dict[FieldPath, list[Any]] = {}
    for error in exc.errors():
        path: list[str | int] = []
        current = data
        dropped = False
        for part in error["loc"]:
            if _has_child(current, part):
                path.append(part)
                current = current[part]
            elif error["type"] in ("missing", "extra_forbidden") and part == error["loc"][-1]:
                path.append(part)
            elif part != "[key]":
                dropped = True
        user_path = tuple(path)
        if dropped and error["type"] in _UNION_EXPECTED:
            union_members.setdefault(user_path, []).append(error)
            continue
        owner = _model_at(model, user_path[:-1]) if error["type"] == "extra_forbidden" else None
        expected = _model_at(model, user_path) if error["type"] in ("model_type", "model_attributes_type") else None
        findings.append((user_path, _message(error, user_path, _Context(owner, expected, patterns or {}))))
    for user_path, errors in union_members.items():
        if len(errors) == 1:
            findings.append((user_path, _message(errors[0], user_path, _Context(None, None, patterns or {}))))
            continue
        findings.append((user_path, f"expected {_either(e['type'] for e in errors)}{_got(errors[0].get('input'))}"))
    return findings
