"""`verify` and `drift` of a stack's inference components and the pools they run on (docs/pools.md).

What is intended comes from the plan, as for endpoints: the program's InferenceComponent
resource of each component model (its `name`, `endpointName`, `variantName` and
`specification.ModelName`, found by the `model` tag every resource of a model carries). A plan
without one (a program that renders no component yet) falls back on the names decided for
pools: the component of model M is `<M>-<environment>`, on its pool's endpoint
`<pool>-<environment>`, variant `AllTraffic`, running the Model the plan names for M's pinned
version (`modelops.aws.naming.model_name`: `<M>-<environment>-v<version>-<digest>`). The copy
bounds are the spec's.

- verify, per component model: DescribeInferenceComponent InService, on the intended endpoint,
  variant and model, its CurrentCopyCount within the spec's bounds (autoscaling min_copies to
  max_copies, else exactly `copies`). Per pool a pinned model uses: its endpoint InService with
  the pool's ManagedInstanceScaling (ENABLED, minInstances to maxInstances).
- drift: what can change outside the stack. The endpoint, model and copies of each component
  (UpdateInferenceComponent and UpdateInferenceComponentRuntimeConfig need no deploy), each
  pool's managed instance scaling, and the copy autoscaling target's limits.

Statuses: botocore's `InferenceComponentStatus` enum (InService, Creating, Updating, Failed,
Deleting); DescribeInferenceComponent's `RuntimeConfig.CurrentCopyCount` is the copies running
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeInferenceComponent.html).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modelops.aws import naming
from modelops.engine.live_report import Check
from modelops.engine.plan import Plan

if TYPE_CHECKING:
    from modelops.spec.resolved_model import ResolvedModel
    from modelops.spec.stack import Pool

MODEL = "aws:sagemaker/model:Model"
COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
POOL_VARIANT = "AllTraffic"
COPY_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# DescribeInferenceComponent's statuses other than InService, and why each fails verify.
COMPONENT_STATUS_MEANING = {
    "Creating": "still being created, run verify again when it finishes",
    "Updating": "still updating, run verify again when it finishes",
    "Failed": "cannot serve",
    "Deleting": "being deleted",
}
# DescribeEndpoint's, for a pool's endpoint (SystemUpdating is AWS maintenance: it still serves).
POOL_SERVING = {"InService", "SystemUpdating"}

Describe = Callable[..., tuple[dict[str, Any] | None, str]]


ENDPOINT = "aws:sagemaker/endpoint:Endpoint"


@dataclass(frozen=True)
class IntendedComponent:
    model: str  # the spec's model name
    version: str
    name: str  # the inference component's
    pool: str
    endpoint: str
    variant: str
    sagemaker_model: str | None  # the plan's Model of the pinned version; None: the plan has none
    low: int  # copies: fewest
    high: int  # most
    autoscaled: bool

    @property
    def copies(self) -> str:
        """The bounds as the checks print them: `2 copies`, `1-8 copies`."""
        return copy_count(self.low) if self.low == self.high else f"{self.low}-{self.high} copies"

    @property
    def resource_id(self) -> str:
        """Its Application Auto Scaling ResourceId (API_RegisterScalableTarget)."""
        return f"inference-component/{self.name}"


@dataclass(frozen=True)
class IntendedPool:
    pool: str
    endpoint: str
    config: str | None  # the endpoint configuration the plan gives it
    min_instances: int
    max_instances: int


def copy_count(count: object) -> str:
    return f"{count} copy" if count == 1 else f"{count} copies"


def is_component(model: ResolvedModel) -> bool:
    serving = model.spec.serving
    return serving.target == "sagemaker" and serving.mode == "component" and serving.component is not None


def _planned_components(plan: Plan) -> dict[str, dict[str, Any]]:
    """The plan's InferenceComponent inputs by the model they serve (its `model` tag)."""
    planned = {}
    for resource in plan.by_type(COMPONENT):
        model = (resource.inputs.get("tags") or {}).get("model")
        if model is not None:
            planned[str(model)] = resource.inputs
    return planned


