"""Run the Pulumi program under Pulumi's mock runtime and record a Plan.

This is Pulumi's official unit-test runtime (`pulumi.runtime.set_mocks`), used as a product
feature: it needs no Pulumi CLI, no provider plugin and no AWS account. The mocks record every
resource registration with its parent, its inputs as the engine would receive them (camelCase)
and the resources it depends on; `modelops.engine.rehearse` swaps in mocks that also call AWS (moto).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import threading
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, cast

from modelops.engine.plan import PROVIDER_KEY, Plan, PlanResource, physical_name
from modelops.engine.program import StackInputs
from modelops.errors import DeploymentRefused
from modelops.rules import RuleContext, check_plan
from modelops.spec.loader import Problem, ProblemsFound
from modelops.spec.resolve import Project, load_project
from modelops.spec.stack import load_stack_file

MOCK_ACCOUNT = "123456789012"
# Told of each resource as the program registers it: its name and how many so far (the CLI's
# progress on a terminal). Called from the mock runtime's threads.
ProgressCallback = Callable[[str, int], None]


class ProgramFailed(Exception):
    """The program raised while running under the mocks; the message is for the user."""


def _arn(type_token: str, name: str, region: str) -> str:
    from modelops.aws.regions import partition_of

    p = partition_of(region) or "aws"
    service = type_token.split(":")[1].split("/")[0]
    if service == "iam":
        return f"arn:{p}:iam::{MOCK_ACCOUNT}:role/{name}"
    if service == "s3":
        return f"arn:{p}:s3:::{name}"
    return f"arn:{p}:{service}:{region}:{MOCK_ACCOUNT}:{type_token.split(':')[-1].lower()}/{name}"


class RecordingMocks:
    """Pulumi mocks that record each resource and answer with plausible outputs offline."""

    def __init__(self, region: str):
        self.region = region
        self.records: list[PlanResource] = []
        self.on_progress: ProgressCallback | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def call(self, args: Any) -> tuple[dict[str, Any], list] | dict[str, Any]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": MOCK_ACCOUNT,
                "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/modelops",
                "userId": "AIDAMODELOPS",
                "id": MOCK_ACCOUNT,
            }
        if token == "aws:index/getPartition:getPartition":
            from modelops.aws.regions import dns_suffix, partition_of

            partition = partition_of(self.region) or "aws"  # the stack's, as the provider answers
            return {"partition": partition, "dnsSuffix": dns_suffix(partition), "id": partition}
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        return {}

    def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
        parent = getattr(self._local, "parent", "") or None
        dependencies = getattr(self._local, "dependencies", [])
        record = PlanResource(
            urn=getattr(self._local, "urn", ""),
            type=args.typ,
            name=args.name,
            parent=parent,
            inputs={k: v for k, v in args.inputs.items() if k != PROVIDER_KEY},
            custom=bool(args.custom),
            dependencies=dependencies,
            options=getattr(self._local, "options", {}),
        )
        with self._lock:
            self.records.append(record)
            if self.on_progress is not None:
                self.on_progress(record.name, len(self.records))
        if not args.custom:
            return "", {}
        return self.create(record, args.inputs.get(PROVIDER_KEY))

    def create(self, record: PlanResource, provider: str | None = None) -> tuple[str, dict[str, Any]]:
        """The resource's id and state; the rehearsal overrides this with real AWS calls."""
        inputs = record.inputs
        physical = physical_name(inputs) or record.name
        if record.type.startswith(("kubernetes:", "pulumi:providers:")):
            return str(physical), dict(inputs)  # pulumi-kubernetes ids are namespace/name; no ARN
        state = {**inputs, "arn": _arn(record.type, str(physical), self.region)}
        if record.type == "aws:iam/role:Role":
            state["uniqueId"] = "AROAMODELOPS"
        if record.type == "aws:s3/bucket:Bucket":
            state["bucket"] = physical
        return str(physical), state

    def remember_request(self, urn: str, parent: str, dependencies: Any, options: dict[str, Any]) -> None:
        self._local.urn = urn
        self._local.parent = parent
        self._local.options = options
        # The SDK sends every resource whose output an input uses, and `depends_on`, with
        # components expanded to their resources; plain strings keep the record picklable.
        self._local.dependencies = sorted({str(d) for d in dependencies} - {parent, urn})


