"""Judging a profile on a date: facts → engine verdicts → explanation.

For each provision the condition tests are read off the profile (three-valued,
with the facts used and the facts missing).  The durable_rules engine turns those
values and the date into a verdict.  The same rule data is folded in Python for
the explanation; the two must agree on every provision, or the run stops with an
InternalError.  Family members are judged first, on the same date.
"""

from __future__ import annotations

import threading
from datetime import date
from operator import attrgetter
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional, Sequence, cast

from eligibility.foundations import logic
from eligibility.foundations.errors import InternalError, required
from eligibility.foundations.logic import UNKNOWN, Truth, status_of
from eligibility.foundations.stores import Kept
from eligibility.foundations.vocabulary import Held, Status, UnknownKind
from eligibility.judging.engine import Engine, Verdict, engine_for
from eligibility.judging.in_force import Validity, first_of, validity
from eligibility.judging.kinds import parts
from eligibility.judging.predicates import Carrier, Facts, Finding, Handler, MemberVerdict, handler
from eligibility.law.rulebase import Judged, Route, RuleBase
from eligibility.law.schema import OWN_TERMS, FamilyTest, Test, split_target
from eligibility.people.profile import SECTIONS, Profile

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


def would_qualify(conditions: Truth, would: Optional[Truth]) -> Truth:
    """Whether the person would qualify if the provision were in force: what the conditions come
    to, counting family members' provisions in force where that was worked out."""
    return conditions if would is None else would


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
        return would_qualify(self.conditions, self.would)

    @property
    def carriers(self) -> list[Carrier]:
        """The family members whose own provisions carried a family condition (once each, where
        two conditions share one test)."""
        return list(dict.fromkeys(c for f in self.findings.values() for c in f.carried_by))

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
        found.extend(_route_unknowns(judgement, route, judged, seen))
    return found


def route_unknowns(judgement: "Judgement", route_id: Optional[str]) -> list[Unknown]:
    """Why one route of a judgement (None: the provision's own terms) is unknown, whatever the
    provision's status."""
    for route, judged in zip(judgement.item.routes, judgement.per_route, strict=True):
        if route.id == route_id:
            return _route_unknowns(judgement, route, judged, set())
    raise InternalError(f"{judgement.item.key} has no route {route_id!r}")


def _route_unknowns(judgement: "Judgement", route: Route, judged: "RouteJudgement", seen: set[str]) -> list[Unknown]:
    """Why one route might qualify the person: its in-force and its unknown conditions (those not in
    `seen`, which it fills), each with its kind; nothing where the route certainly does or does not."""
    item = judgement.item
    found: list[Unknown] = []
    if judged.qualifies is not UNKNOWN:
        return found
    v = judged.validity
    if v.value is UNKNOWN:
        found.append(Unknown(v.unknown or "open_question", "in_force", route.id, v.detail or v.explanation))
    if judged.conditions is not UNKNOWN:
        return found
    for name in logic.names(route.expr):
        f = judgement.findings[name]
        if f.value is not UNKNOWN or name in seen:
            continue
        seen.add(name)
        says = item.condition_map[name].says
        if f.missing:
            found.append(Unknown("missing_fact", name, route.id, f"{', '.join(f.missing)} (for '{says}')", f.missing))
        if f.note:
            found.append(Unknown("open_question", name, route.id, f.note))
        if f.imprecise:
            found.append(Unknown("imprecise_date", name, route.id, f.imprecise))
        if f.vague:
            found.append(Unknown("imprecise_profile_date", name, route.id, f.vague))
        if not (f.missing or f.note or f.imprecise or f.vague):
            found.append(Unknown("open_question", name, route.id, f"the facts given do not settle '{says}'"))
    return found


