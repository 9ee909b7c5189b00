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
from .logic import FALSE, UNKNOWN, Truth
from .predicates import Carrier, Facts, Finding, MemberVerdict, handler
from .profile import Profile
from .report import (
    CarrierOut, CitationOut, ConditionOut, EffectOut, InForceOut, ProvisionOut, ReadingOut, Report,
)
from .rulebase import Citation, FamilyTest, Judged, RuleBase
from .validity import Validity, validity

HELD = {Truth.TRUE: "held", Truth.FALSE: "failed", Truth.UNKNOWN: "unknown"}
_VALUE = attrgetter("value")   # a finding's value; a Truth is its letter, so "".join gives the engine's row


def python_status(in_force: Truth, conditions: Truth) -> str:
    """The documented precedence: certainly not in force > a false condition > unknown > applies."""
    if in_force is FALSE:
        return "not_in_force"
    if conditions is FALSE:
        return "does_not_apply"
    if conditions is UNKNOWN or in_force is UNKNOWN:
        return "undetermined"
    return "applies"


class Judgement(NamedTuple):
    """One provision (or reading) judged: both paths' results and what explains them."""

    item: Judged
    findings: dict[str, Finding]
    validity: Validity
    conditions: Truth
    status: str
    engine_rule: str

    @property
    def carriers(self) -> list[Carrier]:
        """The family members whose own provisions carried a family condition."""
        return [c for f in self.findings.values() for c in f.carried_by]

    @property
    def missing(self) -> list[str]:
        if self.status != "undetermined":
            return []
        found: list[str] = []
        for name in self.item.names:
            f = self.findings[name]
            if f.value is UNKNOWN:
                found.extend(m for m in f.missing if m not in found)
        return found


