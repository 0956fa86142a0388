"""Plan renderings for people: a tree of components and resources."""

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
    lines.append(f"{sum(r.custom for r in plan.resources)} resources")
    for violation in plan.violations:
        lines.append(f"VIOLATION [{violation.rule}] {violation.urn}: {violation.message}")
    # Spec text reaches a terminal or a CI log: no escape sequence or line break of its own.
    return "\n".join(visible(line) for line in lines)


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


def render_mermaid(plan: Plan) -> str:
    """A flowchart GitHub renders: components are nested subgraphs, resources their nodes."""
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
    return "\n".join(lines)


def render_markdown(plan: Plan) -> str:
    """The plan as a pull-request comment: models, counts per type, violations, the graph.
    Every value from the specs and the stack goes through `modelops.gitops.markdown_safe`."""
    custom = [r for r in plan.resources if r.custom]
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
    lines += ["", f"{len(custom)} resources:", "", "| type | count |", "|---|---|"]
    lines += [row(code(t), str(n)) for t, n in sorted(counts.items())]
    lines += _manifests_block(plan)
    lines += [
        "",
        "<details><summary>Resource graph</summary>",
        "",
        "```mermaid",
        render_mermaid(plan),
        "```",
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"
