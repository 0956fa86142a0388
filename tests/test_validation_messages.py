"""Findings in our words: every pydantic error type a spec or stack reaches, the closest allowed
key or value for a typo, unquoted version pins, and misspelt stack config keys."""

from __future__ import annotations

import datetime
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelops.aws.provider_config import AWS_PROVIDER_KEYS
from modelops.spec.validation_messages import closest, described
from tests.conftest import assert_problem, edit_yaml, problems, spec_path

# Phrases of pydantic's own messages that must never reach a user.
PYDANTIC_WORDING = ("Input should", "instance of", "should match pattern", "Field required", "Extra inputs")


def stack_file(root: Path, name: str = "dev") -> Path:
    return root / "stacks" / f"Pulumi.{name}.yaml"


def at(dotted_path: str, value: Any = ...) -> Callable[[Any], None]:
    """Set (or, without a value, delete) the field at `a.b.0.c` of a parsed YAML document."""

    def change(data: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in dotted_path.split(".")]
        for part in parents:
            data = data[part]
        if value is ...:
            del data[last]
        else:
            data[last] = value

    return change


def config(key: str, value: Any = ...) -> Callable[[Any], None]:
    """Set (or delete) one key of a stack file's `config:`."""

    def change(data: Any) -> None:
        if value is ...:
            del data["config"][key]
        else:
            data["config"][key] = value

    return change


def pin(model: str, value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        data["config"]["modelops:models"][model] = value

    return change


def prod_spec(root: Path) -> Path:
    return spec_path(root, "fraud-detector", "3.0.1")


# (id, edit of the churn-classifier 1.2.0 spec, field, the message or a fragment of it)
SPEC_CASES = [
    ("missing", at("metadata.owner"), "metadata.owner", "required field is missing"),
    (
        "extra-forbidden-suggests",
        at("serving.instance_typ", "ml.m5.large"),
        "serving.instance_typ",
        "unknown field; did you mean `instance_type`? (allowed: async, autoscaling, component, data_capture, "
        "instance_count, instance_type, kubernetes, mode, rollout, serverless, target)",
    ),
    (
        "extra-forbidden-case-and-dash",
        at("serving.Instance-Count", 2),
        "serving.Instance-Count",
        "unknown field; did you mean `instance_count`?",
    ),
    (
        "extra-forbidden-alias",
        at("apiversion", "modelops/v1"),
        "apiversion",
        "unknown field; did you mean `apiVersion`?",
    ),
    ("extra-forbidden-far", at("serving.replicas", 3), "serving.replicas", "unknown field (allowed: async, "),
    (
        "string-type-number",
        at("metadata.version", 1.2),
        "metadata.version",
        'expected text, but YAML reads the unquoted 1.2 as a number: quote it ("1.2")',
    ),
    (
        "string-type-date",
        at("metadata.owner", datetime.date(2024, 1, 31)),
        "metadata.owner",
        'expected text, but YAML reads the unquoted 2024-01-31 as a date: quote it ("2024-01-31")',
    ),
    (
        "string-type-boolean",
        at("metadata.owner", True),
        "metadata.owner",
        'YAML reads the unquoted true as a boolean: quote it ("true")',
    ),
    ("string-type-empty", at("metadata.owner", None), "metadata.owner", "expected text (got an empty value)"),
    ("string-type-list", at("metadata.owner", ["a"]), "metadata.owner", "expected text (got a list)"),
    (
        "int-type-quoted",
        at("model.package.version", "9"),
        "model.package.version",
        "expected a whole number (got the text '9'): remove the quotes (9)",
    ),
    (
        "int-type-text",
        at("serving.instance_count", "two"),
        "serving.instance_count",
        "expected a whole number (got the text 'two')",
    ),
    (
        "int-type-fraction",
        at("serving.instance_count", 1.5),
        "serving.instance_count",
        "expected a whole number (got the number 1.5)",
    ),
    (
        "float-parsing",
        at("serving.autoscaling", {"min_instances": 1, "max_instances": 2, "target_invocations_per_instance": "x"}),
        "serving.autoscaling.target_invocations_per_instance",
        "expected a number (got the text 'x')",
    ),
    (
        "bool-type-quoted",
        at("serving.data_capture.enabled", "true"),
        "serving.data_capture.enabled",
        "expected true or false (got the text 'true'): remove the quotes (true)",
    ),
    (
        "bool-type-number",
        at("serving.data_capture.enabled", 1),
        "serving.data_capture.enabled",
        "expected true or false (got the number 1)",
    ),
    (
        "literal-suggests",
        at("serving.mode", "realtim"),
        "serving.mode",
        "the value must be one of `realtime`, `serverless`, `async`, `component` (got the text 'realtim'); "
        "did you mean `realtime`?",
    ),
    (
        "literal-case",
        at("serving.mode", "Serverless"),
        "serving.mode",
        "did you mean `serverless`?",
    ),
    (
        "literal-number-quoted",
        at("serving.serverless", {"memory_mb": "2048"}),
        "serving.serverless.memory_mb",
        "the value must be one of 1024, 2048, 3072, 4096, 5120, 6144 (got the text '2048'): remove the quotes (2048)",
    ),
    (
        "literal-key",
        at("environments.prd", {}),
        "environments.prd",
        "the key must be one of `dev`, `staging`, `prod` (got the text 'prd'); did you mean `prod`?",
    ),
    (
        "pattern",
        at("serving.instance_type", "m5.large"),
        "serving.instance_type",
        "the text 'm5.large' is not a SageMaker instance type, ml.<family>.<size> (e.g. ml.m5.large)",
    ),
    ("string-too-short", at("metadata.owner", ""), "metadata.owner", "must not be empty"),
    (
        "string-too-long",
        at("metadata.description", "x" * 1025),
        "metadata.description",
        "must be at most 1024 characters long (this one has 1025)",
    ),
    (
        "list-too-short",
        at("features.groups.0.features", []),
        "features.groups[0].features",
        "holds 0 item(s): it takes at least 1",
    ),
    ("at-least", at("serving.instance_count", 0), "serving.instance_count", "must be at least 1 (got the number 0)"),
    (
        "at-most",
        at("serving.rollout.canary_percent", 51),
        "serving.rollout.canary_percent",
        "must be at most 50 (got the number 51)",
    ),
    (
        "greater-than",
        at("serving.autoscaling", {"min_instances": 1, "max_instances": 2, "target_invocations_per_instance": 0}),
        "serving.autoscaling.target_invocations_per_instance",
        "must be greater than 0 (got the number 0)",
    ),
    (
        "model-type",
        at("serving.data_capture", "yes please"),
        "serving.data_capture",
        "expected a mapping with the keys enabled, sampling_percent (got the text 'yes please')",
    ),
    ("dict-type", at("metadata.tags", ["team"]), "metadata.tags", "expected a mapping (got a list)"),
    (
        "list-type",
        at("governance.allowed_environments", "dev"),
        "governance.allowed_environments",
        "expected a list (got the text 'dev'): a list of one is [dev]",
    ),
    (
        "union",
        at("model.environment", {"WORKERS": [1, 2]}),
        "model.environment.WORKERS",
        "expected text, a number or a boolean (got a list)",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), [c[1:] for c in SPEC_CASES], ids=[c[0] for c in SPEC_CASES])
def test_spec_errors_read_like_ours(project: Path, change: Callable[[Any], None], field: str, message: str) -> None:
    edit_yaml(spec_path(project), change)
    found = [p for p in problems(project) if p.field == field]
    problem = assert_problem(found, field, message, "model_specs/churn-classifier/1.2.0.yaml")
    assert not any(phrase in problem.message for phrase in PYDANTIC_WORDING), problem.message


def test_the_suggestion_names_file_line_and_column(project: Path) -> None:
    path = spec_path(project)
    text = path.read_text().replace("instance_type: ml.m5.large", "instance_typ: ml.m5.large")
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "instance_typ:" in row)
    problem = assert_problem(problems(project), "serving.instance_typ", "did you mean `instance_type`?")
    assert str(problem).startswith(f"model_specs/churn-classifier/1.2.0.yaml:{line}:3: serving.instance_typ: ")


