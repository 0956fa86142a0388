"""`approval: registry` in staging and prod: the package version must be Approved in the registry,
as the deploy reads it (never assumed); dev deploys any status."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelops.aws.registry import PackageInfo, package_arn
from modelops.engine.render import render
from modelops.spec.loader import ProblemsFound
from tests.conftest import REPO_ROOT, edit_yaml, spec_path


class RegistryAnswering:
    """A registry whose every package version has `status`."""

    def __init__(self, status: str) -> None:
        self.status = status

    def package(self, partition: str, region: str, account: str, group: str, version: int) -> PackageInfo:
        return PackageInfo(arn=package_arn(partition, region, account, group, version), approval_status=self.status)


@pytest.mark.parametrize(
    ("stack", "pinned"),
    [
        ("staging", "churn-classifier 1.3.0: registry package churn-classifier/9"),
        ("prod", "churn-classifier 1.2.0: registry package churn-classifier/7"),
    ],
    ids=["staging", "prod"],
)
@pytest.mark.parametrize("status", ["PendingManualApproval", "Rejected"])
def test_staging_and_prod_refuse_a_package_that_is_not_approved(stack: str, pinned: str, status: str) -> None:
    with pytest.raises(ProblemsFound) as refused:
        render(REPO_ROOT, stack, registry=RegistryAnswering(status))
    assert str(refused.value) == f"stack {stack}:1:1: {pinned} is {status}, and {stack} requires Approved"


def test_dev_deploys_a_package_of_any_status_and_staging_an_approved_one() -> None:
    render(REPO_ROOT, "dev", registry=RegistryAnswering("PendingManualApproval"))
    render(REPO_ROOT, "staging", registry=RegistryAnswering("Approved"))


def test_a_package_without_an_approval_setting_is_held_to_the_registry(project: Path) -> None:
    """Unset, `approval` is registry for a model.package (and none for a model.artifact)."""
    edit_yaml(spec_path(project, version="1.3.0"), lambda d: d["governance"].pop("approval"))
    with pytest.raises(ProblemsFound) as refused:
        render(project, "staging", registry=RegistryAnswering("PendingManualApproval"))
    assert "churn-classifier 1.3.0: registry package churn-classifier/9 is PendingManualApproval" in str(refused.value)


def test_a_live_registry_answering_without_a_status_is_refused_in_staging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the offline registry may leave the status unknown: a package the live registry
    describes without ModelApprovalStatus is not Approved."""
    import boto3

    from modelops.aws.registry import NO_APPROVAL_STATUS, BotoRegistry

    class Described:
        def describe_model_package(self, ModelPackageName: str) -> dict[str, object]:  # noqa: N803 (boto's)
            return {"ModelPackageArn": ModelPackageName}

    monkeypatch.setattr(boto3, "client", lambda *args, **kwargs: Described())
    info = BotoRegistry().package("aws", "eu-west-1", "123456789012", "churn-classifier", 9)
    assert info.approval_status == NO_APPROVAL_STATUS
    with pytest.raises(ProblemsFound) as refused:
        render(REPO_ROOT, "staging", registry=RegistryAnswering(NO_APPROVAL_STATUS))
    assert "churn-classifier/9 is without an approval status, and staging requires Approved" in str(refused.value)
