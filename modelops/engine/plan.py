"""The Plan: every resource a stack's program registers, with its inputs as the engine gets them.

Pure data, written by `modelops.engine.render` and read by the rules, the formats and diff.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO


@dataclass
class PlanResource:
    urn: str
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    custom: bool = True
    # URNs of the resources this one uses outputs of (or was told to wait for): created first.
    dependencies: list[str] = field(default_factory=list)
    # What the engine does with it beyond its inputs (modelops.engine.render.lifecycle_options):
    # adopted rather than created, kept on delete, inputs ignored or replaced on change.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlanViolation:
    rule: str
    severity: str
    urn: str
    message: str


@dataclass
class Plan:
    stack: str
    environment: str
    models: list[dict[str, str]]
    resources: list[PlanResource] = field(default_factory=list)
    violations: list[PlanViolation] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def managed(self) -> list[PlanResource]:
        """The resources the stack's state will hold, providers included: what "N resources"
        counts everywhere. Components (custom=False) only group them and create nothing."""
        return [r for r in self.resources if r.custom]

    def to_json(self) -> dict[str, Any]:
        """The Plan as data for `strict_json`, which writes its numbers as the program wrote them.
        `resources` lists components too; `resource_count` counts what `managed` does."""
        managed = len(self.managed)
        return {**asdict(self), "resource_count": managed, "component_count": len(self.resources) - managed}

    def write_json(self, stream: TextIO) -> None:
        """`strict_json(self.to_json())`, written resource by resource: a large stack's plan
        never exists whole as one string or one tree of dicts next to the Plan itself."""
        managed = len(self.managed)
        fields: dict[str, Any] = {
            "stack": self.stack,
            "environment": self.environment,
            "models": self.models,
            "resources": self.resources,
            "violations": [asdict(v) for v in self.violations],
            "outputs": self.outputs,
            "resource_count": managed,
            "component_count": len(self.resources) - managed,
        }
        stream.write("{")
        for index, (key, value) in enumerate(fields.items()):
            stream.write(("," if index else "") + "\n  " + json.dumps(key) + ": ")
            if key != "resources":
                stream.write(strict_json(value).replace("\n", "\n  "))
            elif not value:
                stream.write("[]")
            else:
                for position, resource in enumerate(value):
                    stream.write(("[" if position == 0 else ",") + "\n    ")
                    stream.write(strict_json(asdict(resource)).replace("\n", "\n    "))
                stream.write("\n  ]")
        stream.write("\n}")

    def by_type(self, type_token: str) -> list[PlanResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str) -> PlanResource:
        found = [r for r in self.resources if r.type == type_token and r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources of type {type_token} named {name}")
        return found[0]


def wire_numbers(value: Any) -> Any:
    """`value` with every integral float written as an int, recursively.

    Pulumi's wire format has a single number type (inputs travel as a protobuf Struct, whose
    numbers are doubles), so each number the program registers reaches the mocks as a float:
    `initialInstanceCount=1` is recorded as 1.0. The provider types numbers again from its
    schema, so 1 and 1.0 are the same input to it; printing an integral float as the int it came
    from is therefore exact, and shows counts, seconds and sizes as written.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: wire_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire_numbers(v) for v in value]
    return value


def strict_json(data: Any) -> str:
    """JSON that strict parsers accept: integral floats as ints, and no NaN or Infinity, which
    are not JSON (RFC 8259) and which json.dumps would otherwise write as bare words."""
    return json.dumps(wire_numbers(data), indent=2, allow_nan=False, default=str)


PROVIDER_KEY = "__provider"  # a dynamic resource's pickled provider: engine plumbing, not an input


def physical_name(inputs: dict[str, Any]) -> str | None:
    """The AWS name a resource's inputs give it, if any; a Kubernetes object's
    `namespace/name` (or `name`, cluster-wide)."""
    definition = inputs.get("definition")
    metadata = inputs.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) and "apiVersion" in inputs:
        namespace = metadata.get("namespace")
        return f"{namespace}/{metadata['name']}" if isinstance(namespace, str) else metadata["name"]
    return (
        inputs.get("name")
        or inputs.get("bucket")
        or inputs.get("featureGroupName")
        or inputs.get("modelPackageGroupName")
        or inputs.get("modelCardName")
        or (definition.get("JobDefinitionName") if isinstance(definition, dict) else None)
    )


ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
# A pool's endpoint configuration (components/providers/pool_endpoint_configuration.py): its
# inputs are `name` and the CreateEndpointConfig request under `configuration`, PascalCase.
POOL_ENDPOINT_CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def endpoint_variants(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Every endpoint configuration's production variants by the configuration's name, a model's
    (pulumi-aws) and a pool's (our provider) alike, with camelCase keys as pulumi-aws has them
    (`variantName`, `instanceType`, `initialInstanceCount`, `managedInstanceScaling`, ...)."""
    variants: dict[str, list[dict[str, Any]]] = {}
    for resource in plan.by_type(ENDPOINT_CONFIG):
        variants[str(resource.inputs.get("name"))] = list(resource.inputs.get("productionVariants") or [])
    for resource in plan.by_type(POOL_ENDPOINT_CONFIG):
        configuration = resource.inputs.get("configuration") or {}
        variants[str(resource.inputs.get("name"))] = _camel(list(configuration.get("ProductionVariants") or []))
    return variants