def test_an_override_typo_is_suggested_on_the_override(project: Path) -> None:
    edit_yaml(spec_path(project), at("environments", {"dev": {"serving": {"instance_cuont": 1}}}))
    problem = assert_problem(problems(project), "serving.instance_cuont", "did you mean `instance_count`?")
    assert "(after the dev override)" in problem.message


def test_an_unquoted_pin_says_to_quote_it(project: Path) -> None:
    path = stack_file(project)
    text = path.read_text().replace("demand-forecaster: 1.1.0", "demand-forecaster: 1.1")
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "demand-forecaster: 1.1" in row)
    problem = assert_problem(problems(project), "modelops:models.demand-forecaster", "version pins are text")
    assert str(problem) == (
        f"stacks/Pulumi.dev.yaml:{line}:5: modelops:models.demand-forecaster: version pins are text, but YAML "
        'reads the unquoted 1.1 as a number: quote the version as its spec file is named, e.g. "1.1.0"'
    )


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        (
            3,
            "modelops:models.fraud-detector",
            'the unquoted 3 as a number: quote the version as its spec file is named, e.g. "3.0.0"',
        ),
        ({"version": 3.1}, "modelops:models.fraud-detector", 'e.g. "3.1.0"'),
        (
            {"version": "3.1.0", "challenger": {"version": 3.2, "traffic_percent": 10}},
            "modelops:models.fraud-detector.challenger.version",
            'the unquoted 3.2 as a number: quote the version as its spec file is named, e.g. "3.2.0"',
        ),
        (
            [1, 2],
            "modelops:models.fraud-detector",
            "expected a mapping with the keys challenger, shadow, version (got a list)",
        ),
        ("3.1.0!", "modelops:models.fraud-detector", "is not a version of the model"),
    ],
    ids=["integer", "in-a-mapping", "challenger", "list", "pattern"],
)
def test_pin_errors(project: Path, value: Any, field: str, message: str) -> None:
    edit_yaml(stack_file(project), pin("fraud-detector", value))
    problem = assert_problem(problems(project), field, message, "Pulumi.dev.yaml")
    assert not any(phrase in problem.message for phrase in PYDANTIC_WORDING), problem.message