def member_verdict(case: "Case", position: int, target: str) -> MemberVerdict:
    """A family member's verdict on a family condition's target: the provision judged at
    `position` of the case, by any route, or one route of it ("id@route", "id@terms")."""
    outcome = case.outcomes[position]
    route = split_target(target)[1]
    if route is None:
        if outcome.status != "undetermined":
            return MemberVerdict(outcome.status, (), outcome.would_qualify)
        why = unknowns(case.judgement(position))
        return MemberVerdict(
            outcome.status,
            tuple(case.missing(position)),
            outcome.would_qualify,
            tuple(u.detail for u in why if u.kind == "open_question"),
            tuple(u.detail for u in why if u.kind == "imprecise_date"),
            tuple(u.detail for u in why if u.kind == "imprecise_profile_date"),
        )
    judgement = case.judgement(position)
    route_id = None if route == OWN_TERMS else route
    index = next(i for i, r in enumerate(judgement.item.routes) if r.id == route_id)
    judged = judgement.per_route[index]
    if judged.status != "undetermined":
        return MemberVerdict(judged.status, (), judged.conditions)
    why = route_unknowns(judgement, route_id)
    return MemberVerdict(
        judged.status,
        tuple(dict.fromkeys(f for u in why for f in u.fields)),
        judged.conditions,
        tuple(u.detail for u in why if u.kind == "open_question"),
        tuple(u.detail for u in why if u.kind == "imprecise_date"),
        tuple(u.detail for u in why if u.kind == "imprecise_profile_date"),
    )


def _overall(routes: Sequence[RouteJudgement]) -> Validity:
    """The item's in-force: any route in force, told by the first route with that value."""
    return first_of([r.validity for r in routes])


class Outcome(NamedTuple):
    """What one item comes to on a day, given its condition values.  It depends on nothing else,
    so it is worked out (folded in Python, put to the engine, the two compared) once for each
    distinct (day, item, condition values) and shared by every profile-date that has them."""

    validity: Validity
    conditions: Truth
    status: Status
    engine_rule: str
    routes: tuple[RouteJudgement, ...]
    would: Optional[Truth]

    @property
    def would_qualify(self) -> Truth:
        return would_qualify(self.conditions, self.would)


class _Plan(NamedTuple):
    """One item as a set of judged items lays it out: where its conditions' findings are."""

    item: Judged
    names: tuple[str, ...]  # its conditions, in the engine's order
    positions: tuple[int, ...]  # for each, its test's position in the layout's findings
    distinct: tuple[int, ...]  # the positions without repeats (conditions may share a test)
    decide: Callable[[Mapping[str, Any]], Truth]
    single: bool  # one route (the common case)
    family: bool  # has a family condition (so a "would qualify" of its own)
    pairs: tuple[tuple[str, int], ...]  # (condition, position) for each: names and positions zipped once


class _Group(NamedTuple):
    """A layout's tests that read one field of the profile (kinds.KindParts.reads), at positions
    next to each other: what they find is the same for every profile-date with that field's text
    and that day."""

    section: int  # the field's place in profile.SECTIONS, which is its token's place
    tests: tuple[tuple[Handler, Test], ...]
    # the same tests for a profile-date with no record maybe held (no imprecise date of the profile
    # holds the day), without working out each way such records could fall: the common case
    plain: tuple[tuple[Handler, Test], ...]
    family: tuple[int, ...]  # the family tests among them (their places in the group): their
    # "would" letters are part of a case's key


class _Layout(NamedTuple):
    """A set of items to judge together: the distinct tests they use, run once per profile-date,
    ordered by the field of the profile each reads (`groups`)."""

    number: int
    plans: tuple[_Plan, ...]
    tests: tuple[tuple[Handler, Test], ...]
    groups: tuple[_Group, ...]  # the same tests, a group for each field read (their positions in turn)
    plain: tuple[tuple[Handler, Test], ...]  # every group's plain tests, in turn
    family: tuple[int, ...]  # every group's family tests, by their positions among `tests`


# what a group of tests found for one field's text on one day: the findings, their letters, and
# the family tests' "would" letters
_Found = tuple[tuple[Finding, ...], str, str]


class ItemKey(NamedTuple):
    """What one item's outcome depends on: the day (an ordinal), the item, and its condition values
    (one letter each, then "/" and the family conditions' "would" letters where it has any)."""

    day: int
    item: str
    values: str


class CaseKey(NamedTuple):
    """What a profile-date's outcomes depend on: the day (an ordinal), the layout of the items
    judged together (its number), and every test's value (one letter each, and the family tests'
    "would" letters)."""

    day: int
    layout: int
    values: str


