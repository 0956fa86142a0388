"""The boto3 dynamic providers, called directly against moto: create, read, diff, update, delete."""

from __future__ import annotations

import base64
import copy
import subprocess
import sys
from typing import Any

import pytest

from components.providers.feature_additions import FeatureAdditionError, FeatureAdditionsProvider
from components.providers.monitoring_job_definition import JobDefinitionError, JobDefinitionProvider
from tests.conftest import REPO_ROOT

TEST_REGION = "eu-west-1"
TEST_ROLE = "arn:aws:iam::123456789012:role/modelops-fraud-detector-dev-monitor"
TEST_ENDPOINT_INPUT = {"EndpointName": "fraud-detector-dev", "LocalPath": "/opt/ml/processing/input/endpoint"}
TEST_OUTPUT = {
    "MonitoringOutputs": [
        {"S3Output": {"S3Uri": "s3://acme-ml-monitoring/fraud/", "LocalPath": "/opt/ml/processing/output"}}
    ]
}
# The engine hands numbers over as floats; the provider must still send integers.
TEST_RESOURCES = {"ClusterConfig": {"InstanceCount": 1.0, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20.0}}
TEST_DEFINITIONS = {
    "ModelQuality": {
        "ModelQualityAppSpecification": {"ImageUri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/analyzer"},
        "ModelQualityJobInput": {
            "EndpointInput": TEST_ENDPOINT_INPUT,
            "GroundTruthS3Input": {"S3Uri": "s3://acme-labels/fraud/"},
        },
        "ModelQualityJobOutputConfig": TEST_OUTPUT,
    },
    "ModelBias": {
        "ModelBiasAppSpecification": {
            "ImageUri": "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0",
            "ConfigUri": "s3://acme-ml-config/fraud/bias.json",
        },
        "ModelBiasJobInput": {
            "EndpointInput": TEST_ENDPOINT_INPUT,
            "GroundTruthS3Input": {"S3Uri": "s3://acme-labels/fraud/"},
        },
        "ModelBiasJobOutputConfig": TEST_OUTPUT,
    },
    "ModelExplainability": {
        "ModelExplainabilityAppSpecification": {
            "ImageUri": "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0",
            "ConfigUri": "s3://acme-ml-config/fraud/shap.json",
        },
        "ModelExplainabilityJobInput": {"EndpointInput": TEST_ENDPOINT_INPUT},
        "ModelExplainabilityJobOutputConfig": TEST_OUTPUT,
    },
}
DESCRIBE = {
    "ModelQuality": "describe_model_quality_job_definition",
    "ModelBias": "describe_model_bias_job_definition",
    "ModelExplainability": "describe_model_explainability_job_definition",
}
TEST_FEATURES = [
    {"FeatureName": "card_id", "FeatureType": "String"},
    {"FeatureName": "event_time", "FeatureType": "String"},
    {"FeatureName": "txn_count_24h", "FeatureType": "Integral"},
]
TEST_GROUP = "payments-history-dev"


def job_props(kind: str, name: str = "fraud-detector-dev-job-1", tags: dict[str, str] | None = None) -> dict[str, Any]:
    definition = {
        **copy.deepcopy(TEST_DEFINITIONS[kind]),
        "JobResources": copy.deepcopy(TEST_RESOURCES),
        "RoleArn": TEST_ROLE,
        "JobDefinitionName": name,
    }
    return {"kind": kind, "region": TEST_REGION, "definition": definition, "tags": tags or {"model": "fraud-detector"}}


