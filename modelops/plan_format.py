"""Plan renderings for people: a tree of components and resources."""

from __future__ import annotations

from modelops.render import Plan, PlanResource, physical_name


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
    return "\n".join(lines)
