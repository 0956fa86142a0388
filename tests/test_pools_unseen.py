"""Specs and stacks with pools written from issue 12, docs/pools.md, docs/spec-reference.md and
docs/stacks.md alone, by a reviewer who had not read the project's example specs or its pool
tests (issue 12's acceptance: "Specs and stacks you have not seen ... validate, plan and
rehearse").

- `tests/unseen_pools/`: ten specs and three stacks. A dev stack, a staging stack and a prod
  stack (KMS key, VPC, permissions boundary, alarm topic); a CPU pool shared by sklearn and
  xgboost framework models and own-image models, a GPU pool with accelerators, a pool with
  `minInstances: 0` and models scaling to zero copies, an isolated pool for a confidential
  model; rolling and all_at_once rollouts; a model that is realtime in prod and a component in
  dev, and one the other way round; realtime and serverless models in the same stacks as the
  pools. `validate`, `plan` and `rehearse` take each stack, and each component model has its
  inference component in the plan.
- `INVALID`: a small valid component spec and stack, each case breaking one rule of the docs
  (or one a user would expect); `validate` exits 1 naming `file:line:col: field`.
- `HOSTILE`: huge numbers, odd types, NaN, markup and paths in names, a thousand pools, a pool
  of 200 models, YAML anchors: never a traceback, and what `validate` accepts plans and
  rehearses.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.request_validation import request_problem
from tests.conftest import copy_specs_and_stacks

UNSEEN = Path(__file__).resolve().parent / "unseen_pools"
SHA = "a" * 64

# The component models of each stack, as its environment's override leaves them:
# model -> (pool, cpu, memory_mb, accelerators, copies).
COMPONENTS: dict[str, dict[str, tuple[str, float, int, int, int]]] = {
    "dev": {
        "ticket-router": ("cpu-shared", 1, 2048, 0, 2),
        "lead-scorer": ("cpu-shared", 0.5, 1024, 0, 1),
        "text-embedder": ("gpu-shared", 2, 8192, 1, 1),
        "price-estimator": ("cpu-shared", 1, 2048, 0, 1),  # realtime elsewhere: component in dev
        "intent-tagger": ("cpu-shared", 0.5, 1536, 0, 1),
        "spam-filter": ("cpu-shared", 0.25, 128, 0, 1),
        "image-tagger": ("gpu-shared", 2, 12288, 1, 1),
    },
    "prod": {
        "ticket-router": ("cpu-shared", 1, 2048, 0, 2),
        "lead-scorer": ("cpu-shared", 0.5, 1024, 0, 2),
        "text-embedder": ("gpu-shared", 2, 8192, 1, 1),
        "spam-filter": ("cpu-shared", 0.25, 128, 0, 1),
        "image-tagger": ("gpu-shared", 2, 12288, 1, 1),
        "claims-reader": ("isolated-cpu", 2, 4096, 0, 2),
    },
    "staging-eu": {
        "ticket-router": ("cpu-shared", 1, 2048, 0, 2),
        "spam-filter": ("cpu-shared", 0.25, 128, 0, 1),
        "text-embedder": ("gpu-shared", 2, 8192, 1, 1),
        "claims-reader": ("isolated-cpu", 2, 4096, 0, 2),
    },
}
# The models of each stack on endpoints of their own, next to the pools.
OWN_ENDPOINTS = {
    "dev": {"fraud-scorer", "faq-answerer"},
    "prod": {"fraud-scorer", "price-estimator", "intent-tagger"},
    "staging-eu": {"fraud-scorer"},
}
ENVIRONMENT = {"dev": "dev", "prod": "prod", "staging-eu": "staging"}


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def assert_no_traceback(result: Any) -> None:
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output


@pytest.fixture(scope="module")
def unseen_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_specs_and_stacks(tmp_path_factory.mktemp("unseen-pools"), UNSEEN)


@pytest.fixture(scope="module")
def plans(unseen_root: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for stack in COMPONENTS:
        result = cli("plan", "--stack", stack, "--format", "json", "--root", str(unseen_root))
        assert result.exit_code == 0, result.output
        found[stack] = json.loads(result.output)
    return found


def resource(plan: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in plan["resources"] if r["name"] == name)


def test_the_unseen_specs_and_stacks_validate(unseen_root: Path) -> None:
    result = cli("validate", "--root", str(unseen_root))
    assert result.exit_code == 0, result.output
    assert "10 spec file(s), 3 stack(s) valid" in result.output


@pytest.mark.parametrize("stack", list(COMPONENTS))
def test_each_component_model_has_its_inference_component_in_the_plan(
    plans: dict[str, dict[str, Any]], stack: str
) -> None:
    plan = plans[stack]
    env = ENVIRONMENT[stack]
    components = [r for r in plan["resources"] if r["type"].endswith("sagemaker:InferenceComponent")]
    assert sorted(r["name"] for r in components) == sorted(f"{m}-serving-component" for m in COMPONENTS[stack])
    for model, (pool, cpu, memory, accelerators, copies) in COMPONENTS[stack].items():
        inputs = resource(plan, f"{model}-serving-component")["inputs"]
        assert inputs["endpointName"] == f"{pool}-{env}"
        assert inputs["variantName"] == "AllTraffic"
        needs = inputs["specification"]["ComputeResourceRequirements"]
        assert needs["NumberOfCpuCoresRequired"] == cpu
        assert needs["MinMemoryRequiredInMb"] == memory
        assert needs.get("NumberOfAcceleratorDevicesRequired", 0) == accelerators
        assert inputs["runtimeConfig"] == {"CopyCount": copies}
        # What a caller reads to invoke it (docs/pools.md): the stack's `components` output.
        assert plan["outputs"]["components"][model] == {
            "pool": pool,
            "endpoint": f"{pool}-{env}",
            "name": inputs["name"],
        }
        assert re.fullmatch(rf"{model}-{env}-[0-9a-f]{{8}}", inputs["name"])
    assert set(plan["outputs"]["endpoints"]) == OWN_ENDPOINTS[stack]
    used = {pool for pool, *_ in COMPONENTS[stack].values()}
    assert plan["outputs"]["pools"] == {pool: f"{pool}-{env}" for pool in used}  # the unused pool is not created


@pytest.mark.parametrize("stack", list(COMPONENTS))
def test_the_unseen_stacks_rehearse(unseen_root: Path, stack: str) -> None:
    result = cli("rehearse", "--stack", stack, "--format", "json", "--root", str(unseen_root))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True, report["findings"]
    assert all(call["ok"] for call in report["calls"])
    created = [c["resource"] for c in report["calls"] if c["call"] == "InferenceComponent.create"]
    assert sorted(created) == sorted(f"{m}-serving-component" for m in COMPONENTS[stack])


def test_the_prod_pools_take_the_stacks_key_boundary_and_topic(plans: dict[str, dict[str, Any]]) -> None:
    plan = plans["prod"]
    key = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
    for pool in ("cpu-shared", "gpu-shared", "isolated-cpu"):
        # The CreateEndpointConfig request (components/providers/pool_endpoint_configuration.py).
        config = resource(plan, f"pool-{pool}-config")["inputs"]["configuration"]
        assert config["DataCaptureConfig"]["KmsKeyId"] == key
        # ml.g5 has local NVMe storage, for which AWS refuses a volume key.
        assert config.get("KmsKeyId") == (None if pool == "gpu-shared" else key)
        assert config["VpcConfig"] == {
            "SecurityGroupIds": ["sg-1c2d3e4f"],
            "Subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"],
        }
        # Only the pool of the confidential model runs isolated.
        assert config.get("EnableNetworkIsolation") is (True if pool == "isolated-cpu" else None)
        role = resource(plan, f"pool-{pool}-execution-role")["inputs"]
        assert role["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/ml-boundary"
    alarm = resource(plan, "ticket-router-serving-rollback-p99")["inputs"]
    assert alarm["alarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:ml-alarms"]
    gpu = resource(plan, "pool-gpu-shared-config")["inputs"]["configuration"]["ProductionVariants"][0]
    assert gpu["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 4}


def test_scale_to_zero_and_rollouts(plans: dict[str, dict[str, Any]]) -> None:
    prod, dev = plans["prod"], plans["dev"]
    for model in ("text-embedder", "spam-filter"):  # min_copies 0
        assert resource(prod, f"{model}-serving-scaling-target")["inputs"]["minCapacity"] == 0
        resource(prod, f"{model}-serving-scale-from-zero-alarm")
    names = {r["name"] for r in prod["resources"]}
    assert "ticket-router-serving-scale-from-zero-alarm" not in names
    rolling = resource(prod, "lead-scorer-serving-component")["inputs"]["deploymentConfig"]["RollingUpdatePolicy"]
    assert rolling["MaximumBatchSize"] == {"Type": "CAPACITY_PERCENT", "Value": 25}
    assert "deploymentConfig" not in resource(dev, "lead-scorer-serving-component")["inputs"]  # all_at_once


# --- invalid: one broken rule each ------------------------------------------------------------

DROP = object()
SPEC_FILE = "model_specs/ranker/1.0.0.yaml"
SECOND_FILE = "model_specs/ranker/1.1.0.yaml"
OTHER_FILE = "model_specs/scorer/1.0.0.yaml"
STACK_FILE = "stacks/Pulumi.dev.yaml"
BASE_SPEC: dict[str, Any] = {
    "apiVersion": "modelops/v1",
    "kind": "ModelSpec",
    "metadata": {
        "name": "ranker",
        "version": "1.0.0",
        "owner": "search@example.com",
        "description": "Ranks search results.",
        "risk": "low",
    },
    "model": {
        "artifact": "s3://acme-models/ranker/1.0.0/model.tar.gz",
        "sha256": SHA,
        "framework": "sklearn",
        "framework_version": "1.2-1",
    },
    "serving": {
        "mode": "component",
        "component": {
            "pool": "cpu-pool",
            "copies": 2,
            "cpu": 1,
            "memory_mb": 2048,
            "autoscaling": {"min_copies": 1, "max_copies": 4, "target_invocations_per_copy": 50},
        },
        "rollout": {"strategy": "all_at_once"},
    },
}
BASE_STACK: dict[str, Any] = {
    "config": {
        "aws:region": "eu-west-1",
        "modelops:environment": "dev",
        "modelops:models": {"ranker": "1.0.0"},
        "modelops:pools": {
            "cpu-pool": {"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 4},
            "gpu-pool": {"instanceType": "ml.g5.2xlarge", "minInstances": 0, "maxInstances": 2},
        },
    }
}
PROD_STACK = {
    "modelops:environment": "prod",
    "modelops:kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
    "modelops:vpc": {"subnetIds": ["subnet-1a2b3c4d"], "securityGroupIds": ["sg-1c2d3e4f"]},
}
PROD_READY = {"serving.data_capture": {"enabled": True}, "serving.rollout": {"strategy": "rolling"}}
CHALLENGER = {"ranker": {"version": "1.0.0", "challenger": {"version": "1.1.0", "traffic_percent": 10}}}
SHADOW = {"ranker": {"version": "1.0.0", "shadow": {"version": "1.1.0"}}}
BOTH = {"ranker": "1.0.0", "scorer": "1.0.0"}
AS_REALTIME = {"serving.mode": "realtime", "serving.component": DROP, "serving.instance_type": "ml.m5.large"}


def edited(data: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for dotted, value in edits.items():
        *parents, key = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is DROP:
            node.pop(key, None)
        else:
            node[key] = value
    return data


def pool(edits: dict[str, Any], name: str = "cpu-pool") -> dict[str, Any]:
    """The stack's pools, with `edits` to pool `name`."""
    pools = copy.deepcopy(BASE_STACK["config"]["modelops:pools"])
    pools[name] = edited(pools.get(name, {}), edits)
    return {"modelops:pools": pools}


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def case_files(
    spec_edits: dict[str, Any],
    stack_edits: dict[str, Any],
    second: dict[str, Any] | None = None,
    other: dict[str, Any] | None = None,
) -> dict[str, str]:
    spec = edited(BASE_SPEC, spec_edits)
    stack = copy.deepcopy(BASE_STACK)
    stack["config"].update(stack_edits)
    files = {SPEC_FILE: yaml.safe_dump(spec, sort_keys=False), STACK_FILE: yaml.safe_dump(stack, sort_keys=False)}
    if second is not None:
        version = edited(spec, {"metadata.version": "1.1.0", **second})
        files[SECOND_FILE] = yaml.safe_dump(version, sort_keys=False)
    if other is not None:
        scorer = edited(
            BASE_SPEC,
            {"metadata.name": "scorer", "model.artifact": "s3://acme-models/scorer/1.0.0/model.tar.gz", **other},
        )
        files[OTHER_FILE] = yaml.safe_dump(scorer, sort_keys=False)
    return files


