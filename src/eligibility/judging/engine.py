"""The inference engine: the rule base compiled into durable_rules rulesets.

This is the only module that talks to durable_rules.  Every verdict comes from two rounds of
facts, each decided by rules that cover every combination of values exactly once:

1. What an item's conditions come to.  For every provision (and every other reading of one), the
   rule file's `when` expressions (each route's, and the item's own) are compiled into a decision
   tree over the condition values, and its leaves into one rule per outcome.  Items whose
   expressions are the same in normal form share these rules, whatever their dates.
2. Its status on the day.  In-force is compiled from the stage dates of each of the item's routes
   into ranges of days; a fact carries each route's in-force on the day's range and the first
   round's outcome, and generic rules (the same for every item) decide whether some route
   in force qualifies the person, and so the status, and what the conditions come to.

Guards against behaviours of durable_rules 2.0.28 measured on this machine
(each has a regression test in tests/test_engine_guards.py):

* Patterns join on nothing: every rule matches one fact against constants.  Rules
  joining on another fact's field segfaulted on a realistic rule set, and
  `(A | B) & <join>` ignored the join and fired wrongly.
* One host per process, built without the timer threads every `Host()` starts
  (they raced `delete_state` into a use-after-free), and one session id reused for
  every judgement (at most 1024 live sessions per ruleset, then MemoryError).
  `delete_state` is never called: facts are retracted instead.
* durable_rules files each stored fact under a 32-bit FNV-1a hash of its id and refuses
  (MessageObserved) a fact whose hash equals a live one's, even when the ids differ.  Its
  own ids are hashes of the content, so any two facts could collide.  Every fact here
  carries an id from a pool whose hashes differ from each other and from the session
  state's; facts are retracted after every batch, so the pool is reused.
* Every fact's key is checked against the compiled rules before the batch is asserted
  (a fact no rule matches aborts the whole batch and leaves its matched facts queued for
  the next call).
* An exception inside an action is swallowed into the session state by
  durable_rules; actions only append to a list, and the state is checked after
  every batch.  A verdict for a fact outside the batch, a fact with no verdict or
  with two, is a loud InternalError.

Every rule has a `cap`: when a batch holds many facts matching one rule, the rule fires
once with all of them instead of once per fact.  A batch of many profile-dates therefore
costs a few dozen actions, not one per provision per profile-date.
"""

from __future__ import annotations

import functools
import threading
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from durable import engine as durable_engine

from eligibility.foundations import logic
from eligibility.foundations.errors import InputError, InternalError
from eligibility.foundations.logic import Truth, status_of
from eligibility.foundations.vocabulary import Status
from eligibility.judging.in_force import route_segments
from eligibility.law.rulebase import Judged, RuleBase

SESSION = "0"  # the one durable_rules session every judgement uses
MAX_BATCH = 1024  # facts per durable_rules call; also every rule's cap
# durable_rules refuses a ruleset of more rules than this (error 106, measured: 4,056 rules
# register, 4,173 do not).  A rule base is compiled into as many rulesets as it needs, each
# provision's rules kept together in one; a single provision needing more is refused.
RULESET_LIMIT = 4_096
# ... but registering a ruleset costs more than linearly in its rules (measured on 46,000 rules:
# 2.8 s in rulesets of 4,096, 1.4 s in rulesets of 250), so rulesets are filled to about this.
RULESET_SIZE = 500

# (day ordinal, key, condition values): the values as letters T/F/U, one per condition in the
# order its expression first names them (`Judged.names`), e.g. "TUF"
Row = tuple[int, str, str]

CODE = {value: value.value for value in Truth}  # a condition value as a fact field holds it


@dataclass(frozen=True)
class Verdict:
    status: Status
    conditions: Truth  # what the conditions came to, in force or not ("would qualify")
    rule: str  # the durable_rules rule that fired


class _QuietHost(durable_engine.Host):
    """A durable_rules host without the dispatch and timer threads: nothing here uses timers."""

    def _run(self) -> None:  # noqa: D401 - overrides the thread start-up
        self._d_timer = None
        self._t_timer = None


_host: Optional[_QuietHost] = None
_engines: dict[str, "Engine"] = {}
# The process has one durable_rules host, one session and one pool of fact ids: every call into
# it (registering a rule base, asserting and retracting a batch) holds this lock, so the Python
# API and Dask's threaded scheduler can judge from several threads.
LOCK = threading.RLock()


