"""promote under hostile files and concurrent use: findings with their line, never a lost pin,
and the stack file keeps its mode, line endings and byte order mark."""

from __future__ import annotations

import codecs
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelops.cli import app
from modelops.gitops.promote import promote
from modelops.spec.loader import ProblemsFound

STAGING = "stacks/Pulumi.staging.yaml"
runner = CliRunner()


def cli_promote(root: Path, model: str, version: str, stack: str = "staging") -> Any:
    return runner.invoke(app, ["promote", model, version, "--to", stack, "--root", str(root)])


def pins(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / STAGING).read_text(encoding="utf-8-sig"))["config"]["modelops:models"]


def no_temporary_files(root: Path) -> bool:
    return not [p for p in (root / "stacks").iterdir() if p.name.startswith(".")]


# --- broken files are findings with file:line:col -------------------------------------------


def test_a_duplicate_key_is_a_finding_with_its_line(project: Path) -> None:
    path = project / STAGING
    path.write_text(path.read_text().replace("    fraud-detector: 3.1.0\n", "    fraud-detector: 3.1.0\n" * 2))
    before = path.read_bytes()
    result = cli_promote(project, "churn-classifier", "1.2.0")
    assert result.exit_code == 1, result.output
    assert f"{STAGING}:8:5: config.modelops:models.fraud-detector: duplicate key" in result.output
    assert "internal error" not in result.output and path.read_bytes() == before and no_temporary_files(project)


def test_broken_yaml_is_a_finding_with_its_line(project: Path) -> None:
    path = project / STAGING
    path.write_text(path.read_text().replace("modelops:environment: staging", "modelops:environment: [staging"))
    before = path.read_bytes()
    result = cli_promote(project, "churn-classifier", "1.2.0")
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if x.startswith(f"{STAGING}:"))
    _, row, column, message = line.split(":", 3)
    assert int(row) >= 4 and int(column) >= 1 and "invalid YAML" in message
    assert "internal error" not in result.output and path.read_bytes() == before


def test_a_stack_file_that_is_not_utf8_is_a_finding(project: Path) -> None:
    path = project / STAGING
    path.write_bytes(path.read_bytes().replace(b"# Staging", b"# Stag\xe9ing"))
    result = cli_promote(project, "churn-classifier", "1.2.0")
    assert result.exit_code == 1, result.output
    assert f"{STAGING}:1:" in result.output and "internal error" not in result.output


@pytest.mark.parametrize(
    ("model", "version", "message"),
    [
        ("../../etc", "1.0.0", "'../../etc' is not a model name (a folder under model_specs/)"),
        ("churn-classifier", "../1.2.0", "'../1.2.0' is not a version (a file model_specs/<model>/<version>.yaml)"),
        ("churn-classifier", "..", "'..' is not a version (a file model_specs/<model>/<version>.yaml)"),
    ],
)
def test_model_and_version_are_names_not_paths(project: Path, model: str, version: str, message: str) -> None:
    result = cli_promote(project, model, version)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"modelops: {message}"


# --- the file keeps what it was -------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600])
def test_the_file_keeps_its_mode(project: Path, mode: int) -> None:
    path = project / STAGING
    path.chmod(mode)
    promote(project, "churn-classifier", "1.2.0", "staging")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert pins(project)["churn-classifier"] == "1.2.0"


def test_crlf_stays_crlf_and_the_bom_stays(project: Path) -> None:
    path = project / STAGING
    original = path.read_text()
    path.write_bytes(codecs.BOM_UTF8 + original.replace("\n", "\r\n").encode())
    promote(project, "churn-classifier", "1.2.0", "staging")
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8 * 2)
    body = data[len(codecs.BOM_UTF8) :]
    assert body.count(b"\n") == body.count(b"\r\n") == original.count("\n")
    assert body.decode().replace("\r\n", "\n") == original.replace("churn-classifier: 1.3.0", "churn-classifier: 1.2.0")


def test_lf_without_bom_stays_so(project: Path) -> None:
    path = project / STAGING
    promote(project, "churn-classifier", "1.2.0", "staging")
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(codecs.BOM_UTF8)


def test_a_symlinked_stack_file_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "Pulumi.staging.yaml"
    path = project / STAGING
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    before = outside.read_bytes()
    result = cli_promote(project, "churn-classifier", "1.2.0")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == (
        f"{STAGING}:1:1: is a symbolic link: promote edits only a regular file in stacks/ (git stores the link, "
        "not the stack, and the edit would land where it points)"
    )
    assert outside.read_bytes() == before and path.is_symlink()


def test_a_failed_write_leaves_no_temporary_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / STAGING
    before = path.read_bytes()

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        promote(project, "churn-classifier", "1.2.0", "staging")
    assert path.read_bytes() == before and no_temporary_files(project)
    result = cli_promote(project, "churn-classifier", "1.2.0")
    assert result.exit_code == 3 and "No space left on device" in result.output
    assert path.read_bytes() == before and no_temporary_files(project)


def test_a_refused_promotion_releases_the_lock(project: Path) -> None:
    with pytest.raises(ProblemsFound):
        promote(project, "sentiment-api", "0.2.0", "staging")  # allowed in dev only
    promote(project, "churn-classifier", "1.2.0", "staging")  # would block forever on a held lock
    assert pins(project)["churn-classifier"] == "1.2.0"


# --- two promotes at once -------------------------------------------------------------------

ROUNDS = 10
MOVES = {  # model -> the version it moves to in even rounds, in odd rounds
    "churn-classifier": ("1.2.0", "1.3.0"),
    "demand-forecaster": ("1.0.0", "1.1.0"),
}


def _promoter(root: str, model: str, barrier: Any, results: Any) -> None:
    """One process promoting `model` every round, starting together with the other."""
    import threading

    try:
        for round_number in range(ROUNDS):
            barrier.wait(timeout=60)
            try:
                promote(Path(root), model, MOVES[model][round_number % 2], "staging")
                results.put((model, round_number, "ok"))
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                results.put((model, round_number, repr(exc)))
            barrier.wait(timeout=60)  # the test reads the file between rounds
    except threading.BrokenBarrierError:
        return  # the test failed and aborted the barrier


def test_concurrent_promotes_of_two_models_keep_both_pins(project: Path) -> None:
    context = multiprocessing.get_context("spawn")  # no fork of a threaded pytest worker
    barrier = context.Barrier(3)
    results = context.Queue()
    workers = [context.Process(target=_promoter, args=(str(project), m, barrier, results)) for m in MOVES]
    for worker in workers:
        worker.start()
    try:
        for round_number in range(ROUNDS):
            barrier.wait(timeout=60)  # both start
            barrier.wait(timeout=60)  # both done
            outcomes = sorted(results.get(timeout=10) for _ in MOVES)
            assert [o[2] for o in outcomes] == ["ok", "ok"], outcomes
            expected = {m: versions[round_number % 2] for m, versions in MOVES.items()}
            current = pins(project)
            assert {m: current[m] for m in MOVES} == expected, f"round {round_number}: a pin was lost"
            assert no_temporary_files(project)
    finally:
        barrier.abort()  # after a failed round, frees the workers waiting for the next
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
