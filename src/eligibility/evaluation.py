"""Judging a profile on a date: facts → engine verdicts → explanation.

For each provision the condition tests are read off the profile (three-valued,
with the facts used and the facts missing).  The durable_rules engine turns those
values and the date into a verdict.  The same rule data is folded in Python for
the explanation; the two must agree on every provision, or the run stops with an
InternalError.  Family members are judged first, on the same date.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Iterable, Iterator, NamedTuple, Optional, Sequence

from . import logic
from .engine import Engine, Verdict, engine_for
from .errors import InternalError
from .logic import UNKNOWN, Truth, status_of
from .predicates import Carrier, Facts, Finding, MemberVerdict, handler
from .profile import Profile
from .rulebase import FamilyTest, Judged, RuleBase
from .validity import Validity, validity
from .vocabulary import Held, Status, UnknownKind

HELD: dict[Truth, Held] = {Truth.TRUE: "held", Truth.FALSE: "failed", Truth.UNKNOWN: "unknown"}
_VALUE = attrgetter("value")  # a finding's value; a Truth is its letter, so "".join gives the engine's row


class _Would:
    """A finding seen as it would be if the family members' provisions were in force."""

    __slots__ = ("value",)

    def __init__(self, finding: Finding):
        self.value = finding.value if finding.would is None else finding.would


def python_status(in_force: Truth, conditions: Truth) -> Status:
    """One route's status: certainly not in force > a false condition > unknown > applies."""
    return status_of(logic.all_of((in_force, conditions)), in_force)


_STATUS = {(i, c): python_status(i, c) for i in Truth for c in Truth}  # one route, looked up in the hot path


class RouteJudgement(NamedTuple):
    validity: Validity
    conditions: Truth

    @property
    def qualifies(self) -> Truth:
        return logic.all_of((self.validity.value, self.conditions))

    @property
    def status(self) -> Status:
        return status_of(self.qualifies, self.validity.value)


class Judgement(NamedTuple):
    """One provision (or reading) judged: both paths' results and what explains them."""

    item: Judged
    findings: dict[str, Finding]
    validity: Validity  # the item's in-force: some route in force (the route that decided)
    conditions: Truth  # what the conditions come to, whatever is in force
    status: Status
    engine_rule: str
    routes: tuple[RouteJudgement, ...] = ()  # empty for an item with one route (the common case)
    would: Optional[Truth] = None  # "would qualify" when family members' provisions are counted in force

    @property
    def per_route(self) -> tuple[RouteJudgement, ...]:
        """Each route's in-force and conditions (one route: the item's own)."""
        return self.routes or (RouteJudgement(self.validity, self.conditions),)

    @property
    def would_qualify(self) -> Truth:
        return self.conditions if self.would is None else self.would

    @property
    def carriers(self) -> list[Carrier]:
        """The family members whose own provisions carried a family condition."""
        return [c for f in self.findings.values() for c in f.carried_by]

    @property
    def missing(self) -> list[str]:
        if self.status != "undetermined":
            return []
        found: dict[str, None] = {}  # ordered and without repeats, in linear time
        for name in self.item.names:
            f = self.findings[name]
            if f.value is UNKNOWN:
                found.update(dict.fromkeys(f.missing))
        return list(found)


class Unknown(NamedTuple):
    """One reason an undetermined answer is unknown."""

    kind: UnknownKind
    about: str  # a condition id, or "in_force"
    route: Optional[str]
    detail: str
    fields: tuple[str, ...] = ()


def unknowns(judgement: "Judgement") -> list[Unknown]:
    """Why an undetermined judgement is unknown: for each route that might qualify the person,
    its in-force and its unknown conditions, each with its kind."""
    if judgement.status != "undetermined":
        return []
    item = judgement.item
    found: list[Unknown] = []
    seen: set[str] = set()
    for route, judged in zip(item.routes, judgement.per_route, strict=True):
        if judged.qualifies is not UNKNOWN:
            continue
        v = judged.validity
        if v.value is UNKNOWN:
            found.append(Unknown(v.unknown or "open_question", "in_force", route.id, v.detail or v.explanation))
        if judged.conditions is not UNKNOWN:
            continue
        for name in logic.names(route.expr):
            f = judgement.findings[name]
            if f.value is not UNKNOWN or name in seen:
                continue
            seen.add(name)
            says = item.condition_map[name].says
            if f.missing:
                found.append(
                    Unknown("missing_fact", name, route.id, f"{', '.join(f.missing)} (for '{says}')", f.missing)
                )
            if f.note:
                found.append(Unknown("open_question", name, route.id, f.note))
            if f.imprecise:
                found.append(Unknown("imprecise_date", name, route.id, f.imprecise))
            if not (f.missing or f.note or f.imprecise):
                found.append(Unknown("open_question", name, route.id, f"the facts given do not settle '{says}'"))
    return found


