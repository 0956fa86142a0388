"""The inputs of a model's own SageMaker endpoint, built straight from the repository's stacks
(components/sagemaker_endpoint.py): the Model, the production and shadow variants, the scaled
variants and their limits, the endpoint's kind, its deployment guardrails and async config.

tests/test_plan.py, tests/test_guardrails.py and tests/test_autoscaling.py read these from a
rendered plan; these tests pin each whole result without a render (they are mutation testing's
first choice for sagemaker_endpoint.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from components.sagemaker_endpoint import (
    ContainerSource,
    SageMakerEndpoint,
    autoscaled_variants,
    deployment_config,
    endpoint_kind,
    model_inputs,
    production_variant,
    scaling_limits,
    shadow_weight,
)
from modelops.spec.models import AsyncInference, Autoscaling, Rollout, Serverless
from modelops.spec.resolve import load_project
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig

ROOT = Path(__file__).resolve().parent.parent
PROD_KEY = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
CRM_TOKEN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-classifier/7"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:3.0.1"
ARTIFACT = "s3://acme-models/fraud-detector/3.0.1/model.tar.gz"
ALARMS = ["fraud-detector-prod-rollback-5xx-rate", "fraud-detector-prod-rollback-p99-latency"]


@dataclasses.dataclass(frozen=True)
class Stacks:
    dev: StackConfig
    prod: StackConfig
    dev_models: dict[str, ResolvedModel]
    prod_models: dict[str, ResolvedModel]


@pytest.fixture(scope="module")
def stacks() -> Stacks:
    """The dev stack (no VPC, no key) and the prod stack (VPC, key, a challenger and a shadow)."""
    project = load_project(ROOT, ["dev", "prod"])
    assert not project.problems, project.problems
    return Stacks(
        dev=project.stacks["dev"][0],
        prod=project.stacks["prod"][0],
        dev_models={m.name: m for m in project.resolved["dev"]},
        prod_models={m.name: m for m in project.resolved["prod"]},
    )


def serving(variant: Variant, **fields: Any) -> Variant:
    """The variant with fields of its spec's `serving` section replaced."""
    spec = variant.spec
    return dataclasses.replace(
        variant, spec=spec.model_copy(update={"serving": spec.serving.model_copy(update=fields)})
    )


def rolled_out(model: ResolvedModel, rollout: Rollout) -> ResolvedModel:
    return dataclasses.replace(model, primary=serving(model.primary, rollout=rollout))


# --- model_inputs: the Model ------------------------------------------------------------------


def test_an_image_and_artifact_model_outside_a_vpc(stacks: Stacks) -> None:
    fraud = stacks.prod_models["fraud-detector"]
    source = ContainerSource(image=IMAGE, model_data_url=ARTIFACT)
    assert model_inputs(fraud.primary, source, stacks.dev, "fraud-detector-dev-role") == {
        "primary_container": {
            "environment": {"SAGEMAKER_PROGRAM": "serve.py", "MODEL_SERVER_WORKERS": "2"},
            "image": IMAGE,
            "model_data_url": ARTIFACT,
        },
        "enable_network_isolation": True,
        "vpc_config": None,
        "role": "fraud-detector-dev-role",
    }


def test_a_registry_package_model_in_the_stacks_vpc_reads_its_secrets_by_arn(stacks: Stacks) -> None:
    """A package carries its own image and data: a source's image and artifact are left out."""
    churn = stacks.prod_models["churn-classifier"]
    source = ContainerSource(image=IMAGE, model_data_url=ARTIFACT, model_package_name=PACKAGE)
    assert model_inputs(churn.primary, source, stacks.prod, "churn-role") == {
        "primary_container": {
            "environment": {"SAGEMAKER_PROGRAM": "inference.py", "CRM_TOKEN_SECRET_ARN": CRM_TOKEN},
            "model_package_name": PACKAGE,
        },
        "enable_network_isolation": False,
        "vpc_config": {"subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"], "security_group_ids": ["sg-1c2d3e4f"]},
        "role": "churn-role",
    }


def test_an_async_model_runs_in_the_vpc_and_a_serverless_one_never_does(stacks: Stacks) -> None:
    source = ContainerSource(image=IMAGE, model_data_url=None)
    forecaster = stacks.prod_models["demand-forecaster"].primary
    assert model_inputs(forecaster, source, stacks.prod, "r")["vpc_config"] == {
        "subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"],
        "security_group_ids": ["sg-1c2d3e4f"],
    }
    sentiment = stacks.dev_models["sentiment-api"].primary
    assert model_inputs(sentiment, source, stacks.prod, "r") == {
        "primary_container": {"environment": {}, "image": IMAGE, "model_data_url": None},
        "enable_network_isolation": False,
        "vpc_config": None,
        "role": "r",
    }


