"""The rules of one spec's metadata, model, serving and monitoring schedule, each broken once: `validate` reports
exactly the findings listed, each on its field with its whole message, and nothing else.

test_spec_rules.py holds that every rule is enforced (a fragment of its message); this file holds
the words a user reads, and that one mistake is not reported as another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelops.spec import frameworks
from tests.conftest import edit_yaml, problems, spec_path
from tests.test_spec_rules import SECRET, as_artifact, as_framework, at, both

ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"
SECRETS_UNREACHABLE = (
    "a network-isolated container cannot reach Secrets Manager ({}); remove the secrets or the isolation"
)
serverless = both(at("serving.mode", "serverless"), at("monitoring"))

# (id, change to model_specs/churn-classifier/1.2.0.yaml, every (field, message) validate reports, in any order)
CASES = [
    (
        "name-double-dash",
        at("metadata.name", "churn--classifier"),
        [
            ("metadata.name", "name 'churn--classifier' must not contain '--'"),
            ("metadata.name", "'churn--classifier' must match its folder 'churn-classifier'"),
        ],
    ),
    (
        "version-not-semver",
        at("metadata.version", "1.2"),
        [
            ("metadata.version", "version '1.2' is not SemVer 2.0 (e.g. 1.2.0)"),
            ("metadata.version", "'1.2' must match the file name '1.2.0.yaml'"),
        ],
    ),
    ("forty-tags", at("metadata.tags", {f"k{i}": "v" for i in range(40)}), []),
    (
        "forty-one-tags",
        at("metadata.tags", {f"k{i}": "v" for i in range(41)}),
        [("metadata.tags", "41 tags: AWS allows at most 40 (with ours, fewer)")],
    ),
    (
        "tag-twin-of-ours",
        at("metadata.tags", {"Owner": "x"}),
        [
            (
                "metadata.tags.Owner",
                "'Owner' and modelops's own tag 'owner' differ only in case, and IAM takes a role's tag keys "
                "without case (CreateRole refuses both): keep one",
            )
        ],
    ),
    (
        "owner-tag-value",
        at("metadata.owner", "growth <ml>"),
        [
            (
                "metadata.owner",
                "AWS refuses '<', '>' in the owner tag's value: it takes only letters, numbers, spaces and "
                "_ . : / = + - @",
            )
        ],
    ),
    (
        "neither-artifact-nor-package",
        both(at("model.package"), at("governance.approval", "none")),
        [("model", "exactly one of 'artifact' or 'package' is required")],
    ),
    (
        "sha256-with-package",
        at("model.sha256", "a" * 64),
        [("model.sha256", "sha256 is only allowed with 'artifact'")],
    ),
    (
        "image-and-framework",
        both(as_framework, at("model.image", ECR_IMAGE)),
        [("model.image", "give either 'image' or 'framework' + 'framework_version', not both")],
    ),
    (
        "artifact-without-container",
        as_artifact,
        [("model", "an artifact needs 'image' or 'framework' + 'framework_version'")],
    ),
    (
        "python-choice-without-framework",
        both(as_artifact, at("model.image", ECR_IMAGE), at("model.py_version", "py3")),
        [("model.py_version", "py_version only goes with 'framework' + 'framework_version'")],
    ),
    (
        "secret-name-not-identifier",
        at("model.secrets", {"CRM-TOKEN": SECRET}),
        [("model.secrets.CRM-TOKEN", "'CRM-TOKEN' is not a shell identifier")],
    ),
    (
        "secret-collides-with-environment",
        at("model.environment", {"CRM_TOKEN_SECRET_ARN": "x"}),
        [
            (
                "model.environment.CRM_TOKEN_SECRET_ARN",
                "'CRM_TOKEN_SECRET_ARN' looks like a secret: put its Secrets Manager or SSM ARN under model.secrets "
                "instead",
            ),
            ("model.environment.CRM_TOKEN_SECRET_ARN", "collides with secret 'CRM_TOKEN'"),
        ],
    ),
    (
        "secrets-with-isolation-on",
        at("model.network_isolation", True),
        [("model.secrets", SECRETS_UNREACHABLE.format("network_isolation is on"))],
    ),
    (
        "secrets-of-restricted-data",
        at("metadata.data_classification", "restricted"),
        [("model.secrets", SECRETS_UNREACHABLE.format("restricted data requires network isolation"))],
    ),
    (
        "isolation-off-for-confidential-data",
        both(
            at("model.secrets"),
            at("metadata.data_classification", "confidential"),
            at("model.network_isolation", False),
        ),
        [("model.network_isolation", "confidential data requires network isolation in every environment")],
    ),
    (
        "isolation-off-for-restricted-data",
        both(
            at("model.secrets"), at("metadata.data_classification", "restricted"), at("model.network_isolation", False)
        ),
        [("model.network_isolation", "restricted data requires network isolation in every environment")],
    ),
    (
        "framework-without-version",
        both(as_framework, at("model.framework_version")),
        [("model.framework_version", "framework and framework_version go together")],
    ),
    (
        "version-without-framework",
        both(as_framework, at("model.framework")),
        [("model.framework", "framework and framework_version go together")],
    ),
    (
        "unknown-framework",
        both(as_framework, at("model.framework", "caffe9")),
        [
            (
                "model.framework",
                "unknown framework 'caffe9'; the sagemaker SDK knows: " + ", ".join(frameworks.known_frameworks()),
            )
        ],
    ),
    (
        "unknown-framework-version",
        both(as_framework, at("model.framework_version", "0.1")),
        [
            (
                "model.framework_version",
                "xgboost '0.1' is unknown to the sagemaker SDK; known versions: "
                + ", ".join(frameworks.known_versions("xgboost") or ()),
            )
        ],
    ),
    (
        "kubernetes-block-on-sagemaker",
        at("serving.kubernetes", {}),
        [
            (
                "serving.kubernetes",
                "only used with target: kubernetes (an environments override that switches to sagemaker sets it "
                "to null)",
            )
        ],
    ),
    (
        "serverless-with-realtime-settings",
        serverless,
        [
            ("serving.instance_type", "serverless endpoints take no instance_type"),
            ("serving.autoscaling", "serverless endpoints scale by themselves: remove autoscaling"),
            ("serving.data_capture.enabled", "serverless endpoints do not support data capture"),
            (
                "serving.rollout.strategy",
                "deployment guardrails (canary, linear, rolling) exist for realtime and async endpoints only; "
                "serverless takes all_at_once",
            ),
        ],
    ),
    (
        "serverless-with-isolation",
        both(
            serverless,
            at("serving.instance_type"),
            at("serving.autoscaling"),
            at("serving.data_capture"),
            at("serving.rollout"),
            at("environments"),
            at("model.secrets"),
            at("model.network_isolation", True),
        ),
        [("model.network_isolation", "serverless endpoints do not support network isolation")],
    ),
    (
        "serverless-block-on-realtime",
        at("serving.serverless", {"memory_mb": 2048}),
        [("serving.serverless", "only used with mode: serverless")],
    ),
    (
        "async-block-on-realtime",
        at("serving.async", {"max_concurrent_invocations_per_instance": 4}),
        [("serving.async", "only used with mode: async")],
    ),
    (
        "autoscaling-from-zero-on-realtime",
        at("serving.autoscaling.min_instances", 0),
        [("serving.autoscaling.min_instances", "must be >= 1 (0 is allowed for async only)")],
    ),
    (
        "autoscaling-min-equals-max",
        at("serving.autoscaling", {"min_instances": 2, "max_instances": 2, "target_invocations_per_instance": 700}),
        [],
    ),
    (
        "rollout-with-latency-alarm-only",
        at("serving.rollout.alarms", {"max_5xx_error_rate_percent": None, "max_p99_latency_ms": 500}),
        [],
    ),
    (
        "rollout-with-error-alarm-only",
        at("serving.rollout.alarms", {"max_5xx_error_rate_percent": 1.0, "max_p99_latency_ms": None}),
        [],
    ),
    (
        "rollout-without-alarms",
        at("serving.rollout.alarms", {"max_5xx_error_rate_percent": None}),
        [("serving.rollout.alarms", "a canary rollout rolls back on alarms: set at least one")],
    ),
    (
        "all-at-once-rollout-without-alarms",
        at(
            "environments.dev.serving.rollout",
            {"strategy": "all_at_once", "alarms": {"max_5xx_error_rate_percent": None, "max_p99_latency_ms": None}},
        ),
        [],
    ),
    (
        "guarded-rollout-on-inf1",
        both(at("serving.instance_type", "ml.inf1.xlarge"), at("environments")),
        [
            (
                "serving.rollout.strategy",
                "deployment guardrails are not available on ml.inf1.xlarge: AWS shifts all traffic at once and "
                "never rolls back; use all_at_once, or an ml.inf2 instance type",
            )
        ],
    ),
    ("all-at-once-rollout-on-inf1", at("environments.dev.serving.instance_type", "ml.inf1.xlarge"), []),
    (
        "schedule-not-recognised",
        at("monitoring.schedule", "weekly"),
        [
            (
                "monitoring.schedule",
                "schedule 'weekly' is not hourly, daily or a SageMaker monitoring cron such as cron(0 * ? * * *) "
                "or cron(0 0/6 ? * * *)",
            )
        ],
    ),
    ("schedule-last-hour", at("monitoring.schedule", "cron(0 23 ? * * *)"), []),
    (
        "schedule-hour-past-the-day",
        at("monitoring.schedule", "cron(0 24 ? * * *)"),
        [("monitoring.schedule", "schedule 'cron(0 24 ? * * *)': hours run from 0 to 23")],
    ),
    (
        "schedule-range-past-the-day",
        at("monitoring.schedule", "cron(0 8-24 ? * * *)"),
        [("monitoring.schedule", "schedule 'cron(0 8-24 ? * * *)': hours run from 0 to 23")],
    ),
    ("schedule-every-hour", at("monitoring.schedule", "cron(0 0/1 ? * * *)"), []),
    ("schedule-every-24-hours", at("monitoring.schedule", "cron(0 0/24 ? * * *)"), []),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_rule_reports_exactly_its_findings(project: Path, change, expected: list[tuple[str, str]]) -> None:
    edit_yaml(spec_path(project), change)
    assert sorted((p.field, p.message) for p in problems(project)) == sorted(expected)
