"""YAML 1.1 readings that differ from what the author wrote are errors; JSON output is strict JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.plan import strict_json, wire_numbers
from modelops.spec.loader import Problem, ProblemsFound, parse
from tests.conftest import REPO_ROOT, assert_problem, git, problems, read_yaml, spec_path, write_yaml

SPEC_FILE = "churn-classifier/1.2.0.yaml"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))


def position_of(path: Path, fragment: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if fragment in line:
            return number, line.index(fragment) + 1
    raise AssertionError(f"{fragment!r} not in {path}")


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "instance_count: 2\n",
            "instance_count: 010\n",
            "serving.instance_count",
            "010 is read as octal 8 by YAML 1.1: write 10 (or 8) without the leading zero, or quote it ('010')",
        ),
        (
            "wait_s: 600",
            "wait_s: 1:30",
            "serving.rollout.wait_s",
            "1:30 is read as the base-60 number 90 by YAML 1.1: write 90, or quote it ('1:30') for text",
        ),
        (
            "probability_threshold: 0.5",
            "probability_threshold: .inf",
            "monitoring.model_quality.probability_threshold",
            ".inf is read as infinity, which no modelops field takes: write a finite number",
        ),
        (
            "max_5xx_error_rate_percent: 1.0",
            "max_5xx_error_rate_percent: -.inf",
            "serving.rollout.alarms.max_5xx_error_rate_percent",
            "-.inf is read as negative infinity, which no modelops field takes",
        ),
        (
            "target_invocations_per_instance: 700,\n               ",
            "target_invocations_per_instance: .nan,\n               ",
            "serving.autoscaling.target_invocations_per_instance",
            ".nan is read as not-a-number, which no modelops field takes",
        ),
        (
            "termination_wait_s: 300",
            "termination_wait_s: 0x1F",
            "serving.rollout.termination_wait_s",
            "0x1F is read as hexadecimal 31: write 31",
        ),
        (
            "canary_percent: 10",
            "canary_percent: 0b101",
            "serving.rollout.canary_percent",
            "0b101 is read as binary 5 by YAML 1.1 (YAML 1.2 reads text): write 5",
        ),
        (
            "max_p99_latency_ms: 500",
            "max_p99_latency_ms: 1_000",
            "serving.rollout.alarms.max_p99_latency_ms",
            "1_000 is read as 1000 by YAML 1.1 (YAML 1.2 reads text): write 1000",
        ),
        (
            "data_quality: {enabled: true}",
            "data_quality: {enabled: on}",
            "monitoring.data_quality.enabled",
            "on is read as boolean true by YAML 1.1 (YAML 1.2 reads the text 'on'): write true",
        ),
        (
            "offline: {enabled: true}",
            "offline: {enabled: No}",
            "features.groups[0].offline.enabled",
            "No is read as boolean false by YAML 1.1 (YAML 1.2 reads the text 'No'): write false",
        ),
        (
            "environment: {SAGEMAKER_PROGRAM: inference.py}",
            "environment: {SAGEMAKER_PROGRAM: inference.py, VERBOSE: yes}",
            "model.environment.VERBOSE",
            "yes is read as boolean true by YAML 1.1",  # would reach the container as "true"
        ),
    ],
)
def test_yaml_11_reading_in_a_spec_is_an_error_at_the_value(
    project: Path, old: str, new: str, field: str, message: str
) -> None:
    path = spec_path(project, "churn-classifier", "1.2.0")
    replace_in(path, old, new)
    found = assert_problem(problems(project), field, message, SPEC_FILE)
    written = message.split(" ", 1)[0]  # each message starts with the value as written
    line, colon = position_of(path, f": {written}")
    assert (found.line, found.column) == (line, colon + 2)  # the value itself, after ": "


def test_quoted_and_yaml_12_values_are_taken_as_written(project: Path) -> None:
    path = spec_path(project, "churn-classifier", "1.2.0")
    replace_in(
        path,
        "environment: {SAGEMAKER_PROGRAM: inference.py}",
        "environment: {SAGEMAKER_PROGRAM: inference.py, ZIP: '010', WHEN: \"1:30\", FLAG: 'yes', N: 0, ON_TIME: true}",
    )
    assert problems(project) == []


def test_key_read_as_a_boolean_in_a_stack_file(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    replace_in(
        stack, "modelops:tags: {environment-owner: platform}", "modelops:tags: {environment-owner: platform, on: call}"
    )
    found = assert_problem(
        problems(project),
        "config.modelops:tags.on",
        "the key on is read as boolean true by YAML 1.1",
        "Pulumi.dev.yaml",
    )
    assert "quote it ('on')" in found.message
    assert (found.line, found.column) == position_of(stack, "on: call")


def test_yaml_11_value_in_a_stack_file(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.prod.yaml"
    replace_in(
        stack,
        "modelops:tags: {environment-owner: platform}",
        "modelops:tags: {environment-owner: platform, build: 0755}",
    )
    found = assert_problem(
        problems(project), "config.modelops:tags.build", "0755 is read as octal 493", "Pulumi.prod.yaml"
    )
    assert (found.line, found.column) == position_of(stack, "0755")


# --- numbers in JSON output ------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"{name} is not JSON")


def strictly_parsed(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant)


def integral_floats(value: Any, path: str = "") -> list[str]:
    if isinstance(value, float) and value.is_integer():
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in integral_floats(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in integral_floats(v, f"{path}[{i}]")]
    return []


def test_plan_json_is_strict_and_keeps_integers(project: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "--stack", "dev", "--format", "json", "--root", str(project)])
    assert result.exit_code == 0, result.output
    plan = strictly_parsed(result.output)
    config = next(r for r in plan["resources"] if r["name"] == "churn-classifier-serving-config")
    count = config["inputs"]["productionVariants"][0]["initialInstanceCount"]
    assert type(count) is int and count == 1
    assert integral_floats(plan) == []


def test_strict_json_writes_integral_floats_as_ints_and_refuses_nan() -> None:
    assert wire_numbers({"a": [1.0, 0.5, True, "1.0"], "b": (2.0,)}) == {"a": [1, 0.5, True, "1.0"], "b": [2]}
    assert strict_json({"count": 3.0}) == '{\n  "count": 3\n}'
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        strict_json({"threshold": float("inf")})


def test_diff_json_is_strict_and_keeps_integers(tmp_path: Path) -> None:
    for folder in ("model_specs", "stacks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    data = read_yaml(spec_path(tmp_path, "churn-classifier", "1.3.0"))
    data["metadata"]["version"] = "1.4.0"
    data["serving"]["autoscaling"]["target_invocations_per_instance"] = 800
    write_yaml(spec_path(tmp_path, "churn-classifier", "1.4.0"), data)
    staging = tmp_path / "stacks" / "Pulumi.staging.yaml"
    staging.write_text(staging.read_text().replace("churn-classifier: 1.3.0", "churn-classifier: 1.4.0"))
    result = CliRunner().invoke(
        app, ["diff", "--base", "HEAD", "--stack", "staging", "--format", "json", "--root", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    diff = strictly_parsed(result.output)
    [stack] = diff["stacks"]
    # a float field of the spec model: 700.0 -> 800.0 until written as JSON
    [change] = [f for f in stack["fields"] if f["path"] == "serving.autoscaling.target_invocations_per_instance"]
    assert (type(change["old"]), type(change["new"])) == (int, int) and (change["old"], change["new"]) == (700, 800)
    assert integral_floats(diff) == []


def test_a_float_beyond_a_double_is_refused_as_infinity(project: Path) -> None:
    """`1.0e+400` reads as inf: it would render a scaling target AWS refuses and break plan JSON."""
    path = spec_path(project, "churn-classifier", "1.2.0")
    spec = read_yaml(path)
    spec["serving"]["autoscaling"]["target_invocations_per_instance"] = float("inf")
    write_yaml(path, spec)
    text = path.read_text()
    assert ".inf" in text
    path.write_text(text.replace(".inf", "1.0e+400"))
    assert_problem(problems(project), "serving.autoscaling.target_invocations_per_instance", "finite number", SPEC_FILE)


UNREADABLE = "is read as {} and is not a valid one: quote it, with no tag, to keep it text"


@pytest.mark.parametrize(
    ("text", "column", "value", "kind"),
    [
        ("a: 2001-13-45\n", 4, "2001-13-45", "a date"),  # a date's pattern, not a date
        ("a: 2001-02-30T25:00:00\n", 4, "2001-02-30T25:00:00", "a date"),
        ("a: 2001-01-01 00:00:00 +99:00\n", 4, "2001-01-01 00:00:00 +99:00", "a date"),
        ("a: !!timestamp x\n", 4, "x", "a date"),
        ("a: !!bool maybe\n", 4, "maybe", "a boolean"),
        ("a: !!int x\n", 4, "x", "an integer"),
        ("a: !!int 0x\n", 4, "0x", "an integer"),
        ("a: !!float x\n", 4, "x", "a number"),
        ("a: [1, !!float '']\n", 8, "", "a number"),
    ],
)
def test_a_value_its_type_cannot_read_is_a_finding_not_a_crash(text: str, column: int, value: str, kind: str) -> None:
    with pytest.raises(ProblemsFound) as raised:
        parse(Path("x.yaml"), "x.yaml", text)
    field = "a[1]" if text.startswith("a: [") else "a"
    assert raised.value.problems == [Problem("x.yaml", 1, column, field, f"{value} {UNREADABLE.format(kind)}")]


TAGS = ("!!int", "!!float", "!!bool", "!!timestamp", "!!null", "!!binary", "!!str", "!!merge", "!!set", "!!omap", "")
ODD_VALUES = ("x", "''", "0x", "0b2", "-", ".", "1e", "1:", "1:99:99", "2001-13-45", "maybe", "~", "[]", "{}", "1e9999")


@pytest.mark.parametrize("tag", TAGS)
def test_any_tag_on_any_odd_value_is_read_or_refused_never_a_crash(tag: str) -> None:
    """Pull requests are untrusted: whatever a tag forces on a value, as a value, a key or a
    list item, parse returns data or raises ProblemsFound, which the CLI reports."""
    for value in ODD_VALUES:
        for text in (f"a: {tag} {value}\n", f"{tag} {value}: 1\n", f"a: [{tag} {value}]\n"):
            try:
                parse(Path("x.yaml"), "x.yaml", text)
            except ProblemsFound as found:
                assert all(p.file == "x.yaml" and p.line == 1 for p in found.problems), text


def test_validate_reports_an_invalid_date_in_a_stack_file(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    replace_in(stack, "{environment-owner: platform}", "{environment-owner: platform, review-date: 2001-13-45}")
    result = CliRunner().invoke(app, ["validate", "--root", str(project)])
    assert result.exit_code == 1, result.output
    line, column = position_of(stack, "2001-13-45")
    assert (
        f"stacks/Pulumi.dev.yaml:{line}:{column}: config.modelops:tags.review-date: "
        f"2001-13-45 {UNREADABLE.format('a date')}" in result.output
    )