# --- production_variant -------------------------------------------------------------------------


def test_an_instance_variant_names_its_type_and_count(stacks: Stacks) -> None:
    challenger = stacks.prod_models["fraud-detector"].challenger
    assert challenger is not None
    assert production_variant(challenger, "fraud-model-b", 10.0) == {
        "variant_name": "challenger",
        "model_name": "fraud-model-b",
        "initial_variant_weight": 10.0,
        "instance_type": "ml.c5.xlarge",
        "initial_instance_count": 2,
    }


def test_a_serverless_variant_names_its_memory_and_concurrency(stacks: Stacks) -> None:
    sentiment = stacks.dev_models["sentiment-api"].primary
    assert production_variant(sentiment, "sentiment-model", 100.0) == {
        "variant_name": "primary",
        "model_name": "sentiment-model",
        "initial_variant_weight": 100.0,
        "serverless_config": {"memory_size_in_mb": 4096, "max_concurrency": 20},
    }


def test_a_serverless_variant_without_its_section_takes_the_defaults(stacks: Stacks) -> None:
    bare = serving(stacks.dev_models["sentiment-api"].primary, serverless=None)
    assert production_variant(bare, "m", 1.0)["serverless_config"] == {
        "memory_size_in_mb": Serverless().memory_mb,
        "max_concurrency": Serverless().max_concurrency,
    }
    assert (Serverless().memory_mb, Serverless().max_concurrency) == (2048, 5)


# --- autoscaled_variants and scaling_limits -----------------------------------------------------


def test_a_challenger_scales_on_its_own_limits_next_to_the_primary(stacks: Stacks) -> None:
    fraud = stacks.prod_models["fraud-detector"]
    assert fraud.challenger is not None
    challenger = serving(
        fraud.challenger,
        instance_type="ml.c5.2xlarge",
        autoscaling=Autoscaling(min_instances=1, max_instances=4, target_invocations_per_instance=10),
    )
    model = dataclasses.replace(fraud, challenger=challenger)
    assert autoscaled_variants(model) == {"primary": "ml.c5.xlarge", "challenger": "ml.c5.2xlarge"}
    assert scaling_limits(model) == {"primary": [2, 10], "challenger": [1, 4]}


def test_a_shadow_runs_at_its_fixed_count(stacks: Stacks) -> None:
    churn = stacks.prod_models["churn-classifier"]
    assert churn.shadow is not None and churn.shadow.spec.serving.autoscaling is not None
    assert autoscaled_variants(churn) == {"primary": "ml.m5.large"}
    assert scaling_limits(churn) == {"primary": [3, 12]}


def test_a_variant_without_autoscaling_is_not_scaled(stacks: Stacks) -> None:
    fraud = stacks.prod_models["fraud-detector"]
    assert fraud.challenger is not None
    model = dataclasses.replace(fraud, challenger=serving(fraud.challenger, autoscaling=None))
    assert autoscaled_variants(model) == {"primary": "ml.c5.xlarge"}
    assert scaling_limits(model) == {"primary": [2, 10]}
    unscaled = stacks.dev_models["fraud-detector"]
    assert autoscaled_variants(unscaled) == {} and scaling_limits(unscaled) == {}


def test_a_serverless_endpoint_scales_by_itself_even_with_autoscaling_set(stacks: Stacks) -> None:
    """Validation refuses autoscaling on serverless; should it get through, nothing is scaled."""
    sentiment = stacks.dev_models["sentiment-api"]
    scaling = Autoscaling(min_instances=1, max_instances=3, target_invocations_per_instance=5)
    model = dataclasses.replace(sentiment, primary=serving(sentiment.primary, autoscaling=scaling))
    assert autoscaled_variants(model) == {}
    assert scaling_limits(model) == {}


def test_an_async_endpoint_scales_from_zero(stacks: Stacks) -> None:
    forecaster = stacks.prod_models["demand-forecaster"]
    assert autoscaled_variants(forecaster) == {"primary": "ml.m5.xlarge"}
    assert scaling_limits(forecaster) == {"primary": [0, 4]}


# --- endpoint_kind -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("serverless", "serverless"), ("realtime", "instances"), ("async", "instances"), ("component", "instances")],
)
def test_serverless_and_instance_backed_endpoints_are_different_kinds(mode: str, kind: str) -> None:
    assert endpoint_kind(mode) == kind


# --- shadow_weight ------------------------------------------------------------------------------


