"""Wrapping text for the terminal: every line fits, nothing is lost, styles stay on their words."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from eligibility.output import terminal as render

WORDS = st.text(alphabet=st.sampled_from("abcxyz-.,“”✓界日"), min_size=1, max_size=30)
GAPS = st.sampled_from([" ", "  ", "   ", "\n"])
STYLES = st.sampled_from(["bold", "dim", "italic", "red", "green underline"])


@st.composite
def styled(draw) -> Text:
    words = draw(st.lists(WORDS, min_size=1, max_size=12))
    gaps = [draw(GAPS) for _ in words]
    lead = draw(st.sampled_from(["", " ", "   "]))
    plain = lead + "".join(w + g for w, g in zip(words, gaps, strict=True)).rstrip(" ")
    text = Text(plain)
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(plain)))
        end = draw(st.integers(start, len(plain)))
        text.stylize(draw(STYLES), start, end)
    return text


def _styles(text: Text) -> list[tuple[str, tuple[str, ...]]]:
    """Each visible character with the styles that cover it."""
    return [
        (character, tuple(sorted(str(s.style) for s in text.spans if s.start <= index < s.end)))
        for index, character in enumerate(text.plain)
        if not character.isspace()
    ]


@given(styled(), st.integers(min_value=2, max_value=70))
def test_wrapped_lines_fit_lose_nothing_and_keep_their_styles(text, room):
    lines = render.wrap.lines_of(text, room)
    assert all(cell_len(line.plain) <= room for line in lines)
    assert all(line.plain == line.plain.rstrip() for line in lines)
    assert [item for line in lines for item in _styles(line)] == _styles(text)


def test_a_report_at_a_fixed_width_has_no_line_wider_than_it():
    from eligibility import api

    from .conftest import PEOPLE

    result = api.check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01")
    for width in (40, 72, 100):
        out = Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor")
        render.report(out, result)
        plain = Text.from_ansi(out.file.getvalue()).plain
        assert all(cell_len(line) <= width and line == line.rstrip() for line in plain.splitlines())
        assert "ru.citizenship.contract-service" in plain
