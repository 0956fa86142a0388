"""What a change does, per stack: versions moved, spec fields changed, resources changed.

Both revisions are rendered by this checkout's program (the base's specs and stacks are read
from git, the working tree is not touched), then compared as typed data; `diff_text` and
`diff_markdown` only present it. Which input change replaces a resource comes from
`modelops.aws.replacements` (the upstream provider schema) and, for our dynamic resources, from
their providers' own `diff`. Changes that destroy data or cause downtime come first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from modelops.aws.replacements import IGNORED, replacing_paths, top_level
from modelops.engine.model_digest import models_to_render
from modelops.engine.plan import Plan, PlanResource, strict_json
from modelops.engine.program import StackInputs, prepare
from modelops.engine.render import ProgressCallback, render
from modelops.errors import UsageError
from modelops.gitops.gitrev import materialize
from modelops.gitops.markdown_safe import code, row, text, visible
from modelops.gitops.policy_diff import (
    PolicyChange,
    Statement,
    StatementChange,
    Widening,
    condition_text,
    documents,
    policy_changes,
    statement_text,
)
from modelops.gitops.value_diff import ValueChange, compact_pair, hidden, value_changes
from modelops.spec.checks import semver_key
from modelops.spec.loader import Problem, ProblemsFound, parse, read_bytes
from modelops.spec.repository import SPECS_DIR
from modelops.spec.resolve import Project, load_project
from modelops.spec.resolved_model import ResolvedModel
from modelops.spec.stack import stack_names

FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
K8S_DEPLOYMENT = "kubernetes:apps/v1:Deployment"
K8S_SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
INFERENCE_COMPONENT = "pulumi-python:dynamic/sagemaker:InferenceComponent"
DATA_LOSS = {
    FEATURE_GROUP: "its stored feature records are lost",
    "aws:s3/bucket:Bucket": "the bucket and its objects are deleted",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "the registry group leaves management (it is retained in AWS)",
    NAMESPACE: "the namespace is deleted with every object in it, also those modelops does not manage",
}
DOWNTIME = {
    (ENDPOINT, "replace"): "the endpoint is deleted and created again: requests fail meanwhile",
    (ENDPOINT, "delete"): "the endpoint is deleted: every request to it fails from then on",
    # A Kubernetes object keeps its name, so pulumi-kubernetes deletes it before creating it again.
    (INFERENCE_SERVICE, "replace"): "the inference service is deleted and created again: requests fail meanwhile",
    (INFERENCE_SERVICE, "delete"): "the inference service is deleted: every request to it fails from then on",
    (K8S_DEPLOYMENT, "replace"): "the Deployment and its pods are deleted and created again: requests fail meanwhile",
    (K8S_DEPLOYMENT, "delete"): "the Deployment and its pods are deleted: every request fails from then on",
    (K8S_SERVICE, "replace"): "the Service is deleted and created again: its address is gone meanwhile",
    (K8S_SERVICE, "delete"): "the Service is deleted: callers lose its address",
    # Replaced only when the model moves to another pool (components/providers/inference_component.py):
    # the new component has another name on another endpoint, and is created before the old one goes.
    (INFERENCE_COMPONENT, "replace"): (
        "the model moves to another pool: its new inference component serves on the new pool's endpoint under a "
        "new name before the old one is deleted; callers must move to the new endpoint and component name, requests "
        "to the old fail once it is deleted"
    ),
    (INFERENCE_COMPONENT, "delete"): "the inference component is deleted: every request to it fails from then on",
}
# What callers of a model reach, per target, and the suffix of its resource name
# (components/model_deployment.py): a model whose `serving.target` switches loses that address.
SERVING = {
    ENDPOINT: ("SageMaker endpoint", "-serving-endpoint"),
    INFERENCE_SERVICE: ("KServe inference service", "-serving-inference-service"),
    K8S_SERVICE: ("Kubernetes Service", "-serving-service"),
    INFERENCE_COMPONENT: ("pool's inference component", "-serving-component"),
}
DYNAMIC_PROVIDERS = {
    "pulumi-python:dynamic/sagemaker:MonitoringJobDefinition": (
        "components.providers.monitoring_job_definition",
        "JobDefinitionProvider",
    ),
    "pulumi-python:dynamic/sagemaker:FeatureAdditions": (
        "components.providers.feature_additions",
        "FeatureAdditionsProvider",
    ),
    "pulumi-python:dynamic/sagemaker:ModelCard": ("components.providers.model_card", "ModelCardProvider"),
    "pulumi-python:dynamic/sagemaker:ScalingPause": ("components.providers.variant_scaling", "ScalingPauseProvider"),
    "pulumi-python:dynamic/sagemaker:ScalingResume": ("components.providers.variant_scaling", "ScalingResumeProvider"),
    "pulumi-python:dynamic/sagemaker:InferenceComponent": (
        "components.providers.inference_component",
        "InferenceComponentProvider",
    ),
    "pulumi-python:dynamic/sagemaker:PoolEndpointConfiguration": (
        "components.providers.pool_endpoint_configuration",
        "PoolEndpointConfigurationProvider",
    ),
}


@dataclass(frozen=True)
class VersionChange:
    model: str
    role: str  # primary | challenger | shadow
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "moved"


@dataclass(frozen=True)
class FieldChange:
    model: str
    role: str
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ResourceChange:
    action: str  # create | update | replace | delete
    urn: str
    type: str
    name: str
    fields: tuple[str, ...] = ()  # changed input paths
    replacing: tuple[str, ...] = ()  # the ones that force the replacement
    values: tuple[ValueChange, ...] = ()  # each changed leaf, old and new
    data_loss: str | None = None
    downtime: str | None = None

    @property
    def critical(self) -> bool:
        return bool(self.data_loss or self.downtime)


@dataclass
class StackDiff:
    stack: str
    environment: str
    versions: list[VersionChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    resources: list[ResourceChange] = field(default_factory=list)
    security: list[PolicyChange] = field(default_factory=list)  # IAM statements added, removed, changed

    @property
    def critical(self) -> list[ResourceChange]:
        return [r for r in self.resources if r.critical]

    @property
    def broadening(self) -> list[PolicyChange]:
        return [p for p in self.security if p.broadens]

    @property
    def empty(self) -> bool:
        return not (self.versions or self.fields or self.resources or self.security)


@dataclass(frozen=True)
class SpecFileChange:
    """A version file published, edited or removed. `since` is what `fields` compare against:
    the same file at the base when edited, the model's previous version when published."""

    kind: str  # published | edited | removed
    model: str
    version: str
    since: str | None = None
    fields: tuple[tuple[str, Any, Any], ...] = ()


