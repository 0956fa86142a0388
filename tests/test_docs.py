"""The documentation in docs/: the generated reference is current and complete, every field has
a description, the examples validate, and every link between the pages resolves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.spec.loader import ProblemsFound
from modelops.spec.models import ModelSpec
from modelops.spec.reference import REFERENCE_PATH, anchor, reference_text
from modelops.spec.repository import load_spec_file
from modelops.spec.stack import FIELDS, StackConfig, stack_config_from_mapping
from tests.conftest import REPO_ROOT

runner = CliRunner()
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
PAGES = [REPO_ROOT / "README.md", *DOCS]


def test_the_committed_reference_is_current() -> None:
    committed = (REPO_ROOT / REFERENCE_PATH).read_text()
    assert committed == reference_text(), f"{REFERENCE_PATH} is stale: run `python -m modelops schema`"


def test_schema_writes_the_reference_and_check_names_it_when_stale(project: Path) -> None:
    (project / REFERENCE_PATH).unlink()
    missing = runner.invoke(app, ["schema", "--check", "--root", str(project)])
    assert missing.exit_code == 1
    assert f"{REFERENCE_PATH} is stale" in missing.output and "modelspec-v1.json is stale" not in missing.output
    written = runner.invoke(app, ["schema", "--root", str(project)])
    assert written.exit_code == 0 and f"wrote {REFERENCE_PATH}" in written.output
    assert (project / REFERENCE_PATH).read_text() == reference_text()
    assert runner.invoke(app, ["schema", "--check", "--root", str(project)]).exit_code == 0
    reference = project / REFERENCE_PATH
    reference.write_text(reference.read_text().replace("| `owner` |", "| `maintainer` |"))
    stale = runner.invoke(app, ["schema", "--check", "--root", str(project)])
    assert stale.exit_code == 1 and f"{REFERENCE_PATH} is stale" in stale.output


def _sections(text: str) -> dict[str, set[str]]:
    """Heading of each section of the reference -> the keys of its table's rows."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in text.splitlines():
        if line.startswith("### "):
            current = sections.setdefault(line[4:], set())
        elif current is not None and (row := re.match(r"^\| `([^`]+)` \|", line)):
            current.add(row[1])
    return sections


def _models(root: type[ModelSpec] | type[StackConfig]) -> list[tuple[str, dict[str, Any]]]:
    schema = root.model_json_schema(by_alias=True)
    return [(root.__name__, schema), *schema["$defs"].items()]


def test_every_field_of_every_model_has_a_row() -> None:
    """Walked from the JSON Schema, not the generator's own traversal: a model the generator
    does not reach, or a field it drops, leaves a set of keys that no section lists."""
    tables = list(_sections(reference_text()).values())
    for root in (ModelSpec, StackConfig):
        for name, schema in _models(root):
            keys = set(schema["properties"])
            if name == "StackConfig":
                assert keys - set(FIELDS) == {"name"}, "every StackConfig field but the name is a stack key"
                keys = {FIELDS[key] for key in keys & set(FIELDS)}
            assert keys in tables, f"{name}: no section of the reference lists exactly {sorted(keys)}"


def test_every_field_has_a_description() -> None:
    missing = [
        f"{name}.{key}"
        for root in (ModelSpec, StackConfig)
        for name, schema in _models(root)
        for key, field in schema["properties"].items()
        if not field.get("description", "").strip()
    ]
    assert missing == [], f"fields without a description (the reference and the schema show it): {missing}"


def test_the_reference_renders_types_limits_and_defaults() -> None:
    text = reference_text()
    assert "| `min_instances` | integer, 0 to 2147483647 | **required** |" in text
    assert "| `canary_percent` | integer, 1 to 50 | `10` |" in text
    assert "| `mode` | one of `realtime`, `serverless`, `async` or `component` | `realtime` |" in text
    assert "| `allowed_environments` | list of `dev`, `staging` or `prod` | `[dev, staging, prod]` |" in text
    assert "| `async` | mapping: [`serving.async`](#servingasync) | unset |" in text
    assert "| `aws:region` |" in text and "| `subnetIds` |" in text
    # A `|` of a pattern stays inside its cell.
    assert r"(key\|alias)" in text


def _yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", path.read_text(), re.MULTILINE | re.DOTALL)


def _examples(kind: str) -> list[tuple[str, str]]:
    found = []
    for page in DOCS:
        for index, block in enumerate(_yaml_blocks(page)):
            data = yaml.safe_load(block)
            if kind == "spec" and isinstance(data, dict) and "apiVersion" in data:
                found.append((f"{page.name}#{index}", block))
            if kind == "stack" and isinstance(data, dict) and "aws:region" in (data.get("config") or {}):
                found.append((f"{page.name}#{index}", block))
    return found


SPEC_EXAMPLES = _examples("spec")
STACK_EXAMPLES = _examples("stack")


def test_the_docs_have_examples() -> None:
    assert {name.split("#")[0] for name, _ in SPEC_EXAMPLES} >= {"spec-language.md", "kubernetes.md"}
    assert {name.split("#")[0] for name, _ in STACK_EXAMPLES} >= {"stacks.md"}


@pytest.mark.parametrize(("where", "text"), SPEC_EXAMPLES, ids=[name for name, _ in SPEC_EXAMPLES])
def test_spec_examples_validate(where: str, text: str) -> None:
    meta = yaml.safe_load(text)["metadata"]
    path = Path("model_specs") / meta["name"] / f"{meta['version']}.yaml"
    try:
        load_spec_file(path, where, text)
    except ProblemsFound as exc:
        raise AssertionError("\n".join(str(p) for p in exc.problems)) from None


@pytest.mark.parametrize(("where", "text"), STACK_EXAMPLES, ids=[name for name, _ in STACK_EXAMPLES])
def test_stack_examples_validate(where: str, text: str) -> None:
    try:
        stack_config_from_mapping(where, yaml.safe_load(text)["config"])
    except ProblemsFound as exc:
        raise AssertionError("\n".join(str(p) for p in exc.problems)) from None


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```$", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    return {anchor(line.lstrip("#").strip()) for line in text.splitlines() if re.match(r"^#{1,6} ", line)}


def _links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```$", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_links_between_the_pages_resolve(page: Path) -> None:
    broken = []
    for link in _links(page):
        if re.match(r"^[a-z]+:", link):
            continue  # https:, mailto:
        target, _, fragment = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no file {path.relative_to(REPO_ROOT)}")
        elif fragment and path.suffix == ".md" and fragment not in _anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.relative_to(REPO_ROOT)}")
    assert broken == [], f"{page.name}: {broken}"


def test_no_page_sends_a_user_to_the_design_notes() -> None:
    """A clone has no ../shared: the user's documentation is docs/."""
    for page in PAGES:
        assert "shared/design" not in page.read_text(), page.name
