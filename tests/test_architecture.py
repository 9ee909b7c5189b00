"""docs/architecture.md names every module of the package, and only modules that exist: the next
engineer's map cannot drift from the tree."""

from __future__ import annotations

import re

from .conftest import ROOT

PACKAGE = ROOT / "src" / "eligibility"
PAGE = ROOT / "docs" / "architecture.md"


def _table() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text[text.index("## Module by stage") : text.index("## Invariants")]


def test_every_module_is_on_the_map_and_every_name_on_it_is_a_module():
    named = set(re.findall(r"`([a-z_]+\.py|[a-z_]+/)`", _table()))
    modules = {path.name for path in PACKAGE.glob("*.py")}
    packages = {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    inner = {path.name for folder in packages for path in (PACKAGE / folder).glob("*.py") if path.name != "__init__.py"}
    assert modules | packages <= named, sorted((modules | packages) - named)
    assert named <= modules | packages | inner, sorted(named - modules - packages - inner)
