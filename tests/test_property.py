"""Projects generated within the rules validate, render what their specs say and rehearse; one
bound stepped just outside its range is refused, naming its field.

The generators (tests/generated_projects.py) reach every bound on purpose, and every serving
mode, environment and framework image is a parameter here or a model of every stack, so none
is left to luck. Derandomised (tests/conftest.py's Hypothesis profile): CI runs the same
examples each time. Rehearsing is the expensive step (a few seconds a stack), so many single
models are validated and rendered, and fewer stacks of many models rehearsed.

Budget, measured on the shared 2-core machine (`pytest -n 2 tests/test_property.py`): 97 s with
other work on it (load average 2 to 4), 119 s of user CPU; about 70 s on two idle cores.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelops.engine.plan import Plan
from modelops.engine.rehearse import RehearsalReport, rehearse
from modelops.engine.render import RecordingMocks, render
from modelops.spec.loader import Problem
from modelops.spec.models import AWS_INT32_MAX, KUBERNETES_INT32_MAX
from modelops.spec.resolve import load_project
from tests.generated_projects import (
    ENVIRONMENTS,
    KUBERNETES_RUNTIMES,
    MODES_BY_ENVIRONMENT,
    REGION,
    GeneratedModel,
    GeneratedProject,
    at_bounds,
    projects,
    servable,
)

# A stack of many models comes close to the 8 KB of drawn data Hypothesis allows a test case,
# and renders for longer than it expects of a test case.
LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
RENDER = settings(max_examples=4, suppress_health_check=LARGE)  # for each environment and mode
REHEARSE = settings(max_examples=2, suppress_health_check=LARGE)  # for each environment
FRAMEWORKS = settings(max_examples=1, suppress_health_check=LARGE)  # for each stack of frameworks
AT_BOUNDS = settings(max_examples=1, suppress_health_check=LARGE)  # every value at its bound already
BOUNDS = settings(max_examples=3, suppress_health_check=LARGE)  # for each bound stepped outside
SIDES = ("lowest", "highest")
# The rehearsal registers every version of a pinned registry package from 1 (moto numbers them
# in order), about 8 ms each: a package version of int32's maximum would take months. Rendering
# covers the largest versions; the rehearsal pins versions up to this.
REHEARSED_PACKAGE_VERSION = 30
EVERY_MODE = [(environment, mode) for environment in ENVIRONMENTS for mode in MODES_BY_ENVIRONMENT[environment]]

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
INFERENCE_COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
POOL_CONFIG = "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration"
INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"


@contextmanager
def written(project: GeneratedProject) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        project.write(root)
        yield root


def validated_and_rendered(root: Path, project: GeneratedProject) -> Plan:
    """The project's stack, which validates with no problem, rendered with no rule violated.
    Rendered in this process: the forked parts of `render` give the same Plan
    (tests/test_render_parts.py) and cost a process each."""
    assert load_project(root, [project.stack_name]).problems == []
    plan = render(root, project.stack_name, mocks=RecordingMocks(REGION))
    assert plan.violations == []
    return plan


def assert_rehearsed(report: RehearsalReport, plan: Plan) -> None:
    """Every resource the plan declares was created on the emulator (or checked offline), and
    every call succeeded."""
    assert report.ok, report.summary()
    assert {call.resource for call in report.calls} == {resource.name for resource in plan.managed}


# --- what each mode renders -------------------------------------------------------------------


def assert_renders(plan: Plan, project: GeneratedProject, model: GeneratedModel) -> None:
    """The rendered inputs that carry what the model's spec and pin say."""
    if model.mode in KUBERNETES_RUNTIMES:
        assert_kubernetes(plan, model)
    elif model.mode == "component":
        assert_component(plan, project, model)
    else:
        assert_endpoint(plan, project, model)


