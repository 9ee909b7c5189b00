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


FILE_KINDS = {"toml", "md", "py", "json", "csv", "svg", "html", "txt", "png", "jsonl", "ci"}


def _names_in_code() -> dict[str, list[object]]:
    """Every module of the package by its short name ("causes"), and every class defined in one."""
    import importlib
    import inspect

    found: dict[str, list[object]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts:
            continue
        module = importlib.import_module(".".join(("eligibility", *parts)))
        found.setdefault(parts[-1], []).append(module)
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                found.setdefault(name, []).append(value)
    return found


def test_every_dotted_name_on_the_page_is_in_the_code():
    """`causes.change_points`, `Evaluator.judge_many`, `engine.shards`: each name the page gives as
    module-or-class dot attribute is there, so a rename that leaves the page behind fails here."""
    import inspect

    from eligibility.law.schema import InForce

    known = _names_in_code()
    known.setdefault("in_force", []).append(InForce)  # also a rule file's table, named by its fields

    def has(owner: object, name: str) -> bool:
        if hasattr(owner, name) or name in getattr(owner, "model_fields", {}):
            return True
        return inspect.isclass(owner) and f"self.{name}" in inspect.getsource(owner)  # set in __init__

    stale = []
    for first, second in re.findall(r"`([A-Za-z_]\w*)\.([A-Za-z_]\w*)", PAGE.read_text(encoding="utf-8")):
        if second not in FILE_KINDS and not any(has(owner, second) for owner in known.get(first, [])):
            stale.append(f"{first}.{second}")
    assert stale == []
