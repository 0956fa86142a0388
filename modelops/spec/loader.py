"""YAML documents with source positions, and the errors that point into them.

Parsing uses libyaml (PyYAML's C loader) because `validate` reads every spec of a repository
on each run; the node tree gives each key and item its line and column so that every error,
including pydantic's, names `file:line:col` and the field path.

Specs and stacks arrive in pull requests from anyone, so reading them is bounded. Each limit is
far above what a real spec or stack reaches (the largest example spec is 2.5 KiB, 6 levels deep,
with no aliases) and each is reported as a finding at the place it is crossed:
- only regular files are read: a symlink, directory, FIFO or device is refused before it is
  opened (a FIFO would block the read forever; `git archive`, which `validate --base` and `diff`
  read the base revision with, skips symlinks, so a symlinked version file could change what is
  released unseen);
- at most MAX_FILE_BYTES (1 MiB) per file;
- mappings and lists nested at most MAX_DEPTH (64) levels;
- aliases expanding to at most MAX_ALIAS_NODES (10,000) nodes in all, counted as if each alias
  were a copy of its anchor: a 776-byte "billion laughs" file expands to 9^9 (387 million) otherwise;
  an alias inside its own anchor (`&t {k: *t}`) is refused, the data would be infinite;
- at most MAX_NODES (100,000) values (scalars, mappings and lists) per file, aliases counted as
  copies: 1 MiB of `[0,0,...]` is half a million, which takes seconds and 350 MB to check;
- keys are text: a list or mapping as key (`? [a, b]`) or a key YAML reads as a number, null,
  boolean or date (`1:`, `~:`) is refused (no field of a spec or stack has such keys);
- numbers are at most MAX_NUMBER_CHARS (100) characters (Python refuses to convert longer
  decimal integers, and no field takes one).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is bundled in PyYAML's wheels
    _Loader = yaml.SafeLoader

FieldPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000
MAX_NODES = 100_000
MAX_NUMBER_CHARS = 100


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: where it is and what is wrong. `str()` is the CLI's one-line format."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        # One line per finding whatever a file name, key or value holds: a newline in a key
        # would otherwise start a line that looks like a finding of its own.
        where = f"{one_line(self.file)}:{self.line}:{self.column}"
        message = one_line(self.message)
        return f"{where}: {one_line(self.field)}: {message}" if self.field else f"{where}: {message}"


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """`text` with every non-printable character (newlines, controls, U+2028...) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _ESCAPES.get(c) or repr(c)[1:-1] for c in text)


class ProblemsFound(Exception):
    """Raised with every problem found, so the user sees them all at once."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: Iterable[str | int]) -> str:
    """`a.b[0].c`; a key that is empty or holds spaces, dots, brackets or quotes is written
    `["a key"]`, so the path reads back unambiguously."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _BARE_KEY.match(str(part)):
            text += f"[{json.dumps(str(part), ensure_ascii=False)}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_BARE_KEY = re.compile(r"^[^\s.\[\]\"']+$")


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


