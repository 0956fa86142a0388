"""The reference of the spec language and the stack keys (docs/spec-reference.md), generated.

Types, limits and defaults are read from the same JSON Schema that `modelops schema` writes to
schemas/, and the sections follow the models' nesting, so the reference says exactly what
`validate` accepts field by field. `modelops schema` writes both files and `--check` compares
both; a test fails when either is stale. Rules that relate several fields are not in the
models (they live in `modelops.spec.checks`): docs/spec-language.md explains them in prose.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from modelops.spec.models import ModelSpec
from modelops.spec.stack import FIELDS, StackConfig

REFERENCE_PATH = "docs/spec-reference.md"
# What a mapping's keys stand for, by the field that holds the mapping.
KEY_PLACEHOLDERS = {"environments": "<environment>", "models": "<model>"}


@dataclass(frozen=True)
class Row:
    key: str
    kind: str
    default: str
    description: str


@dataclass(frozen=True)
class Section:
    path: str
    model: type[BaseModel]
    summary: str
    rows: tuple[Row, ...]

    @property
    def heading(self) -> str:
        return f"`{self.path}`"


def anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lowercase, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def yaml_key(name: str, field: FieldInfo) -> str:
    return field.alias or name


def _nested(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """The model a field holds, with the path suffix of where it sits: '' for the field itself,
    '[]' for list items, '.' for mapping values (the key placeholder is added by the caller)."""
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is Annotated:
        return _nested(arguments[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "", annotation
    if origin in (Union, types.UnionType):
        for argument in arguments:
            found = _nested(argument)
            if found is not None:
                return found
    if origin is list:
        found = _nested(arguments[0])
        return None if found is None else ("[]" + found[0], found[1])
    if origin is dict:
        found = _nested(arguments[1])
        return None if found is None else ("." + found[0], found[1])
    return None


def _child_path(path: str, name: str, key: str, suffix: str) -> str:
    own = f"{path}.{key}" if path else key
    if suffix.startswith("."):
        return f"{own}.{KEY_PLACEHOLDERS.get(name, '<name>')}{suffix[1:]}"
    return own + suffix


def _code(value: Any) -> str:
    return f"`{value}`"


def _one_of(values: list[Any]) -> str:
    shown = [_code(_scalar(v)) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    return str(value)


def _bounds(schema: dict[str, Any], unit: str = "") -> str:
    low = schema.get("minimum", schema.get("minLength", schema.get("minItems")))
    high = schema.get("maximum", schema.get("maxLength", schema.get("maxItems")))
    above = schema.get("exclusiveMinimum")
    suffix = f" {unit}" if unit else ""
    if above is not None:
        return f"above {_scalar(above)}" + (f", at most {_scalar(high)}" if high is not None else "")
    if low is not None and high is not None:
        return f"{_scalar(low)} to {_scalar(high)}{suffix}"
    if low is not None:
        return f"at least {_scalar(low)}{suffix}"
    if high is not None:
        return f"at most {_scalar(high)}{suffix}"
    return ""


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


WORDS = {"string": "text", "integer": "integer", "number": "number", "boolean": "boolean", "null": "null"}


def kind(schema: dict[str, Any], nested: bool = False) -> str:
    """What a value of this JSON Schema is, in words: type, allowed values and limits."""
    if "$ref" in schema:
        return "mappings" if nested else "mapping"
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option.get("type") != "null"]
        return _joined([kind(option, nested) for option in options])
    if "const" in schema:
        return _code(_scalar(schema["const"]))
    if "enum" in schema:
        values = _one_of(schema["enum"])
        return values if nested or len(schema["enum"]) == 1 else f"one of {values}"
    type_ = str(schema.get("type"))
    if type_ == "array":
        return _with_limits(f"list of {kind(schema.get('items', {}), nested=True)}", _bounds(schema, "items"))
    if type_ == "object":
        return _mapping_kind(schema)
    if type_ == "string":
        pattern = f"matching {_code(schema['pattern'])}" if "pattern" in schema else ""
        return _with_limits("text", _bounds(schema, "characters"), pattern)
    return _with_limits(WORDS.get(type_, type_), _bounds(schema))


def _mapping_kind(schema: dict[str, Any]) -> str:
    names = schema.get("propertyNames", {})
    keys = _one_of(names["enum"]) if "enum" in names else "text"
    values = schema.get("additionalProperties")
    return f"mapping of {keys} to {kind(values, nested=True)}" if isinstance(values, dict) else "mapping"


def _with_limits(text: str, *limits: str) -> str:
    return ", ".join([text, *(limit for limit in limits if limit)])


def default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "its defaults"
    return _code(_scalar(value))


def _model_schema(model: type[BaseModel], root: dict[str, Any]) -> dict[str, Any]:
    definitions = root.get("$defs", {})
    return root if model.__name__ == root.get("title") else definitions[model.__name__]


def _sections(
    model: type[BaseModel],
    path: str,
    summary: str,
    root: dict[str, Any],
    keys: dict[str, str] | None = None,
) -> list[Section]:
    """The section of `model` at `path`, then those of the models it holds, depth first.

    `keys` renames the fields at this level (a stack's `region` is the file's `aws:region`);
    a field it leaves out is not a key of the file."""
    properties = _model_schema(model, root)["properties"]
    rows: list[Row] = []
    children: list[Section] = []
    for name, field in model.model_fields.items():
        key = yaml_key(name, field)
        if keys is not None:
            if name not in keys:
                continue
            key = keys[name]
        schema = properties[yaml_key(name, field)]
        text = kind(schema)
        held = _nested(field.annotation)
        if held is not None:
            suffix, child = held
            child_path = _child_path(path, name, key, suffix)
            text = f"{text}: [`{child_path}`](#{anchor(f'`{child_path}`')})"
            children.extend(_sections(child, child_path, field.description or "", root))
        rows.append(Row(key, text, default(field), field.description or ""))
    return [Section(path, model, summary, tuple(rows)), *children]


def spec_sections() -> list[Section]:
    root = ModelSpec.model_json_schema(by_alias=True)
    return _sections(ModelSpec, "", "The top level of a spec file.", root)


def stack_sections() -> list[Section]:
    root = StackConfig.model_json_schema(by_alias=True)
    return _sections(StackConfig, "", "", root, keys=dict(FIELDS))


def _cell(text: str) -> str:
    """Table-cell text: `|` escaped everywhere (code spans too, as GFM tables require), and `<`
    outside code spans, where `<name>` would be read as an HTML tag."""
    parts = re.split(r"(`[^`]*`)", " ".join(text.split()))
    escaped = [part if part.startswith("`") else part.replace("<", "\\<") for part in parts]
    return "".join(escaped).replace("|", "\\|")


def _table(section: Section, key_header: str) -> list[str]:
    lines = [f"| {key_header} | Type and limits | Default | Description |", "| --- | --- | --- | --- |"]
    for row in section.rows:
        lines.append(
            f"| {_cell(_code(row.key))} | {_cell(row.kind)} | {_cell(row.default)} | {_cell(row.description)} |"
        )
    return lines


HEADER = """\
<!-- Generated from modelops/spec/models.py and modelops/spec/stack.py by `python -m modelops schema`.
     Edit the models' descriptions, not this file: a test fails when it is stale. -->

