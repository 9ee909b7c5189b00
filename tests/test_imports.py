"""The import contract: the data flows one way, through stage packages, and each outside engine
has one door.  Read from the source (lazy imports inside functions included; imports made only
for type checking left out, since they never run):

- a module imports only modules of its own stage or of earlier ones (docs/architecture.md);
- only `judging/engine.py` imports durable_rules, and only `output/terminal/` imports rich;
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
}


def _module(path: Path) -> str:
    """A module's name in the contract, relative to the package: "judging.engine"; the terminal
    views' subpackage counts as one module, "output.terminal"."""
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


def _targets(node: ast.ImportFrom, modules: set[str]) -> list[str]:
    """The modules of the package one `from eligibility... import ...` reaches."""
    inner = (node.module or "").split(".")[1:]
    if inner:
        return [".".join(inner[:2])]
    return [alias.name for alias in node.names if alias.name in modules or alias.name in ENTRY_POINTS]


def imports() -> dict[str, set[str]]:
    """Every module's imports that run: modules of the package by name, outside ones by top package."""
    paths = [
        p
        for p in PACKAGE.rglob("*.py")
        if not (p.name == "__init__.py" and p.parent != PACKAGE and p.parent.parent == PACKAGE)
    ]
    modules = {_module(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        me = _module(path)
        found = graph.setdefault(me, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0 or me == "output.terminal", f"{me}: a relative import; write it absolute"
                if node.level:
                    continue  # within the terminal views' own subpackage
                if (node.module or "").split(".")[0] == "eligibility":
                    found.update(_targets(node, modules))
                else:
                    found.add((node.module or "").split(".")[0])
        found.discard(me)
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
    strays = [m for m in imports() if "." not in m and m not in ENTRY_POINTS]
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
    graph["judging.validity"].add("explaining.reasons")  # judging importing explaining
    graph["exploring.over_time"].add("rich")  # rich outside the terminal views
    graph["law.schema"].add("law.loader")  # the loader already imports the schema: a cycle
    assert against_the_flow(graph) == ["judging.validity (judging) imports explaining.reasons (explaining)"]
    assert through_other_doors(graph) == ["exploring.over_time imports rich"]
    assert any({"law.loader", "law.schema"} <= set(component) for component in cycles(graph))
