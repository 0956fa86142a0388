"""A pool's execution role: what it touches, and whether IAM takes its policy (docs/pools.md).

Pure and without pulumi, so that the program and `validate` build the same policy:
`components.sagemaker_pool` declares the role with `pool_role_policy`, with each member's image
and artifact as the program resolves them (`components.model_deployment.container_source`), and
`modelops.spec.pools` measures it with the same members resolved offline (`offline_sources`)
before anything is planned.

The role reads every member's image and artifact and nothing else, writes its members' log
groups and the pool's data capture, and reads the rollback alarms of the members' rolling
updates. It is one inline policy with one statement per kind of access, each listing every
member's resources (`modelops.aws.iam.execution_role_policy`): a member adds its own ARNs and
nothing else, about 270 characters for a short name and no alarm. IAM takes at most 10,240
characters of inline policy per role (`modelops.aws.iam.ROLE_POLICY_SIZE_LIMIT`), which bounds
the models one pool can hold: `policy_fit` says how many.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from modelops.aws import naming
from modelops.aws.iam import (
    ROLE_POLICY_SIZE_LIMIT,
    ExecutionRoleScope,
    execution_role_policy,
    policy_size,
    s3_via_service,
    sagemaker_via_service,
)
from modelops.aws.rollback_alarms import alarm_arns, component_rollback_alarms
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import StackConfig

# The single production variant of a pool's endpoint, which every component names.
POOL_VARIANT = "AllTraffic"
# An AWS account id has 12 digits: a stand-in of that length measures a policy exactly.
OFFLINE_ACCOUNT = "000000000000"

# A member's images and model objects as its role must read them.
Sources = Callable[[ResolvedModel], tuple[Sequence[str], Sequence[str]]]


def component_name(model: ResolvedModel, pool_endpoint_name: str) -> str:
    return naming.inference_component_name(model.name, model.environment, pool_endpoint_name, POOL_VARIANT)


def capture_destination(bucket: str, pool: str) -> str:
    # Outside `data-capture/`, where each model's own endpoint captures under its name: no
    # model's prefix (and so no model's execution role) reaches a pool's.
    return f"s3://{bucket}/pool-data-capture/{pool}/"


def capture_config(
    pool: str, members: Sequence[ResolvedModel], stack: StackConfig, capture_bucket: str | None
) -> dict[str, Any] | None:
    """The pool's DataCaptureConfig, as CreateEndpointConfig takes it: when any member captures,
    at the highest sampling percent any member asks for (CreateInferenceComponent has no capture
    setting of its own)."""
    capturing = [m for m in members if m.spec.serving.data_capture.enabled]
    if not capturing or capture_bucket is None:
        return None
    capture: dict[str, Any] = {
        "EnableCapture": True,
        "InitialSamplingPercentage": max(m.spec.serving.data_capture.sampling_percent for m in capturing),
        "DestinationS3Uri": capture_destination(capture_bucket, pool),
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "JsonContentTypes": ["application/json"],
            "CsvContentTypes": ["text/csv"],
        },
    }
    if stack.kms_key_arn:
        capture["KmsKeyId"] = stack.kms_key_arn
    return capture


def pool_role_scope(
    pool: str,
    stack: StackConfig,
    partition: str,
    account: str,
    members: Sequence[ResolvedModel],
    sources: Sources,
    capture_bucket: str | None,
) -> ExecutionRoleScope:
    """What the pool's execution role touches: every member's images and artifacts and nothing
    else, its members' log groups, the pool's data capture, and the rollback alarms of the
    members' rolling updates (DescribeAlarms, as the endpoint guardrails require of an
    execution role; which of the pool's and the model's role SageMaker uses for a component
    is not documented, so both may read them)."""
    region = stack.region
    endpoint_name = naming.pool_endpoint_name(pool, stack.environment)
    images: set[str] = set()
    objects: set[str] = set()
    alarms: list[str] = []
    components = []
    for member in members:
        member_images, member_objects = sources(member)
        images.update(member_images)
        objects.update(member_objects)
        name = component_name(member, endpoint_name)
        components.append(name)
        alarms += alarm_arns(component_rollback_alarms(member, name), partition, region, account)
    capture = capture_config(pool, members, stack, capture_bucket)
    vpc = stack.vpc
    return ExecutionRoleScope(
        partition=partition,
        region=region,
        account=account,
        endpoint_name=endpoint_name,
        images=tuple(sorted(images)),
        model_objects=tuple(sorted(objects)),
        kms_key_arn=stack.kms_key_arn,
        capture_prefix=capture["DestinationS3Uri"] if capture else None,
        subnet_ids=tuple(vpc.subnet_ids) if vpc else (),
        security_group_ids=tuple(vpc.security_group_ids) if vpc else (),
        rollback_alarms=tuple(sorted(alarms)),
        inference_components=tuple(sorted(components)),
        # The role uses the key for what S3 (artifacts, capture) and SageMaker (the instances'
        # volumes) do for it, never directly.
        kms_via_services=(s3_via_service(partition, region), sagemaker_via_service(partition, region)),
    )


def pool_role_policy(
    pool: str,
    stack: StackConfig,
    partition: str,
    account: str,
    members: Sequence[ResolvedModel],
    sources: Sources,
    capture_bucket: str | None,
) -> dict[str, Any]:
    """The inline policy of the pool's execution role."""
    return execution_role_policy(pool_role_scope(pool, stack, partition, account, members, sources, capture_bucket))


