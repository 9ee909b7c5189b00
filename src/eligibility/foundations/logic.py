"""Three-valued (Kleene) logic and the small language rule files use to combine
their conditions: `all(a, b)`, `any(a, b)`, `not(a)`, and condition ids.

An unknown never hides a definite answer: `all` is false as soon as one part is
false, `any` is true as soon as one part is true, whatever the unknowns.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Callable, Iterable, Literal, Mapping, Optional, Union

from eligibility.foundations.vocabulary import Status, Value


class Truth(str, enum.Enum):
    TRUE = "T"
    FALSE = "F"
    UNKNOWN = "U"

    @property
    def word(self) -> Value:
        return _WORDS[self._value_]

    def __invert__(self) -> "Truth":
        return {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(self, Truth.UNKNOWN)

    @staticmethod
    def of(value: bool | None) -> "Truth":
        return UNKNOWN if value is None else TRUE if value else FALSE


_WORDS: dict[str, Value] = {"T": "yes", "F": "no", "U": "unknown"}

# The members as plain names: `Truth.TRUE` is an attribute lookup on the enum class, which
# costs more than the rest of a small test; the hot paths use these.
TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
truth = Truth.of


def all_of(values: Iterable[Truth]) -> Truth:
    result = TRUE
    for value in values:
        if value is FALSE:
            return FALSE
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def any_of(values: Iterable[Truth]) -> Truth:
    result = FALSE
    for value in values:
        if value is TRUE:
            return TRUE
        if value is UNKNOWN:
            result = UNKNOWN
    return result


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class All:
    parts: tuple["Expr", ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple["Expr", ...]


@dataclass(frozen=True)
class Not:
    part: "Expr"


@dataclass(frozen=True)
class Const:
    """A fixed value (never written in rule files: the engine puts a route's in-force here)."""

    value: Truth


Expr = Union[Ref, All, Any_, Not, Const]


def status_of(qualifies: Truth, in_force: Truth) -> Status:
    """A provision's status from whether some route in force qualifies the person, and whether
    any route is in force.  For one route this is the documented precedence: certainly not in
    force > a false condition > unknown > applies."""
    if qualifies is TRUE:
        return "applies"
    if qualifies is UNKNOWN:
        return "undetermined"
    return "not_in_force" if in_force is FALSE else "does_not_apply"


def compiled(expr: Expr, of: Optional[str] = None) -> Callable[[Mapping[str, Any]], Truth]:
    """The expression as a function of the condition values: `evaluate` without re-reading the tree.

    With `of`, the mapping holds objects whose attribute of that name is the value (the
    evaluator passes the tests' findings, `of="value"`)."""
    if isinstance(expr, Const):
        constant = expr.value
        return lambda values: constant
    if isinstance(expr, Ref):
        name = expr.name
        if of is None:
            return lambda values: values[name]
        read = attrgetter(of)
        return lambda values: read(values[name])
    if isinstance(expr, Not):
        inner = compiled(expr.part, of)
        return lambda values: ~inner(values)
    parts = tuple(compiled(part, of) for part in expr.parts)
    # all: false wins, else unknown, else true; any: true wins, else unknown, else false
    wins, otherwise = (FALSE, TRUE) if isinstance(expr, All) else (TRUE, FALSE)
    unknown = UNKNOWN

    def combine(values: Mapping[str, Any]) -> Truth:
        result = otherwise
        for part in parts:
            value = part(values)
            if value is wins:
                return wins
            if value is unknown:
                result = unknown
        return result

    return combine


def evaluate(expr: Expr, values: Mapping[str, Truth]) -> Truth:
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Ref):
        return values[expr.name]
    if isinstance(expr, All):
        return all_of(evaluate(part, values) for part in expr.parts)
    if isinstance(expr, Any_):
        return any_of(evaluate(part, values) for part in expr.parts)
    return ~evaluate(expr.part, values)


