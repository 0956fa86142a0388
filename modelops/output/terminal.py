"""What a terminal gets beyond the plain output: colour on stdout, progress on stderr.

stdout is the product (a plan, a diff, a rehearsal's calls, JSON): it gets colour only when it
is a terminal, `NO_COLOR` is unset or empty (https://no-color.org) and `TERM` is not `dumb`;
a pipe or a file always gets the plain lines, byte for byte. Progress goes to stderr, only when
stderr is a terminal that can redraw a line (not `TERM=dumb`), and is cleared when the work
ends. rich is imported only then, so CI logs, pipes and `validate` never load it.

Colour marks what a reader looks for first: the symbols of a diff's resource changes (`+`
create, `~` update, `+-` replace, `-` delete), what destroys data or causes downtime (`!!`),
the result of each call or check (`ok`, `FAIL`, `DRIFT`) and a plan's `VIOLATION`. The lines
are the plain ones, painted where the command's own format puts a mark: at the start of a line
(and, for a resource change's `!!`, at its end), where no text from a spec can begin.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import typer

STYLES = {
    "ok": "green",
    "fail": "bold red",
    "drift": "bold yellow",
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "delete": "red",
    "critical": "bold red",
    "violation": "bold red",
}
# Per output: patterns whose named groups take the style of that name.
RESULT_LINES = (re.compile(r"^  (?:(?P<ok>ok )|(?P<fail>FAIL)|(?P<drift>DRIFT)) "),)
DIFF_LINES = (
    re.compile(r"^  (?P<critical>!!) (?:DATA LOSS|DOWNTIME) in "),
    re.compile(
        r"^    (?:(?P<create>\+ )|(?P<update>~ )|(?P<replace>\+-)|(?P<delete>- )) (?:create|update|replace|delete) "
        r".*?(?P<critical> !!)?$"
    ),
)
PLAN_LINES = (re.compile(r"^(?P<violation>VIOLATION) "),)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def _can_redraw() -> bool:
    return os.environ.get("TERM", "") != "dumb"


def colour_on_stdout() -> bool:
    return _is_terminal(sys.stdout) and not os.environ.get("NO_COLOR") and _can_redraw()


def progress_on_stderr() -> bool:
    return _is_terminal(sys.stderr) and _can_redraw()


def styled_spans(line: str, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[int, int, str]]:
    """(start, end, style) of each part of `line` that `patterns` mark."""
    spans = []
    for pattern in patterns:
        match = pattern.match(line)
        if match is None:
            continue
        for name, text in match.groupdict().items():
            if text is not None:
                spans.append((match.start(name), match.end(name), STYLES[name]))
    return spans


class Printer:
    """Writes the product's lines to stdout: plain, or styled by `patterns` on a colour terminal."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...] = ()):
        self._patterns = patterns
        self._console: Any = None
        if patterns and colour_on_stdout():
            from rich.console import Console

            # The decision is ours (above); rich only paints. No wrapping, no markup, no
            # highlighting of numbers or paths: the text is exactly the plain line's.
            self._console = Console(file=sys.stdout, force_terminal=True, highlight=False, markup=False, emoji=False)

    def line(self, text: str) -> None:
        self.lines(text)

    def lines(self, text: str) -> None:
        """`text`, one or more lines, and a line break."""
        if self._console is None:
            typer.echo(text)
            return
        from rich.text import Text

        # One Text for the whole block: a plan of thousands of lines is one write, not thousands.
        styled, offset = Text(text), 0
        for line in text.split("\n"):
            for start, end, style in styled_spans(line, self._patterns):
                styled.stylize(style, offset + start, offset + end)
            offset += len(line) + 1
        self._console.print(styled, soft_wrap=True, crop=False)


ProgressUpdate = Callable[[str, int], None]  # (what is being worked on, how many so far)


def _ignore(_what: str, _count: int) -> None:
    pass


@contextmanager
def progress(title: str, unit: str) -> Iterator[ProgressUpdate]:
    """A transient spinner on stderr: `title`, how many `unit` so far and the latest one.

    The update may be called from any thread. Without a terminal on stderr it does nothing.
    """
    if not progress_on_stderr():
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr, force_terminal=True)  # rich itself honours NO_COLOR here
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TextColumn("{task.completed} " + unit, markup=False),
        TimeElapsedColumn(),
        # Names come from specs: shown as text, never read as rich markup.
        TextColumn("{task.fields[latest]}", markup=False),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(title, total=None, latest="")

        def update(what: str, count: int) -> None:
            bar.update(task, completed=count, latest=what)

        yield update
