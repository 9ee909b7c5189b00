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
from typing import Any, Callable, NamedTuple, Optional, TypeVar

from eligibility.foundations import countries
from eligibility.foundations.dates import DateSpec, add_months
from eligibility.foundations.errors import required
from eligibility.foundations.logic import FALSE, TRUE, UNKNOWN, Truth, any_of, truth
from eligibility.foundations.vocabulary import Status
from eligibility.judging.kinds import evaluates, parts
from eligibility.law.schema import (
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
from eligibility.people.profile import Citizenship, Profile, Residence, Service


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
    vague: tuple[str, ...] = ()  # dates the member's profile gives imprecisely that leave it unknown


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
    vague: Optional[str] = None  # unknown because the profile gives a date imprecisely

    @property
    def facts(self) -> tuple[str, ...]:
        return self.words() if callable(self.words) else self.words


# (member index, provision id) -> that member's verdict on the same date
FamilyLookup = Callable[[int, str], MemberVerdict]


def _span(since: Optional[DateSpec], until: Optional[DateSpec], first: str = "since", last: str = "until") -> str:
    parts = []
    if since is not None:
        parts.append(f"{first} {since.written()}")
    if until is not None:
        parts.append(f"{last} {until.written()}")
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
    """One profile as of one day: what the tests read, worked out once.

    A citizenship or residence whose since or until the profile gives only to a month, a year or
    a window that holds the day is neither held nor not: it is `maybe` held, and a test that reads
    them is worked out for each way they could fall (`readings`)."""

    __slots__ = ("profile", "day", "held", "residing", "service", "_on_held", "maybe_held", "maybe_residing")

    def __init__(self, profile: Profile, day: date):
        self.profile = profile
        self.day = day
        self.held, self.maybe_held = _split(profile.citizenships, day)
        self.residing, self.maybe_residing = _split(profile.residences, day)
        # the service records by country, with their positions (None: the profile does not list its service)
        self.service: Optional[dict[str, list[tuple[int, Service]]]] = None
        if profile.service is not None:
            grouped: dict[str, list[tuple[int, Service]]] = {}
            for i, record in enumerate(profile.service):
                grouped.setdefault(record.country, []).append((i, record))
            self.service = grouped
        self._on_held: dict[Truth, Finding] = {}

    def on_held(self, value: Truth) -> Finding:
        """A finding whose facts are the citizenships held that day: tests of the citizenships
        share one per value (words built only when asked for, as always)."""
        found = self._on_held.get(value)
        if found is None:
            held, day = self.held, self.day
            assert held is not None
            found = self._on_held[value] = Finding(value, lambda: _held_words(held, day))
        return found

    def readings(self, maybe: str) -> list["Facts"]:
        """The day as each subset of the records maybe held (`maybe_held` or `maybe_residing`)
        would make it: the records certainly held, with some of the maybes added."""
        doubtful = getattr(self, maybe)
        certain = self.held if maybe == "maybe_held" else self.residing
        out = []
        for mask in range(1 << len(doubtful)):
            view = object.__new__(Facts)
            view.profile, view.day, view.service, view._on_held = self.profile, self.day, self.service, {}
            view.maybe_held, view.maybe_residing = [], []
            view.held, view.residing = self.held, self.residing
            added = [r for bit, r in enumerate(doubtful) if mask >> bit & 1]
            chosen: list[Any] = sorted([*(certain or []), *added], key=lambda r: r[0])
            if maybe == "maybe_held":
                view.held = chosen
            else:
                view.residing = chosen
            out.append(view)
        return out


MAX_DOUBTFUL = 8  # distinct records maybe held on one day that a test is worked out over (2**8 readings)

_Dated = TypeVar("_Dated", Citizenship, Residence)


def _split(
    records: Optional[list[_Dated]], day: date
) -> tuple[Optional[list[tuple[int, _Dated]]], list[tuple[int, _Dated]]]:
    """The records held on the day, and those maybe held (an imprecise date holds the day)."""
    if records is None:
        return None, []
    held, maybe = [], []
    for i, record in enumerate(records):
        value = record.held_on(day)
        if value is TRUE:
            held.append((i, record))
        elif value is UNKNOWN:
            maybe.append((i, record))
    if not maybe:
        return held, maybe
    # a record maybe held alike to one certainly held, or to another maybe held, changes no test:
    # the tests read which countries (with how acquired, or with what status) are held, not how often
    seen = {_alike(r) for _, r in held}
    kept = []
    for i, record in maybe:
        if _alike(record) not in seen:
            seen.add(_alike(record))
            kept.append((i, record))
    return held, kept


def _alike(record: Citizenship | Residence) -> tuple[str, Optional[str]]:
    return record.country, record.acquired if isinstance(record, Citizenship) else record.status


def _doubtful(kind: str) -> Callable[[Callable[..., Finding]], Callable[..., Finding]]:
    """A test of the citizenships (or residences) held on the day, worked out for each way the
    records maybe held could fall: one answer if they all agree, else unknown, for a date the
    profile gives imprecisely."""
    maybe = "maybe_held" if kind == "citizenships" else "maybe_residing"

    def wrap(run: Callable[..., Finding]) -> Callable[..., Finding]:
        def test(test: Any, facts: "Facts", family: "FamilyLookup") -> Finding:
            doubtful = getattr(facts, maybe)
            if not doubtful:
                return run(test, facts, family)
            which = "; ".join(f"{kind}[{i}] ({r.country}, {_span_words(r.since, r.until)})" for i, r in doubtful)
            vague = f"whether {which} is held on {facts.day.isoformat()}: the profile gives the date only as a range"
            if len(doubtful) > MAX_DOUBTFUL:  # a limit, said as such: never a guess
                return Finding(UNKNOWN, (which,), vague=f"{vague} (more than {MAX_DOUBTFUL} such records on one day)")
            found = [run(test, view, family) for view in facts.readings(maybe)]
            if all(f.value is found[0].value for f in found):
                return found[-1]  # the answer does not depend on how the dates fall
            unknown = next((f for f in found if f.value is UNKNOWN), found[-1])
            return unknown._replace(value=UNKNOWN, words=found[-1].words, vague=vague)

        test.plain = run  # type: ignore[attr-defined]  # for a day no record is maybe held on
        return test

    return wrap


def _span_words(since: Optional[DateSpec], until: Optional[DateSpec]) -> str:
    return _span(since, until) or "no dates"


def _held_words(held: list[tuple[int, Citizenship]], day: date) -> tuple[str, ...]:
    if not held:
        return (f"holds no citizenship on {day.isoformat()}",)
    return tuple(describe_citizenship(i, c) for i, c in held)


_CITIZENSHIPS_NOT_GIVEN = Finding(UNKNOWN, ("citizenships not given",), ("citizenships",))
_RESIDENCES_NOT_GIVEN = Finding(UNKNOWN, ("residences not given",), ("residences",))


@evaluates(CitizenshipTest, reads="citizenships")
@_doubtful("citizenships")
def _citizenship(test: CitizenshipTest, facts: Facts, family: FamilyLookup) -> Finding:
    held = facts.held
    if held is None:
        return _CITIZENSHIPS_NOT_GIVEN
    matches = [(i, c) for i, c in held if c.country == test.country]
    if not matches:
        return facts.on_held(FALSE)
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


@evaluates(OtherCitizenshipTest, reads="citizenships")
@_doubtful("citizenships")
def _other_citizenship(test: OtherCitizenshipTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _CITIZENSHIPS_NOT_GIVEN
    others = [(i, c) for i, c in held if c.country != test.than]
    return Finding(truth(bool(others)), lambda: _held_words(others or held, day))


@evaluates(StatelessTest, reads="citizenships")
@_doubtful("citizenships")
def _stateless(test: StatelessTest, facts: Facts, family: FamilyLookup) -> Finding:
    held = facts.held
    if held is None:
        return _CITIZENSHIPS_NOT_GIVEN
    return facts.on_held(truth(not held))


@evaluates(NonCitizenTest, reads="citizenships")
@_doubtful("citizenships")
def _non_citizen(test: NonCitizenTest, facts: Facts, family: FamilyLookup) -> Finding:
    held = facts.held
    if held is None:
        return _CITIZENSHIPS_NOT_GIVEN

    of = test.of
    for _, c in held:
        if c.country == of:
            return facts.on_held(FALSE)
    if held:
        return facts.on_held(TRUE)
    found = facts.on_held(_STATELESS[test.stateless])  # a stateless person: the law's words decide
    return found._replace(note=test.stateless_note) if test.stateless == "unsettled" else found


_STATELESS = {"covered": TRUE, "not-covered": FALSE, "unsettled": UNKNOWN}


@evaluates(ResidenceTest, reads="residences")
@_doubtful("residences")
def _residence(test: ResidenceTest, facts: Facts, family: FamilyLookup) -> Finding:
    current, day = facts.residing, facts.day
    if current is None:
        return _RESIDENCES_NOT_GIVEN
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
    imprecise: Optional[str] = None  # a date the sources give imprecisely
    vague: Optional[str] = None  # a date the profile gives imprecisely


_MATCHES = {value: RecordValue(value) for value in (TRUE, FALSE)}  # the common answers, built once


def _reached(last: int, spec: DateSpec) -> Truth:
    """Whether a service whose last day is `last` (an ordinal) went on after the period's start."""
    if last >= spec.latest.toordinal():
        return TRUE
    return FALSE if last < spec.earliest.toordinal() else UNKNOWN


def _during(test: ServiceTest, record: Service, day: date) -> tuple[Truth, Truth]:
    """Whether the record went on at some time on or after the period's start, as of the day:
    read with the earliest and with the latest last day of service the profile allows (they
    differ only where it gives the end imprecisely)."""
    spec = test.during
    assert spec is not None
    low, high = record.last_day_bounds(day)
    return _reached(low.toordinal(), spec), _reached(high.toordinal(), spec)


_STATE_WORDS = {"serving": "was serving", "started": "had started", "ended": "had ended"}


def record_value(test: ServiceTest, index: int, record: Service, day: date) -> RecordValue:
    """Whether one record matches every filter, and which of its fields were missing, which
    questions the sources leave open for it, which date they give only imprecisely, or which date
    the profile gives only imprecisely.

    Every filter must hold (Kleene AND): a filter the record certainly fails decides at once."""
    state = test.state
    if state == "serving":
        in_state = record.serving_on(day)
    elif state == "started":
        in_state = record.started_by(day)
    else:
        in_state = record.ended_by(day)
    missing: list[str] = []
    questions: list[str] = []
    vague: list[str] = []
    if in_state is FALSE:
        # a service that has ended, where the sources leave open whether a former soldier counts
        unsettled = test.unsettled.state if test.unsettled is not None else None
        if unsettled is None or state != "serving" or record.ended_by(day) is not TRUE:
            return _MATCHES[FALSE]
        questions.append(unsettled)
    elif in_state is UNKNOWN:
        vague.append(
            f"whether service[{index}] ({_span(record.start, record.end, 'start', 'end')}) "
            f"{_STATE_WORDS[state]} on {day.isoformat()}"
        )
    imprecise: Optional[str] = None
    for name, allowed, question in test.checks:
        given = getattr(record, name)
        if given is None:
            missing.append(f"service[{index}].{name}")
        elif given not in allowed:
            if question is None:
                return _MATCHES[FALSE]
            questions.append(question)
    if test.min_months is not None:
        soonest = add_months(record.start.earliest, test.min_months)
        latest = add_months(record.start.latest, test.min_months)
        if soonest is None or day < soonest:
            return _MATCHES[FALSE]
        if latest is None or day < latest:
            vague.append(
                f"whether service[{index}] (start {record.start.written()}) had lasted {test.min_months} months "
                f"by {day.isoformat()}"
            )
    if test.during is not None:
        low, high = _during(test, record, day)
        question = test.unsettled.during if test.unsettled is not None else None
        if low is FALSE and high is FALSE:
            if question is None:
                return _MATCHES[FALSE]
            questions.append(question)
        if low is not high:
            vague.append(
                f"whether service[{index}] (end {record.end.written() if record.end else 'not given'}) went on "
                f"after {test.during_text}"
            )
        if UNKNOWN in (low, high):
            imprecise = (
                f"whether service[{index}] went on after {test.during_text} "
                f"({test.during.written()}): the sources give no day"
            )
    if not (missing or questions or imprecise or vague):
        return _MATCHES[TRUE]
    said = "; ".join(vague) + ": the profile gives the date only as a range" if vague else None
    return RecordValue(UNKNOWN, tuple(missing), tuple(questions), imprecise, said)


_SERVICE_NOT_GIVEN = Finding(UNKNOWN, ("service not given",), ("service",))
_NO_RECORD: dict[str, Finding] = {}  # by country: a profile with no service record with it


def _no_record(country: str) -> Finding:
    found = _NO_RECORD.get(country)
    if found is None:
        found = _NO_RECORD[country] = Finding(FALSE, (f"no service record with {countries.name(country)}",))
    return found


@evaluates(ServiceTest, reads="service")
def _service(test: ServiceTest, facts: Facts, family: FamilyLookup) -> Finding:
    grouped = facts.service
    if grouped is None:
        return _SERVICE_NOT_GIVEN
    records = grouped.get(test.country)
    if not records:
        return _NO_RECORD.get(test.country) or _no_record(test.country)
    day = facts.day
    found = [record_value(test, i, record, day) for i, record in records]
    value = found[0].value if len(found) == 1 else any_of([r.value for r in found])

    def words() -> tuple[str, ...]:
        facts = []
        for i, record in records:
            text = describe_service(i, record)
            if test.min_months is not None and record.serving_on(day) is not FALSE and record.start.exact:
                complete = add_months(record.start.earliest, test.min_months)
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
    vague = "; ".join(r.vague for r in found if r.vague) or None
    return Finding(value, words, missing, " ".join(questions) or None, imprecise=imprecise, vague=vague)


_FLAGS: dict[tuple[str, str, Optional[bool], Truth], Finding] = {}


def _flag(record: str, field: str, given: Optional[bool], value: Truth) -> Finding:
    """A finding on one yes/no field of the profile (`record.field`): the same for every profile
    that gives the same answer, so made once."""
    key = (record, field, given, value)
    found = _FLAGS.get(key)
    if found is None:
        path = f"{record}.{field}"
        if given is None:
            found = Finding(UNKNOWN, (f"{path} not given",), (path,))
        else:
            found = Finding(value, (f"{path}: {'true' if given else 'false'}",))
        found = _FLAGS[key] = found
    return found


@evaluates(RegistrationTest, reads="military_registration")
def _registration(test: RegistrationTest, facts: Facts, family: FamilyLookup) -> Finding:
    registry = facts.profile.military_registration
    given = None if registry is None else registry.get(test.country)
    return _flag("military_registration", test.country, given, truth(given == test.registered))


@evaluates(CriminalRecordTest, reads="criminal_record")
def _criminal_record(test: CriminalRecordTest, facts: Facts, family: FamilyLookup) -> Finding:
    record = facts.profile.criminal_record
    given = None if record is None else getattr(record, test.field)
    return _flag("criminal_record", test.field, given, truth(bool(given)))


_NO_FAMILY = Finding(FALSE, ("family: none listed",))


@evaluates(FamilyTest, reads="family")
def _family(test: FamilyTest, facts: Facts, lookup: FamilyLookup) -> Finding:
    profile = facts.profile
    if profile.family is None:
        return Finding(UNKNOWN, ("family not given",), ("family",))
    if not profile.family:
        return _NO_FAMILY
    values: list[Truth] = []
    would: list[Truth] = []
    words: list[str] = []
    missing: list[str] = []
    carriers: list[Carrier] = []
    questions: list[str] = []
    imprecise: list[str] = []
    vague: list[str] = []
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
                vague.extend(f"for {who} under {provision}, {d}" for d in verdict.vague)
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
        "; ".join(dict.fromkeys(vague)) or None,
    )


Handler = Callable[[Test, Facts, FamilyLookup], Finding]


def handler(condition: Condition, doubtful: bool = True) -> Handler:
    """The function that evaluates this condition's test (looked up once per rule base, not per
    call).  Where the sources leave open what a failed test means, a failure is unknown instead,
    with the question as its note.  `doubtful=False`: without working out the ways records maybe
    held could fall, for a profile-date that has none (`Facts.maybe_held`, `maybe_residing`)."""
    run = required(parts(type(condition.test)).evaluate, f"the evaluation of {type(condition.test).__name__}")
    if not doubtful:
        run = getattr(run, "plain", run)
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
