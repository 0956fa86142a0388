"""What SageMakerEndpoint declares for one model (components/sagemaker_endpoint.py), read whole
from rendered plans: a Model per variant, the endpoint configuration, the endpoint and its
rollout, the rollback alarms, the scaling pause and resume around an update, and the target
tracking (or scale-from-zero) of each scaled variant.

The repository's prod stack serves a challenger (fraud-detector), a shadow (churn-classifier)
and an async model that scales from zero (demand-forecaster); dev serves a serverless model
(sentiment-api). One more prod render changes what those leave out: a challenger on local NVMe
storage with scaling of its own, an async model with no concurrency limit, and no alarm topic;
and one more dev render gives dev a KMS key, which a serverless endpoint does not take.
The pure functions the constructor calls are pinned by tests/test_endpoint_inputs.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from modelops.engine.plan import Plan, PlanResource
from modelops.engine.render import render
from tests.conftest import PROD_FRAUD_TAGS, copy_specs_and_stacks, edit_yaml

PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
XGBOOST_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
PROD_VPC = {"securityGroupIds": ["sg-1c2d3e4f"], "subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"]}
CAPTURE = {
    "captureContentTypeHeader": {"csvContentTypes": ["text/csv"], "jsonContentTypes": ["application/json"]},
    "captureOptions": [{"captureMode": "Input"}, {"captureMode": "Output"}],
    "enableCapture": True,
}
SCALABLE = {"scalableDimension": "sagemaker:variant:DesiredInstanceCount", "serviceNamespace": "sagemaker"}
INVOCATIONS = {"predefinedMetricSpecification": {"predefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """prod with fraud-detector's challenger on ml.m5d.xlarge (local NVMe storage) scaling
    between 2 and 4 on 400 invocations, demand-forecaster with no `async:` block, a copy of it
    named with the longest name allowed and challenged by its next version (both scaling from
    zero), and no alarm topic."""
    root = copy_specs_and_stacks(tmp_path_factory.mktemp("changed"))

    def nvme_challenger(spec: Any) -> None:
        spec["serving"]["instance_type"] = "ml.m5d.xlarge"
        spec["serving"]["autoscaling"] = {
            "min_instances": 2,
            "max_instances": 4,
            "target_invocations_per_instance": 400,
        }

    def renamed(spec: Any) -> None:
        spec["metadata"]["name"] = LONG_NAME
        spec["serving"]["rollout"] = {"strategy": "canary", "canary_percent": 10, "wait_s": 300}

    def long_named_async_challenger_and_no_topic(stack: Any) -> None:
        config = stack["config"]
        config.pop("modelops:alarmTopicArn")
        config["modelops:models"][LONG_NAME] = {
            "version": "1.0.0",
            "challenger": {"version": "1.1.0", "traffic_percent": 10},
        }

    edit_yaml(root / "model_specs/fraud-detector/3.1.0.yaml", nvme_challenger)
    shutil.copytree(root / "model_specs/demand-forecaster", root / "model_specs" / LONG_NAME)
    edit_yaml(root / "model_specs/demand-forecaster/1.0.0.yaml", lambda spec: spec["serving"].pop("async"))
    for version in ("1.0.0", "1.1.0"):
        edit_yaml(root / "model_specs" / LONG_NAME / f"{version}.yaml", renamed)
    edit_yaml(root / "stacks/Pulumi.prod.yaml", long_named_async_challenger_and_no_topic)
    return render(Path(root), "prod")


LONG_NAME = "demand-forecaster-for-warehouses"  # 32 characters, the most a model name has
DEV_KMS = "arn:aws:kms:eu-west-1:123456789012:key/0d0e0f10-1112-4314-8516-171819202122"


@pytest.fixture(scope="module")
def keyed_dev(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """dev with a stack key."""
    root = copy_specs_and_stacks(tmp_path_factory.mktemp("keyed"))
    edit_yaml(root / "stacks/Pulumi.dev.yaml", lambda stack: stack["config"].update({"modelops:kmsKeyArn": DEV_KMS}))
    return render(Path(root), "dev")


def resource(plan: Plan, name: str) -> PlanResource:
    (found,) = [r for r in plan.resources if r.name == name]
    return found


def dependencies(plan: Plan, found: PlanResource) -> list[str]:
    names = {r.urn: r.name for r in plan.resources}
    return [names[urn] for urn in found.dependencies]


def declared(plan: Plan, model: str) -> list[str]:
    """The names of the resources the model's SageMakerEndpoint declares, sorted."""
    component = resource(plan, f"{model}-serving")
    assert component.type == "modelops:serving:SageMakerEndpoint"
    return sorted(r.name for r in plan.resources if r.parent == component.urn)


