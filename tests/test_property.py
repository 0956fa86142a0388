"""Specs generated within the rules all validate, render and rehearse."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelops.engine.rehearse import rehearse
from modelops.engine.render import render
from modelops.spec.resolve import load_project
from tests.conftest import write_yaml

names = st.from_regex(r"[a-z][a-z0-9]{2,12}", fullmatch=True)
versions = st.tuples(st.integers(0, 9), st.integers(0, 20), st.integers(0, 50)).map(lambda t: ".".join(map(str, t)))
instance_types = st.sampled_from(["ml.m5.large", "ml.c5.xlarge", "ml.g5.xlarge", "ml.r5.2xlarge", "ml.inf2.xlarge"])


@st.composite
def specs(draw) -> dict:
    name, version = draw(names), draw(versions)
    mode = draw(st.sampled_from(["realtime", "serverless", "async"]))
    serving: dict = {"mode": mode}
    if mode == "serverless":
        serving["serverless"] = {
            "memory_mb": draw(st.sampled_from([1024, 2048, 6144])),
            "max_concurrency": draw(st.integers(1, 200)),
        }
    else:
        low = draw(st.integers(0 if mode == "async" else 1, 3))
        high = low + draw(st.integers(1, 5))
        count = draw(st.integers(max(low, 1), high))  # AWS starts the variant within its scaling bounds
        serving.update(instance_type=draw(instance_types), instance_count=count)
        if draw(st.booleans()):
            serving["autoscaling"] = {
                "min_instances": low,
                "max_instances": high,
                "target_invocations_per_instance": draw(st.integers(1, 5000)),
            }
        serving["data_capture"] = {"enabled": draw(st.booleans()), "sampling_percent": draw(st.integers(1, 100))}
        strategy = draw(st.sampled_from(["all_at_once", "canary", "linear", "rolling"]))
        serving["rollout"] = {
            "strategy": strategy,
            "canary_percent": draw(st.integers(1, 50)),
            "linear_step_percent": draw(st.integers(10, 50)),
            "wait_s": draw(st.integers(0, 3600)),
        }
    model = draw(
        st.sampled_from(
            [
                {"package": {"group": f"{name}-pkg", "version": 2}},
                {
                    "artifact": f"s3://acme-models/{name}/model.tar.gz",
                    "framework": "xgboost",
                    "framework_version": "1.7-1",
                },
                {
                    "artifact": f"s3://acme-models/{name}/model.tar.gz",
                    "image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}:1",
                },
            ]
        )
    )
    model = dict(model, environment={"LOG_LEVEL": draw(st.sampled_from(["info", "debug"]))})
    classification = draw(st.sampled_from(["public", "internal", "confidential"]))
    if mode == "serverless" and classification == "confidential":
        classification = "internal"
    return {
        "apiVersion": "modelops/v1",
        "kind": "ModelSpec",
        "metadata": {
            "name": name,
            "version": version,
            "owner": "ml@example.com",
            "description": "generated",
            "data_classification": classification,
        },
        "model": model,
        "serving": serving,
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs())
def test_generated_specs_validate_render_and_rehearse(tmp_path_factory, spec: dict) -> None:
    root: Path = tmp_path_factory.mktemp("gen")
    name, version = spec["metadata"]["name"], spec["metadata"]["version"]
    write_yaml(root / "model_specs" / name / f"{version}.yaml", spec)
    write_yaml(
        root / "stacks" / "Pulumi.dev.yaml",
        {"config": {"aws:region": "eu-west-1", "modelops:environment": "dev", "modelops:models": {name: version}}},
    )
    assert load_project(root, ["dev"]).problems == []
    plan = render(root, "dev")
    assert plan.one("aws:sagemaker/endpoint:Endpoint", f"{name}-serving-endpoint").inputs["name"] == f"{name}-dev"
    report = rehearse(root, "dev")
    assert report.ok, report.summary()
    shutil.rmtree(root)