def test_the_shadow_weight_is_its_sampling_fraction_of_the_primarys_weight(stacks: Stacks) -> None:
    churn = stacks.prod_models["churn-classifier"]
    assert shadow_weight(churn) == 10.0  # primary 100, sampling 10
    assert churn.shadow is not None
    uneven = dataclasses.replace(
        churn,
        primary=dataclasses.replace(churn.primary, percent=70),
        shadow=dataclasses.replace(churn.shadow, percent=30),
    )
    assert shadow_weight(uneven) == pytest.approx(21.0)
    third = dataclasses.replace(uneven, primary=dataclasses.replace(churn.primary, percent=90))
    assert shadow_weight(third) == pytest.approx(27.0)


# --- deployment_config: the rollout strategies -----------------------------------------------------


def test_all_at_once_has_no_deployment_config(stacks: Stacks) -> None:
    fraud = stacks.prod_models["fraud-detector"]
    assert deployment_config(rolled_out(fraud, Rollout(strategy="all_at_once")), ALARMS) is None


def test_rolling_replaces_batches_of_capacity_and_rolls_back_all_at_once(stacks: Stacks) -> None:
    model = rolled_out(
        stacks.prod_models["fraud-detector"],
        Rollout(strategy="rolling", rolling_batch_percent=15, wait_s=90, termination_wait_s=45),
    )
    assert deployment_config(model, ALARMS) == {
        "rolling_update_policy": {
            "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 15},
            "wait_interval_in_seconds": 90,
            "rollback_maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 100},
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": ALARMS[0]}, {"alarm_name": ALARMS[1]}]},
    }


def test_canary_shifts_its_percent_first_then_the_rest(stacks: Stacks) -> None:
    model = rolled_out(
        stacks.prod_models["fraud-detector"],
        Rollout(strategy="canary", canary_percent=7, linear_step_percent=30, wait_s=45, termination_wait_s=120),
    )
    assert deployment_config(model, ALARMS[:1]) == {
        "blue_green_update_policy": {
            "traffic_routing_configuration": {
                "type": "CANARY",
                "wait_interval_in_seconds": 45,
                "canary_size": {"type": "CAPACITY_PERCENT", "value": 7},
            },
            "termination_wait_in_seconds": 120,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": ALARMS[0]}]},
    }


def test_linear_shifts_equal_steps(stacks: Stacks) -> None:
    model = rolled_out(
        stacks.prod_models["fraud-detector"],
        Rollout(strategy="linear", canary_percent=7, linear_step_percent=30, wait_s=240, termination_wait_s=0),
    )
    assert deployment_config(model, ALARMS) == {
        "blue_green_update_policy": {
            "traffic_routing_configuration": {
                "type": "LINEAR",
                "wait_interval_in_seconds": 240,
                "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 30},
            },
            "termination_wait_in_seconds": 0,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": ALARMS[0]}, {"alarm_name": ALARMS[1]}]},
    }


def test_the_rollout_is_the_primarys(stacks: Stacks) -> None:
    """The prod fraud-detector's own rollout: linear steps of 25 percent, five minutes each."""
    fraud = stacks.prod_models["fraud-detector"]
    config = deployment_config(fraud, [])
    assert config is not None
    assert config["blue_green_update_policy"]["traffic_routing_configuration"] == {
        "type": "LINEAR",
        "wait_interval_in_seconds": 300,
        "linear_step_size": {"type": "CAPACITY_PERCENT", "value": 25},
    }
    assert config["auto_rollback_configuration"] == {"alarms": []}


# --- the async inference config ---------------------------------------------------------------------


def test_an_async_endpoint_writes_to_its_output_path_with_the_stacks_key(stacks: Stacks) -> None:
    forecaster = stacks.prod_models["demand-forecaster"]
    assert SageMakerEndpoint._async_config(forecaster, stacks.prod, "s3://b/async/out/") == {
        "output_config": {"s3_output_path": "s3://b/async/out/", "kms_key_id": PROD_KEY},
        "client_config": {"max_concurrent_invocations_per_instance": 4},
    }


def test_an_async_endpoint_without_a_concurrency_lets_sagemaker_choose(stacks: Stacks) -> None:
    forecaster = stacks.dev_models["demand-forecaster"]
    expected = {"output_config": {"s3_output_path": "s3://b/out/", "kms_key_id": None}}
    for section in (None, AsyncInference()):
        model = dataclasses.replace(forecaster, primary=serving(forecaster.primary, async_inference=section))
        assert SageMakerEndpoint._async_config(model, stacks.dev, "s3://b/out/") == expected


def test_only_an_async_endpoint_has_an_async_config(stacks: Stacks) -> None:
    for name in ("fraud-detector", "churn-classifier"):
        assert SageMakerEndpoint._async_config(stacks.prod_models[name], stacks.prod, "s3://b/out/") is None
    assert SageMakerEndpoint._async_config(stacks.dev_models["sentiment-api"], stacks.dev, None) is None
