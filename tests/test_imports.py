"""The import contract: the data flows one way, through stage packages, and each outside engine
has one door.  Read from the source (lazy imports inside functions included; imports made only
for type checking left out, since they never run):

- a module imports only modules of its own stage or of earlier ones (docs/architecture.md);
- only `judging/engine.py` imports durable_rules, only `output/terminal/` imports rich, only
  `runners/parquet.py` pyarrow, only `people/lines.py` msgspec, and only `web/app.py` FastAPI, Starlette and uvicorn;
- there is no import cycle;
- every module is in a stage package, or is one of the entry points at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "src" / "eligibility"

# The stages, in the order the data flows: each a package of eligibility (the entry points sit at
# the top of the package).
STAGES: tuple[str, ...] = (
    "foundations",
    "law",
    "people",
    "judging",
    "explaining",
    "exploring",
    "runners",
    "output",
    "api",
    "web",
    "entry points",
)
ENTRY_POINTS = ("api", "cli", "__init__")  # modules at the top of the package; `api` is a stage of its own
# a library, and the one module that may import it
DOORS = {
    "durable": {"judging.engine"},
    "rich": {"output.terminal"},
    "fastapi": {"web.app"},
    "starlette": {"web.app"},
    "uvicorn": {"web.app"},
    "pyarrow": {"runners.parquet"},
    "msgspec": {"people.lines"},
}


def _module(path: Path) -> str:
    """A module's name in the contract, relative to the package: "judging.engine"; a stage
    package's `__init__` is the stage's name ("judging"); the terminal views' subpackage counts
    as one module, "output.terminal"."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts[:2])


def stage(module: str) -> str:
    first = module.split(".")[0]
    return first if first in STAGES else "entry points"


def _type_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def _resolve(dotted: str, modules: set[str]) -> list[str]:
    """The modules of the package an import of `eligibility.<dotted>` runs: the module itself
    (the longest name that is one: "judging.in_force", "output.terminal", "api") and the stage
    package it sits in, whose `__init__` runs first."""
    parts = dotted.split(".")
    found = [".".join(parts[:n]) for n in (2, 1) if len(parts) >= n and ".".join(parts[:n]) in modules]
    return found[:1] + [p for p in found[1:] if "." not in found[0]] if found else []


def module_imports(me: str, source: str, modules: set[str]) -> set[str]:
    """One module's imports that run: modules of the package by name, outside ones by top package.
    Every form counts: `import eligibility.a.b`, `from eligibility.a import b` (b a module or a
    name in a), `from eligibility import a`; imports made only for type checking do not."""
    tree = ast.parse(source)
    skipped = _type_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                found.update(_resolve(rest, modules) if top == "eligibility" and rest else [top])
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 or me == "output.terminal", f"{me}: a relative import; write it absolute"
            if node.level:
                continue  # within the terminal views' own subpackage
            top, _, rest = (node.module or "").partition(".")
            if top != "eligibility":
                found.add(top)
                continue
            for alias in node.names:
                # `from eligibility.a import b`: b is the module a.b if there is one, else a name in a
                found.update(
                    _resolve(f"{rest}.{alias.name}" if rest else alias.name, modules) or _resolve(rest, modules)
                )
    found.discard(me)
    return found


def imports() -> dict[str, set[str]]:
    """Every module's imports that run (a stage package's `__init__` is a module of that stage)."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        me = _module(path)
        graph.setdefault(me, set()).update(module_imports(me, path.read_text(encoding="utf-8"), modules))
    return graph


def against_the_flow(graph: dict[str, set[str]]) -> list[str]:
    rank = {name: index for index, name in enumerate(STAGES)}
    return sorted(
        f"{module} ({stage(module)}) imports {target} ({stage(target)})"
        for module, targets in graph.items()
        for target in targets
        if target in graph and rank[stage(target)] > rank[stage(module)]
    )


def through_other_doors(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {library}"
        for module, targets in graph.items()
        for library, allowed in DOORS.items()
        if library in targets and module not in allowed
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_stage_package_or_an_entry_point():
    strays = [m for m in imports() if "." not in m and m not in ENTRY_POINTS and m not in STAGES]
    assert strays == []
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(STAGES) - {"entry points", "api"}


def test_no_module_imports_a_later_stage():
    assert against_the_flow(imports()) == []


def test_durable_rules_only_in_the_engine_and_rich_only_in_the_terminal_views():
    graph = imports()
    assert through_other_doors(graph) == []
    assert "durable" in graph["judging.engine"] and "rich" in graph["output.terminal"]  # the doors are used


def test_there_is_no_import_cycle():
    assert cycles(imports()) == []


def test_the_contract_catches_what_it_forbids():
    """Planted faults, one of each kind, are each reported."""
    graph = {module: set(targets) for module, targets in imports().items()}
    graph["judging.in_force"].add("explaining.reasons")  # judging importing explaining
    graph["exploring.over_time"].add("rich")  # rich outside the terminal views
    graph["law.schema"].add("law.loader")  # the loader already imports the schema: a cycle
    assert against_the_flow(graph) == ["judging.in_force (judging) imports explaining.reasons (explaining)"]
    assert through_other_doors(graph) == ["exploring.over_time imports rich"]
    assert any({"law.loader", "law.schema"} <= set(component) for component in cycles(graph))


def test_every_form_of_import_is_read():
    """Planted: each way of writing an import of a later stage, in a judging module and in a stage
    package's `__init__`, is an edge the contract sees; one made for type checking alone is not."""
    modules = set(imports())
    for source in (
        "from eligibility.explaining.reasons import check",
        "from eligibility.explaining import reasons",
        "import eligibility.explaining.reasons",
        "from eligibility import explaining",
        "from eligibility.explaining import causes as why",
    ):
        for me in ("judging.in_force", "judging"):
            graph = {me: module_imports(me, source, modules)}
            graph.update({target: set() for target in graph[me]})
            assert against_the_flow(graph), (me, source)
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from eligibility.explaining import reasons\n"
    assert module_imports("judging.in_force", typed, modules) == {"typing"}
    assert module_imports("judging", "import rich\n", modules) == {"rich"}
