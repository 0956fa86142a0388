"""modelops: GitOps for machine-learning models on AWS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DISTRIBUTION = "modelops"


def package_version() -> str:
    """The version `modelops --version` prints: the installed distribution's metadata.

    Run from a source tree that was never installed (`python -m modelops` in a checkout), the
    project's own pyproject.toml says it; "unknown" when there is neither.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return _source_tree_version() or "unknown"


def _source_tree_version() -> str | None:
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if project.get("name") != DISTRIBUTION or not isinstance(project.get("version"), str):
        return None
    return str(project["version"])


def __getattr__(name: str) -> Any:
    # `modelops.__version__` without reading files on every import.
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