def renamed(expr: Expr, names: Mapping[str, str]) -> Expr:
    """The expression with each condition id replaced by its new name."""
    if isinstance(expr, Const):
        return expr
    if isinstance(expr, Ref):
        return Ref(names[expr.name])
    if isinstance(expr, Not):
        return Not(renamed(expr.part, names))
    parts = tuple(renamed(part, names) for part in expr.parts)
    return All(parts) if isinstance(expr, All) else Any_(parts)


def normal_form(expr: Expr) -> Expr:
    """The same expression in a form that does not depend on how it was written: `not` pushed
    down to the conditions (De Morgan's laws and `not(not(a)) = a` hold in Kleene logic), nested
    `all`s and `any`s flattened, and the parts of each sorted by their form with the condition ids
    left out (ties keep their order).  Expressions that differ only in those ways, and in the
    names of their conditions, come out alike once renamed in order of first mention; the engine
    shares their rules."""

    def down(part: Expr, negated: bool) -> Expr:
        if isinstance(part, Const):
            return Const(~part.value) if negated else part
        if isinstance(part, Ref):
            return Not(part) if negated else part
        if isinstance(part, Not):
            return down(part.part, not negated)
        conjunction = isinstance(part, All) != negated
        kind = All if conjunction else Any_
        flat: list[Expr] = []
        for child in part.parts:
            child = down(child, negated)
            flat.extend(child.parts if isinstance(child, kind) else (child,))
        flat.sort(key=_form)
        return flat[0] if len(flat) == 1 else kind(tuple(flat))

    return down(expr, False)


def canonical(expr: Expr) -> tuple[Expr, dict[str, str]]:
    """The expression's normal form with its conditions renamed c0, c1, ... in order of first
    mention, and that renaming (condition id -> column).  Two expressions that differ only in how
    they were written and in their conditions' names have the same canonical expression."""
    normal = normal_form(expr)
    renaming = {name: f"c{index}" for index, name in enumerate(names(normal))}
    return renamed(normal, renaming), renaming


def _form(expr: Expr) -> str:
    """An expression written with every condition id as "?" (the sort key of `normal_form`)."""
    if isinstance(expr, Const):
        return expr.value.value
    if isinstance(expr, Ref):
        return "?"
    if isinstance(expr, Not):
        return "not(" + _form(expr.part) + ")"
    return ("all(" if isinstance(expr, All) else "any(") + ",".join(_form(part) for part in expr.parts) + ")"


def names(expr: Expr) -> list[str]:
    """The condition ids an expression mentions, in order of first mention."""
    seen: dict[str, None] = {}
    stack = [expr]
    while stack:  # depth first, left to right
        part = stack.pop()
        if isinstance(part, Ref):
            seen.setdefault(part.name)
        elif isinstance(part, Not):
            stack.append(part.part)
        elif not isinstance(part, Const):
            stack.extend(reversed(part.parts))
    return list(seen)


def deciding(expr: Expr, values: Mapping[str, Truth]) -> list[tuple[Expr, bool]]:
    """What makes an expression come to its value (true or false; nothing for unknown): each a
    condition (a `Ref`), or a combination standing under a `not` as one exclusion, with whether it
    counts as written (True) or under a `not` (False).  A false `all` is decided by its false
    parts, a false `any` by every part, a true `all` by every part, a true `any` by its true parts.
    `all(foreign, not(belarusian))`, false because the person is Belarusian, is decided by
    (Ref("belarusian"), False): he is excluded by holding it, not failing it; and
    `not(all(convicted, not(expunged)))`, false for an unexpunged conviction, by that combination."""
    want = evaluate(expr, values)
    found: dict[tuple[Expr, bool], None] = {}

    def walk(part: Expr, wanted: Truth, positive: bool) -> None:
        if isinstance(part, Const):
            return
        if isinstance(part, Ref):
            if values[part.name] is wanted:
                found[part, positive] = None
            return
        if isinstance(part, Not):
            if isinstance(part.part, Ref):
                walk(part.part, ~wanted, not positive)
            else:  # a combination under a `not` excludes (or not) as a whole
                found[part.part, not positive] = None
            return
        deciders = FALSE if isinstance(part, All) else TRUE  # the value one part decides the whole with
        for child in part.parts:
            if wanted is not deciders or evaluate(child, values) is wanted:
                walk(child, wanted, positive)

    if want is not UNKNOWN:
        walk(expr, want, True)
    return list(found)


