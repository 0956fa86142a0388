"""The rules of one spec file (docs/spec-language.md, 'Rules between fields'), each broken once,
with the field and the message it must produce.

A rule that needs more than the spec file is broken where its subject is tested: across files
and stacks in test_stack_rules.py, kubernetes serving in test_kubernetes_rules.py, pools in
test_pools_validate.py, framework images in test_frameworks.py. tests/rule_catalogue.py names
the tests that break each rule of the docs, and tests/test_rule_catalogue.py holds it complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_problem, edit_yaml, problems, spec_path

_DELETE = object()


def at(path: str, value: Any = _DELETE):
    """A mutation that sets (or deletes) a dotted path in a spec document."""

    def change(data: Any) -> None:
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        node = data
        for part in parts[:-1]:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        if value is _DELETE:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value

    return change


def both(*changes):
    def change(data: Any) -> None:
        for step in changes:
            step(data)

    return change


SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"
ARTIFACT = "s3://acme-models/churn/1.2.0/model.tar.gz"
as_artifact = both(at("model.package"), at("model.artifact", ARTIFACT), at("governance.approval", "none"))
as_framework = both(as_artifact, at("model.framework", "xgboost"), at("model.framework_version", "1.7-1"))

# (id, mutation, field, message fragment) for model_specs/churn-classifier/1.2.0.yaml
CASES = [
    ("api-version", at("apiVersion", "modelops/v2"), "apiVersion", "modelops/v1"),
    ("kind", at("kind", "Model"), "kind", "ModelSpec"),
    ("unknown-key", at("serving.replicas", 3), "serving.replicas", "unknown field (allowed:"),
    ("unknown-top-level", at("extras", {}), "extras", "unknown field"),
    ("name-pattern", at("metadata.name", "Churn"), "metadata.name", "'Churn' is not a model name"),
    ("name-too-long", at("metadata.name", "c" * 33), "metadata.name", "is not a model name: 3 to 32"),
    ("name-double-dash", at("metadata.name", "churn--classifier"), "metadata.name", "must not contain '--'"),
    ("version-semver", at("metadata.version", "1.2"), "metadata.version", "not SemVer"),
    (
        "owner-tag-value",
        at("metadata.owner", "Growth ML <growth@example.com>"),
        "metadata.owner",
        "AWS refuses '<', '>' in the owner tag's value",
    ),
    ("owner-required", at("metadata.owner"), "metadata.owner", "required field is missing"),
    ("description-length", at("metadata.description", "x" * 1025), "metadata.description", "at most 1024"),
    ("description-empty", at("metadata.description", ""), "metadata.description", "must not be empty"),
    ("too-many-tags", at("metadata.tags", {f"k{i}": "v" for i in range(41)}), "metadata.tags", "at most 40"),
    ("aws-tag", at("metadata.tags", {"aws:team": "x"}), "metadata.tags.aws:team", "reserved by AWS"),
    ("aws-tag-upper-case", at("metadata.tags", {"AWS:team": "x"}), "metadata.tags.AWS:team", "reserved by AWS"),
    ("aws-tag-mixed-case", at("metadata.tags", {"Aws:team": "x"}), "metadata.tags.Aws:team", "reserved by AWS"),
    ("tag-key-empty", at("metadata.tags", {"": "x"}), 'metadata.tags[""]', "tag keys are 1 to 128 characters"),
    (
        "tag-key-length",
        at("metadata.tags", {"k" * 129: "x"}),
        "metadata.tags." + "k" * 129,
        "tag keys are 1 to 128 characters (this one has 129)",
    ),
    ("tag-value-length", at("metadata.tags", {"team": "v" * 257}), "metadata.tags.team", "at most 256"),
    (
        "risk-enum",
        at("metadata.risk", "extreme"),
        "metadata.risk",
        "must be one of `low`, `medium`, `high` (got the text 'extreme')",
    ),
    ("artifact-and-package", at("model.artifact", ARTIFACT), "model", "exactly one of 'artifact' or 'package'"),
    ("neither-artifact-nor-package", at("model.package"), "model", "exactly one of 'artifact' or 'package'"),
    (
        "artifact-uri",
        both(as_framework, at("model.artifact", "https://x/y")),
        "model.artifact",
        "'https://x/y' is not the S3 URI of an object",
    ),
    ("sha256-with-package", at("model.sha256", "a" * 64), "model.sha256", "only allowed with 'artifact'"),
    ("sha256-format", both(as_framework, at("model.sha256", "ABC")), "model.sha256", "'ABC' is not a SHA-256 digest"),
    (
        "sha256-lowercase",
        both(as_framework, at("model.sha256", "A" * 64)),
        "model.sha256",
        "is not a SHA-256 digest: 64 lowercase hexadecimal digits",
    ),
    (
        "package-version",
        at("model.package.version", 0),
        "model.package.version",
        "must be at least 1 (got the number 0)",
    ),
    (
        "package-version-integer",
        at("model.package.version", "7"),
        "model.package.version",
        "expected a whole number (got the text '7')",
    ),
    (
        "package-group",
        at("model.package.group", "churn classifier"),
        "model.package.group",
        "is not a model package group name",
    ),
    (
        "package-with-image",
        at("model.image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"),
        "model.image",
        "not allowed with 'package'",
    ),
    (
        "package-with-python-choice",
        at("model.py_version", "py310"),
        "model.py_version",
        "py_version is not allowed with 'package'",
    ),
    ("artifact-without-container", as_artifact, "model", "needs 'image' or 'framework'"),
    (
        "image-and-framework",
        both(as_framework, at("model.image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1")),
        "model.image",
        "not both",
    ),
    (
        "image-not-ecr",
        both(as_artifact, at("model.image", "docker.io/library/x:1")),
        "model.image",
        "is not an ECR image",
    ),
    (
        "unknown-framework",
        both(as_framework, at("model.framework", "caffe9")),
        "model.framework",
        "unknown framework 'caffe9'",
    ),
    (
        "unknown-framework-version",
        both(as_framework, at("model.framework_version", "0.1")),
        "model.framework_version",
        "known versions: ",
    ),
    (
        "framework-without-version",
        both(as_framework, at("model.framework_version")),
        "model.framework_version",
        "go together",
    ),
    ("env-identifier", at("model.environment", {"1BAD": "x"}), "model.environment.1BAD", "not a shell identifier"),
    (
        "env-identifier-dash",
        at("model.environment", {"MY-VAR": "x"}),
        "model.environment.MY-VAR",
        "not a shell identifier",
    ),
    ("env-secret", at("model.environment", {"DB_PASSWORD": "x"}), "model.environment.DB_PASSWORD", "model.secrets"),
    (
        "env-value-too-long",
        at("model.environment", {"GREETING": "\u00e9" * 513}),
        "model.environment.GREETING",
        "the container's variable GREETING has a value of 1,026 bytes, and SageMaker takes at most 1,024",
    ),
    (
        "env-name-too-long",
        at("model.environment", {"V" * 1025: "x"}),
        "model.environment." + "V" * 1025,
        f"the container's variable {'V' * 40}... has a name of 1,025 bytes",
    ),
    (
        "secret-name-too-long",
        at("model.secrets", {"S" * 1014: SECRET}),
        "model.secrets." + "S" * 1014,
        "has a name of 1,025 bytes, and SageMaker takes at most 1,024 (CreateModel)",
    ),
    (
        "env-too-large",
        both(at("model.secrets", {}), at("model.environment", {f"V{i:02}": "x" * 1000 for i in range(33)})),
        "model.environment",
        "comes to 33,099 bytes of names and values, and SageMaker takes at most 32,000 in all (CreateModel): pass "
        "large settings in the model artifact instead",
    ),
    (
        "env-value-too-long-name-of-40",
        at("model.environment", {"V" * 40: "x" * 1025}),
        "model.environment." + "V" * 40,
        f"the container's variable {'V' * 40} has a value of 1,025 bytes",
    ),
    (
        "env-value-too-long-name-of-41",
        at("model.environment", {"V" * 41: "x" * 1025}),
        "model.environment." + "V" * 41,
        f"the container's variable {'V' * 40}... has a value of 1,025 bytes",
    ),
    (
        "secrets-too-large",
        both(at("model.environment", {}), at("model.secrets", {f"S{i:02}": SECRET + "x" * 900 for i in range(33)})),
        "model.secrets",
        "comes to 32,439 bytes of names and values",
    ),
    (
        "env-too-many",
        at("model.environment", {f"V{i:03}": "x" for i in range(100)}),
        "model.environment",
        "has 101 variables, and SageMaker takes at most 100 (CreateModel): pass settings in the model artifact instead",
    ),
    (
        "env-api-key",
        at("model.environment", {"openai_api_key": "x"}),
        "model.environment.openai_api_key",
        "looks like a secret",
    ),
    ("env-secret-word", at("model.environment", {"APP_SECRET": "x"}), "model.environment.APP_SECRET", "model.secrets"),
    (
        "env-token",
        at("model.environment", {"Slack_Token": "x"}),
        "model.environment.Slack_Token",
        "looks like a secret",
    ),
    (
        "env-private-key",
        at("model.environment", {"ssh_private_key_path": "x"}),
        "model.environment.ssh_private_key_path",
        "looks like a secret",
    ),
    (
        "secret-arn",
        at("model.secrets", {"CRM_TOKEN": "plain-text"}),
        "model.secrets.CRM_TOKEN",
        "not a Secrets Manager",
    ),
    ("secrets-isolated", at("model.network_isolation", True), "model.secrets", "cannot reach Secrets Manager"),
    (
        "secrets-confidential",
        at("metadata.data_classification", "restricted"),
        "model.secrets",
        "requires network isolation",
    ),
    (
        "isolation-off-confidential",
        both(
            at("model.secrets"),
            at("metadata.data_classification", "confidential"),
            at("model.network_isolation", False),
        ),
        "model.network_isolation",
        "requires network isolation",
    ),
    (
        "instance-type",
        at("serving.instance_type", "m5.large"),
        "serving.instance_type",
        "'m5.large' is not a SageMaker instance type",
    ),
    (
        "instance-type-hosted",
        at("serving.instance_type", "ml.m5.huge"),
        "serving.instance_type",
        "ml.m5.huge is not an instance type SageMaker endpoints take",
    ),
    ("instance-type-required", at("serving.instance_type"), "serving.instance_type", "required for mode realtime"),
    ("instance-count", at("serving.instance_count", 0), "serving.instance_count", "must be at least 1"),
    (
        "mode-enum",
        at("serving.mode", "batch"),
        "serving.mode",
        "must be one of `realtime`, `serverless`, `async`, `component`",
    ),
    ("serverless-memory", at("serving.serverless", {"memory_mb": 1000}), "serving.serverless.memory_mb", "1024"),
    (
        "serverless-concurrency",
        at("serving.serverless", {"max_concurrency": 201}),
        "serving.serverless.max_concurrency",
        "must be at most 200",
    ),
    (
        "serverless-block-wrong-mode",
        at("serving.serverless", {"memory_mb": 2048}),
        "serving.serverless",
        "only used with mode: serverless",
    ),
    (
        "async-concurrency",
        both(at("serving.mode", "async"), at("serving.async", {"max_concurrent_invocations_per_instance": 1001})),
        "serving.async.max_concurrent_invocations_per_instance",
        "must be at most 1000",
    ),
    (
        "async-block-wrong-mode",
        at("serving.async", {"max_concurrent_invocations_per_instance": 4}),
        "serving.async",
        "only used with mode: async",
    ),
    (
        "autoscaling-min-max",
        at("serving.autoscaling.min_instances", 9),
        "serving.autoscaling.min_instances",
        "exceeds max_instances",
    ),
    (
        "autoscaling-zero",
        at("serving.autoscaling.min_instances", 0),
        "serving.autoscaling.min_instances",
        "0 is allowed for async only",
    ),
    (
        "instance-count-above-autoscaling",
        at("serving.instance_count", 9),
        "serving.instance_count",
        "outside the autoscaling bounds 2 to 8",
    ),
    (
        "instance-count-below-autoscaling",
        both(at("serving.instance_count", 1), at("environments")),
        "serving.instance_count",
        "outside the autoscaling bounds 2 to 8",
    ),
    (
        "guardrails-on-inf1",
        both(at("serving.instance_type", "ml.inf1.xlarge"), at("environments")),
        "serving.rollout.strategy",
        "deployment guardrails are not available on ml.inf1.xlarge",
    ),
    (
        "label-delay",
        at("monitoring.model_quality.label_delay_hours", 337),
        "monitoring.model_quality.label_delay_hours",
        "must be at most 336",
    ),
    (
        "autoscaling-target",
        at("serving.autoscaling.target_invocations_per_instance", 0),
        "serving.autoscaling.target_invocations_per_instance",
        "greater than 0",
    ),
    (
        "sampling-percent",
        at("serving.data_capture.sampling_percent", 0),
        "serving.data_capture.sampling_percent",
        "must be at least 1",
    ),
    (
        "sampling-percent-above",
        at("serving.data_capture.sampling_percent", 101),
        "serving.data_capture.sampling_percent",
        "must be at most 100",
    ),
    (
        "canary-percent",
        at("serving.rollout.canary_percent", 51),
        "serving.rollout.canary_percent",
        "must be at most 50",
    ),
    (
        "canary-percent-zero",
        at("serving.rollout.canary_percent", 0),
        "serving.rollout.canary_percent",
        "must be at least 1",
    ),
    (
        "linear-step-above",
        at("serving.rollout.linear_step_percent", 51),
        "serving.rollout.linear_step_percent",
        "must be at most 50",
    ),
    (
        "linear-step",
        at("serving.rollout.linear_step_percent", 9),
        "serving.rollout.linear_step_percent",
        "must be at least 10",
    ),
    ("wait", at("serving.rollout.wait_s", 3601), "serving.rollout.wait_s", "must be at most 3600"),
    ("wait-negative", at("serving.rollout.wait_s", -1), "serving.rollout.wait_s", "must be at least 0"),
    (
        "termination-wait-above",
        at("serving.rollout.termination_wait_s", 3601),
        "serving.rollout.termination_wait_s",
        "must be at most 3600",
    ),
    (
        "termination-wait",
        at("serving.rollout.termination_wait_s", -1),
        "serving.rollout.termination_wait_s",
        "must be at least 0 (got the number -1)",
    ),
    (
        "rollout-without-alarms",
        at("serving.rollout.alarms", {"max_5xx_error_rate_percent": None}),
        "serving.rollout.alarms",
        "set at least one",
    ),
    (
        "serverless-capture",
        both(
            at("serving.mode", "serverless"),
            at("serving.instance_type"),
            at("serving.autoscaling"),
            at("serving.rollout"),
            at("monitoring"),
            at("environments"),
        ),
        "serving.data_capture.enabled",
        "serverless endpoints do not support data capture",
    ),
    (
        "serverless-rollout",
        both(
            at("serving.mode", "serverless"),
            at("serving.instance_type"),
            at("serving.autoscaling"),
            at("serving.data_capture"),
            at("monitoring"),
            at("environments"),
        ),
        "serving.rollout.strategy",
        "realtime and async endpoints only",
    ),
    (
        "serverless-autoscaling",
        both(at("serving.mode", "serverless"), at("serving.instance_type")),
        "serving.autoscaling",
        "remove autoscaling",
    ),
    (
        "serverless-instance-type",
        at("serving.mode", "serverless"),
        "serving.instance_type",
        "serverless endpoints take no instance_type",
    ),
    (
        "serverless-isolation",
        both(at("serving.mode", "serverless"), at("model.secrets"), at("model.network_isolation", True)),
        "model.network_isolation",
        "serverless endpoints do not support network isolation",
    ),
    (
        "serverless-monitoring",
        both(at("serving.mode", "serverless"), at("serving.instance_type")),
        "monitoring.data_quality.enabled",
        "serverless endpoints cannot be monitored",
    ),
    (
        "kubernetes-package",
        at("serving.target", "kubernetes"),
        "model.package",
        "registry package only deploys to SageMaker",
    ),
    (
        "group-name",
        at("features.groups.0.name", "Customer_Profile"),
        "features.groups[0].name",
        "'Customer_Profile' is not a feature group name",
    ),
    (
        "group-declared-twice",
        lambda d: d["features"]["groups"].append(dict(d["features"]["groups"][0])),
        "features.groups[1].name",
        "feature group 'customer-profile' is declared twice",
    ),
    (
        "record-identifier",
        at("features.groups.0.record_identifier", "user_id"),
        "features.groups[0].record_identifier",
        "not a declared feature",
    ),
    (
        "event-time-declared",
        at("features.groups.0.event_time", "ts"),
        "features.groups[0].event_time",
        "not a declared feature",
    ),
    (
        "event-time-type",
        at("features.groups.0.event_time", "tenure_months"),
        "features.groups[0].event_time",
        "must be string or fractional",
    ),
    (
        "feature-type",
        at("features.groups.0.features.2.type", "boolean"),
        "features.groups[0].features[2].type",
        "must be one of `string`, `integral`, `fractional`",
    ),
    (
        "feature-name",
        at("features.groups.0.features.2.name", "_tenure"),
        "features.groups[0].features[2].name",
        "'_tenure' is not a feature name",
    ),
    (
        "feature-unique",
        at("features.groups.0.features.3.name", "tenure_months"),
        "features.groups[0].features[3].name",
        "declared twice",
    ),
    (
        "feature-reserved",
        at("features.groups.0.features.3.name", "write_time"),
        "features.groups[0].features[3].name",
        "reserved by Feature Store",
    ),
    (
        "store-required",
        both(at("features.groups.0.online", {"enabled": False}), at("features.groups.0.offline", {"enabled": False})),
        "features.groups[0]",
        "at least one of online and offline",
    ),
    (
        "ttl-without-online-store",
        both(
            at("features.groups.0.online", {"enabled": False, "ttl_days": 3}),
            at("features.groups.0.offline", {"enabled": True}),
        ),
        "features.groups[0].online.ttl_days",
        "ttl_days needs online.enabled",
    ),
    (
        "reads-own-group",
        at("features.reads", ["customer-profile"]),
        "features.reads[0]",
        "'customer-profile' is owned by this model; do not list it in reads",
    ),
    (
        "monitor-needs-capture",
        at("serving.data_capture.enabled", False),
        "monitoring.data_quality.enabled",
        "needs serving.data_capture.enabled",
    ),
    (
        "model-quality-problem-type",
        at("monitoring.model_quality.problem_type"),
        "monitoring.model_quality.problem_type",
        "required when model_quality is enabled",
    ),
    (
        "model-quality-problem-type-enum",
        at("monitoring.model_quality.problem_type", "Ranking"),
        "monitoring.model_quality.problem_type",
        "must be one of `BinaryClassification`, `MulticlassClassification`, `Regression`",
    ),
    (
        "model-quality-ground-truth",
        at("monitoring.model_quality.ground_truth_s3_uri"),
        "monitoring.model_quality.ground_truth_s3_uri",
        "required",
    ),
    (
        "bias-config",
        at("monitoring.bias", {"enabled": True}),
        "monitoring.bias.analysis_config_s3_uri",
        "required when bias is enabled",
    ),
    (
        "explainability-config",
        at("monitoring.explainability", {"enabled": True}),
        "monitoring.explainability.analysis_config_s3_uri",
        "required",
    ),
    (
        "schedule",
        at("monitoring.schedule", "weekly"),
        "monitoring.schedule",
        "not hourly, daily or a SageMaker monitoring cron",
    ),
    (
        "schedule-hours",
        at("monitoring.schedule", "cron(0 25 ? * * *)"),
        "monitoring.schedule",
        "hours run from 0 to 23",
    ),
    (
        "schedule-interval",
        at("monitoring.schedule", "cron(0 0/25 ? * * *)"),
        "monitoring.schedule",
        "the interval runs from 1 to 24 hours",
    ),
    (
        "schedule-interval-zero",
        at("monitoring.schedule", "cron(0 0/0 ? * * *)"),
        "monitoring.schedule",
        "the interval runs from 1 to 24 hours",
    ),
    (
        "registry-needs-package",
        both(as_framework, at("governance.approval", "registry")),
        "governance.approval",
        "needs the model from model.package",
    ),
    (
        "allowed-environments",
        at("governance.allowed_environments", ["qa"]),
        "governance.allowed_environments[0]",
        "the value must be one of `dev`, `staging`, `prod`",
    ),
    (
        "allowed-environments-empty",
        at("governance.allowed_environments", []),
        "governance.allowed_environments",
        "list at least one environment",
    ),
    (
        "allowed-environments-twice",
        at("governance.allowed_environments", ["dev", "staging", "dev"]),
        "governance.allowed_environments",
        "lists an environment twice",
    ),
    ("override-section", at("environments.dev.features", {}), "environments.dev.features", "unknown field"),
    (
        "override-environment",
        at("environments.test", {}),
        "environments.test",
        "the key must be one of `dev`, `staging`, `prod` (got the text 'test')",
    ),
    (
        "override-merged",
        at("environments.prod.serving.instance_count", 0),
        "serving.instance_count",
        "after the prod override",
    ),
    (
        "override-merged-rule",
        at("environments.prod.serving.autoscaling.min_instances", 20),
        "serving.autoscaling.min_instances",
        "exceeds max_instances 12 (after the prod override)",
    ),
    ("file-name", at("metadata.version", "1.2.5"), "metadata.version", "must match the file name"),
    ("folder-name", at("metadata.name", "churn-model"), "metadata.name", "must match its folder"),
]


@pytest.mark.parametrize(("change", "field", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_is_enforced(project: Path, change, field: str, fragment: str) -> None:
    edit_yaml(spec_path(project), change)
    problem = assert_problem(problems(project), field, fragment)
    assert problem.file == "model_specs/churn-classifier/1.2.0.yaml"


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)], ids=["at-the-limit", "one-byte-over"])
def test_the_container_environment_may_fill_its_limits(project: Path, extra: int, refused: bool) -> None:
    """32 names of 3 bytes, 31 values of 1,024 bytes and one of 160: 32,000 bytes in all."""
    environment = {f"V{i:02}": "x" * 1024 for i in range(31)} | {"V31": "x" * (160 + extra)}
    edit_yaml(spec_path(project), both(at("model.secrets", {}), at("model.environment", environment)))
    found = [p.field for p in problems(project) if p.field.startswith("model.")]
    assert found == (["model.environment"] if refused else [])


def test_the_container_may_have_a_hundred_variables(project: Path) -> None:
    """99 of model.environment and CRM_TOKEN_SECRET_ARN for the spec's one secret."""
    edit_yaml(spec_path(project), at("model.environment", {f"V{i:03}": "x" for i in range(99)}))
    assert [p.field for p in problems(project) if p.field.startswith("model.")] == []


