"""`verify` and `drift` of inference components and their pools: the live state made in moto with
boto3 as a deploy leaves it, then changed the ways AWS or a person outside the stack can change it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from modelops.aws import naming
from modelops.engine.live import LiveIdentityMocks, drift, verify
from modelops.engine.live_components import COMPONENT, IntendedComponent, component_check, intended
from modelops.engine.live_report import LiveReport
from modelops.engine.moto_inference_components import COPY_DIMENSION, inference_components
from modelops.engine.plan import POOL_ENDPOINT_CONFIG, Plan, PlanResource
from modelops.engine.rehearse import emulated_aws
from tests.conftest import edit_yaml, write_yaml

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/modelops-shared-cpu-dev"
POOL = "shared-cpu-dev"
# Components are named by `naming.inference_component_name`: <model>-<environment>-<digest of the
# pool endpoint and variant>, so that a model moving to another pool gets a new name.
RANKER, TAGGER = (naming.inference_component_name(m, "dev", POOL, "AllTraffic") for m in ("tiny-ranker", "tiny-tagger"))
POOLS = {
    "shared-cpu": {"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 6},
    "shared-gpu": {"instanceType": "ml.g5.2xlarge", "minInstances": 0, "maxInstances": 4},  # used by no model
}


def component_spec(name: str, component: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": name,
            "version": "1.0.0",
            "owner": "ranking@example.com",
            "description": f"{name}, a small model on the shared CPU pool.",
            "risk": "low",
            "data_classification": "internal",
        },
        "model": {
            "artifact": f"s3://acme-models/{name}/1.0.0/model.tar.gz",
            "sha256": "7e41402abc4b2a76b9719d911017c592ae2e5d41402abc4b2a76b9719d911017",
            "image": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/{name}:1.0.0",
        },
        "serving": {"mode": "component", "component": component, "rollout": {"strategy": "all_at_once"}},
        "governance": {"allowed_environments": ["dev", "staging", "prod"], "model_card": {"intended_uses": "Tests."}},
    }


@pytest.fixture
def pooled_project(project: Path) -> Path:
    """Stack dev with two component models on pool shared-cpu: tiny-ranker autoscaled 1-8 copies,
    tiny-tagger fixed at 1 copy; pool shared-gpu is declared and unused."""
    ranker = {
        "pool": "shared-cpu",
        "copies": 2,
        "cpu": 1,
        "memory_mb": 2048,
        "autoscaling": {"min_copies": 1, "max_copies": 8, "target_invocations_per_copy": 50},
    }
    write_yaml(project / "model_specs" / "tiny-ranker" / "1.0.0.yaml", component_spec("tiny-ranker", ranker))
    tagger = {"pool": "shared-cpu", "copies": 1, "cpu": 0.5, "memory_mb": 1024}
    write_yaml(project / "model_specs" / "tiny-tagger" / "1.0.0.yaml", component_spec("tiny-tagger", tagger))

    def pin(data: Any) -> None:
        data["config"]["modelops:models"] = {"tiny-ranker": "1.0.0", "tiny-tagger": "1.0.0"}
        data["config"]["modelops:pools"] = POOLS

    edit_yaml(project / "stacks" / "Pulumi.dev.yaml", pin)
    return project


def planned(root: Path) -> Plan:
    from modelops.aws.registry import BotoRegistry
    from modelops.engine.render import render

    return render(root, "dev", LiveIdentityMocks(REGION), BotoRegistry())


def planned_models(plan: Plan) -> dict[str, str]:
    """The Model names the program gives each component model's version, by component."""
    names = [str(r.inputs["name"]) for r in plan.by_type("aws:sagemaker/model:Model")]
    return {
        component: next(n for n in names if n.startswith(f"{model}-dev-v1-0-0-"))
        for component, model in ((RANKER, "tiny-ranker"), (TAGGER, "tiny-tagger"))
    }


def sagemaker() -> Any:
    return boto3.client("sagemaker", region_name=REGION)


def autoscaling() -> Any:
    return boto3.client("application-autoscaling", region_name=REGION)


