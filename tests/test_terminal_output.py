"""A terminal gets colour on stdout and progress on stderr; a pipe, NO_COLOR or TERM=dumb the
plain lines; `rehearse` prints each call as it returns. Colour of verify and drift:
tests/test_verify_kubernetes.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelops.cli import app
from modelops.gitops.diff import Diff, ResourceChange, StackDiff, diff_text
from modelops.output import terminal
from tests.conftest import REPO_ROOT, fake_terminal, json_document, without_colour

runner = CliRunner()


def _change(action: str, name: str, downtime: str | None = None) -> ResourceChange:
    return ResourceChange(
        action=action,
        urn=f"urn:{name}",
        type="aws:sagemaker/endpoint:Endpoint",
        name=name,
        fields=("endpointConfigName",),
        replacing=("deploymentConfig",) if action == "replace" else (),
        downtime=downtime,
    )


DIFF = Diff(
    base="main",
    stacks=[
        StackDiff(
            stack="dev",
            environment="dev",
            resources=[
                _change("create", "created"),
                _change("update", "updated"),
                _change("replace", "replaced", downtime="the endpoint is deleted and created again"),
                _change("delete", "deleted"),
            ],
        )
    ],
)


def _printed(capsys: pytest.CaptureFixture[str], text: str, patterns: Any) -> str:
    terminal.Printer(patterns).lines(text)
    return capsys.readouterr().out


def test_diff_symbols_and_critical_marks_are_coloured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = diff_text(DIFF)
    fake_terminal(monkeypatch)
    coloured = _printed(capsys, plain, terminal.DIFF_LINES)
    assert "  \x1b[1;31m!!\x1b[0m DOWNTIME in dev: replace replaced " in coloured
    assert "    \x1b[32m+ \x1b[0m create created (" in coloured
    assert "    \x1b[33m~ \x1b[0m update updated (" in coloured
    assert "    \x1b[35m+-\x1b[0m replace replaced (" in coloured
    assert "(replaced because deploymentConfig changed)\x1b[1;31m !!\x1b[0m\n" in coloured
    assert "    \x1b[31m- \x1b[0m delete deleted (" in coloured
    assert without_colour(coloured) == plain + "\n"


@pytest.mark.parametrize(
    ("variable", "value", "coloured"),
    [("NO_COLOR", "1", False), ("NO_COLOR", "", True), ("TERM", "dumb", False)],
    ids=["no-color", "empty-no-color", "dumb-terminal"],
)
def test_no_color_and_a_dumb_terminal_get_plain_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str, coloured: bool
) -> None:
    """https://no-color.org: NO_COLOR set to anything but the empty string."""
    fake_terminal(monkeypatch, stdout=True, stderr=True)
    monkeypatch.setenv(variable, value)
    printed = _printed(capsys, diff_text(DIFF), terminal.DIFF_LINES)
    assert ("\x1b[" in printed) is coloured
    assert terminal.progress_on_stderr() is (variable != "TERM")


def test_a_pipe_gets_plain_lines_and_no_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert not terminal.colour_on_stdout() and not terminal.progress_on_stderr()  # pytest captures both
    assert _printed(capsys, diff_text(DIFF), terminal.DIFF_LINES) == diff_text(DIFF) + "\n"
    with terminal.progress("plan dev", "registered") as update:
        update("a-resource", 1)
    assert capsys.readouterr().err == ""


def test_text_from_a_spec_is_never_coloured_as_a_mark() -> None:
    """Styles apply only at the positions modelops writes: a name that looks like a mark is text."""
    for line in ("  - FAIL (aws:x)", "stack FAIL ok !!", "    - delete (modelops:index:ModelDeployment)"):
        assert terminal.styled_spans(line, terminal.RESULT_LINES + terminal.DIFF_LINES) == []


def test_plan_json_stays_clean_while_progress_goes_to_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_terminal(monkeypatch, stdout=True, stderr=True)
    result = runner.invoke(app, ["plan", "--stack", "dev", "--root", str(REPO_ROOT), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and json.loads(result.stdout)["stack"] == "dev"
    assert "plan dev" in result.stderr and " registered" in result.stderr  # the spinner, cleared at the end


def test_rehearse_json_stays_clean_while_progress_counts_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_terminal(monkeypatch, stdout=True, stderr=True)
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(REPO_ROOT), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and json_document(result, "rehearse")["ok"] is True
    assert "rehearse dev" in result.stderr and " calls" in result.stderr


def test_rehearse_prints_each_call_as_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call's line is on stdout before the next call is made; the whole is the report's summary."""
    from modelops.engine import rehearse as rehearsal

    real = rehearsal.rehearse
    printed_when_returned: list[tuple[str, str]] = []
    reports: list[Any] = []

    def spied(root: Path, stack: str, on_call: Any) -> Any:
        def each(call: Any) -> None:
            on_call(call)
            so_far = without_colour(sys.stdout.buffer.getvalue().decode())  # type: ignore[attr-defined]
            printed_when_returned.append((rehearsal.call_line(call), so_far.splitlines()[-1]))

        reports.append(real(root, stack, each))
        return reports[-1]

    monkeypatch.setattr(rehearsal, "rehearse", spied)
    fake_terminal(monkeypatch)
    result = runner.invoke(app, ["rehearse", "--stack", "dev", "--root", str(REPO_ROOT)])
    assert result.exit_code == 0, result.output
    (report,) = reports
    assert len(printed_when_returned) == len(report.calls) > 50
    assert all(line == last for line, last in printed_when_returned)
    assert without_colour(result.stdout) == report.summary() + "\n"
    assert "  \x1b[32mok \x1b[0m moto: sagemaker:create_endpoint " in result.stdout