def test_repository_specs_are_valid() -> None:
    from tests.conftest import REPO_ROOT

    assert problems(REPO_ROOT) == []


def test_error_points_at_the_line_of_the_field(project: Path) -> None:
    path = spec_path(project)
    text = path.read_text().replace("instance_type: ml.m5.large", "instance_type: m5.large")
    path.write_text(text)
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if "instance_type: m5.large" in line)
    problem = assert_problem(problems(project), "serving.instance_type", "is not a SageMaker instance type")
    assert (problem.line, problem.column) == (expected_line, 3)
    assert str(problem).startswith(
        f"model_specs/churn-classifier/1.2.0.yaml:{expected_line}:3: serving.instance_type: "
    )


def test_all_problems_are_reported_at_once(project: Path) -> None:
    edit_yaml(
        spec_path(project),
        both(
            at("model.environment", {"DB_PASSWORD": "x"}),
            at("monitoring.schedule", "weekly"),
            at("serving.rollout.alarms", {"max_5xx_error_rate_percent": None}),
        ),
    )
    found = problems(project)
    for field in ("model.environment.DB_PASSWORD", "monitoring.schedule", "serving.rollout.alarms"):
        assert any(p.field == field for p in found), field


def test_duplicate_key_and_bad_yaml(project: Path) -> None:
    path = spec_path(project)
    path.write_text(path.read_text().replace("kind: ModelSpec", "kind: ModelSpec\nkind: ModelSpec"))
    assert_problem(problems(project), "kind", "duplicate key")
    path.write_text("apiVersion: [unclosed\n")
    found = problems(project)
    assert any("invalid YAML" in p.message and p.file.endswith("1.2.0.yaml") for p in found)
