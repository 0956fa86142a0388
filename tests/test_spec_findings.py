"""Rules between the fields of one spec (docs/spec-language.md, 'Rules between fields'; docs/pools.md
for models on a pool), each broken once: every finding `validate` prints for the spec, with its
field and whole message, and nothing else; and the value just inside each bound, which must pass.

test_spec_rules.py breaks the same rules in a project with its stacks and matches a fragment
of each message; these cases hold what each rule says word for word, and where it stops.
"""

from __future__ import annotations

import pytest

from modelops.aws.instance_types import instance_type_problem
from tests.spec_findings import SIZED_ENDPOINT, SIZING_SET_TO_NULL, Change, Example, findings, sizing_findings
from tests.test_spec_rules import as_framework, at, both

CHURN: Example = ("churn-classifier", "1.2.0")  # realtime canary, autoscaling 2 to 8, a feature group, monitors
COMPONENT: Example = ("intent-classifier", "1.0.0")  # on the shared-cpu pool: 1 copy, autoscaling 1 to 4
KSERVE: Example = ("reviews-kserve", "1.0.0")
# churn-classifier as a serverless endpoint with nothing else that serverless refuses.
as_serverless = both(
    at("serving.mode", "serverless"),
    at("serving.instance_type"),
    at("serving.instance_count"),
    at("serving.autoscaling"),
    at("serving.rollout", {"strategy": "all_at_once"}),
    at("serving.data_capture", {"enabled": False}),
    at("model.secrets"),
    at("environments"),
)
BIAS_CONFIG = "s3://acme-labels/churn/bias-analysis.json"


def pools_field(key: str) -> str:
    return (
        f"a component runs on its pool's instances: {key} is the pool's (stack modelops:pools), remove it (or set "
        "it to null in an environments override that switches to component)"
    )


def traffic_shifting(strategy: str) -> str:
    return (
        f"an inference component updates by rolling batches of copies only: {strategy} traffic shifting is for "
        "endpoints of a model's own; use rolling or all_at_once"
    )


def outside_autoscaling(count: int) -> str:
    return (
        f"instance_count {count} is outside the autoscaling bounds 2 to 8: the endpoint would start at a size the "
        "autoscaler immediately changes"
    )


POOL_MONITOR = (
    "Model Monitor watches an endpoint hosting one model and cannot tell a pool's components apart: disable it, or "
    "serve the model on its own endpoint (mode realtime)"
)


