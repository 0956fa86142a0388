"""Cross-file and per-stack rules: pins, ownership, evolution and governance by environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_problem, edit_yaml, problems, read_yaml, spec_path, write_yaml


def stack_file(root: Path, name: str) -> Path:
    return root / "stacks" / f"Pulumi.{name}.yaml"


def pin(root: Path, stack: str, model: str, value) -> None:
    edit_yaml(stack_file(root, stack), lambda d: d["config"]["modelops:models"].__setitem__(model, value))


def test_pin_of_missing_version(project: Path) -> None:
    pin(project, "staging", "churn-classifier", "9.9.9")
    assert_problem(
        problems(project), "modelops:models.churn-classifier", "9.9.9.yaml does not exist", "Pulumi.staging.yaml"
    )


def test_pin_of_unknown_model(project: Path) -> None:
    pin(project, "dev", "ghost-model", "1.0.0")
    assert_problem(problems(project), "modelops:models.ghost-model", "no model 'ghost-model'")


def test_latest_only_in_dev(project: Path) -> None:
    pin(project, "prod", "demand-forecaster", "latest")
    assert_problem(problems(project), "modelops:models.demand-forecaster", "only dev stacks may pin 'latest'")


def test_allowed_environments(project: Path) -> None:
    pin(project, "staging", "sentiment-api", "0.2.0")
    assert_problem(problems(project), "modelops:models.sentiment-api", "allows environments dev, not staging")


def test_challenger_rules(project: Path) -> None:
    pin(
        project,
        "prod",
        "fraud-detector",
        {"version": "3.0.1", "challenger": {"version": "3.0.1", "traffic_percent": 10}},
    )
    assert_problem(problems(project), "modelops:models.fraud-detector.challenger.version", "must be another version")


def test_rolling_with_challenger(project: Path) -> None:
    pin(
        project,
        "prod",
        "demand-forecaster",
        {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 20}},
    )
    assert_problem(
        problems(project),
        "modelops:models.demand-forecaster.challenger.version",
        "rolling deployments are not available",
    )


def test_challenger_and_shadow(project: Path) -> None:
    pin(
        project,
        "prod",
        "fraud-detector",
        {"version": "3.0.1", "challenger": {"version": "3.1.0", "traffic_percent": 10}, "shadow": {"version": "3.1.0"}},
    )
    assert_problem(problems(project), "modelops:models.fraud-detector", "not both")


def test_serverless_variants(project: Path) -> None:
    pin(project, "dev", "sentiment-api", {"version": "0.2.0", "shadow": {"version": "0.1.0", "sampling_percent": 5}})
    assert_problem(
        problems(project), "modelops:models.sentiment-api.shadow.version", "serverless endpoints take no shadow variant"
    )


def test_traffic_percent_range(project: Path) -> None:
    pin(
        project,
        "prod",
        "fraud-detector",
        {"version": "3.0.1", "challenger": {"version": "3.1.0", "traffic_percent": 70}},
    )
    assert_problem(
        problems(project),
        "modelops:models.fraud-detector.challenger.traffic_percent",
        "must be at most 50 (got the number 70)",
    )


def test_unknown_stack_key_and_environment(project: Path) -> None:
    edit_yaml(
        stack_file(project, "dev"),
        lambda d: d["config"].update({"modelops:colour": "blue", "modelops:environment": "qa"}),
    )
    found = problems(project)
    assert_problem(found, "modelops:colour", "unknown key", "Pulumi.dev.yaml")
    assert_problem(
        found, "modelops:environment", "must be one of `dev`, `staging`, `prod` (got the text 'qa')", "Pulumi.dev.yaml"
    )


def test_staging_requires_vpc_and_kms(project: Path) -> None:
    edit_yaml(
        stack_file(project, "staging"), lambda d: [d["config"].pop(k) for k in ("modelops:vpc", "modelops:kmsKeyArn")]
    )
    found = [(p.file, p.field, p.message) for p in problems(project)]
    assert sorted(found) == [
        (
            "stacks/Pulumi.staging.yaml",
            "modelops:kmsKeyArn",
            "[kms-required] staging requires modelops:kmsKeyArn for endpoint storage, capture, feature store and "
            "monitoring outputs",
        ),
        (
            "stacks/Pulumi.staging.yaml",
            "modelops:vpc",
            "[vpc-required] staging requires modelops:vpc for models and monitoring jobs",
        ),
    ]


def test_serverless_cannot_run_in_a_vpc(project: Path) -> None:
    edit_yaml(
        stack_file(project, "dev"),
        lambda d: d["config"].update({"modelops:vpc": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]}}),
    )
    assert_problem(problems(project), "serving.mode", "serverless endpoints take no VPC config", "sentiment-api")


def test_staging_requires_pinned_artifacts(project: Path) -> None:
    """An approval: none model is deployed as is, so staging and prod want its artifact's sha256."""
    edit_yaml(spec_path(project, "fraud-detector", "3.1.0"), lambda d: d["model"].pop("sha256"))
    found = [(p.file, p.field, p.message) for p in problems(project)]
    assert sorted(found) == [
        (
            "model_specs/fraud-detector/3.1.0.yaml",
            "model.sha256",
            f"[pinned-artifact] {environment} requires approval: none models to pin their artifact with sha256 "
            f"(stack {environment} pins this version as {role})",
        )
        for environment, role in (("prod", "challenger"), ("staging", "primary"))  # dev pins it too: no finding
    ]


