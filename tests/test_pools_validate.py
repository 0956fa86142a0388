"""`validate` on pools and their component models (docs/pools.md): each rule broken once, with
the file, line and field it is reported at; a valid stack with two pools passes the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.spec.loader import Problem
from modelops.spec.pools import pool_problems
from modelops.spec.repository import load_repository
from modelops.spec.stack import Pool, load_stack_file
from tests.conftest import edit_yaml, problems, read_yaml, spec_path, write_yaml

runner = CliRunner()
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
POOLS = {
    "shared-cpu": {"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 6},  # 8 vCPUs, 16 GiB
    "shared-gpu": {"instanceType": "ml.g5.2xlarge", "minInstances": 0, "maxInstances": 4},  # 8 vCPUs, 32 GiB, 1 GPU
    "spare": {"instanceType": "ml.m5.large", "minInstances": 1, "maxInstances": 2},  # used by no model
}
# model -> (pool, model source, component fields): two own images and two framework images.
MODELS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "ranker": ("shared-cpu", {"image": f"{IMAGE}/ranker:1.0.0"}, {"copies": 2, "cpu": 1, "memory_mb": 2048}),
    "tagger": ("shared-cpu", {"framework": "sklearn", "framework_version": "1.2-1"}, {"cpu": 0.5, "memory_mb": 1024}),
    "scorer": ("shared-cpu", {"image": f"{IMAGE}/scorer:1.0.0"}, {"memory_mb": 4096, "autoscaling": {
        "min_copies": 0, "max_copies": 4, "target_invocations_per_copy": 30}}),
    "summarizer": (
        "shared-gpu",
        {"framework": "pytorch", "framework_version": "2.1"},
        {"cpu": 2, "memory_mb": 8192, "accelerators": 1},
    ),
}  # fmt: skip


def component_spec(name: str, version: str = "1.0.0") -> dict[str, Any]:
    pool, source, component = MODELS[name]
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": name,
            "version": version,
            "owner": "platform-ml@example.com",
            "description": f"{name}, served on pool {pool}.",
            "risk": "low",
        },
        "model": {"artifact": f"s3://acme-models/{name}/{version}/model.tar.gz", **source},
        "serving": {"mode": "component", "component": {"pool": pool, **component}},
        "governance": {"allowed_environments": ["dev", "staging", "prod"]},
    }


# The models the repository's dev stack runs on its shared-cpu pool (model_specs/, stacks/).
EXAMPLE_POOL_MODELS = ("intent-classifier", "language-detector", "toxicity-filter")


def stack_path(root: Path, stack: str = "dev") -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


@pytest.fixture
def pooled(project: Path) -> Path:
    """The project's dev stack with pools shared-cpu (3 models), shared-gpu (1) and spare (none)."""
    for name in MODELS:
        write_yaml(spec_path(project, name, "1.0.0"), component_spec(name))
    write_yaml(spec_path(project, "ranker", "1.1.0"), component_spec("ranker", "1.1.0"))

    def add_pools(data: dict[str, Any]) -> None:
        data["config"]["modelops:pools"] = POOLS
        pins = data["config"]["modelops:models"]
        for name in EXAMPLE_POOL_MODELS:  # the repository's own pool, replaced by this test's
            pins.pop(name)
        pins.update({name: "1.0.0" for name in MODELS})

    edit_yaml(stack_path(project), add_pools)
    return project


def test_a_stack_with_two_pools_and_four_component_models_validates(pooled: Path) -> None:
    result = runner.invoke(app, ["validate", "--root", str(pooled)])
    assert result.exit_code == 0, result.output
    assert "spec file(s), 3 stack(s) valid" in result.output
    pins = read_yaml(stack_path(pooled))["config"]["modelops:models"]
    assert {name for name in MODELS if name in pins} == set(MODELS)


def line_of(path: Path, *needles: str) -> int:
    """1-based number of the line of `path` that holds the last needle, each needle searched for
    from the line of the one before."""
    lines = path.read_text().splitlines()
    number = 0
    for needle in needles:
        number = next((n for n in range(number, len(lines)) if needle in lines[n]), -1)
        assert number >= 0, f"{needles!r} are not in {path}"
    return number + 1


def edit_spec(name: str, change: Callable[[dict[str, Any]], None], version: str = "1.0.0") -> Callable[[Path], None]:
    return lambda root: edit_yaml(spec_path(root, name, version), change)


def edit_stack(change: Callable[[dict[str, Any]], None], stack: str = "dev") -> Callable[[Path], None]:
    return lambda root: edit_yaml(stack_path(root, stack), lambda data: change(data["config"]))


