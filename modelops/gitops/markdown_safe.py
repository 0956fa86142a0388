"""Untrusted text in a pull-request comment: it shows as text and never becomes markup.

Everything a spec, a stack or a path in a pull request supplies (names, versions, paths,
values, messages that quote them) reaches GitHub's markdown only through this module:

- `code` wraps a value in a code span whose fence is longer than any backtick run inside it.
  GitHub parses nothing in a code span: no HTML, link, image, autolink or emoji, and its
  mention, issue-reference and commit filters skip `<code>` (they work on the rendered HTML's
  text nodes, outside `pre`, `code` and `a`). It is how values are shown.
- `text` escapes prose: ASCII punctuation that starts inline markup is backslash-escaped, `<`,
  `>` and `&` become entities, and a WORD JOINER (U+2060, invisible) is put where GitHub would
  otherwise find a mention (`@team`), an e-mail, a URL (`https://`, `www.`), an issue
  reference (`#12`, `GH-12`) or an emoji (`:x:`). An entity does not stop a mention: `&#64;`
  is decoded to `@` before GitHub's mention filter reads the text.
- `row` joins such fragments into one table row, escaping `|` (GFM splits cells on it even
  inside code spans, and turns `\\|` back into `|` there).
- `mermaid_label` makes text that stays inside a quoted mermaid label: every character that
  mermaid or HTML could read as syntax becomes a `#<code>;` entity.

None of them outputs a line break, so a value cannot end a table, a `<details>` block or a
code fence, or start a block of its own. Characters one cannot see (line breaks and other
controls, bidirectional overrides, zero-width characters) are shown as escapes (`\\n`,
`\\u202e`) by `visible`, first.
"""

from __future__ import annotations

import re
import unicodedata

WORD_JOINER = "\u2060"

_SHORT = {"\n": "\\n", "\r": "\\r"}
# Control, format (bidirectional overrides, zero-width characters, the BOM), surrogate and
# line or paragraph separator characters: unseen, or not text at all.
_HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN


def _escape(char: str) -> str:
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def visible(value: object) -> str:
    """The value as one line of text: line breaks, other control characters and bidirectional
    overrides are shown as backslash escapes (a tab stays a tab)."""
    text = str(value)
    return "".join(char if char == "\t" or not _invisible(char) else _SHORT.get(char) or _escape(char) for char in text)


def code(value: object) -> str:
    """An inline code span showing `visible(value)` exactly; empty for an empty value."""
    text = visible(value)
    if not text:
        return ""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    # CommonMark strips one space from both ends when both are spaces (unless all are): pad
    # then, and when the text touches the fence with a backtick.
    pad = text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip(" ") != "")
    space = " " if pad else ""
    return f"{fence}{space}{text}{space}{fence}"


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Everything CommonMark or GFM could start inline markup with, besides the entities above.
_ESCAPED = set("\\`*_~[]()!$")
# Where GitHub links text outside code: mentions and e-mail (@name), URLs (scheme:// and www.),
# issue references (#12, GH-12), emoji (:name:). A word joiner goes after the marked position.
_JOIN = re.compile(r"(?<=@)(?=\w)|(?<=:)(?=[\w/+\-])|(?<=#)(?=\w)|(?<=www)(?=\.)|(?<=gh)(?=-\d)", re.IGNORECASE)


def text(value: object) -> str:
    """Prose that renders as exactly `visible(value)` (plus invisible word joiners) and never as
    markup, a link, a mention or a reference."""
    joined = _JOIN.sub(WORD_JOINER, visible(value))
    return "".join(_ENTITIES.get(c) or (f"\\{c}" if c in _ESCAPED else c) for c in joined)


def row(*cells: str) -> str:
    """One table row of escaped fragments (`code`, `text` or fixed markdown)."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


_MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 ,._/-]")


def mermaid_label(value: object) -> str:
    """Text for inside a quoted mermaid label (`id["..."]`): only ASCII letters, digits, spaces and
    `,._/-` stay; every other character is a `#<decimal>;` entity, so nothing can close the
    label or the code fence, start a `%%` directive, an edge, a `click` or an HTML tag. `:` is
    an entity too: mermaid drops the `;` of an entity on a line matching `style.*:\\S*#.*;`."""
    return "".join(c if _MERMAID_PLAIN.fullmatch(c) else f"#{ord(c)};" for c in visible(value))
