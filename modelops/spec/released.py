"""Released version files are immutable: `validate --base REV` compares them with REV."""

from __future__ import annotations

import os
from pathlib import Path

from modelops.gitops.gitrev import project_files
from modelops.spec.checks import SEMVER, semver_key
from modelops.spec.loader import Problem, ProblemsFound, read_bytes
from modelops.spec.repository import SPECS_DIR


def _next_patch(versions: list[str]) -> str | None:
    released = [v for v in versions if SEMVER.match(v)]
    if not released:
        return None
    match = SEMVER.match(max(released, key=semver_key))
    assert match is not None
    major, minor, patch = (int(g) for g in match.groups()[:3])
    return f"{major}.{minor}.{patch + 1}"


def _first_difference(old: str, new: str) -> int:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (before, after) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if before != after:
            return number
    return min(len(old_lines), len(new_lines)) + 1


def released_file_problems(root: Path, rev: str) -> list[Problem]:
    """One problem per version file that exists at `rev` and was changed or removed since."""
    base = {path: content for path, content in project_files(root, rev).items() if path.startswith(f"{SPECS_DIR}/")}
    by_model: dict[str, list[str]] = {}
    for path in base:
        parts = path.split("/")
        if len(parts) == 3 and parts[2].endswith(".yaml"):
            by_model.setdefault(parts[1], []).append(parts[2].removesuffix(".yaml"))
    problems = []
    for path, content in sorted(base.items()):
        parts = path.split("/")
        if len(parts) != 3 or not parts[2].endswith(".yaml"):
            continue
        model, version = parts[1], parts[2].removesuffix(".yaml")
        current = root / path
        following = _next_patch(by_model[model] + [p.stem for p in (root / SPECS_DIR / model).glob("*.yaml")])
        advice = f"publish the change as a new version{f' (e.g. {following})' if following else ''} instead"
        if not os.path.lexists(current):
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    "",
                    f"{model} {version} was released at {rev} and is deleted: stacks may pin it; "
                    "released version files are never removed",
                )
            )
            continue
        try:
            text = read_bytes(current, path)
        except ProblemsFound as exc:
            # Not a regular file now (a symlink, a directory, a FIFO) or past the size limit:
            # the same finding as validate's, and the released content cannot be compared.
            problems.extend(exc.problems)
            continue
        if text != content:
            line = _first_difference(content.decode(errors="replace"), text.decode(errors="replace"))
            problems.append(
                Problem(path, line, 1, "", f"{model} {version} was released at {rev} and is immutable: {advice}")
            )
    return problems
