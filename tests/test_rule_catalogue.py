"""The rule catalogue (tests/rule_catalogue.py) is complete and true: every rule of the spec's
documents is quoted by an entry, every quote is in a rule of its document, and every test an
entry names exists."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.rule_catalogue import KUBERNETES, KUBERNETES_SERVING, MODELSPEC, RULES, SPEC_LANGUAGE

# The design notes live beside the repository (../shared/design), not in users' clones.
DESIGN = Path(__file__).resolve().parents[2] / "shared" / "design"


@dataclass(frozen=True)
class Document:
    path: Path
    sections: dict[str, bool]  # heading (its start) -> whether its plain paragraphs state rules too
    by_sentence: bool  # each sentence of a bullet is a rule of its own (a design note's density)


DOCUMENTS = {
    MODELSPEC: Document(
        DESIGN / "modelspec-v1.md",
        {"Files": False, "Rules": False, "Stack config": False, "Governance by environment": False},
        by_sentence=True,
    ),
    KUBERNETES_SERVING: Document(
        DESIGN / "kubernetes-serving.md",
        {"Spec": False, "Stack config": True, "What it renders": False},
        by_sentence=True,
    ),
    SPEC_LANGUAGE: Document(
        REPO_ROOT / "docs" / "spec-language.md",
        {"Files and versions": False, "Rules between fields": False, "Environments": False, "Governance by": False},
        by_sentence=False,
    ),
    KUBERNETES: Document(
        REPO_ROOT / "docs" / "kubernetes.md", {"Rules": False, "Governance": False}, by_sentence=False
    ),
}
# A sentence ends at '.' or ')' followed by one that starts with a capital, a backtick or bold.
SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z`*])")


def normalised(text: str) -> str:
    return " ".join(text.split())


def _sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            lines = found.setdefault(line[3:].strip(), [])
        elif lines is not None:
            lines.append(line)
    return found


def _items(lines: list[str], prose: bool) -> list[str]:
    """Bullets (with their continuation lines), table body rows and, with `prose`, paragraphs;
    code blocks and headings left out."""
    items: list[list[str]] = []
    current: list[str] | None = None
    in_code = False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_code, current = not in_code, None
        elif in_code or not line.strip() or line.startswith("#"):
            current = None
        elif line.startswith("- "):
            current = [line[2:]]
            items.append(current)
        elif line.startswith("|"):
            if not re.match(r"^\|\s*(rule\s*\||-+\s*\|)", line):  # the header and its rule
                items.append([line])
            current = None
        elif line.startswith("  ") and current is not None:
            current.append(line)
        elif prose:
            if current is None:
                current = []
                items.append(current)
            current.append(line)
        else:
            current = None
    return [normalised(" ".join(item)) for item in items]


def rules_of(document: Document) -> list[str]:
    sections = _sections(document.path.read_text())
    rules: list[str] = []
    for start, prose in document.sections.items():
        [heading] = [h for h in sections if h.startswith(start)]
        for item in _items(sections[heading], prose):
            split = document.by_sentence and not item.startswith("|")
            rules += SENTENCE_END.split(item) if split else [item]
    return rules


def _check_document(doc: str) -> None:
    rules = rules_of(DOCUMENTS[doc])
    assert len(rules) >= 10, f"{doc}: the rule sections were not found"
    quotes = {entry.id: normalised(entry.quotes[doc]) for entry in RULES if doc in entry.quotes}
    misquoted = [f"{rule_id}: {quote!r}" for rule_id, quote in quotes.items() if not any(quote in r for r in rules)]
    assert not misquoted, f"quotes in no rule of {doc} (edited doc? fix the fragment):\n" + "\n".join(misquoted)
    unquoted = [r for r in rules if not any(quote in r for quote in quotes.values())]
    assert not unquoted, f"rules of {doc} no catalogue entry quotes (add one, with the tests that break it):\n" + (
        "\n".join(unquoted)
    )


@pytest.mark.parametrize("doc", [MODELSPEC, KUBERNETES_SERVING])
def test_every_rule_of_the_design_notes_is_catalogued(doc: str) -> None:
    if not DESIGN.is_dir():
        pytest.skip(f"{DESIGN} is absent: the design notes are kept beside the repository, not in it")
    _check_document(doc)


@pytest.mark.parametrize("doc", [SPEC_LANGUAGE, KUBERNETES])
def test_every_rule_of_the_user_docs_is_catalogued(doc: str) -> None:
    _check_document(doc)


def test_every_entry_has_a_unique_id_a_quote_and_a_test() -> None:
    repeated = [rule_id for rule_id, count in Counter(r.id for r in RULES).items() if count > 1]
    assert repeated == []
    assert [r.id for r in RULES if not r.quotes or not r.tests] == []
    assert {doc for r in RULES for doc in r.quotes} == set(DOCUMENTS)


class _Collector:
    """The node ids a pytest session collects."""

    def __init__(self) -> None:
        self.node_ids: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.node_ids = [item.nodeid for item in session.items]


def collected(files: list[str]) -> set[str]:
    """Node ids of `files` as pytest itself collects them (in this process: the modules are
    imported once, and the parametrize ids are pytest's own)."""
    collector = _Collector()
    arguments = ["--collect-only", "-qq", "-p", "no:cacheprovider", f"--rootdir={REPO_ROOT}"]
    code = pytest.main([*arguments, *(str(REPO_ROOT / f) for f in files)], plugins=[collector])
    assert code == pytest.ExitCode.OK, f"collecting {files} failed ({code})"
    return set(collector.node_ids)


def test_every_catalogued_test_exists() -> None:
    named = sorted({test for r in RULES for test in r.tests})
    node_ids = collected(sorted({test.split("::")[0] for test in named}))
    # `file::test` without `[...]` names every case of a parametrized test.
    functions = {node_id.split("[")[0] for node_id in node_ids}
    missing = [test for test in named if test not in node_ids and test not in functions]
    assert missing == [], "catalogued tests that do not exist:\n" + "\n".join(missing)
