"""`rehearse` in parts, each a forked process on its own copy of the emulation, reports what one
run in one emulation reports (modelops/engine/rehearse.py), and streams each call as it returns."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from modelops.engine import forked
from modelops.engine.rehearse import CallResult, emulated_aws, rehearse, rehearse_in_emulator
from modelops.spec.loader import ProblemsFound
from modelops.spec.stack import load_stack_file, stack_names
from tests.conftest import REPO_ROOT, edit_yaml, spec_path
from tests.test_rehearse import unchecked_instance_types


def one_run(root: Path, stack: str):
    with emulated_aws(load_stack_file(root, stack)[0].region):
        return rehearse_in_emulator(root, stack)


def calls_of(report) -> Counter:
    return Counter((c.resource, c.type, c.call, c.ok, c.message, tuple(c.dropped), c.where) for c in report.calls)


@pytest.mark.parametrize("stack", stack_names(REPO_ROOT))
def test_a_rehearsal_in_parts_is_the_rehearsal_of_one_run(stack: str) -> None:
    whole = one_run(REPO_ROOT, stack)
    streamed: list[CallResult] = []
    parts = rehearse(REPO_ROOT, stack, streamed.append, part_size=1, workers=2)
    assert len(whole.outputs["models"]) > 1  # more than one part
    assert calls_of(parts) == calls_of(whole)  # the stack-level calls once, every model's call once
    assert parts.outputs == whole.outputs
    assert streamed == parts.calls  # each call streamed as it arrived, in the report's order


def test_a_failed_call_in_a_part_is_reported(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unchecked_instance_types(monkeypatch)
    edit_yaml(
        spec_path(project, "demand-forecaster", "1.1.0"),
        lambda d: d["serving"].update({"instance_type": "ml.zz9.mega"}),
    )
    whole = one_run(project, "dev")
    parts = rehearse(project, "dev", part_size=1, workers=2)
    assert not whole.ok and not parts.ok
    assert calls_of(parts) == calls_of(whole)


def test_a_part_whose_program_fails_is_the_rehearsals_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from components import model_deployment
    from modelops.errors import DeploymentRefused

    def refuse(*args: object, **kwargs: object) -> None:
        raise DeploymentRefused("refused in a part")

    monkeypatch.setattr(model_deployment.ModelDeployment, "__init__", refuse)
    with pytest.raises(ProblemsFound, match="refused in a part"):
        rehearse(REPO_ROOT, "dev", part_size=1, workers=2)


def test_messages_arrive_whole_and_in_order_from_every_thread_of_a_child() -> None:
    big = "x" * 100_000  # larger than a pipe's buffer: the child blocks until the parent reads

    def talk(item: int) -> int:
        def send_some(thread: int) -> None:
            for number in range(50):
                forked.send((item, thread, number, big if number % 10 == 0 else ""))

        threads = [threading.Thread(target=send_some, args=(t,)) for t in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return item

    received: list[tuple[int, tuple]] = []
    assert forked.fork_map(talk, [1, 2, 3], workers=2, on_message=lambda i, m: received.append((i, m))) == [1, 2, 3]
    assert len(received) == 3 * 3 * 50
    for index, item in enumerate([1, 2, 3]):
        for thread in range(3):
            numbers = [m[2] for i, m in received if i == index and m[0] == item and m[1] == thread]
            assert numbers == list(range(50))
    assert all(m[3] == (big if m[2] % 10 == 0 else "") for _, m in received)


def test_send_outside_a_child_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="fork_map"):
        forked.send("hello")
