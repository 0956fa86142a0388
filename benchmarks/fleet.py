"""Fleet benchmark: N synthetic models; prints wall time of validate, plan and rehearse.

    .venv/bin/python benchmarks/fleet.py            # N = 10 and 100, plus validate at 300 files;
                                                    # endpoints only, then with monitors and feature groups,
                                                    # then pooled (inference components on a shared pool)
    .venv/bin/python benchmarks/fleet.py --sizes 10

The pooled variant serves the same N models as inference components on one pool and prints
what it saves: the instances running at minimum capacity on endpoints of their own (each
model's autoscaling minimum) against the pool's minimum, both read from the rendered plan.

Targets on the 2-core reference machine: validate 300 spec files < 1 s, plan a 100-model
stack < 4 s, rehearse it < 10 s. Images are given as ECR URIs so that the figures measure
modelops, not the sagemaker SDK's one-off import (its resolutions are cached on disk).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def with_monitors_and_features(spec: dict, index: int) -> None:
    """Every model monitors data quality; every fifth owns a feature group the next one reads."""
    spec["monitoring"] = {"schedule": "daily", "data_quality": {"enabled": True}}
    if index % 5 == 0:
        spec["features"] = {
            "groups": [
                {
                    "name": f"group-{index:03d}",
                    "record_identifier": "id",
                    "event_time": "ts",
                    "features": [{"name": "id", "type": "string"}, {"name": "ts", "type": "fractional"}],
                    "online": {"enabled": True},
                    "offline": {"enabled": True},
                }
            ]
        }
    elif index % 5 == 1:
        spec["features"] = {"reads": [f"group-{index - 1:03d}"]}


def model_spec(index: int, version: str) -> dict:
    """Model `model-<index>`: a realtime endpoint with autoscaling, data capture and a canary
    rollout guarded by latency alarms (dev deploys it all at once)."""
    name = f"model-{index:03d}"
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": name,
            "version": version,
            "owner": "ml@example.com",
            "description": f"synthetic {index}",
            "risk": "low",
        },
        "model": {
            "artifact": f"s3://acme-models/{name}/{version}/model.tar.gz",
            "image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}:{version}",
            "environment": {"SAGEMAKER_PROGRAM": "inference.py"},
        },
        "serving": {
            "instance_type": "ml.m5.large",
            "instance_count": 1,
            "autoscaling": {"min_instances": 1, "max_instances": 4, "target_invocations_per_instance": 500},
            "data_capture": {"enabled": True, "sampling_percent": 10},
            "rollout": {"strategy": "canary", "alarms": {"max_p99_latency_ms": 300}},
        },
        "environments": {"dev": {"serving": {"rollout": {"strategy": "all_at_once"}}}},
    }


# The pooled fleet's pool: ml.c6i.2xlarge has 8 vCPUs and 16 GiB ("Compute optimized instances",
# docs.aws.amazon.com/ec2/latest/instancetypes/co.html). Each model reserves half a core and
# 1 GiB per copy, so an instance holds 14 minimum copies (memory, with 2 GiB kept for SageMaker's
# own processes, whose share AWS does not document).
POOL = "shared-cpu"
POOL_INSTANCE_TYPE = "ml.c6i.2xlarge"
POOL_VCPUS, POOL_MEMORY_MB, POOL_HEADROOM_MB = 8, 16 * 1024, 2 * 1024
COPY_CPU, COPY_MEMORY_MB = 0.5, 1024


def pooled_spec(index: int, version: str) -> dict:
    """`model_spec`'s model as an inference component on the fleet's pool."""
    spec = model_spec(index, version)
    spec["serving"] = {
        "mode": "component",
        "component": {
            "pool": POOL,
            "copies": 1,
            "cpu": COPY_CPU,
            "memory_mb": COPY_MEMORY_MB,
            "autoscaling": {"min_copies": 1, "max_copies": 4, "target_invocations_per_copy": 500},
        },
        "data_capture": {"enabled": True, "sampling_percent": 10},
        "rollout": {"strategy": "rolling", "alarms": {"max_p99_latency_ms": 300}},
    }
    spec["environments"] = {"dev": {"serving": {"rollout": {"strategy": "all_at_once"}}}}
    return spec


def pool_minimum(models: int) -> int:
    """Instances that hold every model's minimum copy, by CPU and by memory."""
    per_instance = min(int(POOL_VCPUS / COPY_CPU), (POOL_MEMORY_MB - POOL_HEADROOM_MB) // COPY_MEMORY_MB)
    return -(-models // per_instance)


def write_pooled_fleet(root: Path, models: int) -> None:
    pins = {}
    for index in range(models):
        write_spec(root, pooled_spec(index, "1.0.0"))
        pins[f"model-{index:03d}"] = "1.0.0"
    minimum = pool_minimum(models)
    pool = {"instanceType": POOL_INSTANCE_TYPE, "minInstances": minimum, "maxInstances": 4 * minimum}
    write_stack(root, pins, pools={POOL: pool})


def instances_at_minimum(plan) -> dict[str, int]:
    """Instance type -> instances running at minimum capacity, from a plan's endpoint
    configurations: a pool's ManagedInstanceScaling minimum, else the variant's autoscaling
    minimum, else its initial count."""
    from modelops.engine.plan import endpoint_variants

    minimum_by_variant = {
        r.inputs["resourceId"]: r.inputs["minCapacity"]
        for r in plan.by_type("aws:appautoscaling/target:Target")
        if r.inputs.get("scalableDimension") == "sagemaker:variant:DesiredInstanceCount"
    }
    endpoint_of_config = {
        r.inputs.get("endpointConfigName"): r.inputs.get("name")
        for r in plan.by_type("aws:sagemaker/endpoint:Endpoint")
    }
    counts: dict[str, int] = {}
    for config, variants in endpoint_variants(plan).items():
        for variant in variants:
            scaling = variant.get("managedInstanceScaling")
            endpoint = endpoint_of_config.get(config)
            scaled = minimum_by_variant.get(f"endpoint/{endpoint}/variant/{variant.get('variantName')}")
            if scaling:
                count = scaling["minInstanceCount"]
            elif scaled is not None:
                count = scaled
            else:
                count = variant.get("initialInstanceCount", 1)
            counts[variant["instanceType"]] = counts.get(variant["instanceType"], 0) + int(count)
    return counts


def write_spec(root: Path, spec: dict) -> None:
    path = root / "model_specs" / spec["metadata"]["name"] / f"{spec['metadata']['version']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


def write_stack(root: Path, pins: dict[str, str], **config: object) -> None:
    """stacks/Pulumi.dev.yaml pinning `pins`; `config` adds modelops:<key> settings."""
    stacks = root / "stacks"
    stacks.mkdir(exist_ok=True)
    settings = {"aws:region": "eu-west-1", "modelops:environment": "dev", "modelops:models": pins}
    settings.update({f"modelops:{key}": value for key, value in config.items()})
    (stacks / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": settings}))


def write_fleet(root: Path, models: int, versions_per_model: int = 1, full: bool = False) -> None:
    pins = {}
    for index in range(models):
        for minor in range(versions_per_model):
            spec = model_spec(index, f"1.{minor}.0")
            if full:
                with_monitors_and_features(spec, index)
            write_spec(root, spec)
        pins[f"model-{index:03d}"] = f"1.{versions_per_model - 1}.0"
    write_stack(root, pins)


def timed(label: str, action) -> float:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    print(f"{label:<62} {elapsed:7.2f} s")
    return elapsed


def describe(counts: dict[str, int]) -> str:
    """`2 x ml.c6i.2xlarge (16 vCPUs, 32 GiB)`: the instances and what they add up to."""
    from modelops.aws.instance_specs import instance_spec

    specs = {instance_type: instance_spec(instance_type) for instance_type in counts}
    vcpus = sum(count * spec.vcpus for instance_type, count in counts.items() if (spec := specs[instance_type]))
    memory = sum(count * spec.memory_mib for instance_type, count in counts.items() if (spec := specs[instance_type]))
    listed = " + ".join(f"{count} x {instance_type}" for instance_type, count in sorted(counts.items())) or "none"
    return f"{listed} ({vcpus} vCPUs, {memory // 1024} GiB)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100])
    args = parser.parse_args()
    from modelops.engine.rehearse import rehearse
    from modelops.engine.render import render
    from modelops.spec.resolve import load_project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "files300"
        write_fleet(root, 100, versions_per_model=3)
        timed("validate 300 spec files (100 models x 3)", lambda: load_project(root, ["dev"]))
    for full in (False, True):
        kind = "endpoints + monitors + groups" if full else "endpoints"
        for size in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                write_fleet(root, size, full=full)
                timed(f"validate N={size} ({kind})", lambda root=root: load_project(root, ["dev"]))
                plan = render(root, "dev")  # warm-up: first imports of pulumi and pulumi_aws
                timed(
                    f"plan N={size} ({kind}, {sum(r.custom for r in plan.resources)} resources)",
                    lambda root=root: render(root, "dev"),
                )
                timed(f"rehearse N={size} ({kind})", lambda root=root: rehearse(root, "dev"))
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_pooled_fleet(root, size)
            timed(f"validate N={size} (pooled)", lambda root=root: load_project(root, ["dev"]))
            timed(f"plan N={size} (pooled)", lambda root=root: render(root, "dev"))
            pooled = instances_at_minimum(render(root, "dev"))
            timed(f"rehearse N={size} (pooled)", lambda root=root: rehearse(root, "dev"))
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_fleet(root, size)
            alone = instances_at_minimum(render(root, "dev"))
        print(f"N={size}: instances at minimum capacity, endpoints {describe(alone)}, pooled {describe(pooled)}")


if __name__ == "__main__":
    main()
