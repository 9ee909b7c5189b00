"""The import contract: the data flows one way, through stages, and each outside engine has one
door.  Read from the source (lazy imports inside functions included; imports made only for type
checking left out, since they never run):

- a module imports only modules of its own stage or of earlier ones (docs/architecture.md);
- only `engine.py` imports durable_rules, and only the `render` package imports rich;
- there is no import cycle;
- every module has a stage, so a new one must be given its place.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "src" / "eligibility"

# The stages, in the order the data flows (docs/architecture.md, "Module by stage").
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundations", ("vocabulary", "logic", "errors", "dates", "countries", "files", "validation")),
    ("rules", ("schema", "record", "rulebase", "loader")),
    ("people", ("profile", "edits")),
    ("judging", ("predicates", "validity", "kinds", "engine", "evaluation")),
    ("explaining", ("report", "explaining", "causes", "tables")),
    ("explorations", ("timeline", "diff", "whatif", "batch", "distributed", "synth", "scenario", "checker", "corpus")),
    ("output", ("render", "pictures", "citing")),
    ("entry points", ("api", "cli", "__init__", "pytest_plugin")),
)
RANK = {module: rank for rank, (_, modules) in enumerate(STAGES) for module in modules}
DOORS = {"durable": {"engine"}, "rich": {"render"}}  # an outside library, and the only module that may import it


def _module(path: Path) -> str:
    """A module's name in the contract: a file of the package, or a subpackage as a whole."""
    inner = path.relative_to(PACKAGE).parts
    return inner[0] if len(inner) > 1 else path.stem


def _type_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def imports() -> dict[str, set[str]]:
    """Every module's imports that run: modules of the package by name, outside ones by top package."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        me = _module(path)
        found = graph.setdefault(me, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_only(tree)
        inside_subpackage = path.parent != PACKAGE
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    found.add((node.module or "").split(".")[0])
                    continue
                if inside_subpackage and node.level == 1:
                    continue  # within the subpackage itself
                first = (node.module or "").split(".")[0]
                found.update([first] if first else [alias.name for alias in node.names])
        found.discard(me)
    return graph


def against_the_flow(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} ({STAGES[RANK[module]][0]}) imports {target} ({STAGES[RANK[target]][0]})"
        for module, targets in graph.items()
        for target in targets
        if module in RANK and target in RANK and RANK[target] > RANK[module]
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


def test_every_module_has_a_stage():
    assert sorted(set(imports()) - set(RANK)) == []
    assert sorted(set(RANK) - set(imports())) == []  # and every stage's module exists


def test_no_module_imports_a_later_stage():
    assert against_the_flow(imports()) == []


def test_durable_rules_only_in_the_engine_and_rich_only_in_render():
    graph = imports()
    assert through_other_doors(graph) == []
    assert "durable" in graph["engine"] and "rich" in graph["render"]  # the doors are really used


def test_there_is_no_import_cycle():
    assert cycles(imports()) == []


def test_the_contract_catches_what_it_forbids():
    """Planted faults, one of each kind, are each reported."""
    graph = {module: set(targets) for module, targets in imports().items()}
    graph["validity"].add("explaining")  # judging importing explaining
    graph["timeline"].add("rich")  # rich outside render
    graph["schema"].add("loader")  # loader already imports schema: a cycle
    assert against_the_flow(graph) == ["validity (judging) imports explaining (explaining)"]
    assert through_other_doors(graph) == ["timeline imports rich"]
    assert any({"loader", "schema"} <= set(component) for component in cycles(graph))
