"""Every problem `validate` finds in one spec file: an example of model_specs/, changed in memory.

For tests that hold a rule's exact output: the field and the whole message of each finding,
and that the rule finds nothing else. The spec is loaded on its own (load_spec_file, as
`validate` loads each file), so the rules between files and stacks add nothing; a finding of
the spec merged for an environment carries that environment, as `validate` prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from modelops.spec.loader import ProblemsFound
from modelops.spec.repository import load_spec_file
from tests.conftest import REPO_ROOT, read_yaml, spec_path
from tests.test_spec_rules import at, both

Example = tuple[str, str]  # (model name, version) of a spec in model_specs/
Change = Callable[[Any], None]

# A SageMaker endpoint's own sizing, which a model on a pool and a model on Kubernetes leave out.
SIZED_ENDPOINT = both(
    at("serving.instance_type", "ml.m5.large"),
    at("serving.instance_count", 2),
    at("serving.autoscaling", {"min_instances": 1, "max_instances": 2, "target_invocations_per_instance": 9}),
    at("serving.serverless", {"memory_mb": 2048}),
    at("serving.async", {"max_concurrent_invocations_per_instance": 4}),
)
# The same fields written as null: as good as left out (instance_count has a default, not null).
SIZING_SET_TO_NULL = both(
    *(at(f"serving.{key}", None) for key in ("instance_type", "autoscaling", "serverless", "async"))
)


def sizing_findings(message: Callable[[str], str]) -> list[tuple[str, str]]:
    """The finding of each field of SIZED_ENDPOINT, each with `message(field)`."""
    return [
        (f"serving.{key}", message(key))
        for key in ("instance_type", "instance_count", "autoscaling", "serverless", "async")
    ]


def findings(example: Example, change: Change) -> list[tuple[str, str]]:
    """(field, message) of every problem of the example after `change`, in `validate`'s order."""
    data = read_yaml(spec_path(REPO_ROOT, *example))
    change(data)
    # The file a spec would be in: a change of its name or version moves it (model_specs/<name>/<version>.yaml).
    path = spec_path(REPO_ROOT, data["metadata"]["name"], data["metadata"]["version"])
    display = str(path.relative_to(REPO_ROOT))
    try:
        load_spec_file(path, display, yaml.safe_dump(data, sort_keys=False))
    except ProblemsFound as found:
        assert all(problem.file == display for problem in found.problems)
        return [(problem.field, problem.message) for problem in found.problems]
    return []
