"""The loader's two shortcuts give what the exact passes give.

- `within_limits_by_its_text` lets `parse` skip the event pass of `_check_structure` only for
  text that provably stays within the depth, alias and value limits;
- `_Walk` builds the data while it indexes positions, instead of a second walk by PyYAML's
  constructor: the data must be the constructor's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelops.spec.loader import (
    MAX_DEPTH,
    MAX_NODES,
    ProblemsFound,
    _check_structure,
    parse,
    within_limits_by_its_text,
)
from tests.conftest import REPO_ROOT


def depth_of(text: str) -> int:
    deepest = depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


def densest_block_nesting(levels: int) -> str:
    """Block collections nested as tightly as YAML allows: a mapping, its value a sequence at
    the mapping's column, whose entry is a mapping one column right, and so on."""
    lines = []
    for level in range(levels):
        column = level // 2
        lines.append(" " * column + ("k:" if level % 2 == 0 else "-"))
    # The last sequence entry or mapping value holds a scalar.
    lines[-1] += " x"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [MAX_DEPTH - 2, MAX_DEPTH + 1, MAX_DEPTH + 2, 3 * MAX_DEPTH])
def test_the_densest_block_nesting_is_never_taken_as_within_limits_when_it_is_not(levels: int) -> None:
    text = densest_block_nesting(levels)
    assert depth_of(text) == levels
    if levels > MAX_DEPTH:
        assert not within_limits_by_its_text(text)
        with pytest.raises(ProblemsFound, match="nested more than"):
            parse(Path("deep.yaml"), "deep.yaml", text)


def test_compact_sequences_on_one_line_count_by_their_column() -> None:
    text = "- " * (MAX_DEPTH + 1) + "x\n"
    assert depth_of(text) == MAX_DEPTH + 1
    assert not within_limits_by_its_text(text)


def test_flow_collections_count_each_bracket() -> None:
    text = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert depth_of(text) == MAX_DEPTH + 1
    assert not within_limits_by_its_text(text)


def test_anchors_and_long_text_take_the_exact_check() -> None:
    assert not within_limits_by_its_text("a: &x 1\nb: *x\n")
    assert not within_limits_by_its_text("a: [" + "0," * (MAX_NODES // 8) + "0]\n")


def test_every_example_spec_takes_the_shortcut() -> None:
    specs = sorted((REPO_ROOT / "model_specs").rglob("*.yaml"))
    assert specs
    assert all(within_limits_by_its_text(path.read_text()) for path in specs)


# Nested YAML of every block and flow form: sequences at their mapping's column, compact
# entries (`- - x`, `- k: x`), indentation of one or two spaces, empty values.
_scalars = st.sampled_from(["x", "1", "", "'q'", "~"])
_trees = st.recursive(
    _scalars,
    lambda children: st.tuples(st.sampled_from(["map", "seq", "flow"]), st.lists(children, min_size=1, max_size=2)),
    max_leaves=40,
)


def _flow(node: object) -> str:
    if isinstance(node, str):
        return node or "~"
    kind, items = node  # type: ignore[misc]
    if kind == "map":
        return "{" + ", ".join(f"k{index}: {_flow(item)}" for index, item in enumerate(items)) + "}"
    return "[" + ", ".join(_flow(item) for item in items) + "]"


def _lines(node: object, column: int, step: int, compact: bool) -> list[str]:
    """`node` as block YAML starting on a fresh line at `column`."""
    pad = " " * column
    if isinstance(node, str) or node[0] == "flow":  # type: ignore[index]
        return [pad + _flow(node)]
    kind, items = node  # type: ignore[misc]
    lines: list[str] = []
    for index, item in enumerate(items):
        nested = not isinstance(item, str) and item[0] != "flow"
        if kind == "map":
            if not nested:
                lines.append(f"{pad}k{index}: {_flow(item)}".rstrip())
            else:
                same_column = item[0] == "seq" and compact
                lines.append(f"{pad}k{index}:")
                lines += _lines(item, column if same_column else column + step, step, compact)
        elif not nested:
            lines.append(f"{pad}- {_flow(item)}".rstrip())
        elif compact:
            inner = _lines(item, column + 2, step, compact)
            lines += [pad + "- " + inner[0][column + 2 :], *inner[1:]]
        else:
            lines.append(pad + "-")
            lines += _lines(item, column + step, step, compact)
    return lines


def _chain(kinds: list[str]) -> object:
    node: object = "x"
    for kind in kinds:
        node = (kind, [node])
    return node


# Deep chains reach the depth limit, which bushy trees of a few dozen leaves never do.
_chains = (
    st.integers(1, 3 * MAX_DEPTH // 2)
    .flatmap(lambda n: st.lists(st.sampled_from(["map", "seq", "seq", "flow"]), min_size=n, max_size=n))
    .map(_chain)
)
_documents = st.builds(
    lambda tree, step, compact: "\n".join(_lines(tree, 0, step, compact)) + "\n",
    st.one_of(_trees, _chains),
    st.sampled_from([1, 2]),
    st.booleans(),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_text_within_limits_by_the_shortcut_is_within_them_by_the_exact_check(text: str) -> None:
    try:
        depth = depth_of(text)
    except yaml.YAMLError:
        return  # not YAML: both passes report the parser's error
    if within_limits_by_its_text(text):
        assert depth <= MAX_DEPTH
        _check_structure(text, "generated.yaml")  # raises ProblemsFound past a limit


CONSTRUCTOR_CASES = [
    "a: 1\nb: [1.5, true, null, ~, 2024-01-02, '010', x]\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "s: !!set {a, b}\n",
    "o: !!omap [{a: 1}, {b: 2}]\n",
    "p: !!pairs [{a: 1}, {a: 2}]\n",
    "bin: !!binary aGVsbG8=\n",
    "t: 2024-01-02T03:04:05Z\nf: !!float 1\ni: !!str 12\n",
    "shared: &s [1, 2]\nagain: *s\n",
    "- a\n- {b: [c, {d: e}]}\n",
    "block: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
]


@pytest.mark.parametrize("text", CONSTRUCTOR_CASES)
def test_the_walk_builds_what_the_constructor_builds(text: str) -> None:
    assert parse(Path("case.yaml"), "case.yaml", text).data == yaml.load(text, Loader=yaml.CSafeLoader)


def test_an_unknown_tag_is_the_constructors_error() -> None:
    with pytest.raises(ProblemsFound, match="could not determine a constructor"):
        parse(Path("case.yaml"), "case.yaml", "a: !local 1\n")
    with pytest.raises(ProblemsFound, match="could not determine a constructor"):
        parse(Path("case.yaml"), "case.yaml", "a: !local {b: 1}\n")


def test_every_yaml_file_of_the_project_reads_as_the_constructor_reads_it() -> None:
    files = [p for p in REPO_ROOT.rglob("*.yaml") if ".venv" not in p.parts and ".git" not in p.parts]
    assert len(files) > 10
    for path in files:
        text = path.read_text()
        assert parse(path, str(path), text).data == yaml.load(text, Loader=yaml.CSafeLoader), path
