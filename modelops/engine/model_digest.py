"""Which models a diff must render: those whose deployment reads something different.

`program.model_inputs` names all that one model's deployment reads; two revisions in which a
model's inputs are equal declare the same resources for it, so `diff` renders only the models
whose inputs differ (and the stack-level resources) and compares those. Both revisions are
rendered by this checkout's program, so the program itself is the same on both sides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelops.engine.program import StackInputs


def canonical(value: Any) -> Any:
    """`value` as plain JSON data, with its types named: equal data means equal inputs."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"<type>": type(value).__qualname__, **value.model_dump(mode="json")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"<type>": type(value).__qualname__, **fields}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    # A new kind of input must be given a canonical form here, never compared by identity.
    raise TypeError(f"no canonical form for {type(value).__qualname__}")


def model_digests(inputs: StackInputs) -> dict[str, str]:
    from modelops.engine.program import model_inputs

    return {
        model.name: hashlib.sha256(
            json.dumps(canonical(model_inputs(inputs, model)), sort_keys=True).encode()
        ).hexdigest()
        for model in inputs.models
    }


def models_to_render(before: StackInputs | None, after: StackInputs | None) -> set[str] | None:
    """The models whose deployment differs between two revisions of a stack; None when the
    stack is on one side only (all of it is created or deleted)."""
    if before is None or after is None:
        return None
    old, new = model_digests(before), model_digests(after)
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