@pytest.mark.parametrize("kind", sorted(TEST_DEFINITIONS))
def test_job_definition_create_read_delete(sagemaker: Any, kind: str) -> None:
    provider = JobDefinitionProvider()
    props = job_props(kind)
    created = provider.create(props)
    assert created.id == "fraud-detector-dev-job-1"
    described = getattr(sagemaker, DESCRIBE[kind])(JobDefinitionName=created.id)
    assert described["JobDefinitionArn"] == created.outs["arn"]
    assert described["JobResources"]["ClusterConfig"]["VolumeSizeInGB"] == 20
    assert sagemaker.list_tags(ResourceArn=created.outs["arn"])["Tags"] == [{"Key": "model", "Value": "fraud-detector"}]

    read = provider.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs["definition"][f"{kind}AppSpecification"] == props["definition"][f"{kind}AppSpecification"]

    provider.delete(created.id, created.outs)
    with pytest.raises(sagemaker.exceptions.ResourceNotFound):
        getattr(sagemaker, DESCRIBE[kind])(JobDefinitionName=created.id)
    provider.delete(created.id, created.outs)  # already gone: not an error
    assert provider.read(created.id, created.outs).id is None  # the engine drops it from state


def test_job_definition_diff_replaces_definitions_and_updates_tags() -> None:
    provider = JobDefinitionProvider()
    old = {**job_props("ModelBias"), "arn": "arn:aws:sagemaker:eu-west-1:123456789012:model-bias-job-definition/x"}
    assert provider.diff("x", old, job_props("ModelBias")).changes is False

    renamed = job_props("ModelBias", name="fraud-detector-dev-job-2")
    renamed["definition"]["JobResources"]["ClusterConfig"]["InstanceType"] = "ml.m5.2xlarge"
    diff = provider.diff("x", old, renamed)
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["definition"], False)

    same_name = job_props("ModelBias")
    same_name["definition"]["JobResources"]["ClusterConfig"]["InstanceType"] = "ml.m5.2xlarge"
    diff = provider.diff("x", old, same_name)
    assert diff.replaces == ["definition"] and diff.delete_before_replace is True  # a name cannot exist twice

    retagged = job_props("ModelBias", tags={"model": "fraud-detector", "model-version": "3.1.0"})
    diff = provider.diff("x", old, retagged)
    assert (diff.changes, diff.replaces) == (True, [])


def test_job_definition_update_changes_only_tags(sagemaker: Any) -> None:
    provider = JobDefinitionProvider()
    created = provider.create(job_props("ModelExplainability", tags={"model": "fraud-detector", "stale": "yes"}))
    news = job_props("ModelExplainability", tags={"model": "fraud-detector", "model-version": "3.1.0"})
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs["arn"] == created.outs["arn"]
    tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=created.outs["arn"])["Tags"]}
    assert tags == {"model": "fraud-detector", "model-version": "3.1.0"}


def test_job_definition_create_that_aws_rejects(sagemaker: Any) -> None:
    props = job_props("ModelQuality")
    del props["definition"]["ModelQualityJobInput"]["GroundTruthS3Input"]  # required by the API
    with pytest.raises(
        JobDefinitionError, match=r"create_model_quality_job_definition fraud-detector-dev-job-1: .*GroundTruthS3Input"
    ):
        JobDefinitionProvider().create(props)
    assert sagemaker.list_model_quality_job_definitions()["JobDefinitionSummaries"] == []
    with pytest.raises(JobDefinitionError, match="unknown monitoring job kind 'DataDrift'"):
        JobDefinitionProvider().create({**props, "kind": "DataDrift"})


def create_group(client: Any, features: list[dict[str, str]] = TEST_FEATURES) -> None:
    client.create_feature_group(
        FeatureGroupName=TEST_GROUP,
        RecordIdentifierFeatureName="card_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=features,
        OnlineStoreConfig={"EnableOnlineStore": True},
        RoleArn="arn:aws:iam::123456789012:role/modelops-payments-history-dev-featurestore",
    )


def additions_props(features: list[dict[str, str]]) -> dict[str, Any]:
    return {"featureGroupName": TEST_GROUP, "region": TEST_REGION, "features": features}


def live_features(client: Any) -> list[str]:
    return [d["FeatureName"] for d in client.describe_feature_group(FeatureGroupName=TEST_GROUP)["FeatureDefinitions"]]


