"""Line wrapping for the terminal views: text broken at spaces to a width, each piece keeping
its styles, with no trailing spaces, printed in one call.  Part of the render package, the only
place that talks to rich.
"""

from __future__ import annotations

import errno
import re
from typing import Iterable, Iterator, Optional

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from eligibility.output.pictures import visible

Row = tuple[int, Text]  # (indent, text)


def pad(row: Text | Row, pad: tuple[int, int, int, int]) -> Row:
    """Indent a text (or an already indented row) by the pad's left amount."""
    if isinstance(row, tuple):
        return (row[0] + pad[3], row[1])
    return (pad[3], row)


def _row(item: Text | Row) -> Row:
    return item if isinstance(item, tuple) else (0, item)


_WORD = re.compile(r"\S+\s*")


def _breaks(plain: str, room: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `plain` broken at spaces into lines of at most `room`
    cells; a line break in the text ends a line, and a word wider than a line is cut."""
    offset = 0
    for part in plain.split("\n"):
        start = offset  # the line being filled: where it starts, and its cells so far
        used = cell_len(part[: len(part) - len(part.lstrip())])
        for word in _WORD.finditer(part):
            first, text = offset + word.start(), word.group()
            bare = text.rstrip()
            width = cell_len(bare)
            if used and used + width > room:  # the word goes on a new line
                yield start, first
                start, used = first, 0
            if width > room:  # a word wider than a line: cut it
                cut, cells = first, used
                for position, character in enumerate(bare, first):
                    size = get_character_cell_size(character)
                    if cells + size > room:
                        yield cut, position
                        cut, cells = position, 0
                    cells += size
                start, used = cut, cells + len(text) - len(bare)
                continue
            used += width + len(text) - len(bare)
        yield start, offset + len(part)
        offset += len(part) + 1


def lines_of(text: Text, room: int) -> list[Text]:
    """The text broken into lines of at most `room` cells, each keeping its styles, with no
    trailing spaces."""
    plain = text.plain
    if "\n" not in plain and text.cell_len <= room:
        line = text.copy()
        line.rstrip()
        return [line]
    lines = []
    for start, end in _breaks(plain, room):
        line = Text(plain[start:end].rstrip(), style=text.style, end="")
        stop = start + len(line.plain)
        for span in text.spans:
            if span.end > start and span.start < stop:
                line.stylize(span.style, max(span.start, start) - start, min(span.end, stop) - start)
        lines.append(line)
    return lines


def emit(out: Console, rows: Iterable[Text | Row]) -> None:
    """Print rows, wrapping each to the width left after its indent, with no trailing spaces.

    The rows are wrapped here and printed in one call: rich's per-call work, repeated for
    every line, was most of the time `check` spent printing."""
    lines: list[Text] = []
    width = out.width
    for item in rows:
        indent, text = _row(item)
        for line in lines_of(text, max(20, width - indent)):
            lines.append(Text(" " * indent) + line if indent else line)
    if lines:
        out.print(Text("\n").join(lines), soft_wrap=True)


class _Visible(Console):
    """A console that writes out the control characters in the text it is given (a profile's
    strings may hold an escape sequence): only rich's own styling reaches the terminal."""

    def on_broken_pipe(self) -> None:
        """A reader that stopped early (`| head`): quiet from here on, and the broken pipe handed
        to the command line, which ends such a run with 0 (rich's own choice is exit 1)."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader of standard output stopped")

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style, segment.control)
            for segment in buffer
        )


def console(width: Optional[int] = None) -> Console:
    """A console for the CLI; tests pass a fixed width."""
    return _Visible(width=width, highlight=False, soft_wrap=False, emoji=False)
