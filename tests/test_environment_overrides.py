"""`environments`: an override of serving and monitoring per environment, deep-merged over the
spec, lists replaced, `null` removing a key so that it takes its default again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelops.spec.environments import deep_merge
from modelops.spec.models import Autoscaling, ModelSpec, Rollout, RolloutAlarms
from modelops.spec.repository import load_repository
from tests.conftest import REPO_ROOT, TEST_MODEL, TEST_VERSION, edit_yaml, problems, spec_path


def churn_as(root: Path, environment: str) -> ModelSpec:
    """churn-classifier 1.2.0 as `environment` sees it."""
    return load_repository(root).specs[TEST_MODEL][TEST_VERSION].for_environment(environment)


def test_a_mapping_is_deep_merged_keeping_what_the_override_leaves_out() -> None:
    # prod overrides autoscaling: {min_instances: 3, max_instances: 12}; the rest is the base spec's.
    prod = churn_as(REPO_ROOT, "prod")
    assert prod.serving.instance_count == 3
    assert prod.serving.autoscaling == Autoscaling(
        min_instances=3,
        max_instances=12,
        target_invocations_per_instance=700,
        scale_in_cooldown_s=300,
        scale_out_cooldown_s=60,
    )
    # dev overrides rollout: {strategy: all_at_once}; the alarms and waits stay.
    dev = churn_as(REPO_ROOT, "dev")
    assert dev.serving.rollout.strategy == "all_at_once"
    assert dev.serving.rollout.alarms == RolloutAlarms(max_5xx_error_rate_percent=1.0, max_p99_latency_ms=500)
    assert dev.serving.rollout.termination_wait_s == 300
    assert churn_as(REPO_ROOT, "staging") == load_repository(REPO_ROOT).specs[TEST_MODEL][TEST_VERSION].spec


def test_null_removes_a_key_which_takes_its_default_again(project: Path) -> None:
    edit_yaml(spec_path(project), lambda d: d["environments"]["dev"]["serving"].update(rollout=None))
    assert problems(project) == []
    dev = churn_as(project, "dev")
    assert dev.serving.rollout == Rollout()
    assert churn_as(project, "prod").serving.rollout.termination_wait_s == 300  # other environments keep it


def test_a_list_is_replaced_as_a_whole() -> None:
    base: dict[str, Any] = {"kubernetes": {"cpu": "1"}, "reads": ["a", "b"], "keep": [1]}
    assert deep_merge(base, {"reads": ["c"]}) == {"kubernetes": {"cpu": "1"}, "reads": ["c"], "keep": [1]}
    assert base["reads"] == ["a", "b"]  # the spec itself is left as written
