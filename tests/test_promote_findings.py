"""promote's refusals as exact findings (file, line, column, field, message) that leave the stack
file as it was, and what a promotion writes and says: its summary, the file's quotes, long
lines and line endings, the temporary file it renames over the stack."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from modelops.errors import UsageError
from modelops.gitops import promote as promote_module
from modelops.gitops.promote import Promotion, promote
from modelops.spec.loader import MAX_FILE_BYTES, Problem, ProblemsFound
from tests.conftest import problems

STAGING = "stacks/Pulumi.staging.yaml"
MOVED = ("churn-classifier: 1.3.0", "churn-classifier: 1.2.0")  # what promoting churn-classifier 1.2.0 changes


def refusal(root: Path, model: str, version: str, stack: str = "staging") -> list[Problem]:
    """The findings of a refused promotion, which must leave the stack file byte for byte as it was."""
    path = root / STAGING
    before = path.read_bytes()
    with pytest.raises(ProblemsFound) as refused:
        promote(root, model, version, stack)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    return refused.value.problems


def replace_in_stack(old: str | bytes, new: str | bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        data = path.read_bytes()
        old_bytes, new_bytes = (x.encode() if isinstance(x, str) else x for x in (old, new))
        assert old_bytes in data
        path.write_bytes(data.replace(old_bytes, new_bytes, 1))

    return edit


def whole_stack(text: str | bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        path.write_bytes(text.encode() if isinstance(text, str) else text)

    return edit


# --- refused before the stack file is read ---------------------------------------------------


@pytest.mark.parametrize(
    ("model", "version", "stack", "expected"),
    [
        pytest.param(
            "churn-classifier",
            "1.2.0",
            "qa",
            Problem("stacks/Pulumi.qa.yaml", 1, 1, "", "no stack 'qa': stacks/Pulumi.qa.yaml does not exist"),
            id="no-such-stack",
        ),
        pytest.param(
            "churn-classifier",
            "9.9.9",
            "staging",
            Problem(
                "model_specs/churn-classifier/9.9.9.yaml",
                1,
                1,
                "",
                "churn-classifier 9.9.9 does not exist (versions: 1.2.0, 1.3.0)",
            ),
            id="no-such-version-lists-the-versions",
        ),
        pytest.param(
            # Only '.' makes a version that is no file name: X is a version like any other.
            "churn-classifier",
            "X",
            "staging",
            Problem(
                "model_specs/churn-classifier/X.yaml",
                1,
                1,
                "",
                "churn-classifier X does not exist (versions: 1.2.0, 1.3.0)",
            ),
            id="a-version-of-letters-is-looked-up",
        ),
        pytest.param(
            "no-such-model",
            "1.0.0",
            "staging",
            Problem(
                "model_specs/no-such-model/1.0.0.yaml",
                1,
                1,
                "",
                "no-such-model 1.0.0 does not exist (no model 'no-such-model' under model_specs/)",
            ),
            id="no-such-model",
        ),
    ],
)
def test_a_missing_stack_or_spec_is_one_exact_finding(
    project: Path, model: str, version: str, stack: str, expected: Problem
) -> None:
    assert refusal(project, model, version, stack) == [expected]


def test_a_version_of_dots_only_is_no_version(project: Path) -> None:
    with pytest.raises(UsageError, match=r"^'\.\.\.' is not a version"):
        promote(project, "churn-classifier", "...", "staging")


# --- the stack file swapped after the checks, before the lock --------------------------------


def swapped_after_the_checks(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> None:
    """Run `swap` where another process could: after promote's checks of the path, before it
    opens the file (promote reads the specs in between)."""
    load_repository = promote_module.load_repository

    def load_then_swap(root: Path) -> object:
        repo = load_repository(root)
        swap()
        return repo

    monkeypatch.setattr(promote_module, "load_repository", load_then_swap)


def test_a_stack_file_replaced_by_a_symlink_meanwhile_is_not_followed(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = project / STAGING
    outside = tmp_path_factory.mktemp("outside") / "Pulumi.staging.yaml"
    before = path.read_bytes()
    outside.write_bytes(before)

    def to_symlink() -> None:
        path.unlink()
        path.symlink_to(outside)

    swapped_after_the_checks(monkeypatch, to_symlink)
    with pytest.raises(ProblemsFound) as refused:
        promote(project, "churn-classifier", "1.2.0", "staging")
    assert refused.value.problems == [
        Problem(STAGING, 1, 1, "", "cannot open the stack file: Too many levels of symbolic links")
    ]
    assert outside.read_bytes() == before and path.is_symlink()


def test_a_stack_file_removed_meanwhile_is_a_finding(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / STAGING
    swapped_after_the_checks(monkeypatch, path.unlink)
    with pytest.raises(ProblemsFound) as refused:
        promote(project, "churn-classifier", "1.2.0", "staging")
    assert refused.value.problems == [
        Problem(STAGING, 1, 1, "", "cannot open the stack file: No such file or directory")
    ]
    assert not path.exists()


# --- refused for what the stack file holds ---------------------------------------------------

SMALL_STACK = "config:\n  aws:region: eu-west-1\n  modelops:environment: staging\n"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            whole_stack("# not a stack\n- config\n"),
            Problem(STAGING, 1, 1, "config", "a stack file holds a 'config:' mapping"),
            id="a-list-document",
        ),
        pytest.param(
            whole_stack("# not a stack\nconfig: [aws:region]\n"),
            Problem(STAGING, 1, 1, "config", "a stack file holds a 'config:' mapping"),
            id="config-a-list",
        ),
        pytest.param(
            whole_stack(SMALL_STACK + "  modelops:models: [churn-classifier]\n"),
            Problem(STAGING, 1, 1, "modelops:models", "must be a mapping of model -> pin"),
            id="models-a-list",
        ),
        pytest.param(
            # PyYAML reads a tab after a colon; ruamel, which writes the edit, refuses it.
            replace_in_stack("modelops:environment: staging", "modelops:environment:\tstaging"),
            Problem(STAGING, 4, 24, "", "invalid YAML: found character '\\t' that cannot start any token"),
            id="ruamel-refuses-a-tab-its-problem-mark",
        ),
        pytest.param(
            # The error's own place (18:43), not where the flow mapping it is in starts (18:18).
            replace_in_stack("{environment-owner: platform}", "{environment-owner: plat\tform}"),
            Problem(STAGING, 18, 43, "", "invalid YAML: expected ',' or '}', but got '<scalar>'"),
            id="ruamel-refuses-a-tab-in-a-flow-mapping",
        ),
        pytest.param(
            # PyYAML takes an ordered map's pairs as they come; ruamel's constructor asserts unique keys.
            whole_stack(
                SMALL_STACK + "  modelops:models: !!omap\n    - churn-classifier: 1.3.0\n"
                "    - fraud-detector: 3.1.0\n    - churn-classifier: 1.2.0\n"
            ),
            Problem(STAGING, 7, 7, "", "invalid YAML: an ordered map (!!omap) lists 'churn-classifier' twice"),
            id="ruamel-refuses-an-ordered-map-with-a-key-twice",
        ),
        pytest.param(
            whole_stack(SMALL_STACK + "  modelops:tags: !!omap [{a: x}, {b: y}, {a: z}]\n"),
            Problem(STAGING, 4, 43, "", "invalid YAML: an ordered map (!!omap) lists 'a' twice"),
            id="ruamel-refuses-a-flow-ordered-map-with-a-key-twice",
        ),
        pytest.param(
            # A plain list may repeat a key across its mappings: only the ordered map's count.
            whole_stack(SMALL_STACK + "  x-notes: [{a: 1}, {a: 2}, [{b: 3}]]\n  x-more: [!!omap [{a: x}, {a: y}]]\n"),
            Problem(STAGING, 5, 29, "", "invalid YAML: an ordered map (!!omap) lists 'a' twice"),
            id="ruamel-refuses-an-ordered-map-in-a-list-with-a-key-twice",
        ),
        pytest.param(
            replace_in_stack("staging\n", b"stag\xe9ing\n"),
            Problem(STAGING, 4, 29, "", "the file is not UTF-8 (byte 0xe9 here): save it as UTF-8"),
            id="not-utf8",
        ),
        pytest.param(
            # Columns count from after the byte order mark, which no editor shows.
            lambda path: path.write_bytes(codecs.BOM_UTF8 + b"\xff" + path.read_bytes()),
            Problem(STAGING, 1, 1, "", "the file is not UTF-8 (byte 0xff here): save it as UTF-8"),
            id="not-utf8-after-a-byte-order-mark",
        ),
    ],
)
def test_a_stack_file_promote_cannot_edit_is_one_exact_finding(
    project: Path, edit: Callable[[Path], None], expected: Problem
) -> None:
    edit(project / STAGING)
    assert refusal(project, "churn-classifier", "1.2.0") == [expected]


def test_a_stack_file_over_a_mebibyte_is_refused_as_validate_refuses_it(project: Path) -> None:
    """The bound is on the file's bytes: its CRs count, though the text promote edits drops them."""
    path = project / STAGING
    text = path.read_text()
    comment = "# " + "x" * 61 + "\n"  # 64 characters
    text += comment * ((MAX_FILE_BYTES - len(text)) // len(comment))
    path.write_bytes(text.replace("\n", "\r\n").encode())
    size = path.stat().st_size
    assert len(text) <= MAX_FILE_BYTES < size
    message = f"the file is {size:,} bytes: modelops reads spec and stack files of at most 1 MiB (1,048,576 bytes)"
    assert refusal(project, "churn-classifier", "1.2.0") == [Problem(STAGING, 1, 1, "", message)]
    assert problems(project) == [Problem(STAGING, 1, 1, "", message)]  # validate's finding


def test_an_edit_that_breaks_a_rule_is_refused_with_each_finding_in_place(project: Path) -> None:
    after = " (after promoting sentiment-api 0.2.0)"
    spec = "model_specs/sentiment-api/0.2.0.yaml"
    assert refusal(project, "sentiment-api", "0.2.0") == [
        Problem(
            spec,
            11,
            1,
            "model.sha256",
            "[pinned-artifact] staging requires approval: none models to pin their artifact with sha256 "
            "(stack staging pins this version as primary)" + after,
        ),
        Problem(
            spec,
            16,
            3,
            "serving.mode",
            "serverless endpoints take no VPC config, and stack staging sets modelops:vpc" + after,
        ),
        # On the line the edit adds to the stack file.
        Problem(
            STAGING, 13, 5, "modelops:models.sentiment-api", f"{spec} allows environments dev, not staging" + after
        ),
    ]


# --- what a promotion writes and says --------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "version"),
    [("churn-classifier", "1.3.0"), ("reviews-kserve", "1.0.0")],  # a version; a mapping with a challenger
)
def test_promoting_the_pinned_version_changes_nothing(project: Path, model: str, version: str) -> None:
    path = project / STAGING
    before, inode = path.read_bytes(), path.stat().st_ino
    promotion = promote(project, model, version, "staging")
    assert promotion == Promotion(STAGING, model, version, version, None)
    assert promotion.summary() == f"{STAGING}: {model} already runs {version}; nothing to do"
    assert path.read_bytes() == before and path.stat().st_ino == inode  # not even rewritten


