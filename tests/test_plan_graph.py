"""`plan`'s formats agree on what they count, and its graph draws dependencies, not only nesting."""

from __future__ import annotations

import json
import pickle
import re

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.engine.plan import Plan, PlanResource
from modelops.engine.render import render
from modelops.gitops.plan_format import dependency_edges, render_markdown, render_mermaid, render_tree
from modelops.spec.stack import stack_names
from tests.conftest import REPO_ROOT

TREE_ENTRY = re.compile(r"^ +- (?P<name>\S+) \((?P<type>[^)]+)\)")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {stack: render(REPO_ROOT, stack) for stack in stack_names(REPO_ROOT)}


@pytest.mark.parametrize("stack", stack_names(REPO_ROOT))
def test_tree_json_and_markdown_count_the_same_resources(stack: str) -> None:
    def plan_output(output_format: str) -> str:
        outcome = CliRunner().invoke(
            app, ["plan", "--stack", stack, "--format", output_format, "--root", str(REPO_ROOT)]
        )
        assert outcome.exit_code == 0, outcome.output
        return outcome.output

    data = json.loads(plan_output("json"))
    tree = plan_output("tree").splitlines()
    custom = [r for r in data["resources"] if r["custom"]]
    components = [r for r in data["resources"] if not r["custom"]]
    assert components and any(r["type"].startswith("pulumi:providers:") for r in custom) == (stack != "prod")
    assert data["resource_count"] == len(custom) and data["component_count"] == len(components)
    count_line = f"{len(custom)} resources in {len(components)} components"
    assert count_line in tree
    assert f"\n{count_line}:\n" in plan_output("markdown")
    # The tree lists each resource and component of the JSON once.
    listed = sorted((m["name"], m["type"]) for line in tree if (m := TREE_ENTRY.match(line)))
    assert listed == sorted((r["name"], r["type"]) for r in data["resources"])


def test_the_plan_records_what_each_resource_depends_on(plans: dict[str, Plan]) -> None:
    prod = plans["prod"]
    by_name = {r.name: r for r in prod.resources}
    policy = by_name["churn-classifier-governance-execution-policy"]
    assert policy.dependencies == [by_name["churn-classifier-governance-execution-role"].urn]
    endpoint = by_name["churn-classifier-serving-endpoint"]
    assert sorted(endpoint.dependencies) == sorted(
        by_name[name].urn for name in ("churn-classifier-serving-config", "churn-classifier-serving-scaling-pause")
    )
    assert pickle.loads(pickle.dumps(prod)) == prod  # plain data: a worker process can hand it back


def test_mermaid_draws_each_dependency_once_without_implied_ones(plans: dict[str, Plan]) -> None:
    prod = plans["prod"]
    by_name = {r.name: r for r in prod.resources}
    ids = {r.urn: f"r{i}" for i, r in enumerate(prod.resources)}

    def edge(dependency: str, dependent: str) -> str:
        return f"  {ids[by_name[dependency].urn]} -.-> {ids[by_name[dependent].urn]}"

    graph = render_mermaid(prod).splitlines()
    assert edge("churn-classifier-governance-execution-role", "churn-classifier-governance-execution-policy") in graph
    # The endpoint waits for its configuration and for the scaling pause, which waits for the
    # configuration too: config -> pause -> endpoint says it all.
    assert by_name["churn-classifier-serving-config"].urn in by_name["churn-classifier-serving-endpoint"].dependencies
    assert edge("churn-classifier-serving-config", "churn-classifier-serving-scaling-pause") in graph
    assert edge("churn-classifier-serving-scaling-pause", "churn-classifier-serving-endpoint") in graph
    assert edge("churn-classifier-serving-config", "churn-classifier-serving-endpoint") not in graph
    # The schedule waits for the whole serving component (depends_on): the endpoint it reaches
    # through the others is drawn once, not again from the schedule.
    schedule = by_name["churn-classifier-monitoring-data-quality-schedule"]
    assert by_name["churn-classifier-serving-endpoint"].urn in schedule.dependencies
    assert edge("churn-classifier-serving-endpoint", schedule.name) not in graph
    assert edge("churn-classifier-serving-scaling-policy", schedule.name) in graph
    edges = [line for line in graph if "-.->" in line]
    assert len(edges) == len(set(edges)) == len(dependency_edges(prod))
    assert len(edges) < sum(len(r.dependencies) for r in prod.resources)
    assert "<details><summary>Resource graph</summary>" in render_markdown(prod)


def test_transitive_reduction_keeps_every_path() -> None:
    def resource(name: str, *dependencies: str) -> PlanResource:
        return PlanResource(name, "aws:x/y:Y", name, None, {}, dependencies=list(dependencies))

    plan = Plan("s", "dev", [], [resource("a"), resource("b", "a"), resource("c", "a", "b"), resource("d", "c", "x")])
    assert dependency_edges(plan) == [("a", "b"), ("b", "c"), ("c", "d")]  # c -> a is implied; x is unknown
    assert render_mermaid(plan).splitlines()[-3:] == ["  r0 -.-> r1", "  r1 -.-> r2", "  r2 -.-> r3"]
    assert render_tree(plan).splitlines()[-1] == "4 resources in 0 components"
