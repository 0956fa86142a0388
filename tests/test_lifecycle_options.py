"""The resource options that change what a deploy does to a resource (adopt instead of create,
keep on delete, ignore or replace on an input's change), as the Plan records them
(modelops.engine.render.lifecycle_options). Pulumi's mock runtime acts on none of them, so each
is read from the plans of the repository's stacks: exactly the resources that need one carry
it, and the diff's tables (modelops/aws/replacements.py) say what the program tells the engine."""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import resource_pb2

from modelops.aws.replacements import IGNORED, PROGRAM_REPLACES
from modelops.engine.plan import Plan
from modelops.engine.render import lifecycle_options, render
from modelops.spec.stack import stack_names
from tests.conftest import REPO_ROOT

PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {stack: render(REPO_ROOT, stack) for stack in stack_names(REPO_ROOT)}


def _has(inputs: dict[str, object], path: str) -> bool:
    value: object = inputs
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def test_only_the_options_a_request_sets_are_recorded() -> None:
    assert lifecycle_options(resource_pb2.RegisterResourceRequest(type="t", name="n")) == {}
    request = resource_pb2.RegisterResourceRequest(
        importId="group",
        retainOnDelete=True,
        protect=True,
        deleteBeforeReplace=True,
        ignoreChanges=["tags", "description"],
        replaceOnChanges=['tags["kind"]'],
    )
    assert lifecycle_options(request) == {
        "import": "group",
        "retainOnDelete": True,
        "protect": True,
        "deleteBeforeReplace": True,
        "ignoreChanges": ["tags", "description"],
        "replaceOnChanges": ['tags["kind"]'],
    }


def test_a_registry_models_package_group_is_adopted_kept_and_its_owners_fields_ignored(plans: dict[str, Plan]) -> None:
    groups = [r for r in plans["dev"].resources if r.type == PACKAGE_GROUP]
    assert [(g.name, g.options) for g in groups] == [
        (
            "churn-classifier-governance-package-group",
            {
                "import": "churn-classifier",
                "retainOnDelete": True,
                "ignoreChanges": ["tags", "modelPackageGroupDescription"],
            },
        )
    ]


def test_an_endpoint_is_replaced_when_its_kind_changes_deleting_the_old_first(plans: dict[str, Plan]) -> None:
    endpoints = {r.name: r.options for r in plans["dev"].resources if r.type == ENDPOINT}
    kind_changes = {"deleteBeforeReplace": True, "replaceOnChanges": ['tags["endpoint-kind"]']}
    assert endpoints == {
        "churn-classifier-serving-endpoint": kind_changes,
        "demand-forecaster-serving-endpoint": kind_changes,
        "fraud-detector-serving-endpoint": kind_changes,
        "sentiment-api-serving-endpoint": kind_changes,
        "sentiment-hf-serving-endpoint": kind_changes,
        "pool-shared-cpu-endpoint": {},  # always instance-backed: it carries no kind to change
    }


def test_what_the_program_tells_the_engine_is_what_the_diff_assumes(plans: dict[str, Plan]) -> None:
    seen: dict[str, set[str]] = {"import": set(), "retainOnDelete": set(), "deleteBeforeReplace": set()}
    for plan in plans.values():
        for resource in plan.resources:
            options = resource.options
            assert set(options.get("ignoreChanges", [])) == IGNORED.get(resource.type, set()), resource.urn
            replaced = {p.replace('["', ".").replace('"]', "") for p in options.get("replaceOnChanges", [])}
            tagged = {p for p in PROGRAM_REPLACES.get(resource.type, set()) if _has(resource.inputs, p)}
            assert replaced == tagged, resource.urn  # an input it does not set cannot change
            assert "protect" not in options, resource.urn  # a protected resource blocks every removal
            for option in seen:
                if option in options:
                    seen[option].add(resource.type)
    assert seen == {
        "import": {PACKAGE_GROUP},
        "retainOnDelete": {PACKAGE_GROUP},
        "deleteBeforeReplace": {ENDPOINT},
    }