def assert_endpoint(plan: Plan, project: GeneratedProject, model: GeneratedModel) -> None:
    name, serving = model.name, model.primary["serving"]
    endpoint = plan.one(ENDPOINT, f"{name}-serving-endpoint").inputs
    assert endpoint["name"] == f"{name}-{project.environment}"
    config = plan.one(ENDPOINT_CONFIG, f"{name}-serving-config").inputs
    variant = config["productionVariants"][0]
    if model.mode == "serverless":
        memory, concurrency = serving["serverless"]["memory_mb"], serving["serverless"]["max_concurrency"]
        assert variant["serverlessConfig"] == {"memorySizeInMb": memory, "maxConcurrency": concurrency}
    else:
        assert (variant["instanceType"], variant["initialInstanceCount"]) == (
            serving["instance_type"],
            serving["instance_count"],
        )
    capture = serving["data_capture"]
    if capture["enabled"]:
        assert config["dataCaptureConfig"]["initialSamplingPercentage"] == capture["sampling_percent"]
    else:
        assert "dataCaptureConfig" not in config
    per_instance = serving.get("async", {}).get("max_concurrent_invocations_per_instance")
    if model.mode == "async":
        client = config["asyncInferenceConfig"].get("clientConfig", {})
        assert client.get("maxConcurrentInvocationsPerInstance") == per_instance
    else:
        assert "asyncInferenceConfig" not in config
    assert_variants(config, model)
    assert_rollout(endpoint.get("deploymentConfig"), serving["rollout"])
    assert_instance_scaling(plan, model)


def assert_variants(config: dict[str, Any], model: GeneratedModel) -> None:
    roles = [v["variantName"] for v in config["productionVariants"]]
    shadows = [v["variantName"] for v in config.get("shadowProductionVariants") or []]
    if model.variant == "challenger":
        assert isinstance(model.pin, dict)
        share = model.pin["challenger"]["traffic_percent"]
        weights = {v["variantName"]: v["initialVariantWeight"] for v in config["productionVariants"]}
        assert weights == {"primary": 100 - share, "challenger": share}
    else:
        assert roles == ["primary"]
    assert shadows == (["shadow"] if model.variant == "shadow" else [])


def assert_rollout(deployment: dict[str, Any] | None, rollout: dict[str, Any]) -> None:
    """The endpoint's deployment config: none for all_at_once, else the strategy's step and wait."""
    strategy = rollout["strategy"]
    if strategy == "all_at_once":
        assert deployment is None
        return
    assert deployment is not None and deployment["autoRollbackConfiguration"]["alarms"]
    wait = rollout.get("wait_s", 600)
    if strategy == "rolling":
        policy = deployment["rollingUpdatePolicy"]
        assert policy["maximumBatchSize"]["value"] == rollout.get("rolling_batch_percent", 25)
        assert policy["waitIntervalInSeconds"] == wait
        return
    blue_green = deployment["blueGreenUpdatePolicy"]
    routing = blue_green["trafficRoutingConfiguration"]
    assert (routing["type"], routing["waitIntervalInSeconds"]) == (strategy.upper(), wait)
    assert blue_green["terminationWaitInSeconds"] == rollout.get("termination_wait_s", 0)
    if strategy == "canary":
        assert routing["canarySize"]["value"] == rollout.get("canary_percent", 10)
    else:
        assert routing["linearStepSize"]["value"] == rollout.get("linear_step_percent", 20)


# The metric an endpoint's instances scale on: invocations for realtime, the queue for async.
SCALING_METRIC = {"realtime": "SageMakerVariantInvocationsPerInstance", "async": "ApproximateBacklogSizePerInstance"}


def assert_instance_scaling(plan: Plan, model: GeneratedModel) -> None:
    """Each autoscaled production variant's bounds are its spec's, on its mode's metric."""
    variants = [("", model.primary)]
    if model.variant == "challenger":
        variants.append(("-challenger", model.specs[1]))
    for prefix, spec in variants:
        scaling = spec["serving"].get("autoscaling")
        targets = [r for r in plan.by_type(SCALING_TARGET) if r.name == f"{model.name}-serving{prefix}-scaling-target"]
        if scaling is None:
            assert targets == []
            continue
        [target] = targets
        assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (
            scaling["min_instances"],
            scaling["max_instances"],
        )
        tracking = plan.one(SCALING_POLICY, f"{model.name}-serving{prefix}-scaling-policy").inputs[
            "targetTrackingScalingPolicyConfiguration"
        ]
        assert tracking["targetValue"] == scaling["target_invocations_per_instance"]
        assert metric_name(tracking) == SCALING_METRIC[model.mode]
        wakes = [
            r for r in plan.by_type(SCALING_POLICY) if r.name == f"{model.name}-serving{prefix}-scale-from-zero-policy"
        ]
        assert len(wakes) == (1 if scaling["min_instances"] == 0 else 0)  # target tracking never leaves zero


def metric_name(tracking: dict[str, Any]) -> str:
    if "predefinedMetricSpecification" in tracking:
        return str(tracking["predefinedMetricSpecification"]["predefinedMetricType"])
    return str(tracking["customizedMetricSpecification"]["metricName"])