# (id, example, change, every finding as (field, message)); [] where the value is just allowed.
CASES: list[tuple[str, Example, Change, list[tuple[str, str]]]] = [
    # A model on a pool (_component).
    (
        "component-needs-its-block",
        COMPONENT,
        at("serving.component"),
        [("serving.component", "required for mode component: the pool, the reservation per copy and the copies")],
    ),
    (
        "component-takes-no-endpoint-sizing",
        COMPONENT,
        SIZED_ENDPOINT,
        sizing_findings(pools_field),
    ),
    (
        "component-endpoint-sizing-set-to-null",
        COMPONENT,
        SIZING_SET_TO_NULL,
        [],
    ),
    (
        "component-no-canary",
        COMPONENT,
        at("serving.rollout", {"strategy": "canary", "canary_percent": 10}),
        [("serving.rollout.strategy", traffic_shifting("canary"))],
    ),
    (
        "component-no-linear",
        COMPONENT,
        at("serving.rollout", {"strategy": "linear"}),
        [("serving.rollout.strategy", traffic_shifting("linear"))],
    ),
    (
        "component-rolling-needs-an-alarm",
        COMPONENT,
        at("serving.rollout", {"strategy": "rolling", "alarms": {"max_5xx_error_rate_percent": None}}),
        [("serving.rollout.alarms", "a rolling rollout rolls back on alarms: set at least one")],
    ),
    (
        "component-rolling-with-a-latency-alarm",
        COMPONENT,
        at(
            "serving.rollout",
            {"strategy": "rolling", "alarms": {"max_5xx_error_rate_percent": None, "max_p99_latency_ms": 300}},
        ),
        [],
    ),
    (
        "component-all-at-once-needs-no-alarm",
        COMPONENT,
        at("serving.rollout", {"strategy": "all_at_once", "alarms": {"max_5xx_error_rate_percent": None}}),
        [],
    ),
    (
        "component-no-termination-wait",
        COMPONENT,
        at("serving.rollout.termination_wait_s", 60),
        [
            (
                "serving.rollout.termination_wait_s",
                "an inference component's rolling update takes a batch size, a wait and alarms only "
                "(InferenceComponentRollingUpdatePolicy): termination_wait_s would be ignored; remove it (or set it "
                "to null in an environments override that switches to component)",
            )
        ],
    ),
    (
        "component-no-monitors",
        COMPONENT,
        at(
            "monitoring",
            {
                "data_quality": {"enabled": True},
                "model_quality": {
                    "enabled": True,
                    "problem_type": "Regression",
                    "ground_truth_s3_uri": "s3://acme-labels/intent",
                },
            },
        ),
        [("monitoring.data_quality.enabled", POOL_MONITOR), ("monitoring.model_quality.enabled", POOL_MONITOR)],
    ),
    (
        "component-min-above-max-copies",
        COMPONENT,
        at("serving.component.autoscaling", {"min_copies": 3, "max_copies": 2, "target_invocations_per_copy": 5}),
        [("serving.component.autoscaling.min_copies", "min_copies 3 exceeds max_copies 2")],
    ),
    (
        "component-min-equals-max-copies",
        COMPONENT,
        at("serving.component.autoscaling", {"min_copies": 1, "max_copies": 1, "target_invocations_per_copy": 5}),
        [],
    ),
    ("component-copies-at-max", COMPONENT, at("serving.component.copies", 4), []),
    (
        "component-copies-above-max",
        COMPONENT,
        at("serving.component.copies", 5),
        [
            (
                "serving.component.copies",
                "copies 5 is outside the autoscaling bounds 1 to 4: the component would start at a size the "
                "autoscaler immediately changes",
            )
        ],
    ),
    # Instance types (_instance_types) and the endpoint's scaling and guardrails.
    (
        "hosting-instance-type",
        CHURN,
        at("serving.instance_type", "ml.m5.huge"),
        [("serving.instance_type", instance_type_problem("hosting", "ml.m5.huge"))],
    ),
    (
        "kubernetes-instance-type-is-not-looked-up",
        KSERVE,
        at("serving.instance_type", "ml.m5.huge"),
        [
            (
                "serving.instance_type",
                "instance_type shapes a SageMaker endpoint; kubernetes serving is sized by serving.kubernetes "
                "(min_replicas, max_replicas, cpu, memory, gpu); an environments override that switches to "
                "kubernetes sets it to null",
            )
        ],
    ),
    (
        "processing-instance-type",
        CHURN,
        at("monitoring.instance_type", "ml.m5.huge"),
        [("monitoring.instance_type", instance_type_problem("processing", "ml.m5.huge"))],
    ),
    (
        "instance-count-above-autoscaling",
        CHURN,
        at("serving.instance_count", 9),
        [("serving.instance_count", outside_autoscaling(9))],
    ),
    ("instance-count-at-max", CHURN, at("serving.instance_count", 8), []),
    (
        "instance-count-below-autoscaling",
        CHURN,
        both(at("serving.instance_count", 1), at("environments")),
        [("serving.instance_count", outside_autoscaling(1))],
    ),
    (
        "guardrails-on-inf1",
        CHURN,
        both(at("serving.instance_type", "ml.inf1.xlarge"), at("environments")),
        [
            (
                "serving.rollout.strategy",
                "deployment guardrails are not available on ml.inf1.xlarge: AWS shifts all traffic at once and never "
                "rolls back; use all_at_once, or an ml.inf2 instance type",
            )
        ],
    ),
    (
        "all-at-once-on-inf1",
        CHURN,
        both(
            at("serving.instance_type", "ml.inf1.xlarge"),
            at("serving.rollout", {"strategy": "all_at_once"}),
            at("environments"),
        ),
        [],
    ),
    ("guardrails-on-inf2", CHURN, both(at("serving.instance_type", "ml.inf2.xlarge"), at("environments")), []),
    # Feature groups (_features, _feature_group).
    (
        "group-declared-twice",
        CHURN,
        lambda data: data["features"]["groups"].append(dict(data["features"]["groups"][0])),
        [("features.groups[1].name", "feature group 'customer-profile' is declared twice")],
    ),
    (
        "two-groups",
        CHURN,
        lambda data: data["features"]["groups"].append(dict(data["features"]["groups"][0], name="customer-usage")),
        [],
    ),
    (
        "reads-own-group",
        CHURN,
        at("features.reads", ["payments-history", "customer-profile"]),
        [("features.reads[1]", "'customer-profile' is owned by this model; do not list it in reads")],
    ),
    (
        "feature-declared-twice",
        CHURN,
        at("features.groups.0.features.3.name", "tenure_months"),
        [("features.groups[0].features[3].name", "feature 'tenure_months' is declared twice")],
    ),
    (
        "feature-name-reserved",
        CHURN,
        at("features.groups.0.features.3.name", "write_time"),
        [("features.groups[0].features[3].name", "'write_time' is reserved by Feature Store")],
    ),
    (
        "record-identifier-declared",
        CHURN,
        at("features.groups.0.record_identifier", "user_id"),
        [("features.groups[0].record_identifier", "'user_id' is not a declared feature")],
    ),
    (
        "event-time-declared",
        CHURN,
        at("features.groups.0.event_time", "ts"),
        [("features.groups[0].event_time", "'ts' is not a declared feature")],
    ),
    (
        "event-time-integral",
        CHURN,
        at("features.groups.0.event_time", "tenure_months"),
        [
            (
                "features.groups[0].event_time",
                "event_time feature 'tenure_months' is integral: it must be string or fractional",
            )
        ],
    ),
    ("event-time-string", CHURN, at("features.groups.0.event_time", "customer_id"), []),
    (
        "no-store",
        CHURN,
        both(at("features.groups.0.online", {"enabled": False}), at("features.groups.0.offline", {"enabled": False})),
        [("features.groups[0]", "enable at least one of online and offline")],
    ),
    ("online-store-only", CHURN, at("features.groups.0.offline", {"enabled": False}), []),
    ("offline-store-only", CHURN, at("features.groups.0.online", {"enabled": False}), []),
    (
        "ttl-without-online-store",
        CHURN,
        at("features.groups.0.online", {"enabled": False, "ttl_days": 3}),
        [("features.groups[0].online.ttl_days", "ttl_days needs online.enabled")],
    ),
    # Monitoring (_monitoring).
    (
        "schedule",
        CHURN,
        at("monitoring.schedule", "weekly"),
        [
            (
                "monitoring.schedule",
                "schedule 'weekly' is not hourly, daily or a SageMaker monitoring cron such as cron(0 * ? * * *) or "
                "cron(0 0/6 ? * * *)",
            )
        ],
    ),
    ("serverless-unmonitored", CHURN, both(as_serverless, at("monitoring")), []),
    (
        "serverless-monitored",
        CHURN,
        as_serverless,
        [
            ("monitoring.data_quality.enabled", "serverless endpoints cannot be monitored"),
            ("monitoring.model_quality.enabled", "serverless endpoints cannot be monitored"),
        ],
    ),
    (
        "kubernetes-monitored",
        KSERVE,
        at("monitoring", {"data_quality": {"enabled": True}}),
        [
            (
                "monitoring.data_quality.enabled",
                "data_quality is a SageMaker Model Monitor job, which reads a SageMaker endpoint's data capture: "
                "disable it on kubernetes (an environments override can enable it where the model serves on "
                "SageMaker)",
            )
        ],
    ),
    (
        "monitors-need-capture",
        CHURN,
        at("serving.data_capture.enabled", False),
        [
            ("monitoring.data_quality.enabled", "data_quality monitoring needs serving.data_capture.enabled: true"),
            ("monitoring.model_quality.enabled", "model_quality monitoring needs serving.data_capture.enabled: true"),
        ],
    ),
    (
        "model-quality-needs-problem-and-labels",
        CHURN,
        both(at("monitoring.model_quality.problem_type"), at("monitoring.model_quality.ground_truth_s3_uri")),
        [
            ("monitoring.model_quality.ground_truth_s3_uri", "required when model_quality is enabled"),
            ("monitoring.model_quality.problem_type", "required when model_quality is enabled"),
        ],
    ),
    ("model-quality-disabled", CHURN, at("monitoring.model_quality", {"enabled": False}), []),
    (
        "bias-and-explainability-need-configs",
        CHURN,
        both(at("monitoring.bias", {"enabled": True}), at("monitoring.explainability", {"enabled": True})),
        [
            ("monitoring.bias.analysis_config_s3_uri", "required when bias is enabled"),
            ("monitoring.explainability.analysis_config_s3_uri", "required when explainability is enabled"),
        ],
    ),
    (
        "bias-with-its-config",
        CHURN,
        at("monitoring.bias", {"enabled": True, "analysis_config_s3_uri": BIAS_CONFIG}),
        [],
    ),
    # Governance (_governance).
    (
        "registry-needs-package",
        CHURN,
        both(as_framework, at("governance.approval", "registry")),
        [("governance.approval", "approval: registry needs the model from model.package")],
    ),
    (
        "allowed-environments-empty",
        CHURN,
        at("governance.allowed_environments", []),
        [("governance.allowed_environments", "list at least one environment")],
    ),
    (
        "allowed-environments-twice",
        CHURN,
        at("governance.allowed_environments", ["dev", "staging", "dev"]),
        [("governance.allowed_environments", "lists an environment twice")],
    ),
]


@pytest.mark.parametrize(("example", "change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_rule_between_fields_finds_exactly_this(example: Example, change: Change, expected: list) -> None:
    assert findings(example, change) == expected


def test_the_examples_break_no_rule() -> None:
    for example in (CHURN, COMPONENT):
        assert findings(example, lambda data: None) == []