def offline_sources(stack: StackConfig, pool_instance_type: str) -> Sources:
    """Each member's image and artifact as `validate` knows them (`variant_sources`), its
    framework's image the one for the pool's instance type."""

    def sources(member: ResolvedModel) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return variant_sources(member.primary, stack, pool_instance_type)

    return sources


def variant_sources(
    variant: Variant, stack: StackConfig, instance_type: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A variant's image and artifact as `validate` knows them, without AWS or the sagemaker SDK:
    the spec's own image, or its framework's serving repository for the instance type (from the
    SDK's bundled image config, `modelops.spec.frameworks.serving_repository`; the role reads a
    repository, whatever the tag); and its artifact. A registry package's image and data are the
    registry's, known at deploy only (the rehearsal reads them): they count for nothing here, as
    in `plan`."""
    from modelops.spec import frameworks

    model = variant.spec.model
    if model.package is not None:
        return (), ()
    image = model.image
    if image is None and model.framework and model.framework_version:
        image = frameworks.serving_repository(
            model.framework,
            model.framework_version,
            stack.region,
            instance_type,
            model.base_framework_version,
            model.py_version,
        )
    return ((image,) if image else ()), ((model.artifact,) if model.artifact else ())


def stack_capture_bucket(stack: StackConfig, account: str) -> str:
    """Where the stack's models capture: its `modelops:buckets` entry, else the stack's own bucket."""
    return stack.buckets.data_capture or naming.stack_bucket_name(account, stack.region, stack.name)


@dataclass(frozen=True)
class PolicyFit:
    size: int  # characters of the policy of all the members, white space not counted
    members: int
    fitting: int  # how many of the members, first in the stack's order, the role's policy can hold

    @property
    def fits(self) -> bool:
        return self.size <= ROLE_POLICY_SIZE_LIMIT


def policy_fit(
    policy_of: Callable[[Sequence[ResolvedModel]], dict[str, Any]], members: list[ResolvedModel]
) -> PolicyFit:
    """The size of the policy of `members`, and the most of them, in order, whose policy fits
    IAM's quota (a member only ever adds to the policy, so a binary search finds it)."""
    size = policy_size(policy_of(members))
    if size <= ROLE_POLICY_SIZE_LIMIT:
        return PolicyFit(size, len(members), len(members))
    low, high = 0, len(members) - 1  # the first `low` fit; the first `high + 1` do not
    while low < high:
        middle = (low + high + 1) // 2
        if policy_size(policy_of(members[:middle])) <= ROLE_POLICY_SIZE_LIMIT:
            low = middle
        else:
            high = middle - 1
    return PolicyFit(size, len(members), low)
