"""What if the facts were different: re-judging with changed facts, and the inverse search.

`what_if` applies `--set` / `--unset` changes (edits.py) to a profile, judges both on
the same date and keeps only what changed, with the conditions that moved.

`make_apply` asks what it would take for one provision to apply on a date.  If the
provision is not certainly in force that day, no fact can make it apply, and it
says why.  Otherwise it searches in two steps:

1. over the condition values: the smallest sets of conditions whose values, flipped,
   make the provision's `when` expression true (three-valued, so an unknown fact can
   be settled either way);
2. over the profile: for each condition to flip, the concrete changes that flip it
   (fill in an unknown field, change a field, add or remove a record, make a family
   member qualify or add one who does); each candidate is checked on its own, then
   each combination is applied and judged by the engine, and only combinations that
   make the provision apply are kept.

Every set it prints has been applied and judged; no printed set contains another.
A country that only has to be "other than X" is taken from the profile where it can
be, and otherwise from REPRESENTATIVE, and the output says it stands for any.
"""

from __future__ import annotations

import itertools
import json
import shlex
from datetime import date
from typing import Any, Optional

from eligibility.explaining.reasons import horizon, reason
from eligibility.explaining.report import HorizonOut, Out, Status, Value
from eligibility.exploring.changes import ConditionChange, moved_conditions
from eligibility.foundations import logic
from eligibility.foundations.dates import add_months
from eligibility.foundations.errors import InputError, required
from eligibility.foundations.logic import Truth
from eligibility.foundations.vocabulary import EffectKind
from eligibility.judging.evaluation import Evaluator, Judgement
from eligibility.judging.kinds import flips, parts
from eligibility.judging.predicates import record_value
from eligibility.law.schema import (
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
from eligibility.people.edits import Edit, apply
from eligibility.people.profile import Profile, parse_profile

REPRESENTATIVE = ("NP", "GE", "IN")  # countries the sources' recruits come from, used as "any other country"
ACQUIRED = ("birth", "naturalization", "other")
RESIDENCE = ("permanent", "temporary", "unlawful")
MAX_SETS = 8
PER_CONDITION = 3
MAX_DEPTH = 2
MAX_MEMBERS = 8  # family members tried as carriers: every candidate judges the whole family again


class EditOut(Out):
    op: str
    path: str
    value: Any = None
    written: str


def edit_out(edit: Edit) -> EditOut:
    return EditOut(op=edit.op, path=edit.path, value=edit.value, written=command_line(edit))


def command_line(edit: Edit) -> str:
    """The edit as a shell-safe option."""
    option, _, rest = edit.written().partition(" ")
    return f"{option} {shlex.quote(rest)}"


class WhatIfChange(Out):
    id: str
    title: str
    effect: EffectKind  # what the provision does when it applies: a benefit or a burden for the person
    before: Status
    after: Status
    would_qualify_before: Value
    would_qualify_after: Value
    after_reason: str
    conditions: list[ConditionChange]


class WhatIf(Out):
    profile: str
    on: str
    rule_base: str
    edits: list[EditOut]
    changed: list[WhatIfChange]
    unchanged: list[str]
    horizon: Optional[HorizonOut] = None  # beyond: the day is past the sources' horizon


class ChangeSet(Out):
    edits: list[EditOut]
    conditions: list[ConditionChange]  # the conditions the set moves
    reason_after: str


class MakeApply(Out):
    profile: str
    on: str
    rule_base: str
    provision: str
    status: Status
    reason: str
    possible: bool
    explanation: str
    sets: list[ChangeSet]
    notes: list[str]
    horizon: Optional[HorizonOut] = None  # beyond: the day is past the sources' horizon


QUOTING = (
    '--set takes a JSON value: true or false, a number, "text", [a list] or {a table}; a value '
    "that is not JSON is taken as text, and text with quotes or spaces needs the shell's quotes "
    "too, e.g. --set 'service[0].kind=\"contract\"'"
)


def changed_profile(data: dict, edits: list[Edit], file: str = "--set/--unset") -> Profile:
    try:
        return parse_profile(apply(data, edits), file)
    except InputError as error:
        texts = [e for e in edits if e.as_text and error.field and error.field.startswith(e.path.split("[+]")[0])]
        if texts:  # the value that failed was not JSON: say how to write one
            raise InputError(error.file, error.field, f"{error.message} ({QUOTING})") from None
        raise


def profile_data(profile: Profile) -> dict:
    """The profile as JSON data, positions as in its file."""
    return profile.model_dump(mode="json", exclude_none=True)


def what_if(
    evaluator: Evaluator, profile: Profile, day: date, edits: list[Edit], label: Optional[str] = None
) -> WhatIf:
    changed = changed_profile(profile_data(profile), edits)
    keys = list(evaluator.rules.provisions)
    before, after = evaluator.judge(profile, day, keys), evaluator.judge(changed, day, keys)
    out, same = [], []
    for key in keys:
        b, a = before[key], after[key]
        if b.status == a.status and b.would_qualify is a.would_qualify:
            same.append(key)
            continue
        out.append(
            WhatIfChange(
                id=key,
                title=b.item.provision.title,
                effect=b.item.provision.effect.kind,
                before=b.status,
                after=a.status,
                would_qualify_before=b.would_qualify.word,
                would_qualify_after=a.would_qualify.word,
                after_reason=reason(a, day),
                conditions=moved_conditions(b, a),
            )
        )
    return WhatIf(
        profile=label or profile.label(),
        on=day.isoformat(),
        rule_base=evaluator.rules.digest,
        edits=[edit_out(e) for e in edits],
        changed=out,
        unchanged=same,
        horizon=horizon(evaluator.rules, day),
    )


# --- the inverse: what would make one provision apply ---------------------------------------


class _Search:
    def __init__(self, evaluator: Evaluator, day: date, depth: int = 0):
        self.evaluator = evaluator
        self.day = day
        self.depth = depth
        # (note, what it is about): a note is shown only with a change set that involves that
        # (a country code standing for any country; "family" for the relatives tried)
        self.notes: list[tuple[str, str]] = []

    # candidates -------------------------------------------------------------------------------

    def foreign(self, data: dict, than: Optional[str]) -> str:
        seen: list[str] = []
        for section in ("citizenships", "residences", "service"):
            for record in data.get(section) or []:
                country = record.get("country")
                if country and country != than and country not in seen:
                    seen.append(country)
        choice = next(c for c in seen + list(REPRESENTATIVE) if c != than)
        if choice not in seen:
            note = (
                f"{choice} stands for any country"
                + (f" other than {than}" if than else "")
                + "; no other country appears in the profile."
            )
            if (note, choice) not in self.notes:
                self.notes.append((note, choice))
        return choice

    def options(self, test: Test, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
        """The changes that may turn the test to `target` (each kind registers its way)."""
        flip = required(parts(type(test)).flip, f"how to flip {type(test).__name__}")
        result: list[list[Edit]] = flip(self, test, target, data, profile)
        return result

    def _held(self, profile: Profile) -> list[tuple[int, Any]]:
        """The profile's citizenships held on the day, with their positions."""
        return [(i, c) for i, c in enumerate(profile.citizenships or []) if c.held_on(self.day) is not Truth.FALSE]

    @staticmethod
    def _add(country: str, acquired: Optional[str] = None) -> Edit:
        record = {"country": country, **({"acquired": acquired} if acquired else {})}
        return Edit("set", "citizenships[+]", record)

    @staticmethod
    def _drop(records: list) -> list[Edit]:
        return [Edit("unset", f"citizenships[{i}]") for i, _ in records]

    @staticmethod
    def _none(profile: Profile) -> list[list[Edit]]:
        """Where the profile does not say its citizenships: saying it holds none."""
        return [[Edit("set", "citizenships", [])]] if profile.citizenships is None else []

    def _citizenship(self, test: CitizenshipTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
        mine = [(i, c) for i, c in self._held(profile) if c.country == test.country]
        if target is Truth.TRUE:
            allowed = list(test.acquired or [])
            found = [
                [Edit("set", f"citizenships[{i}].acquired", a)]
                for i, c in mine
                for a in allowed
                if c.acquired not in allowed
            ]
            ways: list[Optional[str]] = list(allowed) or [None]
            return found + [[self._add(test.country, a)] for a in ways]
        found = self._none(profile) + ([self._drop(mine)] if mine else [])
        if test.acquired and mine:
            other = next(a for a in ACQUIRED if a not in test.acquired)
            found.append([Edit("set", f"citizenships[{i}].acquired", other) for i, _ in mine])
        return found

    def _other_citizenship(
        self, test: OtherCitizenshipTest, target: Truth, data: dict, profile: Profile
    ) -> list[list[Edit]]:
        others = [(i, c) for i, c in self._held(profile) if c.country != test.than]
        if target is Truth.TRUE:
            return [[self._add(self.foreign(data, test.than))]]
        return self._none(profile) + ([self._drop(others)] if others else [])

    def _stateless(self, test: StatelessTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
        held = self._held(profile)
        if target is Truth.TRUE:
            return self._none(profile) + ([self._drop(held)] if held else [])
        return [[self._add(self.foreign(data, None))]]

    def _non_citizen(self, test: NonCitizenTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
        if target is Truth.FALSE:
            return [[self._add(test.of)]]
        if profile.citizenships is None:
            return [[Edit("set", "citizenships", [{"country": self.foreign(data, test.of)}])]]
        mine = [(i, c) for i, c in self._held(profile) if c.country == test.of]
        if mine:
            return [self._drop(mine), self._drop(mine) + [self._add(self.foreign(data, test.of))]]
        return [[self._add(self.foreign(data, test.of))]]

    def _residence(self, test: ResidenceTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
        current = [(i, r) for i, r in enumerate(profile.residences or []) if r.held_on(self.day) is not Truth.FALSE]
        where = [
            (i, r) for i, r in current if (r.country == test.country if test.country else r.country != test.outside_of)
        ]
        country = test.country or self.foreign(data, test.outside_of)
        if target is Truth.TRUE:
            if test.status is None:  # any status will do
                return [[Edit("set", "residences[+]", {"country": country})]]
            found = [
                [Edit("set", f"residences[{i}].status", s)]
                for i, r in where
                if r.status not in test.status
                for s in test.status
            ]
            return found + [[Edit("set", "residences[+]", {"country": country, "status": s})] for s in test.status]
        if profile.residences is None:
            return [[Edit("set", "residences", [])]]
        matching = [(i, r) for i, r in where if r.status is None or test.status is None or r.status in test.status]
        if not matching:
            return []
        removed = [Edit("unset", f"residences[{i}]") for i, _ in matching]
        if test.status is None:
            return [removed]
        other = next(s for s in RESIDENCE if s not in test.status)
        return [removed, [Edit("set", f"residences[{i}].status", other) for i, _ in matching]]

    def _service(self, test: ServiceTest, target: Truth, profile: Profile) -> list[list[Edit]]:
        day = self.day
        records = [(i, s) for i, s in enumerate(profile.service or []) if s.country == test.country]
        latest_start = add_months(day, -test.min_months) if test.min_months else day
        if latest_start is None:
            return []  # the months cannot have been served within the calendar
        if target is Truth.FALSE:
            if profile.service is None:
                return [[Edit("set", "service", [])]]
            matching = [(i, s) for i, s in records if record_value(test, i, s, day)[0] is not Truth.FALSE]
            return [[Edit("unset", f"service[{i}]") for i, _ in matching]] if matching else []
        record: dict[str, Any] = {"country": test.country}
        for name in ("force", "kind"):
            allowed = getattr(test, name)
            if allowed:
                record[name] = allowed[0]
        if test.state == "ended":
            record["start"] = (add_months(day, -12) or date.min).isoformat()
            record["end"] = day.isoformat()
            if test.discharge:
                record["discharge"] = test.discharge[0]
        else:
            record["start"] = latest_start.isoformat()
        if test.combat is not None:
            record["combat"] = test.combat
        # a new record never overlaps one the profile has with the same country: a person does
        # not serve twice at once; editing that record is the change to make
        first = date.fromisoformat(record["start"])
        last = date.fromisoformat(record["end"]) if "end" in record else date.max  # still serving
        overlaps = any(s.start.earliest <= last and (s.end is None or s.end.latest > first) for _, s in records)
        found = [] if overlaps else [[Edit("set", "service[+]", record)]]
        for i, s in records:
            edits = []
            for name in ("force", "kind", "discharge"):
                allowed = getattr(test, name)
                if allowed and getattr(s, name) not in allowed and (name != "discharge" or test.state == "ended"):
                    edits.append(Edit("set", f"service[{i}].{name}", allowed[0]))
            if test.combat is not None and s.combat is not test.combat:
                edits.append(Edit("set", f"service[{i}].combat", test.combat))
            if test.state in ("serving", "started") and s.start.latest > latest_start:
                edits.append(Edit("set", f"service[{i}].start", latest_start.isoformat()))
            if test.state == "serving" and s.end is not None and s.end.earliest <= day:
                edits.append(Edit("unset", f"service[{i}].end"))
                if s.discharge is not None:
                    edits.append(Edit("unset", f"service[{i}].discharge"))
            if test.state == "ended" and s.ended_by(day) is not Truth.TRUE:
                if s.start.latest > day:
                    edits.append(Edit("set", f"service[{i}].start", day.isoformat()))
                edits.append(Edit("set", f"service[{i}].end", day.isoformat()))
            if edits:
                found.append(edits)
        return found

    def _family(self, test: FamilyTest, target: Truth, profile: Profile) -> list[list[Edit]]:
        day = self.day
        members = profile.family or []
        if target is Truth.FALSE:
            if profile.family is None:
                return [[Edit("set", "family", [])]]
            carrying = []
            for index, member in enumerate(members):
                verdicts = [self.evaluator.member(member.person, day, target) for target in test.provisions]
                if any(v.status in ("applies", "undetermined") for v in verdicts):
                    carrying.append(Edit("unset", f"family[{index}]"))
            return [carrying] if carrying else []
        if self.depth >= MAX_DEPTH:
            return []
        inner = _Search(self.evaluator, day, self.depth + 1)
        found = []
        if len(members) > MAX_MEMBERS:
            note = (
                f"Only the first {MAX_MEMBERS} of the {len(members)} listed family members were tried as the "
                "relative who qualifies; the others may offer the same changes."
            )
            if (note, "family") not in self.notes:
                self.notes.append((note, "family"))
        for index, member in enumerate(members[:MAX_MEMBERS]):
            prefix = f"family[{index}].person."
            # a route target is searched on its provision as a whole; each set is verified on the condition
            for provision in dict.fromkeys(split_target(t)[0] for t in test.provisions):
                for edits in inner.sets(profile_data(member.person), member.person, provision)[:PER_CONDITION]:
                    found.append([Edit(e.op, prefix + e.path, e.value) for e in edits])
        for provision in dict.fromkeys(split_target(t)[0] for t in test.provisions):
            sets = inner.sets({}, Profile(), provision)
            if sets and sets[0]:
                person = apply({}, sets[0])
                found.append([Edit("set", "family[+]", {"relation": "spouse", "person": person})])
        for noted in inner.notes:
            if noted not in self.notes:
                self.notes.append(noted)
        return found

    def notes_for(self, sets: list[list[Edit]]) -> list[str]:
        """The notes that concern one of these change sets."""
        shown = [json.dumps([(e.path, e.value) for e in edits], ensure_ascii=False) for edits in sets]
        return [note for note, about in self.notes if any(about in text for text in shown)]

    # the search ------------------------------------------------------------------------------

    def judge(self, profile: Profile, key: str) -> Judgement:
        return self.evaluator.judge(profile, self.day, [key])[key]

    def _try(self, data: dict, edits: list[Edit]) -> Optional[Profile]:
        paths = [e.path for e in edits if not e.path.endswith("[+]")]
        if len(paths) != len(set(paths)):
            return None
        try:
            return changed_profile(data, edits)
        except InputError:
            return None

    def sets(self, data: dict, profile: Profile, key: str) -> list[list[Edit]]:
        """The smallest verified sets of edits that make `key` apply (empty when it cannot, [[]] if it does)."""
        judgement = self.judge(profile, key)
        if judgement.validity.value is not Truth.TRUE:
            return []
        if judgement.status == "applies":
            return [[]]
        item = judgement.item
        # only a route certainly in force can make it apply (a contested or imprecisely dated one
        # cannot): the search is over their expressions
        in_force = [
            r.expr for r, j in zip(item.routes, judgement.per_route, strict=True) if j.validity.value is Truth.TRUE
        ]
        target = in_force[0] if len(in_force) == 1 else logic.Any_(tuple(in_force))
        names = logic.names(target)
        current = {name: judgement.findings[name].value for name in names}
        cache: dict[tuple[str, Truth], list[list[Edit]]] = {}

        def verified(name: str, target: Truth) -> list[list[Edit]]:
            if (name, target) not in cache:
                good = []
                for edits in self.options(item.condition_map[name].test, target, data, profile):
                    changed = self._try(data, edits) if edits else None
                    if changed is not None and self.judge(changed, key).findings[name].value is target:
                        good.append(edits)
                cache[(name, target)] = good
            return cache[(name, target)]

        assignments: list[dict[str, Truth]] = []
        for size in range(1, len(names) + 1):
            for chosen in itertools.combinations(names, size):
                flips = [[t for t in (Truth.TRUE, Truth.FALSE) if t is not current[n]] for n in chosen]
                for targets in itertools.product(*flips):
                    assign = dict(zip(chosen, targets, strict=True))
                    if any(prev.items() <= assign.items() for prev in assignments):
                        continue
                    if logic.evaluate(target, {**current, **assign}) is not Truth.TRUE:
                        continue
                    if all(verified(n, t) for n, t in assign.items()):
                        assignments.append(assign)

        found: list[list[Edit]] = []
        for assign in assignments:
            for combo in itertools.product(*[verified(n, t)[:PER_CONDITION] for n, t in assign.items()]):
                edits = [e for part in combo for e in part]
                edits = [e for i, e in enumerate(edits) if e not in edits[:i]]
                changed = self._try(data, edits)
                if changed is not None and self.judge(changed, key).status == "applies":
                    found.append(edits)
        found.sort(key=len)
        smallest: list[list[Edit]] = []
        for edits in found:
            if not any(all(e in edits for e in kept) for kept in smallest):
                smallest.append(edits)
        return smallest[:MAX_SETS]


def make_apply(evaluator: Evaluator, profile: Profile, day: date, key: str, label: Optional[str] = None) -> MakeApply:
    search = _Search(evaluator, day)
    judgement = search.judge(profile, key)
    now = reason(judgement, day)

    def answer(
        possible: bool, explanation: str, sets: Optional[list[ChangeSet]] = None, notes: Optional[list[str]] = None
    ) -> MakeApply:
        return MakeApply(
            profile=label or profile.label(),
            on=day.isoformat(),
            rule_base=evaluator.rules.digest,
            provision=key,
            status=judgement.status,
            reason=now,
            possible=possible,
            explanation=explanation,
            sets=sets or [],
            notes=notes or [],
            horizon=horizon(evaluator.rules, day),
        )

    validity = judgement.validity
    if validity.value is Truth.FALSE:
        return answer(
            False,
            f"No change to the facts can make it apply on {day.isoformat()}: the provision "
            f"itself is not in force. {validity.explanation}",
        )
    if validity.value is Truth.UNKNOWN:
        return answer(
            False,
            f"No change to the facts can make it certainly apply on {day.isoformat()}: "
            f"whether the provision is in force is itself unknown. {validity.explanation} "
            "At best it is undetermined.",
        )
    if judgement.status == "applies":
        return answer(True, f"It already applies on {day.isoformat()}; nothing needs to change.")
    data = profile_data(profile)
    sets = sorted(search.sets(data, profile, key), key=effort)
    only_citizenship = bool(sets) and all(_citizenship_change(edits) for edits in sets)
    if not only_citizenship:  # acquiring or giving up a citizenship only where nothing else works
        sets = [edits for edits in sets if not _citizenship_change(edits)]
    out = []
    for edits in sets:
        after = search.judge(changed_profile(data, edits), key)
        out.append(
            ChangeSet(
                edits=[edit_out(e) for e in edits],
                conditions=moved_conditions(judgement, after),
                reason_after=reason(after, day),
            )
        )
    if not out:
        return answer(
            False,
            "No change to the profile's facts found makes it apply: its conditions cannot all hold "
            "together for one person.",
        )
    how = (
        " Only by acquiring or giving up a citizenship: no change to the person's records, registration or "
        "relatives does it."
        if only_citizenship
        else " The easiest first: editing a record the profile has (ending a service, changing its kind, "
        "registering), then adding a record; a change of citizenship is listed only where nothing else works."
    )
    return answer(
        True,
        f"{len(out)} smallest set{'s' if len(out) > 1 else ''} of changes found; each was applied and "
        f"judged, and makes it apply. No set contains another.{how}",
        out,
        search.notes_for(sets),
    )


def _citizenship_change(edits: list[Edit]) -> bool:
    """Whether the set acquires or gives up a citizenship (the person's or a relative's)."""
    return any(e.path == "citizenships" or ".citizenships" in "." + e.path for e in edits)


def effort(edits: list[Edit]) -> tuple[int, int, int]:
    """How much a change set asks of a person, to rank the sets: the hardest step first (1: edit a
    field of a record the profile has, or register; 2: add or remove a record; 3: a citizenship),
    then all the steps together, then their number."""
    steps = [_effort(e) for e in edits]
    return (max(steps, default=0), sum(steps), len(steps))


def _effort(edit: Edit) -> int:
    if edit.path == "citizenships" or ".citizenships" in "." + edit.path:
        return 3
    last = edit.path.rsplit(".", 1)[-1]
    if edit.path.endswith("[+]") or (edit.op == "unset" and last.endswith("]")) or "[" not in edit.path:
        return 2 if not edit.path.startswith("military_registration") else 1
    return 1


# --- how each kind of condition test is flipped ----------------------------------------------------


# The search's methods take (search, test, target, profile data, profile): they register as they are.
flips(CitizenshipTest)(_Search._citizenship)
flips(OtherCitizenshipTest)(_Search._other_citizenship)
flips(StatelessTest)(_Search._stateless)
flips(NonCitizenTest)(_Search._non_citizen)
flips(ResidenceTest)(_Search._residence)


@flips(ServiceTest)
def _flip_service(search: _Search, test: ServiceTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
    return search._service(test, target, profile)


@flips(RegistrationTest)
def _flip_registration(
    search: _Search, test: RegistrationTest, target: Truth, data: dict, profile: Profile
) -> list[list[Edit]]:
    want = test.registered if target is Truth.TRUE else not test.registered
    return [[Edit("set", f"military_registration.{test.country}", want)]]


@flips(CriminalRecordTest)
def _flip_criminal_record(
    search: _Search, test: CriminalRecordTest, target: Truth, data: dict, profile: Profile
) -> list[list[Edit]]:
    record = profile.criminal_record
    want = target is Truth.TRUE
    found = [[Edit("set", f"criminal_record.{test.field}", want)]]
    if test.field == "conviction_expunged" and want:
        found.append(
            [Edit("set", "criminal_record.convicted", True), Edit("set", "criminal_record.conviction_expunged", True)]
        )
    if test.field == "convicted" and not want and record is not None and record.conviction_expunged is not None:
        found.append(
            [Edit("set", "criminal_record.convicted", False), Edit("unset", "criminal_record.conviction_expunged")]
        )
    return found


@flips(FamilyTest)
def _flip_family(search: _Search, test: FamilyTest, target: Truth, data: dict, profile: Profile) -> list[list[Edit]]:
    return search._family(test, target, profile)
