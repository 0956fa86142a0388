"""Engine values -> the types an AWS operation takes.

The Pulumi engine carries numbers as protobuf doubles, so a dynamic provider receives `1800.0`
where botocore wants the integer 1800 (and rejects the float). This walks the request along
the operation's botocore input shape and turns whole floats into integers where the API
declares an integer.
"""

from __future__ import annotations

from typing import Any


def shaped_request(client: Any, method: str, request: dict[str, Any]) -> dict[str, Any]:
    operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
    return _shaped(request, operation.input_shape)


def _shaped(value: Any, shape: Any) -> Any:
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: _shaped(v, shape.members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_shaped(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _shaped(v, shape.value) for k, v in value.items()}
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
