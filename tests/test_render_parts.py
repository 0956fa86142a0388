"""`plan` renders a stack in parts, each in a forked process: the Plan is the one a single run of
the program gives (modelops/engine/render.py, modelops/engine/forked.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from modelops.engine import forked
from modelops.engine.plan import strict_json
from modelops.engine.render import RecordingMocks, render, run_program
from modelops.spec.loader import ProblemsFound
from modelops.spec.stack import load_stack_file, stack_names
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("stack", stack_names(REPO_ROOT))
def test_a_plan_in_parts_is_the_plan_of_one_run(stack: str) -> None:
    whole = render(REPO_ROOT, stack, part_size=10**6, workers=1)
    parts = render(REPO_ROOT, stack, part_size=1, workers=2)
    assert strict_json(parts.to_json()) == strict_json(whole.to_json())
    # ... and of the program as `pulumi up` runs it, working out its inputs from the config.
    mocks = RecordingMocks(load_stack_file(REPO_ROOT, stack)[0].region)
    outputs = run_program(REPO_ROOT, stack, mocks)
    assert sorted(r.urn for r in mocks.records) == [r.urn for r in parts.resources]
    assert {r.urn: r.inputs for r in mocks.records} == {r.urn: r.inputs for r in parts.resources}
    assert dict(sorted(outputs.items())) == parts.outputs


def test_only_renders_the_stack_level_resources_and_those_models() -> None:
    plan = render(REPO_ROOT, "dev", only={"fraud-detector"})
    owners = {r.name.split("-")[0] for r in plan.resources if r.parent and "ModelDeployment" in r.parent}
    assert owners == {"fraud"}
    assert plan.by_type("aws:s3/bucket:Bucket")  # the stack bucket, declared with every part
    assert list(plan.outputs["endpoints"]) == ["fraud-detector"]


def test_a_failing_part_is_reported_as_the_program_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from components import model_deployment
    from modelops.errors import DeploymentRefused

    def refuse(*args: object, **kwargs: object) -> None:
        raise DeploymentRefused("refused in a part")

    monkeypatch.setattr(model_deployment.ModelDeployment, "__init__", refuse)
    with pytest.raises(ProblemsFound, match="refused in a part"):
        render(REPO_ROOT, "dev", part_size=2)


def test_a_part_that_dies_is_an_error_not_a_hang() -> None:
    def die(item: int) -> int:
        if item == 2:
            os._exit(7)
        return item * 10

    with pytest.raises(forked.ChildFailed, match="exit status 7"):
        forked.fork_map(die, [1, 2, 3], workers=2)
    assert forked.fork_map(lambda item: item * 10, [1, 2, 3], workers=2) == [10, 20, 30]


def test_an_exception_that_does_not_pickle_arrives_as_its_traceback() -> None:
    class Local(Exception):  # a local class does not pickle
        pass

    def fail(item: int) -> int:
        raise Local("no pickle for me")

    with pytest.raises(forked.ChildFailed, match="no pickle for me"):
        forked.fork_map(fail, [1], workers=1)


def test_the_parts_import_nothing_the_parent_did_not_preload() -> None:
    """A module a part imports itself is imported again by every part."""
    script = """
import json, sys
from pathlib import Path
from modelops.engine.render import RecordingMocks, preload, render
from modelops.spec.stack import stack_names
preload()
before = set(sys.modules)
for stack in stack_names(Path('.')):
    render(Path('.'), stack, RecordingMocks('eu-west-1'))  # in this process, to see its imports
prefixes = ('pulumi_aws.', 'pulumi_kubernetes.', 'components', 'modelops.aws')
new = [m for m in set(sys.modules) - before if m.startswith(prefixes)]
print(json.dumps(sorted(m for m in new if type(sys.modules[m]).__name__ != '_LazyModule')))  # loaded ones
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("stack", stack_names(REPO_ROOT))
def test_the_streamed_json_is_the_plans_json(stack: str) -> None:
    import io

    plan = render(REPO_ROOT, stack)
    stream = io.StringIO()
    plan.write_json(stream)
    assert stream.getvalue() == strict_json(plan.to_json())
    empty = type(plan)(stack=stack, environment="dev", models=[])
    stream = io.StringIO()
    empty.write_json(stream)
    assert stream.getvalue() == strict_json(empty.to_json())


def test_a_part_that_hangs_is_stopped_at_its_timeout() -> None:
    import time

    def hang(item: int) -> int:
        if item == 2:
            time.sleep(3600)
        return item

    started = time.monotonic()
    with pytest.raises(forked.ChildFailed, match="ran longer than 1 s and was stopped"):
        forked.fork_map(hang, [1, 2, 3], workers=2, timeout=1)
    assert time.monotonic() - started < 30


def test_kept_pickled_results_load_as_the_values_and_failures_still_raise() -> None:
    results = forked.fork_map(lambda item: {"item": item}, [1, 2], workers=2, keep_pickled=True)
    assert all(isinstance(result, forked.Pickled) for result in results)
    assert [result.load() for result in results] == [{"item": 1}, {"item": 2}]

    def fail(item: int) -> int:
        raise ValueError(f"part {item} failed")

    with pytest.raises(ValueError, match="part 1 failed"):
        forked.fork_map(fail, [1], workers=1, keep_pickled=True)


def test_progress_counts_each_parts_resources_as_the_part_arrives() -> None:
    seen: list[tuple[str, int]] = []
    plan = render(REPO_ROOT, "dev", part_size=1, workers=2, on_progress=lambda name, count: seen.append((name, count)))
    models = len(plan.models)
    assert len(seen) == models  # once per part
    counts = [count for _, count in seen]
    assert counts == sorted(counts) and counts[0] > 0
    # every part also declares the stack-level resources, so the count passes the plan's
    assert counts[-1] >= len(plan.resources)