def test_an_endpoint_with_a_challenger_declares_each_part_once(prod: Plan) -> None:
    assert declared(prod, "fraud-detector") == [
        f"fraud-detector-serving-{part}"
        for part in (
            "challenger-model",
            "challenger-scaling-policy",
            "challenger-scaling-target",
            "config",
            "endpoint",
            "primary-model",
            "rollback-5xx",
            "rollback-p99",
            "scaling-pause",
            "scaling-policy",
            "scaling-resume",
            "scaling-target",
        )
    ]


def test_each_variant_is_a_model_of_its_own_version(prod: Plan) -> None:
    for role, version, suffix in (("primary", "3.0.1", "38b4ed60"), ("challenger", "3.1.0", "b8563786")):
        model = resource(prod, f"fraud-detector-serving-{role}-model")
        assert model.inputs == {
            "name": f"fraud-detector-prod-v{version.replace('.', '-')}-{suffix}",
            "executionRoleArn": "arn:aws:iam::123456789012:role/modelops-fraud-detector-prod",
            "primaryContainer": {
                "environment": {"MODEL_SERVER_WORKERS": "2", "SAGEMAKER_PROGRAM": "serve.py"},
                "image": XGBOOST_IMAGE,
                "modelDataUrl": f"s3://acme-models/fraud-detector/{version}/model.tar.gz",
            },
            "enableNetworkIsolation": True,
            "vpcConfig": PROD_VPC,
            "tags": {**PROD_FRAUD_TAGS, "model-version": version},
        }
        assert dependencies(prod, model) == ["fraud-detector-governance-execution-role"]


def test_the_configuration_splits_traffic_and_captures_encrypted(prod: Plan) -> None:
    config = resource(prod, "fraud-detector-serving-config")
    assert config.inputs == {
        "name": "fraud-detector-prod-8b0b1a4a",
        "productionVariants": [
            {
                "initialInstanceCount": 2.0,
                "initialVariantWeight": 90.0,
                "instanceType": "ml.c5.xlarge",
                "modelName": "fraud-detector-prod-v3-0-1-38b4ed60",
                "variantName": "primary",
            },
            {
                "initialInstanceCount": 2.0,
                "initialVariantWeight": 10.0,
                "instanceType": "ml.c5.xlarge",
                "modelName": "fraud-detector-prod-v3-1-0-b8563786",
                "variantName": "challenger",
            },
        ],
        "kmsKeyArn": PROD_KMS,
        "dataCaptureConfig": {
            **CAPTURE,
            "destinationS3Uri": "s3://acme-ml-capture/data-capture/fraud-detector/",
            "initialSamplingPercentage": 50.0,
            "kmsKeyId": PROD_KMS,
        },
        "tags": PROD_FRAUD_TAGS,
    }
    assert sorted(dependencies(prod, config)) == [
        "fraud-detector-serving-challenger-model",
        "fraud-detector-serving-primary-model",
    ]


def test_a_shadow_is_a_shadow_variant_weighted_by_its_sampling(prod: Plan) -> None:
    config = resource(prod, "churn-classifier-serving-config").inputs
    assert config["productionVariants"] == [
        {
            "initialInstanceCount": 3.0,
            "initialVariantWeight": 100.0,
            "instanceType": "ml.m5.large",
            "modelName": "churn-classifier-prod-v1-2-0-1bfa8bce",
            "variantName": "primary",
        }
    ]
    assert config["shadowProductionVariants"] == [
        {
            "initialInstanceCount": 3.0,
            "initialVariantWeight": 10.0,
            "instanceType": "ml.m5.large",
            "modelName": "churn-classifier-prod-v1-3-0-aba5d348",
            "variantName": "shadow",
        }
    ]
    shadow = resource(prod, "churn-classifier-serving-shadow-model").inputs
    assert (shadow["name"], shadow["tags"]["model-version"]) == ("churn-classifier-prod-v1-3-0-aba5d348", "1.3.0")