def _overall(routes: Sequence[RouteJudgement]) -> Validity:
    """The item's in-force: any route in force, told by the first route with that value."""
    value = logic.any_of(r.validity.value for r in routes)
    return next(r.validity for r in routes if r.validity.value is value)


class Evaluator:
    VALIDITY_DAYS = 5_000  # days whose in-force answers are kept; they depend on nothing else

    def __init__(self, rules: RuleBase, engine: Optional[Engine] = None):
        self.rules = rules
        self.engine = engine or engine_for(rules)
        self._validity: dict[int, dict[str, tuple[Validity, ...]]] = {}  # day ordinal -> key -> each route's in force
        # For each provision or reading, worked out once: its compiled `when`, and for each
        # condition it uses (condition id, slot, its test's function, the test).  Equal tests in
        # different provisions share a slot, so a profile-date runs each distinct test once.
        slots: dict[str, int] = {}
        self._plans = {
            key: (
                item.decide,
                tuple(
                    (
                        name,
                        slots.setdefault(repr((test, item.condition_map[name].unsettled_if_failed)), len(slots)),
                        handler(item.condition_map[name]),
                        test,
                    )
                    for name, test in item.tests
                ),
                len(item.routes) == 1,
                any(isinstance(test, FamilyTest) for _, test in item.tests),
            )
            for key, item in rules.judged.items()
        }
        self._slots = len(slots)
        for key, (_, plan, _, _) in self._plans.items():
            # the engine reads a row's values in this order: the findings must come in it too
            if tuple(name for name, *_ in plan) != tuple(self.engine.fields.get(key, ())):
                raise InternalError(f"the engine and the evaluator list the conditions of {key!r} in different orders")

    # -- judging ------------------------------------------------------------------------

    def judge(self, profile: Profile, day: date, keys: Optional[Iterable[str]] = None) -> dict[str, Judgement]:
        return self.judge_many([(profile, day)], keys)[0]

    def judge_many(
        self, cases: Sequence[tuple[Profile, date]], keys: Optional[Iterable[str]] = None, engine: bool = True
    ) -> list[dict[str, Judgement]]:
        """Judge many (profile, day) cases with one engine run: the same as judging each alone.

        Family members are judged first, all of them in one run per level of nesting, on the
        provisions the family conditions name.  `engine=False` skips durable_rules and takes the
        Python fold's status: no command does that; the benchmark uses it to measure the engine."""
        items = [self.rules.judged[k] for k in keys] if keys is not None else list(self.rules.judged.values())
        members = self._members(cases, items, engine)
        prepared = [(day, self._prepare(profile, day, items, members[n])) for n, (profile, day) in enumerate(cases)]
        if not engine:
            return [{j.item.key: j for j in judged} for _, judged in prepared]
        rows = []
        for day, judged in prepared:
            ordinal = day.toordinal()
            for j in judged:
                rows.append((ordinal, j.item.key, "".join(map(_VALUE, j.findings.values()))))
                if j.would is not None:  # the same item with family members' provisions counted in force
                    rows.append(
                        (
                            ordinal,
                            j.item.key,
                            "".join(f.value.value if f.would is None else f.would.value for f in j.findings.values()),
                        )
                    )
        verdicts = iter(self.engine.run(rows))
        return [self._conclude(day, judged, verdicts) for day, judged in prepared]

    def _members(
        self, cases: Sequence[tuple[Profile, date]], items: list[Judged], engine: bool = True
    ) -> list[dict[tuple[int, str], MemberVerdict]]:
        """For each case, the verdicts of its family members on the provisions family conditions name."""
        wanted = sorted(
            {
                provision
                for item in items
                for name in item.names
                if isinstance(test := item.condition_map[name].test, FamilyTest)
                for provision in test.provisions
            }
        )
        found: list[dict[tuple[int, str], MemberVerdict]] = [{} for _ in cases]
        if not wanted:
            return found
        member_cases, where = [], []
        for n, (profile, day) in enumerate(cases):
            for index, member in enumerate(profile.family or []):
                member_cases.append((member.person, day))
                where.append((n, index))
        if member_cases:
            for (n, index), judged in zip(where, self.judge_many(member_cases, wanted, engine), strict=True):
                for provision in wanted:
                    verdict = judged[provision]
                    why = unknowns(verdict)
                    found[n][(index, provision)] = MemberVerdict(
                        verdict.status,
                        tuple(verdict.missing),
                        verdict.would_qualify,
                        tuple(u.detail for u in why if u.kind == "open_question"),
                        tuple(u.detail for u in why if u.kind == "imprecise_date"),
                    )
        return found

    def _validities(self, day: date) -> dict[str, tuple[Validity, ...]]:
        """The in-force answers known for a day (filled as provisions are judged on it)."""
        ordinal = day.toordinal()
        found = self._validity.get(ordinal)
        if found is None:
            if len(self._validity) >= self.VALIDITY_DAYS:
                self._validity.clear()
            found = self._validity[ordinal] = {}
        return found

    def _prepare(
        self, profile: Profile, day: date, items: list[Judged], members: dict[tuple[int, str], MemberVerdict]
    ) -> list[Judgement]:
        """Each item judged in Python (no engine rule yet)."""

        def lookup(index: int, provision_id: str) -> MemberVerdict:
            found = members.get((index, provision_id))
            if found is None:
                raise InternalError(f"family[{index}] was not judged on {provision_id} before its relative")
            return found

        facts = Facts(profile, day)
        plans = self._plans
        known = self._validities(day)
        done: list[Optional[Finding]] = [None] * self._slots
        out = []
        for item in items:
            key = item.key
            decide, plan, single, family = plans[key]
            findings: dict[str, Finding] = {}
            for name, slot, run, test in plan:
                found = done[slot]
                if found is None:
                    found = done[slot] = run(test, facts, lookup)
                findings[name] = found
            conditions = decide(findings)
            in_force = known.get(key)
            if in_force is None:
                in_force = known[key] = tuple(validity(route, day) for route in item.routes)
            routes: tuple[RouteJudgement, ...] = ()
            if single:
                overall = in_force[0]
                status = _STATUS[overall.value, conditions]
            else:
                routes = tuple(
                    RouteJudgement(v, route.decide(findings)) for route, v in zip(item.routes, in_force, strict=True)
                )
                overall = _overall(routes)
                status = status_of(logic.any_of([r.qualifies for r in routes]), overall.value)
            would = None
            if family and any(f.would is not None and f.would is not f.value for f in findings.values()):
                would = decide({name: _Would(f) for name, f in findings.items()})
            out.append(Judgement(item, findings, overall, conditions, status, "", routes, would))
        return out

    def _conclude(self, day: date, judged: list[Judgement], verdicts: Iterator[Verdict]) -> dict[str, Judgement]:
        """The engine's verdicts checked against the Python ones, and recorded with the rule that fired."""
        out: dict[str, Judgement] = {}
        for p in judged:
            verdict = next(verdicts)
            if verdict.status != p.status or verdict.conditions is not p.conditions:
                raise InternalError(
                    f"durable_rules and the Python evaluation disagree on {p.item.key} on {day.isoformat()}: "
                    f"engine says {verdict.status} (conditions {verdict.conditions.word}, rule {verdict.rule}), "
                    f"Python says {p.status} (conditions {p.conditions.word}, in force {p.validity.value.word})"
                )
            if p.would is not None:
                counted = next(verdicts)
                if counted.conditions is not p.would:
                    raise InternalError(
                        f"durable_rules and the Python evaluation disagree on whether the person would qualify for "
                        f"{p.item.key} on {day.isoformat()}: engine says {counted.conditions.word}, "
                        f"Python says {p.would.word}"
                    )
            out[p.item.key] = Judgement(
                p.item, p.findings, p.validity, p.conditions, p.status, verdict.rule, p.routes, p.would
            )
        return out
