"""SIGTERM (a cancelled CI job, `kill`) ends `modelops` as Ctrl-C does: the forked parts of a
plan are killed and their temporary folder removed, and the exit code says so (143)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from fleet import write_fleet


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = set(), [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_kills_the_parts_and_removes_their_files(tmp_path: Path) -> None:
    root, scratch = tmp_path / "fleet", tmp_path / "tmp"
    scratch.mkdir()
    write_fleet(root, 100)
    process = subprocess.Popen(
        [sys.executable, "-m", "modelops", "plan", "--stack", "dev", "--format", "json", "--root", str(root)],
        cwd=REPO_ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    parts: set[int] = set()
    while not parts and time.monotonic() < deadline and process.poll() is None:
        if any(scratch.glob("modelops-parts-*")):
            parts = descendants(process.pid)
        time.sleep(0.05)
    assert parts, "the plan never started its parts"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143
    assert "modelops: terminated" in stderr and "Traceback" not in stderr
    assert list(scratch.iterdir()) == []
    assert not [pid for pid in parts if alive(pid)]
