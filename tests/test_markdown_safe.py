"""The pull-request comment cannot be injected: `diff --format markdown` and `plan --format
markdown|mermaid` with hostile specs and stacks, rendered by a CommonMark renderer with GFM
tables, contain no link, image, HTML, autolink or mention that came from spec text.

markdown-it-py has no GitHub text filters (mentions, bare URLs, issue references, emoji): the
tests look for their patterns in every text outside code, where GitHub applies them."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from modelops.engine.plan import Plan, PlanResource, PlanViolation
from modelops.engine.render import render
from modelops.gitops.diff import (
    Diff,
    FieldChange,
    ResourceChange,
    SpecFileChange,
    StackDiff,
    VersionChange,
    diff_markdown,
)
from modelops.gitops.markdown_safe import WORD_JOINER, code, mermaid_label, row, text, visible
from modelops.gitops.plan_format import render_markdown, render_mermaid, render_tree
from modelops.gitops.policy_diff import Condition, PolicyChange, Statement, StatementChange, Widening
from modelops.gitops.value_diff import ValueChange
from tests.conftest import edit_yaml, read_yaml, spec_path, write_yaml
from tests.test_gitops import cli, git, repo  # noqa: F401  (the scratch git repository fixture)

HOSTILE = (
    "`@team <img src=x onerror=alert(1)> [x](https://evil) ![i](https://evil/i.png) "
    "https://evil.example www.evil.example me@evil.example #1 GH-2 :smile: </details> | col\n"
    "| a | b |\n\n</details>\n<details open>\u202e``` ` ``"
)
# Valid where AWS's tag rules apply (letters, spaces, digits and _.:/=+-@), still hostile.
HOSTILE_TAG = "@team https://evil.example/x www.evil.example"
BACKTICKS = "``` ` ``"

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
FORBIDDEN = {"link_open", "image", "html_inline", "html_block"}
# What GitHub turns into a mention, a link, a reference or an emoji in text outside code.
GITHUB_TEXT = re.compile(r"@\w|(?:https?|ftp)://|www\.|#\w|gh-\d|:\w", re.IGNORECASE)
OUR_HTML = {"<details><summary>Spec fields changed</summary>", "<details><summary>Resources</summary>", "</details>"}
OUR_HTML |= {"<details><summary>Resource graph</summary>", "<details><summary>Changed values</summary>"}
OUR_HTML |= {"<details open><summary>IAM statement changes</summary>"}
# The plan's manifests block carries a count, from our code, never from spec text.
OUR_COUNTED_HTML = re.compile(r"^<details><summary>Kubernetes manifests \(\d+\)</summary>$")


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def assert_inert(markdown: str) -> list[Token]:
    """No element but our own, no GitHub link or mention in text; returns the tokens."""
    tokens = list(walk(MARKDOWN.parse(markdown)))
    for token in tokens:
        if token.type == "html_block":
            html = token.content.strip()
            assert html in OUR_HTML or OUR_COUNTED_HTML.match(html), token.content
        else:
            assert token.type not in FORBIDDEN, (token.type, token.content, markdown)
        if token.type == "text":
            content = token.content.replace(":warning:", "")  # our own mark for critical changes
            assert not GITHUB_TEXT.search(content), (content, markdown)
            assert "evil" not in content.lower() or WORD_JOINER in content, content
    opened = sum(t.content.strip().startswith("<details") for t in tokens if t.type == "html_block")
    closed = sum(t.content.strip() == "</details>" for t in tokens if t.type == "html_block")
    assert opened == closed
    return tokens


def code_spans(tokens: list[Token]) -> list[str]:
    return [t.content for t in tokens if t.type == "code_inline"]


def table_rows(tokens: list[Token]) -> list[int]:
    """Cells per body row of every table."""
    counts, cells = [], 0
    for token in tokens:
        if token.type == "tr_open":
            cells = 0
        elif token.type in ("td_open", "th_open"):
            cells += 1
        elif token.type == "tr_close":
            counts.append(cells)
    return counts


def assert_tables_whole(markdown: str, tokens: list[Token]) -> None:
    """Every row of a table has its header's cells: GFM splits a row on each `|` not escaped by a
    backslash (markdown-it drops the excess cells, so the source is what tells); and each table
    line is a row of the parsed table."""
    tables: list[list[int]] = [[]]
    for line in markdown.splitlines():
        if line.startswith("|"):
            tables[-1].append(len(re.split(r"(?<!\\)\|", line)) - 2)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    for cells in tables:
        assert set(cells) == {cells[0]}, cells
    assert len(table_rows(tokens)) == sum(len(t) - 1 for t in tables)  # less each separator line


# Synthetic results: a hostile value in every string a spec, a stack or a path can reach.


def hostile_statement(value: str) -> Statement:
    condition = Condition(value, value, (value,))
    return Statement(value, (value,), (), (value,), (), (value,), (), (condition,), value)


def hostile_diff(value: str) -> Diff:
    values = (ValueChange(value, value, {value: value}), ValueChange(value, None, None, "secret"))
    resource = ResourceChange("replace", "urn", value, value, (value,), (value,), values, data_loss=value)
    statement = hostile_statement(value)
    widening = (Widening("allows actions", (value,)),)
    statements = (
        StatementChange("changed", statement, dataclasses.replace(statement, effect="Allow"), widening),
        StatementChange("added", None, Statement("Deny", not_actions=(value,), not_principals=(value,))),
        StatementChange("removed", Statement("Deny", not_resources=(value,)), None, widening),
    )
    stack = StackDiff(
        stack=value,
        environment=value,
        versions=[VersionChange(value, value, value, value), VersionChange(value, "primary", None, value)],
        fields=[FieldChange(value, value, value, value, {value: [value]})],
        resources=[resource, dataclasses.replace(resource, action="update", data_loss=None)],
        security=[PolicyChange("urn", value, value, value, statements)],
    )
    files = [SpecFileChange(kind, value, value, value, ((value, value, None),)) for kind in ("published", "edited")]
    return Diff(base=value, stacks=[stack], spec_files=files)


def hostile_plan(value: str) -> Plan:
    component = PlanResource("urn:component", value, value, None, {}, custom=False)
    resources = [
        component,
        PlanResource(f"urn::{value}", value, value, "urn:component", {"name": value}),
        PlanResource("urn::r2", f"aws:{value}/x:{value}", value, None, {}, dependencies=[f"urn::{value}"]),
    ]
    violation = PlanViolation(value, value, f"urn::{value}", value)
    return Plan(value, value, [{"name": value, "version": value}], resources, [violation])


@pytest.mark.parametrize("value", [HOSTILE, BACKTICKS, "`", " ` ", "a|b\\|c\\", "@team"])
def test_diff_markdown_shows_hostile_values_only_as_text(value: str) -> None:
    markdown = diff_markdown(hostile_diff(value))
    tokens = assert_inert(markdown)
    spans = code_spans(tokens)
    assert visible(value) in spans
    assert visible(json.dumps(value, ensure_ascii=False))[:79] in "\n".join(spans)  # a changed value, shown
    assert "IAM statement changes" in markdown and "broaden access" in markdown
    assert_tables_whole(markdown, tokens)


@pytest.mark.parametrize("value", [HOSTILE, BACKTICKS, "a|b\\|c\\", "@team"])
def test_plan_markdown_and_mermaid_show_hostile_values_only_as_text(value: str) -> None:
    plan = hostile_plan(value)
    tokens = assert_inert(render_markdown(plan))
    assert visible(value) in code_spans(tokens)
    [fence] = [t for t in tokens if t.type == "fence"]  # the graph stays one mermaid block
    assert fence.info == "mermaid" and fence.content == render_mermaid(plan) + "\n"
    assert_mermaid_inert(render_mermaid(plan), value)
    assert render_mermaid(plan).splitlines()[-1] == "  r1 -.-> r2"  # the dependency, drawn


STATEMENT = re.compile(
    r'flowchart LR|end|r\d+ -\.-> r\d+|(?:subgraph )?r\d+\["((?:[A-Za-z0-9 ,._/-]|#\d+;|<br/>|</?small>)*)"\]'
)


def decode(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def assert_mermaid_inert(graph: str, value: str | None = None) -> None:
    """One statement a line, of the five kinds render_mermaid writes; each label one quoted
    string of plain characters and entities, which decodes back to the value."""
    labels = []
    for line in graph.splitlines():
        match = STATEMENT.fullmatch(line.strip())
        assert match, line
        labels += re.split(r"<br/>|</?small>", match.group(1) or "")
    assert "-->" not in graph and "%%" not in graph and "`" not in graph
    if value is not None:
        assert visible(value) in [decode(label) for label in labels]


# End to end: hostile specs and stacks in a git repository, through the CLI.


def make_hostile(data: dict[str, Any]) -> None:
    data["metadata"].update(version="1.4.0", description=HOSTILE, owner=HOSTILE_TAG)  # the owner is a tag value too
    data["metadata"]["tags"] = {"cost-center": HOSTILE_TAG, "team@evil www.evil.example": "x"}
    data["model"]["environment"]["HOSTILE"] = HOSTILE
    data["governance"]["model_card"]["intended_uses"] = HOSTILE
    data["features"]["groups"][0]["description"] = f"{BACKTICKS} <b>@team</b>"


def test_diff_of_a_hostile_pull_request_renders_inert(repo: Path) -> None:  # noqa: F811
    data = read_yaml(spec_path(repo, "churn-classifier", "1.3.0"))
    make_hostile(data)
    write_yaml(spec_path(repo, "churn-classifier", "1.4.0"), data)
    edit_yaml(repo / "stacks/Pulumi.dev.yaml", lambda d: d["config"]["modelops:tags"].update(owner=HOSTILE_TAG))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile")
    outcome = cli(repo, "diff", "--base", "HEAD~1", "--stack", "dev", "--format", "markdown")
    assert outcome.exit_code == 0, outcome.output
    tokens = assert_inert(outcome.output)
    spans = code_spans(tokens)
    assert '"' + HOSTILE.replace("\n", "\\n")[:50] in "\n".join(spans)  # the value, shown
    assert "metadata.tags.team@evil www.evil.example" in spans
    assert "primaryContainer.environment.HOSTILE" in spans  # the changed input values
    assert_tables_whole(outcome.output, tokens)


def test_plan_of_a_hostile_stack_renders_inert(repo: Path) -> None:  # noqa: F811
    data = read_yaml(spec_path(repo, "churn-classifier", "1.3.0"))
    make_hostile(data)
    write_yaml(spec_path(repo, "churn-classifier", "1.4.0"), data)
    outcome = cli(repo, "plan", "--stack", "dev", "--format", "markdown")
    assert outcome.exit_code == 0, outcome.output
    assert_inert(outcome.output)
    graph = cli(repo, "plan", "--stack", "dev", "--format", "mermaid")
    assert graph.exit_code == 0, graph.output
    assert_mermaid_inert(graph.output)
    plan = render(repo, "dev")  # with a violation that quotes a hostile value
    plan.violations = [PlanViolation("rule", "mandatory", plan.resources[0].urn, f"tag {HOSTILE!r} is not allowed")]
    assert_inert(render_markdown(plan))


# The escaping functions, over arbitrary text.

ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40) | st.text(
    st.sampled_from("`\\|@:#<>&*_[]()!$~ \n\tw.abc/-"), max_size=40
)


def inline(markdown: str) -> list[Token]:
    [_, paragraph, _] = MARKDOWN.parse(markdown)
    return paragraph.children or []


def cell(markdown: str) -> list[Token]:
    tokens = MARKDOWN.parse(f"| h |\n|---|\n{row(markdown)}\n")
    return [t for t in tokens if t.type == "inline"][-1].children or []


def shown(children: list[Token]) -> str:
    assert not any(t.type in FORBIDDEN for t in walk(children)), children
    return "".join(t.content for t in children if t.type in ("text", "code_inline"))


@settings(max_examples=300)
@given(ANY_TEXT)
def test_code_shows_exactly_the_text(value: str) -> None:
    for children in (inline(f"a {code(value)} b"), cell(f"a {code(value)} b")):
        assert shown(children) == f"a {visible(value)} b"
        assert [t.type for t in children] == (["text", "code_inline", "text"] if value else ["text"])


@settings(max_examples=300)
@given(ANY_TEXT)
def test_text_shows_exactly_the_text_and_nothing_github_links(value: str) -> None:
    for children in (inline(f"a {text(value)} b"), cell(f"a {text(value)} b")):
        rendered = shown(children)
        assert [t.type for t in children] == ["text"]
        assert rendered.replace(WORD_JOINER, "") == f"a {visible(value)} b"
        assert not GITHUB_TEXT.search(rendered)


@settings(max_examples=300)
@given(ANY_TEXT)
def test_mermaid_label_is_plain_characters_and_entities(value: str) -> None:
    label = mermaid_label(value)
    assert re.fullmatch(r"(?:[A-Za-z0-9 ,._/-]|#\d+;)*", label)
    assert decode(label) == visible(value)


def test_visible_shows_what_cannot_be_seen() -> None:
    assert visible("a\nb\r\u202ec\u200b\x00\t") == "a\\nb\\r\\u202ec\\u200b\\u0000\t"
    assert code("``` ` ``") == "```` ``` ` `` ````" and code(" a ") == "`  a  `" and code("  ") == "`  `"
    assert text("@team https://x") == f"@{WORD_JOINER}team https:{WORD_JOINER}//x"


# Text output: a terminal or a CI log.

TERMINAL_ESCAPES = "\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\rover"


def test_text_output_carries_no_terminal_escape_from_spec_text(repo: Path) -> None:  # noqa: F811
    data = read_yaml(spec_path(repo, "churn-classifier", "1.3.0"))
    data["metadata"]["version"] = "1.4.0"
    data["model"]["environment"]["BANNER"] = TERMINAL_ESCAPES
    write_yaml(spec_path(repo, "churn-classifier", "1.4.0"), data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "escapes")
    outcome = cli(repo, "diff", "--base", "HEAD~1", "--stack", "dev")
    assert outcome.exit_code == 0, outcome.output
    assert "BANNER" in outcome.output
    assert not {"\x1b", "\x07", "\r"} & set(outcome.output)
    assert "\\u001b[2J" in outcome.output
    plan = render(repo, "dev")
    plan.violations = [PlanViolation("rule", "mandatory", plan.resources[0].urn, f"value {TERMINAL_ESCAPES}")]
    tree = render_tree(plan)
    assert not {"\x1b", "\x07", "\r"} & set(tree) and "\\u001b]8;;" in tree