def fnv1a32(text: str) -> int:
    """The 32-bit hash durable_rules files a stored message under (of its id)."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


class _Ids:
    """Fact ids whose durable_rules hashes differ from each other and from the session state's."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.position: dict[str, int] = {}
        self._taken = {fnv1a32(f"sid-{SESSION}")}
        self._next = 0

    def first(self, count: int) -> list[str]:
        while len(self.ids) < count:
            candidate = format(self._next, "x")
            self._next += 1
            code = fnv1a32(candidate)
            if code not in self._taken:
                self._taken.add(code)
                self.position[candidate] = len(self.ids)
                self.ids.append(candidate)
        return self.ids[:count]


_ids = _Ids()


def host() -> _QuietHost:
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


# --- compiling the conditions into a decision tree ----------------------------------------
#
# durable_rules refuses a rule of more than 13 alternatives (error 113), so a `when` expression
# is not compiled into one large pattern.  It is split into a decision tree over the condition
# values; each leaf is a small conjunction, the leaves are disjoint, and the leaves with the same
# outcome share rules, at most OR_BRANCHES to a rule.


@dataclass(frozen=True)
class Leaf:
    values: tuple[Truth, ...]  # one value per expression the tree decides


@dataclass(frozen=True)
class Node:
    name: str
    branches: tuple[tuple[frozenset[Truth], "Tree"], ...]


Tree = Leaf | Node
Path = tuple[tuple[str, frozenset[Truth]], ...]


def _possible(expr: logic.Expr, fixed: Mapping[str, Truth]) -> frozenset[Truth]:
    """Every value the expression can take once the unfixed conditions are filled in."""
    if isinstance(expr, logic.Const):
        return frozenset([expr.value])
    if isinstance(expr, logic.Ref):
        return frozenset([fixed[expr.name]]) if expr.name in fixed else frozenset(Truth)
    if isinstance(expr, logic.Not):
        return frozenset(~v for v in _possible(expr.part, fixed))
    combine = logic.all_of if isinstance(expr, logic.All) else logic.any_of
    values = _possible(expr.parts[0], fixed)
    for part in expr.parts[1:]:
        other = _possible(part, fixed)
        values = frozenset(combine([a, b]) for a in values for b in other)
    return values


def simplify(expr: logic.Expr, fixed: Mapping[str, Truth]) -> logic.Expr:
    """The expression with the fixed conditions put in and folded (Kleene): an `all` with a false
    part is false, true parts drop out, unknown constants merge into one."""
    if isinstance(expr, logic.Const):
        return expr
    if isinstance(expr, logic.Ref):
        return logic.Const(fixed[expr.name]) if expr.name in fixed else expr
    if isinstance(expr, logic.Not):
        inner = simplify(expr.part, fixed)
        return logic.Const(~inner.value) if isinstance(inner, logic.Const) else logic.Not(inner)
    wins, neutral = (Truth.FALSE, Truth.TRUE) if isinstance(expr, logic.All) else (Truth.TRUE, Truth.FALSE)
    parts: list[logic.Expr] = []
    unknown = False
    for part in expr.parts:
        part = simplify(part, fixed)
        if isinstance(part, logic.Const):
            if part.value is wins:
                return part
            unknown = unknown or part.value is Truth.UNKNOWN
            continue
        if part not in parts:
            parts.append(part)
    if unknown:
        parts.append(logic.Const(Truth.UNKNOWN))
    if not parts:
        return logic.Const(neutral)
    if len(parts) == 1:
        return parts[0]
    return logic.All(tuple(parts)) if isinstance(expr, logic.All) else logic.Any_(tuple(parts))


MAX_LEAVES = 2_000  # leaves of one decision tree (each at most one engine rule)


class TooLarge(Exception):
    """An expression whose decision tree would have more than MAX_LEAVES leaves."""