def read_bytes(path: Path, display: str) -> bytes:
    """The content of a regular file of at most MAX_FILE_BYTES; anything else is a finding.

    The type is checked with lstat before the file is opened, so a FIFO is never opened and a
    symlink never followed; the open itself refuses to follow a symlink or block, and the type
    is checked again on the open file, in case the path was swapped in between.
    """
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise ProblemsFound([Problem(display, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]) from None
    _check_file_type(info, display)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise ProblemsFound([Problem(display, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]) from None
    with os.fdopen(handle, "rb") as stream:
        _check_file_type(os.fstat(stream.fileno()), display)
        content = stream.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ProblemsFound([_too_large(display)])
    return content


def _check_file_type(info: os.stat_result, display: str) -> None:
    mode = info.st_mode
    message = None
    if stat.S_ISLNK(mode):
        message = (
            "is a symbolic link: specs and stacks must be regular files (git archive skips symlinks, so "
            "validate --base and diff could not see a released version change through one); commit the file itself"
        )
    elif stat.S_ISDIR(mode):
        message = "is a directory: specs and stacks are files"
    elif not stat.S_ISREG(mode):
        message = "is not a regular file (a FIFO, socket or device): modelops reads only regular files"
    elif info.st_size > MAX_FILE_BYTES:
        raise ProblemsFound([_too_large(display, info.st_size)])
    if message is not None:
        raise ProblemsFound([Problem(display, 1, 1, "", message)])


def _too_large(display: str, size: int | None = None) -> Problem:
    shown = f"{size:,} bytes" if size is not None else "larger than that"
    return Problem(
        display,
        1,
        1,
        "",
        f"the file is {shown}: modelops reads spec and stack files of at most 1 MiB ({MAX_FILE_BYTES:,} bytes)",
    )


def decode(content: bytes, display: str) -> str:
    """UTF-8 text, or a finding at the first byte that is not UTF-8."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = content[exc.start]
        message = f"the file is not UTF-8 (byte 0x{byte:02x} here): save it as UTF-8"
        raise ProblemsFound([Problem(display, line, column, "", message)]) from None


def read_text(path: Path, display: str) -> str:
    return decode(read_bytes(path, display), display)


def parse(path: Path, display: str, text: str | None = None) -> Document:
    """Parse one YAML file within the module's limits; every problem raises ProblemsFound."""
    if text is None:
        text = read_text(path, display)
    # The limit is on bytes, as for a file: a character is 1 to 4 of them in UTF-8, so only a text
    # longer than a quarter of it needs encoding to tell.
    elif len(text) > MAX_FILE_BYTES // 4 and (size := len(text.encode("utf-8", "surrogatepass"))) > MAX_FILE_BYTES:
        raise ProblemsFound([_too_large(display, size)])
    try:
        if not within_limits_by_its_text(text):
            _check_structure(text, display)
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        raise ProblemsFound([_yaml_problem(exc, display, text)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProblemsFound([Problem(display, 1, 1, "", "the file is empty")])
        walk = _Walk(loader, display)
        data = walk.value(node, ())
        if walk.problems:
            raise ProblemsFound(walk.problems)
        if walk.needs_constructor:
            data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ProblemsFound([_yaml_problem(exc, display, text)]) from None
    finally:
        loader.dispose()
    return Document(path=path, display=display, data=data, positions=walk.positions)


def _yaml_problem(exc: yaml.YAMLError, display: str, text: str) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Problem(display, line, column, "", f"invalid YAML: {exc.problem or exc}")
    if isinstance(exc, yaml.reader.ReaderError):
        # A character YAML does not allow (a control character); libyaml gives its UTF-8 offset only.
        raw, at = text.encode("utf-8", "surrogatepass"), exc.position
        start = raw.rfind(b"\n", 0, at) + 1
        line, column = raw.count(b"\n", 0, at) + 1, len(raw[start:at].decode("utf-8", "replace")) + 1
        return Problem(display, line, column, "", f"invalid YAML: character #x{exc.character:04x} is not allowed")
    return Problem(display, 1, 1, "", f"invalid YAML: {exc}")


# Characters that can open nested block collections at the start of a line: a sequence entry
# (`- - x`, `- a: 1`), an explicit key or value (`? - x`, `: - x`), and their separators.
_BLOCK_INDICATORS = " \t-?:"


def within_limits_by_its_text(text: str) -> bool:
    """True when the text alone shows it is within the depth, alias and value limits, so the
    event pass of `_check_structure` (a third of reading a spec) can be skipped.

    - No `&`: no anchor, so no alias expands (an alias without its anchor is the composer's error).
    - Depth: flow collections open with `[` or `{`, at most one level each. A block collection
      opens at the start of a line or after the indicators that precede it on its line, and
      each nested one opens at a greater column, but for a sequence that is a mapping's value
      (at its keys' column): at most two levels per column, up to the widest such start.
    - Values: each takes at least a character, but for the empty values YAML implies around
      `:`, `?`, `-` and `,`, at most three per character; MAX_NODES // 4 characters stay below.
    Over-counting only sends a file to the exact check; tests/test_loader_bounds.py holds the bound.
    """
    if len(text) > MAX_NODES // 4 or "&" in text:
        return False
    widest = max((len(line) - len(line.lstrip(_BLOCK_INDICATORS)) for line in text.splitlines()), default=0)
    return 2 * (widest + 1) + text.count("[") + text.count("{") <= MAX_DEPTH


@dataclass
class _Open:
    """A mapping or list being read by `_check_structure`."""

    mapping: bool
    anchor: str | None
    nodes: int = 1  # itself and everything in it, aliases counted as copies
    index: int = 0  # the next list item
    key: str | None = None  # the key whose value is being read; None while a key is read


def _check_structure(text: str, display: str) -> None:
    """Depth and alias expansion, from libyaml's events, before any node tree is built.

    libyaml composes an alias as a reference to its anchor's node, so a billion laughs is small
    in memory until something walks it (our position index, the constructor's merge, pydantic);
    walking the events counts what a walk would meet, in one linear pass.
    """
    loader = _Loader(text)
    try:
        opened: list[_Open] = []
        sizes: dict[str, int] = {}  # anchor -> node count of the anchored node
        expanded = 0  # nodes reached through aliases
        total = 0  # all nodes, aliases counted as copies
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.DocumentStartEvent):
                sizes.clear()  # anchors are scoped to their document
                continue
            if isinstance(event, yaml.NodeEvent):
                total += sizes.get(event.anchor or "", 1) if isinstance(event, yaml.AliasEvent) else 1
                if total > MAX_NODES:
                    message = f"more than {MAX_NODES:,} values in the file: modelops reads at most that many"
                    raise ProblemsFound([_event_problem(event, display, opened, message)])
            if isinstance(event, yaml.CollectionStartEvent):
                if len(opened) >= MAX_DEPTH:
                    raise ProblemsFound(
                        [
                            _event_problem(
                                event,
                                display,
                                opened,
                                f"nested more than {MAX_DEPTH} levels deep: modelops reads at most {MAX_DEPTH} "
                                "levels of mappings and lists",
                            )
                        ]
                    )
                opened.append(_Open(isinstance(event, yaml.MappingStartEvent), event.anchor))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                done = opened.pop()
                _finished(done.nodes, done.anchor, None, opened, sizes)
                continue
            if isinstance(event, yaml.AliasEvent):
                if any(o.anchor == event.anchor for o in opened):
                    name = event.anchor
                    message = f"the alias *{name} is inside its own anchor &{name}: the data would be infinite"
                    raise ProblemsFound([_event_problem(event, display, opened, message)])
                nodes = sizes.get(event.anchor or "", 1)  # an undefined alias is the composer's error
                expanded += nodes
                if expanded > MAX_ALIAS_NODES:
                    message = (
                        f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes here: modelops limits alias "
                        "expansion (a few aliased blocks stay far below it)"
                    )
                    raise ProblemsFound([_event_problem(event, display, opened, message)])
                _finished(nodes, None, None, opened, sizes)
            elif isinstance(event, yaml.ScalarEvent):
                _finished(1, event.anchor, event.value, opened, sizes)
    finally:
        loader.dispose()


def _finished(nodes: int, anchor: str | None, scalar: str | None, opened: list[_Open], sizes: dict[str, int]) -> None:
    """Account a complete node to its parent: its size, and its place as key, value or item."""
    if anchor is not None:
        sizes[anchor] = nodes
    if not opened:
        return
    parent = opened[-1]
    parent.nodes += nodes
    if not parent.mapping:
        parent.index += 1
    elif parent.key is None:
        parent.key = scalar if scalar is not None else "?"
    else:
        parent.key = None


def _event_problem(event: yaml.Event, display: str, opened: list[_Open], message: str) -> Problem:
    path: list[str | int] = []
    for item in opened:
        if not item.mapping:
            path.append(item.index)
        elif item.key is not None:
            path.append(item.key)
        else:
            break  # inside a key: the path ends at its mapping
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(display, line, column, dotted(path), message)


class _Walk:
    """One walk of a composed document: each key's and item's position, the problems of keys and
    scalars, and the data. Mappings, lists and strings are built here and other scalars by the
    loader's constructor for their tag, which gives what `construct_document` would in one pass
    instead of two; a merge key or a collection with another tag (`!!set`, `!!omap`, a local
    tag) leaves the data to `construct_document` (tests/test_loader_bounds.py compares them)."""

    def __init__(self, loader: Any, display: str):
        self.loader = loader
        self.display = display
        self.positions: dict[FieldPath, tuple[int, int]] = {(): (1, 1)}
        self.problems: list[Problem] = []
        self.needs_constructor = False

    def value(self, node: yaml.Node, path: FieldPath) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.needs_constructor = True
            items = []
            for index, item in enumerate(node.value):
                self.positions[(*path, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(self.value(item, (*path, index)))
            return items
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[Any, Any]:
        if node.tag != _MAP_TAG:
            self.needs_constructor = True
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                # `? [a, b]`: the constructor would fail on an unhashable key.
                kind = "mapping" if isinstance(key_node, yaml.MappingNode) else "list"
                message = f"a {kind} used as a key (`? ...`): keys are text"
                self.problems.append(Problem(self.display, *here, dotted(path), message))
                continue
            key = key_node.value
            if key in mapping:
                self.problems.append(Problem(self.display, *here, dotted((*path, key)), "duplicate key"))
                continue
            if key_node.tag == _MERGE_TAG:
                self.needs_constructor = True
            self.positions[(*path, key)] = here
            key_problem = _key_problem(key_node)
            if key_problem is not None:
                self.problems.append(Problem(self.display, *here, dotted((*path, key)), key_problem))
            mapping[key] = self.value(value_node, (*path, key))
        return mapping

    def _scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        here = (node.start_mark.line + 1, node.start_mark.column + 1)
        if _too_long_number(node):
            message = f"a number {len(node.value)} characters long: no modelops field takes one over {MAX_NUMBER_CHARS}"
            self.problems.append(Problem(self.display, *here, dotted(path), message))
            return None
        surprise = _yaml11_surprise(node)
        if surprise is not None:
            reading, fix = surprise
            self.problems.append(
                Problem(self.display, *here, dotted(path), f"{node.value} is read as {reading}: {fix}")
            )
            return None
        if node.tag == _STR_TAG:
            return node.value
        construct = self.loader.yaml_constructors.get(node.tag)
        if construct is None:
            self.needs_constructor = True  # which reports the unknown tag
            return None
        try:
            return construct(self.loader, node)
        except _UNREADABLE:
            self.problems.append(Problem(self.display, *here, dotted(path), _unreadable(node)))
            return None


# What PyYAML's scalar constructors raise, rather than a YAMLError, for a value their tag's
# pattern lets through or an explicit tag forces (`2001-13-45`, `!!bool maybe`, `!!int x`).
_UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)


def _unreadable(node: yaml.Node) -> str:
    kind = _KEY_TYPES.get(node.tag, f"type {node.tag}")
    return f"{node.value} is read as {kind} and is not a valid one: quote it, with no tag, to keep it text"


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KEY_TYPES = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
}


def _key_problem(node: yaml.ScalarNode) -> str | None:
    """Why a scalar key is not text, or None.

    Every key of a spec or stack is a field name, a model, feature or environment name, a tag
    or an environment variable: text. A key that YAML reads as another type would be looked up
    under a different value than the position index (which keys by the written text) and, as
    `null` or an integer, compares with no field name; `<<` (YAML 1.1's merge key) is kept.
    """
    if node.tag in (_STR_TAG, _MERGE_TAG):
        return None
    if _too_long_number(node):
        return f"a key {len(node.value)} characters long read as a number: keys are text"
    surprise = _yaml11_surprise(node)
    if surprise is not None:
        return f"the key {node.value} is read as {surprise[0]}: quote it ('{node.value}') to keep it text"
    kind = _KEY_TYPES.get(node.tag, f"type {node.tag}")
    if not node.value:
        return f"a key with no text is read as {kind}: keys are text"
    return f"the key {node.value} is read as {kind}: keys are text, quote it ('{node.value}')"


def _too_long_number(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode) and node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > MAX_NUMBER_CHARS
    )


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
    try:
        value = (
            _CONSTRUCTOR.construct_yaml_int(node) if node.tag == _INT_TAG else _CONSTRUCTOR.construct_yaml_float(node)
        )
    except _UNREADABLE:
        return None  # `!!int x`: not a number at all, which the walk reports
    if isinstance(value, float) and not math.isfinite(value):
        return "infinity (the number is too large), which no modelops field takes", f"write a finite number, {quote}"
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