def test_the_endpoint_rolls_out_linearly_watching_its_rollback_alarms(prod: Plan) -> None:
    endpoint = resource(prod, "fraud-detector-serving-endpoint")
    assert endpoint.inputs == {
        "name": "fraud-detector-prod",
        "endpointConfigName": "fraud-detector-prod-8b0b1a4a",
        "deploymentConfig": {
            "autoRollbackConfiguration": {
                "alarms": [
                    {"alarmName": "fraud-detector-prod-rollback-5xx-rate"},
                    {"alarmName": "fraud-detector-prod-rollback-p99-latency"},
                ]
            },
            "blueGreenUpdatePolicy": {
                "terminationWaitInSeconds": 0.0,
                "trafficRoutingConfiguration": {
                    "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 25.0},
                    "type": "LINEAR",
                    "waitIntervalInSeconds": 300.0,
                },
            },
        },
        "tags": {**PROD_FRAUD_TAGS, "endpoint-kind": "instances"},
    }
    assert endpoint.options == {"deleteBeforeReplace": True, "replaceOnChanges": ['tags["endpoint-kind"]']}
    assert dependencies(prod, endpoint) == ["fraud-detector-serving-config", "fraud-detector-serving-scaling-pause"]


def test_a_rollback_alarm_fires_on_the_worst_variant_and_notifies_the_topic(prod: Plan) -> None:
    alarm = resource(prod, "fraud-detector-serving-rollback-5xx")
    inputs = dict(alarm.inputs)
    queries = inputs.pop("metricQueries")
    assert inputs == {
        "name": "fraud-detector-prod-rollback-5xx-rate",
        "alarmDescription": "5xx error rate of a variant of fraud-detector-prod above 0.5%: rolls the deployment back",
        "comparisonOperator": "GreaterThanThreshold",
        "evaluationPeriods": 1.0,
        "threshold": 0.5,
        "treatMissingData": "notBreaching",
        "alarmActions": ["arn:aws:sns:eu-west-1:123456789012:ml-alarms"],
        "tags": PROD_FRAUD_TAGS,
    }
    assert [q["id"] for q in queries] == ["errors0", "invocations0", "errors1", "invocations1", "worst"]
    assert queries[-1]["expression"] == "MAX([100 * errors0 / invocations0, 100 * errors1 / invocations1])"
    latency = resource(prod, "fraud-detector-serving-rollback-p99").inputs
    assert (latency["name"], latency["threshold"]) == ("fraud-detector-prod-rollback-p99-latency", 120000.0)


def test_scaling_is_paused_before_the_update_and_resumed_after_it(prod: Plan) -> None:
    variants = {"challenger": "ml.c5.xlarge", "primary": "ml.c5.xlarge"}
    pause = resource(prod, "fraud-detector-serving-scaling-pause")
    assert pause.inputs == {
        "region": "eu-west-1",
        "endpointName": "fraud-detector-prod",
        "endpointConfigName": "fraud-detector-prod-8b0b1a4a",
        "variants": variants,
    }
    assert dependencies(prod, pause) == ["fraud-detector-serving-config"]
    resume = resource(prod, "fraud-detector-serving-scaling-resume")
    assert resume.inputs == {
        "region": "eu-west-1",
        "endpointName": "fraud-detector-prod",
        "variants": variants,
        "limits": {"challenger": [2.0, 10.0], "primary": [2.0, 10.0]},
    }
    assert dependencies(prod, resume) == ["fraud-detector-serving-endpoint"]


def test_each_variant_tracks_its_invocations_after_scaling_resumes(prod: Plan) -> None:
    for prefix, role, policy_name in (
        ("fraud-detector-serving", "primary", "fraud-detector-prod-invocations-target-tracking"),
        (
            "fraud-detector-serving-challenger",
            "challenger",
            "fraud-detector-prod-challenger-invocations-target-tracking",
        ),
    ):
        resource_id = f"endpoint/fraud-detector-prod/variant/{role}"
        target = resource(prod, f"{prefix}-scaling-target")
        assert target.inputs == {**SCALABLE, "resourceId": resource_id, "minCapacity": 2.0, "maxCapacity": 10.0}
        assert dependencies(prod, target) == [
            "fraud-detector-serving-endpoint",
            "fraud-detector-serving-scaling-resume",
        ]
        policy = resource(prod, f"{prefix}-scaling-policy")
        assert policy.inputs == {
            **SCALABLE,
            "name": policy_name,
            "policyType": "TargetTrackingScaling",
            "resourceId": resource_id,
            "targetTrackingScalingPolicyConfiguration": {
                **INVOCATIONS,
                "scaleInCooldown": 300.0,
                "scaleOutCooldown": 60.0,
                "targetValue": 1000.0,
            },
        }
        assert dependencies(prod, policy) == [f"{prefix}-scaling-target", "fraud-detector-serving-scaling-resume"]