# Spec and stack reference

Every field of a model spec (`model_specs/<model>/<version>.yaml`) and every key of a stack file
(`stacks/Pulumi.<stack>.yaml`): its type, allowed values and limits, default, and meaning. A key
that is left out takes its default; *unset* means it is absent (writing `null` is the same).
Unknown keys are errors everywhere.

This page is what each field accepts on its own. The rules between fields (`instance_type` is
required unless `mode: serverless`, a monitor needs data capture, ...), environments, versions
and governance are in [the spec language](spec-language.md); stacks are explained in
[stacks](stacks.md) and Kubernetes serving in [kubernetes](kubernetes.md). Editors can check
spec files against `schemas/modelspec-v1.json`, which is generated from the same models.
"""


def reference_text() -> str:
    lines = [HEADER, "## Model spec", ""]
    for section in spec_sections():
        title = "Top level" if not section.path else section.heading
        lines += [f"### {title}", "", _cell(section.summary), "", *_table(section, "Field"), ""]
    lines += [
        "## Stack file",
        "",
        "A stack file is Pulumi's stack configuration: these keys sit under its `config:` mapping.",
        "",
    ]
    for section in stack_sections():
        title = "`config`" if not section.path else section.heading
        lines += [f"### {title}", ""]
        if section.summary:
            lines += [_cell(section.summary), ""]
        lines += [*_table(section, "Key"), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
