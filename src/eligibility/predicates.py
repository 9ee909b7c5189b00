"""What a condition's test says about one profile on one date.

Each test gives a three-valued answer, the profile facts it read, and, when the
answer is unknown, why: the fields whose absence left it unknown (a missing fact),
the question the sources leave open, or the date they give only imprecisely.  Facts are
read as of the date: a citizenship, residence or service counts only inside its
since/start .. until/end.

What several tests read (the citizenships held that day, the residences, the service
records of a country) is worked out once per profile and day, in `Facts`, and shared
by every provision judged on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, NamedTuple, Optional, Sequence

from . import countries
from .dates import add_months
from .errors import required
from .kinds import evaluates, parts
from .logic import FALSE, TRUE, UNKNOWN, Truth, all_of, any_of, truth
from .profile import Citizenship, Profile, Residence, Service
from .rulebase import (
    CitizenshipTest,
    Condition,
    CriminalRecordTest,
    FamilyTest,
    NonCitizenTest,
    OtherCitizenshipTest,
    RegistrationTest,
    ResidenceTest,
    ServiceTest,
    StatelessTest,
    Test,
)
from .vocabulary import Status


@dataclass(frozen=True)
class Carrier:
    """A family member whose own provision carried a family condition."""

    member: str  # "family[0]"
    relation: str
    label: Optional[str]
    provision: str


@dataclass(frozen=True)
class MemberVerdict:
    status: Status
    missing: tuple[str, ...] = ()
    would: Truth = UNKNOWN  # whether the member would qualify if the provision were in force
    questions: tuple[str, ...] = ()  # open questions that leave the member's verdict unknown
    imprecise: tuple[str, ...] = ()  # imprecise dates that leave it unknown


Words = tuple[str, ...] | Callable[[], tuple[str, ...]]


class Finding(NamedTuple):
    """A test's answer.  The words describing the facts it read are built only when asked for:
    a batch needs the values, an explanation needs the words."""

    value: Truth
    words: Words = ()
    missing: tuple[str, ...] = ()  # unknown for want of these profile fields
    note: Optional[str] = None  # unknown because the sources leave this question open
    carried_by: tuple[Carrier, ...] = ()
    imprecise: Optional[str] = None  # unknown because the sources give this date imprecisely
    would: Optional[Truth] = None  # family tests: the value if the members' provisions were in force

    @property
    def facts(self) -> tuple[str, ...]:
        return self.words() if callable(self.words) else self.words


# (member index, provision id) -> that member's verdict on the same date
FamilyLookup = Callable[[int, str], MemberVerdict]


def _span(since: Optional[date], until: Optional[date], first: str = "since", last: str = "until") -> str:
    parts = []
    if since is not None:
        parts.append(f"{first} {since.isoformat()}")
    if until is not None:
        parts.append(f"{last} {until.isoformat()}")
    return ", ".join(parts)


def describe_citizenship(index: int, record: Citizenship) -> str:
    extra = [record.acquired or "acquired: not given", _span(record.since, record.until)]
    return f"citizenships[{index}]: {record.country} ({'; '.join(e for e in extra if e)})"


def describe_residence(index: int, record: Residence) -> str:
    extra = [record.status or "status: not given", _span(record.since, record.until)]
    return f"residences[{index}]: {record.country} ({'; '.join(e for e in extra if e)})"


def describe_service(index: int, record: Service) -> str:
    extra = [
        record.force or "force: not given",
        record.kind or "kind: not given",
        _span(record.start, record.end, "start", "end"),
    ]
    if record.discharge:
        extra.append(f"discharge {record.discharge}")
    if record.combat is not None:
        extra.append("combat" if record.combat else "no combat")
    return f"service[{index}]: {record.country} ({'; '.join(extra)})"


class Facts:
    """One profile as of one day: what the tests read, worked out once."""

    __slots__ = ("profile", "day", "held", "residing", "_service")

    def __init__(self, profile: Profile, day: date):
        self.profile = profile
        self.day = day
        given = profile.citizenships
        self.held = None if given is None else [(i, c) for i, c in enumerate(given) if c.held_on(day)]
        places = profile.residences
        self.residing = None if places is None else [(i, r) for i, r in enumerate(places) if r.held_on(day)]
        self._service: Optional[dict[str, list[tuple[int, Service]]]] = None

    def service_with(self, country: str) -> list[tuple[int, Service]]:
        """The profile's service records with a country (the profile must list its service)."""
        if self._service is None:
            grouped: dict[str, list[tuple[int, Service]]] = {}
            for i, record in enumerate(self.profile.service or []):
                grouped.setdefault(record.country, []).append((i, record))
            self._service = grouped
        return self._service.get(country, [])