def test_an_async_endpoint_scales_on_its_backlog_and_out_from_zero(prod: Plan) -> None:
    config = resource(prod, "demand-forecaster-serving-config").inputs
    assert config["asyncInferenceConfig"] == {
        "clientConfig": {"maxConcurrentInvocationsPerInstance": 4.0},
        "outputConfig": {
            "kmsKeyId": PROD_KMS,
            "s3OutputPath": "s3://modelops-123456789012-eu-west-1-prod/async/demand-forecaster/output/",
        },
    }
    tracking = resource(prod, "demand-forecaster-serving-scaling-policy").inputs
    assert tracking["targetTrackingScalingPolicyConfiguration"] == {
        "customizedMetricSpecification": {
            "dimensions": [{"name": "EndpointName", "value": "demand-forecaster-prod"}],
            "metricName": "ApproximateBacklogSizePerInstance",
            "namespace": "AWS/SageMaker",
            "statistic": "Average",
        },
        "scaleInCooldown": 300.0,
        "scaleOutCooldown": 60.0,
        "targetValue": 50.0,
    }
    wake = resource(prod, "demand-forecaster-serving-scale-from-zero-alarm").inputs
    assert {key: wake[key] for key in ("name", "alarmDescription", "metricName", "dimensions", "statistic")} == {
        "name": "demand-forecaster-prod-has-backlog-without-capacity",
        "alarmDescription": "requests wait for demand-forecaster-prod with no instance: scales out from zero",
        "metricName": "HasBacklogWithoutCapacity",
        "dimensions": {"EndpointName": "demand-forecaster-prod"},
        "statistic": "Average",
    }
    assert (wake["evaluationPeriods"], wake["datapointsToAlarm"]) == (2.0, 2.0)
    assert wake["tags"] == {
        "environment": "prod",
        "environment-owner": "platform",
        "managed-by": "modelops",
        "model": "demand-forecaster",
        "model-version": "1.0.0",
        "owner": "supply-ml@example.com",
    }
    step = resource(prod, "demand-forecaster-serving-scale-from-zero-policy").inputs
    assert step["name"] == "demand-forecaster-prod-has-backlog-without-capacity"
    assert step["stepScalingPolicyConfiguration"]["cooldown"] == 300.0
    assert wake["alarmActions"] == [
        "arn:aws:appautoscaling:eu-west-1:123456789012:policy/demand-forecaster-prod-has-backlog-without-capacity"
    ]


def test_an_endpoint_scaling_above_zero_has_no_wake_up(prod: Plan) -> None:
    assert not [name for name in declared(prod, "churn-classifier") if "from-zero" in name]


def test_a_serverless_endpoint_has_no_key_no_capture_and_no_scaling(dev: Plan) -> None:
    assert declared(dev, "sentiment-api") == [
        f"sentiment-api-serving-{part}"
        for part in ("config", "endpoint", "primary-model", "scaling-pause", "scaling-resume")
    ]
    config = resource(dev, "sentiment-api-serving-config").inputs
    assert config == {
        "name": "sentiment-api-dev-87505030",
        "productionVariants": [
            {
                "initialVariantWeight": 100.0,
                "modelName": "sentiment-api-dev-v0-2-0-fb5ecf4d",
                "serverlessConfig": {"maxConcurrency": 20.0, "memorySizeInMb": 4096.0},
                "variantName": "primary",
            }
        ],
        "tags": {
            "environment": "dev",
            "environment-owner": "platform",
            "managed-by": "modelops",
            "model": "sentiment-api",
            "model-version": "0.2.0",
            "owner": "support-ml@example.com",
        },
    }
    endpoint = resource(dev, "sentiment-api-serving-endpoint").inputs
    assert endpoint["tags"]["endpoint-kind"] == "serverless"
    assert "deploymentConfig" not in endpoint
    assert resource(dev, "sentiment-api-serving-scaling-resume").inputs["variants"] == {}