def component(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["serving"]["component"].update(fields)


def pool(name: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda config: config["modelops:pools"][name].update(fields)


def pin(model: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda config: config["modelops:models"].__setitem__(model, value)


def rename_pool(old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        edit_yaml(
            stack_path(root),
            lambda d: d["config"].__setitem__(
                "modelops:pools", {new if k == old else k: v for k, v in d["config"]["modelops:pools"].items()}
            ),
        )
        for name, (pool_name, _, _) in MODELS.items():
            if pool_name == old:
                edit_spec(name, component(pool=new))(root)

    return change  # fmt: skip


def each(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for one in changes:
            one(root)

    return change


def crowd_pool(count: int) -> Callable[[Path], None]:
    """`count` small framework models more on shared-cpu, each with its own artifact."""

    def change(root: Path) -> None:
        for index in range(count):
            name = f"extra-{index:02d}"
            spec = component_spec("tagger")
            spec["metadata"]["name"] = name
            spec["model"]["artifact"] = f"s3://acme-models/{name}/1.0.0/model.tar.gz"
            spec["serving"]["component"] = {"pool": "shared-cpu", "cpu": 0.25, "memory_mb": 128}
            write_yaml(spec_path(root, name, "1.0.0"), spec)
        edit_stack(lambda config: config["modelops:models"].update({f"extra-{i:02d}": "1.0.0" for i in range(count)}))(
            root
        )

    return change


def staging_pins_a_component(root: Path) -> None:
    edit_yaml(stack_path(root, "staging"), lambda d: d["config"]["modelops:models"].__setitem__("scorer", "1.0.0"))
    edit_spec("scorer", lambda d: d["model"].update(sha256="ab" * 32))(root)


@dataclass(frozen=True)
class Case:
    rule: str
    change: Callable[[Path], None]
    file: str  # relative to the project
    line_needles: tuple[str, ...]  # the finding's line: see line_of
    field: str
    message: str  # the finding's whole message


SPEC = "model_specs/{}/1.0.0.yaml"
DEV = "stacks/Pulumi.dev.yaml"
CASES = [
    Case(
        "component names a pool the stack lacks, with the pools it has and the closest",
        edit_spec("ranker", component(pool="shared-cpv")),
        SPEC.format("ranker"),
        ("pool: shared-cpv",),
        "serving.component.pool",
        "stack dev declares no pool 'shared-cpv' (its pools: shared-cpu, shared-gpu, spare); did you mean "
        "`shared-cpu`?",
    ),
    Case(
        "component pinned in a stack that declares no pools",
        staging_pins_a_component,
        SPEC.format("scorer"),
        ("pool: shared-cpu",),
        "serving.component.pool",
        "stack staging declares no pools: add modelops:pools.shared-cpu with instanceType, minInstances and "
        "maxInstances to stacks/Pulumi.staging.yaml",
    ),
    Case(
        "pool instance type botocore does not know (and no image finding of its models follows)",
        edit_stack(pool("shared-cpu", instanceType="ml.g5.2xlarg")),
        DEV,
        ("instanceType: ml.g5.2xlarg",),
        "modelops:pools.shared-cpu.instanceType",
        "ml.g5.2xlarg is not an instance type SageMaker endpoints take (botocore's ProductionVariantInstanceType); "
        "close: ml.g5.2xlarge, ml.g5.24xlarge, ml.g5.12xlarge, ml.g5.xlarge",
    ),
    Case(
        "pool instance type whose size modelops does not know",
        edit_stack(pool("shared-gpu", instanceType="ml.g7e.2xlarge")),
        DEV,
        ("instanceType: ml.g7e.2xlarge",),
        "modelops:pools.shared-gpu.instanceType",
        "modelops does not know the vCPUs, memory and accelerators of ml.g7e.2xlarge, so it cannot check that the "
        "components' reservations fit one instance (modelops/aws/instance_specs.py lists the sizes it knows); known "
        "close types: ml.g6e.2xlarge, ml.g6e.24xlarge, ml.g6e.12xlarge, ml.g6e.xlarge",
    ),
    Case(
        "minInstances above maxInstances",
        edit_stack(pool("spare", minInstances=3)),
        DEV,
        ("minInstances: 3",),
        "modelops:pools.spare.minInstances",
        "minInstances 3 exceeds maxInstances 2: SageMaker scales the pool's instances between the two "
        "(ManagedInstanceScaling MinInstanceCount, MaxInstanceCount)",
    ),
    Case(
        "a copy reserves more CPU cores than an instance has",
        edit_spec("ranker", component(cpu=12)),
        SPEC.format("ranker"),
        ("cpu: 12",),
        "serving.component.cpu",
        "a copy reserves 12 CPU cores, and one ml.c6i.2xlarge of pool shared-cpu (stack dev) has 8 vCPUs: reserve "
        "less, or give pool shared-cpu a larger instance type",
    ),
    Case(
        "a copy reserves more memory than an instance has",
        edit_spec("scorer", component(memory_mb=16385)),
        SPEC.format("scorer"),
        ("memory_mb: 16385",),
        "serving.component.memory_mb",
        "a copy reserves 16385 MiB of memory, and one ml.c6i.2xlarge of pool shared-cpu (stack dev) has 16384 MiB: "
        "reserve less, or give pool shared-cpu a larger instance type",
    ),
    Case(
        "a copy reserves accelerators on a pool without any",
        edit_spec("tagger", component(accelerators=1)),
        SPEC.format("tagger"),
        ("accelerators: 1",),
        "serving.component.accelerators",
        "a copy reserves 1 accelerator devices, and one ml.c6i.2xlarge of pool shared-cpu (stack dev) has none: pin "
        "the model to a pool of GPU or Inferentia instances, or set accelerators: 0",
    ),
    Case(
        "a copy reserves more accelerators than an instance has",
        edit_spec("summarizer", component(accelerators=2)),
        SPEC.format("summarizer"),
        ("accelerators: 2",),
        "serving.component.accelerators",
        "a copy reserves 2 accelerator devices, and one ml.g5.2xlarge of pool shared-gpu (stack dev) has 1 (NVIDIA "
        "A10G GPU): reserve less, or give pool shared-gpu a larger instance type",
    ),
    Case(
        "the members' first copies do not fit maxInstances instances",
        edit_stack(pool("shared-cpu", instanceType="ml.c6i.large", maxInstances=1)),
        DEV,
        ("shared-cpu:", "maxInstances: 1"),
        "modelops:pools.shared-cpu.maxInstances",
        "the 4 copies that ranker, tagger, scorer start with on pool shared-cpu reserve 3.5 CPU cores where 1 x "
        "ml.c6i.large have 2; 9216 MiB of memory where 1 x ml.c6i.large have 4096 (maxInstances): SageMaker could "
        "not place them all; raise maxInstances, use a larger instance type, or start with fewer copies",
    ),
    Case(
        "a component pinned with a challenger",
        edit_stack(pin("ranker", {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 10}})),
        DEV,
        ("ranker:", "challenger:", "version: 1.1.0"),
        "modelops:models.ranker.challenger.version",
        "the primary of ranker serves as an inference component on a pool (mode component), which takes no "
        "challenger: a pool's endpoint has one production variant with no model, a component is one model on it, and "
        "a challenger is a variant of an endpoint of the model's own; pin one version, or serve ranker with mode "
        "realtime in dev to compare versions",
    ),
    Case(
        "a component pinned as the challenger of a realtime primary",
        each(
            edit_spec("ranker", lambda d: d.__setitem__("serving", {"instance_type": "ml.m5.large"})),
            edit_stack(pin("ranker", {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 10}})),
        ),
        DEV,
        ("ranker:", "challenger:", "version: 1.1.0"),
        "modelops:models.ranker.challenger.version",
        "the challenger of ranker serves as an inference component on a pool (mode component), which takes no "
        "challenger: a pool's endpoint has one production variant with no model, a component is one model on it, and "
        "a challenger is a variant of an endpoint of the model's own; pin one version, or serve ranker with mode "
        "realtime in dev to compare versions",
    ),
    Case(
        "a component pinned with a shadow",
        edit_stack(pin("ranker", {"version": "1.0.0", "shadow": {"version": "1.1.0"}})),
        DEV,
        ("ranker:", "shadow:", "version: 1.1.0"),
        "modelops:models.ranker.shadow.version",
        "the primary of ranker serves as an inference component on a pool (mode component), which takes no shadow: a "
        "pool's endpoint has one production variant with no model, a component is one model on it, and a shadow is a "
        "variant of an endpoint of the model's own; pin one version, or serve ranker with mode realtime in dev to "
        "compare versions",
    ),
    Case(
        "models of one pool differ in network isolation",
        edit_spec("tagger", lambda d: d["model"].update(network_isolation=True)),
        DEV,
        ("tagger: 1.0.0",),
        "modelops:models.tagger",
        "tagger runs with model.network_isolation true, ranker without network isolation (internal data), both on "
        "pool shared-cpu: network isolation is set for a pool's endpoint as a whole (EnableNetworkIsolation of its "
        "endpoint configuration), so its models must agree; put them on separate pools",
    ),
    Case(
        "models of one pool differ in network isolation by their data",
        edit_spec("tagger", lambda d: d["metadata"].update(data_classification="confidential")),
        DEV,
        ("tagger: 1.0.0",),
        "modelops:models.tagger",
        "tagger runs with network isolation (confidential data), ranker without network isolation (internal data), "
        "both on pool shared-cpu: network isolation is set for a pool's endpoint as a whole (EnableNetworkIsolation "
        "of its endpoint configuration), so its models must agree; put them on separate pools",
    ),
    Case(
        "models of one pool differ in data capture",
        edit_spec("scorer", lambda d: d["serving"].update(data_capture={"enabled": True, "sampling_percent": 20})),
        DEV,
        ("scorer: 1.0.0",),
        "modelops:models.scorer",
        "scorer runs with data capture of 20%, ranker without data capture, both on pool shared-cpu: data capture is "
        "set for a pool's endpoint as a whole (DataCaptureConfig of its endpoint configuration), so its models must "
        "agree; put them on separate pools",
    ),
    Case(
        "a component sets a termination wait, which an inference component's rolling update lacks",
        edit_spec("ranker", lambda d: d["serving"].update(rollout={"strategy": "rolling", "termination_wait_s": 300})),
        SPEC.format("ranker"),
        ("termination_wait_s: 300",),
        "serving.rollout.termination_wait_s",
        "an inference component's rolling update takes a batch size, a wait and alarms only "
        "(InferenceComponentRollingUpdatePolicy): termination_wait_s would be ignored; remove it (or set it to null "
        "in an environments override that switches to component)",
    ),
    Case(
        "a pool named like a model",
        rename_pool("shared-gpu", "demand-forecaster"),
        DEV,
        ("modelops:pools:", "demand-forecaster:"),
        "modelops:pools.demand-forecaster",
        "pool 'demand-forecaster' is named like the model demand-forecaster (model_specs/demand-forecaster/): a "
        "pool's endpoint demand-forecaster-dev and execution role modelops-demand-forecaster-dev would be that "
        "model's own endpoint and role; name the pool after what it hosts (shared-cpu, gpu-small)",
    ),
    Case(
        "a pool whose execution role's policy IAM would refuse",
        crowd_pool(40),
        DEV,
        ("modelops:pools:", "shared-cpu:"),
        "modelops:pools.shared-cpu",
        "the execution role of pool shared-cpu (modelops-shared-cpu-dev-pool) would need an inline policy of 12,584 "
        "characters for its 43 models, and IAM allows a role 10,240 (white space not counted; PutRolePolicy fails "
        "with LimitExceeded): the policy names each model's log groups, artifact, image repository and rollback "
        "alarms, about 270 characters a model here, so 34 of these models fit in one pool; split the pool, with at "
        "most 34 models in each",
    ),
    Case(
        "a framework with no image for the pool's instance type",
        edit_spec("tagger", component(pool="shared-gpu")),
        SPEC.format("tagger"),
        ("pool: shared-gpu",),
        "serving.component.pool",
        "sklearn 1.2-1 images run on cpu instances; ml.g5.2xlarge is gpu (on pool shared-gpu's ml.g5.2xlarge in "
        "stack dev)",
    ),
    Case(
        "the members' first copies need more accelerators than maxInstances instances have",
        each(edit_spec("summarizer", component(copies=2)), edit_stack(pool("shared-gpu", maxInstances=1))),
        DEV,
        ("shared-gpu:", "maxInstances: 1"),
        "modelops:pools.shared-gpu.maxInstances",
        "the 2 copies that summarizer start with on pool shared-gpu reserve 2 accelerator devices where 1 x "
        "ml.g5.2xlarge have 1 (maxInstances): SageMaker could not place them all; raise maxInstances, use a larger "
        "instance type, or start with fewer copies",
    ),
    Case(
        "a reservation set in the environment's override is reported on the override",
        edit_spec("ranker", lambda d: d.__setitem__("environments", {"dev": {"serving": {"component": {"cpu": 12}}}})),
        SPEC.format("ranker"),
        ("environments:", "cpu: 12"),
        "serving.component.cpu",
        "a copy reserves 12 CPU cores, and one ml.c6i.2xlarge of pool shared-cpu (stack dev) has 8 vCPUs: reserve "
        "less, or give pool shared-cpu a larger instance type",
    ),
    Case(
        "a pool without an image for the framework, named in the environment's override, is reported there",
        edit_spec(
            "tagger",
            lambda d: d.__setitem__("environments", {"dev": {"serving": {"component": {"pool": "shared-gpu"}}}}),
        ),
        SPEC.format("tagger"),
        ("environments:", "pool: shared-gpu"),
        "serving.component.pool",
        "sklearn 1.2-1 images run on cpu instances; ml.g5.2xlarge is gpu (on pool shared-gpu's ml.g5.2xlarge in "
        "stack dev)",
    ),
    Case(
        "a component pinned as the shadow of a realtime primary and challenger",
        each(
            edit_spec("ranker", lambda d: d.__setitem__("serving", {"instance_type": "ml.m5.large"})),
            lambda root: write_yaml(
                spec_path(root, "ranker", "1.2.0"),
                {**component_spec("ranker", "1.2.0"), "serving": {"instance_type": "ml.m5.large"}},
            ),
            edit_stack(
                pin(
                    "ranker",
                    {
                        "version": "1.0.0",
                        "challenger": {"version": "1.2.0", "traffic_percent": 10},
                        "shadow": {"version": "1.1.0"},
                    },
                )
            ),
        ),
        DEV,
        ("ranker:", "shadow:", "version: 1.1.0"),
        "modelops:models.ranker.shadow.version",
        "the shadow of ranker serves as an inference component on a pool (mode component), which takes no shadow: a "
        "pool's endpoint has one production variant with no model, a component is one model on it, and a shadow is "
        "a variant of an endpoint of the model's own; pin one version, or serve ranker with mode realtime in dev to "
        "compare versions",
    ),
]


def find(found: list[Problem], case: Case) -> Problem:
    for problem in found:
        if problem.file == case.file and problem.field == case.field and problem.message == case.message:
            return problem
    listing = "\n".join(str(p) for p in found) or "(none)"
    raise AssertionError(
        f"{case.rule}: no problem in {case.file} on {case.field!r} saying {case.message!r}:\n{listing}"
    )


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_each_rule_names_file_line_and_field(pooled: Path, case: Case) -> None:
    case.change(pooled)
    found = problems(pooled)
    problem = find(found, case)
    assert problem.line == line_of(pooled / case.file, *case.line_needles), str(problem)
    assert problem.column >= 1
    assert found == [problem], "each case breaks its rule alone, and the pooled project has no other problem"


def test_the_override_of_a_pool_is_where_the_finding_points(pooled: Path) -> None:
    """A pool named in the dev override of a spec is reported on that override."""

    def override(data: dict[str, Any]) -> None:
        data["environments"] = {"dev": {"serving": {"component": {"pool": "shared-cpv"}}}}

    edit_yaml(spec_path(pooled, "scorer", "1.0.0"), override)
    found = problems(pooled)
    message = (
        "stack dev declares no pool 'shared-cpv' (its pools: shared-cpu, shared-gpu, spare); did you mean `shared-cpu`?"
    )
    case = Case("", lambda root: None, SPEC.format("scorer"), ("pool: shared-cpv",), "serving.component.pool", message)
    problem = find(found, case)
    assert problem.line == line_of(pooled / case.file, "pool: shared-cpv")


def test_an_unused_pool_is_not_created_and_not_an_error(pooled: Path) -> None:
    edit_yaml(stack_path(pooled), lambda d: d["config"]["modelops:models"].pop("summarizer"))
    assert runner.invoke(app, ["validate", "--root", str(pooled)]).exit_code == 0


def classify(root: Path, name: str, classification: str, **model: Any) -> None:
    def change(data: dict[str, Any]) -> None:
        data["metadata"]["data_classification"] = classification
        data["model"].update(model)

    edit_yaml(spec_path(root, name, "1.0.0"), change)


def test_models_of_one_pool_agree_on_isolation_whatever_makes_them_isolated(pooled: Path) -> None:
    """The pool's endpoint takes isolation on or off, not the reason: public and internal data
    both run without it; confidential data, restricted data and network_isolation: true with it."""
    classify(pooled, "tagger", "public")  # ranker and scorer hold internal data
    assert problems(pooled) == []
    classify(pooled, "ranker", "confidential")
    classify(pooled, "tagger", "restricted")
    classify(pooled, "scorer", "internal", network_isolation=True)
    assert problems(pooled) == []


def realtime_to_component_in_dev(root: Path, nulls: dict[str, None]) -> None:
    """ranker 1.1.0 serves realtime with two instances; its dev override puts it on a pool."""

    def change(data: dict[str, Any]) -> None:
        data["serving"] = {"mode": "realtime", "instance_type": "ml.m5.large", "instance_count": 2}
        pool_name, _, fields = MODELS["ranker"]
        data["environments"] = {
            "dev": {"serving": {"mode": "component", **nulls, "component": {"pool": pool_name, **fields}}}
        }

    edit_yaml(spec_path(root, "ranker", "1.1.0"), change)
    edit_yaml(stack_path(root), lambda d: d["config"]["modelops:models"].__setitem__("ranker", "1.1.0"))


def test_an_override_that_moves_a_model_to_a_pool_drops_its_instances_with_null(pooled: Path) -> None:
    """`null` removes a key in an override (docs/spec-language.md, 'Environments'): the base
    spec's instance_type and instance_count do not reach the component in dev."""
    realtime_to_component_in_dev(pooled, {"instance_type": None, "instance_count": None})
    result = runner.invoke(app, ["validate", "--root", str(pooled)])
    assert result.exit_code == 0, result.output
    spec = load_repository(pooled).specs["ranker"]["1.1.0"]
    assert spec.for_environment("dev").serving.mode == "component"
    assert spec.for_environment("prod").serving.instance_count == 2


def test_an_override_that_keeps_the_base_instance_count_is_told_to_drop_it(pooled: Path) -> None:
    realtime_to_component_in_dev(pooled, {"instance_type": None})
    found = problems(pooled)
    file = "model_specs/ranker/1.1.0.yaml"
    problem = next(p for p in found if p.file == file and p.field == "serving.instance_count")
    assert "instance_count is the pool's (stack modelops:pools)" in problem.message
    assert "set it to null in an environments override that switches to component" in problem.message
    assert "(after the dev override)" in problem.message
    assert problem.line == line_of(pooled / file, "mode: component") - 1  # environments.dev.serving


def test_names_longer_than_aws_takes_are_refused(pooled: Path) -> None:
    """The spec language's names always fit (a pool or model name is at most 32 characters, an
    environment 7); a stack built around the patterns shows the rule still holds the limit."""
    stack, _ = load_stack_file(pooled, "dev")
    long_name = "p" * 55
    stack = stack.model_copy(
        update={"pools": {long_name: Pool(instanceType="ml.m5.large", minInstances=1, maxInstances=1)}}
    )
    found = pool_problems(load_repository(pooled), [], stack, None)
    assert sorted(p.message.split(", and AWS")[0] for p in found) == [
        f"the endpoint configuration would be named {long_name}-dev-<digest> (68 characters)",
        f"the execution role would be named modelops-{long_name}-dev (68 characters)",
    ]  # the endpoint, {long_name}-dev, has 59
    assert {p.field for p in found} == {f"modelops:pools.{long_name}"}


def test_a_framework_image_is_looked_up_in_the_region_for_the_pools_instance_type(pooled: Path) -> None:
    """The Neuron image of huggingface is in fewer regions than its CPU image: a component on
    an Inferentia pool needs the Neuron one in the stack's region."""

    def neuron(data: dict[str, Any]) -> None:
        data["model"].update(framework="huggingface", framework_version="4.51.3")
        data["serving"]["component"].update(pool="neuron", cpu=2, memory_mb=8192, accelerators=1)

    edit_yaml(spec_path(pooled, "summarizer", "1.0.0"), neuron)

    def region(data: dict[str, Any]) -> None:
        data["config"]["aws:region"] = "ca-central-1"
        data["config"]["modelops:pools"]["neuron"] = {
            "instanceType": "ml.inf2.xlarge",
            "minInstances": 0,
            "maxInstances": 1,
        }

    edit_yaml(stack_path(pooled), region)
    found = [p for p in problems(pooled) if p.file == SPEC.format("summarizer")]
    assert [(p.field, p.message.split(",")[0]) for p in found] == [
        ("model.framework_version", "huggingface 4.51.3 (pytorch2.7.1")
    ]
    assert "neuronx) has no image in ca-central-1, the region of stack dev" in found[0].message


def test_the_example_of_docs_pools_validates_with_its_stack(project: Path) -> None:
    """docs/pools.md's stack and spec together pass every pool rule (tests/test_docs.py checks
    each on its own)."""
    page = (project / "docs" / "pools.md").read_text()
    blocks = re.findall(r"^```yaml\n(# (stacks/Pulumi\.dev\.yaml|model_specs/\S+)\n.*?)^```$", page, re.M | re.S)
    assert [path for _, path in blocks] == ["stacks/Pulumi.dev.yaml", "model_specs/ticket-ranker/1.0.0.yaml"]
    for text, path in blocks:
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text)
    result = runner.invoke(app, ["validate", "--root", str(project), "--stack", "dev"])
    assert result.exit_code == 0, result.output


def test_an_override_that_moves_a_model_off_its_pool_drops_the_component_with_null(pooled: Path) -> None:
    def off_the_pool(component: dict[str, None]) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            override = {"mode": "realtime", "instance_type": "ml.m5.large", **component}
            data["environments"] = {"dev": {"serving": override}}

        return change

    edit_yaml(spec_path(pooled, "ranker", "1.0.0"), off_the_pool({"component": None}))
    result = runner.invoke(app, ["validate", "--root", str(pooled)])
    assert result.exit_code == 0, result.output
    edit_yaml(spec_path(pooled, "ranker", "1.0.0"), off_the_pool({}))
    problem = next(p for p in problems(pooled) if p.field == "serving.component")
    assert problem.message == (
        "only used with mode: component (an environments override that moves the model off its pool sets it to "
        "null) (after the dev override)"
    )


def test_prod_asks_a_risky_component_for_an_endpoint_of_its_own_not_for_a_monitor(pooled: Path) -> None:
    """Prod requires the model_quality monitor of a risk medium model, which a component cannot
    have: the one finding says how both rules are met."""

    def prod_ready(data: dict[str, Any]) -> None:
        data["metadata"]["risk"] = "medium"
        data["model"]["sha256"] = "ab" * 32
        data["serving"].update(data_capture={"enabled": True}, rollout={"strategy": "rolling"})

    edit_yaml(spec_path(pooled, "scorer", "1.0.0"), prod_ready)

    def pin_in_prod(data: dict[str, Any]) -> None:
        data["config"]["modelops:pools"] = {"shared-cpu": POOLS["shared-cpu"]}
        data["config"]["modelops:models"]["scorer"] = "1.0.0"

    edit_yaml(stack_path(pooled, "prod"), pin_in_prod)
    found = [p for p in problems(pooled) if p.file == SPEC.format("scorer")]
    assert [(p.field, p.message) for p in found] == [
        (
            "monitoring.model_quality.enabled",
            "[prod-risk-monitors] risk medium requires the model_quality monitor in prod, which a model on a pool "
            "cannot have (Model Monitor watches an endpoint hosting one model): serve it on an endpoint of its own "
            "in prod (mode realtime in the prod override) (stack prod pins this version as primary)",
        )
    ]


def test_a_component_name_is_measured_with_its_digest(pooled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An inference component is `<model>-<environment>-<digest>` (naming.inference_component_name),
    and the digest counts toward the 63 characters: with a limit of 15, `ranker-dev` (10) fits
    and `ranker-dev-<digest>` (19) does not."""
    import modelops.spec.pools as pools

    monkeypatch.setattr(pools, "SAGEMAKER_NAME_LIMIT", 15)
    found = [p for p in problems(pooled) if p.field == "modelops:models.ranker"]
    assert [(p.file, p.line, p.message) for p in found] == [
        (
            DEV,
            line_of(pooled / DEV, "modelops:models:", "ranker: 1.0.0"),
            "the inference component would be named ranker-dev-<digest> (19 characters), and AWS takes at most 15: "
            "use a shorter name",
        )
    ]
    monkeypatch.setattr(pools, "SAGEMAKER_NAME_LIMIT", 19)  # exactly the length of ranker-dev-<digest>
    assert [p for p in problems(pooled) if p.field == "modelops:models.ranker"] == []


def test_validate_measures_a_pools_role_policy_without_pulumi_or_the_sagemaker_sdk(pooled: Path) -> None:
    """The policy is built by modelops.aws.pool_role, the program's own builder, which imports
    neither pulumi nor pulumi_aws; the framework images' repositories come from the SDK's JSON
    without the SDK (`modelops validate` stays fast)."""
    import json
    import subprocess
    import sys

    crowd_pool(40)(pooled)
    script = f"""
import json, sys
from typer.testing import CliRunner
from modelops.cli import app
result = CliRunner().invoke(app, ["validate", "--root", {str(pooled)!r}])
loaded = {{m.split(".")[0] for m in sys.modules}}
heavy = sorted(loaded & {{"pulumi", "pulumi_aws", "sagemaker", "boto3", "components"}})
print(json.dumps([result.exit_code, "would need an inline policy" in result.output, heavy]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [1, True, []]


def test_reservations_and_instance_counts_exactly_at_their_bounds_pass(pooled: Path) -> None:
    """A copy may reserve all of an instance (8 CPU cores, 16384 MiB of ml.c6i.2xlarge), and a
    pool may scale between equal minInstances and maxInstances."""
    edit_spec("ranker", component(cpu=8, memory_mb=16384))(pooled)
    edit_stack(pool("spare", minInstances=2))(pooled)
    assert problems(pooled) == []


def test_a_disabled_capture_is_no_capture_whatever_its_sampling(pooled: Path) -> None:
    """scorer turns capture off with a sampling percentage of its own: it agrees with ranker and
    tagger, which do not capture."""
    edit_spec("scorer", lambda d: d["serving"].update(data_capture={"enabled": False, "sampling_percent": 20}))(pooled)
    assert problems(pooled) == []


def test_a_pool_is_named_like_a_model_whose_spec_does_not_load(pooled: Path) -> None:
    """A model whose spec fails to load still owns its names; other pools are not named like it."""
    for path in spec_path(pooled, "demand-forecaster", "1.0.0").parent.glob("*.yaml"):
        path.write_text("apiVersion: modelops/v1\nkind: ModelSpec\nmetadata: [not, a, mapping]\n")
    rename_pool("shared-gpu", "demand-forecaster")(pooled)
    found = [p for p in problems(pooled) if p.file == DEV]
    assert [(p.field, p.message.split(":")[0]) for p in found] == [
        (
            "modelops:pools.demand-forecaster",
            "pool 'demand-forecaster' is named like the model demand-forecaster (model_specs/demand-forecaster/)",
        )
    ]


@pytest.mark.parametrize(
    ("sagemaker_limit", "iam_limit", "expected"),
    [
        (23, 23, []),  # shared-cpu-dev-<digest> and modelops-shared-cpu-dev have 23 characters: at the limits
        (
            13,
            22,
            [
                "the endpoint would be named shared-cpu-dev (14 characters), and AWS takes at most 13: use a "
                "shorter name",
                "the endpoint configuration would be named shared-cpu-dev-<digest> (23 characters), and AWS takes at "
                "most 13: use a shorter name",
                "the execution role would be named modelops-shared-cpu-dev (23 characters), and AWS takes at most 22: "
                "use a shorter name",
            ],
        ),
    ],
)
def test_a_pools_names_longer_than_aws_takes_are_reported_on_the_pool(
    pooled: Path, monkeypatch: pytest.MonkeyPatch, sagemaker_limit: int, iam_limit: int, expected: list[str]
) -> None:
    """With the limits lowered to the names of pool shared-cpu in dev, each of its names is
    reported on the pool's line of the stack file once it is one character too long."""
    import modelops.spec.pools as pools

    monkeypatch.setattr(pools, "SAGEMAKER_NAME_LIMIT", sagemaker_limit)
    monkeypatch.setattr(pools, "IAM_ROLE_NAME_LIMIT", iam_limit)
    found = [p for p in problems(pooled) if p.file == DEV and p.field == "modelops:pools.shared-cpu"]
    assert sorted(p.message for p in found) == sorted(expected)
    line = line_of(pooled / DEV, "modelops:pools:", "shared-cpu:")
    assert [(p.file, p.line) for p in found] == [(DEV, line)] * len(expected)


def test_the_role_policy_finding_says_what_one_model_adds(pooled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With IAM's limit lowered to 1,260 characters, both pools' policies are too long: a pool of
    one model (shared-gpu) adds all of its policy per model, a pool of two (shared-cpu) what the
    second adds to the first's."""
    import modelops.aws.iam as iam
    import modelops.aws.pool_role as pool_role

    monkeypatch.setattr(iam, "ROLE_POLICY_SIZE_LIMIT", 1260)
    monkeypatch.setattr(pool_role, "ROLE_POLICY_SIZE_LIMIT", 1260)
    edit_stack(lambda config: config["modelops:models"].pop("scorer"))(pooled)  # ranker and tagger stay
    # summarizer captures (its role writes to the stack's capture bucket) and reads the Neuron image of
    # huggingface, whose repository is not its CPU image's
    edit_stack(pool("shared-gpu", instanceType="ml.inf2.xlarge"))(pooled)

    def neuron(data: dict[str, Any]) -> None:
        data["serving"].update(data_capture={"enabled": True})
        data["model"].update(framework="huggingface", framework_version="4.51.3")

    edit_spec("summarizer", neuron)(pooled)
    found = [p for p in problems(pooled) if p.file == DEV and p.field.startswith("modelops:pools.")]

    def message(pool: str, size: str, count: int, per_model: int, fitting: int) -> str:
        return (
            f"the execution role of pool {pool} (modelops-{pool}-dev-pool) would need an inline policy of {size} "
            f"characters for its {count} models, and IAM allows a role 1,260 (white space not counted; PutRolePolicy "
            "fails with LimitExceeded): the policy names each model's log groups, artifact, image repository and "
            f"rollback alarms, about {per_model} characters a model here, so {fitting} of these models fit in one "
            f"pool; split the pool, with at most {fitting} models in each"
        )

    assert [(p.field, p.line, p.message) for p in found] == [
        ("modelops:pools.shared-cpu", line_of(pooled / DEV, "shared-cpu:"), message("shared-cpu", "1,588", 2, 332, 1)),
        ("modelops:pools.shared-gpu", line_of(pooled / DEV, "shared-gpu:"), message("shared-gpu", "1,469", 1, 891, 0)),
    ]


@pytest.mark.parametrize(
    ("model", "field", "refusal"),
    [
        (
            {"framework_version": "4.49.0"},
            "framework_version",
            "huggingface '4.49.0' has no serving image for ml.inf2.xlarge (Neuron); the sagemaker SDK knows: 4.28.1, "
            "4.34.1, 4.36.2, 4.43.2, 4.51.3, 4.55.4, 4.28, 4.34, 4.36, 4.43, 4.51, 4.55",
        ),
        (
            {"framework_version": "4.51.3", "base_framework_version": "pytorch2.6.0"},
            "base_framework_version",
            "huggingface 4.51.3 for ml.inf2.xlarge (Neuron) has no image on base framework 'pytorch2.6.0'; the "
            "sagemaker SDK knows: pytorch2.7.1, pytorch2.7",
        ),
        (
            {"framework_version": "4.51.3", "py_version": "py312"},
            "py_version",
            "huggingface 4.51.3 for ml.inf2.xlarge (Neuron) has no image for Python 'py312'; the sagemaker SDK "
            "knows: py310",
        ),
    ],
)
def test_a_framework_field_the_pools_neuron_image_lacks_is_reported_on_that_field(
    pooled: Path, model: dict[str, str], field: str, refusal: str
) -> None:
    """huggingface 4.49.0, base pytorch2.6.0 and py312 have CPU images and no Neuron one: on an
    Inferentia pool the refusal is the pool's instance type's, placed on the spec field at fault."""

    def neuron(data: dict[str, Any]) -> None:
        data["model"].update(framework="huggingface", **model)
        data["serving"]["component"].update(pool="neuron", cpu=2, memory_mb=8192, accelerators=1)

    edit_yaml(spec_path(pooled, "summarizer", "1.0.0"), neuron)
    neuron_pool = {"instanceType": "ml.inf2.xlarge", "minInstances": 0, "maxInstances": 1}
    edit_stack(lambda config: config["modelops:pools"].__setitem__("neuron", neuron_pool))(pooled)
    found = problems(pooled)
    file = SPEC.format("summarizer")
    assert [(p.file, p.line, p.field, p.message) for p in found] == [
        (
            file,
            line_of(pooled / file, f"{field}: {model[field]}"),
            f"model.{field}",
            f"{refusal} (on pool neuron's ml.inf2.xlarge in stack dev)",
        )
    ]


def test_a_model_on_an_unknown_pool_does_not_hide_the_findings_of_the_models_after_it(pooled: Path) -> None:
    """ranker, pinned first, names no declared pool; summarizer, pinned after it, still has its
    reservation checked."""
    edit_spec("ranker", component(pool="shared-cpv"))(pooled)
    edit_spec("summarizer", component(accelerators=2))(pooled)
    assert sorted((p.file, p.field) for p in problems(pooled)) == [
        (SPEC.format("ranker"), "serving.component.pool"),
        (SPEC.format("summarizer"), "serving.component.accelerators"),
    ]
