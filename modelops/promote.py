"""`modelops promote`: move a stack's pin, keeping the stack file's comments, order and style.

The edit is made with ruamel.yaml's round-trip mode, checked against every stack rule before it
is written, and written atomically; a refused promotion leaves the file untouched.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelops.loader import Problem, ProblemsFound
from modelops.repository import SPECS_DIR, load_repository
from modelops.resolve import resolve_stack
from modelops.stack import NAMESPACE, load_stack_file, stack_path

MODELS_KEY = f"{NAMESPACE}:models"


@dataclass(frozen=True)
class Promotion:
    path: str
    model: str
    old: str | None
    new: str
    retired: str | None = None  # the challenger or shadow role the promoted version leaves

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def summary(self) -> str:
        if not self.changed:
            return f"{self.path}: {self.model} already runs {self.new}; nothing to do"
        was = f"{self.old} -> " if self.old else "added at "
        extra = f" (it was the {self.retired}, which is removed)" if self.retired else ""
        return f"{self.path}: {self.model} {was}{self.new}{extra}"


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    return yaml


def _pin_edit(models: Any, model: str, version: str) -> tuple[str | None, str | None]:
    """Point the model's primary at `version`; returns (previous primary, retired role)."""
    current = models.get(model)
    if current is None:
        models[model] = version
        return None, None
    if not hasattr(current, "get"):
        models[model] = version
        return str(current), None
    old = current.get("version")
    retired = None
    for role in ("challenger", "shadow"):
        candidate = current.get(role)
        if hasattr(candidate, "get") and str(candidate.get("version")) == version:
            del current[role]
            retired = role
    current["version"] = version
    return (str(old) if old is not None else None), retired


def promote(root: Path, model: str, version: str, stack: str) -> Promotion:
    path = stack_path(root, stack)
    display = path.relative_to(root).as_posix()
    if not path.is_file():
        raise ProblemsFound([Problem(display, 1, 1, "", f"no stack {stack!r}: {display} does not exist")])
    spec_display = f"{SPECS_DIR}/{model}/{version}.yaml"
    if not (root / spec_display).is_file():
        known = sorted(p.stem for p in (root / SPECS_DIR / model).glob("*.yaml"))
        listing = f"versions: {', '.join(known)}" if known else f"no model {model!r} under {SPECS_DIR}/"
        raise ProblemsFound([Problem(spec_display, 1, 1, "", f"{model} {version} does not exist ({listing})")])
    original = path.read_text()
    yaml = _yaml()
    document = yaml.load(original)
    config: Any = document.get("config") if hasattr(document, "get") else None
    if not hasattr(config, "get"):
        raise ProblemsFound([Problem(display, 1, 1, "config", "a stack file holds a 'config:' mapping")])
    models = config.get(MODELS_KEY)
    if models is None:
        from ruamel.yaml.comments import CommentedMap

        models = config[MODELS_KEY] = CommentedMap()
    if not hasattr(models, "get"):
        raise ProblemsFound([Problem(display, 1, 1, MODELS_KEY, "must be a mapping of model -> pin")])
    old, retired = _pin_edit(models, model, version)
    if old == version and retired is None:
        return Promotion(display, model, old, version)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    edited = buffer.getvalue()

    repo = load_repository(root)
    config_model, doc = load_stack_file(root, stack, edited)
    _, problems = resolve_stack(repo, config_model, doc)
    problems += [p for p in repo.problems if p.file == spec_display]
    if problems:
        raise ProblemsFound(
            [
                Problem(p.file, p.line, p.column, p.field, f"{p.message} (after promoting {model} {version})")
                for p in problems
            ]
        )
    _write_atomically(path, edited)
    return Promotion(display, model, old, version, retired)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
