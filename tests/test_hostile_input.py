"""Files from a pull request that try to crash, hang or exhaust `validate` and `diff`.

Each case was first reproduced through the CLI: before the fix it ended as `internal error`,
hung or ran out of memory. Cases that hung or exhausted memory run in a subprocess with a
timeout and an address-space limit, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.spec.loader import MAX_ALIAS_NODES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, ProblemsFound, parse
from tests.conftest import REPO_ROOT, git, spec_path

SPEC = "model_specs/churn-classifier/1.2.0.yaml"
DEV = "stacks/Pulumi.dev.yaml"


def validate(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["validate", "--root", str(root), *args])


def finding(output: str, file: str, fragment: str) -> re.Match[str]:
    """The problem line `file:line:col: [field: ]message` that contains `fragment`."""
    for line in output.splitlines():
        match = re.match(rf"^{re.escape(file)}:(?P<line>\d+):(?P<col>\d+): (?P<text>.+)$", line)
        if match and fragment in match["text"]:
            return match
    raise AssertionError(f"no finding in {file} containing {fragment!r}:\n{output}")


def assert_clean_exit(result: Any, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output


def bounded_cli(root: Path, *args: str, timeout: float = 60, memory: int = 2 * 1024**3) -> subprocess.CompletedProcess:
    """The CLI in a child with a wall-clock and address-space bound (the fixes keep far below both)."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "modelops", *args, "--root", str(root)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit if sys.platform == "linux" else None,  # a child that only runs modelops
        check=False,
    )


