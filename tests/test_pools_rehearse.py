"""`rehearse` end to end on a stack with two pools in use (tests/test_pools_render.py's): every
call of the pools and their components succeeds on the emulation, which judges each request as
AWS would, and what the rehearsal leaves is what `verify` intends."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from modelops.engine.rehearse import emulated_aws, rehearse, rehearse_in_emulator
from modelops.spec.stack import load_stack_file
from tests.test_pools_render import SPECS, write_project


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("pools-rehearse"))


def test_a_two_pool_stack_rehearses_cleanly(root: Path) -> None:
    report = rehearse(root, "dev", part_size=2, workers=2)
    assert report.ok, report.summary()
    calls = Counter((c.type, c.call) for c in report.calls)
    components = [s["metadata"]["name"] for s in SPECS if s["serving"]["mode"] == "component"]
    used_pools = {s["serving"]["component"]["pool"] for s in SPECS if s["serving"]["mode"] == "component"}
    component_type = "pulumi-python:dynamic/sagemaker:InferenceComponent"
    assert calls[(component_type, "InferenceComponent.create")] == len(components)
    # A pool's configuration goes through its provider (components/providers/pool_endpoint_configuration.py).
    pool_configs = [c for c in report.calls if c.call == "PoolEndpointConfiguration.create"]
    assert sorted(c.resource for c in pool_configs) == sorted(f"pool-{p}-config" for p in used_pools)
    assert set(report.outputs["components"]) == set(components)
    # Every model's copy autoscaling registers against a component the emulation holds.
    scaled = [s["metadata"]["name"] for s in SPECS if s["serving"].get("component", {}).get("autoscaling")]
    targets = [c.resource for c in report.calls if c.call == "application-autoscaling:register_scalable_target"]
    assert sorted(targets) == sorted(f"{name}-serving-scaling-target" for name in scaled)
    assert "idle" not in report.summary()


def test_what_the_rehearsal_leaves_is_what_verify_intends(root: Path) -> None:
    from modelops.engine.live import verify

    with emulated_aws(load_stack_file(root, "dev")[0].region):
        report = rehearse_in_emulator(root, "dev")
        assert report.ok, report.summary()
        verified = verify(root, "dev")
    assert verified.ok, verified.summary()
    subjects = {c.subject for c in verified.checks}
    assert {"pool shared-cpu", "pool shared-gpu"} <= subjects
    assert sum(s.startswith("inference component ") for s in subjects) == 4


def test_the_emulation_keeps_the_pools_vpc_and_isolation(root: Path) -> None:
    """CreateEndpointConfig's VpcConfig and EnableNetworkIsolation, as the pool's provider sends
    them, are what DescribeEndpointConfig returns: the stack's VPC on both pools, isolation on
    shared-gpu only (its members hold confidential data)."""
    import boto3

    from tests.test_pools_render import GROUPS, SUBNETS

    region = load_stack_file(root, "dev")[0].region
    with emulated_aws(region):
        report = rehearse_in_emulator(root, "dev")
        assert report.ok, report.summary()
        sagemaker = boto3.client("sagemaker", region_name=region)
        endpoints = {p: sagemaker.describe_endpoint(EndpointName=f"{p}-dev") for p in ("shared-cpu", "shared-gpu")}
        configs = {
            p: sagemaker.describe_endpoint_config(EndpointConfigName=e["EndpointConfigName"])
            for p, e in endpoints.items()
        }
    for pool, config in configs.items():
        assert config["VpcConfig"] == {"SecurityGroupIds": GROUPS, "Subnets": SUBNETS}, pool
        assert not config["ProductionVariants"][0].get("ModelName")
    assert configs["shared-gpu"]["EnableNetworkIsolation"] is True
    assert "EnableNetworkIsolation" not in configs["shared-cpu"]


def test_the_repositorys_prod_pool_rehearses_in_its_vpc() -> None:
    from tests.conftest import REPO_ROOT

    report = rehearse(REPO_ROOT, "prod", part_size=4, workers=2)
    assert report.ok, report.summary()
    (call,) = [c for c in report.calls if c.call == "PoolEndpointConfiguration.create"]
    assert call.ok and call.resource == "pool-shared-cpu-config"
