"""JSON Schema of the spec language, generated from the pydantic models."""

from __future__ import annotations

import json

from modelops.spec.models import ModelSpec

SCHEMA_PATH = "schemas/modelspec-v1.json"


def schema_text() -> str:
    schema = ModelSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://modelops.dev/schemas/modelspec-v1.json"
    schema["title"] = "modelops ModelSpec v1"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
