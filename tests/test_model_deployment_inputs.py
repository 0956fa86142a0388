"""Where a model's container comes from and which pool a component model runs on, built
straight from the repository's stacks (components/model_deployment.py `container_source` and
`pool_placement`).

tests/test_plan.py, tests/test_registry_approval.py and tests/test_pools_render.py see these
through a rendered plan; these tests pin each result and refusal without a render (they are
mutation testing's first choice for model_deployment.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from components.model_deployment import AccountContext, container_source, pool_placement
from components.sagemaker_component import PoolPlacement
from components.sagemaker_endpoint import ContainerSource
from modelops.aws import registry
from modelops.aws.registry import PackageInfo
from modelops.errors import DeploymentRefused
from modelops.spec import frameworks
from modelops.spec.resolve import load_project
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = AccountContext(partition="aws-cn", account="210987654321", region="cn-north-1")
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-classifier/9"
PACKAGE_IMAGES = ("111.dkr.ecr.eu-west-1.amazonaws.com/churn:a", "111.dkr.ecr.eu-west-1.amazonaws.com/churn:b")
PACKAGE_DATA = ("s3://registry/churn/model.tar.gz",)
FRAMEWORK_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"


@dataclasses.dataclass(frozen=True)
class Stacks:
    dev: StackConfig
    models: dict[str, ResolvedModel]  # the dev stack's


@pytest.fixture(scope="module")
def stacks() -> Stacks:
    project = load_project(ROOT, ["dev"])
    assert not project.problems, project.problems
    return Stacks(dev=project.stacks["dev"][0], models={m.name: m for m in project.resolved["dev"]})


def in_environment(stack: StackConfig, environment: str) -> StackConfig:
    return stack.model_copy(update={"environment": environment})


def with_model(variant: Variant, section: str, **fields: Any) -> Variant:
    """The variant with fields of its spec's `section` (model, serving, governance) replaced."""
    spec = variant.spec
    return dataclasses.replace(
        variant, spec=spec.model_copy(update={section: getattr(spec, section).model_copy(update=fields)})
    )


class RecordingRegistry:
    """A registry answering every package with `status`, recording what it was asked."""

    def __init__(self, status: str | None) -> None:
        self.status = status
        self.asked: list[tuple[Any, ...]] = []

    def package(self, partition: str, region: str, account: str, group: str, version: int) -> PackageInfo:
        self.asked.append((partition, region, account, group, version))
        return PackageInfo(PACKAGE_ARN, self.status, PACKAGE_IMAGES, PACKAGE_DATA)


@pytest.fixture
def answering() -> Iterator[Any]:
    """Installs a RecordingRegistry with the status given, and the previous registry after the test."""
    installed: list[registry.Registry] = []

    def install(status: str | None) -> RecordingRegistry:
        fake = RecordingRegistry(status)
        installed.append(registry.use(fake))
        return fake

    yield install
    if installed:
        registry.use(installed[0])


# --- container_source: image and artifact ---------------------------------------------------------


def test_an_image_model_reads_its_image_and_artifact(stacks: Stacks) -> None:
    forecaster = stacks.models["demand-forecaster"].primary
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-forecaster:1.1.0"
    artifact = "s3://acme-models/demand-forecaster/1.1.0/model.tar.gz"
    assert container_source(forecaster, stacks.dev, ACCOUNT) == (
        ContainerSource(image=image, model_data_url=artifact),
        (image,),
        (artifact,),
    )


def test_an_image_without_an_artifact_reads_no_object(stacks: Stacks) -> None:
    forecaster = with_model(stacks.models["demand-forecaster"].primary, "model", artifact=None)
    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-forecaster:1.1.0"
    assert container_source(forecaster, stacks.dev, ACCOUNT) == (ContainerSource(image=image), (image,), ())


