"""`modelops promote`: move a stack's pin, keeping the stack file's comments, order and style.

The edit is made with ruamel.yaml's round-trip mode, checked against every stack rule before it
is written, and written atomically; a refused promotion leaves the file untouched.

Two promotes of one stack at once (two terminals, a script promoting several models) must not
lose a pin: each holds an exclusive `flock` on the stack file from reading it to replacing it.
The file is replaced by rename, so a waiting promote may wake holding a lock on the old inode;
it then locks the new file instead. The file keeps its mode, its line endings (CRLF stays CRLF)
and a UTF-8 byte order mark. A symbolic link is refused: git stores the link, not the stack,
and the edit would land wherever it points.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelops.errors import UsageError
from modelops.spec.loader import Problem, ProblemsFound, decode, parse
from modelops.spec.models import MODEL_NAME_PATTERN
from modelops.spec.repository import SPECS_DIR, load_repository
from modelops.spec.resolve import resolve_stack
from modelops.spec.stack import NAMESPACE, VERSION_PIN, load_stack_file, stack_path

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
    yaml.width = sys.maxsize  # never re-wrap the user's long lines (a flow mapping of tags can pass 4096)
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
    # MODEL and VERSION become a path under model_specs/: refuse anything that is not a name.
    if not re.match(MODEL_NAME_PATTERN, model):
        raise UsageError(f"{model!r} is not a model name (a folder under {SPECS_DIR}/)")
    if not re.match(VERSION_PIN, version) or version.strip(".") == "":
        raise UsageError(f"{version!r} is not a version (a file {SPECS_DIR}/<model>/<version>.yaml)")
    path = stack_path(root, stack)
    display = path.relative_to(root).as_posix()
    if path.is_symlink():
        raise ProblemsFound(
            [
                Problem(
                    display,
                    1,
                    1,
                    "",
                    "is a symbolic link: promote edits only a regular file in stacks/ (git stores the link, "
                    "not the stack, and the edit would land where it points)",
                )
            ]
        )
    if not path.is_file():
        raise ProblemsFound([Problem(display, 1, 1, "", f"no stack {stack!r}: {display} does not exist")])
    spec_display = f"{SPECS_DIR}/{model}/{version}.yaml"
    if not (root / spec_display).is_file():
        known = sorted(p.stem for p in (root / SPECS_DIR / model).glob("*.yaml"))
        listing = f"versions: {', '.join(known)}" if known else f"no model {model!r} under {SPECS_DIR}/"
        raise ProblemsFound([Problem(spec_display, 1, 1, "", f"{model} {version} does not exist ({listing})")])
    repo = load_repository(root)  # promote edits no spec: read them before taking the lock
    with _locked(path, display) as (raw, mode):
        text, style = _decoded(raw, display)
        # Broken YAML or a duplicate key: a finding with its line. Read from the file, not `text`, to
        # bound its bytes as validate does: `text` has lost the BOM and CRLF's CRs, so it can be
        # within 1 MiB when the file is not.
        parse(path, display)
        yaml = _yaml()
        document = _round_trip_load(yaml, text, display)
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
        _write_atomically(path, _encoded(edited, style), mode)
    return Promotion(display, model, old, version, retired)


@dataclass(frozen=True)
class _Style:
    bom: bool
    newline: str


def _decoded(raw: bytes, display: str) -> tuple[str, _Style]:
    """The file's text with LF line endings, and how to write it back as it was."""
    bom = raw.startswith(codecs.BOM_UTF8)
    text = decode(raw[len(codecs.BOM_UTF8) :] if bom else raw, display)  # validate's finding for other bytes
    first_break = text.find("\n")
    crlf = first_break > 0 and text[first_break - 1] == "\r"
    return text.replace("\r\n", "\n"), _Style(bom, "\r\n" if crlf else "\n")


def _encoded(text: str, style: _Style) -> bytes:
    data = text.replace("\n", style.newline).encode("utf-8")
    return codecs.BOM_UTF8 + data if style.bom else data


def _round_trip_load(yaml: Any, text: str, display: str) -> Any:
    """ruamel's document; its errors as findings (parse() has already reported PyYAML's).

    What parse() accepts, ruamel refuses only in its scanner, parser or constructor (a tab that
    separates a value, say), whose errors all carry a mark; its other load error, the reader's
    for a character YAML does not allow, cannot come: parse() refuses the same characters.
    """
    from ruamel.yaml.error import MarkedYAMLError

    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(exc.problem or exc).split())
        raise ProblemsFound(
            [Problem(display, mark.line + 1, mark.column + 1, "", f"invalid YAML: {message}")]
        ) from None
    except AssertionError:
        # ruamel's constructor asserts an ordered map's keys are unique (its only assertion on a
        # document), where PyYAML, and so parse(), takes the pairs as they come.
        repeated = _repeated_omap_key(yaml.compose(text))
        if repeated is None:  # parse() takes only text keys: two keys of one value read alike
            raise
        line, column, key = repeated
        raise ProblemsFound(
            [Problem(display, line, column, "", f"invalid YAML: an ordered map (!!omap) lists {key!r} twice")]
        ) from None


def _repeated_omap_key(node: Any) -> tuple[int, int, str] | None:
    """The line, column and text of the first key an `!!omap` lists twice, depth first."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, SequenceNode) and current.tag == "tag:yaml.org,2002:omap":
            seen = set()
            for pair in current.value:
                for key, _ in pair.value if isinstance(pair, MappingNode) else ():
                    if key.value in seen:
                        return key.start_mark.line + 1, key.start_mark.column + 1, str(key.value)
                    seen.add(key.value)
        if isinstance(current, MappingNode):
            pending.extend(child for pair in reversed(current.value) for child in reversed(pair))
        elif isinstance(current, SequenceNode):
            pending.extend(reversed(current.value))
    return None


@contextmanager
def _locked(path: Path, display: str) -> Iterator[tuple[bytes, int]]:
    """Hold an exclusive lock on the stack file; yields its content and mode, read under the lock.

    `flock` locks an inode, and promote replaces the file by rename: a promote that waited on
    the inode its predecessor has just replaced holds a lock that guards nothing, so it checks
    that the path still names the inode it locked, and otherwise locks the new one.
    O_NOFOLLOW refuses a symbolic link put in place after the check in `promote`.
    """
    import fcntl

    while True:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ProblemsFound([Problem(display, 1, 1, "", f"cannot open the stack file: {exc.strerror}")]) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # released when the descriptor closes
            locked = os.fstat(descriptor)
            try:
                current = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                raise ProblemsFound([Problem(display, 1, 1, "", "the stack file was removed meanwhile")]) from None
            if (locked.st_dev, locked.st_ino) != (current.st_dev, current.st_ino):
                continue  # replaced while we waited: lock the file that is there now
            if not stat.S_ISREG(locked.st_mode):
                raise ProblemsFound([Problem(display, 1, 1, "", "is not a regular file")])
            with os.fdopen(os.dup(descriptor), "rb") as stream:
                raw = stream.read()
            yield raw, stat.S_IMODE(locked.st_mode)
            return
        finally:
            os.close(descriptor)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` by rename: a reader sees the old file or the new one, never half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), mode)  # mkstemp creates 0600; the stack file keeps its mode
            os.fsync(stream.fileno())  # the rename must not outlive the data in a crash
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
