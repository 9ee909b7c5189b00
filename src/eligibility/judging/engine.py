"""The inference engine: the rule base compiled into durable_rules rulesets.

This is the only module that talks to durable_rules.  For every provision (and
every other reading of one) it compiles rules that together cover every day and
every combination of condition values, exactly once.  In-force is compiled from the
stage dates of each of the item's routes into day ranges over the query date; on
each range, what the conditions come to (does some route in force qualify the
person, and would any route qualify them) is compiled from the rule file's `when`
expressions into a decision tree over the condition values.  Each rule's action
records the verdict its leaf stands for.

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
# durable_rules caps one rule's expression sequence at 32 entries (MAX_SEQUENCE_EXPRESSIONS,
# error 113), so a `when` expression is not compiled into one large pattern.  It is split
# into a decision tree over the condition values; each leaf is a small conjunction, the
# leaves are disjoint, and each becomes its own rule.


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


MAX_LEAVES = 2_000  # engine rules one expression may compile into, on one range of days


class TooLarge(Exception):
    """An expression whose decision tree would have more than MAX_LEAVES leaves."""


def decision_tree(
    exprs: Sequence[logic.Expr], fixed: Optional[dict[str, Truth]] = None, budget: int = MAX_LEAVES
) -> Tree:
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
            if result[1] > budget:
                raise TooLarge(f"more than {budget:,} engine rules")
        memo[current] = result
        return result

    try:
        return build(tuple(simplify(expr, fixed or {}) for expr in exprs))[0]
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
    rows where it is false, as bit sets."""
    found = []
    for i in range(width):
        true = false = 0
        for row in range(3**width):
            digit = (row // 3 ** (width - 1 - i)) % 3
            if digit == 2:
                true |= 1 << row
            elif digit == 0:
                false |= 1 << row
        found.append((true, false))
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


def qualifies_expr(routes: Sequence[logic.Expr], in_force: Sequence[Truth]) -> logic.Expr:
    """Some route in force qualifies the person: any(all(route in force, route's expression))."""
    parts = tuple(logic.All((logic.Const(value), expr)) for expr, value in zip(routes, in_force, strict=True))
    return parts[0] if len(parts) == 1 else logic.Any_(parts)


Segments = list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]]


@dataclass(frozen=True)
class Shape:
    """What an item's rules depend on, without its name, its dates or its conditions' ids: each
    range of days' in-force values (one per route), and the routes' and the item's expressions
    over its conditions' columns (c0, c1, ... in order of first mention).  Items with the same
    shape are the same logic, and share one set of engine rules."""

    in_force: tuple[tuple[Truth, ...], ...]
    routes: tuple[logic.Expr, ...]
    expr: logic.Expr


def columns(item: Judged, normal: Optional[logic.Expr] = None) -> dict[str, str]:
    """The fact field that carries each of the item's conditions, listed in the order its
    expression first names them (`Judged.names`, the order a row's letters come in): c0, c1, ... in
    the order the expression's normal form (`logic.normal_form`; `normal` if given) first names
    them, so that expressions written differently over conditions of other names are one shape."""
    normal = logic.normal_form(item.expr) if normal is None else normal
    canonical = {name: f"c{index}" for index, name in enumerate(logic.names(normal))}
    return {name: canonical[name] for name in item.names}


def shape_of(item: Judged, segments: Optional[Segments] = None, fields: Optional[dict[str, str]] = None) -> Shape:
    """The item's shape; `fields`, its `columns` if already worked out."""
    normal = logic.normal_form(item.expr)
    fields = columns(item, normal) if fields is None else fields
    if len(item.routes) == 1 and item.routes[0].expr == item.expr:
        routes: tuple[logic.Expr, ...] = (logic.renamed(normal, fields),)
    else:
        routes = tuple(logic.renamed(logic.normal_form(route.expr), fields) for route in item.routes)
    return Shape(
        tuple(in_force for _, _, in_force in (segments if segments is not None else route_segments(item))),
        routes,
        routes[0] if len(item.routes) == 1 and item.routes[0].expr == item.expr else logic.renamed(normal, fields),
    )


def _shape_paths(
    shape: Shape, memo: dict[tuple[logic.Expr, ...], list[tuple[Path, tuple[Truth, ...]]]]
) -> list[list[tuple[Path, tuple[Truth, ...]]]]:
    """For each range of days, the leaves of the decision tree over the conditions (memo: the same
    expressions decided once)."""
    found = []
    for in_force in shape.in_force:
        exprs = (qualifies_expr(shape.routes, in_force), shape.expr)
        paths = memo.get(exprs)
        if paths is None:
            width = len(logic.names(shape.expr))
            tree = table_tree(exprs, width) if width <= TABLE_WIDTH else decision_tree(exprs)
            paths = memo[exprs] = leaves(tree)
            if len(paths) > MAX_LEAVES:
                raise TooLarge(f"more than {MAX_LEAVES:,} engine rules")
        found.append(paths)
    return found


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


