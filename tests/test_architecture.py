"""docs/architecture.md names every module of the package, by its path in the package, and only
modules that exist: the next engineer's map cannot drift from the tree."""

from __future__ import annotations

import re

from .conftest import ROOT

PACKAGE = ROOT / "src" / "eligibility"
PAGE = ROOT / "docs" / "architecture.md"


def _table() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text[text.index("## Module by stage") : text.index("## Invariants")]


def _modules() -> set[str]:
    """Every module by its path in the package ("judging/engine.py"); a subpackage of a stage (the
    terminal views) as its folder ("output/terminal/"); a stage package's own __init__ is the stage."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) == 3:
            found.add(f"{parts[0]}/{parts[1]}/")
        elif len(parts) == 2 and parts[1] == "__init__.py":
            continue
        else:
            found.add("/".join(parts))
    return found


def test_every_module_is_on_the_map_and_every_name_on_it_is_a_module():
    named = {
        name
        for name in re.findall(r"`([a-z_]+(?:/[a-z_]+)*(?:\.py|/))`", _table())
        if not name.startswith(("src/", "tests/"))
    }
    modules = _modules()
    assert modules <= named, sorted(modules - named)
    assert named <= modules, sorted(named - modules)
