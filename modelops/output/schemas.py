"""JSON Schemas of the `--format json` documents, generated from `modelops.output.documents`.

Committed under `schemas/` next to the spec language's, written by `modelops schema` and checked
current by `modelops schema --check` (and a test).
"""

from __future__ import annotations

import json

from pydantic import TypeAdapter

from modelops.output.documents import DOCUMENTS


def output_schema_path(command: str) -> str:
    return f"schemas/{command}-output-v1.json"


def output_schema_texts() -> dict[str, str]:
    """Each command's schema, by the path it is committed at."""
    texts = {}
    for command, document in DOCUMENTS.items():
        schema = TypeAdapter(document).json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://modelops.dev/{output_schema_path(command)}"
        schema["title"] = f"modelops {command} --format json, v1"
        texts[output_schema_path(command)] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return texts
