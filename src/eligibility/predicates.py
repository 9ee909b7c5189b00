"""What a condition's test says about one profile on one date.

Each test gives a three-valued answer, the profile facts it read, and the fields
whose absence left it unknown.  Facts are read as of the date: a citizenship,
residence or service counts only inside its since/start .. until/end.

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
from .logic import FALSE, TRUE, UNKNOWN, Truth, all_of, any_of, truth
from .profile import Citizenship, Profile, Residence, Service
from .rulebase import (
    CitizenshipTest, CriminalRecordTest, FamilyTest, NonCitizenTest, OtherCitizenshipTest,
    RegistrationTest, ResidenceTest, ServiceTest, StatelessTest, Test,
)


@dataclass(frozen=True)
class Carrier:
    """A family member whose own provision carried a family condition."""

    member: str          # "family[0]"
    relation: str
    label: Optional[str]
    provision: str


@dataclass(frozen=True)
class MemberVerdict:
    status: str
    missing: tuple[str, ...] = ()


Words = tuple[str, ...] | Callable[[], tuple[str, ...]]


class Finding(NamedTuple):
    """A test's answer.  The words describing the facts it read are built only when asked for:
    a batch needs the values, an explanation needs the words."""

    value: Truth
    words: Words = ()
    missing: tuple[str, ...] = ()
    note: Optional[str] = None
    carried_by: tuple[Carrier, ...] = ()

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
    extra = [record.force or "force: not given", record.kind or "kind: not given",
             _span(record.start, record.end, "start", "end")]
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
    return Finding(value, lambda: tuple(describe_citizenship(i, c) for i, c in matches),
                   tuple(missing) if value is UNKNOWN else ())


def _other_citizenship(test: OtherCitizenshipTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()
    others = [(i, c) for i, c in held if c.country != test.than]
    return Finding(truth(bool(others)), lambda: _held_words(others or held, day))


def _stateless(test: StatelessTest, facts: Facts, family: FamilyLookup) -> Finding:
    held, day = facts.held, facts.day
    if held is None:
        return _unknown_citizenships()
    return Finding(truth(not held), lambda: _held_words(held, day))


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


def _residence(test: ResidenceTest, facts: Facts, family: FamilyLookup) -> Finding:
    current, day = facts.residing, facts.day
    if current is None:
        return Finding(UNKNOWN, ("residences not given",), ("residences",))
    where = [(i, r) for i, r in current
             if (r.country == test.country if test.country else r.country != test.outside_of)]
    if not where:
        def absent() -> tuple[str, ...]:
            place = (countries.name(test.country) if test.country
                     else f"a country other than {countries.name(test.outside_of)}")
            listed = tuple(describe_residence(i, r) for i, r in current)
            return listed + (f"no residence in {place} on {day.isoformat()}",)
        return Finding(FALSE, absent)
    values, missing = [], []
    for i, r in where:
        if r.status is None:
            values.append(UNKNOWN)
            missing.append(f"residences[{i}].status")
        else:
            values.append(truth(r.status in test.status))
    value = any_of(values)
    return Finding(value, lambda: tuple(describe_residence(i, r) for i, r in where),
                   tuple(missing) if value is UNKNOWN else ())


def record_value(test: ServiceTest, index: int, record: Service, day: date) -> tuple[Truth, list[str]]:
    """Whether one record matches every filter, and which of its fields were missing."""
    if test.state == "serving":
        in_state = record.serving_on(day)
    elif test.state == "started":
        in_state = record.started_by(day)
    else:
        in_state = record.ended_by(day)
    if not in_state:
        return FALSE, []
    parts: list[Truth] = []
    missing: list[str] = []

    def check(name: str, given: object, allowed: Sequence[object] | None) -> None:
        if allowed is None:
            return
        if given is None:
            parts.append(UNKNOWN)
            missing.append(f"service[{index}].{name}")
        else:
            parts.append(truth(given in allowed))

    check("force", record.force, test.force)
    check("kind", record.kind, test.kind)
    check("discharge", record.discharge, test.discharge)
    check("combat", record.combat, None if test.combat is None else [test.combat])
    if test.min_months is not None:
        parts.append(truth(day >= add_months(record.start, test.min_months)))
    value = all_of(parts)
    return value, (missing if value is UNKNOWN else [])


def _service(test: ServiceTest, facts: Facts, family: FamilyLookup) -> Finding:
    if facts.profile.service is None:
        return Finding(UNKNOWN, ("service not given",), ("service",))
    day = facts.day
    records = facts.service_with(test.country)
    if not records:
        return Finding(FALSE, lambda: (f"no service record with {countries.name(test.country)}",))
    values, missing = [], []
    for i, record in records:
        value, record_missing = record_value(test, i, record, day)
        values.append(value)
        missing.extend(record_missing)

    def words() -> tuple[str, ...]:
        facts = []
        for i, record in records:
            text = describe_service(i, record)
            if test.min_months is not None and record.serving_on(day):
                text += f"; {test.min_months} months complete on {add_months(record.start, test.min_months).isoformat()}"
            facts.append(text)
        return tuple(facts)

    value = any_of(values)
    return Finding(value, words, tuple(missing) if value is UNKNOWN else ())


def _registration(test: RegistrationTest, facts: Facts, family: FamilyLookup) -> Finding:
    path = f"military_registration.{test.country}"
    registry = facts.profile.military_registration
    if registry is None or test.country not in registry:
        return Finding(UNKNOWN, (f"{path} not given",), (path,))
    given = registry[test.country]
    return Finding(truth(given == test.registered), lambda: (f"{path}: {'true' if given else 'false'}",))


def _criminal_record(test: CriminalRecordTest, facts: Facts, family: FamilyLookup) -> Finding:
    path = f"criminal_record.{test.field}"
    record = facts.profile.criminal_record
    given = None if record is None else getattr(record, test.field)
    if given is None:
        return Finding(UNKNOWN, (f"{path} not given",), (path,))
    return Finding(truth(given), lambda: (f"{path}: {'true' if given else 'false'}",))


def _family(test: FamilyTest, facts: Facts, lookup: FamilyLookup) -> Finding:
    profile = facts.profile
    if profile.family is None:
        return Finding(UNKNOWN, ("family not given",), ("family",))
    if not profile.family:
        return Finding(FALSE, ("family: none listed",))
    values, facts, missing, carriers = [], [], [], []
    for index, member in enumerate(profile.family):
        name = f"family[{index}]"
        label = member.person.id
        who = f"{name} ({member.relation}{', ' + label if label else ''})"
        for provision in test.provisions:
            verdict = lookup(index, provision)
            facts.append(f"{who}: {provision} {verdict.status}")
            if verdict.status == "applies":
                values.append(TRUE)
                carriers.append(Carrier(name, member.relation, label, provision))
            elif verdict.status == "undetermined":
                values.append(UNKNOWN)
                missing.extend(f"{name}.person.{path}" for path in verdict.missing)
            else:
                values.append(FALSE)
    value = any_of(values)
    return Finding(value, tuple(facts), tuple(dict.fromkeys(missing)) if value is UNKNOWN else (),
                   carried_by=tuple(carriers))


Handler = Callable[[Test, Facts, FamilyLookup], Finding]


def handler(test: Test) -> Handler:
    """The function that evaluates this kind of test (looked up once per rule base, not per call)."""
    return _HANDLERS[type(test)]


_HANDLERS: dict[type, Handler] = {
    CitizenshipTest: _citizenship,
    OtherCitizenshipTest: _other_citizenship,
    StatelessTest: _stateless,
    NonCitizenTest: _non_citizen,
    ResidenceTest: _residence,
    ServiceTest: _service,
    RegistrationTest: _registration,
    CriminalRecordTest: _criminal_record,
    FamilyTest: _family,
}