def _monitor(mocks: RecordingMocks) -> Any:
    from pulumi.runtime.mocks import MockMonitor

    class RecordingMonitor(MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
            urn = self.make_urn(request.parent, request.type, request.name)
            mocks.remember_request(urn, request.parent, request.dependencies, lifecycle_options(request))
            return super().RegisterResource(request)

    return RecordingMonitor(cast(Any, mocks))


def lifecycle_options(request: Any) -> dict[str, Any]:
    """The resource options of a RegisterResource request that change what a deploy does to the
    resource, those set only (Pulumi's resource options: import, retainOnDelete, protect,
    ignoreChanges, replaceOnChanges, deleteBeforeReplace). The mock runtime acts on none of them,
    so the Plan records them for review and tests."""
    options: dict[str, Any] = {}
    if request.importId:
        options["import"] = request.importId
    for flag in ("retainOnDelete", "protect", "deleteBeforeReplace"):
        if getattr(request, flag):
            options[flag] = True
    for paths in ("ignoreChanges", "replaceOnChanges"):
        if getattr(request, paths):
            options[paths] = list(getattr(request, paths))
    return options


def stack_config_values(root: Path, stack: str) -> dict[str, str]:
    """The stack file's config as the Pulumi engine hands it to a program: JSON for objects."""
    _, doc = load_stack_file(root, stack)
    values: dict[str, str] = {}
    for key, value in doc.data["config"].items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            continue  # ciphertext cannot be decrypted offline
        values[key] = value if isinstance(value, str) else json.dumps(value)
    return values


_RUN_LOCK = threading.Lock()


def run_program(
    root: Path,
    stack: str,
    mocks: RecordingMocks,
    registry: Any = None,
    inputs: StackInputs | None = None,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """Run the program once under `mocks`; returns the stack outputs."""
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.stack import wait_for_rpcs
    from pulumi.runtime.sync_await import _sync_await

    from modelops.aws import registry as package_registry
    from modelops.engine import program

    with _RUN_LOCK, _lean_runtime():
        previous = package_registry.use(registry or package_registry.OfflineRegistry())
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(stack_config_values(root, stack))
        pulumi.runtime.set_mocks(
            cast(Any, mocks), project="modelops", stack=stack, preview=False, monitor=_monitor(mocks)
        )
        gc_was_enabled = gc.isenabled()
        gc.disable()  # the mock runtime allocates many small cycles; collection makes runs superlinear
        try:
            program.run(root, inputs, only)
            _sync_await(wait_for_rpcs())
        except (pulumi.RunError, DeploymentRefused) as exc:
            _drain(wait_for_rpcs, _sync_await)
            raise ProgramFailed(str(exc)) from None
        finally:
            if gc_was_enabled:
                gc.enable()
            package_registry.use(previous)
        root_stack = settings.get_root_resource()
        outputs = dict(getattr(root_stack, "outputs", {}) or {})
        settings.ROOT.set(None)
    return {k: _resolved(v) for k, v in outputs.items()}


@contextlib.contextmanager
def _lean_runtime() -> Iterator[None]:
    """Switch off, for one run under the mocks, work of the runtime whose result a plan never
    reads or that gives the same result every time; tests/test_render_parts.py compares the
    plan with the program's own run. Each is a private name of the pinned pulumi release: a
    release without it fails here, loudly, rather than planning differently.

    - the walk of the Python stack at every registration, which tells the engine where the
      resource was declared (a tenth of a plan's time);
    - the output types of a resource class, worked out again from its annotations for every
      resource of that class;
    - pickling a dynamic provider that holds no state of its own: the same bytes for its class.
    """
    from pulumi import _types
    from pulumi.dynamic import dynamic
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    patches = [
        (resource, "_get_stack_trace", source_pb2.StackTrace),  # an empty trace
        (_types, "resource_types", functools.cache(_types.resource_types)),
        (dynamic, "serialize_provider", _by_class(dynamic.serialize_provider)),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, replacement in patches:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def _by_class(serialize: Callable[[Any], str]) -> Callable[[Any], str]:
    known: dict[type, str] = {}

    def serialize_provider(provider: Any) -> str:
        if vars(provider):
            return serialize(provider)
        if type(provider) not in known:
            known[type(provider)] = serialize(provider)
        return known[type(provider)]

    return serialize_provider


def _drain(wait_for_rpcs: Any, sync_await: Any) -> None:
    """Let registrations already in flight finish while this run's mocks (and moto) are still
    active; otherwise they land in whatever runs next."""
    # The program already failed; its first error is the one reported.
    with contextlib.suppress(Exception):
        sync_await(wait_for_rpcs())


def _resolved(value: Any) -> Any:
    import pulumi
    from pulumi.runtime.sync_await import _sync_await

    if isinstance(value, pulumi.Output):
        return _resolved(_sync_await(value.future()))
    if isinstance(value, dict):
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v) for v in value]
    return value


# Models per rendering process. A part's memory grows with its models (Pulumi's state, never
# collected) and its fixed cost (the stack-level resources, the runtime's set-up) is paid per
# part: on the 1000-model fleet of benchmarks/scale.py, 100 gave 24.0 s and 577 MB of peak
# memory, 50 23.4 s and 439 MB, 20 24.5 s and 362 MB, 10 29.8 s and 344 MB.
PART_SIZE = 20


def render(
    root: Path,
    stack: str,
    mocks: RecordingMocks | None = None,
    registry: Any = None,
    *,
    only: Collection[str] | None = None,
    part_size: int = PART_SIZE,
    workers: int | None = None,
    project: Project | None = None,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """The stack's Plan. `only` renders the stack-level resources and just those models (a
    diff's unchanged models need no rendering). Without `mocks` the models are rendered in parts
    of `part_size`, each in a forked process, `workers` (the CPUs) at a time: the same Plan a
    single run of the program gives (tests/test_render_parts.py holds it). `project` is the
    project at `root` when the caller has loaded it already. `on_progress` is told of each
    resource rendered in this process, and of each part as it arrives from another."""
    from modelops.engine import forked
    from modelops.engine.program import prepare

    if project is None or stack not in project.stacks:
        project = load_project(root, [stack])
    if project.problems:
        raise ProblemsFound(project.problems)
    config, _ = project.stacks[stack]
    inputs = prepare(config, project.repo, project.resolved[stack])
    try:
        if mocks is None and forked.available():
            records, outputs = _render_in_parts(
                root, stack, inputs, registry, only, part_size, workers or forked.cpu_count(), on_progress
            )
        else:
            mocks = mocks or RecordingMocks(config.region)
            if on_progress is not None:
                mocks.on_progress = on_progress
            outputs = run_program(root, stack, mocks, registry, inputs, only)
            records = mocks.records
    except ProgramFailed as exc:
        raise ProblemsFound([Problem(f"stack {stack}", 1, 1, "", str(exc))]) from None
    models = [{"name": m.name, "version": m.version} for m in project.resolved[stack]]
    resources = sorted(records, key=lambda r: r.urn)
    outputs = dict(sorted(outputs.items()))  # the same order however many parts declared them
    plan = Plan(stack=stack, environment=config.environment, models=models, resources=resources, outputs=outputs)
    ctx = RuleContext(config.environment, config.kms_key_arn, config.permissions_boundary_arn)
    plan.violations = check_plan(plan, ctx)
    return plan


def _render_in_parts(
    root: Path,
    stack: str,
    inputs: StackInputs,
    registry: Any,
    only: Collection[str] | None,
    part_size: int,
    workers: int,
    on_progress: ProgressCallback | None = None,
) -> tuple[list[PlanResource], dict[str, Any]]:
    from modelops.engine import forked

    preload(kubernetes=bool(inputs.on_kubernetes))
    parts = split_in_parts(inputs, only, part_size)

    def render_part(part: list[str]) -> tuple[list[PlanResource], dict[str, Any]]:
        start_forked_run()
        mocks = RecordingMocks(inputs.stack.region)
        outputs = run_program(root, stack, mocks, registry, inputs, part)
        forked.send(len(mocks.records))  # for the progress: the records themselves stay pickled
        return mocks.records, outputs

    rendered = 0

    def arrived(index: int, count: int) -> None:
        nonlocal rendered
        rendered += count
        if on_progress is not None and parts[index]:
            on_progress(f"{len(parts[index])} models to {parts[index][-1]}", rendered)

    records: dict[str, PlanResource] = {}
    outputs: dict[str, Any] = {}
    # Each part's records stay pickled until every part is in: the parent holds a third of the
    # memory while the parts still run, which is when the process tree's memory peaks.
    pickled = forked.fork_map(render_part, parts, workers, on_message=arrived, keep_pickled=True)
    for part in pickled:
        part_records, part_outputs = cast(forked.Pickled, part).load()
        for record in part_records:
            records.setdefault(record.urn, record)  # every part declares the stack-level resources
        merge_outputs(outputs, part_outputs)
    return list(records.values()), outputs


def split_in_parts(inputs: StackInputs, only: Collection[str] | None, part_size: int) -> list[list[str]]:
    """The models to run, `part_size` per part (one empty part when there are none: the
    stack-level resources are still declared)."""
    names = [m.name for m in inputs.models if only is None or m.name in only]
    return [names[i : i + part_size] for i in range(0, len(names), max(1, part_size))] or [[]]


def start_forked_run() -> None:
    """Ready a process `forked.fork_map` just forked to run the program (`run_program`)."""
    global _RUN_LOCK
    _RUN_LOCK = threading.Lock()  # a parent's thread may have held it when this process forked
    # A loop the parent ran has an executor whose threads did not survive the fork.
    asyncio.set_event_loop(asyncio.new_event_loop())
    gc.disable()  # for good: this process ends as soon as its part is sent


def merge_outputs(outputs: dict[str, Any], part_outputs: dict[str, Any]) -> None:
    """A part's stack outputs into all parts' so far: per-model outputs are mappings by model."""
    for key, value in part_outputs.items():
        outputs[key] = {**outputs[key], **value} if isinstance(value, dict) and key in outputs else value


def preload(kubernetes: bool = True) -> None:
    """Import what every part imports, once, before the parts fork from this process."""
    import importlib

    for module in PRELOADED + (KUBERNETES_PRELOADED if kubernetes else ()):
        # pulumi_aws's submodules load on first attribute access; any attribute will do.
        getattr(importlib.import_module(module), "_modelops_preload", None)


# The modules a render imports (tests/test_render_parts.py checks the list is complete).
PRELOADED = (
    "pulumi",
    "pulumi_aws",
    "pulumi_aws.appautoscaling",
    "pulumi_aws.cloudwatch",
    "pulumi_aws.iam",
    "pulumi_aws.s3",
    "pulumi_aws.sagemaker",
    "components.model_deployment",
    "components.kubernetes_provider",
    "components.stack_bucket",
    "components.sagemaker_pool",
    "modelops.aws.instance_types",
)
KUBERNETES_PRELOADED = (
    "pulumi_kubernetes",
    "pulumi_kubernetes.apiextensions",
    "pulumi_kubernetes.apps.v1",
    "pulumi_kubernetes.autoscaling.v2",
    "pulumi_kubernetes.core.v1",
    "pulumi_kubernetes.meta.v1",
    "pulumi_kubernetes.policy.v1",
)