def test_a_variant_on_local_nvme_storage_takes_the_configuration_key_away(changed: Plan) -> None:
    config = resource(changed, "fraud-detector-serving-config").inputs
    # AWS refuses a KMS key for instances with local NVMe storage (modelops.aws.instance_storage);
    # captured data in S3 is still encrypted with the stack's key.
    assert "kmsKeyArn" not in config
    assert config["dataCaptureConfig"]["kmsKeyId"] == PROD_KMS
    assert [v["instanceType"] for v in config["productionVariants"]] == ["ml.c5.xlarge", "ml.m5d.xlarge"]


def test_a_challenger_scales_on_its_own_settings(changed: Plan) -> None:
    target = resource(changed, "fraud-detector-serving-challenger-scaling-target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2.0, 4.0)
    policy = resource(changed, "fraud-detector-serving-challenger-scaling-policy").inputs
    assert policy["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 400.0
    primary = resource(changed, "fraud-detector-serving-scaling-target").inputs
    assert (primary["minCapacity"], primary["maxCapacity"]) == (2.0, 10.0)
    resume = resource(changed, "fraud-detector-serving-scaling-resume").inputs
    assert resume["limits"] == {"challenger": [2.0, 4.0], "primary": [2.0, 10.0]}


def test_without_an_alarm_topic_a_rollback_alarm_notifies_no_one(changed: Plan) -> None:
    assert resource(changed, "fraud-detector-serving-rollback-5xx").inputs["alarmActions"] == []


def test_an_async_endpoint_without_a_concurrency_limit_has_no_client_config(changed: Plan) -> None:
    config = resource(changed, "demand-forecaster-serving-config").inputs
    assert config["asyncInferenceConfig"] == {
        "outputConfig": {
            "kmsKeyId": PROD_KMS,
            "s3OutputPath": "s3://modelops-123456789012-eu-west-1-prod/async/demand-forecaster/output/",
        }
    }


def test_an_endpoint_with_capture_off_captures_nothing(dev: Plan) -> None:
    config = resource(dev, "sentiment-hf-serving-config").inputs
    assert sorted(config) == ["name", "productionVariants", "tags"]


def test_a_serverless_endpoint_takes_no_key_where_instances_do(keyed_dev: Plan) -> None:
    assert "kmsKeyArn" not in resource(keyed_dev, "sentiment-api-serving-config").inputs
    assert resource(keyed_dev, "fraud-detector-serving-config").inputs["kmsKeyArn"] == DEV_KMS


def test_a_challenger_scales_out_from_zero_under_names_of_its_own(changed: Plan) -> None:
    prefix = f"{LONG_NAME}-serving"
    assert [name for name in declared(changed, LONG_NAME) if "scal" in name] == [
        f"{prefix}-challenger-scale-from-zero-alarm",
        f"{prefix}-challenger-scale-from-zero-policy",
        f"{prefix}-challenger-scaling-policy",
        f"{prefix}-challenger-scaling-target",
        f"{prefix}-scale-from-zero-alarm",
        f"{prefix}-scale-from-zero-policy",
        f"{prefix}-scaling-pause",
        f"{prefix}-scaling-policy",
        f"{prefix}-scaling-resume",
        f"{prefix}-scaling-target",
    ]
    # Application Auto Scaling and CloudWatch take names of up to 255 characters: not cut to
    # SageMaker's 63 (modelops.aws.naming.bounded).
    names = {
        resource(changed, f"{prefix}-{part}").inputs["name"]
        for part in (
            "challenger-scaling-policy",
            "challenger-scale-from-zero-policy",
            "challenger-scale-from-zero-alarm",
        )
    }
    assert names == {
        f"{LONG_NAME}-prod-challenger-invocations-target-tracking",
        f"{LONG_NAME}-prod-challenger-has-backlog-without-capacity",
    }
    wake = resource(changed, f"{prefix}-challenger-scale-from-zero-alarm").inputs
    assert wake["tags"]["model"] == LONG_NAME