def assert_component(plan: Plan, project: GeneratedProject, model: GeneratedModel) -> None:
    component = model.primary["serving"]["component"]
    rendered = plan.one(INFERENCE_COMPONENT, f"{model.name}-serving-component").inputs
    assert rendered["endpointName"] == f"{component['pool']}-{project.environment}"
    reserved = rendered["specification"]["ComputeResourceRequirements"]
    assert reserved["NumberOfCpuCoresRequired"] == component["cpu"]
    assert reserved["MinMemoryRequiredInMb"] == component["memory_mb"]
    assert reserved.get("NumberOfAcceleratorDevicesRequired", 0) == component["accelerators"]
    assert rendered["runtimeConfig"]["CopyCount"] == component["copies"]
    scaling = component.get("autoscaling")
    targets = [r for r in plan.by_type(SCALING_TARGET) if r.name == f"{model.name}-serving-scaling-target"]
    if scaling is None:
        assert targets == []
    else:
        [target] = targets
        bounds = (target.inputs["minCapacity"], target.inputs["maxCapacity"])
        assert bounds == (scaling["min_copies"], scaling["max_copies"])
    declared = project.stack["modelops:pools"][component["pool"]]
    pool = plan.one(POOL_CONFIG, f"pool-{component['pool']}-config").inputs["configuration"]
    [variant] = pool["ProductionVariants"]
    assert variant["InstanceType"] == declared["instanceType"]
    scaled = variant["ManagedInstanceScaling"]
    assert (scaled["MinInstanceCount"], scaled["MaxInstanceCount"]) == (
        declared["minInstances"],
        declared["maxInstances"],
    )


def assert_kubernetes(plan: Plan, model: GeneratedModel) -> None:
    serving = model.primary["serving"]
    k8s = serving["kubernetes"]
    resources = {"cpu": k8s["cpu"], "memory": k8s["memory"]}
    if k8s["gpu"]:
        resources["nvidia.com/gpu"] = str(k8s["gpu"])
    if model.mode == "kserve":
        manifest = plan.one(INFERENCE_SERVICE, f"{model.name}-serving-inference-service").inputs
        predictor = manifest["spec"]["predictor"]
        assert (predictor["minReplicas"], predictor["maxReplicas"]) == (k8s["min_replicas"], k8s["max_replicas"])
        assert (predictor["scaleMetric"], predictor["scaleTarget"]) == (k8s["scale_metric"], k8s["scale_target"])
        container = predictor["model"] if "model" in predictor else predictor["containers"][0]
        assert_resources(container["resources"], resources)
        assert ("logger" in predictor) == serving["data_capture"]["enabled"]
        canaries = manifest["spec"].get("canary") or []
        shares = [c["trafficPercent"] for c in canaries]
        assert isinstance(model.pin, str) or shares == [model.pin["challenger"]["traffic_percent"]]
        assert model.variant is not None or shares == []
        return
    deployment = plan.one(DEPLOYMENT, f"{model.name}-serving-deployment").inputs
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert_resources(container["resources"], resources)
    assert container["ports"][0]["containerPort"] == k8s["port"]
    hpa = plan.one(HPA, f"{model.name}-serving-hpa").inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (k8s["min_replicas"], k8s["max_replicas"])
    [metric] = hpa["metrics"]
    assert metric["resource"]["name"] == k8s["scale_metric"]
    assert metric["resource"]["target"]["averageUtilization"] == k8s["scale_target"]
    budgets = [r for r in plan.by_type(PDB) if r.name == f"{model.name}-serving-pdb"]
    assert len(budgets) == (1 if k8s["min_replicas"] >= 2 else 0)


def assert_resources(rendered: dict[str, Any], resources: dict[str, str]) -> None:
    """Requests equal limits, each the spec's quantity."""
    assert rendered["requests"] == rendered["limits"] == resources


# --- the properties -----------------------------------------------------------------------------


def assert_validates_and_renders(project: GeneratedProject) -> None:
    with written(project) as root:
        plan = validated_and_rendered(root, project)
    for model in project.models:
        assert_renders(plan, project, model)


def assert_rehearses(project: GeneratedProject) -> None:
    with written(project) as root:
        plan = validated_and_rendered(root, project)
        for model in project.models:
            assert_renders(plan, project, model)
        report = rehearse(root, project.stack_name)
    assert_rehearsed(report, plan)


