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

Example = tuple[str, str]  # (model name, version) of a spec in model_specs/
Change = Callable[[Any], None]


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
