"""The days on which something can change for a person, and what changes on each.

Two kinds of thing move a status over time:

* the law: a stage of a provision takes effect.  A stage known to the day does so
  on that day; a stage known to a month or a window makes in-force unknown from its
  first possible day and certain the day after its last; a measure no source
  reports enacted becomes unknown the day after its latest report.
* the profile: a citizenship or residence begins (`since`) or ends (`until`), a
  service record starts or ends, a service reaches the number of months a rule
  counts (three months of conscript service), and the same for every family
  member, however deeply listed.

Every status is a function of these and of undated facts, so between two
consecutive change points nothing changes.  `attribute` names, for one provision
whose position differs between two days, the change points in between that
moved it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal, Optional, Sequence

from eligibility.foundations import countries, logic
from eligibility.foundations.dates import DateSpec, add_months, next_day
from eligibility.foundations.errors import required
from eligibility.foundations.logic import Truth
from eligibility.judging.in_force import Edge, edges
from eligibility.judging.kinds import concerns, parts
from eligibility.law.rulebase import Judged, Route, RuleBase
from eligibility.law.schema import (
    Citation,
    CitizenshipTest,
    CriminalRecordTest,
    FamilyTest,
    NonCitizenTest,
    OtherCitizenshipTest,
    RegistrationTest,
    ResidenceTest,
    ServiceTest,
    StatelessTest,
    Test,
    split_target,
)
from eligibility.people.profile import Citizenship, Profile, Residence

if TYPE_CHECKING:
    from eligibility.judging.evaluation import Evaluator, Judgement


@dataclass(frozen=True)
class Cause:
    """One change point: a stage of a law, or a dated fact of the profile."""

    day: date
    kind: Literal["law", "fact"]
    text: str
    key: Optional[str] = None  # law: the judged item ("id" or "id@reading")
    stage: Optional[str] = None  # law: the stage kind, "unenacted", or "during" (a counted period begins)
    citations: tuple[Citation, ...] = ()
    path: Optional[str] = None  # fact: the profile field, e.g. "family[0].person.service[0].start"
    owner: str = ""  # fact: whose profile, as a path prefix ("" or "family[0].person.")
    section: Optional[str] = None  # fact: citizenships | residences | service
    country: Optional[str] = None  # fact: the record's country
    months: Optional[int] = None  # fact: the months of service a rule counts
    via: Optional[str] = None  # set when reached through a family member's provision

    @property
    def provision(self) -> Optional[str]:
        return self.key.split("@", 1)[0] if self.key else None


# --- the law -----------------------------------------------------------------------------


def _edge_cause(item: Judged, route: Route, edge: Edge) -> Cause:
    """One day on which a route's in-force value changes, in words, with its stage and citations."""
    if edge.stage is None:  # the day after the latest source reporting it unenacted
        horizon = required(route.in_force.unenacted_as_of, "a horizon")
        return Cause(
            edge.day,
            "law",
            f"{item.key}: the latest source reports it not yet enacted on "
            f"{horizon.date.isoformat()}; after that the sources cannot say",
            key=item.key,
            stage="unenacted",
            citations=tuple(horizon.cite),
        )
    stage = edge.stage
    name = item.key if route.id is None else f"{item.key} (route {route.id})"
    starts = edge.role == "start"
    if edge.side == "exact":
        text = f"{name}: {stage.label} {stage.when}; the provision {'takes effect' if starts else 'ends'}"
    elif edge.side == "first":
        doubt = "may be in force" if starts else "may have ended"
        text = f"{name}: first possible day of '{stage.label}' {stage.when}; from here it {doubt}"
    else:
        sure = "is certainly in force" if starts else "has certainly ended"
        text = f"{name}: the day after the last possible day of '{stage.label}' {stage.when}; it {sure}"
    return Cause(edge.day, "law", text, key=item.key, stage=stage.kind, citations=tuple(stage.cite))


def law_causes(item: Judged) -> list[Cause]:
    """The days on which one provision's in-force value can change (for each of its routes), each
    with its stage and citations, and the days on which a period its conditions count begins."""
    found = [_edge_cause(item, route, edge) for route in item.routes for edge in edges(route)]
    for condition in item.conditions:
        test = condition.test
        if isinstance(test, ServiceTest) and test.during is not None:
            spec = test.during
            days = [spec.earliest] if spec.exact else [spec.earliest, next_day(spec.latest)]
            for day in filter(None, days):
                found.append(
                    Cause(
                        day,
                        "law",
                        f"{item.key}: '{condition.id}' counts service from {test.during_text} ({spec.written()})",
                        key=item.key,
                        stage="during",
                        citations=tuple(condition.cite),
                    )
                )
    return found