def test_prod_governance_rules(project: Path) -> None:
    def weaken(d) -> None:
        d["serving"]["instance_count"] = 1
        d["serving"]["data_capture"] = {"enabled": False}
        d["serving"]["rollout"] = {"strategy": "all_at_once"}
        d["monitoring"] = {}
        d["environments"] = {}
        d["serving"].pop("autoscaling")

    edit_yaml(spec_path(project, "fraud-detector", "3.0.1"), weaken)
    found = [p for p in problems(project) if "fraud-detector/3.0.1" in p.file]
    pinned = " (stack prod pins this version as primary)"
    assert sorted((p.field, p.message) for p in found) == [
        ("monitoring.bias.enabled", f"[prod-risk-monitors] risk high requires the bias monitor in prod{pinned}"),
        (
            "monitoring.explainability.enabled",
            f"[prod-risk-monitors] risk high requires the explainability monitor in prod{pinned}",
        ),
        (
            "monitoring.model_quality.enabled",
            f"[prod-risk-monitors] risk high requires the model_quality monitor in prod{pinned}",
        ),
        ("serving.data_capture.enabled", f"[prod-data-capture] prod requires data capture{pinned}"),
        (
            "serving.instance_count",
            f"[prod-redundancy] prod requires instance_count >= 2 for realtime endpoints{pinned}",
        ),
        (
            "serving.rollout.strategy",
            "[prod-guarded-rollout] prod requires a guarded rollout (canary, linear or rolling), not all_at_once"
            f"{pinned}",
        ),
    ]


def test_dev_is_relaxed(project: Path) -> None:
    edit_yaml(
        spec_path(project, "fraud-detector", "3.1.0"),
        lambda d: d["serving"].update({"rollout": {"strategy": "all_at_once"}}),
    )
    found = [p for p in problems(project) if "fraud-detector/3.1.0" in p.file]
    # dev and staging pin it too, but only prod (where it is the challenger) requires guardrails
    assert [p.message.split(" (stack ")[1] for p in found] == ["prod pins this version as challenger)"]


def test_feature_group_has_one_owner(project: Path) -> None:
    def steal(d) -> None:
        d["features"]["groups"] = read_yaml(spec_path(project))["features"]["groups"]

    edit_yaml(spec_path(project, "fraud-detector", "3.1.0"), steal)
    assert_problem(problems(project), "features.groups[0].name", "owned by model 'churn-classifier'", "fraud-detector")


def test_reads_unknown_group(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["features"].update({"reads": ["nobody-owns-this"]}))
    assert_problem(problems(project), "features.reads[0]", "no model declares feature group 'nobody-owns-this'")


