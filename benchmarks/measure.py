"""Wall time and peak memory of a command and every process it starts.

    from measure import run_measured
    result = run_measured([sys.executable, "-m", "modelops", "plan", "--stack", "dev"])
    print(result.seconds, result.peak_pss_mb, result.returncode, result.cpu_seconds)

Memory is the sum of Pss (proportional set size: private pages plus a fair share of shared
ones, so a library mapped by the parent and its forked workers is counted once in total) over
the process and all its descendants, sampled every 50 ms from /proc/<pid>/smaps_rollup; the
peak is the largest sum seen. RSS would count shared pages once per process and overstate a
tree of forked workers. Linux only. A process that starts and ends between two samples is
missed, so treat peaks of very short runs as lower bounds.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_INTERVAL_SECONDS = 0.05


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_pss_mb: float
    returncode: int
    # User plus system CPU time of the process and the descendants it waited for. On a machine
    # shared with other work it varies far less than wall time.
    cpu_seconds: float = 0.0


def run_measured(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    stdout: int | None = subprocess.DEVNULL,
) -> Measurement:
    """Run `argv` to completion; stdout goes to /dev/null unless told otherwise, stderr is inherited."""
    start = time.perf_counter()
    process = subprocess.Popen(list(argv), env=None if env is None else dict(env), cwd=cwd, stdout=stdout)
    peak_kb = 0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak_kb
        while not finished.is_set():
            peak_kb = max(peak_kb, tree_pss_kb(process.pid))
            finished.wait(SAMPLE_INTERVAL_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    finished.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must be told
    return Measurement(
        seconds=seconds,
        peak_pss_mb=peak_kb / 1024,
        returncode=process.returncode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


def tree_pss_kb(root: int) -> int:
    return sum(pss_kb(pid) for pid in descendants_and_self(root))


def descendants_and_self(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in parent_pids().items():
        children.setdefault(parent, []).append(pid)
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, ()))
    return tree


def parent_pids() -> dict[int, int]:
    # /proc/<pid>/task/<tid>/children would be cheaper but needs CONFIG_PROC_CHILDREN, which
    # not every kernel has; scanning /proc works everywhere.
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # the process ended while we were scanning
            continue
        # The command name, in parentheses, may itself hold spaces and parentheses: the fields
        # after its last ")" are state, then the parent's pid.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # ended, or a zombie whose memory is already gone
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0
