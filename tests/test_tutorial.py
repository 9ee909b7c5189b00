"""The tutorial's pasted output is what the commands print today.

Every ```console block in docs/tutorial.md holds one or more `$ eligibility ...`
commands, each followed by its output.  This test runs each command and compares.
After a deliberate change to the output or to the rule base, regenerate every generated doc with

    ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shlex

from typer.testing import CliRunner

from eligibility.api import rule_base
from eligibility.cli import app

from .conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, pasted output) pairs of one console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(lines).rstrip("\n")) for command, lines in pairs]


def _run(command: str) -> str:
    words = shlex.split(command)
    assert words[0] == "eligibility", command
    cwd = os.getcwd()
    os.chdir(ROOT)  # the tutorial's paths are relative to the repository
    try:
        result = CliRunner().invoke(app, words[1:])
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), (command, result.stderr)
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()).rstrip("\n")


def _rendered(block: str) -> str:
    out = []
    for command, _ in _commands(block):
        out.append(f"$ {command}\n{_run(command)}\n")
    return "".join(out)


def test_the_tutorial_has_every_command_it_teaches():
    text = TUTORIAL.read_text(encoding="utf-8")
    commands = [c for block in BLOCK.findall(text) for c, _ in _commands(block)]
    for name in ("check", "timeline", "diff", "what-if", "--make-apply", "scenarios run"):
        assert any(name in c for c in commands), name


STAMP = re.compile(r"<!-- output of rule base ([0-9a-f]+);[^>]*-->\n")


def test_the_pasted_output_is_what_the_commands_print():
    """The output matches, for the rule base of today (its digest is stamped in the file): a rule
    base changed since (a provision added or edited as data) fails here, naming the one command that
    regenerates every generated doc, so a stale tutorial never passes CI."""
    text = TUTORIAL.read_text(encoding="utf-8")
    digest = rule_base().digest
    if os.environ.get("ELIGIBILITY_UPDATE_DOCS") == "1":
        text = BLOCK.sub(lambda m: "```console\n" + _rendered(m.group(1)) + "```", STAMP.sub("", text))
        title, _, rest = text.partition("\n")
        text = (
            f"{title}\n<!-- output of rule base {digest}; regenerate: "
            f"ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest -->\n{rest}"
        )
        TUTORIAL.write_text(text, encoding="utf-8")
    stamp = STAMP.search(text)
    assert stamp, "docs/tutorial.md has no rule-base stamp: regenerate it with ELIGIBILITY_UPDATE_DOCS=1"
    assert stamp.group(1) == digest, (
        f"docs/tutorial.md shows rule base {stamp.group(1)}, the rule base is now {digest}: regenerate "
        "every generated doc with ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest"
    )
    for block in BLOCK.findall(text):
        for command, pasted in _commands(block):
            assert _run(command) == pasted, f"docs/tutorial.md is out of date for: {command}"