def _held_words(held: list[tuple[int, Citizenship]], day: date) -> tuple[str, ...]:
    if not held:
        return (f"holds no citizenship on {day.isoformat()}",)
    return tuple(describe_citizenship(i, c) for i, c in held)


def _unknown_citizenships() -> Finding:
    return Finding(UNKNOWN, ("citizenships not given",), ("citizenships",))


@evaluates(CitizenshipTest)
def _citizenship(test: CitizenshipTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()
    matches = [(i, c) for i, c in held if c.country == test.country]
    if not matches:
        return Finding(FALSE, lambda: _held_words(held, day))
    if test.acquired is None:
        return Finding(TRUE, lambda: tuple(describe_citizenship(i, c) for i, c in matches))
    values, missing = [], []
    for i, c in matches:
        if c.acquired is None:
            values.append(UNKNOWN)
            missing.append(f"citizenships[{i}].acquired")
        else:
            values.append(truth(c.acquired in test.acquired))
    value = any_of(values)
    return Finding(
        value, lambda: tuple(describe_citizenship(i, c) for i, c in matches), tuple(missing) if value is UNKNOWN else ()
    )


@evaluates(OtherCitizenshipTest)
def _other_citizenship(test: OtherCitizenshipTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()
    others = [(i, c) for i, c in held if c.country != test.than]
    return Finding(truth(bool(others)), lambda: _held_words(others or held, day))


@evaluates(StatelessTest)
def _stateless(test: StatelessTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()
    return Finding(truth(not held), lambda: _held_words(held, day))


@evaluates(NonCitizenTest)
def _non_citizen(test: NonCitizenTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()

    def words() -> tuple[str, ...]:
        return _held_words(held, day)

    of = test.of
    for _, c in held:
        if c.country == of:
            return Finding(FALSE, words)
    if held:
        return Finding(TRUE, words)
    value = _STATELESS[test.stateless]
    note = test.stateless_note if test.stateless == "unsettled" else None
    return Finding(value, words, (), note)


_STATELESS = {"covered": TRUE, "not-covered": FALSE, "unsettled": UNKNOWN}


@evaluates(ResidenceTest)
def _residence(test: ResidenceTest, facts: Facts, family: FamilyLookup) -> Finding:
    current, day = facts.residing, facts.day
    if current is None:
        return Finding(UNKNOWN, ("residences not given",), ("residences",))
    where = [
        (i, r) for i, r in current if (r.country == test.country if test.country else r.country != test.outside_of)
    ]
    if not where:

        def absent() -> tuple[str, ...]:
            place = (
                countries.name(test.country)
                if test.country
                else f"a country other than {countries.name(test.outside_of or '')}"
            )
            listed = tuple(describe_residence(i, r) for i, r in current)
            return listed + (f"no residence in {place} on {day.isoformat()}",)

        return Finding(FALSE, absent)
    if test.status is None:
        return Finding(TRUE, lambda: tuple(describe_residence(i, r) for i, r in where))
    values, missing = [], []
    for i, r in where:
        if r.status is None:
            values.append(UNKNOWN)
            missing.append(f"residences[{i}].status")
        else:
            values.append(truth(r.status in test.status))
    value = any_of(values)
    return Finding(
        value, lambda: tuple(describe_residence(i, r) for i, r in where), tuple(missing) if value is UNKNOWN else ()
    )


class RecordValue(NamedTuple):
    """Whether one service record matches a test, and why not when it is unknown."""

    value: Truth
    missing: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    imprecise: Optional[str] = None


_MATCHES = {value: RecordValue(value) for value in (TRUE, FALSE)}  # the common answers, built once


def _during(test: ServiceTest, record: Service, day: date) -> Truth:
    """Whether the record went on at some time on or after the period's start, as of the day."""
    spec = test.during
    assert spec is not None
    last = day.toordinal() if record.end is None or record.end > day else record.end.toordinal() - 1
    if last >= spec.latest.toordinal():
        return TRUE
    if last < spec.earliest.toordinal():
        return FALSE
    return UNKNOWN


def record_value(test: ServiceTest, index: int, record: Service, day: date) -> RecordValue:
    """Whether one record matches every filter, and which of its fields were missing, which
    questions the sources leave open for it, or which date they give only imprecisely."""
    if test.state == "serving":
        in_state = record.serving_on(day)
    elif test.state == "started":
        in_state = record.started_by(day)
    else:
        in_state = record.ended_by(day)
    if not in_state:
        return _MATCHES[FALSE]
    parts: list[Truth] = []
    missing: list[str] = []
    questions: list[str] = []
    imprecise: Optional[str] = None
    unsettled = test.unsettled

    def check(name: str, given: object, allowed: Sequence[object] | None) -> None:
        if allowed is None:
            return
        if given is None:
            parts.append(UNKNOWN)
            missing.append(f"service[{index}].{name}")
            return
        value = truth(given in allowed)
        question = getattr(unsettled, name) if unsettled is not None else None
        if value is FALSE and question is not None:
            parts.append(UNKNOWN)
            questions.append(question)
        else:
            parts.append(value)

    check("force", record.force, test.force)
    check("kind", record.kind, test.kind)
    check("discharge", record.discharge, test.discharge)
    check("combat", record.combat, None if test.combat is None else [test.combat])
    if test.min_months is not None:
        complete = add_months(record.start, test.min_months)
        parts.append(truth(complete is not None and day >= complete))
    if test.during is not None:
        during = _during(test, record, day)
        question = unsettled.during if unsettled is not None else None
        if during is FALSE and question is not None:
            parts.append(UNKNOWN)
            questions.append(question)
        else:
            parts.append(during)
            if during is UNKNOWN:
                imprecise = (
                    f"whether service[{index}] went on after {test.during_text} "
                    f"({test.during.written()}): the sources give no day"
                )
    value = all_of(parts)
    if value is not UNKNOWN:
        return _MATCHES[value]
    return RecordValue(value, tuple(missing), tuple(questions), imprecise)


@evaluates(ServiceTest)
def _service(test: ServiceTest, facts: Facts, family: FamilyLookup) -> Finding:
    if facts.profile.service is None:
        return Finding(UNKNOWN, ("service not given",), ("service",))
    day = facts.day
    records = facts.service_with(test.country)
    if not records:
        return Finding(FALSE, lambda: (f"no service record with {countries.name(test.country)}",))
    found = [record_value(test, i, record, day) for i, record in records]
    value = any_of(r.value for r in found)

    def words() -> tuple[str, ...]:
        facts = []
        for i, record in records:
            text = describe_service(i, record)
            if test.min_months is not None and record.serving_on(day):
                complete = add_months(record.start, test.min_months)
                text += (
                    f"; {test.min_months} months complete on {complete.isoformat()}"
                    if complete is not None
                    else f"; {test.min_months} months never complete within the calendar"
                )
            facts.append(text)
        return tuple(facts)

    if value is not UNKNOWN:
        return Finding(value, words)
    missing = tuple(m for r in found for m in r.missing)
    questions = list(dict.fromkeys(q for r in found for q in r.questions))
    imprecise = next((r.imprecise for r in found if r.imprecise), None)
    return Finding(value, words, missing, " ".join(questions) or None, imprecise=imprecise)


@evaluates(RegistrationTest)
def _registration(test: RegistrationTest, facts: Facts, family: FamilyLookup) -> Finding:
    path = f"military_registration.{test.country}"
    registry = facts.profile.military_registration
    if registry is None or test.country not in registry:
        return Finding(UNKNOWN, (f"{path} not given",), (path,))
    given = registry[test.country]
    return Finding(truth(given == test.registered), lambda: (f"{path}: {'true' if given else 'false'}",))


@evaluates(CriminalRecordTest)
def _criminal_record(test: CriminalRecordTest, facts: Facts, family: FamilyLookup) -> Finding:
    path = f"criminal_record.{test.field}"
    record = facts.profile.criminal_record
    given = None if record is None else getattr(record, test.field)
    if given is None:
        return Finding(UNKNOWN, (f"{path} not given",), (path,))
    return Finding(truth(given), lambda: (f"{path}: {'true' if given else 'false'}",))


@evaluates(FamilyTest)
def _family(test: FamilyTest, facts: Facts, lookup: FamilyLookup) -> Finding:
    profile = facts.profile
    if profile.family is None:
        return Finding(UNKNOWN, ("family not given",), ("family",))
    if not profile.family:
        return Finding(FALSE, ("family: none listed",))
    values: list[Truth] = []
    would: list[Truth] = []
    words: list[str] = []
    missing: list[str] = []
    carriers: list[Carrier] = []
    questions: list[str] = []
    imprecise: list[str] = []
    for index, member in enumerate(profile.family):
        name = f"family[{index}]"
        label = member.person.id
        who = member.words(index)
        if test.relations is not None and member.relation not in test.relations:
            words.append(f"{who}: not a relation the rule names ({', '.join(test.relations)})")
            values.append(FALSE)
            would.append(FALSE)
            continue
        for provision in test.provisions:
            verdict = lookup(index, provision)
            words.append(f"{who}: {provision} {verdict.status}")
            would.append(verdict.would)
            if verdict.status == "applies":
                values.append(TRUE)
                carriers.append(Carrier(name, member.relation, label, provision))
            elif verdict.status == "undetermined":
                values.append(UNKNOWN)
                missing.extend(f"{name}.person.{path}" for path in verdict.missing)
                questions.extend(f"for {who} under {provision}, {q}" for q in verdict.questions)
                imprecise.extend(f"for {who} under {provision}, {d}" for d in verdict.imprecise)
            else:
                values.append(FALSE)
    value = any_of(values)
    if value is not UNKNOWN:
        return Finding(value, tuple(words), carried_by=tuple(carriers), would=any_of(would))
    return Finding(
        value,
        tuple(words),
        tuple(dict.fromkeys(missing)),
        "; ".join(dict.fromkeys(questions)) or None,
        tuple(carriers),
        "; ".join(dict.fromkeys(imprecise)) or None,
        any_of(would),
    )


Handler = Callable[[Test, Facts, FamilyLookup], Finding]


def handler(condition: Condition) -> Handler:
    """The function that evaluates this condition's test (looked up once per rule base, not per
    call).  Where the sources leave open what a failed test means, a failure is unknown instead,
    with the question as its note."""
    run = required(parts(type(condition.test)).evaluate, f"the evaluation of {type(condition.test).__name__}")
    question = condition.unsettled_if_failed
    if question is None:
        return run

    def unsettled(test: Test, facts: Facts, family: FamilyLookup) -> Finding:
        found = run(test, facts, family)
        if found.value is FALSE:
            found = found._replace(value=UNKNOWN, note=question)
        if found.would is FALSE:
            found = found._replace(would=UNKNOWN)
        return found

    return unsettled