OWN_KEYS = (
    "(known: modelops:environment, modelops:models, modelops:kmsKeyArn, modelops:permissionsBoundaryArn, "
    "modelops:vpc, modelops:buckets, modelops:alarmTopicArn, modelops:tags, modelops:kubernetes, modelops:pools)"
)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("modelops:tag", f"unknown key; did you mean `modelops:tags`? {OWN_KEYS}"),
        ("modelops:kmsKeyARN", "unknown key; did you mean `modelops:kmsKeyArn`?"),
        ("modelops:colour", f"unknown key {OWN_KEYS}"),
        ("modelops:config:tags", "unknown key; did you mean `modelops:tags`?"),
        (
            "aws:regoin",
            "unknown key: the aws provider takes no config key 'regoin' and refuses the stack; did you mean "
            "`aws:region`? (its keys: https://www.pulumi.com/registry/packages/aws/installation-configuration/)",
        ),
        ("aws:profle", "did you mean `aws:profile`?"),
        ("aws:colour", "unknown key: the aws provider takes no config key 'colour' and refuses the stack (its keys: "),
        ("modelop:kmsKeyArn", "nothing reads the namespace 'modelop'; did you mean `modelops:kmsKeyArn`?"),
        (
            "tags",
            "'tags' has no namespace: Pulumi reads stack config keys as <namespace>:<name> (modelops:..., aws:...) "
            "and rejects the file; did you mean `modelops:tags`?",
        ),
    ],
)
def test_stack_key_typos_are_suggested(project: Path, key: str, message: str) -> None:
    edit_yaml(stack_file(project), config(key, {"team": "ml"}))
    problem = assert_problem(problems(project), key, message, "Pulumi.dev.yaml")
    if "did you mean" not in message:
        assert "did you mean" not in problem.message


def test_a_misspelt_aws_namespace_is_named_when_the_region_is_missing(project: Path) -> None:
    def move_region(data: Any) -> None:
        data["config"]["asw:region"] = data["config"].pop("aws:region")

    edit_yaml(stack_file(project), move_region)
    found = problems(project)
    assert_problem(found, "asw:region", "nothing reads the namespace 'asw'; did you mean `aws:region`?")
    assert_problem(found, "aws:region", "required field is missing")


def test_other_namespaces_and_provider_keys_are_left_alone(project: Path) -> None:
    # awsx is another provider: with aws:region set, its `region` is not taken for a typo.
    for key, value in {"awsx:region": "eu-west-1", "myapp:colour": "blue", "aws:profile": "ci"}.items():
        edit_yaml(stack_file(project), config(key, value))
    assert not [p for p in problems(project) if p.field in ("awsx:region", "myapp:colour", "aws:profile")]


def test_nested_stack_key_typo_is_suggested(project: Path) -> None:
    def misspell(data: Any) -> None:
        data["config"]["modelops:kubernetes"]["oidcProviderArm"] = data["config"]["modelops:kubernetes"].pop(
            "oidcProviderArn"
        )

    edit_yaml(stack_file(project), misspell)
    assert_problem(
        problems(project),
        "modelops:kubernetes.oidcProviderArm",
        "unknown field; did you mean `oidcProviderArn`? (allowed: context, manageNamespaces, oidcProviderArn, "
        "payloadLoggerUrl)",
    )


def test_the_aws_provider_keys_are_the_installed_providers() -> None:
    spec = importlib.util.find_spec("pulumi_aws")
    assert spec is not None and spec.submodule_search_locations
    source = (Path(next(iter(spec.submodule_search_locations))) / "config" / "vars.py").read_text()
    assert set(re.findall(r"__config__\.get\w*\('(\w+)'", source)) == AWS_PROVIDER_KEYS


def test_closest() -> None:
    assert closest("instance_typ", ["instance_type", "instance_count"]) == "instance_type"
    assert closest("INSTANCE-TYPE", ["instance_type"]) == "instance_type"
    assert closest("replicas", ["rollout", "mode"]) is None
    assert closest("mode", ["mode"]) is None  # never the word itself


def test_described() -> None:
    assert described(1.1) == "the number 1.1"
    assert described(False) == "the boolean false"
    assert described("x" * 100) == f"the text '{'x' * 57}...'"
    assert described(None) == "an empty value"
