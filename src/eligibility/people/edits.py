"""Changes to a profile written on the command line: `--set PATH=VALUE` and `--unset PATH`.

    PATH   a field, a dotted path into the profile:  criminal_record.convicted
           with list positions in brackets:        citizenships[1].acquired
           [+] at the end appends to a list:       citizenships[+]
    VALUE  JSON if it reads as JSON (true, false, 3, "x", {...}, [...]), otherwise the
           text as written: birth, 2024-01-01.  null means unknown, like --unset.

Every position refers to the profile as written in its file, whatever the other
changes do: removals and appends are carried out after every other change.  The
changed profile is validated exactly like a profile file, so a mistyped field or
value is named as in any profile error.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

from eligibility.foundations.errors import InputError, shown
from eligibility.foundations.files import JsonProblem, parse_json

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INDEX = re.compile(r"\[(\d+|\+)\]")

Step = Union[str, int, Literal["+"]]


@dataclass(frozen=True)
class Edit:
    op: Literal["set", "unset"]
    path: str
    value: Any = None
    as_text: bool = field(default=False, compare=False)  # the value was not JSON: the text written

    @property
    def option(self) -> str:
        return "--set" if self.op == "set" else "--unset"

    def written(self) -> str:
        """The edit as it is typed on the command line (shell quoting left to the reader)."""
        if self.op == "unset":
            return f"--unset {self.path}"
        value = (
            self.value
            if isinstance(self.value, str) and _plain(self.value)
            else json.dumps(self.value, ensure_ascii=False, separators=(",", ":"))
        )
        return f"--set {self.path}={value}"


def _plain(text: str) -> bool:
    """Whether a string value can be written bare: it would not read as JSON."""
    try:
        parse_json(text)
    except (ValueError, RecursionError):
        return bool(text) and text.strip() == text
    return False


def parse_path(path: str, option: str = "--set") -> list[Step]:
    """`a.b[0].c` -> ["a", "b", 0, "c"]; `[+]` only at the end."""
    steps: list[Step] = []
    rest = path
    expected = "a path such as citizenships[1].acquired or military_registration.RU"
    if not rest:
        raise InputError.expected(option, None, expected, path)
    while rest:
        match = _NAME.match(rest)
        if not match:
            raise InputError(option, path, f"expected {expected}, got {shown(path)}")
        steps.append(match.group(0))
        rest = rest[match.end() :]
        while rest.startswith("["):
            index = _INDEX.match(rest)
            if not index:
                raise InputError(option, path, "expected a list position such as [0] or [+] (append)")
            if len(index.group(1)) > 9:
                raise InputError(
                    option,
                    path if len(path) <= 80 else path[:77] + "...",
                    "expected a list position of at most 9 digits",
                )
            steps.append("+" if index.group(1) == "+" else int(index.group(1)))
            rest = rest[index.end() :]
        if rest.startswith("."):
            rest = rest[1:]
            if not rest:
                raise InputError(option, path, f"expected {expected}, got a path ending in '.'")
        elif rest:
            raise InputError(option, path, f"expected {expected}, got {shown(path)}")
    if "+" in steps[:-1]:
        raise InputError(option, path, "expected [+] only at the end of a path (append a whole item)")
    return steps


def parse_set(text: str) -> Edit:
    """`PATH=VALUE` from --set."""
    if "=" not in text:
        raise InputError.expected("--set", None, "PATH=VALUE, e.g. military_registration.RU=true", text)
    path, _, raw = text.partition("=")
    path = path.strip()
    parse_path(path, "--set")
    as_text = False
    try:
        value = parse_json(raw)
    except json.JSONDecodeError:
        value, as_text = raw, True  # not JSON: a plain string
    except JsonProblem as error:
        raise InputError("--set", path, str(error)) from None
    except RecursionError:
        raise InputError("--set", path, "the JSON value nests too deeply to read") from None
    if value is None:
        return Edit("unset", path)
    if isinstance(value, int) and not isinstance(value, bool) and path.rsplit(".", 1)[-1] in DATE_FIELDS:
        value, as_text = raw.strip(), True  # a date field's bare year, 2024, is the year "2024"
    return Edit("set", path, value, as_text)


DATE_FIELDS = ("since", "until", "start", "end")  # the profile's dates: a day, a month, a year or a window


def parse_unset(text: str) -> Edit:
    path = text.strip()
    steps = parse_path(path, "--unset")
    if steps[-1] == "+":
        raise InputError("--unset", path, "expected a field or a list position, got [+]")
    return Edit("unset", path)


def _describe(steps: list[Step]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) or step == "+" else (f".{step}" if out else step)
    return out


@dataclass
class _Target:
    edit: Edit
    container: Any  # the dict or list holding the value
    key: Any  # a dict key, a list position, or "+"


def _resolve(data: dict, edit: Edit) -> _Target:
    steps = parse_path(edit.path, edit.option)
    node: Any = data
    for position, step in enumerate(steps[:-1]):
        following = steps[position + 1]
        where = _describe(steps[: position + 1])
        if isinstance(step, str):
            if not isinstance(node, dict):
                raise InputError(edit.option, edit.path, f"expected {where} to name a field of an object")
            if node.get(step) is None:
                if edit.op == "unset":
                    raise InputError(edit.option, edit.path, f"expected a value to remove, but {where} is not given")
                if isinstance(following, int):
                    raise InputError(
                        edit.option, edit.path, f"expected {where} to be a list in the profile, it is not given"
                    )
                node[step] = [] if following == "+" else {}
            node = node[step]
        else:
            node = _item(node, step, edit, where)
    last = steps[-1]
    if isinstance(last, str) and last != "+":
        if not isinstance(node, dict):
            raise InputError(
                edit.option, edit.path, f"expected {_describe(steps[:-1]) or 'the profile'} to be an object"
            )
        if edit.op == "unset" and node.get(last) is None:
            raise InputError(edit.option, edit.path, "expected a value to remove, but it is not given")
        return _Target(edit, node, last)
    if not isinstance(node, list):
        raise InputError(edit.option, edit.path, f"expected {_describe(steps[:-1])} to be a list")
    if last != "+":
        _item(node, last, edit, _describe(steps))
    return _Target(edit, node, last)


def _item(node: Any, index: Any, edit: Edit, where: str) -> Any:
    if not isinstance(node, list):
        raise InputError(edit.option, edit.path, f"expected {where} to index a list")
    if index == "+":
        raise InputError(edit.option, edit.path, "expected [+] only at the end of a path")
    if index >= len(node):
        raise InputError(
            edit.option,
            edit.path,
            f"expected a position below {len(node)} (the profile lists {len(node)}), got {index}",
        )
    return node[index]


def _separate(edits: list[Edit]) -> None:
    """No edit may lie inside an item another edit sets or removes: one of them would be lost
    (all positions refer to the profile as given, and the outer edit replaces or drops the item)."""
    steps = [(edit, parse_path(edit.path, edit.option)) for edit in edits]
    for edit, path in steps:
        for other, outer in steps:
            if other is edit or len(outer) >= len(path) or outer[-1] == "+":
                continue
            if path[: len(outer)] == outer:
                verb = "removes" if other.op == "unset" else "replaces"
                raise InputError(
                    edit.option,
                    edit.path,
                    f"expected a change to an item no other edit touches, but {other.option} "
                    f"{other.path} {verb} the item it lies in",
                )


def apply(data: dict, edits: list[Edit]) -> dict:
    """A changed copy of profile data; positions refer to the data as given."""
    changed = copy.deepcopy(data)
    seen: dict[str, Edit] = {}
    targets = []
    for edit in edits:
        if edit.path in seen and edit.path[-3:] != "[+]":
            raise InputError(edit.option, edit.path, "expected each path once, got it again")
        seen[edit.path] = edit
    _separate(edits)
    for edit in edits:
        targets.append(_resolve(changed, edit))
    removals: list[_Target] = []
    appends: list[_Target] = []
    for target in targets:
        if target.key == "+":
            appends.append(target)
        elif target.edit.op == "unset":
            removals.append(target)
        else:
            target.container[target.key] = copy.deepcopy(target.edit.value)
    for target in sorted(removals, key=lambda t: t.key if isinstance(t.key, int) else -1, reverse=True):
        if isinstance(target.container, list):
            del target.container[target.key]
        else:
            target.container.pop(target.key, None)
    for target in appends:
        target.container.append(copy.deepcopy(target.edit.value))
    return changed


def written(edits: list[Edit], label: Optional[str] = None) -> str:
    return " ".join(e.written() for e in edits) or (label or "no change")
