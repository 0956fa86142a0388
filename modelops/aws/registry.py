"""SageMaker Model Registry look-ups the program needs: a package's ARN, image, data, status.

A real `pulumi up` asks AWS with boto3 (the approval check is live, never assumed). `plan`
renders offline, where nothing can be asked: it uses `OfflineRegistry`, which knows only the
ARN, and the Plan says the rest is resolved at deploy. `rehearse` asks moto.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# What a live registry answering without ModelApprovalStatus (optional in DescribeModelPackage's
# response) is taken to say: a status, and not Approved, so that staging and prod refuse it.
NO_APPROVAL_STATUS = "without an approval status"


@dataclass(frozen=True)
class PackageInfo:
    arn: str
    approval_status: str | None  # None: not known, offline only; a live registry always says one
    images: tuple[str, ...] = ()
    model_data_urls: tuple[str, ...] = ()


def package_arn(partition: str, region: str, account: str, group: str, version: int) -> str:
    return f"arn:{partition}:sagemaker:{region}:{account}:model-package/{group.lower()}/{version}"


class Registry(Protocol):
    def package(self, partition: str, region: str, account: str, group: str, version: int) -> PackageInfo: ...


class OfflineRegistry:
    def package(self, partition: str, region: str, account: str, group: str, version: int) -> PackageInfo:
        return PackageInfo(arn=package_arn(partition, region, account, group, version), approval_status=None)


class BotoRegistry:
    """Reads the registry with the deployer's credentials (or moto's, in a rehearsal)."""

    def package(self, partition: str, region: str, account: str, group: str, version: int) -> PackageInfo:
        import boto3

        arn = package_arn(partition, region, account, group, version)
        described = boto3.client("sagemaker", region_name=region).describe_model_package(ModelPackageName=arn)
        containers = described.get("InferenceSpecification", {}).get("Containers", [])
        return PackageInfo(
            arn=described.get("ModelPackageArn", arn),
            approval_status=described.get("ModelApprovalStatus") or NO_APPROVAL_STATUS,
            images=tuple(c["Image"] for c in containers if c.get("Image")),
            model_data_urls=tuple(c["ModelDataUrl"] for c in containers if c.get("ModelDataUrl")),
        )


_current: Registry = BotoRegistry()


def current() -> Registry:
    return _current


def use(registry: Registry) -> Registry:
    """Install the registry the program will ask; returns the previous one."""
    global _current
    previous, _current = _current, registry
    return previous
