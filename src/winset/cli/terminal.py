"""What winset prints is safe to print: control characters in user text are shown, not obeyed.

Labels, proposal texts, file names, survey levels and poll questions come from the user's files,
and any of them may hold a control character: an escape sequence (``\\x1b]0;...`` retitles the
terminal, ``\\x1b[2J`` clears it), a C1 control, or a bidirectional override that makes text read
backwards. rich strips a few of them (bell, backspace, carriage return) and passes the rest
through. Here every such character is written out as an escape (``\\x1b``, ``\\u202e``):

* :func:`printable` escapes a string (for text built before rich lays it out, so that widths
  count the escapes);
* :class:`SafeConsole` escapes every string it turns into text, and, as a last guard, every
  segment of user text it renders (rich's own control segments, its colours and cursor moves,
  stay as they are);
* :func:`json_text` escapes the same characters inside a JSON document (JSON itself escapes only
  the C0 controls), which keeps it valid JSON with the same values.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls; bidirectional marks, embeddings, overrides
# and isolates; the Unicode line and paragraph separators
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written out as an escape (see the module text)."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


def json_text(document: str) -> str:
    """A JSON document with the characters :func:`printable` escapes written as ``\\uXXXX``
    (they can only occur inside strings, so the document stays valid and means the same)."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


class SafeConsole(Console):
    """A rich console that never passes a control character of user text to the terminal."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)

    def on_broken_pipe(self) -> None:
        """The reader stopped reading (``| head``): say nothing more, and let the command decide
        its exit code (rich would exit 1 at once, so a refused input read as an internal error)."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))  # which click ends quietly, with 1

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not UNSAFE.search(segment.text):
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style, segment.control)
