"""What ModelDeployment composes for one model (components/model_deployment.py), read from the
repository's rendered dev and prod stacks: which components it declares for each kind of
serving, the least-privilege scope it hands to Governance or to the pods' identity (each role
policy compared whole with the policy of the scope written out here; the builders themselves
are pinned by tests/test_execution_role_policy.py), where capture, async output, monitoring
and offline feature data go, and what the stack exports. One more dev render adds what the
repository's stacks leave out: a VPC in dev (where a serverless model stays outside it), and a
challenger whose image, secrets and data differ from its primary's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelops.aws.iam import (
    ExecutionRoleScope,
    FeatureGroupRoleScope,
    execution_role_policy,
    feature_group_role_policy,
    workload_role_policy,
)
from modelops.engine.plan import Plan, PlanResource
from modelops.engine.render import render
from tests.conftest import PROD_FRAUD_TAGS, copy_specs_and_stacks, edit_yaml

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROD_KMS = "arn:aws:kms:eu-west-1:123456789012:key/9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"
PROD_VPC = {"subnet_ids": ("subnet-1a2b3c4d", "subnet-5e6f7a8b"), "security_group_ids": ("sg-1c2d3e4f",)}
XGBOOST_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
DEV_BUCKET = "modelops-123456789012-eu-west-1-dev"
PROD_BUCKET = "modelops-123456789012-eu-west-1-prod"
GOVERNANCE = "modelops:governance:Governance"
ENDPOINT = "modelops:serving:SageMakerEndpoint"
COMPONENT = "modelops:serving:SageMakerComponent"
MONITORING = "modelops:monitoring:Monitoring"
FEATURE_GROUP = "modelops:featurestore:FeatureGroup"
GOVERNED = ("execution-role", "execution-policy", "model-card")


PRIMARY_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:3.0.1"


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """prod with fraud-detector 3.0.1 on an image of its own, reading an S3 prefix its challenger
    does not and churn-classifier's feature group; churn-classifier's shadow reading no secret;
    demand-forecaster capturing data with no monitor."""
    root = copy_specs_and_stacks(tmp_path_factory.mktemp("changed"))

    def own_image_and_data(spec: Any) -> None:
        for key in ("framework", "framework_version"):
            spec["model"].pop(key)
        spec["model"]["image"] = PRIMARY_IMAGE
        spec["governance"]["data_access"] = {"s3_read": ["s3://acme-features/fraud/"]}
        spec["features"]["reads"] = ["customer-profile"]

    edit_yaml(root / "model_specs/fraud-detector/3.0.1.yaml", own_image_and_data)
    edit_yaml(root / "model_specs/churn-classifier/1.3.0.yaml", lambda spec: spec["model"].pop("secrets"))
    edit_yaml(root / "model_specs/demand-forecaster/1.0.0.yaml", lambda spec: spec.pop("monitoring"))
    return render(root, "prod")


def resource(plan: Plan, name: str) -> PlanResource:
    (found,) = [r for r in plan.resources if r.name == name]
    return found


def children(plan: Plan, model: str) -> list[tuple[str, str, list[str]]]:
    """The components a ModelDeployment declares, by name: type, name, and the names it waits for."""
    deployment = resource(plan, model)
    assert deployment.type == "modelops:index:ModelDeployment"
    names = {r.urn: r.name for r in plan.resources}
    return sorted(
        ((r.type, r.name, [names[d] for d in r.dependencies]) for r in plan.resources if r.parent == deployment.urn),
        key=lambda child: child[1],
    )


def policy(plan: Plan, name: str) -> Any:
    return json.loads(resource(plan, name).inputs["policy"])


def scope(**fields: Any) -> ExecutionRoleScope:
    return ExecutionRoleScope(partition="aws", region=REGION, account=ACCOUNT, **fields)


def alarm(name: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"


def test_a_model_with_an_endpoint_of_its_own_gets_governance_serving_monitoring_and_its_groups(prod: Plan) -> None:
    governed = [f"fraud-detector-governance-{part}" for part in GOVERNED]
    assert children(prod, "fraud-detector") == [
        (GOVERNANCE, "fraud-detector-governance", []),
        (MONITORING, "fraud-detector-monitoring", []),
        (FEATURE_GROUP, "fraud-detector-payments-history-prod", []),
        (ENDPOINT, "fraud-detector-serving", governed),
    ]
    # A group is declared by the model that owns it, not by the models reading it.
    assert [name for kind, name, _ in children(prod, "churn-classifier") if kind == FEATURE_GROUP] == [
        "churn-classifier-customer-profile-prod"
    ]


def test_the_execution_role_of_an_endpoint_model_reaches_exactly_its_scope(prod: Plan) -> None:
    expected = scope(
        endpoint_name="fraud-detector-prod",
        images=(XGBOOST_IMAGE, XGBOOST_IMAGE),
        model_objects=(
            "s3://acme-models/fraud-detector/3.0.1/model.tar.gz",
            "s3://acme-models/fraud-detector/3.1.0/model.tar.gz",
        ),
        kms_key_arn=PROD_KMS,
        capture_prefix="s3://acme-ml-capture/data-capture/fraud-detector/",
        rollback_alarms=(
            alarm("fraud-detector-prod-rollback-5xx-rate"),
            alarm("fraud-detector-prod-rollback-p99-latency"),
        ),
        **PROD_VPC,
    )
    assert policy(prod, "fraud-detector-governance-execution-policy") == execution_role_policy(expected)


def test_a_registry_model_reads_its_secrets_its_data_and_the_groups_it_reads(prod: Plan) -> None:
    expected = scope(
        endpoint_name="churn-classifier-prod",
        images=(),
        secrets=("arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf",),
        kms_key_arn=PROD_KMS,
        capture_prefix="s3://acme-ml-capture/data-capture/churn-classifier/",
        s3_read=("s3://acme-features/churn/",),
        feature_group_reads=(f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:feature-group/payments-history-prod",),
        rollback_alarms=(
            alarm("churn-classifier-prod-rollback-5xx-rate"),
            alarm("churn-classifier-prod-rollback-p99-latency"),
        ),
        **PROD_VPC,
    )
    # Its images and artifacts are its package's, which the render cannot look up (no registry):
    # the role then pulls nothing, and the rehearsal's CreateModel is what would fail.
    assert policy(prod, "churn-classifier-governance-execution-policy") == execution_role_policy(expected)


def test_an_async_model_writes_its_output_and_reads_its_input_under_the_default_bucket(prod: Plan) -> None:
    expected = scope(
        endpoint_name="demand-forecaster-prod",
        images=("123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-forecaster:1.0.0",),
        model_objects=("s3://acme-models/demand-forecaster/1.0.0/model.tar.gz",),
        kms_key_arn=PROD_KMS,
        capture_prefix="s3://acme-ml-capture/data-capture/demand-forecaster/",
        async_output_prefix=f"s3://{PROD_BUCKET}/async/demand-forecaster/output/",
        async_input_prefix=f"s3://{PROD_BUCKET}/async/demand-forecaster/input/",
        s3_read=("s3://acme-features/demand/",),
        rollback_alarms=(alarm("demand-forecaster-prod-rollback-5xx-rate"),),
        **PROD_VPC,
    )
    assert policy(prod, "demand-forecaster-governance-execution-policy") == execution_role_policy(expected)
    config = resource(prod, "demand-forecaster-serving-config").inputs
    assert config["asyncInferenceConfig"]["outputConfig"]["s3OutputPath"] == expected.async_output_prefix


def test_a_pool_member_logs_as_its_component_and_captures_nothing_of_its_own(prod: Plan) -> None:
    governed = [f"intent-classifier-governance-{part}" for part in GOVERNED]
    assert children(prod, "intent-classifier") == [
        (GOVERNANCE, "intent-classifier-governance", []),
        (COMPONENT, "intent-classifier-serving", governed),
    ]
    expected = scope(
        endpoint_name=None,
        images=("123456789012.dkr.ecr.eu-west-1.amazonaws.com/intent-classifier:1.0.0",),
        model_objects=("s3://acme-models/intent-classifier/1.0.0/model.tar.gz",),
        kms_key_arn=PROD_KMS,
        # The component's own alarms, not an endpoint's (modelops.aws.rollback_alarms).
        rollback_alarms=(alarm("intent-classifier-prod-component-rollback-5xx-rate"),),
        inference_components=("intent-classifier-prod-ea85f88c",),
        **PROD_VPC,
    )
    assert policy(prod, "intent-classifier-governance-execution-policy") == execution_role_policy(expected)
    # The Model's name hashes its inputs, the role's name among them (sagemaker_endpoint.model_inputs).
    model = resource(prod, "intent-classifier-serving-model").inputs
    assert (model["name"], model["executionRoleArn"]) == (
        "intent-classifier-prod-v1-0-0-4459aafd",
        "arn:aws:iam::123456789012:role/modelops-intent-classifier-prod",
    )
    assert prod.outputs["components"]["intent-classifier"] == {
        "pool": "shared-cpu",
        "endpoint": "shared-cpu-prod",
        "name": "intent-classifier-prod-ea85f88c",
    }


def test_a_dev_model_captures_and_is_monitored_under_the_default_bucket_outside_any_vpc(dev: Plan) -> None:
    expected = scope(
        endpoint_name="fraud-detector-dev",
        images=(XGBOOST_IMAGE,),
        model_objects=("s3://acme-models/fraud-detector/3.1.0/model.tar.gz",),
        capture_prefix=f"s3://{DEV_BUCKET}/data-capture/fraud-detector/",
    )
    assert policy(dev, "fraud-detector-governance-execution-policy") == execution_role_policy(expected)
    capture = resource(dev, "fraud-detector-serving-config").inputs["dataCaptureConfig"]
    assert capture["destinationS3Uri"] == expected.capture_prefix
    job = resource(dev, "fraud-detector-monitoring-data-quality-job").inputs
    assert job["dataQualityJobOutputConfig"]["monitoringOutputs"]["s3Output"]["s3Uri"] == (
        f"s3://{DEV_BUCKET}/monitoring/fraud-detector/data_quality/"
    )
    store = resource(dev, "fraud-detector-payments-history-dev-group").inputs["offlineStoreConfig"]
    assert store["s3StorageConfig"]["s3Uri"] == f"s3://{DEV_BUCKET}/feature-store/payments-history-dev"


def test_prod_monitoring_and_offline_stores_use_the_stacks_own_buckets(prod: Plan) -> None:
    job = resource(prod, "fraud-detector-monitoring-data-quality-job").inputs
    assert job["dataQualityJobOutputConfig"]["monitoringOutputs"]["s3Output"]["s3Uri"] == (
        "s3://acme-ml-monitoring/monitoring/fraud-detector/data_quality/"
    )
    endpoint_input = job["dataQualityJobInput"]["endpointInput"]
    assert endpoint_input["endpointName"] == "fraud-detector-prod"
    store = resource(prod, "fraud-detector-payments-history-prod-group").inputs["offlineStoreConfig"]
    assert store["s3StorageConfig"]["s3Uri"] == "s3://acme-ml-features/feature-store/payments-history-prod"
    group_scope = FeatureGroupRoleScope(
        partition="aws",
        region=REGION,
        account=ACCOUNT,
        group_name="payments-history-prod",
        offline_s3_uri="s3://acme-ml-features/feature-store/payments-history-prod",
        kms_key_arn=PROD_KMS,
    )
    assert policy(prod, "fraud-detector-payments-history-prod-store-policy") == feature_group_role_policy(group_scope)
    trust = json.loads(resource(prod, "fraud-detector-payments-history-prod-store-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_a_serverless_model_captures_nothing_so_is_not_monitored(dev: Plan) -> None:
    governed = [f"sentiment-api-governance-{part}" for part in GOVERNED]
    assert children(dev, "sentiment-api") == [
        (GOVERNANCE, "sentiment-api-governance", []),
        (ENDPOINT, "sentiment-api-serving", governed),
    ]
    statements = policy(dev, "sentiment-api-governance-execution-policy")["Statement"]
    assert not [s for s in statements if s["Sid"].startswith(("WriteDataCapture", "Vpc"))]


@pytest.mark.parametrize(
    ("model", "kind", "objects", "lists"),
    [
        (
            "reviews-kserve",
            "modelops:kubernetes:KServeService",
            (
                "s3://acme-models/reviews-kserve/1.0.0/model.tar.gz",
                "s3://acme-models/reviews-kserve/1.1.0/model.tar.gz",
            ),
            True,
        ),
        (
            "image-embedder",
            "modelops:kubernetes:Deployment",
            ("s3://acme-models/image-embedder/1.0.0/model.tar.gz",),
            False,
        ),
    ],
)
def test_a_kubernetes_model_gets_its_card_an_identity_and_its_runtime(
    dev: Plan, model: str, kind: str, objects: tuple[str, ...], lists: bool
) -> None:
    assert children(dev, model) == [
        (GOVERNANCE, f"{model}-governance", []),
        ("modelops:kubernetes:Identity", f"{model}-identity", []),
        (kind, f"{model}-serving", []),
    ]
    # The pods read the artifacts themselves; the scope has no images, capture or key.
    expected = workload_role_policy(scope(endpoint_name=f"{model}-dev", model_objects=objects), list_artifacts=lists)
    assert policy(dev, f"{model}-identity-policy") == expected
    assert model not in dev.outputs["endpoints"]


def test_the_stack_exports_each_own_endpoint_and_nothing_for_the_others(prod: Plan, dev: Plan) -> None:
    assert prod.outputs["endpoints"] == {
        "churn-classifier": "churn-classifier-prod",
        "fraud-detector": "fraud-detector-prod",
        "demand-forecaster": "demand-forecaster-prod",
    }
    assert sorted(dev.outputs["endpoints"]) == [
        "churn-classifier",
        "demand-forecaster",
        "fraud-detector",
        "sentiment-api",
        "sentiment-hf",
    ]


def test_every_variants_images_and_data_are_in_the_role(changed: Plan) -> None:
    expected = scope(
        endpoint_name="fraud-detector-prod",
        images=(PRIMARY_IMAGE, XGBOOST_IMAGE),
        model_objects=(
            "s3://acme-models/fraud-detector/3.0.1/model.tar.gz",
            "s3://acme-models/fraud-detector/3.1.0/model.tar.gz",
        ),
        kms_key_arn=PROD_KMS,
        capture_prefix="s3://acme-ml-capture/data-capture/fraud-detector/",
        s3_read=("s3://acme-features/fraud/",),
        feature_group_reads=("arn:aws:sagemaker:eu-west-1:123456789012:feature-group/customer-profile-prod",),
        rollback_alarms=(
            alarm("fraud-detector-prod-rollback-5xx-rate"),
            alarm("fraud-detector-prod-rollback-p99-latency"),
        ),
        **PROD_VPC,
    )
    assert policy(changed, "fraud-detector-governance-execution-policy") == execution_role_policy(expected)


def test_a_secret_only_the_primary_reads_is_in_the_role(changed: Plan) -> None:
    statements = policy(changed, "churn-classifier-governance-execution-policy")["Statement"]
    assert [s["Resource"] for s in statements if s["Sid"] == "ReadSecrets"] == [
        ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-token-AbCdEf"]
    ]


def test_a_model_reading_another_models_group_still_declares_its_own(changed: Plan) -> None:
    # fraud-detector's groups are customer-profile (read) and then payments-history (its own).
    governed = [f"fraud-detector-governance-{part}" for part in GOVERNED]
    assert children(changed, "fraud-detector") == [
        (GOVERNANCE, "fraud-detector-governance", []),
        (MONITORING, "fraud-detector-monitoring", []),
        (FEATURE_GROUP, "fraud-detector-payments-history-prod", []),
        (ENDPOINT, "fraud-detector-serving", governed),
    ]


def test_a_model_capturing_data_without_a_monitor_is_not_monitored(changed: Plan) -> None:
    governed = [f"demand-forecaster-governance-{part}" for part in GOVERNED]
    assert children(changed, "demand-forecaster") == [
        (GOVERNANCE, "demand-forecaster-governance", []),
        (ENDPOINT, "demand-forecaster-serving", governed),
    ]
    assert "dataCaptureConfig" in resource(changed, "demand-forecaster-serving-config").inputs


@pytest.mark.parametrize(
    "name",
    [
        "fraud-detector-governance-execution-role",
        "fraud-detector-payments-history-prod-group",
        "fraud-detector-monitoring-jobs-role",
        "fraud-detector-serving-config",
    ],
)
def test_every_component_of_a_model_carries_its_tags(prod: Plan, name: str) -> None:
    assert resource(prod, name).inputs["tags"] == PROD_FRAUD_TAGS


def test_the_pods_role_carries_the_models_tags(dev: Plan) -> None:
    assert resource(dev, "reviews-kserve-identity-role").inputs["tags"] == {
        "cost-center": "marketplace",
        "environment": "dev",
        "environment-owner": "platform",
        "managed-by": "modelops",
        "model": "reviews-kserve",
        "model-version": "1.0.0",
        "owner": "marketplace-ml@example.com",
    }


def test_the_monitoring_jobs_role_is_for_sagemaker_in_this_account_only(prod: Plan) -> None:
    trust = json.loads(resource(prod, "fraud-detector-monitoring-jobs-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:*"},
    }


def test_a_kubernetes_models_governance_declares_no_sagemaker_role(dev: Plan) -> None:
    governance = resource(dev, "reviews-kserve-governance")
    assert [r.name for r in dev.resources if r.parent == governance.urn] == ["reviews-kserve-governance-model-card"]
