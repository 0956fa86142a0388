"""A stack's pools and the component models pinned to them (docs/pools.md).

A pool (`modelops:pools.<name>`) is one SageMaker endpoint of the stack, `<pool>-<environment>`,
whose single production variant (`AllTraffic`) has no model and whose instances SageMaker scales
between the pool's minInstances and maxInstances (`ManagedInstanceScaling`). Each model pinned
with `serving.mode: component` is an inference component `<model>-<environment>` on its pool's
endpoint: copies of it, each with its own CPU, memory and accelerator reservation, placed on the
pool's instances. The rules here are the ones that need both the stack and the specs; a spec's
own rules of a component are `modelops.spec.checks._component`'s. A pool no pinned model uses is
not an error: it is not created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from modelops.aws import naming
from modelops.aws.instance_specs import InstanceSpec, instance_spec, unknown_size_problem
from modelops.aws.instance_types import instance_type_problem
from modelops.aws.naming import DIGEST_LENGTH, IAM_ROLE_NAME_LIMIT, SAGEMAKER_NAME_LIMIT
from modelops.spec.loader import Document, FieldPath, Problem, dotted
from modelops.spec.models import Component, ModelSpec
from modelops.spec.repository import Repository, SpecFile
from modelops.spec.resolved_model import ResolvedModel, Variant
from modelops.spec.stack import Pool, StackConfig, stack_problem
from modelops.spec.validation_messages import did_you_mean

COMPONENT_PATH: FieldPath = ("serving", "component")
# the hash modelops.aws.naming ends an endpoint configuration's and an inference component's name with
DIGEST = "<digest>"


@dataclass(frozen=True)
class Member:
    """A model of the stack that runs as an inference component on a declared pool."""

    model: ResolvedModel
    spec_file: SpecFile
    pool_name: str
    pool: Pool

    @property
    def spec(self) -> ModelSpec:
        return self.model.spec

    @property
    def component(self) -> Component:
        component = self.spec.serving.component
        assert component is not None  # a member is pinned as a component
        return component


def is_component(spec: ModelSpec) -> bool:
    return spec.serving.target == "sagemaker" and spec.serving.mode == "component"


def serving_instance_type(spec: ModelSpec, stack: StackConfig) -> str | None:
    """The instance type a SageMaker model runs on in `stack`: its own, or its pool's for a
    component (None for serverless, and for a component whose pool the stack lacks)."""
    component = spec.serving.component
    if is_component(spec) and component is not None:
        pool = stack.pools.get(component.pool)
        return pool.instance_type if pool is not None else None
    return spec.serving.instance_type


def pinned_component_problems(
    name: str, variants: list[Variant], stack: StackConfig, doc: Document | None, pin_path: FieldPath
) -> list[Problem]:
    """A component is pinned as one version, with no challenger and no shadow.

    An inference component is attached to one production variant of its endpoint (`VariantName`
    of CreateInferenceComponent, https://docs.aws.amazon.com/sagemaker/latest/APIReference/
    API_CreateInferenceComponent.html), and a pool's endpoint has a single variant, `AllTraffic`,
    with no model. A challenger is a second production variant with a traffic weight, and the
    weight of a variant without a model is ignored (pulumi-aws 7.51.1 `initial_variant_weight`:
    "Ignored if `model_name` is not set (Inference Components endpoint)"); a shadow is a shadow
    variant with a model of its own (`ShadowProductionVariants`: "you can only specify one variant
    for ProductionVariants and one variant for ShadowProductionVariants", CreateEndpointConfig).
    Neither is one component."""
    if len(variants) < 2:
        return []
    problems = []
    primary_component = is_component(variants[0].spec)
    for variant in variants[1:]:
        if not (primary_component or is_component(variant.spec)):
            continue
        which = "the primary" if primary_component else f"the {variant.role}"
        problems.append(
            stack_problem(
                doc,
                stack,
                (*pin_path, variant.role, "version"),
                f"{which} of {name} serves as an inference component on a pool (mode component), which takes "
                f"no {variant.role}: a pool's endpoint has one production variant with no model, a component "
                f"is one model on it, and a {variant.role} is a variant of an endpoint of the model's own; pin one "
                f"version, or serve {name} with mode realtime in {stack.environment} to compare versions",
            )
        )
    return problems


def pool_problems(
    repo: Repository, models: list[ResolvedModel], stack: StackConfig, doc: Document | None
) -> list[Problem]:
    """Every rule between a stack's pools and the component models it pins."""
    problems: list[Problem] = []
    sizes: dict[str, InstanceSpec] = {}
    for name, pool in stack.pools.items():
        size, found = _declaration_problems(repo, name, pool, stack, doc)
        problems.extend(found)
        if size is not None:
            sizes[name] = size
    members: dict[str, list[Member]] = {}
    oversized: set[str] = set()  # pools with a copy too large for one instance
    for model in models:
        spec = model.spec
        component = spec.serving.component
        spec_file = repo.get(model.name, model.version)
        if not is_component(spec) or component is None or spec_file is None:
            continue
        # `<model>-<environment>-<digest of its endpoint and variant>` (naming.inference_component_name).
        names = {"inference component": (f"{model.name}-{stack.environment}-{DIGEST}", SAGEMAKER_NAME_LIMIT)}
        problems.extend(_name_problems(stack, doc, ("models", model.name), names))
        declared = stack.pools.get(component.pool)
        if declared is None:
            problems.append(_unknown_pool(spec_file, stack, component.pool))
            continue
        member = Member(model, spec_file, component.pool, declared)
        members.setdefault(component.pool, []).append(member)
        if instance_type_problem("hosting", declared.instance_type) is None:  # else the pool's finding says it
            problems.extend(_image_problems(member, stack))
        if component.pool in sizes:
            unplaceable = _reservation_problems(member, stack, sizes[component.pool])
            problems.extend(unplaceable)
            if unplaceable:
                oversized.add(component.pool)
    for name, group in members.items():
        problems.extend(_shared_setting_problems(name, group, stack, doc))
        problems.extend(_role_policy_problems(name, group, stack, doc))
        if name in sizes and name not in oversized:  # the capacity is moot while a copy fits no instance
            problems.extend(_capacity_problems(name, group, stack, doc, sizes[name]))
    return problems


def _declaration_problems(
    repo: Repository, name: str, pool: Pool, stack: StackConfig, doc: Document | None
) -> tuple[InstanceSpec | None, list[Problem]]:
    """What is wrong with a declared pool itself, used or not (a model moved onto it would fail).

    - The instance type is one SageMaker endpoints take (botocore's `ProductionVariantInstanceType`)
      and one whose vCPUs, memory and accelerators modelops knows (`modelops.aws.instance_specs`),
      so that every reservation on it is checked.
    - minInstances <= maxInstances: `ProductionVariantManagedInstanceScaling` bounds the instance
      count between MinInstanceCount and MaxInstanceCount (https://docs.aws.amazon.com/sagemaker/
      latest/APIReference/API_ProductionVariantManagedInstanceScaling.html).
    - Its endpoint, `<pool>-<environment>`, and its execution role, `modelops-<pool>-<environment>`,
      are named as a model's own endpoint and role (modelops.aws.naming): a pool named like a
      model of the repository would take that model's names.
    """
    path: FieldPath = ("pools", name)
    problems: list[Problem] = []
    size = None
    problem = instance_type_problem("hosting", pool.instance_type) or unknown_size_problem(pool.instance_type)
    if problem is not None:
        problems.append(stack_problem(doc, stack, (*path, "instanceType"), problem))
    else:
        size = instance_spec(pool.instance_type)
    if pool.min_instances > pool.max_instances:
        problems.append(
            stack_problem(
                doc,
                stack,
                (*path, "minInstances"),
                f"minInstances {pool.min_instances} exceeds maxInstances {pool.max_instances}: SageMaker scales the "
                "pool's instances between the two (ManagedInstanceScaling MinInstanceCount, MaxInstanceCount)",
            )
        )
    if name in repo.specs or any(model == name for model, _ in repo.unloadable):
        problems.append(
            stack_problem(
                doc,
                stack,
                path,
                f"pool {name!r} is named like the model {name} (model_specs/{name}/): a pool's endpoint "
                f"{name}-{stack.environment} and execution role modelops-{name}-{stack.environment} would be that "
                "model's own endpoint and role; name the pool after what it hosts (shared-cpu, gpu-small)",
            )
        )
    environment = stack.environment
    names = {
        "endpoint": (f"{name}-{environment}", SAGEMAKER_NAME_LIMIT),
        "endpoint configuration": (f"{name}-{environment}-{DIGEST}", SAGEMAKER_NAME_LIMIT),
        "execution role": (f"modelops-{name}-{environment}", IAM_ROLE_NAME_LIMIT),
    }
    problems.extend(_name_problems(stack, doc, path, names))
    return size, problems


def _name_problems(
    stack: StackConfig, doc: Document | None, path: FieldPath, names: dict[str, tuple[str, int]]
) -> list[Problem]:
    """`<name>-<environment>` (with modelops.aws.naming's prefix and digest suffix) fits AWS's
    limit: SageMaker names (EndpointName, EndpointConfigName, InferenceComponentName) are at most
    63 characters (botocore's shapes), IAM role names at most 64 (https://docs.aws.amazon.com/IAM/
    latest/APIReference/API_CreateRole.html). modelops.aws.naming cuts a longer name to fit, and a
    cut pool or component name no longer starts with the `<name>-<environment>` docs/pools.md promises,
    so it is refused instead. Pool and model names are at most 32 characters and environments 7,
    so this holds for every name the spec language admits; the rule keeps it so if either grows."""
    problems = []
    for kind, (name, limit) in names.items():
        length = len(name.replace(DIGEST, "x" * DIGEST_LENGTH))
        if length > limit:
            problems.append(
                stack_problem(
                    doc,
                    stack,
                    path,
                    f"the {kind} would be named {name} ({length} characters), and AWS takes at most {limit}: "
                    "use a shorter name",
                )
            )
    return problems


def _unknown_pool(spec_file: SpecFile, stack: StackConfig, pool: str) -> Problem:
    declared = sorted(stack.pools)
    if declared:
        message = (
            f"stack {stack.name} declares no pool {pool!r} (its pools: {', '.join(declared)})"
            f"{did_you_mean(pool, declared)}"
        )
    else:
        message = (
            f"stack {stack.name} declares no pools: add modelops:pools.{pool} with instanceType, minInstances and "
            f"maxInstances to stacks/Pulumi.{stack.name}.yaml"
        )
    return _spec_problem(spec_file, stack.environment, (*COMPONENT_PATH, "pool"), message)


def _spec_problem(spec_file: SpecFile, environment: str, path: FieldPath, message: str) -> Problem:
    """A problem of the spec as `environment` sees it, placed on the environment's override of
    the field when there is one, else on the field itself."""
    override: FieldPath = ("environments", environment, *path)
    where = override if spec_file.doc.has(override) else path
    return spec_file.doc.problem(where, message, dotted(path))


def _reservation_problems(member: Member, stack: StackConfig, size: InstanceSpec) -> list[Problem]:
    """One copy's reservation fits one instance of the pool.

    CreateInferenceComponent's `ComputeResourceRequirements` are "the compute resources to
    allocate to run a model" per copy (https://docs.aws.amazon.com/sagemaker/latest/APIReference/
    API_InferenceComponentComputeResourceRequirements.html), and each copy is placed on one
    instance (`InferenceComponentPlacementStatus`: "the number of inference component copies
    currently placed on instances"): a copy that needs more CPU cores, memory or accelerators than
    one instance has is never placed. The instance figures are AWS's (modelops.aws.instance_specs).
    """
    component = member.component
    instance = member.pool.instance_type
    where = f"one {instance} of pool {member.pool_name} (stack {stack.name})"
    fix = f"reserve less, or give pool {member.pool_name} a larger instance type"
    found: list[tuple[str, str]] = []
    if component.cpu > size.vcpus:
        found.append(("cpu", f"a copy reserves {component.cpu:g} CPU cores, and {where} has {size.vcpus} vCPUs: {fix}"))
    if component.memory_mb > size.memory_mib:
        found.append(
            (
                "memory_mb",
                f"a copy reserves {component.memory_mb} MiB of memory, and {where} has {size.memory_mib} MiB: {fix}",
            )
        )
    if component.accelerators > 0 and size.accelerators == 0:
        found.append(
            (
                "accelerators",
                f"a copy reserves {component.accelerators} accelerator devices, and {where} has none: pin the model "
                "to a pool of GPU or Inferentia instances, or set accelerators: 0",
            )
        )
    elif component.accelerators > size.accelerators:
        found.append(
            (
                "accelerators",
                f"a copy reserves {component.accelerators} accelerator devices, and {where} has "
                f"{size.accelerators} ({size.accelerator}): {fix}",
            )
        )
    return [
        _spec_problem(member.spec_file, stack.environment, (*COMPONENT_PATH, field), message)
        for field, message in found
    ]


def _image_problems(member: Member, stack: StackConfig) -> list[Problem]:
    """A framework's serving image is chosen for the instance type it runs on (CPU, GPU, Neuron,
    Graviton: sagemaker-core `image_uris.retrieve`), which for a component is its pool's: the
    spec's own check (`modelops.spec.checks._framework`) has no instance type to choose with."""
    from modelops.spec import frameworks

    model = member.spec.model
    if model.image is not None or model.framework is None or model.framework_version is None:
        return []
    image = frameworks.serving_image(
        model.framework,
        model.framework_version,
        member.pool.instance_type,
        model.base_framework_version,
        model.py_version,
    )
    if not isinstance(image, frameworks.ImageRefusal):
        return []
    path: FieldPath = (*COMPONENT_PATH, "pool") if image.field == "instance_type" else ("model", image.field)
    message = f"{image.message} (on pool {member.pool_name}'s {member.pool.instance_type} in stack {stack.name})"
    return [_spec_problem(member.spec_file, stack.environment, path, message)]


def _shared_setting_problems(pool: str, group: list[Member], stack: StackConfig, doc: Document | None) -> list[Problem]:
    """A pool's models agree on the settings SageMaker takes per endpoint, not per model.

    - Network isolation: CreateEndpointConfig's `EnableNetworkIsolation` "sets whether all model
      containers deployed to the endpoint are isolated" (https://docs.aws.amazon.com/sagemaker/
      latest/APIReference/API_CreateEndpointConfig.html), and a pool's members share its endpoint
      and instances, so an isolated model and one that is not cannot share a pool. modelops
      derives a model's isolation from `model.network_isolation`, else its data classification
      (`ModelSpec.network_isolation`): a confidential and a restricted model agree (both
      isolated), as do a public and an internal one; the message says why each has its setting.
    - Data capture: `DataCaptureConfig` is a member of the endpoint configuration, with one
      sampling percentage and destination, and CreateInferenceComponent has no capture setting
      (botocore `CreateInferenceComponentInput`): the pool captures for all its models or none,
      so a model that turned capture off would be captured because another turned it on.

    The VPC needs no rule: every SageMaker model of a stack but a serverless one runs in the
    stack's `modelops:vpc`, so the members of a pool always share it."""
    first = group[0]
    problems = []
    for member in group[1:]:
        for what, setting, describe, reason in SHARED_SETTINGS:
            if setting(member.spec) == setting(first.spec):
                continue
            problems.append(
                stack_problem(
                    doc,
                    stack,
                    ("models", member.model.name),
                    f"{member.model.name} runs {describe(member.spec)}, {first.model.name} {describe(first.spec)}, "
                    f"both on pool {pool}: {what} is set for a pool's endpoint as a whole ({reason}), so its models "
                    "must agree; put them on separate pools",
                )
            )
    return problems


def _role_policy_problems(pool: str, group: list[Member], stack: StackConfig, doc: Document | None) -> list[Problem]:
    """The pool's execution role takes its policy: IAM allows a role 10,240 characters of inline
    policy, white space not counted ("IAM and AWS STS quotas", "Role policy size cannot exceed
    10,240 characters", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
    and PutRolePolicy past it fails with LimitExceeded ("Maximum policy size of 10240 bytes
    exceeded for role ..."). The pool's role has one policy naming every member's log groups,
    artifact, image repository and rollback alarms (`modelops.aws.pool_role`, which the program
    builds it with), so a pool holds only so many models. Measured here with the program's own
    builder, the members resolved offline (`offline_sources`: a registry package's image and
    data, known at deploy only, count for nothing, so the rehearsal may still refuse such a
    pool) and a 12-digit stand-in for the account, which no ARN's length depends on otherwise."""
    from modelops.aws.iam import ROLE_POLICY_SIZE_LIMIT, policy_size
    from modelops.aws.pool_role import (
        OFFLINE_ACCOUNT,
        offline_sources,
        policy_fit,
        pool_role_policy,
        stack_capture_bucket,
    )
    from modelops.aws.regions import partition_of

    partition = partition_of(stack.region)
    if partition is None:
        return []  # the stack's region finding says it
    sources = offline_sources(stack, stack.pools[pool].instance_type)
    bucket = stack_capture_bucket(stack, OFFLINE_ACCOUNT)

    def policy_of(models: Sequence[ResolvedModel]) -> dict[str, Any]:
        return pool_role_policy(pool, stack, partition, OFFLINE_ACCOUNT, models, sources, bucket)

    models = [member.model for member in group]
    fit = policy_fit(policy_of, models)
    if fit.fits:
        return []
    # What one more model adds: the first model also brings what every member shares.
    first = policy_size(policy_of(models[:1])) if len(models) > 1 else policy_size(policy_of([]))
    per_model = (fit.size - first) / max(1, len(models) - 1)
    role = naming.pool_role_name(pool, stack.environment)
    return [
        stack_problem(
            doc,
            stack,
            ("pools", pool),
            f"the execution role of pool {pool} ({role}) would need an inline policy of {fit.size:,} characters "
            f"for its {fit.members} models, and IAM allows a role {ROLE_POLICY_SIZE_LIMIT:,} (white space not "
            "counted; PutRolePolicy fails with LimitExceeded): the policy names each model's log groups, "
            f"artifact, image repository and rollback alarms, about {per_model:.0f} characters a model here, so "
            f"{fit.fitting} of these models fit in one pool; split the pool, with at most {fit.fitting} models in each",
        )
    ]


def _isolation(spec: ModelSpec) -> bool:
    return spec.network_isolation


def _describe_isolation(spec: ModelSpec) -> str:
    if spec.model.network_isolation is not None:
        return f"with model.network_isolation {str(spec.model.network_isolation).lower()}"
    state = "with" if spec.network_isolation else "without"
    return f"{state} network isolation ({spec.metadata.data_classification} data)"


def _capture(spec: ModelSpec) -> int | None:
    """The sampling percentage the member captures at, None without capture."""
    capture = spec.serving.data_capture
    return capture.sampling_percent if capture.enabled else None


def _describe_capture(spec: ModelSpec) -> str:
    sampling = _capture(spec)
    return "without data capture" if sampling is None else f"with data capture of {sampling}%"


# (setting, what the endpoint takes of a member, how the member has it, where the endpoint takes it)
SHARED_SETTINGS: tuple[tuple[str, Callable[[ModelSpec], object], Callable[[ModelSpec], str], str], ...] = (
    ("network isolation", _isolation, _describe_isolation, "EnableNetworkIsolation of its endpoint configuration"),
    ("data capture", _capture, _describe_capture, "DataCaptureConfig of its endpoint configuration"),
)


def _capacity_problems(
    pool: str, group: list[Member], stack: StackConfig, doc: Document | None, size: InstanceSpec
) -> list[Problem]:
    """The copies a pool's models start with fit its maxInstances instances together.

    SageMaker adds instances, up to MaxInstanceCount, as the copies need room (managed instance
    scaling, https://docs.aws.amazon.com/sagemaker/latest/APIReference/
    API_ProductionVariantManagedInstanceScaling.html); copies whose reservations add up to more
    than maxInstances instances have are never all placed, and the deployment waits on them.
    Adding the reservations is a lower bound of what is needed (copies do not split across
    instances), so a pool this passes may still be short."""
    limit = stack.pools[pool].max_instances
    needed = {
        "CPU cores": (sum(m.component.copies * m.component.cpu for m in group), size.vcpus),
        "MiB of memory": (sum(m.component.copies * m.component.memory_mb for m in group), size.memory_mib),
        "accelerator devices": (sum(m.component.copies * m.component.accelerators for m in group), size.accelerators),
    }
    instance_type = stack.pools[pool].instance_type
    short = [
        f"{total:g} {what} where {limit} x {instance_type} have {limit * per_instance}"
        for what, (total, per_instance) in needed.items()
        if total > limit * per_instance
    ]
    if not short:
        return []
    copies = sum(m.component.copies for m in group)
    return [
        stack_problem(
            doc,
            stack,
            ("pools", pool, "maxInstances"),
            f"the {copies} copies that {', '.join(m.model.name for m in group)} start with on pool {pool} "
            f"reserve {'; '.join(short)} (maxInstances): SageMaker could not place them all; "
            "raise maxInstances, use a larger instance type, or start with fewer copies",
        )
    ]