# (id, spec edits, stack config edits, a 1.1.0 with these edits or None, a second model "scorer"
#  with these edits or None, file, field, message fragment)
INVALID: list[tuple[str, dict[str, Any], dict[str, Any], Any, Any, str, str, str]] = [
    (
        "pool-name-upper",
        {"serving.component.pool": "CPU_Pool"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.pool",
        "CPU_Pool",
    ),
    (
        "stack-pool-name-bad",
        {},
        pool({"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 2}, "Bad_Pool"),
        None,
        None,
        STACK_FILE,
        "modelops:pools.Bad_Pool",
        "Bad_Pool",
    ),
    (
        "pool-not-declared",
        {"serving.component.pool": "cpu-poll"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.pool",
        "did you mean `cpu-pool`",
    ),
    (
        "copies-above-max",
        {"serving.component.copies": 5},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.copies",
        "outside the autoscaling bounds",
    ),
    (
        "copies-below-min",
        {"serving.component.copies": 1, "serving.component.autoscaling.min_copies": 2},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.copies",
        "outside the autoscaling bounds",
    ),
    (
        "min-copies-above-max",
        {"serving.component.autoscaling.min_copies": 5, "serving.component.copies": 5},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.autoscaling.min_copies",
        "exceeds max_copies",
    ),
    (
        "copies-zero",
        {"serving.component.copies": 0},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.copies",
        "at least 1",
    ),
    (
        "memory-above-instance",
        {"serving.component.memory_mb": 16385},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.memory_mb",
        "has 16384 MiB",
    ),
    (
        "memory-below-minimum",
        {"serving.component.memory_mb": 127},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.memory_mb",
        "at least 128",
    ),
    (
        "memory-missing",
        {"serving.component.memory_mb": DROP},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.memory_mb",
        "required",
    ),
    (
        "cpu-above-instance",
        {"serving.component.cpu": 8.5},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.cpu",
        "has 8 vCPUs",
    ),
    (
        "cpu-below-quarter",
        {"serving.component.cpu": 0.2},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.cpu",
        "at least 0.25",
    ),
    (
        "accelerators-on-cpu-pool",
        {"serving.component.accelerators": 1},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.accelerators",
        "has none",
    ),
    (
        "accelerators-above-gpus",
        {
            "serving.component.accelerators": 2,
            "serving.component.pool": "gpu-pool",
            "model.framework": DROP,
            "model.framework_version": DROP,
            "model.image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:1",
        },
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.accelerators",
        "has 1",
    ),
    (
        "cpu-image-on-gpu-pool",
        {"serving.component.pool": "gpu-pool"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.pool",
        "run on cpu instances",
    ),
    (
        "challenger-pin",
        {},
        {"modelops:models": CHALLENGER},
        {},
        None,
        STACK_FILE,
        "modelops:models.ranker.challenger.version",
        "takes no challenger",
    ),
    (
        "shadow-pin",
        {},
        {"modelops:models": SHADOW},
        {},
        None,
        STACK_FILE,
        "modelops:models.ranker.shadow.version",
        "takes no shadow",
    ),
    (
        "challenger-is-a-component",
        AS_REALTIME,
        {"modelops:models": CHALLENGER},
        {
            "serving.mode": "component",
            "serving.instance_type": DROP,
            "serving.component": BASE_SPEC["serving"]["component"],
        },
        None,
        STACK_FILE,
        "modelops:models.ranker.challenger.version",
        "takes no challenger",
    ),
    (
        "model-monitor",
        {"serving.data_capture": {"enabled": True}, "monitoring": {"data_quality": {"enabled": True}}},
        {},
        None,
        None,
        SPEC_FILE,
        "monitoring.data_quality.enabled",
        "cannot tell a pool's components apart",
    ),
    ("target-kubernetes", {"serving.target": "kubernetes"}, {}, None, None, SPEC_FILE, "serving.mode", "realtime only"),
    (
        "min-instances-above-max",
        {},
        pool({"minInstances": 5}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.minInstances",
        "exceeds maxInstances",
    ),
    (
        "max-instances-zero",
        {},
        pool({"maxInstances": 0}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.maxInstances",
        "at least 1",
    ),
    (
        "pool-unknown-key",
        {},
        pool({"instanceCount": 2}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.instanceCount",
        "unknown field",
    ),
    (
        "pool-unknown-type",
        {},
        pool({"instanceType": "ml.c6i.3xlarge"}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.instanceType",
        "close:",
    ),
    (
        "canary-rollout",
        {"serving.rollout.strategy": "canary"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.rollout.strategy",
        "use rolling or all_at_once",
    ),
    (
        "linear-rollout",
        {"serving.rollout.strategy": "linear"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.rollout.strategy",
        "use rolling or all_at_once",
    ),
    (
        "rolling-without-alarms",
        {"serving.rollout": {"strategy": "rolling", "alarms": {"max_5xx_error_rate_percent": None}}},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.rollout.alarms",
        "at least one",
    ),
    (
        "serverless-settings",
        {"serving.serverless": {"memory_mb": 2048}},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.serverless",
        "is the pool's",
    ),
    (
        "async-settings",
        {"serving.async": {"max_concurrent_invocations_per_instance": 2}},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.async",
        "is the pool's",
    ),
    (
        "instance-type",
        {"serving.instance_type": "ml.m5.large"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.instance_type",
        "is the pool's",
    ),
    (
        "endpoint-autoscaling",
        {"serving.autoscaling": {"min_instances": 1, "max_instances": 2, "target_invocations_per_instance": 5}},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.autoscaling",
        "is the pool's",
    ),
    (
        "no-component-block",
        {"serving.component": DROP},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component",
        "required for mode component",
    ),
    (
        "component-on-realtime",
        {"serving.mode": "realtime", "serving.instance_type": "ml.m5.large"},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component",
        "only used with mode: component",
    ),
    (
        "override-keeps-instance-type",
        {
            **AS_REALTIME,
            "environments": {
                "dev": {"serving": {"mode": "component", "component": {"pool": "cpu-pool", "memory_mb": 1024}}}
            },
        },
        {},
        None,
        None,
        SPEC_FILE,
        "serving.instance_type",
        "after the dev override",
    ),
    (
        "pools-too-small",
        {"serving.component.copies": 4, "serving.component.memory_mb": 15000},
        pool({"maxInstances": 2}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.maxInstances",
        "could not place them all",
    ),
    (
        "pool-named-like-a-model",
        {"serving.component.pool": "ranker"},
        pool({"instanceType": "ml.c6i.2xlarge", "minInstances": 1, "maxInstances": 2}, "ranker"),
        None,
        None,
        STACK_FILE,
        "modelops:pools.ranker",
        "named like the model",
    ),
    (
        "network-isolation-differs",
        {},
        {"modelops:models": BOTH},
        None,
        {"model.network_isolation": True},
        STACK_FILE,
        "modelops:models.scorer",
        "must agree",
    ),
    (
        "data-capture-differs",
        {},
        {"modelops:models": BOTH},
        None,
        {"serving.data_capture": {"enabled": True}},
        STACK_FILE,
        "modelops:models.scorer",
        "must agree",
    ),
    (
        "prod-all-at-once",
        {**PROD_READY, "serving.rollout": {"strategy": "all_at_once"}},
        PROD_STACK,
        None,
        None,
        SPEC_FILE,
        "serving.rollout.strategy",
        "prod requires a guarded rollout",
    ),
    (
        "prod-medium-risk",
        {**PROD_READY, "metadata.risk": "medium"},
        PROD_STACK,
        None,
        None,
        SPEC_FILE,
        "monitoring.model_quality.enabled",
        "a model on a pool cannot have",
    ),
    (
        "max-copies-beyond-int32",
        {"serving.component.autoscaling.max_copies": 2**31},
        {},
        None,
        None,
        SPEC_FILE,
        "serving.component.autoscaling.max_copies",
        "at most 2147483647",
    ),
    (
        "max-instances-beyond-int32",
        {},
        pool({"maxInstances": 2**31}),
        None,
        None,
        STACK_FILE,
        "modelops:pools.cpu-pool.maxInstances",
        "at most 2147483647",
    ),
]


@pytest.mark.parametrize(
    ("spec_edits", "stack_edits", "second", "other", "file", "field", "fragment"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_an_invalid_pool_case_is_refused_naming_the_field(
    tmp_path: Path,
    spec_edits: dict[str, Any],
    stack_edits: dict[str, Any],
    second: dict[str, Any] | None,
    other: dict[str, Any] | None,
    file: str,
    field: str,
    fragment: str,
) -> None:
    write(tmp_path, case_files(spec_edits, stack_edits, second, other))
    result = cli("validate", "--root", str(tmp_path))
    assert result.exit_code == 1, result.output
    assert_no_traceback(result)
    pattern = rf"^{re.escape(file)}:[1-9]\d*:[1-9]\d*: {re.escape(field)}: .*{re.escape(fragment)}"
    assert re.search(pattern, result.output, re.MULTILINE), result.output


@pytest.mark.parametrize(
    ("stack_edits", "second", "other"),
    [({}, None, None), ({"modelops:models": BOTH}, None, {}), ({**PROD_STACK}, None, None)],
    ids=["alone", "two-models", "prod"],
)
def test_the_invalid_table_starts_from_valid_cases(
    tmp_path: Path, stack_edits: dict[str, Any], second: Any, other: Any
) -> None:
    spec_edits = PROD_READY if stack_edits.get("modelops:environment") == "prod" else {}
    write(tmp_path, case_files(spec_edits, stack_edits, second, other))
    result = cli("validate", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output


# --- hostile: huge numbers, odd types, names, scale -------------------------------------------

BASE_TEXT = yaml.safe_dump(BASE_SPEC, sort_keys=False)
BASE_STACK_TEXT = yaml.safe_dump(BASE_STACK, sort_keys=False)


def replaced(old: str, new: str, text: str = BASE_TEXT) -> str:
    """YAML that `safe_dump` never writes (`.nan`, `1e309`, anchors, a repeated key)."""
    assert old in text
    return text.replace(old, new, 1)


def dumped(edits: dict[str, Any]) -> str:
    return yaml.safe_dump(edited(BASE_SPEC, edits), sort_keys=False)


def stack_text(edits: dict[str, Any]) -> str:
    stack = copy.deepcopy(BASE_STACK)
    stack["config"].update(edits)
    return yaml.safe_dump(stack, sort_keys=False)


def with_pool(line: str) -> str:
    return replaced("  modelops:pools:\n", f"  modelops:pools:\n    {line}\n", BASE_STACK_TEXT)


MANY_POOLS = {
    f"pool-{i:04d}": {"instanceType": "ml.c6i.2xlarge", "minInstances": 0, "maxInstances": 2} for i in range(1000)
}
ANCHORED = (
    BASE_TEXT.replace("  component:\n", "  component: &component\n", 1)
    + "environments:\n  dev:\n    serving:\n      component:\n        <<: *component\n        copies: 3\n"
)
LOWER = BASE_SPEC["serving"]["component"]["autoscaling"]

# (id, spec text, stack text, the field a refusal names, or None when the input is valid)
HOSTILE = [
    (
        "copies-10e12",
        dumped({"serving.component.copies": 10**12, "serving.component.autoscaling": DROP}),
        BASE_STACK_TEXT,
        "serving.component.copies",
    ),
    (
        "copies-10e12-on-a-huge-pool",
        dumped(
            {
                "serving.component.copies": 10**12,
                "serving.component.autoscaling": DROP,
                "serving.component.cpu": 0.25,
                "serving.component.memory_mb": 128,
            }
        ),
        stack_text(pool({"maxInstances": 2**31 - 1})),
        "serving.component.copies",
    ),
    (
        "max-copies-10e12",
        dumped({"serving.component.autoscaling.max_copies": 10**12}),
        BASE_STACK_TEXT,
        "serving.component.autoscaling.max_copies",
    ),
    ("max-copies-int32", dumped({"serving.component.autoscaling.max_copies": 2**31 - 1}), BASE_STACK_TEXT, None),
    (
        "max-instances-10e12",
        BASE_TEXT,
        stack_text(pool({"maxInstances": 10**12})),
        "modelops:pools.cpu-pool.maxInstances",
    ),
    ("memory-1e309", replaced("memory_mb: 2048", "memory_mb: 1e309"), BASE_STACK_TEXT, "serving.component.memory_mb"),
    ("memory-float", replaced("memory_mb: 2048", "memory_mb: 2048.0"), BASE_STACK_TEXT, "serving.component.memory_mb"),
    ("memory-text", replaced("memory_mb: 2048", "memory_mb: '2048'"), BASE_STACK_TEXT, "serving.component.memory_mb"),
    ("copies-float", replaced("copies: 2", "copies: 2.5"), BASE_STACK_TEXT, "serving.component.copies"),
    ("copies-bool", replaced("copies: 2", "copies: true"), BASE_STACK_TEXT, "serving.component.copies"),
    ("cpu-nan", replaced("cpu: 1", "cpu: .nan"), BASE_STACK_TEXT, "serving.component.cpu"),
    ("cpu-infinity", replaced("cpu: 1", "cpu: .inf"), BASE_STACK_TEXT, "serving.component.cpu"),
    ("cpu-text", replaced("cpu: 1", "cpu: one"), BASE_STACK_TEXT, "serving.component.cpu"),
    ("cpu-a-third", replaced("cpu: 1", "cpu: 0.3333333333333333"), BASE_STACK_TEXT, None),
    (
        "accelerators-10e12",
        dumped({"serving.component.accelerators": 10**12}),
        BASE_STACK_TEXT,
        "serving.component.accelerators",
    ),
    (
        "target-1e308",
        dumped({"serving.component.autoscaling": {**LOWER, "target_invocations_per_copy": 1e308}}),
        BASE_STACK_TEXT,
        "serving.component.autoscaling.target_invocations_per_copy",
    ),
    (
        "p99-latency-1e308",
        dumped({"serving.rollout": {"strategy": "rolling", "alarms": {"max_p99_latency_ms": 1e308}}}),
        BASE_STACK_TEXT,
        "serving.rollout.alarms.max_p99_latency_ms",
    ),
    (
        "p99-latency-1e13",
        dumped({"serving.rollout": {"strategy": "rolling", "alarms": {"max_p99_latency_ms": 1e13}}}),
        BASE_STACK_TEXT,
        None,
    ),
    ("pool-number", replaced("pool: cpu-pool", "pool: 12"), BASE_STACK_TEXT, "serving.component.pool"),
    ("pool-list", replaced("pool: cpu-pool", "pool: [cpu-pool]"), BASE_STACK_TEXT, "serving.component.pool"),
    ("pool-path", replaced("pool: cpu-pool", "pool: ../x"), BASE_STACK_TEXT, "serving.component.pool"),
    ("component-text", dumped({"serving.component": "cpu-pool"}), BASE_STACK_TEXT, "serving.component"),
    (
        "stack-pool-path",
        BASE_TEXT,
        with_pool("../x: {instanceType: ml.c6i.2xlarge, minInstances: 1, maxInstances: 2}"),
        'modelops:pools["../x"]',
    ),
    (
        "stack-pool-markup",
        BASE_TEXT,
        with_pool("'<b>x</b>': {instanceType: ml.c6i.2xlarge, minInstances: 1, maxInstances: 2}"),
        "modelops:pools.<b>x</b>",
    ),
    (
        "stack-pool-text",
        BASE_TEXT,
        stack_text(
            pool({}, "gpu-pool")
            | {"modelops:pools": {**BASE_STACK["config"]["modelops:pools"], "gpu-pool": "ml.g5.xlarge"}}
        ),
        "modelops:pools.gpu-pool",
    ),
    ("stack-pools-list", BASE_TEXT, stack_text({"modelops:pools": ["cpu-pool"]}), "modelops:pools"),
    ("min-instances-float", BASE_TEXT, stack_text(pool({"minInstances": 1.5})), "modelops:pools.cpu-pool.minInstances"),
    (
        "min-instances-negative",
        BASE_TEXT,
        stack_text(pool({"minInstances": -1})),
        "modelops:pools.cpu-pool.minInstances",
    ),
    ("duplicate-key", replaced("copies: 2", "copies: 2\n    copies: 3"), BASE_STACK_TEXT, "serving.component.copies"),
    ("yaml-anchors", ANCHORED, BASE_STACK_TEXT, None),
    (
        "realtime-max-instances-10e12",
        dumped(
            {
                **AS_REALTIME,
                "serving.autoscaling": {
                    "min_instances": 1,
                    "max_instances": 10**12,
                    "target_invocations_per_instance": 5,
                },
            }
        ),
        BASE_STACK_TEXT,
        "serving.autoscaling.max_instances",
    ),
    (
        "a-thousand-pools",
        dumped({"serving.component.pool": "pool-0999"}),
        stack_text({"modelops:pools": MANY_POOLS}),
        None,
    ),
]


@pytest.mark.parametrize(("text", "stack", "field"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_pool_input_is_refused_cleanly_or_deploys(
    tmp_path: Path, text: str, stack: str, field: str | None
) -> None:
    write(tmp_path, {SPEC_FILE: text, STACK_FILE: stack})
    result = cli("validate", "--root", str(tmp_path))
    assert_no_traceback(result)
    if field is not None:
        assert result.exit_code == 1, result.output
        assert re.search(rf"^\S+:[1-9]\d*:[1-9]\d*: {re.escape(field)}: ", result.output, re.MULTILINE), result.output
        return
    # What validate accepts, the plan renders (as JSON too) and the rehearsal deploys.
    assert result.exit_code == 0, result.output
    for command in (("plan", "--format", "json"), ("rehearse",)):
        done = cli(*command, "--stack", "dev", "--root", str(tmp_path))
        assert_no_traceback(done)
        assert done.exit_code == 0, done.output


def test_a_pool_of_two_hundred_models_validates_and_plans(tmp_path: Path) -> None:
    files = case_files({}, {})
    models: dict[str, str] = {"ranker": "1.0.0"}
    for i in range(200):
        name = f"m{i:03d}"
        spec = edited(
            BASE_SPEC,
            {
                "metadata.name": name,
                "model.artifact": f"s3://acme-models/{name}/1.0.0/model.tar.gz",
                "serving.component": {"pool": "cpu-pool", "cpu": 0.25, "memory_mb": 128},
            },
        )
        files[f"model_specs/{name}/1.0.0.yaml"] = yaml.safe_dump(spec, sort_keys=False)
        models[name] = "1.0.0"
    stack = edited(BASE_STACK, {"config.modelops:models": models})
    files[STACK_FILE] = yaml.safe_dump(stack, sort_keys=False)
    write(tmp_path, files)
    result = cli("validate", "--root", str(tmp_path))
    assert_no_traceback(result)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 0:
        plan = cli("plan", "--stack", "dev", "--format", "json", "--root", str(tmp_path))
        assert plan.exit_code == 0, plan.output
        assert len(json.loads(plan.output)["outputs"]["components"]) == 201


def test_the_rehearsals_request_check_refuses_an_integer_beyond_32_bits() -> None:
    """botocore sends `CopyCount: 2**31` as it is; the service reads an `integer` as 32 bits."""
    request = {
        "InferenceComponentName": "ranker-dev-0a1b2c3d",
        "EndpointName": "cpu-pool-dev",
        "VariantName": "AllTraffic",
        "Specification": {"ModelName": "ranker-dev", "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 128}},
        "RuntimeConfig": {"CopyCount": 2**31 - 1},
    }
    assert request_problem("sagemaker", "CreateInferenceComponent", request) is None
    request["RuntimeConfig"]["CopyCount"] = 2**31
    problem = request_problem("sagemaker", "CreateInferenceComponent", request)
    assert problem is not None and "runtimeConfig.copyCount" in problem and "32-bit" in problem


# IAM: "the total aggregate policy size (the sum size of all inline policies) cannot exceed
# 10,240 characters" of a role, white space not counted (reference_iam-quotas.html).
ROLE_INLINE_POLICY_LIMIT = 10_240


def pool_files(count: int, member: dict[str, Any] | None = None) -> dict[str, str]:
    """ranker and `count - 1` more models on cpu-pool, each edited with `member`."""
    edits = member or {}
    files = case_files(edits, {})
    models: dict[str, str] = {"ranker": "1.0.0"}
    for i in range(count - 1):
        name = f"model-{i:03d}"
        spec = edited(
            BASE_SPEC,
            {
                "metadata.name": name,
                "model.artifact": f"s3://acme-models/{name}/1.0.0/model.tar.gz",
                "serving.component": {"pool": "cpu-pool", "cpu": 0.25, "memory_mb": 128},
                **edits,
            },
        )
        files[f"model_specs/{name}/1.0.0.yaml"] = yaml.safe_dump(spec, sort_keys=False)
        models[name] = "1.0.0"
    files[STACK_FILE] = yaml.safe_dump(edited(BASE_STACK, {"config.modelops:models": models}), sort_keys=False)
    return files


def pool_policy(
    root: Path, count: int, member: dict[str, Any] | None = None, files: dict[str, str] | None = None
) -> dict[str, Any]:
    write(root, files if files is not None else pool_files(count, member))
    plan = cli("plan", "--stack", "dev", "--format", "json", "--root", str(root))
    assert plan.exit_code == 0, plan.output
    policy: dict[str, Any] = json.loads(
        resource(json.loads(plan.output), "pool-cpu-pool-execution-policy")["inputs"]["policy"]
    )
    return policy


ROLLING = {
    "serving.rollout": {"strategy": "rolling", "alarms": {"max_5xx_error_rate_percent": 1, "max_p99_latency_ms": 500}}
}


@pytest.mark.parametrize("member", [{}, ROLLING], ids=["all-at-once", "rolling-with-two-alarms"])
def test_a_pool_member_adds_its_own_resources_to_the_pool_policy_and_nothing_else(
    tmp_path: Path, member: dict[str, Any]
) -> None:
    """One statement per kind of access, listing every member's resources: a member adds no
    statement, and adds to the policy exactly its own ARNs (its component's log group and
    streams, its artifact, its rollback alarms) and the three characters that list each."""
    from modelops.aws.iam import policy_size

    two, three = pool_policy(tmp_path / "two", 2, member), pool_policy(tmp_path / "three", 3, member)
    assert [s["Sid"] for s in three["Statement"]] == [s["Sid"] for s in two["Statement"]]

    def resources(policy: dict[str, Any]) -> list[str]:
        return [arn for s in policy["Statement"] for arn in s["Resource"]]

    named = [arn for arn in resources(three) if arn != "*"]
    assert len(set(named)) == len(named)  # no resource listed twice
    added = set(resources(three)) - set(resources(two))
    assert set(resources(two)) <= set(resources(three))
    kinds = sorted(re.sub(r"^arn:aws:([a-z0-9]+):.*?(/model-001|model-001).*$", r"\1", arn) for arn in added)
    alarms = ["cloudwatch", "cloudwatch"] if member else []
    assert kinds == sorted(["logs", "logs", "s3", *alarms]), sorted(added)
    assert policy_size(three) - policy_size(two) == sum(len(arn) + 3 for arn in added)


REFUSED_POOL = re.compile(
    r"^stacks/Pulumi\.dev\.yaml:[1-9]\d*:[1-9]\d*: modelops:pools\.cpu-pool: the execution role of pool cpu-pool "
    r"\(modelops-cpu-pool-dev-pool\) would need an inline policy of (?P<size>[\d,]+) characters for its 40 models, "
    r"and IAM allows a role 10,240 \(white space not counted; PutRolePolicy fails with LimitExceeded\): .* "
    r"about (?P<each>\d+) characters a model here, so (?P<fit>\d+) of these models fit in one pool; split the pool, "
    r"with at most (?P=fit) models in each$",
    re.MULTILINE,
)


def test_a_pool_of_forty_models_is_refused_by_validate_and_the_largest_that_fits_deploys(tmp_path: Path) -> None:
    """A pool's role has one inline policy naming each member's log groups, artifact, image
    repository and rollback alarms: past IAM's 10,240 characters AWS refuses it (LimitExceeded),
    so validate refuses the pool, saying how many models fit; that many pass validate, plan
    (with the policy the program declares under the limit) and the rehearsal, whose
    PutRolePolicy applies the limit too."""
    from modelops.aws.iam import policy_size

    write(tmp_path / "forty", pool_files(40))
    refused = cli("validate", "--root", str(tmp_path / "forty"))
    assert refused.exit_code == 1, refused.output
    found = REFUSED_POOL.search(refused.output)
    assert found is not None, refused.output
    assert "1 problem(s) found." in refused.output
    fit = int(found["fit"])
    assert int(found["size"].replace(",", "")) > ROLE_INLINE_POLICY_LIMIT
    assert 20 < fit < 40 and int(found["each"]) == 270  # a 22-character component name, a 53-character artifact
    # The largest pool of these models that fits: validate, plan and rehearse take it.
    policy = pool_policy(tmp_path / "fits", fit)
    assert policy_size(policy) <= ROLE_INLINE_POLICY_LIMIT < policy_size(policy) + int(found["each"])
    assert cli("validate", "--root", str(tmp_path / "fits")).exit_code == 0
    rehearsal = cli("rehearse", "--stack", "dev", "--root", str(tmp_path / "fits"))
    assert rehearsal.exit_code == 0, rehearsal.output
    # One more model is refused.
    write(tmp_path / "one-more", pool_files(fit + 1))
    assert cli("validate", "--root", str(tmp_path / "one-more")).exit_code == 1


def test_validate_measures_the_policy_the_program_declares(tmp_path: Path) -> None:
    """The same builder (modelops.aws.pool_role), with the members resolved offline and a
    stand-in account: the policy validate measures is the plan's, but for the account id."""
    from modelops.aws.pool_role import OFFLINE_ACCOUNT, offline_sources, pool_role_policy, stack_capture_bucket
    from modelops.spec.resolve import load_project

    files = pool_files(3, {**ROLLING, "serving.data_capture": {"enabled": True, "sampling_percent": 20}})
    # an own image for two models, a framework image for the third; the stack's key and VPC
    for name in ("ranker", "model-000"):
        spec = yaml.safe_load(files[f"model_specs/{name}/1.0.0.yaml"])
        spec["model"] = {k: v for k, v in spec["model"].items() if not k.startswith("framework")}
        spec["model"]["image"] = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}:1.0.0"
        files[f"model_specs/{name}/1.0.0.yaml"] = yaml.safe_dump(spec, sort_keys=False)
    stack = yaml.safe_load(files[STACK_FILE])
    stack["config"].update({k: v for k, v in PROD_STACK.items() if k != "modelops:environment"})
    files[STACK_FILE] = yaml.safe_dump(stack, sort_keys=False)
    planned = pool_policy(tmp_path, 0, None, files)
    project = load_project(tmp_path, ["dev"])
    assert not project.problems, project.problems
    config, _ = project.stacks["dev"]
    members = project.resolved["dev"]
    measured = pool_role_policy(
        "cpu-pool",
        config,
        "aws",
        OFFLINE_ACCOUNT,
        members,
        offline_sources(config, config.pools["cpu-pool"].instance_type),
        stack_capture_bucket(config, OFFLINE_ACCOUNT),
    )
    assert json.dumps(measured, sort_keys=True).replace(OFFLINE_ACCOUNT, "123456789012") == json.dumps(
        planned, sort_keys=True
    )
    kinds = {s["Sid"] for s in planned["Statement"]}
    assert {"PullModelImage", "ReadRollbackAlarms", "WriteCaptureAndOutput", "UseStackKey", "VpcDescribe"} <= kinds
    assert len(next(s for s in planned["Statement"] if s["Sid"] == "PullModelImage")["Resource"]) == 3