def decision_tree(exprs: Sequence[logic.Expr]) -> Tree:
    """A tree over the condition values whose leaves fix the value of every expression.

    Each branch puts its value in and folds the expressions, and equal folded expressions share
    one subtree: `all(a1, ..., an)` takes about 2n+1 leaves and polynomial time, not 3^n."""
    memo: dict[tuple[logic.Expr, ...], tuple[Tree, int]] = {}  # folded expressions -> (subtree, its leaves)

    def build(current: tuple[logic.Expr, ...]) -> tuple[Tree, int]:
        found = memo.get(current)
        if found is not None:
            return found
        possible = [_possible(expr, {}) for expr in current]
        if all(len(values) == 1 for values in possible):
            result: tuple[Tree, int] = (Leaf(tuple(next(iter(values)) for values in possible)), 1)
        else:
            name = next(
                n for expr, values in zip(current, possible, strict=True) if len(values) > 1 for n in logic.names(expr)
            )
            groups: list[tuple[set[Truth], Tree, int]] = []
            for value in Truth:
                child, size = build(tuple(simplify(expr, {name: value}) for expr in current))
                for group in groups:
                    if group[1] == child:
                        group[0].add(value)
                        break
                else:
                    groups.append(({value}, child, size))
            if len(groups) == 1:
                result = (groups[0][1], groups[0][2])
            else:
                result = (Node(name, tuple((frozenset(v), c) for v, c, _ in groups)), sum(n for _, _, n in groups))
            if result[1] > MAX_LEAVES:
                raise TooLarge(f"more than {MAX_LEAVES:,} engine rules")
        memo[current] = result
        return result

    try:
        return build(tuple(simplify(expr, {}) for expr in exprs))[0]
    finally:
        # `build` refers to itself, a cycle never freed while the collector is off (as in `check`):
        # emptied, it holds little
        memo.clear()


TABLE_WIDTH = 7  # up to this many conditions, the tree is read off truth tables (3^7 = 2,187 rows)
_CODED = (Truth.FALSE, Truth.UNKNOWN, Truth.TRUE)  # a value as a number: all = min, any = max, not = 2 - x


@functools.lru_cache(maxsize=None)
def _columns(width: int) -> list[tuple[int, int]]:
    """For each column of a truth table of `width` columns (row r's digits in base 3 are the values
    of c0..c{width-1}, F=0, U=1, T=2, c0 the most significant), the rows where it is true and the
    rows where it is false, as bit sets.  Column i's digit stays the same for runs of 3**(width-1-i)
    rows and goes F, U, T, F, ... : one period of three runs, repeated, laid down at once by
    multiplying it with a number that has a bit at the start of every period."""
    found = []
    for i in range(width):
        step = 3 ** (width - 1 - i)  # rows in one run
        period = 3 * step
        starts = ((1 << (period * 3**i)) - 1) // ((1 << period) - 1)  # a bit at each period's first row
        run = (1 << step) - 1
        found.append(((run << (2 * step)) * starts, run * starts))
    return found


def table_tree(exprs: Sequence[logic.Expr], width: int) -> Tree:
    """`decision_tree` for expressions over the columns c0..c{width-1}, read off their truth tables:
    the same kind of tree (its leaves disjoint, covering every combination, each fixing every
    expression's value), deciding the columns in order, much faster for a few conditions.

    An expression's table is two bit sets over the rows, where it is true and where it is false
    (Kleene: `all` is true where every part is and false where any part is; `any` the other way;
    `not` swaps them).  The rows with the first columns fixed are one run of bits, and a column whose
    three values lead to equal runs is skipped."""
    rows = 3**width
    every = (1 << rows) - 1
    columns = _columns(width)

    def table(expr: logic.Expr) -> tuple[int, int]:
        if isinstance(expr, logic.Const):
            return {Truth.TRUE: (every, 0), Truth.FALSE: (0, every), Truth.UNKNOWN: (0, 0)}[expr.value]
        if isinstance(expr, logic.Ref):
            return columns[int(expr.name[1:])]
        if isinstance(expr, logic.Not):
            true, false = table(expr.part)
            return false, true
        parts = [table(part) for part in expr.parts]
        conjunction = isinstance(expr, logic.All)
        true, false = parts[0]
        for t, f in parts[1:]:
            true, false = (true & t, false | f) if conjunction else (true | t, false & f)
        return true, false

    masks = [mask for expr in exprs for mask in table(expr)]  # true, false of each expression
    memo: dict[tuple[int, tuple[int, ...]], Tree] = {}

    def build(depth: int, start: int) -> Tree:
        size = 3 ** (width - depth)
        full = (1 << size) - 1
        blocks = tuple((mask >> start) & full for mask in masks)
        found = memo.get((depth, blocks))
        if found is not None:
            return found
        values = []
        for true, false in zip(blocks[::2], blocks[1::2], strict=True):
            if true == full:
                values.append(Truth.TRUE)
            elif false == full:
                values.append(Truth.FALSE)
            elif not true and not false:
                values.append(Truth.UNKNOWN)
            else:
                break
        if len(values) == len(exprs):
            result: Tree = Leaf(tuple(values))
        else:
            third = size // 3
            part = (1 << third) - 1
            groups: dict[tuple[int, ...], list[int]] = {}
            for code in range(3):
                shift = start + code * third
                groups.setdefault(tuple((mask >> shift) & part for mask in masks), []).append(code)
            if len(groups) == 1:
                result = build(depth + 1, start)
            else:
                result = Node(
                    f"c{depth}",
                    tuple(
                        (frozenset(_CODED[c] for c in codes), build(depth + 1, start + codes[0] * third))
                        for codes in groups.values()
                    ),
                )
        memo[(depth, blocks)] = result
        return result

    try:
        return build(0, 0)
    finally:
        memo.clear()  # see decision_tree


