"""An AWS request judged as the service judges it, for the emulations in `modelops.engine.moto_gaps`.

Two passes, in the order AWS applies them:

- botocore's own client-side validation (`botocore.validate`): required members, types, and the
  `min` of numbers, strings and lists. A boto3 client runs it before sending; it is run again
  here because a caller may switch it off (`Config(parameter_validation=False)`).
- the constraints of the service model that botocore leaves to the service: `max` lengths and
  values, `pattern` and `enum`, and the 32 bits of an `integer`. AWS refuses these with a
  ValidationException in its own words ("1 validation error detected: Value 'x' at
  'inferenceComponentName' failed to satisfy constraint: Member must satisfy regular expression
  pattern: ..."), the form every AWS JSON service uses; the member path is camelCase, a list
  item `name.N.member`.

Patterns are the service model's Java regular expressions. Python's `re` reads all but the
Unicode classes (`\\p{L}`, only in tag keys and values, which `validate` checks against the same
rule in `modelops.spec`); a pattern `re` cannot compile is skipped, never guessed at.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# A longer enum is abbreviated in the message: botocore's ProductionVariantInstanceType has
# hundreds of values, and the rehearsal prints each refused call on one line.
ENUM_LISTED = 12
# Smithy's (and so botocore's) `integer` type: "a 32-bit signed integer ranging from -2^31 to
# (2^31)-1" (smithy.io/2.0/spec/simple-types.html); 64-bit members have the type `long`.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


@functools.cache
def service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def request_problem(service: str, operation: str, params: dict[str, Any]) -> str | None:
    """Why AWS would refuse this request on its form alone, in AWS's words; None when it would not."""
    from botocore.validate import validate_parameters

    shape = service_model(service).operation_model(operation).input_shape
    try:
        validate_parameters(params, shape)
    except Exception as exc:  # noqa: BLE001 - botocore raises ParamValidationError; any is a bad request
        return str(exc).replace("\n", " ")
    violations = constraint_violations(params, shape, "")
    if not violations:
        return None
    count = len(violations)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(violations)}"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a Java-only construct (\p{L}): see the module docstring


def _member_path(path: str, member: str) -> str:
    name = member[0].lower() + member[1:]
    return f"{path}.{name}" if path else name


def _enum_text(values: list[str]) -> str:
    if len(values) <= ENUM_LISTED:
        return f"[{', '.join(values)}]"
    return f"[{', '.join(values[:ENUM_LISTED])}, ... ({len(values)} values)]"


def constraint_violations(value: Any, shape: Any, path: str) -> list[str]:
    """The `max`, `pattern` and `enum` constraints of `shape` that `value` breaks, as AWS words each."""
    if value is None:
        return []
    found: list[str] = []
    metadata = shape.metadata
    kind = shape.type_name

    def broken(constraint: str) -> None:
        found.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must {constraint}")

    if kind == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                found += constraint_violations(item, shape.members[key], _member_path(path, key))
        return found
    if kind == "list" and isinstance(value, list):
        if "max" in metadata and len(value) > metadata["max"]:
            broken(f"have length less than or equal to {metadata['max']}")
        for index, item in enumerate(value, start=1):
            found += constraint_violations(item, shape.member, f"{path}.{index}.member")
        return found
    if kind == "map" and isinstance(value, dict):
        if "max" in metadata and len(value) > metadata["max"]:
            broken(f"have length less than or equal to {metadata['max']}")
        for key, item in value.items():
            found += constraint_violations(key, shape.key, f"{path}.{key}.key")
            found += constraint_violations(item, shape.value, f"{path}.{key}.value")
        return found
    if kind == "string" and isinstance(value, str):
        if "max" in metadata and len(value) > metadata["max"]:
            broken(f"have length less than or equal to {metadata['max']}")
        pattern = metadata.get("pattern")
        compiled = _compiled(pattern) if pattern else None
        if compiled is not None and compiled.fullmatch(value) is None:
            broken(f"satisfy regular expression pattern: {pattern}")
        if shape.enum and value not in shape.enum:
            broken(f"satisfy enum value set: {_enum_text(list(shape.enum))}")
        return found
    numeric = kind in ("integer", "long", "float", "double") and isinstance(value, int | float)
    if numeric and "max" in metadata and value > metadata["max"]:
        broken(f"have value less than or equal to {metadata['max']}")
    elif kind == "integer" and isinstance(value, int) and not INT32_MIN <= value <= INT32_MAX:
        # The service reads an `integer` member as 32 bits (INT32_MAX), which botocore does not
        # check: it sends the number as it is. modelops's words.
        broken(f"be a 32-bit integer, between {INT32_MIN} and {INT32_MAX}")
    return found