Counts = Literal["required", "excludes", "either"]


def polarity(expr: Expr) -> dict[str, Counts]:
    """How each condition counts in an expression: "required" (holding it helps the person
    qualify), "excludes" (it stands under a `not` of its own: holding it rules the person out), or
    "either" (it stands both ways, or inside a combination under a `not`, where what it does depends
    on the others: `not(all(convicted, not(expunged)))`)."""
    found: dict[str, Counts] = {}

    def walk(part: Expr, positive: bool, combined: bool) -> None:
        if isinstance(part, Ref):
            way: Counts = "either" if combined else "required" if positive else "excludes"
            found[part.name] = way if found.get(part.name, way) == way else "either"
        elif isinstance(part, Not):
            walk(part.part, not positive, combined or not isinstance(part.part, Ref))
        elif isinstance(part, (All, Any_)):
            for child in part.parts:
                walk(child, positive, combined)

    walk(expr, True, False)
    return found


def written(expr: Expr) -> str:
    if isinstance(expr, Const):
        return expr.value.word
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Not):
        return f"not({written(expr.part)})"
    word = "all" if isinstance(expr, All) else "any"
    return f"{word}({', '.join(written(part) for part in expr.parts)})"


_TOKEN = re.compile(r"\s*(?:(?P<name>[a-z][a-z0-9-]*)|(?P<punct>[(),])|(?P<bad>\S))")
_MAX_DEPTH = 32


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        for match in _TOKEN.finditer(text):
            if match.group("bad"):
                raise ValueError(
                    f"expected condition ids, all(, any(, not(, commas and parentheses, "
                    f"found {match.group('bad')!r} at position {match.start('bad') + 1}"
                )
            kind = "name" if match.group("name") else "punct"
            self.tokens.append((kind, match.group(kind), match.start(kind) + 1))
        self.at = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ValueError(f"the expression ends early; expected {want or 'a condition id'}")
        if want is not None and token[1] != want:
            raise ValueError(f"expected {want!r} at position {token[2]}, found {token[1]!r}")
        self.at += 1
        return token

    def expr(self, depth: int = 0) -> Expr:
        if depth > _MAX_DEPTH:
            raise ValueError(f"expected an expression nested at most {_MAX_DEPTH} levels deep")
        kind, word, position = self.take()
        if kind != "name":
            raise ValueError(f"expected a condition id or all(/any(/not( at position {position}, found {word!r}")
        following = self.peek()
        if word in ("all", "any", "not") and following is not None and following[1] == "(":
            self.take("(")
            parts = [self.expr(depth + 1)]
            while (token := self.peek()) is not None and token[1] == ",":
                self.take(",")
                parts.append(self.expr(depth + 1))
            self.take(")")
            if word == "not":
                if len(parts) != 1:
                    raise ValueError(f"expected exactly one part inside not(...) at position {position}")
                return Not(parts[0])
            if len(parts) < 2:
                raise ValueError(f"expected at least two parts inside {word}(...) at position {position}")
            return All(tuple(parts)) if word == "all" else Any_(tuple(parts))
        return Ref(word)


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Expr:
    """Parse a condition expression; ValueError says what was expected and where.  An expression is
    parsed once per process (a rule file's `when` is read for each account of it); the result is
    immutable, so it is shared."""
    parser = _Parser(text)
    if not parser.tokens:
        raise ValueError("an expression such as all(a, any(b, c)); got an empty one")
    expr = parser.expr()
    rest = parser.peek()
    if rest is not None:
        raise ValueError(f"expected the end of the expression at position {rest[2]}, found {rest[1]!r}")
    return expr