@pytest.mark.parametrize("missing", [{"framework": None}, {"framework_version": None}])
def test_a_container_with_neither_image_nor_whole_framework_is_refused(
    stacks: Stacks, missing: dict[str, None]
) -> None:
    # validate refuses it first (modelops.spec.checks: an artifact needs image or framework +
    # framework_version); a program that runs without validate is refused with the reason.
    fraud = with_model(stacks.models["fraud-detector"].primary, "model", **missing)
    with pytest.raises(DeploymentRefused) as refused:
        container_source(fraud, stacks.dev, ACCOUNT)
    assert str(refused.value) == (
        "fraud-detector 3.1.0: model.framework and model.framework_version are required without model.image "
        "or model.package"
    )


# --- container_source: a framework's image ------------------------------------------------------------


@pytest.fixture
def framework_images(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """frameworks.image_uri answering FRAMEWORK_IMAGE; the list of what it was asked."""
    asked: list[tuple[Any, ...]] = []

    def image_uri(*arguments: Any) -> str:
        asked.append(arguments)
        return FRAMEWORK_IMAGE

    monkeypatch.setattr(frameworks, "image_uri", image_uri)
    return asked


def test_a_framework_model_serves_the_frameworks_image_for_its_instance_type(
    stacks: Stacks, framework_images: list[tuple[Any, ...]]
) -> None:
    fraud = with_model(stacks.models["fraud-detector"].primary, "model", base_framework_version="b", py_version="py3")
    artifact = "s3://acme-models/fraud-detector/3.1.0/model.tar.gz"
    assert container_source(fraud, stacks.dev, ACCOUNT) == (
        ContainerSource(image=FRAMEWORK_IMAGE, model_data_url=artifact),
        (FRAMEWORK_IMAGE,),
        (artifact,),
    )
    # The stack's region, not the account context's: the image lives where the endpoint runs.
    assert framework_images == [("xgboost", "1.7-1", "eu-west-1", "ml.c5.xlarge", "b", "py3")]


def test_a_framework_model_on_a_pool_serves_the_image_for_the_pools_instance_type(
    stacks: Stacks, framework_images: list[tuple[Any, ...]]
) -> None:
    fraud = stacks.models["fraud-detector"].primary
    source, images, _ = container_source(fraud, stacks.dev, ACCOUNT, "ml.g5.2xlarge")
    assert (source.image, images) == (FRAMEWORK_IMAGE, (FRAMEWORK_IMAGE,))
    assert framework_images == [("xgboost", "1.7-1", "eu-west-1", "ml.g5.2xlarge", None, None)]


def test_a_serverless_framework_model_asks_for_the_image_without_an_instance_type(
    stacks: Stacks, framework_images: list[tuple[Any, ...]]
) -> None:
    sentiment = stacks.models["sentiment-api"].primary
    assert container_source(sentiment, stacks.dev, ACCOUNT)[0] == ContainerSource(
        image=FRAMEWORK_IMAGE, model_data_url="s3://acme-models/sentiment-api/0.2.0/model.tar.gz"
    )
    assert framework_images == [("pytorch", "2.1", "eu-west-1", None, None, None)]


def test_the_real_framework_image_is_the_sdks(stacks: Stacks) -> None:
    """Unpatched, the image is the sagemaker SDK's xgboost image of the stack's region."""
    source, images, _ = container_source(stacks.models["fraud-detector"].primary, stacks.dev, ACCOUNT)
    assert source.image == frameworks.image_uri("xgboost", "1.7-1", "eu-west-1", "ml.c5.xlarge")
    assert images == (source.image,)
    assert source.image is not None and ".eu-west-1." in source.image and "xgboost" in source.image


# --- container_source: a registry package ---------------------------------------------------------


def test_a_package_is_looked_up_in_the_accounts_registry(stacks: Stacks, answering: Any) -> None:
    fake = answering("PendingManualApproval")
    churn = stacks.models["churn-classifier"].primary
    assert container_source(churn, stacks.dev, ACCOUNT) == (
        ContainerSource(model_package_name=PACKAGE_ARN),
        PACKAGE_IMAGES,
        PACKAGE_DATA,
    )
    assert fake.asked == [("aws-cn", "cn-north-1", "210987654321", "churn-classifier", 9)]


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_staging_and_prod_refuse_a_registry_package_that_is_not_approved(
    stacks: Stacks, answering: Any, environment: str
) -> None:
    answering("PendingManualApproval")
    churn = stacks.models["churn-classifier"].primary
    with pytest.raises(DeploymentRefused) as refused:
        container_source(churn, in_environment(stacks.dev, environment), ACCOUNT)
    assert str(refused.value) == (
        "churn-classifier 1.3.0: registry package churn-classifier/9 is PendingManualApproval, "
        f"and {environment} requires Approved"
    )


@pytest.mark.parametrize("status", ["Approved", None])
def test_prod_takes_an_approved_package_or_one_whose_status_is_unknown_offline(
    stacks: Stacks, answering: Any, status: str | None
) -> None:
    answering(status)
    churn = stacks.models["churn-classifier"].primary
    source, _, _ = container_source(churn, in_environment(stacks.dev, "prod"), ACCOUNT)
    assert source == ContainerSource(model_package_name=PACKAGE_ARN)


def test_prod_takes_any_package_of_a_model_approved_without_the_registry(stacks: Stacks, answering: Any) -> None:
    answering("Rejected")
    churn = with_model(stacks.models["churn-classifier"].primary, "governance", approval="none")
    source, _, _ = container_source(churn, in_environment(stacks.dev, "prod"), ACCOUNT)
    assert source == ContainerSource(model_package_name=PACKAGE_ARN)


# --- pool_placement ----------------------------------------------------------------------------------


def placement_on(pool: str) -> PoolPlacement:
    # The endpoint resource is only carried along; no test here reads it.
    return PoolPlacement(
        pool=pool, instance_type="ml.c6i.2xlarge", endpoint_name=f"{pool}-dev", endpoint=cast(Any, None)
    )


def test_a_component_model_runs_on_its_pool(stacks: Stacks) -> None:
    placement = placement_on("shared-cpu")
    assert pool_placement(stacks.models["intent-classifier"], placement) is placement


@pytest.mark.parametrize("placement", [None, placement_on("shared-gpu")])
def test_a_pool_the_stack_does_not_declare_is_refused(stacks: Stacks, placement: PoolPlacement | None) -> None:
    with pytest.raises(DeploymentRefused) as refused:
        pool_placement(stacks.models["intent-classifier"], placement)
    assert str(refused.value) == (
        "intent-classifier: runs on pool shared-cpu, which the stack's modelops:pools does not declare"
    )


def test_a_component_model_without_its_section_names_no_pool(stacks: Stacks) -> None:
    intent = stacks.models["intent-classifier"]
    assert intent.spec.serving.component is not None and intent.spec.serving.component.pool == "shared-cpu"
    bare = dataclasses.replace(intent, primary=with_model(intent.primary, "serving", component=None))
    with pytest.raises(DeploymentRefused) as refused:
        pool_placement(bare, placement_on("shared-cpu"))
    assert str(refused.value) == "intent-classifier: runs on pool ?, which the stack's modelops:pools does not declare"


@pytest.mark.parametrize("role", ["challenger", "shadow"])
def test_a_component_model_serves_one_version(stacks: Stacks, role: str) -> None:
    intent = stacks.models["intent-classifier"]
    second = dataclasses.replace(intent.primary, role=role, version="1.1.0", percent=10)
    with pytest.raises(DeploymentRefused) as refused:
        pool_placement(dataclasses.replace(intent, **{role: second}), placement_on("shared-cpu"))
    assert str(refused.value) == (
        "intent-classifier: an inference component serves one version; a challenger or shadow needs an endpoint "
        "of the model's own (serving.mode realtime)"
    )
