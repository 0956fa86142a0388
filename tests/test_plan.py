"""The rendered resources: recorded inputs of every component, read as a reviewer would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelops.engine.plan import Plan
from modelops.engine.render import render
from tests.conftest import REPO_ROOT, edit_yaml, problems, read_yaml, spec_path, write_yaml

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return render(REPO_ROOT, "prod")


def test_prod_plan_has_no_violations(prod: Plan) -> None:
    assert prod.violations == []
    assert {m["name"] for m in prod.models} == {
        "churn-classifier",
        "fraud-detector",
        "demand-forecaster",
        "intent-classifier",
        "language-detector",
        "toxicity-filter",
    }


def test_guardrails_and_rollback_alarms(prod: Plan) -> None:
    endpoint = prod.one(ENDPOINT, "fraud-detector-serving-endpoint").inputs
    policy = endpoint["deploymentConfig"]["blueGreenUpdatePolicy"]
    assert policy["trafficRoutingConfiguration"]["type"] == "LINEAR"
    assert policy["trafficRoutingConfiguration"]["linearStepSize"] == {"type": "CAPACITY_PERCENT", "value": 25}
    alarms = {a["alarmName"] for a in endpoint["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]}
    created = {r.inputs["name"] for r in prod.by_type(ALARM) if r.name.startswith("fraud-detector-serving")}
    assert alarms == created == {"fraud-detector-prod-rollback-5xx-rate", "fraud-detector-prod-rollback-p99-latency"}
    p99 = prod.one(ALARM, "fraud-detector-serving-rollback-p99").inputs
    assert p99["threshold"] == 120_000  # 120 ms in microseconds
    assert p99["alarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:ml-alarms"]
    canary = prod.one(ENDPOINT, "churn-classifier-serving-endpoint").inputs["deploymentConfig"]["blueGreenUpdatePolicy"]
    assert canary["trafficRoutingConfiguration"]["canarySize"]["value"] == 10
    assert canary["terminationWaitInSeconds"] == 300
    rolling = prod.one(ENDPOINT, "demand-forecaster-serving-endpoint").inputs["deploymentConfig"]
    assert rolling["rollingUpdatePolicy"]["maximumBatchSize"] == {"type": "CAPACITY_PERCENT", "value": 50}


def test_endpoint_configuration(prod: Plan) -> None:
    config = prod.one(CONFIG, "fraud-detector-serving-config").inputs
    variants = {v["variantName"]: v for v in config["productionVariants"]}
    assert variants["primary"]["initialVariantWeight"] == 90 and variants["challenger"]["initialVariantWeight"] == 10
    assert variants["primary"]["initialInstanceCount"] == 2
    assert config["kmsKeyArn"] == PROD_KMS
    capture = config["dataCaptureConfig"]
    assert capture["initialSamplingPercentage"] == 50 and capture["kmsKeyId"] == PROD_KMS
    assert capture["destinationS3Uri"] == "s3://acme-ml-capture/data-capture/fraud-detector/"
    shadow = prod.one(CONFIG, "churn-classifier-serving-config").inputs["shadowProductionVariants"]
    assert shadow[0]["variantName"] == "shadow" and shadow[0]["initialVariantWeight"] == 10  # 10% of weight 100
    async_config = prod.one(CONFIG, "demand-forecaster-serving-config").inputs["asyncInferenceConfig"]
    assert async_config["clientConfig"]["maxConcurrentInvocationsPerInstance"] == 4
    assert async_config["outputConfig"]["kmsKeyId"] == PROD_KMS


def test_models_vpc_isolation_and_images(prod: Plan) -> None:
    fraud = prod.one(MODEL, "fraud-detector-serving-primary-model").inputs
    assert fraud["enableNetworkIsolation"] is True  # confidential data
    assert fraud["vpcConfig"] == {
        "subnets": ["subnet-1a2b3c4d", "subnet-5e6f7a8b"],
        "securityGroupIds": ["sg-1c2d3e4f"],
    }
    assert fraud["primaryContainer"]["image"].endswith(".amazonaws.com/sagemaker-xgboost:1.7-1")
    churn = prod.one(MODEL, "churn-classifier-serving-primary-model").inputs
    assert churn["primaryContainer"]["modelPackageName"].endswith(":model-package/churn-classifier/7")
    assert churn["primaryContainer"]["environment"]["CRM_TOKEN_SECRET_ARN"].startswith("arn:aws:secretsmanager:")


def test_autoscaling(prod: Plan) -> None:
    target = prod.one("aws:appautoscaling/target:Target", "churn-classifier-serving-scaling-target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (3, 12)  # the prod override
    assert target["resourceId"] == "endpoint/churn-classifier-prod/variant/primary"
    policy = prod.one("aws:appautoscaling/policy:Policy", "churn-classifier-serving-scaling-policy").inputs
    assert policy["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 700


def test_tags_on_every_taggable_resource(prod: Plan) -> None:
    for resource in prod.resources:
        if resource.custom and "tags" in resource.inputs and resource.type != "aws:s3/bucket:Bucket":
            tags = resource.inputs["tags"]
            # A pool's resources serve several models: they name the pool instead.
            keys = ("pool",) if resource.name.startswith("pool-") else ("owner", "model", "model-version")
            for key in (*keys, "environment", "managed-by"):
                assert tags.get(key), f"{resource.name} lacks tag {key}"
            assert tags["environment-owner"] == "platform"


def test_iam_is_least_privilege(prod: Plan) -> None:
    for role in prod.by_type(ROLE):
        assert role.inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/ml-boundary"
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    for policy in prod.by_type(POLICY):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            assert all(a != "*" and not a.endswith(":*") for a in statement["Action"]), statement
            if statement["Resource"] == ["*"]:
                assert statement["Sid"] in {"EndpointMetrics", "MonitorMetrics", "EcrLogin", "VpcDescribe"}, statement
    fraud = json.loads(prod.one(POLICY, "fraud-detector-governance-execution-policy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in fraud["Statement"]}
    assert by_sid["ReadModelArtifact"]["Resource"] == [
        "arn:aws:s3:::acme-models/fraud-detector/3.0.1/model.tar.gz",
        "arn:aws:s3:::acme-models/fraud-detector/3.1.0/model.tar.gz",
    ]
    assert by_sid["UseStackKey"]["Resource"] == [PROD_KMS]
    assert by_sid["WriteCaptureAndOutput"]["Resource"] == ["arn:aws:s3:::acme-ml-capture/data-capture/fraud-detector/*"]
    assert "ReadSecrets" not in by_sid
    churn = {
        s["Sid"]: s
        for s in json.loads(prod.one(POLICY, "churn-classifier-governance-execution-policy").inputs["policy"])[
            "Statement"
        ]
    }
    assert churn["ReadSecrets"]["Resource"] == ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"]


def test_model_card_follows_risk(prod: Plan) -> None:
    card = prod.one("pulumi-python:dynamic/sagemaker:ModelCard", "fraud-detector-governance-model-card").inputs
    content = json.loads(card["content"])
    assert content["intended_uses"]["risk_rating"] == "High"
    assert card["modelCardStatus"] == "Approved"
    assert card["securityConfig"]["kmsKeyId"] == PROD_KMS


def test_version_bump_keeps_endpoint_and_renames_model_and_config(project: Path) -> None:
    before = render(project, "prod")
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.0.0"),
        lambda d: d["model"].update({"environment": {"FORECAST_HORIZON_WEEKS": 20}}),
    )
    changed = render(project, "prod")
    stack = project / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(stack.read_text().replace("demand-forecaster: 1.0.0", "demand-forecaster: 1.1.0"))
    bumped = render(project, "prod")
    for plan in (changed, bumped):
        assert plan.one(ENDPOINT, "demand-forecaster-serving-endpoint").inputs["name"] == "demand-forecaster-prod"
        for kind, name in (
            (MODEL, "demand-forecaster-serving-primary-model"),
            (CONFIG, "demand-forecaster-serving-config"),
        ):
            assert plan.one(kind, name).inputs["name"] != before.one(kind, name).inputs["name"]
    assert (
        bumped.one(ENDPOINT, "demand-forecaster-serving-endpoint").inputs["endpointConfigName"]
        == bumped.one(CONFIG, "demand-forecaster-serving-config").inputs["name"]
    )
    # untouched models keep their names
    assert (
        bumped.one(MODEL, "fraud-detector-serving-primary-model").inputs["name"]
        == before.one(MODEL, "fraud-detector-serving-primary-model").inputs["name"]
    )


def test_dev_plan_relaxes_and_creates_the_stack_bucket() -> None:
    dev = render(REPO_ROOT, "dev")
    assert dev.one(ENDPOINT, "churn-classifier-serving-endpoint").inputs.get("deploymentConfig") is None
    bucket = dev.one("aws:s3/bucket:Bucket", "stack-bucket-bucket").inputs["bucket"]
    assert bucket == "modelops-123456789012-eu-west-1-dev"
    encryption = dev.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "stack-bucket-encryption",
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    serverless = dev.one(CONFIG, "sentiment-api-serving-config").inputs["productionVariants"][0]
    assert serverless["serverlessConfig"] == {"memorySizeInMb": 4096, "maxConcurrency": 20}
    assert "kmsKeyArn" not in dev.one(CONFIG, "sentiment-api-serving-config").inputs


def test_local_nvme_instances_take_no_kms_key(project: Path) -> None:
    """AWS rejects KmsKeyId for instance types with local NVMe storage (hardware-encrypted)."""
    for version in ("1.2.0", "1.3.0"):
        edit_yaml(
            spec_path(project, "churn-classifier", version),
            lambda d: d["serving"].update({"instance_type": "ml.g5.xlarge"}),
        )
    edit_yaml(
        spec_path(project, "fraud-detector", "3.0.1"),
        lambda d: d["monitoring"].update({"instance_type": "ml.r5d.xlarge"}),  # a processing type with NVMe
    )
    plan = render(project, "prod")
    assert plan.violations == []
    assert "kmsKeyArn" not in plan.one(CONFIG, "churn-classifier-serving-config").inputs
    assert plan.one(CONFIG, "fraud-detector-serving-config").inputs["kmsKeyArn"] == PROD_KMS
    [bias] = [r for r in plan.by_type("pulumi-python:dynamic/sagemaker:MonitoringJobDefinition") if "bias" in r.name]
    assert "VolumeKmsKeyId" not in bias.inputs["definition"]["JobResources"]["ClusterConfig"]
    assert bias.inputs["definition"]["ModelBiasJobOutputConfig"]["KmsKeyId"] == PROD_KMS  # S3 output still uses it


def test_a_shadow_on_local_nvme_storage_takes_the_endpoints_kms_key_away(project: Path) -> None:
    """The endpoint configuration's key is for every instance of the endpoint, its shadow's too,
    and AWS refuses one where any has local NVMe storage: the plan leaves it out, and its rule agrees."""
    edit_yaml(
        spec_path(project, "churn-classifier", "1.3.0"),  # prod's shadow of 1.2.0
        lambda d: d["serving"].update({"instance_type": "ml.m5d.xlarge"}),
    )
    plan = render(project, "prod")
    assert plan.violations == []
    config = plan.one(CONFIG, "churn-classifier-serving-config").inputs
    assert config["shadowProductionVariants"][0]["instanceType"] == "ml.m5d.xlarge"
    assert "kmsKeyArn" not in config


def test_challenger_scales_on_its_own_settings(prod: Plan) -> None:
    targets = {r.inputs["resourceId"]: r.inputs for r in prod.by_type("aws:appautoscaling/target:Target")}
    challenger = targets["endpoint/fraud-detector-prod/variant/challenger"]
    assert (challenger["minCapacity"], challenger["maxCapacity"]) == (2, 10)  # fraud-detector 3.1.0's autoscaling
    assert "endpoint/fraud-detector-prod/variant/primary" in targets
    assert not [t for t in targets if t.endswith("/variant/shadow")]


def test_async_output_goes_to_the_stacks_bucket_and_the_role_reads_only_its_input(prod: Plan) -> None:
    bucket = "modelops-123456789012-eu-west-1-prod"
    output = prod.one(CONFIG, "demand-forecaster-serving-config").inputs["asyncInferenceConfig"]["outputConfig"]
    assert output == {"s3OutputPath": f"s3://{bucket}/async/demand-forecaster/output/", "kmsKeyId": PROD_KMS}
    policy = json.loads(prod.one(POLICY, "demand-forecaster-governance-execution-policy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["WriteCaptureAndOutput"]["Resource"] == [
        "arn:aws:s3:::acme-ml-capture/data-capture/demand-forecaster/*",
        f"arn:aws:s3:::{bucket}/async/demand-forecaster/output/*",
    ]
    # data_access.s3_read, and for an async endpoint its input prefix: nothing else.
    assert by_sid["ReadData"]["Resource"] == [
        "arn:aws:s3:::acme-features/demand/*",
        f"arn:aws:s3:::{bucket}/async/demand-forecaster/input/*",
    ]


def test_the_longest_model_name_fits_every_name_derived_from_it(project: Path) -> None:
    """A model name is at most 32 characters so that every AWS name derived from it, with the
    longest environment and its suffixes, stays within AWS's limits (SageMaker's 63)."""
    longest = "churn-classifier-with-a-long-nam"
    data = read_yaml(spec_path(project, version="1.3.0"))
    data["metadata"]["name"] = longest
    data["features"]["groups"] = []  # churn-classifier owns them
    write_yaml(spec_path(project, longest, "1.3.0"), data)
    stack = project / "stacks" / "Pulumi.staging.yaml"
    edit_yaml(stack, lambda d: d["config"]["modelops:models"].__setitem__(longest, "1.3.0"))
    assert problems(project) == []
    staging = render(project, "staging")
    assert staging.violations == []
    named = [(r.type, r.inputs["name"]) for r in staging.resources if longest in str(r.inputs.get("name", ""))]
    # Within each type's limit, and none cut short: a cut name loses its environment or its
    # suffix, and two resources could end up with the same one.
    limits = {"sagemaker": 63, "iam/role": 64, "eventRule": 64, "metricAlarm": 255, "appautoscaling": 255}
    kinds = {kind for kind in limits for type_, _ in named if kind in type_}
    assert kinds == set(limits)
    for type_, name in named:
        assert len(name) <= next(limit for kind, limit in limits.items() if kind in type_), name
        assert f"{longest}-staging" in name, name
    assert len(set(named)) == len(named)
    assert ("aws:sagemaker/endpoint:Endpoint", f"{longest}-staging") in named
    assert ("aws:sagemaker/model:Model", f"{longest}-staging-v1-3-0") in [(t, n[:-9]) for t, n in named]
    assert ("aws:iam/role:Role", f"modelops-{longest}-staging-monitor") in named
