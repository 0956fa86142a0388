"""A git revision's specs and stacks, read with git plumbing: the working tree is never touched."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

from modelops.errors import UsageError
from modelops.spec.loader import Problem, ProblemsFound

PROJECT_PATHS = ("model_specs", "stacks")


def _git(root: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise ProblemsFound([Problem("git", 1, 1, "", "git is not installed")]) from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ProblemsFound([Problem("git", 1, 1, "", message[-1] if message else f"git {args[0]} failed")])
    return result.stdout


def resolve_revision(root: Path, rev: str) -> str:
    """The commit `rev` names; a clear problem if it names none."""
    # A revision is the user's argument, not a file's content: naming none is bad usage (exit 2).
    if rev.startswith("-"):
        raise UsageError(f"--base {rev!r} is not a revision")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except ProblemsFound:
        raise UsageError(f"--base: unknown revision {rev!r}") from None


def _prefix(root: Path) -> str:
    """Where the project sits inside its git repository ('' at the top)."""
    return os.fsdecode(_git(root, "rev-parse", "--show-prefix").strip())


def _toplevel(root: Path) -> Path:
    return Path(os.fsdecode(_git(root, "rev-parse", "--show-toplevel").strip()))


def project_files(root: Path, rev: str) -> dict[str, bytes]:
    """Every file under model_specs/ and stacks/ at `rev`, by project-relative path."""
    commit = resolve_revision(root, rev)
    prefix, top = _prefix(root), _toplevel(root)
    # From the top level, paths are repository-relative for both commands.
    listed = _git(top, "ls-tree", "-r", "--name-only", "-z", commit, "--", *(prefix + p for p in PROJECT_PATHS))
    # Names are bytes to git: any that are not UTF-8 round-trip through the file system's
    # encoding (surrogateescape), as tarfile decodes the archive's member names.
    paths = [os.fsdecode(p) for p in listed.split(b"\0") if p]
    if not paths:
        return {}
    archive = _git(top, "archive", "--format=tar", commit, "--", *paths)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                extracted = tar.extractfile(member)
                if extracted is not None:
                    files[member.name.removeprefix(prefix)] = extracted.read()
    return files


def materialize(root: Path, rev: str, destination: Path) -> Path:
    """Write the revision's specs and stacks under `destination` and return it."""
    made: set[Path] = set()
    for relative, content in project_files(root, rev).items():
        target = destination / relative
        if target.parent not in made:  # a folder per model: made once, not once per version
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)
    for folder in PROJECT_PATHS:
        (destination / folder).mkdir(exist_ok=True)
    return destination