def test_feature_removal_needs_replace(project: Path) -> None:
    newer = spec_path(project, version="1.3.0")
    edit_yaml(newer, lambda d: d["features"]["groups"][0]["features"].pop(2))
    assert_problem(
        problems(project), "features.groups[0]", "feature 'tenure_months' removed since version 1.2.0", "1.3.0.yaml"
    )
    edit_yaml(newer, lambda d: d["features"]["groups"][0].update({"replace": True}))
    assert not [p for p in problems(project) if "removed since" in p.message]


def test_feature_retype_needs_replace(project: Path) -> None:
    edit_yaml(
        spec_path(project, version="1.3.0"),
        lambda d: d["features"]["groups"][0]["features"][2].update({"type": "fractional"}),
    )
    assert_problem(problems(project), "features.groups[0]", "retyped integral -> fractional")


def test_adding_a_feature_is_fine(project: Path) -> None:
    data = read_yaml(spec_path(project, version="1.3.0"))
    names = [f["name"] for f in data["features"]["groups"][0]["features"]]
    assert "support_tickets_90d" in names  # the example adds one
    assert problems(project) == []


def test_new_version_file_is_picked_up(project: Path) -> None:
    data = read_yaml(spec_path(project, version="1.3.0"))
    data["metadata"]["version"] = "1.4.0-rc.1"
    write_yaml(spec_path(project, version="1.4.0-rc.1"), data)
    pin(project, "staging", "churn-classifier", "1.4.0-rc.1")
    assert problems(project) == []


def test_rolling_with_shadow(project: Path) -> None:
    """A shadow makes the endpoint multi-variant, which rolling deployments exclude."""
    pin(
        project,
        "prod",
        "demand-forecaster",
        {"version": "1.0.0", "shadow": {"version": "1.1.0", "sampling_percent": 10}},
    )
    assert_problem(
        problems(project),
        "modelops:models.demand-forecaster.shadow.version",
        "rolling deployments are not available with a shadow variant (multi-variant endpoints are excluded)",
    )


def _inf1_version(root: Path) -> None:
    inf1 = read_yaml(spec_path(root, "fraud-detector", "3.1.0"))
    inf1["metadata"]["version"] = "3.2.0"
    inf1["model"]["framework"], inf1["model"]["framework_version"] = "huggingface", "4.12.3"
    inf1["serving"].update(instance_type="ml.inf1.xlarge", rollout={"strategy": "all_at_once"})
    write_yaml(spec_path(root, "fraud-detector", "3.2.0"), inf1)


def test_inf1_challenger_takes_the_guardrails_away(project: Path) -> None:
    _inf1_version(project)
    pin(
        project,
        "dev",
        "fraud-detector",
        {"version": "3.1.0", "challenger": {"version": "3.2.0", "traffic_percent": 10}},
    )
    # dev overrides 3.1.0's rollout to all_at_once: no guardrail to lose there.
    assert not [p for p in problems(project) if "Inf1" in p.message]
    pin(
        project,
        "prod",
        "fraud-detector",
        {"version": "3.1.0", "challenger": {"version": "3.2.0", "traffic_percent": 10}},
    )
    assert_problem(
        problems(project),
        "modelops:models.fraud-detector.challenger.version",
        "the challenger runs on ml.inf1.xlarge, and an endpoint with Inf1 instances gets no deployment guardrails: "
        "the primary's linear rollout would silently run all at once",
        "Pulumi.prod.yaml",
    )


def test_own_image_must_be_in_the_stacks_region(project: Path) -> None:
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].__setitem__("aws:region", "us-east-1"))
    assert_problem(
        problems(project),
        "model.image",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com is not the ECR of us-east-1, the region of stack dev",
        "demand-forecaster/1.1.0.yaml",
    )


def test_own_image_must_be_of_the_partitions_host(project: Path) -> None:
    path = spec_path(project, "demand-forecaster", "1.1.0")
    text = path.read_text().replace(".eu-west-1.amazonaws.com/", ".eu-west-1.amazonaws.com.cn/")
    path.write_text(text)
    assert_problem(problems(project), "model.image", "is not the ECR of eu-west-1", "demand-forecaster/1.1.0.yaml")


