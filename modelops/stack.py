"""Stack configuration: `stacks/Pulumi.<stack>.yaml`, namespace `modelops:`.

The same model is built from the file (validate, plan, rehearse) and from `pulumi.Config`
inside the program (a real `pulumi up`), so both paths share `stack_config_from_mapping`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StrictInt, ValidationError, field_validator

from modelops.loader import Document, FieldPath, Problem, ProblemsFound, parse, validation_findings
from modelops.spec import Environment, SpecModel

STACKS_DIR = "stacks"
NAMESPACE = "modelops"
ARN_KMS_KEY = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$"
ARN_IAM_POLICY = r"^arn:aws[a-z-]*:iam::\d{12}:policy/[A-Za-z0-9+=,.@_/-]+$"
ARN_SNS_TOPIC = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
VERSION_PIN = r"^(latest|[0-9A-Za-z.+-]+)$"

# Config keys of the file -> field names of StackConfig.
KEYS = {
    "aws:region": "region",
    "modelops:environment": "environment",
    "modelops:models": "models",
    "modelops:kmsKeyArn": "kms_key_arn",
    "modelops:permissionsBoundaryArn": "permissions_boundary_arn",
    "modelops:vpc": "vpc",
    "modelops:buckets": "buckets",
    "modelops:alarmTopicArn": "alarm_topic_arn",
    "modelops:tags": "tags",
}
FIELDS = {v: k for k, v in KEYS.items()}


class ChallengerPin(SpecModel):
    version: Annotated[str, Field(pattern=VERSION_PIN)]
    traffic_percent: Annotated[StrictInt, Field(ge=1, le=50)]


class ShadowPin(SpecModel):
    version: Annotated[str, Field(pattern=VERSION_PIN)]
    sampling_percent: Annotated[StrictInt, Field(ge=1, le=100)] = 100


class Pin(SpecModel):
    version: Annotated[str, Field(pattern=VERSION_PIN)]
    challenger: ChallengerPin | None = None
    shadow: ShadowPin | None = None


class Vpc(SpecModel):
    subnet_ids: Annotated[
        list[Annotated[str, Field(pattern=r"^subnet-[a-z0-9]+$")]], Field(min_length=1, max_length=16)
    ] = Field(alias="subnetIds")
    security_group_ids: Annotated[
        list[Annotated[str, Field(pattern=r"^sg-[a-z0-9]+$")]], Field(min_length=1, max_length=5)
    ] = Field(alias="securityGroupIds")


class Buckets(SpecModel):
    data_capture: Annotated[str, Field(pattern=BUCKET_NAME)] | None = Field(None, alias="dataCapture")
    monitoring: Annotated[str, Field(pattern=BUCKET_NAME)] | None = None
    feature_store: Annotated[str, Field(pattern=BUCKET_NAME)] | None = Field(None, alias="featureStore")


class StackConfig(SpecModel):
    name: str
    region: Annotated[str, Field(pattern=REGION)]
    environment: Environment
    models: dict[str, Pin] = Field(default_factory=dict)
    kms_key_arn: Annotated[str, Field(pattern=ARN_KMS_KEY)] | None = None
    permissions_boundary_arn: Annotated[str, Field(pattern=ARN_IAM_POLICY)] | None = None
    vpc: Vpc | None = None
    buckets: Buckets = Field(default_factory=Buckets)
    alarm_topic_arn: Annotated[str, Field(pattern=ARN_SNS_TOPIC)] | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("models", mode="before")
    @classmethod
    def _short_pins(cls, value: Any) -> Any:
        # `churn-classifier: 1.2.0` is shorthand for `{version: 1.2.0}`.
        if isinstance(value, dict):
            return {k: {"version": v} if isinstance(v, str) else v for k, v in value.items()}
        return value


def stack_path(root: Path, stack: str) -> Path:
    return root / STACKS_DIR / f"Pulumi.{stack}.yaml"


def stack_names(root: Path) -> list[str]:
    directory = root / STACKS_DIR
    pattern = re.compile(r"^Pulumi\.(.+)\.yaml$")
    return sorted(m[1] for p in directory.glob("Pulumi.*.yaml") if (m := pattern.match(p.name)))


def config_path(field_path: FieldPath) -> FieldPath:
    """The location in the stack file of a StackConfig field path."""
    if not field_path or field_path[0] not in FIELDS:
        return ("config",)
    rest = list(field_path[1:])
    if field_path[0] == "models" and len(rest) == 2 and rest[1] == "version":
        rest = rest[:1]  # a shorthand pin has no `version` key; point at the pin itself
    return ("config", FIELDS[str(field_path[0])], *rest)


def stack_config_from_mapping(name: str, config: dict[str, Any], doc: Document | None = None) -> StackConfig:
    """Build the StackConfig from `namespace:key` config values; errors name the config key."""
    problems: list[Problem] = []
    data: dict[str, Any] = {"name": name}
    for key, value in config.items():
        if key in KEYS:
            data[KEYS[key]] = _plain(value)
        elif key.startswith(f"{NAMESPACE}:"):
            known = ", ".join(k for k in KEYS if k.startswith(NAMESPACE))
            problems.append(_stack_problem(name, doc, ("config", key), f"unknown key (known: {known})"))
    try:
        stack = StackConfig.model_validate(data)
    except ValidationError as exc:
        for path, message in validation_findings(exc, StackConfig, data):
            problems.append(_stack_problem(name, doc, config_path(path), message))
        raise ProblemsFound(problems) from None
    if problems:
        raise ProblemsFound(problems)
    return stack


def _plain(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return None  # encrypted config cannot be read offline; treated as unset here
    return value


def _stack_problem(name: str, doc: Document | None, path: FieldPath, message: str) -> Problem:
    if doc is not None:
        return doc.problem(path, message, _config_field(path))
    return Problem(f"stack {name}", 1, 1, _config_field(path), message)


def _config_field(path: FieldPath) -> str:
    from modelops.loader import dotted

    return dotted(path[1:]) if path[:1] == ("config",) else dotted(path)


def load_stack_file(root: Path, name: str, text: str | None = None) -> tuple[StackConfig, Document]:
    """The stack file (or `text` in its place, to check an edit before it is written)."""
    path = stack_path(root, name)
    display = path.relative_to(root).as_posix()
    if text is None and not path.is_file():
        raise ProblemsFound([Problem(display, 1, 1, "", f"stack {name!r} has no file {display}")])
    doc = parse(path, display, text)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("config"), dict):
        raise ProblemsFound([doc.problem((), "a stack file holds a 'config:' mapping")])
    return stack_config_from_mapping(name, doc.data["config"], doc), doc


def stack_problem(doc: Document | None, stack: StackConfig, field_path: FieldPath, message: str) -> Problem:
    """A problem that belongs to a stack (not one spec), placed on its config key."""
    return _stack_problem(stack.name, doc, config_path(field_path), message)