@pytest.mark.parametrize(("environment", "mode"), EVERY_MODE)
@RENDER
@given(data=st.data())
def test_generated_models_validate_and_render_what_their_specs_say(
    environment: str, mode: str, data: st.DataObject
) -> None:
    """One to three models of the mode in a stack of the environment (components share pools)."""
    count = data.draw(st.integers(1, 3), label="models")
    assert_validates_and_renders(data.draw(projects(environment, (mode,) * count), label="project"))


@pytest.mark.parametrize(("environment", "mode", "side"), [(*case, side) for case in EVERY_MODE for side in SIDES])
@AT_BOUNDS
@given(data=st.data())
def test_models_at_their_bounds_validate_and_render(
    environment: str, mode: str, side: str, data: st.DataObject
) -> None:
    """Every bounded value at its lowest (or highest) allowed value, every optional field set:
    min == max, 0 where allowed, int32's largest counts, the longest texts, the most tags."""
    with at_bounds(side):
        project = data.draw(projects(environment, (mode, mode)), label="project")
    assert_validates_and_renders(project)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@REHEARSE
@given(data=st.data())
def test_a_generated_stack_of_every_mode_rehearses(environment: str, data: st.DataObject) -> None:
    """One model of each mode the environment takes, and up to two more of any, in one stack."""
    extra = data.draw(st.lists(st.sampled_from(MODES_BY_ENVIRONMENT[environment]), max_size=2), label="more")
    modes = (*MODES_BY_ENVIRONMENT[environment], *extra)
    assert_rehearses(data.draw(projects(environment, modes, largest=REHEARSED_PACKAGE_VERSION), label="project"))


@pytest.mark.parametrize(("environment", "side"), [(e, side) for e in ENVIRONMENTS for side in SIDES])
@AT_BOUNDS
@given(data=st.data())
def test_a_stack_of_every_mode_at_its_bounds_rehearses(environment: str, side: str, data: st.DataObject) -> None:
    with at_bounds(side):
        modes = MODES_BY_ENVIRONMENT[environment]
        project = data.draw(projects(environment, modes, largest=REHEARSED_PACKAGE_VERSION), label="project")
    assert_rehearses(project)


# The frameworks the sagemaker SDK has a serving image for, in stacks of about ten models each.
GROUPS = 6
SERVABLE = sorted(servable())
FRAMEWORK_GROUPS = [tuple(SERVABLE[i::GROUPS]) for i in range(GROUPS)]
# Known to the SDK and refused by validate, with the reason (tests/test_frameworks.py holds each):
# chosen through framework huggingface on inf1 and inf2, and filed under a processor no instance
# type maps to.
UNSERVABLE = {"huggingface-neuron", "huggingface-neuronx", "huggingface-vllm-neuronx"}


def test_every_framework_but_the_refused_ones_has_a_serving_image_here() -> None:
    """The framework property covers every framework the SDK knows, bar the refused ones."""
    from modelops.spec import frameworks

    assert set(frameworks.known_frameworks()) - set(SERVABLE) == UNSERVABLE
    assert sorted(f for group in FRAMEWORK_GROUPS for f in group) == SERVABLE


@st.composite
def framework_modes(draw: st.DrawFn, framework: str) -> str:
    """serverless where the framework has a CPU image for it, else an endpoint on instances."""
    types = {instance_type for _, instance_type in servable()[framework]}
    modes = (["serverless"] if None in types else []) + (["realtime", "async"] if types - {None} else [])
    return draw(st.sampled_from(modes))


@pytest.mark.parametrize("group", FRAMEWORK_GROUPS, ids=lambda group: f"{group[0]}...")
@FRAMEWORKS
@given(data=st.data())
def test_every_framework_image_validates_renders_and_rehearses(group: tuple[str, ...], data: st.DataObject) -> None:
    """A dev stack of one model per framework, each on a version and instance type with an image."""
    modes = tuple(data.draw(framework_modes(framework), label=framework) for framework in group)
    project = data.draw(projects("dev", modes, largest=REHEARSED_PACKAGE_VERSION, frameworks_=group), label="project")
    for model, framework in zip(project.models, group, strict=True):
        assert {spec["model"]["framework"] for spec in model.specs} == {framework}
    assert_rehearses(project)