# Leaves with the same outcome on a range of days share a rule: its pattern is `k`, `s` and the
# leaves as alternatives (`$or`).  durable_rules refuses (error 113, MAX_SEQUENCE_EXPRESSIONS) a
# rule of more than 13 alternatives beside `k` and `s`, whatever each holds (measured); 12 are
# put in one.  A rule of many alternatives holds more of durable_rules' memory than one of a
# single leaf, but far less than a rule per leaf (measured: 71 KiB against 35 KiB, for 7 leaves).
OR_BRANCHES = 12


def _either(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The literals of one leaf, or the leaves as alternatives: what follows `k` and `s` in a rule."""
    if len(paths) == 1:
        return [_literal(name, values) for name, values in paths[0]]
    branches: list[dict[str, Any]] = []
    for path in paths:
        literals = [_literal(name, values) for name, values in path]
        branches.append(literals[0] if len(literals) == 1 else {"$and": literals})
    return [{"$or": branches}]


def _grouped(
    in_force: Sequence[tuple[Truth, ...]], per_range: Sequence[list[tuple[Path, tuple[Truth, ...]]]]
) -> Iterable[tuple[int, Truth, int, tuple[Status, Truth], Sequence[Path]]]:
    """A shape's rules: for each range of days, its leaves grouped by outcome (status, what the
    conditions come to), at most OR_BRANCHES in a rule, as (range, in force on it, the rule's
    number within the range, outcome, leaves)."""
    for span, (values, paths) in enumerate(zip(in_force, per_range, strict=True)):
        any_in_force = logic.any_of(values)
        by_outcome: dict[tuple[Status, Truth], list[Path]] = {}
        for path, (qualifies, conditions) in paths:
            by_outcome.setdefault((status_of(qualifies, any_in_force), conditions), []).append(path)
        number = 0  # numbered in turn across the range's outcomes: names never collide
        for outcome, group in by_outcome.items():
            for start in range(0, len(group), OR_BRANCHES):
                number += 1
                yield span, any_in_force, number, outcome, group[start : start + OR_BRANCHES]


Recorder = Callable[[str, int, Status, Truth], Callable[[Any], None]]


@dataclass
class Compiled:
    """A rule base compiled: the ruleset definition, and for each item (by key) its shape's code,
    the first day of each of its ranges of days after the first, and its conditions' fields."""

    definition: dict[str, Any]
    code: dict[str, int]
    starts: dict[str, list[int]]
    fields: dict[str, dict[str, str]]
    shapes: int