class Case(NamedTuple):
    """One profile-date judged: every test's finding, and each item's outcome (layout order)."""

    day: date
    findings: list[Finding]
    outcomes: tuple[Outcome, ...]
    layout: _Layout
    key: CaseKey  # equal keys, equal outcomes

    def judgements(self) -> dict[str, "Judgement"]:
        found = self.findings
        return {  # Judgement(item, findings, *outcome), made by _new
            plan.item.key: _new(Judgement, (plan.item, {name: found[p] for name, p in plan.pairs}, *outcome))
            for plan, outcome in zip(self.layout.plans, self.outcomes, strict=True)
        }

    def judgement(self, index: int) -> "Judgement":
        """The index-th item's judgement, with its findings by condition id (as `judgements` gives it)."""
        plan, found = self.layout.plans[index], self.findings
        return Judgement(plan.item, {name: found[p] for name, p in plan.pairs}, *self.outcomes[index])

    def missing(self, index: int) -> list[str]:
        """The profile fields whose absence left the index-th item undetermined (see Judgement.missing)."""
        if self.outcomes[index].status != "undetermined":
            return []
        return self.missing_at(self.unknown_at(index))

    def unknown_at(self, index: int) -> tuple[int, ...]:
        """The positions of the index-th item's unknown findings: the same for every case with this key."""
        findings = self.findings
        return tuple(p for p in self.layout.plans[index].distinct if findings[p].value is UNKNOWN)

    def missing_at(self, positions: Sequence[int]) -> list[str]:
        """The profile fields the findings at these positions name as missing, in order, once each."""
        if not positions:
            return []
        findings = self.findings
        if len(positions) == 1:
            return list(dict.fromkeys(findings[positions[0]].missing))
        return list(dict.fromkeys(m for p in positions for m in findings[p].missing))


# Judgements, cases and their keys are made many times a profile-date: as the NamedTuple makes
# them, without its Python-level __new__ (every field given, in order; a judgement is its item,
# its findings and its outcome's fields).
_new = tuple.__new__
assert Judgement._fields[2:] == Outcome._fields


def _would_letter(finding: Finding) -> str:
    """A family finding's "would" in a key: its letter, or '-' where it has none."""
    would = finding.would
    return "-" if would is None else would.value


def _word(value: Optional[Truth]) -> str:
    return "nothing" if value is None else value.word


def _lookup(given: Mapping[tuple[int, str], MemberVerdict]) -> Callable[[int, str], MemberVerdict]:
    """The family members' verdicts as a family test reads them."""

    def lookup(index: int, provision_id: str) -> MemberVerdict:
        verdict = given.get((index, provision_id))
        if verdict is None:
            raise InternalError(f"family[{index}] was not judged on {provision_id} before its relative")
        return verdict

    return lookup


_EVALUATORS: dict[str, "Evaluator"] = {}
_EVALUATORS_LOCK = threading.Lock()


def evaluator_for(rules: RuleBase) -> "Evaluator":
    """The evaluator for a rule base (by its digest, which names its evidence too), built once per
    process and shared by every thread: the API, batch's workers, the scenario runner, Dask."""
    with _EVALUATORS_LOCK:
        found = _EVALUATORS.get(rules.digest)
        if found is None:
            found = _EVALUATORS[rules.digest] = Evaluator(rules)
        return found


_NO_MEMBERS = _lookup({})  # a profile without family members (most): one lookup for them all