def test_moving_a_pin_says_from_what_to_what(project: Path) -> None:
    path = project / STAGING
    before = path.read_text()
    promotion = promote(project, "churn-classifier", "1.2.0", "staging")
    assert promotion == Promotion(STAGING, "churn-classifier", "1.3.0", "1.2.0", None)
    assert promotion.summary() == f"{STAGING}: churn-classifier 1.3.0 -> 1.2.0"
    assert path.read_text() == before.replace(*MOVED)


def test_a_stack_without_models_gets_the_key_and_the_pin(project: Path) -> None:
    path = project / STAGING
    text = path.read_text()
    models = text[text.index("  modelops:models:") : text.index("  modelops:kmsKeyArn")]
    path.write_text(text.replace(models, ""))
    promotion = promote(project, "demand-forecaster", "1.1.0", "staging")
    assert promotion == Promotion(STAGING, "demand-forecaster", None, "1.1.0", None)
    assert promotion.summary() == f"{STAGING}: demand-forecaster added at 1.1.0"
    assert path.read_text() == text.replace(models, "") + "  modelops:models:\n    demand-forecaster: 1.1.0\n"


def test_a_pin_without_a_primary_gets_one_and_the_challenger_it_was_leaves(project: Path) -> None:
    path = project / STAGING
    challenger_only = "churn-classifier: {challenger: {version: 1.2.0, traffic_percent: 10}}"
    replace_in_stack("churn-classifier: 1.3.0", challenger_only)(path)
    before = path.read_text()
    promotion = promote(project, "churn-classifier", "1.2.0", "staging")
    assert promotion == Promotion(STAGING, "churn-classifier", None, "1.2.0", "challenger")
    assert (
        promotion.summary() == f"{STAGING}: churn-classifier added at 1.2.0 (it was the challenger, which is removed)"
    )
    assert path.read_text() == before.replace(challenger_only, "churn-classifier: {version: 1.2.0}")


