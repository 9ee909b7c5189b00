"""What changed for a person between two dates, and what changed it.

For every provision whose status differs between the two dates: the statuses it
passed through, the condition values that differ, and the causes: the stage of
a law (with its citation) or the dated fact of the profile, in between, that
moved it (see causes.attribute).
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from eligibility.explaining.causes import attribute
from eligibility.explaining.reasons import horizon, reason
from eligibility.explaining.report import Held, HorizonOut, Out, Status, Value
from eligibility.exploring.over_time import CauseOut, cause_out, check_range, spans
from eligibility.foundations import logic
from eligibility.foundations.vocabulary import EffectKind
from eligibility.judging.evaluation import HELD, Evaluator, Judgement
from eligibility.people.profile import Profile


class ConditionChange(Out):
    id: str
    says: str
    before: Held
    after: Held
    facts_after: list[str]


def moved_conditions(before: Judgement, after: Judgement) -> list[ConditionChange]:
    """The conditions of one judged item whose values differ between two judgements of it."""
    return [
        ConditionChange(
            id=name,
            says=before.item.condition_map[name].says,
            before=HELD[before.findings[name].value],
            after=HELD[after.findings[name].value],
            facts_after=list(after.findings[name].facts),
        )
        for name in logic.names(before.item.expr)
        if before.findings[name].value is not after.findings[name].value
    ]


class Step(Out):
    start: str
    status: Status


class ProvisionChange(Out):
    id: str
    title: str
    effect: EffectKind  # what the provision does when it applies: a benefit or a burden for the person
    before: Status
    after: Status
    before_reason: str
    after_reason: str
    in_force_before: Value
    in_force_after: Value
    conditions: list[ConditionChange]
    causes: list[CauseOut]
    path: list[Step]  # every status it held from the first date to the second


class Diff(Out):
    profile: str
    start: str
    end: str
    rule_base: str
    changed: list[ProvisionChange]
    unchanged: list[str]
    horizon: Optional[HorizonOut] = None  # beyond: a day compared is past the sources' horizon


def diff(
    evaluator: Evaluator,
    profile: Profile,
    start: date,
    end: date,
    label: Optional[str] = None,
    provisions: Optional[list[str]] = None,
) -> Diff:
    check_range(start, end)
    wanted = provisions if provisions is not None else list(evaluator.rules.provisions)
    before = evaluator.judge(profile, start, wanted)
    after = evaluator.judge(profile, end, wanted)
    moved = [key for key in wanted if before[key].status != after[key].status]
    runs, causes = spans(evaluator, profile, start, end, moved)
    changed = []
    for key in moved:
        b, a = before[key], after[key]
        conditions = moved_conditions(b, a)
        steps: list[Step] = []
        for span in runs[key]:
            if not steps or steps[-1].status != span.judgement.status:
                steps.append(Step(start=span.start.isoformat(), status=span.judgement.status))
        found = attribute(evaluator, profile, key, b, a, start, end, causes)
        changed.append(
            ProvisionChange(
                id=key,
                title=b.item.provision.title,
                effect=b.item.provision.effect.kind,
                before=b.status,
                after=a.status,
                before_reason=reason(b, start),
                after_reason=reason(a, end),
                in_force_before=b.validity.value.word,
                in_force_after=a.validity.value.word,
                conditions=conditions,
                causes=[cause_out(evaluator, c) for c in found],
                path=steps,
            )
        )
    return Diff(
        profile=label or profile.label(),
        start=start.isoformat(),
        end=end.isoformat(),
        rule_base=evaluator.rules.digest,
        changed=changed,
        unchanged=[key for key in wanted if key not in moved],
        horizon=horizon(evaluator.rules, max(start, end)),
    )