def leaves(tree: Tree, path: Path = ()) -> list[tuple[Path, tuple[Truth, ...]]]:
    """The tree's leaves: the condition values leading to each, and its values."""
    if isinstance(tree, Leaf):
        return [(path, tree.values)]
    found = []
    for values, child in tree.branches:
        found.extend(leaves(child, path + ((tree.name, values),)))
    return found


@dataclass(frozen=True)
class Shape:
    """What an item's conditions come to, without its name, its dates or its conditions' ids: the
    routes' and the item's expressions over its conditions' columns, in normal form
    (`logic.normal_form`, columns c0, c1, ... in its order of first mention).  Items with the same
    shape are the same logic, whatever their stage dates, and share one set of engine rules."""

    routes: tuple[logic.Expr, ...]
    expr: logic.Expr

    @property
    def outputs(self) -> tuple[logic.Expr, ...]:
        """What the shape's rules decide: each route's expression, then the item's (once, where
        it is the only route's)."""
        return self.routes if self.routes == (self.expr,) else (*self.routes, self.expr)


def columns(item: Judged) -> dict[str, str]:
    """The fact field that carries each of the item's conditions, listed in the order its
    expression first names them (`Judged.names`, the order a row's letters come in): c0, c1, ... in
    the order its canonical expression (`logic.canonical`) names them, so that expressions written
    differently over conditions of other names are one shape."""
    renaming = logic.canonical(item.expr)[1]
    return {name: renaming[name] for name in item.names}


def shape_of(item: Judged) -> Shape:
    expr, renaming = logic.canonical(item.expr)
    if len(item.routes) == 1 and item.routes[0].expr == item.expr:
        return Shape((expr,), expr)
    return Shape(tuple(logic.renamed(logic.normal_form(route.expr), renaming) for route in item.routes), expr)


def _tree_leaves(exprs: Sequence[logic.Expr], width: int) -> list[tuple[Path, tuple[Truth, ...]]]:
    """The leaves of a decision tree over `width` columns deciding every expression."""
    tree = table_tree(exprs, width) if width <= TABLE_WIDTH else decision_tree(exprs)
    found = leaves(tree)
    if len(found) > MAX_LEAVES:
        raise TooLarge(f"more than {MAX_LEAVES:,} engine rules")
    return found


# The second round's fact says which (in-force, value) pairs the item's routes have on the day:
# one column per pair, "T" if some route has it, else "F"; then what the item's expression came to.
PAIRS = tuple((force, value) for force in Truth for value in Truth)
_PAIR_LETTERS = tuple(CODE[force] + CODE[value] for force, value in PAIRS)


def in_force_exprs() -> tuple[logic.Expr, logic.Expr, logic.Expr]:
    """Over the columns of a second-round fact (c0..c8, whether some route has each of PAIRS;
    c9, what the item's expression came to): some route in force qualifies the person
    (any(all(in force, value)) over the routes), any route is in force, and what the conditions
    come to.  However many routes an item has, these are the same ten columns."""
    flags = [logic.Ref(f"c{index}") for index in range(len(PAIRS))]
    qualifies = logic.Any_(
        tuple(logic.All((flag, logic.Const(logic.all_of(pair)))) for flag, pair in zip(flags, PAIRS, strict=True))
    )
    in_force = logic.Any_(
        tuple(logic.All((flag, logic.Const(pair[0]))) for flag, pair in zip(flags, PAIRS, strict=True))
    )
    return qualifies, in_force, logic.Ref(f"c{len(PAIRS)}")


def second_letters(in_force: str, outcome: str) -> str:
    """A second-round fact's values from each route's in-force on the day and the first round's
    outcome (each route's value, then the item's)."""
    present = {force + value for force, value in zip(in_force, outcome, strict=False)}
    return "".join("T" if pair in present else "F" for pair in _PAIR_LETTERS) + outcome[-1]


