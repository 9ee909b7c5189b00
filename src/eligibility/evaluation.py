"""Judging a profile on a date: facts → engine verdicts → explanation.

For each provision the condition tests are read off the profile (three-valued,
with the facts used and the facts missing).  The durable_rules engine turns those
values and the date into a verdict.  The same rule data is folded in Python for
the explanation; the two must agree on every provision, or the run stops with an
InternalError.  Family members are judged first, on the same date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from . import logic
from .engine import Engine, engine_for
from .errors import InternalError
from .logic import Truth
from .predicates import Carrier, Finding, MemberVerdict, finding
from .profile import Profile
from .report import (
    CarrierOut, CitationOut, ConditionOut, EffectOut, InForceOut, ProvisionOut, ReadingOut, Report,
)
from .rulebase import Citation, Judged, RuleBase
from .validity import Validity, validity

HELD = {Truth.TRUE: "held", Truth.FALSE: "failed", Truth.UNKNOWN: "unknown"}


def python_status(in_force: Truth, conditions: Truth) -> str:
    """The documented precedence: certainly not in force > a false condition > unknown > applies."""
    if in_force is Truth.FALSE:
        return "not_in_force"
    if conditions is Truth.FALSE:
        return "does_not_apply"
    if conditions is Truth.UNKNOWN or in_force is Truth.UNKNOWN:
        return "undetermined"
    return "applies"


@dataclass(frozen=True)
class Judgement:
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
        for name in logic.names(self.item.expr):
            f = self.findings[name]
            if f.value is Truth.UNKNOWN:
                found.extend(m for m in f.missing if m not in found)
        return found


class Evaluator:
    def __init__(self, rules: RuleBase, engine: Optional[Engine] = None):
        self.rules = rules
        self.engine = engine or engine_for(rules)

    # -- judging ------------------------------------------------------------------------

    def judge(self, profile: Profile, day: date, keys: Optional[Iterable[str]] = None) -> dict[str, Judgement]:
        items = [self.rules.judged[k] for k in keys] if keys is not None else list(self.rules.judged.values())
        member_cache: dict[tuple[int, str], MemberVerdict] = {}

        def lookup(index: int, provision_id: str) -> MemberVerdict:
            key = (index, provision_id)
            if key not in member_cache:
                member = profile.family[index].person
                judged = self.judge(member, day, [provision_id])[provision_id]
                member_cache[key] = MemberVerdict(judged.status, tuple(judged.missing))
            return member_cache[key]

        findings: dict[str, dict[str, Finding]] = {}
        validities: dict[str, Validity] = {}
        rows = []
        for item in items:
            findings[item.key] = {name: finding(item.condition_map[name].test, profile, day, lookup)
                                  for name in logic.names(item.expr)}
            validities[item.key] = validity(item, day)
            rows.append((item.key, {name: f.value for name, f in findings[item.key].items()}))
        verdicts = self.engine.judge(day, rows)

        out: dict[str, Judgement] = {}
        for item in items:
            values = {name: f.value for name, f in findings[item.key].items()}
            conditions = logic.evaluate(item.expr, values)
            status = python_status(validities[item.key].value, conditions)
            verdict = verdicts[item.key]
            if (verdict.status, verdict.conditions) != (status, conditions):
                raise InternalError(
                    f"durable_rules and the Python evaluation disagree on {item.key} on {day.isoformat()}: "
                    f"engine says {verdict.status} (conditions {verdict.conditions.word}, rule {verdict.rule}), "
                    f"Python says {status} (conditions {conditions.word}, in force {validities[item.key].value.word})")
            out[item.key] = Judgement(item, findings[item.key], validities[item.key], conditions, status, verdict.rule)
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