def test_quotes_and_long_lines_are_kept(project: Path) -> None:
    """ruamel re-wraps a line longer than its width; a flow mapping of tags easily passes 4096."""
    path = project / STAGING
    note = "owned by the platform team in the north office of acme and on call around the clock " * 2
    tags = ", ".join(f"team-{i:02d}: {note}{i:02d}" for i in range(24))
    replace_in_stack("{environment-owner: platform}", f"{{{tags}}}")(path)
    replace_in_stack("fraud-detector: 3.1.0", "fraud-detector: '3.1.0'")(path)
    replace_in_stack("aws:region: eu-west-1", 'aws:region: "eu-west-1"')(path)
    before = path.read_text()
    assert max(len(line) for line in before.splitlines()) > 4096
    promote(project, "churn-classifier", "1.2.0", "staging")
    assert path.read_text() == before.replace(*MOVED)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # The first line break decides: CRLF, even on an empty first line.
        pytest.param(lambda text: "\r\n" + text.replace("\n", "\r\n"), "\r\n", id="crlf-first-line-empty"),
        pytest.param(lambda text: text.replace("\n", "\r\n", 1), "\r\n", id="crlf-first-then-lf"),
        pytest.param(lambda text: text.replace("\n", "\r\n").replace("\r\n", "\n", 1), "\n", id="lf-first-then-crlf"),
        # An empty first line ending in LF: the character before it is the file's last, a CR here.
        pytest.param(lambda text: "\n" + text + "\r", "\n", id="lf-first-line-empty"),
    ],
)
def test_the_file_is_written_with_its_first_line_ending(
    project: Path, written: Callable[[str], str], expected: str
) -> None:
    path = project / STAGING
    original = path.read_text()
    path.write_bytes(written(original).encode())
    promote(project, "churn-classifier", "1.2.0", "staging")
    data = path.read_bytes().decode()
    assert data.count("\n") == data.count(expected) and data.count("\r") == expected.count("\r") * data.count("\n")
    assert data.replace(expected, "\n").strip("\n") == original.replace(*MOVED).strip("\n")


def test_the_new_file_is_a_hidden_temporary_beside_the_stack_file_renamed_over_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside it so the rename stays on one filesystem (atomic); named after the stack file, hidden
    and `.tmp`, so one an interrupted promote leaves says what it is and is no stack."""
    renames: list[tuple[Path, Path]] = []
    replace = os.replace

    def recorded(source: str, target: Path) -> None:
        renames.append((Path(source), Path(target)))
        replace(source, target)

    monkeypatch.setattr(os, "replace", recorded)
    promote(project, "churn-classifier", "1.2.0", "staging")
    [(source, target)] = renames
    assert target == project / STAGING and source.parent == target.parent
    assert source.name.startswith(".Pulumi.staging.yaml.") and source.name.endswith(".tmp")