class Evaluator:
    VALIDITY_DAYS = 5_000   # days whose in-force answers are kept; they depend on nothing else

    def __init__(self, rules: RuleBase, engine: Optional[Engine] = None):
        self.rules = rules
        self.engine = engine or engine_for(rules)
        self._validity: dict[int, dict[str, Validity]] = {}   # day ordinal -> key -> in force
        # For each provision or reading, worked out once: its compiled `when`, and for each
        # condition it uses (condition id, slot, its test's function, the test).  Equal tests in
        # different provisions share a slot, so a profile-date runs each distinct test once.
        slots: dict[str, int] = {}
        self._plans = {key: (item.decide, tuple(
            (name, slots.setdefault(repr(test), len(slots)), handler(test), test)
            for name, test in item.tests)) for key, item in rules.judged.items()}
        self._slots = len(slots)
        for key, (_, plan) in self._plans.items():
            # the engine reads a row's values in this order: the findings must come in it too
            if tuple(name for name, *_ in plan) != tuple(self.engine.fields.get(key, ())):
                raise InternalError(f"the engine and the evaluator list the conditions of {key!r} in different orders")

    # -- judging ------------------------------------------------------------------------

    def judge(self, profile: Profile, day: date, keys: Optional[Iterable[str]] = None) -> dict[str, Judgement]:
        return self.judge_many([(profile, day)], keys)[0]

    def judge_many(self, cases: Sequence[tuple[Profile, date]], keys: Optional[Iterable[str]] = None,
                   engine: bool = True) -> list[dict[str, Judgement]]:
        """Judge many (profile, day) cases with one engine run: the same as judging each alone.

        Family members are judged first, all of them in one run per level of nesting, on the
        provisions the family conditions name.  `engine=False` skips durable_rules and takes the
        Python fold's status: no command does that; the benchmark uses it to measure the engine."""
        items = [self.rules.judged[k] for k in keys] if keys is not None else list(self.rules.judged.values())
        members = self._members(cases, items, engine)
        prepared = [(day, self._prepare(profile, day, items, members[n])) for n, (profile, day) in enumerate(cases)]
        if not engine:
            return [{j.item.key: j for j in judged} for _, judged in prepared]
        rows = [(day.toordinal(), j.item.key, "".join(map(_VALUE, j.findings.values())))
                for day, judged in prepared for j in judged]
        verdicts = iter(self.engine.run(rows))
        return [self._conclude(day, judged, verdicts) for day, judged in prepared]

    def _members(self, cases: Sequence[tuple[Profile, date]], items: list[Judged],
                 engine: bool = True) -> list[dict[tuple[int, str], MemberVerdict]]:
        """For each case, the verdicts of its family members on the provisions family conditions name."""
        wanted = sorted({provision for item in items for name in item.names
                         if isinstance(test := item.condition_map[name].test, FamilyTest)
                         for provision in test.provisions})
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
                    found[n][(index, provision)] = MemberVerdict(judged[provision].status, tuple(judged[provision].missing))
        return found

    def _validities(self, day: date) -> dict[str, Validity]:
        """The in-force answers known for a day (filled as provisions are judged on it)."""
        ordinal = day.toordinal()
        found = self._validity.get(ordinal)
        if found is None:
            if len(self._validity) >= self.VALIDITY_DAYS:
                self._validity.clear()
            found = self._validity[ordinal] = {}
        return found

    def _prepare(self, profile: Profile, day: date, items: list[Judged],
                 members: dict[tuple[int, str], MemberVerdict]) -> list[Judgement]:
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
            decide, plan = plans[key]
            findings: dict[str, Finding] = {}
            for name, slot, run, test in plan:
                found = done[slot]
                if found is None:
                    found = done[slot] = run(test, facts, lookup)
                findings[name] = found
            conditions = decide(findings)
            in_force = known.get(key)
            if in_force is None:
                in_force = known[key] = validity(item, day)
            status = python_status(in_force.value, conditions)
            out.append(Judgement(item, findings, in_force, conditions, status, ""))
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
                    f"Python says {p.status} (conditions {p.conditions.word}, in force {p.validity.value.word})")
            out[p.item.key] = Judgement(p.item, p.findings, p.validity, p.conditions, p.status, verdict.rule)
        return out

    # -- explaining ---------------------------------------------------------------------

    def citation(self, citation: Citation) -> CitationOut:
        source = self.rules.sources[citation.source]
        return CitationOut(source=source.id, outlet=source.outlet, published=source.published.written(),
                           quote=citation.quote)

    def _in_force(self, judgement: Judgement) -> InForceOut:
        v = judgement.validity
        return InForceOut(
            value=v.value.word, explanation=v.explanation,
            stage=v.stage.kind if v.stage else None, stage_label=v.stage.label if v.stage else None,
            date=v.stage.date.written() if v.stage else None,
            precision=v.stage.date.precision if v.stage else None,
            citations=[self.citation(c) for c in v.citations])

    def _conditions(self, judgement: Judgement) -> list[ConditionOut]:
        out = []
        for name in logic.names(judgement.item.expr):
            condition = judgement.item.condition_map[name]
            f = judgement.findings[name]
            out.append(ConditionOut(id=name, says=condition.says, value=HELD[f.value], facts=list(f.facts),
                                    missing=list(f.missing), note=f.note,
                                    citations=[self.citation(c) for c in condition.cite]))
        return out

    def reason(self, judgement: Judgement, day: date) -> str:
        item = judgement.item
        says = {name: item.condition_map[name].says for name in logic.names(item.expr)}
        by_value = {v: [n for n in says if judgement.findings[n].value is v] for v in Truth}
        would = {Truth.TRUE: "would qualify", Truth.FALSE: "would not qualify",
                 Truth.UNKNOWN: "might qualify (not every fact is known)"}[judgement.conditions]
        if judgement.status == "not_in_force":
            return f"{judgement.validity.explanation} The person {would} if it were."
        if judgement.status == "does_not_apply":
            failed = [says[n] for n in by_value[Truth.FALSE]]
            return "Does not apply: fails " + "; fails ".join(f"'{s}'" for s in failed) + "."
        if judgement.status == "undetermined":
            parts = []
            if judgement.validity.value is Truth.UNKNOWN:
                parts.append("the date falls inside the uncertainty of " +
                             (judgement.validity.stage.label + " " + judgement.validity.stage.when
                              if judgement.validity.stage else "its enactment"))
            if judgement.conditions is Truth.UNKNOWN:
                for name in by_value[Truth.UNKNOWN]:
                    f = judgement.findings[name]
                    detail = (f"missing: {', '.join(f.missing)}" if f.missing
                              else (f.note or "the facts given do not settle it").rstrip("."))
                    parts.append(f"unknown whether {says[name]} ({detail})")
            return "Undetermined: " + "; and ".join(parts).rstrip(".") + "."
        if judgement.carriers:
            first = judgement.carriers[0]
            return (f"Applies: in force and every condition holds; carried by {first.member} ({first.relation}"
                    f"{', ' + first.label if first.label else ''}) under {first.provision}.")
        return "Applies: in force and every condition holds."

    def _reading(self, judgement: Judgement) -> ReadingOut:
        reading = judgement.item.reading
        return ReadingOut(
            id=reading.id, follows=reading.follows, summary=reading.summary, status=judgement.status,
            would_qualify=judgement.conditions.word, in_force=self._in_force(judgement),
            conditions=self._conditions(judgement), missing=judgement.missing,
            citations=[self.citation(c) for c in reading.cite])

    def _full_reason(self, judgement: Judgement, readings: list[Judgement], day: date) -> str:
        text = self.reason(judgement, day)
        for other in readings:
            if other.status != judgement.status:
                text += (f" The {other.item.reading.id} reading ({other.item.reading.follows}) gives "
                         f"{other.status.replace('_', ' ')}.")
        return text

    def check(self, profile: Profile, day: date, label: Optional[str] = None) -> Report:
        judgements = self.judge(profile, day)
        provisions = []
        for provision_id, provision in self.rules.provisions.items():
            judgement = judgements[provision_id]
            readings = [judgements[r.key] for r in self.rules.readings_of(provision_id)]
            carried = judgement.carriers if judgement.status == "applies" else []
            provisions.append(ProvisionOut(
                id=provision_id, title=provision.title, jurisdiction=provision.jurisdiction,
                status=judgement.status, reason=self._full_reason(judgement, readings, day),
                effect=EffectOut(kind=provision.effect.kind, text=provision.effect.text),
                would_qualify=judgement.conditions.word, in_force=self._in_force(judgement),
                conditions=self._conditions(judgement), missing=judgement.missing,
                citations=[self.citation(c) for c in provision.cite],
                carried_by=[CarrierOut(member=c.member, relation=c.relation, label=c.label, provision=c.provision)
                            for c in carried],
                other_readings=[self._reading(r) for r in readings],
                engine_rule=judgement.engine_rule,
            ))
        return Report(profile=label or profile.label(), on=day.isoformat(), rule_base=self.rules.digest,
                      provisions=provisions)
