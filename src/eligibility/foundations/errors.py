"""The two kinds of failure the tool reports.

`InputError` is the user's: a file, a field, what was expected and what was found,
always on one line.  `InternalError` is ours: the engine and the Python evaluation
disagreed, or the engine misbehaved; it is never silently resolved.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar

T = TypeVar("T")

_MAX_SHOWN = 60


def shown(value: Any) -> str:
    """A short, single-line rendering of a value the user gave."""
    if isinstance(value, (bytes, str)):
        text = repr(value)
    elif isinstance(value, bool) or value is None:
        text = "true" if value is True else "false" if value is False else "null"
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = repr(value)
    text = " ".join(text.split())
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


def did_you_mean(word: str, choices: list[str]) -> str:
    """ "; did you mean 'x'?" for the closest choice, or nothing."""
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class Expected(ValueError):
    """A validator's refusal: what was expected, and a hint for what was probably meant (shown
    after the value received: "expected X, got 'y'; did you mean 'z'?")."""

    def __init__(self, expected: str, hint: str = ""):
        super().__init__(expected + hint)
        self.expected = expected
        self.hint = hint


class OutputError(Exception):
    """The output could not be written (a full disk, a file-size limit): one line, exit code 4."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.message = " ".join(message.split())
        super().__init__(f"{file}: {self.message}")


class InputError(Exception):
    """Bad input: names the file and the field, says what was expected."""

    def __init__(self, file: str, field: str | None, message: str):
        self.file = file
        self.field = field
        self.message = " ".join(message.split())
        super().__init__(str(self))

    @classmethod
    def expected(cls, file: str, field: str | None, expected: str, got: Any) -> "InputError":
        return cls(file, field, f"expected {expected}, got {shown(got)}")

    def __str__(self) -> str:
        where = self.file if not self.field else f"{self.file}: {self.field}"
        return f"{where}: {self.message}"


class WorkerDied(Exception):
    """A worker process of a run died (killed by a signal, or by the system when memory ran out):
    one line, exit code 5, and no output that looks complete."""


class InternalError(Exception):
    """A fault of the tool itself, reported loudly and never papered over."""


def required(value: Optional[T], what: str) -> T:
    """A value the loader guarantees is there; its absence is the tool's own fault."""
    if value is None:
        raise InternalError(f"{what} is missing, though the rule base loader guarantees it")
    return value