def compile_rules(items: Iterable[Judged], record: Recorder) -> Compiled:
    """The ruleset definition: for each distinct shape, one rule per (range of days) x (leaf of the
    conditions' decision tree); every rule is a conjunction of constants over a single fact.

    A fact names its shape by a code, `k`, and its range of days by its position, `s` (found from
    the item's own stage dates); a rule is named after the first item with its shape.  Items whose
    logic is the same (copies of a law under other names, provisions of the same form with other
    dates) share their rules."""
    compiled = Compiled({}, {}, {}, {}, 0)
    shapes: dict[Shape, int] = {}
    memo: dict[tuple[logic.Expr, ...], list[tuple[Path, tuple[Truth, ...]]]] = {}  # the same expressions, once
    for item in items:
        segments = route_segments(item)
        for (_, last, _), (first, _, _) in zip(segments[:-1], segments[1:], strict=True):
            if last is None or first is None or first != last + 1:
                raise InternalError(f"the ranges of days of {item.key} do not follow one another")
        fields = compiled.fields[item.key] = columns(item)
        compiled.starts[item.key] = [first for first, _, _ in segments[1:] if first is not None]
        shape = shape_of(item, segments, fields)
        code = shapes.get(shape)
        if code is None:
            code = shapes[shape] = len(shapes)
            try:
                per_range = _shape_paths(shape, memo)
            except TooLarge as error:
                raise TooLarge(error.args[0], item.key) from None
            for span, any_in_force, number, (status, conditions), group in _grouped(shape.in_force, per_range):
                pattern = [{"k": code}, {"s": span}] + _either(group)
                rule_name = f"{item.key}|{any_in_force.value}{conditions.value}|{span}.{number}"
                if rule_name in compiled.definition:
                    raise InternalError(f"two engine rules named {rule_name}")
                compiled.definition[rule_name] = {
                    "all": [{"m": {"$and": pattern}}],
                    "cap": MAX_BATCH,
                    "run": record(rule_name, code, status, conditions),
                }
        compiled.code[item.key] = code
    compiled.shapes = len(shapes)
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
        self._inbox: list[tuple[str, int, Verdict]] = []
        try:
            compiled = compile_rules(rules.judged.values(), self._recorder)
            parts = shards(compiled.definition)
        except TooLarge as error:
            key = error.args[1]
            provision = rules.judged[key].provision.id
            raise InputError(
                str(rules.files.get(provision, provision)),
                "when",
                f"expected conditions that compile into at most {MAX_LEAVES:,} engine rules on one range "
                f"of days and {RULESET_LIMIT:,} in all, got {error.args[0]} (simplify the expression, or split "
                "the provision)",
            ) from None
        self.definition, self.fields, self.shapes = compiled.definition, compiled.fields, compiled.shapes
        self.codes, self.starts = compiled.code, compiled.starts
        self.columns = {key: tuple(fields.values()) for key, fields in self.fields.items()}
        # One ruleset per shard: the first keeps the engine's name, the others add '#2', '#3', ...
        self.rulesets = [self.name if n == 0 else f"{self.name}#{n + 1}" for n in range(len(parts))]
        of_code = {
            rule["all"][0]["m"]["$and"][0]["k"]: ruleset
            for ruleset, part in zip(self.rulesets, parts, strict=True)
            for rule in part.values()
        }
        self.ruleset_of = {key: of_code[code] for key, code in self.codes.items()}
        with LOCK:
            for ruleset, part in zip(self.rulesets, parts, strict=True):
                try:
                    # durable_rules deletes each rule's 'run' entry as it registers it: hand it copies.
                    host().register_rulesets({ruleset: {rule_name: dict(rule) for rule_name, rule in part.items()}})
                except Exception as error:  # an engine limit not known here: named, in one line
                    raise InternalError(
                        f"durable_rules refused a ruleset of {len(part):,} rules: {getattr(error, 'message', error)}"
                    ) from None

    def _recorder(self, rule_name: str, code: int, status: Status, conditions: Truth) -> Callable[[Any], None]:
        inbox = self._inbox
        verdict = Verdict(status, conditions, rule_name)

        def record(c: Any) -> None:
            matched = c.m
            for fact in matched if isinstance(matched, list) else [matched]:
                inbox.append((fact["id"], code, verdict))

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
        """One verdict per (day ordinal, key, condition values) row, in the rows' order.

        Rows that are the same fact (same provision, day and condition values, as happens
        often across a population) are asserted once per call, and share its verdict."""
        distinct: dict[Row, int] = {}
        unique: list[Row] = []
        slots: list[int] = []
        for row in rows:
            slot = distinct.get(row)
            if slot is None:
                slot = distinct[row] = len(unique)
                unique.append(row)
            slots.append(slot)
        verdicts: list[Verdict] = []
        with LOCK:
            for start in range(0, len(unique), MAX_BATCH):
                verdicts.extend(self._batch(unique[start : start + MAX_BATCH]))
        return [verdicts[slot] for slot in slots]

    def _retract_quietly(self, by_ruleset: Mapping[str, Sequence[str]]) -> None:
        """After a failed call, retract every fact of the batch one by one, whichever were stored."""
        for ruleset, ids in by_ruleset.items():
            for fact_id in ids:
                try:
                    host().retract_fact(ruleset, {"sid": SESSION, "id": fact_id})
                except Exception:  # noqa: BLE001 - a fact that was never stored cannot be retracted
                    pass
        self._inbox.clear()

    def _batch(self, rows: Sequence[Row]) -> list[Verdict]:
        ids = _ids.first(len(rows))
        facts: dict[str, list[dict[str, Any]]] = {}  # by ruleset
        for fact_id, (ordinal, key, letters) in zip(ids, rows, strict=True):
            columns = self.columns.get(key)
            if columns is None:
                raise InternalError(f"the engine has no compiled rules for {key!r}")
            if len(letters) != len(columns):
                raise InternalError(f"condition values for {key!r} do not match its compiled conditions")
            # the range of days the date falls in, among the item's own (its stage dates cut them)
            span = bisect_right(self.starts[key], ordinal)
            fact: dict[str, Any] = {"sid": SESSION, "id": fact_id, "k": self.codes[key], "s": span}
            for column, letter in zip(columns, letters, strict=True):
                fact[column] = letter
            facts.setdefault(self.ruleset_of[key], []).append(fact)
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
        found: list[Optional[Verdict]] = [None] * len(rows)
        for fact_id, code, verdict in self._inbox:
            index = position.get(fact_id, len(rows))
            if index >= len(rows) or self.codes[rows[index][1]] != code:
                raise InternalError(
                    f"durable_rules returned a verdict for a fact outside this batch ({verdict.rule}, {fact_id})"
                )
            key = rows[index][1]
            earlier = found[index]
            if earlier is not None:
                raise InternalError(f"two durable_rules rules fired for {key}: {earlier.rule} and {verdict.rule}")
            found[index] = verdict
        self._inbox.clear()
        missing = [rows[index][1] for index, verdict in enumerate(found) if verdict is None]
        if missing:
            raise InternalError(f"no durable_rules rule fired for {', '.join(dict.fromkeys(missing))}")
        return found  # type: ignore[return-value]


def engine_for(rules: RuleBase) -> Engine:
    """The compiled engine for a rule base, compiled once per process."""
    with LOCK:
        found = _engines.get(rules.digest)
        if found is None:
            found = _engines[rules.digest] = Engine(rules)
        return found


def rule_count(item: Judged) -> int:
    """How many engine rules an item's shape compiles into (raises TooLarge as compiling would)."""
    shape = shape_of(item)
    return sum(1 for _ in _grouped(shape.in_force, _shape_paths(shape, {})))


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