@dataclass
class Diff:
    base: str
    stacks: list[StackDiff]
    spec_files: list[SpecFileChange] = field(default_factory=list)

    @property
    def critical(self) -> list[tuple[str, ResourceChange]]:
        return [(s.stack, r) for s in self.stacks for r in s.critical]

    @property
    def broadening(self) -> list[tuple[str, PolicyChange]]:
        return [(s.stack, p) for s in self.stacks for p in s.broadening]


def _named(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)
    )


def _walk(old: Any, new: Any, path: str, out: dict[str, tuple[Any, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in old or key not in new:
                out[child] = (old.get(key), new.get(key))
            else:
                _walk(old[key], new[key], child, out)
    elif _named(old) and _named(new):
        before, after = {v["name"]: v for v in old}, {v["name"]: v for v in new}
        for name in [*before, *(n for n in after if n not in before)]:
            child = f"{path}[{name}]"
            if name not in before or name not in after:
                out[child] = (before.get(name), after.get(name))
            else:
                _walk(before[name], after[name], child, out)
    elif old != new:
        out[path] = (old, new)


def changed_paths(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Changed values by dotted path; named list items (`features[tenure]`) are matched by name,
    and anything present on one side only is reported whole."""
    out: dict[str, tuple[Any, Any]] = {}
    _walk(old, new, "", out)
    return out


def _variants(models: list[ResolvedModel]) -> dict[tuple[str, str], Any]:
    return {(m.name, v.role): v for m in models for v in m.variants}


def version_changes(old: list[ResolvedModel], new: list[ResolvedModel]) -> list[VersionChange]:
    before, after = _variants(old), _variants(new)
    changes = []
    for key in sorted(set(before) | set(after)):
        old_version = before[key].version if key in before else None
        new_version = after[key].version if key in after else None
        if old_version != new_version:
            changes.append(VersionChange(key[0], key[1], old_version, new_version))
    return changes


def field_changes(old: list[ResolvedModel], new: list[ResolvedModel]) -> list[FieldChange]:
    before, after = _variants(old), _variants(new)
    changes = []
    for key in sorted(set(before) & set(after)):
        old_spec = before[key].spec.model_dump(mode="json", exclude={"environments"})
        new_spec = after[key].spec.model_dump(mode="json", exclude={"environments"})
        for path, (was, now) in changed_paths(old_spec, new_spec).items():
            if path != "metadata.version":
                changes.append(FieldChange(key[0], key[1], path, *_masked(path, was, now)))
    return changes


def _masked(path: str, old: Any, new: Any) -> tuple[Any, Any]:
    """The values, or in their place why they are not shown (a credential, in any output)."""
    reason = hidden(path, old, new)
    return (old, new) if reason is None else (f"({reason})", f"({reason})")


def _provider_replaces(resource: PlanResource, old: PlanResource) -> list[str] | None:
    spec = DYNAMIC_PROVIDERS.get(resource.type)
    if spec is None:
        return None
    import importlib

    provider = getattr(importlib.import_module(spec[0]), spec[1])()
    return list(provider.diff(old.name, old.inputs, resource.inputs).replaces or [])


def resource_changes(old: Plan | None, new: Plan | None) -> list[ResourceChange]:
    before = {r.urn: r for r in (old.resources if old else []) if r.custom}
    after = {r.urn: r for r in (new.resources if new else []) if r.custom}
    changes = []
    for urn in sorted(set(before) | set(after)):
        if urn not in before:
            r = after[urn]
            changes.append(ResourceChange("create", urn, r.type, r.name))
            continue
        if urn not in after:
            r = before[urn]
            changes.append(
                ResourceChange(
                    "delete",
                    urn,
                    r.type,
                    r.name,
                    data_loss=DATA_LOSS.get(r.type),
                    downtime=DOWNTIME.get((r.type, "delete")),
                )
            )
            continue
        was, now = before[urn], after[urn]
        ignored = IGNORED.get(now.type, frozenset())
        paths = [p for p in changed_paths(was.inputs, now.inputs) if top_level(p) not in ignored]
        if not paths:
            continue
        values = tuple(value_changes(was.inputs, now.inputs, ignored, _policy_paths(was, now)))
        provider_replaces = _provider_replaces(now, was)
        forcing = (
            [p for p in paths if top_level(p) in provider_replaces]
            if provider_replaces is not None
            else replacing_paths(now.type, paths)
        )
        if forcing:
            changes.append(
                ResourceChange(
                    "replace",
                    urn,
                    now.type,
                    now.name,
                    tuple(paths),
                    tuple(forcing),
                    values,
                    data_loss=DATA_LOSS.get(now.type),
                    downtime=DOWNTIME.get((now.type, "replace")),
                )
            )
        else:
            changes.append(ResourceChange("update", urn, now.type, now.name, tuple(paths), values=values))
    changes = _with_cluster_moves(changes, after)
    changes = _with_target_switches(changes)
    order = {"delete": 0, "replace": 1, "create": 2, "update": 3}
    return sorted(changes, key=lambda c: (not c.critical, order[c.action], c.name))


def _policy_paths(old: PlanResource, new: PlanResource) -> dict[str, bool]:
    """Each policy document's path in either inputs, and whether its statements changed."""
    changed = {p.path for p in policy_changes(old, new)}
    return {path: path in changed for path in {*documents(old.inputs), *documents(new.inputs)}}


def security_changes(old: Plan | None, new: Plan | None) -> list[PolicyChange]:
    """The IAM statements each resource's policies gain, lose or change; a created resource's
    statements are all added, a deleted one's all removed. Broadening ones first."""
    before = {r.urn: r for r in (old.resources if old else []) if r.custom}
    after = {r.urn: r for r in (new.resources if new else []) if r.custom}
    changes = [c for urn in sorted(set(before) | set(after)) for c in policy_changes(before.get(urn), after.get(urn))]
    return sorted(changes, key=lambda c: (not c.broadens, c.name, c.path))


def _with_cluster_moves(changes: list[ResourceChange], after: dict[str, PlanResource]) -> list[ResourceChange]:
    """The stack's Kubernetes provider replaced (pointed at another cluster): every object it
    manages is created on the new cluster and deleted from the old one."""
    from modelops.aws.replacements import KUBERNETES_PROVIDER

    moved = next((c for c in changes if c.type == KUBERNETES_PROVIDER and c.action == "replace"), None)
    if moved is None:
        return changes
    reason = f"{moved.name}: {', '.join(moved.replacing)}"
    by_urn = {c.urn: c for c in changes}
    result = [c for c in changes if not (c.type.startswith("kubernetes:") and c.action == "update")]
    for urn, resource in sorted(after.items()):
        if not resource.type.startswith("kubernetes:"):
            continue
        if urn in by_urn and by_urn[urn].action != "update":
            continue  # created, replaced or deleted anyway
        fields = by_urn[urn].fields if urn in by_urn else ()
        values = by_urn[urn].values if urn in by_urn else ()
        result.append(
            ResourceChange(
                "replace",
                urn,
                resource.type,
                resource.name,
                fields,
                (reason,),
                values,
                data_loss=DATA_LOSS.get(resource.type),
                downtime=DOWNTIME.get((resource.type, "replace")),
            )
        )
    return result


def _served_model(change: ResourceChange) -> str | None:
    """The model a serving resource belongs to: its name is `<model>-<suffix>` (model_deployment.py)."""
    if change.type not in SERVING:
        return None
    suffix = SERVING[change.type][1]
    return change.name.removesuffix(suffix) if change.name.endswith(suffix) else None


def _with_target_switches(changes: list[ResourceChange]) -> list[ResourceChange]:
    """A model whose serving is deleted on one target and created on the other switched
    `serving.target`: the address its callers use goes away, whatever serves it now."""
    created = {
        model: SERVING[c.type][0] for c in changes if c.action == "create" and (model := _served_model(c)) is not None
    }
    result = []
    for change in changes:
        model = _served_model(change)
        if change.action == "delete" and model in created and created[model] != SERVING[change.type][0]:
            change = replace(
                change,
                downtime=f"{model} moves from its {SERVING[change.type][0]} to a {created[model]}: the "
                f"{SERVING[change.type][0]} is deleted and every request to it fails from then on; callers must "
                "move to the new address",
            )
        result.append(change)
    return result


def _project(root: Path, stacks: list[str], label: str, reuse: Project | None = None) -> Project:
    project = load_project(root, stacks, reuse)
    if project.problems:
        raise ProblemsFound([_labelled(p, label) for p in project.problems])
    return project


def _inputs(project: Project, stack: str) -> StackInputs | None:
    if stack not in project.stacks:
        return None
    return prepare(project.stacks[stack][0], project.repo, project.resolved[stack])


def _plan(
    root: Path,
    stack: str,
    project: Project,
    only: set[str] | None,
    label: str,
    on_progress: ProgressCallback | None = None,
) -> Plan | None:
    if stack not in project.stacks:
        return None
    try:
        progress = _progress_of(on_progress, label or "working tree", stack)
        return render(root, stack, only=only, project=project, on_progress=progress)
    except ProblemsFound as exc:
        raise ProblemsFound([_labelled(p, label) for p in exc.problems]) from None


def _progress_of(on_progress: ProgressCallback | None, side: str, stack: str) -> ProgressCallback | None:
    """Progress of one render, its resources named with the revision and stack they are of."""
    if on_progress is None:
        return None
    told = on_progress

    def progress(name: str, count: int) -> None:
        told(f"{side} {stack}: {name}", count)

    return progress


def _labelled(problem: Problem, label: str) -> Problem:
    if not label:
        return problem
    return Problem(f"{label}:{problem.file}", problem.line, problem.column, problem.field, problem.message)


def _spec_files(root: Path) -> dict[tuple[str, str], Path]:
    return {(p.parent.name, p.stem): p for p in sorted((root / SPECS_DIR).glob("*/*.yaml"))}


# A file that cannot be read or parsed (a directory, a FIFO, not UTF-8, past a limit) compares as
# this; the revision's own validation, which diff runs next, reports why.
_UNREADABLE: dict[str, Any] = {}


def _spec_data(path: Path) -> Any:
    try:
        return parse(path, path.name).data
    except ProblemsFound:
        return _UNREADABLE


def _spec_bytes(path: Path) -> bytes | None:
    try:
        return read_bytes(path, path.name)
    except ProblemsFound:
        return None


def spec_file_changes(base_root: Path, root: Path) -> list[SpecFileChange]:
    before, after = _spec_files(base_root), _spec_files(root)
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], semver_key(k[1]))):
        model, version = key
        if key not in after:
            changes.append(SpecFileChange("removed", model, version))
        elif key not in before:
            older = [v for (m, v) in after if m == model and semver_key(v) < semver_key(version)]
            previous = max(older, key=semver_key) if older else None
            fields: dict[str, tuple[Any, Any]] = {}
            if previous is not None:
                fields = changed_paths(_spec_data(after[(model, previous)]), _spec_data(after[key]))
                fields.pop("metadata.version", None)
            found = tuple((p, *_masked(p, o, n)) for p, (o, n) in fields.items())
            changes.append(SpecFileChange("published", model, version, previous, found))
        elif _spec_bytes(before[key]) != _spec_bytes(after[key]):
            fields = changed_paths(_spec_data(before[key]), _spec_data(after[key]))
            found = tuple((p, *_masked(p, o, n)) for p, (o, n) in fields.items())
            changes.append(SpecFileChange("edited", model, version, version, found))
    return changes


def diff(root: Path, base: str, stack: str | None = None, on_progress: ProgressCallback | None = None) -> Diff:
    """`on_progress` is told of each resource rendered, named with its revision and stack."""
    with tempfile.TemporaryDirectory(prefix="modelops-base-") as tmp:
        base_root = materialize(root, base, Path(tmp))
        files = spec_file_changes(base_root, root)
        base_stacks, head_stacks = stack_names(base_root), stack_names(root)
        if stack is not None and stack not in base_stacks and stack not in head_stacks:
            # Matched against both revisions' files before any is read: a stack may exist at REV only.
            known = ", ".join(sorted(set(base_stacks) | set(head_stacks))) or "none"
            raise UsageError(
                f"--stack {stack!r}: no file stacks/Pulumi.{stack}.yaml here or at {base} (stacks: {known})"
            )
        wanted = [stack] if stack else sorted(set(base_stacks) | set(head_stacks))
        before = _project(base_root, [s for s in wanted if s in base_stacks], base)
        after = _project(root, [s for s in wanted if s in head_stacks], "", reuse=before)
        result = Diff(base=base, stacks=[], spec_files=files)
        for name in wanted:
            # Only the models whose deployment reads something different can change.
            only = models_to_render(_inputs(before, name), _inputs(after, name))
            old_plan = _plan(base_root, name, before, only, base, on_progress)
            new_plan = _plan(root, name, after, only, "", on_progress)
            environment = (new_plan or old_plan).environment  # type: ignore[union-attr]
            old, new = before.resolved.get(name, []), after.resolved.get(name, [])
            result.stacks.append(
                StackDiff(
                    stack=name,
                    environment=environment,
                    versions=version_changes(old, new),
                    fields=field_changes(old, new),
                    resources=resource_changes(old_plan, new_plan),
                    security=security_changes(old_plan, new_plan),
                )
            )
    return result


def diff_json(result: Diff) -> str:
    """The typed diff as JSON, for tools (the preview workflow picks the stacks to preview)."""
    from dataclasses import asdict

    data = {
        "base": result.base,
        "critical": [{"stack": stack, **asdict(change)} for stack, change in result.critical],
        "broadening": [
            {
                "stack": stack,
                "urn": change.urn,
                "name": change.name,
                "path": change.path,
                "broadens": [asdict(w) for s in change.statements for w in s.broadens],
            }
            for stack, change in result.broadening
        ],
        "spec_files": [asdict(change) for change in result.spec_files],
        "stacks": [
            {
                **asdict(stack),
                "security": [{**asdict(p), "broadens": p.broadens} for p in stack.security],
                "empty": stack.empty,
            }
            for stack in result.stacks
        ],
    }
    return strict_json(data)  # plans' numbers arrive as floats: see plan.wire_numbers


VALUES_SHOWN = 8  # per resource; the count of the others follows


def _pair(path: str, old: Any, new: Any) -> tuple[str, str]:
    """Both values as shown: compact, cut to 80 characters, a secret never (spec values are
    masked when read, and again here for a diff built by other code)."""
    reason = hidden(path, old, new)
    if reason is not None:
        return f"({reason})", f"({reason})"
    return compact_pair(old, new)


def _value_text(change: ValueChange) -> str:
    if not change.shown:
        return f"{change.path}: ({change.hidden})"
    old, new = compact_pair(change.old, change.new)
    return f"{change.path}: {old} -> {new}"


def _more(values: tuple[ValueChange, ...]) -> str | None:
    others = len(values) - VALUES_SHOWN
    return f"... and {others} more changed value(s)" if others > 0 else None


def _version_line(change: VersionChange) -> str:
    if change.kind == "added":
        return f"{change.model} ({change.role}) added at {change.new}"
    if change.kind == "removed":
        return f"{change.model} ({change.role}) removed (was {change.old})"
    return f"{change.model} ({change.role}) moved {change.old} -> {change.new}"


def _critical_reason(change: ResourceChange) -> str:
    return "; ".join(r for r in (change.data_loss, change.downtime) if r)


def _counts(resources: list[ResourceChange]) -> str:
    counts = {a: sum(r.action == a for r in resources) for a in ("create", "update", "replace", "delete")}
    return ", ".join(f"{n} to {a}" for a, n in counts.items() if n) or "no change"


SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


def _spec_file_summary(change: SpecFileChange) -> str:
    if change.kind == "removed":
        return f"removed {change.model} {change.version} (validate --base rejects removing a released version)"
    if change.kind == "edited":
        return f"edited released {change.model} {change.version} (validate --base rejects this)"
    since = f" (changes since {change.since})" if change.since else " (the model's first version)"
    return f"published {change.model} {change.version}{since}"


def _field_text(path: str, old: Any, new: Any) -> str:
    was, now = _pair(path, old, new)
    return f"{path}: {was} -> {now}"


def _spec_file_line(change: SpecFileChange) -> str:
    details = "; ".join(_field_text(p, o, n) for p, o, n in change.fields)
    return _spec_file_summary(change) + (f": {details}" if details else "")


def _critical_line(stack: str, change: ResourceChange) -> str:
    kind = "DATA LOSS" if change.data_loss else "DOWNTIME"
    return f"!! {kind} in {stack}: {change.action} {change.name} ({change.type}): {_critical_reason(change)}"


def _widenings(change: PolicyChange) -> list[tuple[Widening, int]]:
    """Each way the policy broadens, once, with how many statements it applies to (a new
    role's three statements are "adds an Allow statement (x3)")."""
    counts: dict[Widening, int] = {}
    for statement_change in change.statements:
        for widening in statement_change.broadens:
            counts[widening] = counts.get(widening, 0) + 1
    return list(counts.items())


def _broadening_line(stack: str, change: PolicyChange) -> str:
    reasons = "; ".join(str(w) + (f" (x{n})" if n > 1 else "") for w, n in _widenings(change))
    return f"!! BROADENS ACCESS in {stack}: {change.name} {change.path}: {reasons}"


def _statement_lines(change: StatementChange) -> list[str]:
    lines = []
    if change.old is not None:
        lines.append(f"- {statement_text(change.old)}")
    if change.new is not None:
        lines.append(f"+ {statement_text(change.new)}")
    if change.broadens:
        lines.append(f"  !! broadens access: {'; '.join(str(r) for r in change.broadens)}")
    return lines


def diff_text(result: Diff) -> str:
    lines = [f"modelops diff against {result.base}"]
    if result.critical:
        lines.append(f"{len(result.critical)} change(s) destroy data or cause downtime; review them first:")
        lines += [f"  {_critical_line(stack, change)}" for stack, change in result.critical]
    if result.broadening:
        lines.append(f"{len(result.broadening)} IAM policy change(s) broaden access; review them:")
        lines += [f"  {_broadening_line(stack, change)}" for stack, change in result.broadening]
    if result.spec_files:
        lines.append("spec files:")
        lines += [f"  {_spec_file_line(change)}" for change in result.spec_files]
    for stack in result.stacks:
        lines.append(f"stack {stack.stack} ({stack.environment}): {_counts(stack.resources)}")
        if stack.empty:
            continue
        if stack.versions:
            lines.append("  versions:")
            lines += [f"    {_version_line(v)}" for v in stack.versions]
        if stack.fields:
            lines.append("  spec fields:")
            lines += [f"    {f.model} ({f.role}) {_field_text(f.path, f.old, f.new)}" for f in stack.fields]
        if stack.resources:
            lines.append("  resources:")
            for change in stack.resources:
                detail = ""
                if change.action == "replace":
                    detail = f" (replaced because {', '.join(change.replacing)} changed)"
                elif change.action == "update" and not change.values:
                    detail = f" ({', '.join(change.fields)})"
                mark = " !!" if change.critical else ""
                lines.append(
                    f"    {SYMBOLS[change.action]:<2} {change.action} {change.name} ({change.type}){detail}{mark}"
                )
                lines += [f"         {_value_text(v)}" for v in change.values[:VALUES_SHOWN]]
                if more := _more(change.values):
                    lines.append(f"         {more}")
        if stack.security:
            lines.append("  IAM statement changes:")
            for policy in stack.security:
                lines.append(f"    {policy.name} ({policy.type}) {policy.path}:")
                lines += [f"      {line}" for s in policy.statements for line in _statement_lines(s)]
    # Spec text reaches a terminal or a CI log: no escape sequence or line break of its own.
    return "\n".join(visible(line) for line in lines)


def _spec_file_markdown(change: SpecFileChange) -> str:
    model, version = code(change.model), code(change.version)
    if change.kind == "removed":
        return f"removed {model} {version} (validate --base rejects removing a released version)"
    if change.kind == "edited":
        return f"edited released {model} {version} (validate --base rejects this)"
    since = f" (changes since {code(change.since)})" if change.since else " (the model's first version)"
    return f"published {model} {version}{since}"


def _why_markdown(change: ResourceChange) -> str:
    if change.action == "replace":
        return f"replaced: {', '.join(code(p) for p in change.replacing)} changed"
    if change.action == "update":
        return ", ".join(code(p) for p in change.fields)
    return "new" if change.action == "create" else "no longer declared"


def _codes(values: tuple[str, ...], excepted: tuple[str, ...], every: str) -> str:
    if values:
        return ", ".join(code(v) for v in values)
    if excepted:
        return f"{every} but " + ", ".join(code(v) for v in excepted)
    return ""


def _statement_row(sign: str, policy: PolicyChange, statement: Statement, broadens: tuple[Widening, ...]) -> str:
    mark = f"{sign} :warning:" if broadens else sign
    return row(
        mark,
        f"{code(policy.name)} {code(policy.path)}",
        text(statement.effect),
        _codes(statement.actions, statement.not_actions, "every action"),
        _codes(statement.resources, statement.not_resources, "every resource"),
        _codes(statement.principals, statement.not_principals, "everyone"),
        " and ".join(code(condition_text(c)) for c in statement.conditions),
    )


def _widening_markdown(widening: Widening) -> str:
    return " ".join([text(widening.how), ", ".join(code(v) for v in widening.values)]).strip()


def _security_markdown(security: list[PolicyChange]) -> list[str]:
    """CDK's IAM Statement Changes table: a row per statement, `-` as it was and `+` as it will
    be; :warning: on the row that broadens access."""
    lines = ["<details open><summary>IAM statement changes</summary>", ""]
    lines += ["| | resource | effect | actions | resources | principals | conditions |", "|---" * 7 + "|"]
    for policy in security:
        for change in policy.statements:
            if change.old is not None:
                lines.append(_statement_row("-", policy, change.old, change.broadens if change.new is None else ()))
            if change.new is not None:
                lines.append(_statement_row("+", policy, change.new, change.broadens))
    return [*lines, "", "</details>", ""]


def _values_markdown(resources: list[ResourceChange]) -> list[str]:
    changed = [c for c in resources if c.values]
    if not changed:
        return []
    lines = ["<details><summary>Changed values</summary>", ""]
    lines += ["| resource | input | before | after |", "|---|---|---|---|"]
    for change in changed:
        for value in change.values[:VALUES_SHOWN]:
            if value.shown:
                old, new = compact_pair(value.old, value.new)
                lines.append(row(code(change.name), code(value.path), code(old), code(new)))
            else:
                lines.append(row(code(change.name), code(value.path), text(f"({value.hidden})"), ""))
        if more := _more(change.values):
            lines.append(row(code(change.name), text(more), "", ""))
    return [*lines, "", "</details>", ""]


def diff_markdown(result: Diff) -> str:
    """The pull-request comment. Every value from a spec, a stack or a path is escaped by
    `modelops.gitops.markdown_safe`: shown in code spans, or as escaped text, one table row per line."""
    lines = [f"## modelops diff against {code(result.base)}", ""]
    critical = result.critical
    if critical:
        lines += [f"> [!CAUTION]\n> {len(critical)} change(s) destroy data or cause downtime. Review them first.", ""]
        lines += ["| stack | change | resource | consequence |", "|---|---|---|---|"]
        for stack_name, change in critical:
            resource = f"{code(change.name)} ({code(change.type)})"
            lines.append(row(code(stack_name), f"**{change.action}**", resource, text(_critical_reason(change))))
        lines.append("")
    broadening = result.broadening
    if broadening:
        lines += [f"> [!WARNING]\n> {len(broadening)} IAM policy change(s) broaden access. Review them.", ""]
        lines += ["| stack | resource | policy | how it broadens |", "|---|---|---|---|"]
        for stack_name, policy in broadening:
            reasons = "; ".join(_widening_markdown(w) + (f" (x{n})" if n > 1 else "") for w, n in _widenings(policy))
            lines.append(row(code(stack_name), code(policy.name), code(policy.path), reasons))
        lines.append("")
    if result.spec_files:
        lines += ["### Spec files", "", "| change | field | before | after |", "|---|---|---|---|"]
        for file_change in result.spec_files:
            lines.append(row(_spec_file_markdown(file_change), "", "", ""))
            for path, old, new in file_change.fields:
                was, now = _pair(path, old, new)
                lines.append(row("", code(path), code(was), code(now)))
        lines.append("")
    for stack in result.stacks:
        heading = f"### Stack {code(stack.stack)} ({text(stack.environment)}): {_counts(stack.resources)}"
        lines += [heading, ""]
        if stack.empty:
            lines += ["No change.", ""]
            continue
        if stack.versions:
            lines += ["| model | variant | before | after |", "|---|---|---|---|"]
            lines += [
                row(code(v.model), text(v.role), code(v.old) if v.old else "-", code(v.new) if v.new else "-")
                for v in stack.versions
            ]
            lines.append("")
        if stack.fields:
            lines += ["<details><summary>Spec fields changed</summary>", ""]
            lines += ["| model | field | before | after |", "|---|---|---|---|"]
            for f in stack.fields:
                model = f"{code(f.model)} ({text(f.role)})"
                was, now = _pair(f.path, f.old, f.new)
                lines.append(row(model, code(f.path), code(was), code(now)))
            lines += ["", "</details>", ""]
        if stack.security:
            lines += _security_markdown(stack.security)
        if stack.resources:
            lines += ["<details><summary>Resources</summary>", ""]
            lines += ["| action | resource | type | why |", "|---|---|---|---|"]
            for change in stack.resources:
                mark = " :warning:" if change.critical else ""
                action = f"{change.action}{mark}"
                lines.append(row(action, code(change.name), code(change.type), _why_markdown(change)))
            lines += ["", "</details>", ""]
            lines += _values_markdown(stack.resources)
    return "\n".join(lines).rstrip() + "\n"