def intended(
    plan: Plan, models: list[ResolvedModel], environment: str, pools: dict[str, Pool]
) -> tuple[list[IntendedComponent], list[IntendedPool]]:
    """The stack's components and the pools they use (a pool no pinned model uses is not created)."""
    components = []
    planned_components = _planned_components(plan)
    for model in (m for m in models if is_component(m)):
        component = model.spec.serving.component
        assert component is not None  # is_component
        scaling = component.autoscaling
        low, high = (scaling.min_copies, scaling.max_copies) if scaling else (component.copies, component.copies)
        # Names carry digests only the program computes (`naming.inference_component_name`,
        # `naming.model_name`): the plan of the same specs is where they are.
        planned = planned_components[model.name]
        name, endpoint = str(planned["name"]), str(planned["endpointName"])
        variant = str(planned.get("variantName") or POOL_VARIANT)
        sagemaker_model = (planned.get("specification") or {}).get("ModelName")
        components.append(
            IntendedComponent(
                model=model.name,
                version=model.version,
                name=name,
                pool=component.pool,
                endpoint=endpoint,
                variant=variant,
                sagemaker_model=sagemaker_model,
                low=low,
                high=high,
                autoscaled=scaling is not None,
            )
        )
    used = sorted({c.pool for c in components} & set(pools))  # an undeclared pool is validate's to refuse
    configs = {str(r.inputs["name"]): r.inputs.get("endpointConfigName") for r in plan.by_type(ENDPOINT)}
    return components, [
        IntendedPool(
            name,
            naming.pool_endpoint_name(name, environment),
            configs.get(naming.pool_endpoint_name(name, environment)),
            pools[name].min_instances,
            pools[name].max_instances,
        )
        for name in used
    ]


def component_check(component: IntendedComponent, described: dict[str, Any], judge_status: bool) -> Check:
    """Every way the live component differs from the stack, in one check."""
    subject = f"inference component {component.name}"
    status = described.get("InferenceComponentStatus")
    if judge_status and status != "InService":
        meaning = COMPONENT_STATUS_MEANING.get(str(status), "not InService")
        reason = described.get("FailureReason")
        return Check(subject, False, f"{status} ({meaning}){': ' + reason if reason else ''}")
    problems = []
    endpoint, variant = described.get("EndpointName"), described.get("VariantName")
    if endpoint != component.endpoint:
        problems.append(f"on endpoint {endpoint}, the stack intends {component.endpoint} (pool {component.pool})")
    elif variant != component.variant:
        problems.append(f"on variant {variant}, the stack intends {component.variant}")
    specifications = [described["Specification"]] if described.get("Specification") else []
    running = sorted({str(s.get("ModelName")) for s in specifications or described.get("Specifications") or []})
    if component.sagemaker_model is None:
        problems.append(f"the stack plans no SageMaker Model for {component.model} {component.version}")
    elif running != [component.sagemaker_model]:
        problems.append(f"runs model {', '.join(running) or 'none'}, the stack intends {component.sagemaker_model}")
    copies = (described.get("RuntimeConfig") or {}).get("CurrentCopyCount")
    if copies is None or not component.low <= copies <= component.high:
        problems.append(f"{copy_count(copies)}, the stack intends {component.copies}")
    if problems:
        return Check(subject, False, "; ".join(problems))
    shown = f"{status} on " if judge_status else "on "
    return Check(subject, True, f"{shown}{component.endpoint}, model {component.sagemaker_model}, {copy_count(copies)}")


def component_checks(
    components: list[IntendedComponent], describe: Describe, client: Any, judge_status: bool
) -> Iterator[Check]:
    for component in components:
        described, error = describe(client.describe_inference_component, InferenceComponentName=component.name)
        if described is None:
            yield Check(f"inference component {component.name}", False, error)
        else:
            yield component_check(component, described, judge_status)