# --- one bound stepped outside ----------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """A value just outside one bound, and the field the refusal names."""

    field: str  # dotted, as Problem.field
    modes: tuple[str, ...]
    step: Callable[[dict[str, Any]], None]  # applied to the primary's spec, or to the stack's config
    in_stack: bool = False
    environments: tuple[str, ...] = ENVIRONMENTS

    def __str__(self) -> str:
        return self.field


def put(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the dotted `path` (creating mappings on the way) to `value`, or to `value(document)`."""

    def step(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            document = document.setdefault(key, {})
        document[last] = value(document) if callable(value) else value

    return step


def autoscaled(**bounds: Any) -> Callable[[dict[str, Any]], None]:
    """autoscaling with these fields over the spec's (or a minimal one)."""

    def step(spec: dict[str, Any]) -> None:
        scaling = spec["serving"].setdefault(
            "autoscaling", {"min_instances": 1, "max_instances": 1, "target_invocations_per_instance": 10}
        )
        scaling.update({k: v(scaling) if callable(v) else v for k, v in bounds.items()})

    return step


def copies_scaled(**bounds: Any) -> Callable[[dict[str, Any]], None]:
    def step(spec: dict[str, Any]) -> None:
        scaling = spec["serving"]["component"].setdefault(
            "autoscaling", {"min_copies": 1, "max_copies": 1, "target_invocations_per_copy": 10}
        )
        scaling.update({k: v(scaling) if callable(v) else v for k, v in bounds.items()})

    return step


def pinned(role: str, field: str, value: int) -> Callable[[dict[str, Any]], None]:
    """The first model's pin with a `role` whose `field` is `value`."""

    def step(config: dict[str, Any]) -> None:
        pins = config["modelops:models"]
        name = next(iter(pins))
        version = pins[name] if isinstance(pins[name], str) else pins[name]["version"]
        pins[name] = {"version": version, role: {"version": "99.0.0", field: value}}

    return step


INSTANCES = ("realtime", "async")  # endpoints of their own, on instances
GUARDED = INSTANCES  # endpoints with deployment guardrails
K8S = KUBERNETES_RUNTIMES
CHALLENGER_SHARE = "modelops:models.*.challenger.traffic_percent"  # * is the model's name
SHADOW_SAMPLING = "modelops:models.*.shadow.sampling_percent"
SAMPLING = "serving.data_capture.sampling_percent"
ROLLOUT = "serving.rollout"
K8S_SERVING = "serving.kubernetes"
OUTSIDE = [
    Bound("metadata.description", ("realtime",), put("metadata.description", "d" * 1025)),
    Bound("metadata.description", ("kserve",), put("metadata.description", "")),
    Bound("metadata.name", ("async",), put("metadata.name", "n" * 33)),
    Bound("metadata.tags", ("realtime",), put("metadata.tags", {f"t{i}": "" for i in range(41)})),
    Bound("metadata.tags." + "k" * 129, ("component",), put("metadata.tags", {"k" * 129: "v"})),
    Bound("metadata.tags.team", ("deployment",), put("metadata.tags", {"team": "v" * 257})),
    Bound("serving.instance_count", INSTANCES, put("serving.instance_count", 0)),
    Bound("serving.instance_count", INSTANCES, put("serving.instance_count", AWS_INT32_MAX + 1)),
    Bound("serving.instance_count", ("realtime",), put("serving.instance_count", 1), environments=("prod",)),
    Bound("serving.autoscaling.min_instances", ("realtime",), autoscaled(min_instances=0)),
    Bound("serving.autoscaling.min_instances", ("async",), autoscaled(min_instances=-1)),
    Bound("serving.autoscaling.min_instances", INSTANCES, autoscaled(min_instances=lambda s: s["max_instances"] + 1)),
    Bound("serving.autoscaling.max_instances", INSTANCES, autoscaled(max_instances=AWS_INT32_MAX + 1)),
    Bound("serving.serverless.max_concurrency", ("serverless",), put("serving.serverless.max_concurrency", 0)),
    Bound("serving.serverless.max_concurrency", ("serverless",), put("serving.serverless.max_concurrency", 201)),
    Bound("serving.serverless.memory_mb", ("serverless",), put("serving.serverless.memory_mb", 6144 + 1024)),
    Bound("serving.async.max_concurrent_invocations_per_instance", ("async",), put("serving.async", {
        "max_concurrent_invocations_per_instance": 1001})),
    Bound("serving.async.max_concurrent_invocations_per_instance", ("async",), put("serving.async", {
        "max_concurrent_invocations_per_instance": 0})),
    Bound(SAMPLING, ("realtime", "kserve"), put(SAMPLING, 0)),
    Bound(SAMPLING, ("async",), put(SAMPLING, 101)),
    Bound("serving.rollout.canary_percent", GUARDED, put("serving.rollout.canary_percent", 0)),
    Bound("serving.rollout.canary_percent", GUARDED, put("serving.rollout.canary_percent", 51)),
    Bound("serving.rollout.linear_step_percent", GUARDED, put("serving.rollout.linear_step_percent", 9)),
    Bound("serving.rollout.linear_step_percent", GUARDED, put("serving.rollout.linear_step_percent", 51)),
    Bound(f"{ROLLOUT}.rolling_batch_percent", ("component", *K8S), put(f"{ROLLOUT}.rolling_batch_percent", 4)),
    Bound("serving.rollout.rolling_batch_percent", GUARDED, put("serving.rollout.rolling_batch_percent", 51)),
    Bound("serving.rollout.wait_s", GUARDED, put("serving.rollout.wait_s", -1)),
    Bound("serving.rollout.wait_s", ("component",), put("serving.rollout.wait_s", 3601)),
    Bound("serving.rollout.termination_wait_s", GUARDED, put("serving.rollout.termination_wait_s", 3601)),
    Bound("serving.component.copies", ("component",), put("serving.component.copies", 0)),
    Bound("serving.component.cpu", ("component",), put("serving.component.cpu", 0.24)),
    Bound("serving.component.memory_mb", ("component",), put("serving.component.memory_mb", 127)),
    Bound("serving.component.autoscaling.min_copies", ("component",), copies_scaled(
        min_copies=lambda s: s["max_copies"] + 1)),
    Bound("serving.component.autoscaling.min_copies", ("component",), copies_scaled(min_copies=-1)),
    Bound(f"{K8S_SERVING}.min_replicas", K8S, put(f"{K8S_SERVING}.min_replicas", lambda k: k["max_replicas"] + 1)),
    Bound("serving.kubernetes.min_replicas", ("deployment",), put("serving.kubernetes.min_replicas", 0)),
    Bound("serving.kubernetes.min_replicas", K8S, put("serving.kubernetes.min_replicas", 1), environments=("prod",)),
    Bound("serving.kubernetes.max_replicas", K8S, put("serving.kubernetes.max_replicas", KUBERNETES_INT32_MAX + 1)),
    Bound("serving.kubernetes.scale_target", K8S, put("serving.kubernetes.scale_target", 101)),
    Bound("serving.kubernetes.gpu", K8S, put("serving.kubernetes.gpu", 9)),
    Bound("serving.kubernetes.port", ("deployment",), put("serving.kubernetes.port", 65536)),
    Bound("serving.kubernetes.namespace", ("kserve",), put("serving.kubernetes.namespace", "n" * 64)),
    Bound(CHALLENGER_SHARE, ("realtime",), pinned("challenger", "traffic_percent", 51), in_stack=True),
    Bound(CHALLENGER_SHARE, ("kserve",), pinned("challenger", "traffic_percent", 0), in_stack=True),
    Bound(SHADOW_SAMPLING, ("async",), pinned("shadow", "sampling_percent", 101), in_stack=True),
]  # fmt: skip


def names_field(problem: Problem, bound: Bound, model: str) -> bool:
    return problem.field == bound.field.replace("*", model)


@pytest.mark.parametrize("bound", OUTSIDE, ids=[f"{b.field}-{i}" for i, b in enumerate(OUTSIDE)])
@BOUNDS
@given(data=st.data())
def test_one_bound_stepped_outside_is_refused_naming_its_field(bound: Bound, data: st.DataObject) -> None:
    environment = data.draw(
        st.sampled_from([e for e in bound.environments if set(bound.modes) & set(MODES_BY_ENVIRONMENT[e])])
    )
    mode = data.draw(st.sampled_from([m for m in bound.modes if m in MODES_BY_ENVIRONMENT[environment]]))
    project = data.draw(projects(environment, (mode,)), label="project")
    [model] = project.models
    bound.step(project.stack if bound.in_stack else model.primary)
    with written(project) as root:
        found = load_project(root, [project.stack_name]).problems
    file = f"stacks/Pulumi.{environment}.yaml" if bound.in_stack else f"model_specs/{model.name}/"
    named = [p for p in found if names_field(p, bound, model.name) and p.file.startswith(file)]
    assert named, "\n".join(map(str, found)) or "no problem"