def create_pool_endpoint(
    name: str = POOL, low: int = 1, high: int = 6, variant: str = "AllTraffic", config: str | None = None
) -> None:
    config = config or f"{name}-{low}-{high}-{variant.lower()}"
    sagemaker().create_endpoint_config(
        EndpointConfigName=config,
        ExecutionRoleArn=ROLE,
        ProductionVariants=[
            {
                "VariantName": variant,
                "InstanceType": "ml.c6i.2xlarge",
                "InitialInstanceCount": 1,
                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": low, "MaxInstanceCount": high},
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
    )
    sagemaker().create_endpoint(EndpointName=name, EndpointConfigName=config)


def create_component(name: str, model: str, copies: int, endpoint: str = POOL, variant: str = "AllTraffic") -> None:
    sagemaker().create_inference_component(
        InferenceComponentName=name,
        EndpointName=endpoint,
        VariantName=variant,
        Specification={"ModelName": model, "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}},
        RuntimeConfig={"CopyCount": copies},
    )


def register_copies(component: str, low: int, high: int) -> None:
    autoscaling().register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"inference-component/{component}",
        ScalableDimension=COPY_DIMENSION,
        MinCapacity=low,
        MaxCapacity=high,
    )


@pytest.fixture
def deployed(pooled_project: Path) -> Iterator[dict[str, str]]:
    """The stack's pool and components live in moto, as a deploy leaves them; yields the planned Models."""
    with emulated_aws(REGION):
        plan = planned(pooled_project)
        models = planned_models(plan)
        for model in models.values():
            sagemaker().create_model(
                ModelName=model,
                ExecutionRoleArn=ROLE,
                PrimaryContainer={
                    "Image": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/m:1",
                    "ModelDataUrl": "s3://b/m",
                },
            )
        pool_config = plan.one(POOL_ENDPOINT_CONFIG, "pool-shared-cpu-config")
        create_pool_endpoint(config=str(pool_config.inputs["name"]))
        create_component(RANKER, models[RANKER], copies=2)
        create_component(TAGGER, models[TAGGER], copies=1)
        register_copies(RANKER, 1, 8)
        yield models


def _sagemaker_backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[DEFAULT_ACCOUNT_ID][REGION]


def failures(report: LiveReport) -> dict[str, str]:
    return {c.subject: c.message for c in report.checks if not c.ok}


def test_a_deployed_pool_verifies_and_has_no_drift(pooled_project: Path, deployed: dict[str, str]) -> None:
    verified, drifted = verify(pooled_project, "dev"), drift(pooled_project, "dev")
    assert verified.ok, verified.summary()
    assert drifted.ok, drifted.summary()
    messages = {c.subject: c.message for c in verified.checks}
    assert messages == {
        "pool shared-cpu": "endpoint shared-cpu-dev InService, 1-6 instances",
        f"inference component {RANKER}": f"InService on {POOL}, model {deployed[RANKER]}, 2 copies",
        f"inference component {TAGGER}": f"InService on {POOL}, model {deployed[TAGGER]}, 1 copy",
    }  # no endpoint of the component models' own, nothing of the unused pool shared-gpu
    assert {c.subject: c.message for c in drifted.checks if c.subject.startswith("autoscaling")} == {
        f"autoscaling inference-component/{RANKER}": "1-8 copies",
        f"autoscaling inference-component/{TAGGER}": "none, the stack fixes 1 copy",
    }


def test_verify_fails_a_component_that_is_not_in_service(pooled_project: Path, deployed: dict[str, str]) -> None:
    components = inference_components(_sagemaker_backend())
    components[RANKER].update(InferenceComponentStatus="Failed", FailureReason="The container failed its ping.")
    components[TAGGER].update(InferenceComponentStatus="Creating")
    assert failures(verify(pooled_project, "dev")) == {
        f"inference component {RANKER}": "Failed (cannot serve): The container failed its ping.",
        f"inference component {TAGGER}": "Creating (still being created, run verify again when it finishes)",
    }
    assert drift(pooled_project, "dev").ok  # a status is not drift: nothing outside the stack changed it


def test_verify_and_drift_fail_a_component_elsewhere_or_on_another_model(
    pooled_project: Path, deployed: dict[str, str]
) -> None:
    create_pool_endpoint("elsewhere-dev")
    sagemaker().delete_inference_component(InferenceComponentName=TAGGER)
    create_component(TAGGER, deployed[TAGGER], copies=1, endpoint="elsewhere-dev")
    sagemaker().update_inference_component(
        InferenceComponentName=RANKER,
        Specification={"ModelName": deployed[TAGGER], "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}},
    )
    expected = {
        f"inference component {RANKER}": f"runs model {deployed[TAGGER]}, the stack intends {deployed[RANKER]}",
        f"inference component {TAGGER}": f"on endpoint elsewhere-dev, the stack intends {POOL} (pool shared-cpu)",
    }
    assert failures(verify(pooled_project, "dev")) == expected
    assert failures(drift(pooled_project, "dev")) == expected


def test_verify_and_drift_fail_copies_outside_the_bounds(pooled_project: Path, deployed: dict[str, str]) -> None:
    sagemaker().update_inference_component_runtime_config(
        InferenceComponentName=RANKER, DesiredRuntimeConfig={"CopyCount": 9}
    )
    sagemaker().update_inference_component_runtime_config(
        InferenceComponentName=TAGGER, DesiredRuntimeConfig={"CopyCount": 0}
    )
    expected = {
        f"inference component {RANKER}": "9 copies, the stack intends 1-8 copies",
        f"inference component {TAGGER}": "0 copies, the stack intends 1 copy",
    }
    assert failures(verify(pooled_project, "dev")) == expected
    assert failures(drift(pooled_project, "dev")) == expected


def test_verify_fails_a_missing_component(pooled_project: Path, deployed: dict[str, str]) -> None:
    sagemaker().delete_inference_component(InferenceComponentName=TAGGER)
    found = failures(verify(pooled_project, "dev"))
    assert set(found) == {f"inference component {TAGGER}"}
    assert found[f"inference component {TAGGER}"].startswith("ValidationException: Could not find inference component")


def test_verify_fails_a_pool_endpoint_that_is_not_in_service(pooled_project: Path, deployed: dict[str, str]) -> None:
    endpoint = _sagemaker_backend().endpoints[POOL]
    endpoint.endpoint_status, endpoint.failure_reason = "Failed", "Insufficient capacity for ml.c6i.2xlarge."
    assert failures(verify(pooled_project, "dev")) == {
        "pool shared-cpu": f"endpoint {POOL} Failed: Insufficient capacity for ml.c6i.2xlarge."
    }


def test_verify_and_drift_fail_a_pool_scaling_other_than_the_stacks(
    pooled_project: Path, deployed: dict[str, str]
) -> None:
    sagemaker().delete_endpoint(EndpointName=POOL)
    create_pool_endpoint(low=0, high=2)
    expected = {
        "pool shared-cpu": f"endpoint {POOL} managed instance scaling ENABLED 0-2, the stack intends ENABLED 1-6"
    }
    assert failures(verify(pooled_project, "dev")) == expected
    assert failures(drift(pooled_project, "dev")) == expected


def test_verify_fails_a_missing_pool_endpoint(pooled_project: Path, deployed: dict[str, str]) -> None:
    sagemaker().delete_endpoint(EndpointName=POOL)
    found = failures(verify(pooled_project, "dev"))
    assert set(found) == {"pool shared-cpu"}
    assert found["pool shared-cpu"].startswith(f"endpoint {POOL}: ValidationException: Could not find endpoint")


def test_verify_fails_components_on_a_pool_variant_not_the_stacks(
    pooled_project: Path, deployed: dict[str, str]
) -> None:
    sagemaker().delete_endpoint(EndpointName=POOL)
    create_pool_endpoint(variant="Primary")
    for component in (RANKER, TAGGER):
        sagemaker().delete_inference_component(InferenceComponentName=component)
        create_component(component, deployed[component], copies=1, variant="Primary")
    found = failures(verify(pooled_project, "dev"))
    assert found == {
        "pool shared-cpu": f"endpoint {POOL}: has no variant AllTraffic",
        f"inference component {RANKER}": "on variant Primary, the stack intends AllTraffic",
        f"inference component {TAGGER}": "on variant Primary, the stack intends AllTraffic",
    }


def test_drift_reports_copy_autoscaling_changed_outside_the_stack(
    pooled_project: Path, deployed: dict[str, str]
) -> None:
    register_copies(RANKER, 1, 40)
    register_copies(TAGGER, 1, 3)
    assert failures(drift(pooled_project, "dev")) == {
        f"autoscaling inference-component/{RANKER}": "1-40 copies, the stack intends 1-8 copies",
        f"autoscaling inference-component/{TAGGER}": "1-3 copies, the stack sets no autoscaling",
    }
    for component in (RANKER, TAGGER):
        autoscaling().deregister_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=f"inference-component/{component}",
            ScalableDimension=COPY_DIMENSION,
        )
    assert failures(drift(pooled_project, "dev")) == {
        f"autoscaling inference-component/{RANKER}": "not registered, the stack intends 1-8 copies"
    }


def test_a_component_whose_version_the_plan_has_no_model_for_fails() -> None:
    component = IntendedComponent(
        model="tiny-ranker",
        version="1.0.0",
        name=RANKER,
        pool="shared-cpu",
        endpoint=POOL,
        variant="AllTraffic",
        sagemaker_model=None,
        low=1,
        high=8,
        autoscaled=True,
    )
    described = {
        "InferenceComponentStatus": "InService",
        "EndpointName": POOL,
        "VariantName": "AllTraffic",
        "Specification": {"ModelName": "tiny-ranker-dev-v0-9-0-0badcafe"},
        "RuntimeConfig": {"CurrentCopyCount": 2},
    }
    check = component_check(component, described, judge_status=True)
    assert (check.ok, check.message) == (False, "the stack plans no SageMaker Model for tiny-ranker 1.0.0")


def test_the_plans_inference_component_says_what_is_intended(pooled_project: Path) -> None:
    """The program's InferenceComponent of a model (found by its `model` tag) names the component,
    its endpoint, variant and model; the pool's endpoint resource its configuration."""
    from modelops.spec.resolve import load_project

    project = load_project(pooled_project, ["dev"])
    config, _ = project.stacks["dev"]
    planned = {
        "name": "tiny-ranker-dev-7d068411",
        "endpointName": POOL,
        "variantName": "AllTraffic",
        "specification": {"ModelName": "tiny-ranker-dev-v1-0-0-a25d8c1a"},
        "runtimeConfig": {"CopyCount": 2.0},
        "tags": {"model": "tiny-ranker", "environment": "dev"},
    }
    tagger = {
        **planned,
        "name": "tiny-tagger-dev-7d068411",
        "specification": {"ModelName": "tiny-tagger-dev-v1-0-0-0badcafe"},
        "tags": {"model": "tiny-tagger", "environment": "dev"},
    }
    pool = {"name": POOL, "endpointConfigName": "shared-cpu-dev-3ebb26cd"}
    plan = Plan(
        "dev",
        "dev",
        [],
        [
            PlanResource("urn:ic", COMPONENT, "tiny-ranker-serving-component", None, planned),
            PlanResource("urn:ic2", COMPONENT, "tiny-tagger-serving-component", None, tagger),
            PlanResource("urn:endpoint", "aws:sagemaker/endpoint:Endpoint", "pool-shared-cpu-endpoint", None, pool),
        ],
    )
    components, pools = intended(plan, project.resolved["dev"], config.environment, config.pools)
    found = {c.model: (c.name, c.endpoint, c.variant, c.sagemaker_model, c.low, c.high) for c in components}
    assert found == {
        "tiny-ranker": ("tiny-ranker-dev-7d068411", POOL, "AllTraffic", "tiny-ranker-dev-v1-0-0-a25d8c1a", 1, 8),
        "tiny-tagger": ("tiny-tagger-dev-7d068411", POOL, "AllTraffic", "tiny-tagger-dev-v1-0-0-0badcafe", 1, 1),
    }
    assert [(p.pool, p.endpoint, p.config, p.min_instances, p.max_instances) for p in pools] == [
        ("shared-cpu", POOL, "shared-cpu-dev-3ebb26cd", 1, 6)
    ]


def test_drift_takes_any_instance_count_of_a_pool_within_its_managed_scaling() -> None:
    """SageMaker adds and removes a pool's instances as copies need room: a count within the
    managed scaling range is the stack's, one outside it is drift."""
    from modelops.engine.live import ENDPOINT, _variant_drift

    config = f"{POOL}-1-6-alltraffic"  # create_pool_endpoint's
    scaling = {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 6}
    variant = {"VariantName": "AllTraffic", "InitialInstanceCount": 1, "ManagedInstanceScaling": scaling}
    # As the pool's provider records it: the request under `configuration`, PascalCase.
    inputs = {"name": config, "configuration": {"ProductionVariants": [variant]}}
    plan = Plan(
        "dev",
        "dev",
        [],
        [
            PlanResource("urn:config", POOL_ENDPOINT_CONFIG, "pool-config", None, inputs),
            PlanResource("urn:endpoint", ENDPOINT, "pool-endpoint", None, {"name": POOL, "endpointConfigName": config}),
        ],
    )
    found = {}
    with emulated_aws(REGION):
        create_pool_endpoint()
        for count in (4, 7):
            sagemaker().update_endpoint_weights_and_capacities(
                EndpointName=POOL,
                DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": count}],
            )
            checks = {c.subject: c for c in _variant_drift(plan, sagemaker(), {})}
            check = checks[f"endpoint {POOL} variant AllTraffic"]
            found[count] = (check.ok, check.message)
    assert found == {4: (True, "weight None, 4 instances"), 7: (False, "7 instances, the stack intends 1-6")}


def test_verify_fails_a_pool_endpoint_on_another_configuration(pooled_project: Path, deployed: dict[str, str]) -> None:
    """A pool's endpoint whose update rolled back keeps its old configuration: the pool check
    compares it with the plan's, as the endpoint check does for a model's own endpoint."""
    sagemaker().delete_endpoint(EndpointName=POOL)
    create_pool_endpoint()  # the same scaling, under an older configuration's name
    found = failures(verify(pooled_project, "dev"))
    assert set(found) == {"pool shared-cpu"}
    assert found["pool shared-cpu"].startswith(f"endpoint {POOL} runs {POOL}-1-6-alltraffic, the stack intends ")
    assert "endpoint shared-cpu-dev" not in {c.subject for c in verify(pooled_project, "dev").checks}  # once
