"""A pool's execution role, built straight from the repository's dev stack (modelops/aws/pool_role.py).

tests/test_pools_render.py reads the role from a rendered plan and tests/test_pools_unseen.py
shows validate measures the plan's policy; these tests pin each input of the role's scope,
the pool's data capture, the offline sources and the binary search of `policy_fit` without a
render (they are mutation testing's first choice for pool_role.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from modelops.aws import naming, pool_role
from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT, policy_size
from modelops.aws.pool_role import (
    OFFLINE_ACCOUNT,
    PolicyFit,
    capture_config,
    capture_destination,
    component_name,
    offline_sources,
    policy_fit,
    pool_role_policy,
    pool_role_scope,
    stack_capture_bucket,
)
from modelops.spec.models import DataCapture, PackageRef, Rollout, RolloutAlarms
from modelops.spec.resolve import load_project
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import Buckets, StackConfig, Vpc

ROOT = Path(__file__).resolve().parent.parent
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENDPOINT = "shared-cpu-dev"


@pytest.fixture(scope="module")
def dev() -> tuple[StackConfig, list[ResolvedModel]]:
    """The dev stack and the three models of its shared-cpu pool, in the stack's order."""
    project = load_project(ROOT, ["dev"])
    assert not project.problems, project.problems
    stack, _ = project.stacks["dev"]
    members = [m for m in project.resolved["dev"] if m.spec.serving.mode == "component"]
    assert [m.name for m in members] == ["intent-classifier", "language-detector", "toxicity-filter"]
    return stack, members


def changed(member: ResolvedModel, section: str, **fields: Any) -> ResolvedModel:
    """The member with fields of its spec's `model` or `serving` section replaced."""
    spec = member.spec
    updated = getattr(spec, section).model_copy(update=fields)
    primary = dataclasses.replace(member.primary, spec=spec.model_copy(update={section: updated}))
    return dataclasses.replace(member, primary=primary)


def capturing(member: ResolvedModel, percent: int | None) -> ResolvedModel:
    capture = DataCapture(enabled=percent is not None, sampling_percent=percent or 100)
    return changed(member, "serving", data_capture=capture)


def own_sources(member: ResolvedModel) -> tuple[Sequence[str], Sequence[str]]:
    """Two images (one shared by every member) and one object a member, to see them merged."""
    return (f"repo/{member.name}", "repo/shared"), (f"s3://b/{member.name}.tar.gz",)


def test_the_endpoint_and_component_names(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    _, members = dev
    assert naming.pool_endpoint_name("shared-cpu", "dev") == ENDPOINT
    expected = naming.inference_component_name("intent-classifier", "dev", ENDPOINT, "AllTraffic")
    assert component_name(members[0], ENDPOINT) == expected
    assert capture_destination("bucket", "shared-cpu") == "s3://bucket/pool-data-capture/shared-cpu/"


def test_a_pool_captures_at_the_highest_percent_any_member_asks(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    stack, members = dev
    mixed = [capturing(members[0], 5), capturing(members[1], None), capturing(members[2], 40)]
    assert capture_config("shared-cpu", mixed, stack, "bucket") == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 40,
        "DestinationS3Uri": "s3://bucket/pool-data-capture/shared-cpu/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"], "CsvContentTypes": ["text/csv"]},
    }
    encrypted = stack.model_copy(update={"kms_key_arn": KEY})
    with_key = capture_config("shared-cpu", mixed, encrypted, "bucket")
    assert with_key is not None and with_key["KmsKeyId"] == KEY


def test_a_pool_captures_nothing_when_no_member_captures_or_there_is_no_bucket(
    dev: tuple[StackConfig, list[ResolvedModel]],
) -> None:
    stack, members = dev
    assert capture_config("shared-cpu", [capturing(m, None) for m in members], stack, "bucket") is None
    assert capture_config("shared-cpu", members, stack, None) is None
    assert capture_config("shared-cpu", [], stack, "bucket") is None


def test_the_roles_scope_is_every_members_sources_names_and_nothing_else(
    dev: tuple[StackConfig, list[ResolvedModel]],
) -> None:
    stack, members = dev
    scope = pool_role_scope("shared-cpu", stack, "aws", "123456789012", members, own_sources, "bucket")
    assert scope.partition == "aws"
    assert scope.region == "eu-west-1"
    assert scope.account == "123456789012"
    assert scope.endpoint_name == ENDPOINT
    assert scope.images == (
        "repo/intent-classifier",
        "repo/language-detector",
        "repo/shared",
        "repo/toxicity-filter",
    )
    assert scope.model_objects == tuple(f"s3://b/{m.name}.tar.gz" for m in members)
    assert scope.inference_components == tuple(sorted(component_name(m, ENDPOINT) for m in members))
    assert scope.capture_prefix == "s3://bucket/pool-data-capture/shared-cpu/"
    assert scope.kms_key_arn is None
    assert scope.subnet_ids == () and scope.security_group_ids == ()
    assert scope.rollback_alarms == ()
    assert scope.kms_via_services == ("s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com")