def _managed_scaling(described: dict[str, Any], describe: Describe, client: Any) -> tuple[dict[str, Any] | None, str]:
    """The pool variant's ManagedInstanceScaling: DescribeEndpoint reports it per variant
    (ProductionVariantSummary); where it does not, the configuration the endpoint runs says it."""
    variants = {v.get("VariantName"): v for v in described.get("ProductionVariants") or []}
    if POOL_VARIANT in variants and variants[POOL_VARIANT].get("ManagedInstanceScaling"):
        return dict(variants[POOL_VARIANT]["ManagedInstanceScaling"]), ""
    config, error = describe(client.describe_endpoint_config, EndpointConfigName=described.get("EndpointConfigName"))
    if config is None:
        return None, error
    configured = {v.get("VariantName"): v for v in config.get("ProductionVariants") or []}
    if POOL_VARIANT not in configured:
        return None, f"has no variant {POOL_VARIANT}"
    return configured[POOL_VARIANT].get("ManagedInstanceScaling") or {}, ""


def pool_check(pool: IntendedPool, described: dict[str, Any], scaling: dict[str, Any], judge_status: bool) -> Check:
    subject = f"pool {pool.pool}"
    status = described.get("EndpointStatus")
    if judge_status and status not in POOL_SERVING:
        reason = described.get("FailureReason")
        return Check(subject, False, f"endpoint {pool.endpoint} {status}{': ' + reason if reason else ''}")
    live = (scaling.get("Status"), scaling.get("MinInstanceCount"), scaling.get("MaxInstanceCount"))
    if live != ("ENABLED", pool.min_instances, pool.max_instances):
        shown = f"{live[0]} {live[1]}-{live[2]}" if scaling else "none"
        return Check(
            subject,
            False,
            f"endpoint {pool.endpoint} managed instance scaling {shown}, the stack intends ENABLED "
            f"{pool.min_instances}-{pool.max_instances}",
        )
    running = described.get("EndpointConfigName")
    if judge_status and pool.config is not None and running != pool.config:
        return Check(
            subject,
            False,
            f"endpoint {pool.endpoint} runs {running}, the stack intends {pool.config} (an update rolled back, "
            "or was never made)",
        )
    state = f" {status}" if judge_status else ""
    return Check(subject, True, f"endpoint {pool.endpoint}{state}, {pool.min_instances}-{pool.max_instances} instances")


def pool_checks(pools: list[IntendedPool], describe: Describe, client: Any, judge_status: bool) -> Iterator[Check]:
    for pool in pools:
        described, error = describe(client.describe_endpoint, EndpointName=pool.endpoint)
        if described is None:
            yield Check(f"pool {pool.pool}", False, f"endpoint {pool.endpoint}: {error}")
            continue
        scaling, error = _managed_scaling(described, describe, client)
        if scaling is None:
            yield Check(f"pool {pool.pool}", False, f"endpoint {pool.endpoint}: {error}")
        else:
            yield pool_check(pool, described, scaling, judge_status)


def copy_scaling_drift(components: list[IntendedComponent], describe: Describe, client: Any) -> list[Check]:
    """Each component's copy autoscaling target as the spec sets it: registered with min_copies to
    max_copies when it has autoscaling, not registered when it has none (a target registered
    outside the stack moves the copy count the stack fixed)."""
    if not components:
        return []

    def all_targets(**request: Any) -> dict[str, Any]:
        return dict(client.get_paginator("describe_scalable_targets").paginate(**request).build_full_result())

    described, error = describe(
        all_targets,
        ServiceNamespace="sagemaker",
        ScalableDimension=COPY_DIMENSION,
        ResourceIds=sorted(c.resource_id for c in components),
    )
    if described is None:
        return [Check(f"autoscaling {c.resource_id}", False, error) for c in components]
    live = {t["ResourceId"]: t for t in described.get("ScalableTargets", [])}
    checks = []
    for component in components:
        subject, target = f"autoscaling {component.resource_id}", live.get(component.resource_id)
        if target is None:
            if component.autoscaled:
                checks.append(Check(subject, False, f"not registered, the stack intends {component.copies}"))
            else:
                checks.append(Check(subject, True, f"none, the stack fixes {component.copies}"))
            continue
        limits = (target["MinCapacity"], target["MaxCapacity"])
        shown = f"{limits[0]}-{limits[1]} copies"  # a range: always plural
        if not component.autoscaled:
            checks.append(Check(subject, False, f"{shown}, the stack sets no autoscaling"))
        elif limits != (component.low, component.high):
            checks.append(Check(subject, False, f"{shown}, the stack intends {component.copies}"))
        else:
            checks.append(Check(subject, True, shown))
    return checks
