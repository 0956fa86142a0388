"""Plan renderings for people: a tree of components and resources, a markdown comment and a
mermaid graph. All of them count resources as `Plan.managed` does, as `plan --format json`'s
`resource_count` does."""

from __future__ import annotations

import json
import re

from modelops.engine.plan import Plan, PlanResource, physical_name
from modelops.gitops.markdown_safe import code, mermaid_label, row, text, visible


def render_tree(plan: Plan) -> str:
    children: dict[str | None, list[PlanResource]] = {}
    urns = {r.urn for r in plan.resources}
    for resource in plan.resources:
        parent = resource.parent if resource.parent in urns else None
        children.setdefault(parent, []).append(resource)
    models = ", ".join(f"{m['name']}@{m['version']}" for m in plan.models) or "none"
    lines = [f"stack {plan.stack} ({plan.environment}): {models}"]

    def walk(parent: str | None, depth: int) -> None:
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.name)):
            physical = physical_name(resource.inputs) if resource.custom else None
            suffix = f"  [{physical}]" if physical else ""
            lines.append(f"{'  ' * depth}- {resource.name} ({resource.type}){suffix}")
            walk(resource.urn, depth + 1)

    walk(None, 1)
    lines.append(_count_line(plan))
    for violation in plan.violations:
        lines.append(f"VIOLATION [{violation.rule}] {violation.urn}: {violation.message}")
    # Spec text reaches a terminal or a CI log: no escape sequence or line break of its own.
    return "\n".join(visible(line) for line in lines)


def _count_line(plan: Plan) -> str:
    managed = len(plan.managed)
    return f"{managed} resources in {len(plan.resources) - managed} components"


def _short_type(type_token: str) -> str:
    """`aws:sagemaker/endpoint:Endpoint` -> `sagemaker:Endpoint`; a Kubernetes object keeps its
    API version: `kubernetes:apps/v1:Deployment` -> `apps/v1:Deployment`."""
    if type_token.startswith("kubernetes:"):
        return type_token.split(":", 1)[1]
    module = type_token.split(":")[1].split("/")[0] if type_token.count(":") >= 2 else type_token
    return f"{module}:{type_token.rsplit(':', 1)[-1]}"


def kubernetes_manifests(plan: Plan) -> list[dict]:
    """The Kubernetes objects of the plan, as the API server will receive them."""
    from modelops.kubernetes.checks import manifest

    return [manifest(r.inputs) for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]


def _manifests_block(plan: Plan) -> list[str]:
    """The manifests, one JSON document each, in a collapsed fenced block. JSON escapes every
    line break and non-ASCII character of a value, and the fence is longer than any backtick
    run inside, so no spec value can end the block, the `<details>` or the comment's markup."""
    objects = kubernetes_manifests(plan)
    if not objects:
        return []
    body = "\n".join(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=True) for obj in objects)
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return [
        "",
        f"<details><summary>Kubernetes manifests ({len(objects)})</summary>",
        "",
        f"{fence}json",
        body,
        fence,
        "",
        "</details>",
    ]


def dependency_edges(plan: Plan) -> list[tuple[str, str]]:
    """(dependency, dependent) URN pairs to draw: the plan's dependencies without those another
    path already implies (a transitive reduction), so a schedule that waits for a whole
    endpoint component points at the endpoint, not at each of its resources."""
    known = {r.urn for r in plan.resources}
    direct = {r.urn: {d for d in r.dependencies if d in known and d != r.urn} for r in plan.resources}
    reachable: dict[str, set[str]] = {}

    def reach(urn: str, visiting: frozenset[str] = frozenset()) -> set[str]:
        if urn not in reachable:
            found: set[str] = set()
            for dependency in direct[urn] - visiting:  # the engine refuses cycles; never loop on one
                found |= {dependency} | reach(dependency, visiting | {urn})
            reachable[urn] = found
        return reachable[urn]

    edges = []
    for urn, dependencies in direct.items():
        implied = set().union(*(reach(d) for d in dependencies)) if dependencies else set()
        edges += [(d, urn) for d in sorted(dependencies - implied)]
    return sorted(edges)


def render_mermaid(plan: Plan) -> str:
    """A flowchart GitHub renders: components are nested subgraphs, resources their nodes, and a
    dotted arrow runs from a resource to each one that uses its outputs (created after it)."""
    urns = {r.urn for r in plan.resources}
    children: dict[str | None, list[PlanResource]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent if resource.parent in urns else None, []).append(resource)
    ids = {r.urn: f"r{i}" for i, r in enumerate(plan.resources)}
    lines = ["flowchart LR"]

    def walk(parent: str | None, depth: int) -> None:
        indent = "  " * depth
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.name)):
            node = ids[resource.urn]
            if resource.custom:
                name = physical_name(resource.inputs) or resource.name
                label = f"{mermaid_label(name)}<br/><small>{mermaid_label(_short_type(resource.type))}</small>"
                lines.append(f'{indent}{node}["{label}"]')
            else:
                lines.append(f'{indent}subgraph {node}["{mermaid_label(resource.name)}"]')
                walk(resource.urn, depth + 1)
                lines.append(f"{indent}end")

    walk(None, 1)
    lines += [f"  {ids[dependency]} -.-> {ids[dependent]}" for dependency, dependent in dependency_edges(plan)]
    return "\n".join(lines)


def render_markdown(plan: Plan) -> str:
    """The plan as a pull-request comment: models, counts per type, violations, the graph.
    Every value from the specs and the stack goes through `modelops.gitops.markdown_safe`."""
    custom = plan.managed
    lines = [f"## modelops plan: stack {code(plan.stack)} ({text(plan.environment)})", ""]
    if plan.violations:
        lines += [f"> [!WARNING]\n> {len(plan.violations)} governance violation(s).", ""]
        lines += ["| rule | severity | resource | message |", "|---|---|---|---|"]
        lines += [
            row(text(v.rule), text(v.severity), code(v.urn.rsplit("::", 1)[-1]), text(v.message))
            for v in plan.violations
        ]
        lines.append("")
    lines += ["| model | version |", "|---|---|"]
    lines += [row(code(m["name"]), code(m["version"])) for m in plan.models]
    counts: dict[str, int] = {}
    for resource in custom:
        counts[_short_type(resource.type)] = counts.get(_short_type(resource.type), 0) + 1
    lines += ["", f"{_count_line(plan)}:", "", "| type | count |", "|---|---|"]
    lines += [row(code(t), str(n)) for t, n in sorted(counts.items())]
    lines += _manifests_block(plan)
    lines += [
        "",
        "<details><summary>Resource graph</summary>",
        "",
        "Boxes are components; a dotted arrow points from a resource to one that uses its outputs.",
        "",
        "```mermaid",
        render_mermaid(plan),
        "```",
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"