# --- the profile -------------------------------------------------------------------------


def _months_counted(rules: RuleBase) -> dict[str, set[int]]:
    """For each country, the months of service some rule counts."""
    counted: dict[str, set[int]] = {}
    for item in rules.judged.values():
        for condition in item.conditions:
            test = condition.test
            if isinstance(test, ServiceTest) and test.min_months is not None:
                counted.setdefault(test.country, set()).add(test.min_months)
    return counted


def fact_causes(profile: Profile, rules: RuleBase, owner: str = "") -> list[Cause]:
    """Every dated fact of the profile and of its family members, however deeply listed."""
    found: list[Cause] = []
    counted = _months_counted(rules)

    def fact(day: date, text: str, path: str, section: str, country: str, months: Optional[int] = None) -> None:
        found.append(
            Cause(
                day,
                "fact",
                f"{owner}{path}: {text}",
                path=owner + path,
                owner=owner,
                section=section,
                country=country,
                months=months,
            )
        )

    held: tuple[tuple[str, Sequence[Citizenship | Residence] | None, str, str], ...] = (
        ("citizenships", profile.citizenships, "holds {} citizenship", "no longer holds {} citizenship"),
        ("residences", profile.residences, "resides in {}", "no longer resides in {}"),
    )
    for section, records, begins, ends in held:
        for i, record in enumerate(records or []):
            name = countries.name(record.country)
            for spec, words, edge in ((record.since, begins, "since"), (record.until, ends, "until")):
                if spec is not None:
                    for day, when in _edges(spec):
                        fact(day, f"{words.format(name)} {when}", f"{section}[{i}].{edge}", section, record.country)
    for i, s in enumerate(profile.service or []):
        name = countries.name(s.country)
        for day, when in _edges(s.start):
            fact(day, f"service with {name} starts {when}", f"service[{i}].start", "service", s.country)
        if s.end is not None:
            for day, when in _edges(s.end):
                fact(day, f"service with {name} ends {when}", f"service[{i}].end", "service", s.country)
        for months in sorted(counted.get(s.country, ())):
            bounds = [add_months(s.start.earliest, months), add_months(s.start.latest, months)]
            for n, complete in enumerate(dict.fromkeys(bounds)):
                if complete is None:
                    continue  # never within the calendar
                when = (
                    f"on {complete.isoformat()}"
                    if s.start.exact
                    else f"{'no earlier than' if n == 0 else 'at the latest on'} {complete.isoformat()} "
                    f"(start {s.start.written()})"
                )
                fact(
                    complete,
                    f"{months} months of service with {name} complete {when}",
                    f"service[{i}].start",
                    "service",
                    s.country,
                    months,
                )
    for i, member in enumerate(profile.family or []):
        found.extend(fact_causes(member.person, rules, f"{owner}family[{i}].person."))
    return found


def _edges(spec: DateSpec) -> list[tuple[date, str]]:
    """The days a profile's date moves an answer, in words: its day; or, for a date the profile
    gives imprecisely, the first day of its range (from which the answer is unknown) and the last
    (from which it is settled again)."""
    if spec.exact:
        return [(spec.earliest, f"on {spec.earliest.isoformat()}")]
    written = spec.written()
    return [
        (spec.earliest, f"on some day of {written}: unknown from {spec.earliest.isoformat()}"),
        (spec.latest, f"on some day of {written}: settled by {spec.latest.isoformat()}"),
    ]


def change_points(rules: RuleBase, profile: Profile) -> list[Cause]:
    """Every change point of the rule base and the profile, sorted by day."""
    found = [cause for item in rules.judged.values() for cause in law_causes(item)]
    found.extend(fact_causes(profile, rules))
    return sorted(found, key=lambda c: (c.day, c.kind != "law", c.text))


# --- which change points moved one provision -------------------------------------------------


def _concerns(test: Test, cause: Cause) -> bool:
    """Whether a dated fact can move the value of a condition test (each kind registers its rule)."""
    rule = required(parts(type(test)).concerns, f"what moves {type(test).__name__}")
    return rule(test, cause)


