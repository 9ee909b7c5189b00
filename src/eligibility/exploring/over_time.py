"""A person across time: every provision's periods between two dates, and why each began.

The person is judged on the first day and on every change point after it (see
causes.py); nothing can change between two change points, so the periods are
exact, not sampled.  A period ends where the provision's status, its in-force
value or any of its condition values changes.  A date the sources give only to
a month or a window is an `undetermined` period of its own, never a guessed day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Optional

from eligibility.explaining.causes import Cause, attribute, change_points
from eligibility.explaining.reasons import explainer, horizon, reason
from eligibility.explaining.report import CitationOut, HorizonOut, Out, Status, Value
from eligibility.foundations import logic
from eligibility.foundations.errors import InputError
from eligibility.foundations.vocabulary import EffectKind
from eligibility.judging.evaluation import Evaluator, Judgement
from eligibility.people.profile import Profile

DEFAULT_START = date(2022, 1, 1)
DEFAULT_END = date(2026, 12, 31)


class CauseOut(Out):
    on: str
    kind: str  # law | fact
    text: str
    provision: Optional[str] = None
    stage: Optional[str] = None
    fact: Optional[str] = None
    via: Optional[str] = None
    citations: list[CitationOut] = []


class PeriodOut(Out):
    start: str  # first day, inclusive
    end: str  # last day, inclusive
    days: int
    status: Status
    in_force: Value
    would_qualify: Value
    reason: str  # the explanation `check` gives on the period's first day
    began_with: list[CauseOut]  # the change points that opened the period (none for the first)


class ProvisionTimeline(Out):
    id: str
    title: str
    jurisdiction: str
    effect: EffectKind  # what it does when it applies: a benefit or a burden for the person
    periods: list[PeriodOut]


class Timeline(Out):
    profile: str
    start: str
    end: str
    rule_base: str
    change_points: list[CauseOut]
    provisions: list[ProvisionTimeline]
    horizon: Optional[HorizonOut] = None  # beyond: the range runs past the sources' horizon

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per provision and period (the columns of `timeline --format csv`)."""
        from eligibility.explaining.tables import timeline_rows

        return timeline_rows(self)

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (pandas is not a dependency: install it to use this)."""
        from eligibility.explaining.tables import TIMELINE_COLUMNS, frame

        return frame(self.rows(), TIMELINE_COLUMNS)

    def status_on(self, provision_id: str, day: date) -> str:
        text = day.isoformat()
        for provision in self.provisions:
            if provision.id == provision_id:
                for period in provision.periods:
                    if period.start <= text <= period.end:
                        return period.status
        raise KeyError(f"{provision_id} on {text} is outside the timeline")


def cause_out(evaluator: Evaluator, cause: Cause) -> CauseOut:
    return CauseOut(
        on=cause.day.isoformat(),
        kind=cause.kind,
        text=cause.text,
        provision=cause.provision,
        stage=cause.stage,
        fact=cause.path,
        via=cause.via,
        citations=[explainer(evaluator.rules).citation(c, cause.provision) for c in cause.citations],
    )


def _signature(judgement: Judgement) -> tuple:
    return (
        judgement.status,
        judgement.validity.value,
        tuple(judgement.findings[name].value for name in logic.names(judgement.item.expr)),
    )


@dataclass(frozen=True)
class Span:
    start: date
    end: date
    judgement: Judgement


def check_range(start: date, end: date, first: str = "--from", last: str = "--to") -> None:
    if end < start:
        raise InputError(
            last, None, f"expected a date on or after {first} ({start.isoformat()}), got {end.isoformat()!r}"
        )


def days_judged(evaluator: Evaluator, profile: Profile, start: date, end: date) -> tuple[list[date], list[Cause]]:
    """The days to judge on: the first day, then every change point up to the last day."""
    causes = change_points(evaluator.rules, profile)
    days = sorted({start} | {c.day for c in causes if start < c.day <= end})
    return days, causes


def spans(
    evaluator: Evaluator, profile: Profile, start: date, end: date, keys: Iterable[str]
) -> tuple[dict[str, list[Span]], list[Cause]]:
    """Each judged item's maximal spans of unchanged status, in-force value and condition values."""
    keys = list(keys)
    days, causes = days_judged(evaluator, profile, start, end)
    found: dict[str, list[Span]] = {key: [] for key in keys}
    for index, day in enumerate(days):
        last = days[index + 1] - timedelta(days=1) if index + 1 < len(days) else end
        judgements = evaluator.judge(profile, day, keys)
        for key in keys:
            runs = found[key]
            judgement = judgements[key]
            if runs and _signature(runs[-1].judgement) == _signature(judgement):
                runs[-1] = Span(runs[-1].start, last, runs[-1].judgement)
            else:
                runs.append(Span(day, last, judgement))
    return found, causes


def timeline(
    evaluator: Evaluator,
    profile: Profile,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    label: Optional[str] = None,
    provisions: Optional[list[str]] = None,
) -> Timeline:
    check_range(start, end)
    wanted = provisions if provisions is not None else list(evaluator.rules.provisions)
    found, causes = spans(evaluator, profile, start, end, wanted)
    out = []
    for provision_id in wanted:
        provision = evaluator.rules.provisions[provision_id]
        periods = []
        previous: Optional[Span] = None
        for span in found[provision_id]:
            began: list[Cause] = []
            if previous is not None:
                began = attribute(
                    evaluator,
                    profile,
                    provision_id,
                    previous.judgement,
                    span.judgement,
                    previous.end,
                    span.start,
                    causes,
                )
            j = span.judgement
            periods.append(
                PeriodOut(
                    start=span.start.isoformat(),
                    end=span.end.isoformat(),
                    days=(span.end - span.start).days + 1,
                    status=j.status,
                    in_force=j.validity.value.word,
                    would_qualify=j.would_qualify.word,
                    reason=reason(j, span.start),
                    began_with=[cause_out(evaluator, c) for c in began],
                )
            )
            previous = span
        out.append(
            ProvisionTimeline(
                id=provision_id,
                title=provision.title,
                jurisdiction=provision.jurisdiction,
                effect=provision.effect.kind,
                periods=periods,
            )
        )
    points = [cause_out(evaluator, c) for c in causes if start < c.day <= end]
    return Timeline(
        profile=label or profile.label(),
        start=start.isoformat(),
        end=end.isoformat(),
        rule_base=evaluator.rules.digest,
        change_points=points,
        provisions=out,
        horizon=horizon(evaluator.rules, end),
    )