def test_feature_additions_create_update_read_delete(sagemaker: Any) -> None:
    create_group(sagemaker)  # online-only: the shape moto itself cannot store
    provider = FeatureAdditionsProvider()
    created = provider.create(additions_props(TEST_FEATURES))
    assert created.id == TEST_GROUP
    assert live_features(sagemaker) == ["card_id", "event_time", "txn_count_24h"]  # nothing to add yet

    wanted = [*TEST_FEATURES, {"FeatureName": "amount_sum_24h", "FeatureType": "Fractional"}]
    diff = provider.diff(created.id, created.outs, additions_props(wanted))
    assert (diff.changes, diff.replaces) == (True, [])  # in place, never a replacement
    updated = provider.update(created.id, created.outs, additions_props(wanted))
    assert live_features(sagemaker) == ["card_id", "event_time", "txn_count_24h", "amount_sum_24h"]
    assert updated.outs["liveFeatures"] == sorted(live_features(sagemaker))
    assert provider.read(created.id, updated.outs).outs["liveFeatures"] == sorted(live_features(sagemaker))

    sagemaker.delete_feature_group(FeatureGroupName=TEST_GROUP)
    provider.delete(created.id, updated.outs)  # the group is gone, and with it its features: nothing to do
    assert provider.read(created.id, updated.outs).id is None


def test_feature_additions_refuse_removal_and_retyping(sagemaker: Any) -> None:
    create_group(sagemaker)
    provider = FeatureAdditionsProvider()
    created = provider.create(additions_props(TEST_FEATURES))
    with pytest.raises(FeatureAdditionError, match=r"cannot be removed .* txn_count_24h"):
        provider.update(created.id, created.outs, additions_props(TEST_FEATURES[:2]))
    retyped = [*TEST_FEATURES[:2], {"FeatureName": "txn_count_24h", "FeatureType": "Fractional"}]
    with pytest.raises(
        FeatureAdditionError, match=r"retyped in place: txn_count_24h \(Integral in AWS, Fractional wanted\)"
    ):
        provider.update(created.id, created.outs, additions_props(retyped))
    assert live_features(sagemaker) == ["card_id", "event_time", "txn_count_24h"]


def test_feature_additions_on_a_missing_group_fail_clearly(sagemaker: Any) -> None:
    with pytest.raises(FeatureAdditionError, match=f"feature group {TEST_GROUP} does not exist"):
        FeatureAdditionsProvider().create(additions_props(TEST_FEATURES))


def test_feature_additions_follow_a_new_group_by_replacement() -> None:
    provider = FeatureAdditionsProvider()
    old = additions_props(TEST_FEATURES)
    diff = provider.diff(TEST_GROUP, old, {**old, "featureGroupName": "payments-history-dev-g2"})
    assert diff.replaces == ["featureGroupName"] and diff.delete_before_replace is False


def test_update_feature_group_rejects_an_existing_feature(sagemaker: Any) -> None:
    create_group(sagemaker)
    with pytest.raises(sagemaker.exceptions.ClientError, match="txn_count_24h already exist"):
        sagemaker.update_feature_group(FeatureGroupName=TEST_GROUP, FeatureAdditions=[TEST_FEATURES[2]])


@pytest.mark.parametrize("provider", [JobDefinitionProvider(), FeatureAdditionsProvider()], ids=type)
def test_pickled_provider_loads_in_a_fresh_interpreter(provider: Any) -> None:
    """Pulumi's dynamic provider host unpickles the provider in its own process, started in the
    project directory: the pickle must name an importable class, not embed this test's state."""
    from pulumi.dynamic.dynamic import serialize_provider

    pickled = serialize_provider(provider)
    code = (
        "import base64, sys, dill; "
        "p = dill.loads(base64.b64decode(sys.stdin.read())); "
        "print(type(p).__module__ + '.' + type(p).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=pickled, capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{type(provider).__module__}.{type(provider).__name__}"
    assert len(base64.b64decode(pickled)) < 2000  # by reference, not the whole module by value
