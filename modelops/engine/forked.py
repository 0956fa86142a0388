"""Run one function over many items in forked child processes, a few at a time.

`modelops plan` renders a large stack in parts this way: Pulumi's mock runtime keeps all its
state in process globals and spends most of its time in one thread, so parts run side by side
only as processes. A child inherits the parent's memory (imports, loaded specs) at no cost,
sends its result back pickled through a file, and ends with `os._exit`: it frees nothing and
collects no garbage, which would cost as much as the work itself. While it works, a child may
`send` messages (`modelops rehearse` streams each call's result): they arrive in the parent, in
the order sent, through the pipe whose end of file says the child ended.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def available() -> bool:
    return hasattr(os, "fork")


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# A part renders or rehearses 20 models in seconds; one that runs for minutes is stuck (a lock
# held by a thread of the parent when it forked, say), and would hang the command for good.
PART_TIMEOUT_S = 600.0
_HEADER = struct.Struct("!I")  # a message's length, before its pickle
_channel: int | None = None  # in a child: the write end of its pipe
_channel_lock = threading.Lock()  # a child's threads send whole messages, one at a time


def send(message: Any) -> None:
    """From a child (any of its threads): pass `message` to the parent's `on_message`."""
    if _channel is None:
        raise RuntimeError("forked.send is for a child of fork_map")
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    with _channel_lock:
        while view:
            view = view[os.write(_channel, view) :]


class ChildFailed(RuntimeError):
    """A child ended without a result (killed, or an exception that does not pickle)."""


def _child(function: Callable[[Any], Any], item: Any, path: Path, channel: int) -> None:
    global _channel
    _channel = channel
    try:
        outcome: tuple[str, Any] = ("ok", function(item))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = ("raised", exc)
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that does not pickle becomes text
            outcome = ("failed", "".join(traceback.format_exception(exc)))
    try:
        with open(path, "wb") as out:
            # The kind first, then the value, so that the parent can keep a value pickled.
            pickle.dump(outcome[0], out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(outcome[1], out, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    workers: int,
    arrived: Callable[[int, Result], None] | None = None,
    on_message: Callable[[int, Any], None] | None = None,
    timeout: float = PART_TIMEOUT_S,
    keep_pickled: bool = False,
) -> list[Result]:
    """`[function(item) for item in items]`, each call in a forked child, `workers` at a time.
    `arrived(index, result)` is called in this process as each result comes in (for progress),
    and `on_message(index, message)` for each message the child of item `index` sends.
    A child still running `timeout` seconds after it started is killed and fails. With
    `keep_pickled`, each result stays a `Pickled` until the caller loads it: results held as bytes
    take a fraction of their objects' memory while the other children still run.
    The first exception (in item order) is raised in the parent once every child has ended."""
    import select
    import time

    results: dict[int, tuple[str, Any]] = {}
    received: dict[int, bytearray] = {}  # read end -> what arrived of the messages not yet whole
    with tempfile.TemporaryDirectory(prefix="modelops-parts-") as tmp:
        running: dict[int, tuple[int, int, float]] = {}  # read end of a child's pipe -> (pid, index, deadline)
        pending = list(enumerate(items))
        try:
            while pending or running:
                while pending and len(running) < max(1, workers):
                    index, item = pending.pop(0)
                    # The pipe's only writer is the child: its end of file says the child ended.
                    readable, writable = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.close(readable)
                        _child(function, item, Path(tmp) / f"{index}.pickle", writable)
                    os.close(writable)
                    running[readable] = (pid, index, time.monotonic() + timeout)
                    received[readable] = bytearray()
                wait = max(0.0, min(deadline for _, _, deadline in running.values()) - time.monotonic())
                ready, _, _ = select.select(list(running), [], [], wait)
                for readable in ready:
                    data = os.read(readable, 1 << 16)
                    if data:
                        _deliver(received[readable], data, running[readable][1], on_message)
                        continue
                    pid, index, _ = running.pop(readable)
                    del received[readable]
                    os.close(readable)
                    _, status = os.waitpid(pid, 0)
                    results[index] = _outcome(Path(tmp) / f"{index}.pickle", status, keep_pickled)
                    if arrived is not None and results[index][0] == "ok":
                        arrived(index, results[index][1])
                for readable, (pid, index, deadline) in list(running.items()):
                    if deadline <= time.monotonic() and readable not in ready:
                        del running[readable], received[readable]
                        os.close(readable)
                        _kill(pid)
                        results[index] = ("failed", f"a child process ran longer than {timeout:g} s and was stopped")
        finally:
            for readable, (pid, _, _) in running.items():  # an interrupt: leave no child behind
                os.close(readable)
                _kill(pid)
    ordered = [results[i] for i in range(len(items))]
    for kind, value in ordered:
        if kind == "raised":
            raise value
        if kind == "failed":
            raise ChildFailed(value)
    return [value for _, value in ordered]


def _deliver(buffer: bytearray, data: bytes, index: int, on_message: Callable[[int, Any], None] | None) -> None:
    """Pass on each message `data` completes; keep the rest for the next read."""
    buffer += data
    while len(buffer) >= _HEADER.size:
        (length,) = _HEADER.unpack_from(buffer)
        end = _HEADER.size + length
        if len(buffer) < end:
            return
        message = pickle.loads(buffer[_HEADER.size : end])
        del buffer[:end]
        if on_message is not None:
            on_message(index, message)


@dataclass(frozen=True)
class Pickled:
    """A child's result as it arrived: `load()` gives the object."""

    data: bytes

    def load(self) -> Any:
        return pickle.loads(self.data)


def _outcome(path: Path, status: int, keep_pickled: bool = False) -> tuple[str, Any]:
    try:
        with open(path, "rb") as stream:
            kind = pickle.load(stream)
            return kind, Pickled(stream.read()) if keep_pickled and kind == "ok" else pickle.load(stream)
    except FileNotFoundError:
        code = os.waitstatus_to_exitcode(status)
        return ("failed", f"a child process ended without a result (exit status {code})")


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
