"""YAML documents with source positions, and the errors that point into them.

Parsing uses libyaml (PyYAML's C loader) because `validate` reads every spec of a repository
on each run; the node tree gives each key and item its line and column so that every error,
including pydantic's, names `file:line:col` and the field path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is bundled in PyYAML's wheels
    _Loader = yaml.SafeLoader

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: where it is and what is wrong. `str()` is the CLI's one-line format."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ProblemsFound(Exception):
    """Raised with every problem found, so the user sees them all at once."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class Document:
    """A parsed YAML file: its data and where each field path starts in the text."""

    path: Path
    display: str
    data: Any
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath) -> tuple[int, int]:
        """Line and column of the deepest part of `path` present in the file."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found is not None:
                return found
        return (1, 1)

    def has(self, path: FieldPath) -> bool:
        return tuple(path) in self.positions

    def problem(self, path: FieldPath, message: str, field_text: str | None = None) -> Problem:
        line, column = self.position(path)
        return Problem(self.display, line, column, dotted(path) if field_text is None else field_text, message)


def parse(path: Path, display: str, text: str | None = None) -> Document:
    """Parse one YAML file; syntax errors and duplicate keys raise ProblemsFound."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProblemsFound([Problem(display, 1, 1, "", f"cannot read file: {exc}")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProblemsFound([Problem(display, 1, 1, "", "the file is empty")])
        problems: list[Problem] = []
        positions: dict[FieldPath, tuple[int, int]] = {(): (1, 1)}
        _index(node, (), positions, problems, display)
        if problems:
            raise ProblemsFound(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ProblemsFound([Problem(display, line, column, "", f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ProblemsFound([Problem(display, 1, 1, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return Document(path=path, display=display, data=data, positions=positions)


def _index(
    node: yaml.Node,
    path: FieldPath,
    positions: dict[FieldPath, tuple[int, int]],
    problems: list[Problem],
    display: str,
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen:
                problems.append(Problem(display, *here, dotted((*path, key)), "duplicate key"))
                continue
            seen.add(key)
            positions[(*path, key)] = here
            key_surprise = _yaml11_surprise(key_node)
            if key_surprise is not None:
                reading, _ = key_surprise
                message = f"the key {key} is read as {reading}: quote it ('{key}') to keep it text"
                problems.append(Problem(display, *here, dotted((*path, key)), message))
            _index(value_node, (*path, key), positions, problems, display)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            positions[(*path, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _index(item, (*path, index), positions, problems, display)
    else:
        surprise = _yaml11_surprise(node)
        if surprise is not None:
            reading, fix = surprise
            here = (node.start_mark.line + 1, node.start_mark.column + 1)
            problems.append(Problem(display, *here, dotted(path), f"{node.value} is read as {reading}: {fix}"))


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML11_BOOLS = {"yes": True, "on": True, "no": False, "off": False}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _yaml11_surprise(node: yaml.Node) -> tuple[str, str] | None:
    """How libyaml (YAML 1.1) reads a plain scalar that a reader, or YAML 1.2, reads otherwise.

    PyYAML resolves plain scalars with YAML 1.1's rules: `010` is octal 8, `1:30` is base-60 90,
    `1_000` and `0b101` are numbers, and `yes`/`no`/`on`/`off` are booleans, where YAML 1.2's core
    schema (that of editors and JSON Schema tooling such as yaml-language-server) reads `010` as
    10 and the others as text. Quietly taking those values would put a different number in the
    spec than the author meant (or turn `on` into `true` in a container's environment), so they
    are errors.
    `0x1F` is a number in both, but spec numbers are counts, seconds and percents: it is refused
    too. `.inf` and `.nan` are floats in both, and no field takes them.
    Returns (what it is read as, how to write it instead), or None.
    Sources: https://yaml.org/type/int.html, https://yaml.org/type/float.html,
    https://yaml.org/type/bool.html (YAML 1.1), https://yaml.org/spec/1.2.2/#1032-tag-resolution (1.2 core).
    """
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return None  # quoted (or block) scalars are text as written
    text = node.value
    quote = f"or quote it ('{text}') for text"
    if node.tag == _BOOL_TAG and text.lower() in _YAML11_BOOLS:
        written = str(_YAML11_BOOLS[text.lower()]).lower()
        return f"boolean {written} by YAML 1.1 (YAML 1.2 reads the text {text!r})", f"write {written}, {quote}"
    if node.tag not in (_INT_TAG, _FLOAT_TAG):
        return None
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("+-")
    if body.lower() in (".inf", ".nan"):
        reading = "not-a-number" if body.lower() == ".nan" else ("negative infinity" if sign else "infinity")
        return f"{reading}, which no modelops field takes", f"write a finite number, {quote}"
    value = _CONSTRUCTOR.construct_yaml_int(node) if node.tag == _INT_TAG else _CONSTRUCTOR.construct_yaml_float(node)
    if ":" in body:
        return f"the base-60 number {value} by YAML 1.1", f"write {value}, {quote}"
    if node.tag == _INT_TAG and body.startswith("0b"):
        return f"binary {value} by YAML 1.1 (YAML 1.2 reads text)", f"write {value}, {quote}"
    if node.tag == _INT_TAG and body.startswith("0x"):
        return f"hexadecimal {value}", f"write {value}, {quote}"
    if node.tag == _INT_TAG and len(body) > 1 and body.startswith("0"):
        decimal = sign + (body.replace("_", "").lstrip("0") or "0")
        meant = decimal if str(value) == decimal else f"{decimal} (or {value})"
        return f"octal {value} by YAML 1.1", f"write {meant} without the leading zero, {quote}"
    if "_" in body:
        return f"{value} by YAML 1.1 (YAML 1.2 reads text)", f"write {value}, {quote}"
    return None


def _readable(error: Any, model: type[BaseModel] | None) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field" + (f" (allowed: {', '.join(_allowed_fields(model))})" if model else "")
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    value = error.get("input")
    if kind.startswith(("string_", "int_", "float_", "bool_", "literal_", "greater", "less")) and (
        value is None or isinstance(value, str | int | float | bool)
    ):
        return f"{message} (got {value!r})"
    return message


def _allowed_fields(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _model_at(root: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """The pydantic model class that owns the mapping at `path`, for 'allowed' hints."""
    current: Any = root
    for part in path:
        if isinstance(part, int) or current is None:
            current = _unwrap(current)
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None:
            return None
        match = next((f for n, f in fields.items() if part in (n, f.alias)), None)
        if match is None:
            return None
        current = _unwrap(match.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _unwrap(arg)
        if found is not None:
            return found
    return None


def _has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def validation_findings(exc: ValidationError, model: type[BaseModel], data: Any) -> list[tuple[FieldPath, str]]:
    """pydantic errors as (field path, message) pairs in the user's terms.

    pydantic's `loc` may hold union member names; only parts that exist in the data are kept,
    so the path is the user's path.
    """
    findings: list[tuple[FieldPath, str]] = []
    for error in exc.errors():
        path: list[str | int] = []
        current = data
        for part in error["loc"]:
            if _has_child(current, part):
                path.append(part)
                current = current[part]
            elif error["type"] in ("missing", "extra_forbidden") and part == error["loc"][-1]:
                path.append(part)
        owner = _model_at(model, tuple(path[:-1])) if error["type"] == "extra_forbidden" else None
        findings.append((tuple(path), _readable(error, owner)))
    return findings


def validation_problems(
    doc: Document, exc: ValidationError, model: type[BaseModel], data: Any, prefix: FieldPath = ()
) -> list[Problem]:
    return [doc.problem((*prefix, *path), message) for path, message in validation_findings(exc, model, data)]