def test_the_roles_scope_takes_the_stacks_key_and_vpc_and_reads_rolling_alarms(
    dev: tuple[StackConfig, list[ResolvedModel]],
) -> None:
    stack, members = dev
    vpc = Vpc(subnet_ids=["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], security_group_ids=["sg-0123abcd"])
    secured = stack.model_copy(update={"kms_key_arn": KEY, "vpc": vpc})
    rolling = Rollout(strategy="rolling", alarms=RolloutAlarms(max_5xx_error_rate_percent=2.0, max_p99_latency_ms=300))
    first = changed(members[0], "serving", rollout=rolling)
    quiet = [capturing(m, None) for m in (first, *members[1:])]
    scope = pool_role_scope("shared-cpu", secured, "aws-cn", "123456789012", quiet, own_sources, "bucket")
    assert scope.kms_key_arn == KEY
    assert scope.kms_via_services == ("s3.eu-west-1.amazonaws.com.cn", "sagemaker.eu-west-1.amazonaws.com.cn")
    assert scope.subnet_ids == ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210")
    assert scope.security_group_ids == ("sg-0123abcd",)
    assert scope.capture_prefix is None  # no member captures
    base = naming.bounded("intent-classifier", "dev")
    prefix = "arn:aws-cn:cloudwatch:eu-west-1:123456789012:alarm:"
    assert scope.rollback_alarms == (
        f"{prefix}{naming.bounded(base, 'component-rollback-5xx-rate', limit=255)}",
        f"{prefix}{naming.bounded(base, 'component-rollback-p99-latency', limit=255)}",
    )


def test_the_policy_is_the_scopes(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    from modelops.aws.iam import execution_role_policy

    stack, members = dev
    arguments = ("shared-cpu", stack, "aws", "123456789012", members, own_sources, "bucket")
    assert pool_role_policy(*arguments) == execution_role_policy(pool_role_scope(*arguments))


def test_validate_reads_a_members_own_image_and_artifact(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    stack, members = dev
    sources = offline_sources(stack, "ml.c6i.2xlarge")
    assert sources(members[0]) == (
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/intent-classifier:1.0.0",),
        ("s3://acme-models/intent-classifier/1.0.0/model.tar.gz",),
    )
    assert sources(changed(members[0], "model", image=None, artifact=None)) == ((), ())


def test_a_registry_package_counts_for_nothing_offline(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    stack, members = dev
    packaged = changed(members[0], "model", package=PackageRef(group="intent", version=3))
    assert offline_sources(stack, "ml.c6i.2xlarge")(packaged) == ((), ())


def test_a_framework_model_reads_its_frameworks_repository_for_the_pools_instance_type(
    dev: tuple[StackConfig, list[ResolvedModel]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelops.spec import frameworks

    stack, members = dev
    asked: list[tuple[Any, ...]] = []

    def repository(*arguments: Any) -> str:
        asked.append(arguments)
        return "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference"

    monkeypatch.setattr(frameworks, "serving_repository", repository)
    framework = changed(
        members[1],
        "model",
        image=None,
        framework="pytorch",
        framework_version="2.1",
        base_framework_version="base",
        py_version="py310",
    )
    assert offline_sources(stack, "ml.g5.2xlarge")(framework) == (
        ("763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference",),
        ("s3://acme-models/language-detector/1.0.0/model.tar.gz",),
    )
    assert asked == [("pytorch", "2.1", "eu-west-1", "ml.g5.2xlarge", "base", "py310")]
    # Without a version there is no framework image to look up.
    assert offline_sources(stack, "ml.g5.2xlarge")(changed(framework, "model", framework_version=None))[0] == ()
    assert len(asked) == 1


def test_a_pool_captures_in_the_stacks_capture_bucket_or_its_own(dev: tuple[StackConfig, list[ResolvedModel]]) -> None:
    stack, _ = dev
    assert stack_capture_bucket(stack, OFFLINE_ACCOUNT) == "modelops-000000000000-eu-west-1-dev"
    configured = stack.model_copy(update={"buckets": Buckets(data_capture="team-capture")})
    assert stack_capture_bucket(configured, OFFLINE_ACCOUNT) == "team-capture"


# --- policy_fit: the most members whose policy IAM takes --------------------------------------

EACH = 1000  # characters a member adds to the fake policy below


def sized_policy(base: int) -> Any:
    """A fake policy builder: `base` characters plus EACH a member, white space not counted."""

    def policy_of(members: Sequence[Any]) -> dict[str, Any]:
        return {"p": "x" * (base + EACH * len(members))}

    return policy_of


def size_of(base: int, count: int) -> int:
    return policy_size(sized_policy(base)(list(range(count))))


@pytest.mark.parametrize("count", [0, 1, 2, 9, 10, 11, 25])
def test_policy_fit_finds_the_most_members_that_fit(count: int) -> None:
    base = ROLE_POLICY_SIZE_LIMIT - size_of(0, 10)  # exactly 10 members fit
    members: list[Any] = list(range(count))
    fit = policy_fit(sized_policy(base), members)
    assert fit == PolicyFit(size=size_of(base, count), members=count, fitting=min(count, 10))
    assert fit.fits == (count <= 10)


def test_a_policy_at_the_limit_fits_and_one_character_more_does_not() -> None:
    at_limit = ROLE_POLICY_SIZE_LIMIT - size_of(0, 3)
    assert policy_fit(sized_policy(at_limit), list(range(3))) == PolicyFit(ROLE_POLICY_SIZE_LIMIT, 3, 3)
    over = policy_fit(sized_policy(at_limit + 1), list(range(3)))
    assert over == PolicyFit(ROLE_POLICY_SIZE_LIMIT + 1, 3, 2)
    assert not over.fits


def test_no_member_fits_when_even_one_is_too_many() -> None:
    fit = policy_fit(sized_policy(ROLE_POLICY_SIZE_LIMIT), list(range(4)))
    assert fit == PolicyFit(size_of(ROLE_POLICY_SIZE_LIMIT, 4), 4, 0)


def test_the_pool_variant_is_the_single_production_variants_name() -> None:
    assert pool_role.POOL_VARIANT == "AllTraffic"
    assert len(OFFLINE_ACCOUNT) == 12 and OFFLINE_ACCOUNT.isdigit()