@pytest.fixture
def repo(project: Path) -> Path:
    """The project copy, committed: the base revision of a pull request."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


def billion_laughs() -> str:
    """776 bytes that expand to 9^9 (387 million) list items if aliases are followed."""
    lines = ["  lol0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def with_under_metadata(root: Path, text: str, relative: str = SPEC) -> Path:
    """Put `text` (indented by two) under a new key `metadata.x` of a spec."""
    path = root / relative
    original = path.read_text()
    path.write_text(original.replace("metadata:\n", "metadata:\n  x:\n" + re.sub("^", "  ", text, flags=re.M), 1))
    return path


# 1. Limits: aliases, nesting, size; regular files only.


def test_alias_bomb_is_a_finding_in_seconds_and_bounded_memory(project: Path) -> None:
    bomb = billion_laughs()
    assert len(bomb) < 800
    with_under_metadata(project, bomb)
    result = bounded_cli(project, "validate", timeout=60, memory=1024**3)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    match = finding(result.stderr, SPEC, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes")
    assert match["text"].startswith("metadata.x.lol") and int(match["line"]) > 1 and int(match["col"]) > 1


def test_alias_bomb_in_a_new_spec_is_a_finding_in_diff(repo: Path) -> None:
    new = spec_path(repo, "churn-classifier", "1.4.0")
    new.write_text(
        (repo / "model_specs/churn-classifier/1.3.0.yaml").read_text().replace("1.3.0", "1.4.0")
        + "x:\n"
        + billion_laughs()
    )
    result = bounded_cli(repo, "diff", "--base", "HEAD", "--stack", "dev", timeout=60, memory=2 * 1024**3)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert finding(result.stderr, "model_specs/churn-classifier/1.4.0.yaml", "aliases expand")["text"].startswith("x.")


def test_a_few_aliases_are_fine(project: Path) -> None:
    path = project / SPEC
    text = path.read_text().replace("  tags: {cost-center: growth}", "  tags: &tags {cost-center: growth}")
    path.write_text(text + "x-copy: *tags\n")
    result = validate(project)
    # The alias itself is fine: the only finding is the unknown top-level field it sits in.
    assert_clean_exit(result)
    assert finding(result.output, SPEC, "unknown field")["text"].startswith("x-copy: unknown field")
    assert "aliases" not in result.output


def test_self_referencing_anchor_is_a_finding(project: Path) -> None:
    path = project / SPEC
    path.write_text(path.read_text().replace("  tags: {cost-center: growth}", "  tags: &t {k: *t}"))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, "the alias *t is inside its own anchor &t")
    assert (match["line"], match["col"]) == ("11", "16") and match["text"].startswith("metadata.tags.k: ")


def test_nesting_past_the_limit_is_a_finding(project: Path) -> None:
    deep = "{a: " * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    path = project / SPEC
    path.write_text(path.read_text().replace("  tags: {cost-center: growth}", f"  tags: {deep}"))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, f"nested more than {MAX_DEPTH} levels deep")
    assert match["line"] == "11" and match["text"].startswith("metadata.tags.a.a")


def test_nesting_at_the_limit_reads(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert parse(path, "deep.yaml").data is not None


def test_file_past_the_size_limit_is_a_finding(project: Path) -> None:
    path = project / SPEC
    path.write_text(path.read_text() + "#" * MAX_FILE_BYTES)
    result = validate(project)
    assert_clean_exit(result)
    assert f"{SPEC}:1:1: the file is" in result.output
    assert "modelops reads spec and stack files of at most 1 MiB (1,048,576 bytes)" in result.output


def test_more_values_than_the_limit_is_a_finding(project: Path) -> None:
    # Under 1 MiB, but half a million values took 6 s and 350 MB to check.
    path = project / SPEC
    path.write_text(path.read_text() + "x: [" + ",".join(["0"] * MAX_NODES) + "]\n")
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, f"more than {MAX_NODES:,} values in the file")
    assert match["line"] == "67" and match["text"].startswith("x[")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("relative", ["model_specs/churn-classifier/1.0.1.yaml", "stacks/Pulumi.qa.yaml"])
def test_fifo_is_a_finding_not_a_hang(project: Path, relative: str) -> None:
    os.mkfifo(project / relative)
    result = bounded_cli(project, "validate", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{relative}:1:1: is not a regular file (a FIFO, socket or device)" in result.stderr


@pytest.mark.parametrize("relative", [SPEC, DEV])
def test_symlinked_spec_or_stack_is_a_finding(project: Path, tmp_path_factory: Any, relative: str) -> None:
    outside = tmp_path_factory.mktemp("outside") / "file.yaml"
    shutil.move(project / relative, outside)
    (project / relative).symlink_to(outside)
    result = validate(project)
    assert_clean_exit(result)
    assert f"{relative}:1:1: is a symbolic link: specs and stacks must be regular files (git archive skips" in (
        result.output
    )


def test_symlinked_model_folder_is_a_finding(project: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "sentiment-hf"
    shutil.move(project / "model_specs/sentiment-hf", outside)
    (project / "model_specs/sentiment-hf").symlink_to(outside, target_is_directory=True)
    result = validate(project)
    assert_clean_exit(result)
    assert "model_specs/sentiment-hf:1:1: is a symbolic link: a model's folder holds its version files" in result.output


def test_released_version_replaced_by_a_symlink_is_a_finding_with_base(repo: Path) -> None:
    released = repo / SPEC
    copy = repo / "elsewhere.yaml"
    shutil.move(released, copy)
    released.symlink_to(copy)
    result = validate(repo, "--base", "HEAD")
    assert_clean_exit(result)
    assert f"{SPEC}:1:1: is a symbolic link" in result.output


def test_directory_named_like_a_version_is_a_finding(project: Path) -> None:
    (project / "model_specs/churn-classifier/1.0.1.yaml").mkdir()
    result = validate(project)
    assert_clean_exit(result)
    assert "model_specs/churn-classifier/1.0.1.yaml:1:1: is a directory: specs and stacks are files" in result.output


# 2. Keys that are not text, and other shapes that crashed.


def test_complex_key_is_a_finding(project: Path) -> None:
    path = project / SPEC
    path.write_text(path.read_text().replace("metadata:\n", "metadata:\n  ? [a, b]\n  : x\n", 1))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, "a list used as a key (`? ...`): keys are text")
    assert (match["line"], match["col"]) == ("5", "5") and match["text"].startswith("metadata: ")


@pytest.mark.parametrize(
    ("relative", "old", "new", "field", "message"),
    [
        (
            SPEC,
            "  tags: {cost-center: growth}",
            "  tags: {1: growth}",
            "metadata.tags.1",
            "the key 1 is read as an integer",
        ),
        (SPEC, "  tags: {cost-center: growth}", "  tags: {~: growth}", "metadata.tags.~", "the key ~ is read as null"),
        (
            SPEC,
            "  tags: {cost-center: growth}",
            "  tags: {? : growth}",
            'metadata.tags[""]',
            "a key with no text is read as null",
        ),
        (SPEC, "\nserving:\n", "\n1: x\nserving:\n", "1", "the key 1 is read as an integer"),
        (SPEC, "  prod:\n", "  ~:\n", "environments.~", "the key ~ is read as null"),
        (SPEC, "  rollout:\n", "  rollout:\n    2.5: x\n", 'serving.rollout["2.5"]', "the key 2.5 is read as a number"),
        (
            SPEC,
            "  rollout:\n",
            "  rollout:\n    true: x\n",
            "serving.rollout.true",
            "the key true is read as a boolean",
        ),
        (DEV, "    sentiment-hf: 1.0.0", "    1: 1.0.0", "config.modelops:models.1", "the key 1 is read as an integer"),
        (DEV, "config:", "~: 1\nconfig:", "~", "the key ~ is read as null"),
        (DEV, "  modelops:tags: {environment-owner: platform}", "  7: x", "config.7", "read as an integer"),
        (DEV, "  modelops:tags: {environment-owner: platform}", "  modelops:tags: {2024-01-01: x}", "", "a date"),
    ],
)
def test_key_that_is_not_text_is_a_finding(
    project: Path, relative: str, old: str, new: str, field: str, message: str
) -> None:
    path = project / relative
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, relative, message)
    assert int(match["line"]) > 1 and int(match["col"]) >= 1
    if field:
        assert match["text"].startswith(f"{field}: ")
    assert "keys are text" in match["text"]


def test_number_too_long_for_python_is_a_finding(project: Path) -> None:
    path = project / SPEC
    path.write_text(path.read_text().replace("  instance_count: 2", "  instance_count: 1" + "0" * 5000))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, "a number 5001 characters long: no modelops field takes one over 100")
    assert (match["line"], match["col"]) == ("20", "19") and match["text"].startswith("serving.instance_count: ")


def test_float_overflowing_to_infinity_is_a_finding(project: Path) -> None:
    path = project / SPEC
    path.write_text(path.read_text().replace("    probability_threshold: 0.5", "    probability_threshold: 1.0e+999"))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, "1.0e+999 is read as infinity")
    assert match["text"].startswith("monitoring.model_quality.probability_threshold: ")


# diff reads the base revision through git, and both sides' files before validating them.


def test_non_utf8_new_spec_is_a_finding_in_diff(repo: Path) -> None:
    new = repo / "model_specs/churn-classifier/1.4.0.yaml"
    new.write_bytes(b"apiVersion: modelops/v1\nkind: Mod\xffelSpec\n")
    result = CliRunner().invoke(app, ["diff", "--base", "HEAD", "--root", str(repo)])
    assert_clean_exit(result)
    match = finding(result.output, "model_specs/churn-classifier/1.4.0.yaml", "the file is not UTF-8 (byte 0xff here)")
    assert (match["line"], match["col"]) == ("2", "10")


def test_non_utf8_spec_at_the_base_is_a_finding_in_diff(repo: Path) -> None:
    released = repo / SPEC
    released.write_bytes(released.read_bytes() + b"# \xfe\n")
    git(repo, "commit", "-q", "-am", "not utf-8")
    result = CliRunner().invoke(app, ["diff", "--base", "HEAD", "--root", str(repo)])
    assert_clean_exit(result)
    assert finding(result.output, f"HEAD:{SPEC}", "the file is not UTF-8 (byte 0xfe here)")["col"] == "3"


def test_non_utf8_file_name_at_the_base_is_no_internal_error(repo: Path) -> None:
    name = os.fsdecode(b"model_specs/churn-classifier/\xff.yaml")
    shutil.copy(repo / SPEC, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd name")
    result = CliRunner().invoke(app, ["diff", "--base", "HEAD", "--stack", "dev", "--root", str(repo)])
    assert_clean_exit(result)
    assert "must match the file name" in result.output


@pytest.mark.parametrize("committed", [False, True], ids=["working-tree", "base-and-working-tree"])
def test_directory_named_like_a_version_is_a_finding_in_diff(repo: Path, committed: bool) -> None:
    folder = repo / "model_specs/churn-classifier/1.0.1.yaml"
    folder.mkdir()
    if committed:
        (folder / "notes").write_text("a file, so git records the folder\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "folder")
    result = CliRunner().invoke(app, ["diff", "--base", "HEAD", "--root", str(repo)])
    assert_clean_exit(result)
    file = f"{'HEAD:' if committed else ''}model_specs/churn-classifier/1.0.1.yaml"
    assert finding(result.output, file, "is a directory: specs and stacks are files")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_a_finding_not_a_hang_in_diff(repo: Path) -> None:
    os.mkfifo(repo / "model_specs/churn-classifier/1.5.0.yaml")
    result = bounded_cli(repo, "diff", "--base", "HEAD", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "model_specs/churn-classifier/1.5.0.yaml:1:1: is not a regular file" in result.stderr


def test_unhashable_feature_names_do_not_break_the_spec_file_comparison() -> None:
    from modelops.gitops.diff import changed_paths

    old = {"features": [{"name": ["a"], "type": "string"}]}
    new = {"features": [{"name": ["a"], "type": "integral"}]}
    # Not matched by name (a list is no name): the lists are compared whole.
    assert changed_paths(old, new) == {"features": (old["features"], new["features"])}


def test_text_given_to_parse_is_held_to_the_size_limit(tmp_path: Path) -> None:
    with pytest.raises(ProblemsFound, match="at most 1 MiB"):
        parse(tmp_path / "x.yaml", "x.yaml", "a: 1\n" + "#" * MAX_FILE_BYTES)


@pytest.mark.parametrize("character", ["é", "😀"], ids=["two-bytes", "four-bytes"])
def test_the_limit_of_a_text_given_to_parse_is_in_bytes_as_for_a_file(tmp_path: Path, character: str) -> None:
    """A text from git (diff's base revision) or promote's edit is held to validate's limit."""
    width = len(character.encode())
    text = "a: 1\n#" + character * (MAX_FILE_BYTES // width)  # fewer characters than bytes
    with pytest.raises(ProblemsFound) as raised:
        parse(tmp_path / "x.yaml", "x.yaml", text)
    size = len(text.encode())
    assert [p.message for p in raised.value.problems] == [
        f"the file is {size:,} bytes: modelops reads spec and stack files of at most 1 MiB ({MAX_FILE_BYTES:,} bytes)"
    ]
    at_the_limit = "a: 1\n#" + character * ((MAX_FILE_BYTES - 6) // width)
    assert len(at_the_limit.encode()) <= MAX_FILE_BYTES
    assert parse(tmp_path / "x.yaml", "x.yaml", at_the_limit).data == {"a": 1}


def test_control_character_is_a_finding_at_its_place(project: Path) -> None:
    # Found by tests/test_fuzz.py: libyaml's ReaderError carries no mark, only a byte offset.
    path = project / SPEC
    path.write_text(path.read_text().replace("  owner: growth-ml@example.com", "  owner: é\x03"))
    result = validate(project)
    assert_clean_exit(result)
    match = finding(result.output, SPEC, "invalid YAML: character #x0003 is not allowed")
    assert (match["line"], match["col"]) == ("7", "11")


@pytest.mark.parametrize(("key", "shown"), [('"a\\nb"', '["a\\nb"]'), ('" "', '[" "]'), ('"x.y"', '["x.y"]')])
def test_a_finding_stays_one_line_whatever_its_key_holds(project: Path, key: str, shown: str) -> None:
    # Found by tests/test_fuzz.py: a newline in a key split the finding over two lines, and a
    # blank key left an empty field (`file:1:2:  : message`).
    path = project / SPEC
    path.write_text(path.read_text() + f"{key}: 1\n")
    result = validate(project)
    assert_clean_exit(result)
    first, summary = result.output.splitlines()
    assert first.startswith(f"{SPEC}:67:1: {shown}: unknown field (allowed: ") and summary == "1 problem(s) found."