# a set of values as a literal's operator and letter: one value is equal to it, two are not the third
_LITERAL = {
    frozenset(values): (None, values[0].value) if len(values) == 1 else ("$neq", (set(Truth) - set(values)).pop().value)
    for values in [(v,) for v in Truth] + [(a, b) for a in Truth for b in Truth if a is not b]
}


@functools.lru_cache(maxsize=None)
def _literal(field_name: str, values: frozenset[Truth]) -> dict[str, Any]:
    """A leaf's test of one field.  One object per distinct test, shared by every rule that makes
    it (thousands do in a large rule base): nothing changes a rule's pattern once made."""
    operator, letter = _LITERAL[values]
    return {field_name: letter} if operator is None else {operator: {field_name: letter}}


# Leaves with the same outcome share a rule: its pattern is `k` and the leaves as alternatives
# (`$or`).  durable_rules refuses (error 113, MAX_SEQUENCE_EXPRESSIONS) a rule of more than 13
# alternatives, whatever each holds (measured); 12 are put in one.  A rule of many alternatives
# holds more of durable_rules' memory than one of a single leaf, but far less than a rule per leaf
# (measured: 71 KiB against 35 KiB, for 7 leaves).
OR_BRANCHES = 12


def _either(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The literals of one leaf, or the leaves as alternatives: what follows `k` in a rule."""
    if len(paths) == 1:
        return [_literal(name, values) for name, values in paths[0]]
    branches: list[dict[str, Any]] = []
    for path in paths:
        literals = [_literal(name, values) for name, values in path]
        branches.append(literals[0] if len(literals) == 1 else {"$and": literals})
    return [{"$or": branches}]


def _grouped(paths: Sequence[tuple[Path, Any]]) -> Iterable[tuple[int, Any, Sequence[Path]]]:
    """Leaves grouped by outcome, at most OR_BRANCHES in a rule: (the rule's number, outcome, leaves)."""
    by_outcome: dict[Any, list[Path]] = {}
    for path, outcome in paths:
        by_outcome.setdefault(outcome, []).append(path)
    number = 0  # numbered in turn across the outcomes: names never collide
    for outcome, group in by_outcome.items():
        for start in range(0, len(group), OR_BRANCHES):
            number += 1
            yield number, outcome, group[start : start + OR_BRANCHES]


def shape_rules(shape: Shape) -> list[tuple[int, str, Sequence[Path]]]:
    """A shape's first-round rules: (number, outcome, leaves), the outcome as letters, one per route
    and one for the item's expression (see Shape.outputs; the last doubled where it is the only
    route's)."""
    outputs = shape.outputs
    width = len(logic.names(shape.expr))
    doubled = len(outputs) == 1
    found = []
    for path, values in _tree_leaves(outputs, width):
        letters = "".join(CODE[v] for v in values)
        found.append((path, letters * 2 if doubled else letters))
    return list(_grouped(found))


def in_force_rules() -> list[tuple[int, tuple[Status, Truth], Sequence[Path]]]:
    """The second-round rules, for every item whatever its number of routes: (number, (status, what
    the conditions come to), leaves)."""
    found = []
    for path, (qualifies, in_force, conditions) in _tree_leaves(in_force_exprs(), len(PAIRS) + 1):
        found.append((path, (status_of(qualifies, in_force), conditions)))
    return list(_grouped(found))


Recorder = Callable[[str, int, Any], Callable[[Any], None]]


@dataclass
class Compiled:
    """A rule base compiled: the ruleset definition; for each item (by key) its shape's code, the
    first day of each of its ranges of days after the first, its routes' in-force on each range (as
    letters), its conditions' fields, and where each column's letter is in a row (whose letters come
    in `Judged.names` order); and the code of the second-round rules."""

    definition: dict[str, Any]
    code: dict[str, int]
    starts: dict[str, list[int]]
    in_force: dict[str, list[str]]
    fields: dict[str, dict[str, str]]
    order: dict[str, tuple[int, ...]]
    shapes: int
    second: int


def compile_rules(items: Iterable[Judged], record: Recorder) -> Compiled:
    """The ruleset definition, in two rounds; every rule matches one fact against constants.

    First round: for each distinct shape, one rule per outcome of its expressions (what each route's
    and the item's expression come to), at most OR_BRANCHES leaves of their decision tree in one
    rule.  A fact names its shape by a code, `k`, and carries the item's condition values.  Items
    whose logic is the same (copies of a law under other names, provisions of the same form with
    other dates, expressions written differently that mean the same) share these rules, named after
    the first item of the shape.

    Second round: for every item, one rule per status and value of the conditions, from
    each route's in-force on the day (found from the item's own stage dates) and the first round's
    outcome: some route in force qualifies the person, or none does, or it is unknown."""
    compiled = Compiled({}, {}, {}, {}, {}, {}, 0, 0)
    shapes: dict[Shape, int] = {}

    def add(rule_name: str, code: int, group: Sequence[Path], payload: Any) -> None:
        if rule_name in compiled.definition:
            raise InternalError(f"two engine rules named {rule_name}")
        compiled.definition[rule_name] = {
            "all": [{"m": {"$and": [{"k": code}, *_either(group)]}}],
            "cap": MAX_BATCH,
            "run": record(rule_name, code, payload),
        }

    for item in items:
        segments = route_segments(item)
        for (_, last, _), (first, _, _) in zip(segments[:-1], segments[1:], strict=True):
            if last is None or first is None or first != last + 1:
                raise InternalError(f"the ranges of days of {item.key} do not follow one another")
        fields = compiled.fields[item.key] = columns(item)
        # a row's letters (Judged.names order) put into the columns' order, c0 first
        position = {column: index for index, column in enumerate(fields.values())}
        compiled.order[item.key] = tuple(position[f"c{j}"] for j in range(len(fields)))
        compiled.starts[item.key] = [first for first, _, _ in segments[1:] if first is not None]
        compiled.in_force[item.key] = ["".join(CODE[v] for v in in_force) for _, _, in_force in segments]
        shape = shape_of(item)
        code = shapes.get(shape)
        if code is None:
            code = shapes[shape] = len(shapes)
            try:
                rules = shape_rules(shape)
            except TooLarge as error:
                raise TooLarge(error.args[0], item.key) from None
            for number, letters, group in rules:
                add(f"{item.key}|{letters}|{number}", code, group, letters)
        compiled.code[item.key] = code
    compiled.shapes = len(shapes)
    code = compiled.second = len(shapes)
    for number, (status, conditions), group in in_force_rules():
        add(f"in force|{status}.{conditions.value}|{number}", code, group, (status, conditions))
    return compiled


def shards(
    definition: Mapping[str, Any], size: Optional[int] = None, limit: Optional[int] = None
) -> list[dict[str, dict[str, Any]]]:
    """The rules split into rulesets of about `size` rules (RULESET_SIZE), in order, never
    splitting the rules of one provision or reading (a rule's name starts with its key and a '|'),
    which may not exceed `limit` (RULESET_LIMIT) on their own."""
    size, limit = size or RULESET_SIZE, limit or RULESET_LIMIT
    groups: dict[str, dict[str, Any]] = {}
    for rule_name, rule in definition.items():
        groups.setdefault(rule_name.split("|", 1)[0], {})[rule_name] = rule
    found: list[dict[str, dict[str, Any]]] = [{}]
    for key, group in groups.items():
        if len(group) > limit:
            raise TooLarge(
                f"{len(group):,} engine rules, more than the {limit:,} durable_rules takes in one ruleset", key
            )
        if found[-1] and len(found[-1]) + len(group) > size:
            found.append({})
        found[-1].update(group)
    return found


class Engine:
    """A compiled rule base registered once on the process's host, as one or more rulesets."""

    def __init__(self, rules: RuleBase, name: Optional[str] = None):
        self.name = name or f"eligibility_{rules.digest}"
        self._inbox: list[tuple[str, int, Any, str]] = []  # (fact id, code, payload, rule) per firing
        try:
            compiled = compile_rules(rules.judged.values(), self._recorder)
            parts = shards(compiled.definition)
        except TooLarge as error:
            key = error.args[1]
            provision = rules.judged[key].provision.id
            raise InputError(
                str(rules.files.get(provision, provision)),
                "when",
                f"expected conditions that compile into at most {MAX_LEAVES:,} engine rules and "
                f"{RULESET_LIMIT:,} in all, got {error.args[0]} (simplify the expression, or split "
                "the provision)",
            ) from None
        self.definition, self.fields, self.shapes = compiled.definition, compiled.fields, compiled.shapes
        self.codes, self.starts, self.in_force = compiled.code, compiled.starts, compiled.in_force
        self.second = compiled.second  # the code of the second-round rules
        self.order = compiled.order
        # One ruleset per shard: the first keeps the engine's name, the others add '#2', '#3', ...
        self.rulesets = [self.name if n == 0 else f"{self.name}#{n + 1}" for n in range(len(parts))]
        # a rule's code -> what its rules are named after (the first item of a shape, or the
        # second round's "in force"), for error messages
        self.named = {
            rule["all"][0]["m"]["$and"][0]["k"]: name.split("|", 1)[0] for name, rule in self.definition.items()
        }
        self.ruleset_of_code = {
            rule["all"][0]["m"]["$and"][0]["k"]: ruleset
            for ruleset, part in zip(self.rulesets, parts, strict=True)
            for rule in part.values()
        }
        with LOCK:
            for ruleset, part in zip(self.rulesets, parts, strict=True):
                try:
                    # durable_rules deletes each rule's 'run' entry as it registers it: hand it copies.
                    host().register_rulesets({ruleset: {rule_name: dict(rule) for rule_name, rule in part.items()}})
                except Exception as error:  # an engine limit not known here: named, in one line
                    raise InternalError(
                        f"durable_rules refused a ruleset of {len(part):,} rules: {getattr(error, 'message', error)}"
                    ) from None

    def _recorder(self, rule_name: str, code: int, payload: Any) -> Callable[[Any], None]:
        inbox = self._inbox

        def record(c: Any) -> None:
            matched = c.m
            for fact in matched if isinstance(matched, list) else [matched]:
                inbox.append((fact["id"], code, payload, rule_name))

        return record

    def judge(self, day: date, rows: Sequence[tuple[str, Mapping[str, Truth]]]) -> dict[str, Verdict]:
        """One verdict per (key, condition values by condition id) row, all on the same date."""
        ordinal = day.toordinal()
        verdicts = self.run([(ordinal, key, self.letters(key, values)) for key, values in rows])
        return {key: verdict for (key, _), verdict in zip(rows, verdicts, strict=True)}

    def letters(self, key: str, values: Mapping[str, Truth]) -> str:
        """Condition values given by condition id, as a row holds them."""
        fields = self.fields.get(key)
        if fields is None:
            raise InternalError(f"the engine has no compiled rules for {key!r}")
        if values.keys() != fields.keys():
            raise InternalError(f"condition values for {key!r} do not match its compiled conditions")
        return "".join(CODE[values[name]] for name in fields)

    def run(self, rows: Sequence[Row]) -> list[Verdict]:
        """One verdict per (day ordinal, key, condition values) row, in the rows' order, in two
        rounds of facts: what the item's expressions come to (one fact per shape and values, whatever
        the day), then its status from that and each route's in-force on the day.  Equal facts,
        common across a population, are asserted once per call and share their answer."""
        firsts: dict[tuple[int, str], int] = {}  # (shape, values) -> its first-round fact
        first_facts: list[tuple[int, tuple[str, ...], str]] = []
        seconds: dict[str, int] = {}  # a second-round fact's values -> its fact
        second_facts: list[tuple[int, tuple[str, ...], str]] = []
        plan: list[tuple[int, str]] = []  # per row: its first-round fact, its routes' in-force that day
        for ordinal, key, letters in rows:
            order = self.order.get(key)
            if order is None:
                raise InternalError(f"the engine has no compiled rules for {key!r}")
            if len(letters) != len(order):
                raise InternalError(f"condition values for {key!r} do not match its compiled conditions")
            code = self.codes[key]
            # in the columns' order: items of one shape may name their conditions in other orders,
            # and equal facts must be equal values of the same columns
            ordered = "".join([letters[index] for index in order])
            slot = firsts.get((code, ordered))
            if slot is None:
                slot = firsts[code, ordered] = len(first_facts)
                first_facts.append((code, _fields(len(ordered)), ordered))
            # the range of days the date falls in, among the item's own (its stage dates cut them)
            plan.append((slot, self.in_force[key][bisect_right(self.starts[key], ordinal)]))
        with LOCK:
            outcomes = self._fire(first_facts)
            keys = []
            for slot, in_force in plan:
                letters = second_letters(in_force, outcomes[slot][0])
                if letters not in seconds:
                    seconds[letters] = len(second_facts)
                    second_facts.append((self.second, _fields(len(letters)), letters))
                keys.append(seconds[letters])
            statuses = self._fire(second_facts)
        verdicts: list[Verdict] = []
        for (slot, _), second in zip(plan, keys, strict=True):
            (status, conditions), rule = statuses[second]
            verdicts.append(Verdict(status, conditions, f"{outcomes[slot][1]} + {rule}"))
        return verdicts

    def _retract_quietly(self, by_ruleset: Mapping[str, Sequence[str]]) -> None:
        """After a failed call, retract every fact of the batch one by one, whichever were stored."""
        for ruleset, ids in by_ruleset.items():
            for fact_id in ids:
                try:
                    host().retract_fact(ruleset, {"sid": SESSION, "id": fact_id})
                except Exception:  # noqa: BLE001 - a fact that was never stored cannot be retracted
                    pass
        self._inbox.clear()

    def _fire(self, facts: Sequence[tuple[int, Sequence[str], str]]) -> list[tuple[Any, str]]:
        """Each (code, fields, values) fact's payload and the rule that fired for it, in order."""
        found: list[tuple[Any, str]] = []
        for start in range(0, len(facts), MAX_BATCH):
            found.extend(self._batch(facts[start : start + MAX_BATCH]))
        return found

    def _batch(self, rows: Sequence[tuple[int, Sequence[str], str]]) -> list[tuple[Any, str]]:
        ids = _ids.first(len(rows))
        facts: dict[str, list[dict[str, Any]]] = {}  # by ruleset
        for fact_id, (code, columns, letters) in zip(ids, rows, strict=True):
            fact: dict[str, Any] = {"sid": SESSION, "id": fact_id, "k": code}
            for column, letter in zip(columns, letters, strict=True):
                fact[column] = letter
            facts.setdefault(self.ruleset_of_code[code], []).append(fact)
        if not facts:
            return []
        self._inbox.clear()
        the_host = host()
        asserted: dict[str, list[str]] = {}
        for ruleset, part in facts.items():
            asserted[ruleset] = [fact["id"] for fact in part]
            try:
                state = the_host.assert_facts(ruleset, part)
            except Exception as error:  # MessageNotHandled / MessageObserved / engine errors
                self._retract_quietly(asserted)  # whatever was stored must not refuse the next call's facts
                raise InternalError(f"durable_rules refused the facts: {getattr(error, 'message', error)}") from None
            try:
                the_host.retract_facts(ruleset, [{"sid": SESSION, "id": fact["id"]} for fact in part])
            except Exception as error:
                self._retract_quietly(asserted)
                raise InternalError(
                    f"durable_rules could not retract the facts: {getattr(error, 'message', error)}"
                ) from None
            if isinstance(state, dict) and state.get("exception"):
                raise InternalError(f"a durable_rules action failed: {state['exception']}")
        position = _ids.position
        found: list[Optional[tuple[Any, str]]] = [None] * len(rows)
        for fact_id, code, payload, rule in self._inbox:
            index = position.get(fact_id, len(rows))
            if index >= len(rows) or rows[index][0] != code:
                raise InternalError(
                    f"durable_rules returned a verdict for a fact outside this batch ({rule}, {fact_id})"
                )
            earlier = found[index]
            if earlier is not None:
                raise InternalError(f"two durable_rules rules fired for one fact: {earlier[1]} and {rule}")
            found[index] = (payload, rule)
        self._inbox.clear()
        missing = [index for index, answer in enumerate(found) if answer is None]
        if missing:
            named = dict.fromkeys(self.named[rows[index][0]] for index in missing)
            raise InternalError(f"no durable_rules rule fired for {', '.join(named)}")
        return found  # type: ignore[return-value]


@functools.lru_cache(maxsize=None)
def _fields(count: int) -> tuple[str, ...]:
    """A fact's fields for `count` values: c0, c1, ..."""
    return tuple(f"c{i}" for i in range(count))


def engine_for(rules: RuleBase) -> Engine:
    """The compiled engine for a rule base, compiled once per process."""
    with LOCK:
        found = _engines.get(rules.digest)
        if found is None:
            found = _engines[rules.digest] = Engine(rules)
        return found


def rule_count(item: Judged) -> int:
    """How many engine rules an item's shape compiles into (raises TooLarge as compiling would)."""
    return len(shape_rules(shape_of(item)))


def compile_problem(item: Judged) -> tuple[int, Optional[str]]:
    """How many engine rules an item's shape compiles into, and why it cannot be compiled, or None
    (for `rules check`)."""
    try:
        total = rule_count(item)
    except TooLarge as error:
        return 0, (
            f"expected conditions that compile into at most {MAX_LEAVES:,} engine rules on one range of days, "
            f"got {error.args[0]} (simplify the expression, or split the provision)"
        )
    if total > RULESET_LIMIT:
        return total, (
            f"expected at most {RULESET_LIMIT:,} engine rules for one provision (what durable_rules takes in one "
            f"ruleset), got {total:,} (fewer stage dates or a simpler expression, or split the provision)"
        )
    return total, None