@concerns(CitizenshipTest, OtherCitizenshipTest, StatelessTest, NonCitizenTest)
def _citizenship_moved(test: Test, cause: Cause) -> bool:
    return cause.section == "citizenships"


@concerns(ResidenceTest)
def _residence_moved(test: ResidenceTest, cause: Cause) -> bool:
    if cause.section != "residences":
        return False
    return cause.country == test.country if test.country else cause.country != test.outside_of


@concerns(ServiceTest)
def _service_moved(test: ServiceTest, cause: Cause) -> bool:
    if cause.section != "service" or cause.country != test.country:
        return False
    if cause.months is not None:
        return cause.months == test.min_months
    edge = "start" if (cause.path or "").endswith(".start") else "end"
    return test.state == "serving" or (test.state == "started") == (edge == "start")


@concerns(RegistrationTest, CriminalRecordTest, FamilyTest)
def _undated(test: Test, cause: Cause) -> bool:
    """Registration and criminal-record facts carry no dates; a family condition moves with the
    relatives' own provisions, which `attribute` follows member by member."""
    return False


def _carries(status: str) -> Truth:
    """What a member's status contributes to a family condition."""
    return {"applies": Truth.TRUE, "undetermined": Truth.UNKNOWN}.get(status, Truth.FALSE)


def _member_words(profile: Profile, index: int, owner: str) -> str:
    return required(profile.family, "the family a member was judged in")[index].words(index, owner)


def _day(cause: Cause) -> date:
    return cause.day


def attribute(
    evaluator: "Evaluator",
    profile: Profile,
    key: str,
    before: "Judgement",
    after: "Judgement",
    first: date,
    last: date,
    causes: list[Cause],
    owner: str = "",
) -> list[Cause]:
    """The change points in (first, last] that moved one judged item from `before` to `after`.

    `before` is its judgement on `first`, `after` on `last`; `causes` is sorted by day, as
    change_points gives it (the window is found by bisection: a timeline attributes every
    period of every provision, and a scan of all the causes each time grew as the square of the
    rule base).  In-force moves only by the item's own stages; a condition moves only by dated
    facts it reads; a family condition moves when a member's provision moves, which is
    attributed in turn.
    """
    window = causes[bisect_right(causes, first, key=_day) : bisect_right(causes, last, key=_day)]
    found: list[Cause] = []
    moved = any(
        then.validity.value is not now.validity.value
        for then, now in zip(before.per_route, after.per_route, strict=True)
    )
    if moved:  # some route's in-force moved (the item's may not: another route was in force all along)
        found.extend(c for c in window if c.kind == "law" and c.key == key and c.stage != "during")
    item = evaluator.rules.judged[key]
    for name in logic.names(item.expr):
        if before.findings[name].value is after.findings[name].value:
            continue
        test = item.condition_map[name].test
        if isinstance(test, FamilyTest):
            for index, member in enumerate(profile.family or []):
                for provision in test.provisions:
                    base = split_target(provision)[0]
                    said = (
                        evaluator.member(member.person, first, provision),
                        evaluator.member(member.person, last, provision),
                    )
                    if _carries(said[0].status) is _carries(said[1].status):
                        continue  # e.g. not in force -> does not apply: the family condition reads both as no
                    via = _member_words(profile, index, owner) + f": {provision} {said[0].status} → {said[1].status}"
                    then = evaluator.judge(member.person, first, [base])[base]
                    now = evaluator.judge(member.person, last, [base])[base]
                    inner = attribute(
                        evaluator,
                        member.person,
                        base,
                        then,
                        now,
                        first,
                        last,
                        causes,
                        f"{owner}family[{index}].person.",
                    )
                    found.extend(replace(c, via=via) if c.via is None else c for c in inner)
        else:
            found.extend(c for c in window if c.kind == "fact" and c.owner == owner and _concerns(test, c))
            if isinstance(test, ServiceTest) and test.during is not None:
                found.extend(c for c in window if c.kind == "law" and c.key == key and c.stage == "during")
    unique: list[Cause] = []
    for cause in found:
        if cause not in unique:
            unique.append(cause)
    return sorted(unique, key=lambda c: (c.day, c.kind != "law", c.text))