class Evaluator:
    VALIDITY_DAYS = 5_000  # days whose in-force answers are kept; they depend on nothing else
    # Outcomes kept, each bounded so that a long run's memory stays flat (when full, a store
    # starts again): per (day, item, condition values), and per (day, layout, every test's value).
    ITEM_OUTCOMES = 8_192  # per generation (Kept)
    # A case's outcomes weigh about 400 bytes, and a case not kept costs only a fold of its
    # items' kept outcomes: 4,096 cases halve what the store adds to a long run (8,192 added
    # 5 MiB a process between 10,000 and 50,000 profiles), at no cost in time that measures.
    CASE_OUTCOMES = 4_096
    FIELD_FINDINGS = 1_024  # per (day, layout, group of tests, field's text): what the tests found

    def __init__(self, rules: RuleBase, engine: Optional[Engine] = None):
        self.rules = rules
        self.engine = engine or engine_for(rules)
        self._validity: dict[int, dict[str, tuple[Validity, ...]]] = {}  # day ordinal -> key -> each route's in force
        # Every distinct test of the rule base gets a slot: equal tests in different provisions
        # (same test, same reading of a failure) share one, so a profile-date runs each once.
        slots: dict[str, tuple[Handler, Test]] = {}
        plain: dict[str, tuple[Handler, Test]] = {}
        self._slot_of: dict[tuple[str, str], str] = {}
        for key, item in rules.judged.items():
            for name, test in item.tests:
                slot = repr((test, item.condition_map[name].unsettled_if_failed))
                slots.setdefault(slot, (handler(item.condition_map[name]), test))
                plain.setdefault(slot, (handler(item.condition_map[name], doubtful=False), test))
                self._slot_of[key, name] = slot
            # the engine reads a row's values in this order: the findings must come in it too
            if tuple(item.names) != tuple(self.engine.fields.get(key, ())):
                raise InternalError(f"the engine and the evaluator list the conditions of {key!r} in different orders")
        self._slots = slots
        self._plain = plain
        self._layouts: dict[tuple[str, ...], _Layout] = {}
        self._layout_lock = threading.Lock()
        # engine used or not (the benchmark's Python-only path) -> outcomes
        self._items: dict[bool, Kept[ItemKey, Outcome]] = {}
        self._cases: dict[bool, Kept[CaseKey, tuple[Outcome, ...]]] = {}
        self.forget()

    def forget(self) -> None:
        """Drop every outcome kept (the benchmark measures from a cold start with this)."""
        self._items = {engine: Kept(self.ITEM_OUTCOMES) for engine in (True, False)}
        self._cases = {engine: Kept(self.CASE_OUTCOMES) for engine in (True, False)}
        self._found: Kept[tuple[int, int, int, int], _Found] = Kept(self.FIELD_FINDINGS)
        self._validity.clear()

    def _layout(self, keys: tuple[str, ...]) -> _Layout:
        found = self._layouts.get(keys)
        if found is not None:
            return found
        with self._layout_lock:  # a layout's number is part of case keys: two may never share one
            found = self._layouts.get(keys)
            if found is None:
                found = self._new_layout(keys)
            return found

    def _new_layout(self, keys: tuple[str, ...]) -> _Layout:
        first: dict[str, int] = {}  # each test's slot, in the order the items first use it
        for key in keys:
            for name in self.rules.judged[key].names:
                first.setdefault(self._slot_of[key, name], len(first))
        # then by the field each reads, so that a field's tests sit together (a group)
        section = {
            slot: SECTIONS.index(required(parts(type(self._slots[slot][1])).reads, "a test's field")) for slot in first
        }
        order = {slot: n for n, slot in enumerate(sorted(first, key=lambda slot: (section[slot], first[slot])))}
        plans = []
        for key in keys:
            item = self.rules.judged[key]
            positions = tuple(order[self._slot_of[key, name]] for name in item.names)
            plans.append(
                _Plan(
                    item,
                    item.names,
                    positions,
                    tuple(dict.fromkeys(positions)),
                    item.decide,
                    len(item.routes) == 1,
                    any(isinstance(test, FamilyTest) for _, test in item.tests),
                    tuple(zip(item.names, positions, strict=True)),
                )
            )
        groups = []
        for field in sorted(set(section.values())):
            slots = [slot for slot in order if section[slot] == field]
            groups.append(
                _Group(
                    field,
                    tuple(self._slots[slot] for slot in slots),
                    tuple(self._plain[slot] for slot in slots),
                    tuple(n for n, slot in enumerate(slots) if isinstance(self._slots[slot][1], FamilyTest)),
                )
            )
        tests = tuple(self._slots[slot] for slot in order)
        found = self._layouts[keys] = _Layout(
            len(self._layouts),
            tuple(plans),
            tests,
            tuple(groups),
            tuple(test for group in groups for test in group.plain),
            tuple(n for n, (_, test) in enumerate(tests) if isinstance(test, FamilyTest)),
        )
        return found

    # -- judging ------------------------------------------------------------------------

    def judge(self, profile: Profile, day: date, keys: Optional[Iterable[str]] = None) -> dict[str, Judgement]:
        return self.judge_many([(profile, day)], keys)[0]

    def member(self, profile: Profile, day: date, target: str) -> MemberVerdict:
        """A person's verdict on a family condition's target ("id", "id@route" or "id@terms")."""
        (case,) = self.cases([(profile, day)], [split_target(target)[0]])
        return member_verdict(case, 0, target)

    def judge_many(
        self, cases: Sequence[tuple[Profile, date]], keys: Optional[Iterable[str]] = None, engine: bool = True
    ) -> list[dict[str, Judgement]]:
        """Judge many (profile, day) cases: the same as judging each alone."""
        return [case.judgements() for case in self.cases(cases, keys, engine)]

    def cases(
        self,
        cases: Sequence[tuple[Profile, date]],
        keys: Optional[Iterable[str]] = None,
        engine: bool = True,
        sections: Optional[Sequence[Optional[tuple[int, ...]]]] = None,
    ) -> list[Case]:
        """Judge many (profile, day) cases, with one engine run for the outcomes not seen before.

        Family members are judged first, all of them in one run per level of nesting, on the
        provisions the family conditions name.  `engine=False` skips durable_rules and takes the
        Python fold's status: no command does that; the benchmark uses it to measure the engine.

        `sections`, for each case, the tokens `lines.Lines.read` gave its profile's fields (or
        None): the tests that read a field whose text was tested on that day before are not run
        again, their findings are taken from then (a negative token is a text not kept: its
        findings are not kept either).  Only a profile read by `Lines.read`, with the tokens it
        gave, may be judged with them."""
        layout = self._layout(tuple(keys) if keys is not None else tuple(self.rules.judged))
        groups, number = layout.groups, layout.number
        store = self._found
        # what each case's groups of tests found before (None: not kept); None for a case without tokens
        before: list[Optional[list[Optional[_Found]]]] = []
        judged_members: list[int] = []  # the cases whose family tests must run: their members first
        family_group = next((g for g, group in enumerate(groups) if group.family), None)
        for n, (_, day) in enumerate(cases):
            tokens = sections[n] if sections is not None else None
            if tokens is None:
                before.append(None)
                if family_group is not None:
                    judged_members.append(n)
                continue
            ordinal = day.toordinal()
            earlier = [store.get((ordinal, number, g, tokens[group.section])) for g, group in enumerate(groups)]
            before.append(earlier)
            if family_group is not None and earlier[family_group] is None:
                judged_members.append(n)
        given_to = self._members([cases[n] for n in judged_members], layout, engine)
        members = dict(zip(judged_members, given_to, strict=True))
        found_all: list[list[Finding]] = []
        keyed: list[CaseKey] = []
        for n, (profile, day) in enumerate(cases):
            found_before = before[n]
            if found_before is None:  # no tokens (check, the API, relatives): every test in one pass, in
                # the groups' order, with the letters the groups would give
                facts = Facts(profile, day)
                given = members.get(n)
                chosen = layout.tests if facts.maybe_held or facts.maybe_residing else layout.plain
                lookup = _lookup(given) if given else _NO_MEMBERS
                found = [run(test, facts, lookup) for run, test in chosen]
                letters = "".join(map(_VALUE, found))
                if layout.family:
                    letters += "/" + "".join([_would_letter(found[p]) for p in layout.family])
            else:
                tokens = cast("Sequence[tuple[int, ...]]", sections)[n]
                found, letters = self._grouped(profile, day, found_before, members.get(n), layout, tokens)
            found_all.append(found)
            keyed.append(_new(CaseKey, (day.toordinal(), number, letters)))
        memo = self._cases[engine]
        outcomes: dict[CaseKey, Optional[tuple[Outcome, ...]]] = {key: memo.get(key) for key in keyed}
        pending = {key: n for n, key in enumerate(keyed) if outcomes[key] is None}
        if pending:
            outcomes.update(self._resolve(pending, cases, found_all, layout, engine))
        return [
            _new(Case, (day, found, required(outcomes[key], "the outcomes of a case"), layout, key))
            for (_, day), found, key in zip(cases, found_all, keyed, strict=True)
        ]

    def _grouped(
        self,
        profile: Profile,
        day: date,
        found_before: list[Optional[_Found]],
        given: Optional[Mapping[tuple[int, str], MemberVerdict]],
        layout: _Layout,
        tokens: tuple[int, ...],
    ) -> tuple[list[Finding], str]:
        """A case with tokens: each group's findings kept from before, or found now (and kept, unless
        the field's text is not: a negative token); the case's findings and letters."""
        facts: Optional[Facts] = None
        store = self._found
        for g, group in enumerate(layout.groups):
            if found_before[g] is not None:
                continue
            if facts is None:
                facts = Facts(profile, day)
                lookup = _lookup(given) if given else _NO_MEMBERS
            chosen = group.tests if facts.maybe_held or facts.maybe_residing else group.plain
            its = tuple([run(test, facts, lookup) for run, test in chosen])
            found_before[g] = made = (
                its,
                "".join(map(_VALUE, its)),
                "".join(_would_letter(its[p]) for p in group.family),
            )
            # a negative token: a text not kept (lines.MAX_KEPT), nor its findings
            if tokens[group.section] >= 0:
                store.put((day.toordinal(), layout.number, g, tokens[group.section]), made)
        done = cast("list[_Found]", found_before)
        found = [finding for its, _, _ in done for finding in its]
        letters = "".join([values for _, values, _ in done])
        if layout.family:
            letters += "/" + "".join([would for _, _, would in done])
        return found, letters

    def _resolve(
        self,
        pending: Mapping[CaseKey, int],
        cases: Sequence[tuple[Profile, date]],
        found_all: Sequence[list[Finding]],
        layout: _Layout,
        engine: bool,
    ) -> dict[CaseKey, tuple[Outcome, ...]]:
        """Work out the outcomes of cases whose (day, every test's value) was not seen before:
        each item's from the outcomes known for its own values, or else folded in Python and
        put to durable_rules (one run for all of them), the two compared."""
        store = self._items[engine]
        known: dict[ItemKey, Outcome] = {}  # every item outcome these cases need
        folded: dict[ItemKey, tuple[Outcome, Optional[str]]] = {}  # new: Python's, and the would row
        wanted: list[tuple[CaseKey, list[ItemKey]]] = []
        for case_key, n in pending.items():
            day = cases[n][1]
            ordinal = case_key[0]
            found = found_all[n]
            keys = []
            for plan in layout.plans:
                values = case_key[2]  # every test's value, one letter each, at its position
                letters = "".join([values[p] for p in plan.positions])
                if plan.family:
                    letters += "/" + "".join(_would_letter(found[p]) for p in plan.positions)
                item_key = ItemKey(ordinal, plan.item.key, letters)
                keys.append(item_key)
                if item_key in known or item_key in folded:
                    continue
                kept = store.get(item_key)
                if kept is not None:
                    known[item_key] = kept
                else:
                    folded[item_key] = self._fold(plan, day, {c: found[p] for c, p in plan.pairs})
            wanted.append((case_key, keys))
        if folded:
            if engine:
                known.update(self._engine_check(folded))
            else:
                known.update((item_key, outcome) for item_key, (outcome, _) in folded.items())
            for item_key in folded:
                store.put(item_key, known[item_key])
        memo = self._cases[engine]
        resolved = {case_key: tuple(known[k] for k in keys) for case_key, keys in wanted}
        for case_key, outcomes in resolved.items():
            memo.put(case_key, outcomes)
        return resolved

    def _engine_check(self, folded: Mapping[ItemKey, tuple[Outcome, Optional[str]]]) -> dict[ItemKey, Outcome]:
        """Put the new outcomes' facts to durable_rules, compare its verdicts with Python's, and give
        them back, each with the rule that fired."""
        rows: list[tuple[int, str, str]] = []  # the engine's rows: (day, item, condition values)
        for (ordinal, key, letters), (_, would_row) in folded.items():
            rows.append((ordinal, key, letters.split("/", 1)[0]))
            if would_row is not None:  # the same item with family members' provisions counted in force
                rows.append((ordinal, key, would_row))
        verdicts = iter(self.engine.run(rows))
        checked: dict[ItemKey, Outcome] = {}
        for (ordinal, key, letters), (p, would_row) in folded.items():
            verdict = next(verdicts)
            counted = next(verdicts) if would_row is not None else None
            self._compare(key, ordinal, p, verdict, counted)
            # the verdict is the engine's (equal to the fold's, as just compared), with the rule that fired
            checked[ItemKey(ordinal, key, letters)] = p._replace(
                status=verdict.status,
                conditions=verdict.conditions,
                would=p.would if counted is None else counted.conditions,
                engine_rule=verdict.rule,
            )
        return checked

    @staticmethod
    def _compare(key: str, ordinal: int, p: Outcome, verdict: Verdict, counted: Optional[Verdict]) -> None:
        """Stop, loudly, where durable_rules and the Python fold differ on an outcome."""
        on = date.fromordinal(ordinal).isoformat()
        if verdict.status != p.status or verdict.conditions is not p.conditions:
            raise InternalError(
                f"durable_rules and the Python evaluation disagree on {key} on {on}: "
                f"engine says {verdict.status} (conditions {verdict.conditions.word}, rule {verdict.rule}), "
                f"Python says {p.status} (conditions {p.conditions.word}, in force {p.validity.value.word})"
            )
        if counted is not None and counted.conditions is not p.would:
            raise InternalError(
                f"durable_rules and the Python evaluation disagree on whether the person would qualify for "
                f"{key} on {on}: engine says {counted.conditions.word}, Python says {_word(p.would)}"
            )

    def _fold(self, plan: _Plan, day: date, findings: Mapping[str, Finding]) -> tuple[Outcome, Optional[str]]:
        """One item folded in Python (no engine rule yet), and its "would qualify" row when its
        family findings count the members' provisions in force and that changes a value."""
        item = plan.item
        known = self._validities(day)
        in_force = known.get(item.key)
        if in_force is None:
            in_force = known[item.key] = tuple(validity(route, day) for route in item.routes)
        conditions = plan.decide(findings)
        routes: tuple[RouteJudgement, ...] = ()
        if plan.single:
            overall = in_force[0]
            status = _STATUS[overall.value, conditions]
        else:
            routes = tuple(
                RouteJudgement(v, route.decide(findings)) for route, v in zip(item.routes, in_force, strict=True)
            )
            overall = _overall(routes)
            status = status_of(logic.any_of([r.qualifies for r in routes]), overall.value)
        would, would_row = None, None
        if plan.family and any(f.would is not None and f.would is not f.value for f in findings.values()):
            would = plan.decide({name: _Would(f) for name, f in findings.items()})
            would_row = "".join(f.value.value if f.would is None else f.would.value for f in findings.values())
        return Outcome(overall, conditions, status, "", routes, would), would_row

    def _members(
        self, cases: Sequence[tuple[Profile, date]], layout: _Layout, engine: bool = True
    ) -> list[dict[tuple[int, str], MemberVerdict]]:
        """For each case, the verdicts of its family members on the provisions family conditions name."""
        targets = sorted(
            {target for _, test in layout.tests if isinstance(test, FamilyTest) for target in test.provisions}
        )
        wanted = sorted({split_target(target)[0] for target in targets})
        found: list[dict[tuple[int, str], MemberVerdict]] = [{} for _ in cases]
        if not wanted:
            return found
        member_cases, where = [], []
        for n, (profile, day) in enumerate(cases):
            for index, member in enumerate(profile.family or []):
                member_cases.append((member.person, day))
                where.append((n, index))
        if member_cases:
            positions = {provision: position for position, provision in enumerate(wanted)}
            for (n, index), case in zip(where, self.cases(member_cases, wanted, engine), strict=True):
                for target in targets:
                    found[n][(index, target)] = member_verdict(case, positions[split_target(target)[0]], target)
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