def test_monitor_needs_its_analyzer_image_in_the_region(project: Path) -> None:
    """The SDK lists no Model Monitor image in us-gov-west-1, nor a Clarify one in il-central-1."""
    # The dev cluster's OIDC provider is an arn:aws one, which a us-gov-west-1 stack cannot use.
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].pop("modelops:kubernetes"))
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].__setitem__("aws:region", "us-gov-west-1"))
    found = problems(project)
    assert_problem(
        found,
        "monitoring.data_quality",
        "the sagemaker SDK has no model-monitor image in us-gov-west-1, the region of stack dev",
        "fraud-detector/3.1.0.yaml",
    )
    edit_yaml(stack_file(project, "dev"), lambda d: d["config"].__setitem__("aws:region", "il-central-1"))
    found = problems(project)
    assert_problem(found, "monitoring.bias", "no clarify image in il-central-1", "fraud-detector/3.1.0.yaml")
    assert not [p for p in found if p.field == "monitoring.data_quality"]


def test_serverless_takes_no_challenger(project: Path) -> None:
    pin(
        project, "dev", "sentiment-api", {"version": "0.2.0", "challenger": {"version": "0.1.0", "traffic_percent": 10}}
    )
    assert_problem(
        problems(project),
        "modelops:models.sentiment-api.challenger.version",
        "serverless endpoints take no challenger variant",
        "Pulumi.dev.yaml",
    )


def test_a_shadow_is_another_version(project: Path) -> None:
    pin(
        project,
        "prod",
        "churn-classifier",
        {"version": "1.2.0", "shadow": {"version": "1.2.0", "sampling_percent": 10}},
    )
    assert_problem(
        problems(project),
        "modelops:models.churn-classifier.shadow.version",
        "the shadow must be another version than 1.2.0",
        "Pulumi.prod.yaml",
    )


def test_prod_requires_two_instances_at_the_autoscaling_minimum(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["environments"]["prod"]["serving"]["autoscaling"].update(min_instances=1))
    found = [p for p in problems(project) if p.file.endswith("churn-classifier/1.2.0.yaml")]
    problem = assert_problem(
        found, "serving.autoscaling.min_instances", "[prod-redundancy] prod requires min_instances >= 2"
    )
    assert "stack prod" in problem.message
    assert not [p for p in found if p.field == "serving.instance_count"]  # instance_count stays 3


def test_prod_requires_the_model_quality_monitor_of_a_medium_risk_model(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["monitoring"].update(model_quality={"enabled": False}))
    found = [p for p in problems(project) if p.file.endswith("churn-classifier/1.2.0.yaml")]
    assert_problem(
        found, "monitoring.model_quality.enabled", "[prod-risk-monitors] risk medium requires the model_quality monitor"
    )
    assert [p.field for p in found] == ["monitoring.model_quality.enabled"]  # prod only; no bias or SHAP


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"record_identifier": "tenure_months"}, "record_identifier changed 'customer_id' -> 'tenure_months'"),
        ({"event_time": "monthly_charges"}, "event_time changed 'event_time' -> 'monthly_charges'"),
        ({"offline": {"enabled": True, "table_format": "iceberg"}}, "offline table_format changed"),
        ({"online": {"enabled": False}}, "online/offline store enablement changed"),
    ],
    ids=["record-identifier", "event-time", "table-format", "stores"],
)
def test_a_group_change_that_destroys_stored_data_needs_replace(
    project: Path, change: dict[str, Any], fragment: str
) -> None:
    newer = spec_path(project, version="1.3.0")
    edit_yaml(newer, lambda d: d["features"]["groups"][0].update(change))
    assert_problem(
        problems(project),
        "features.groups[0]",
        f"{fragment} since version 1.2.0: this destroys stored feature data; publish it with replace: true",
        "1.3.0.yaml",
    )
    edit_yaml(newer, lambda d: d["features"]["groups"][0].update({"replace": True}))
    assert problems(project) == []
