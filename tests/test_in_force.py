"""A route's in-force is written once, as periods; every reading of it agrees with them.

The per-day answer (`validity`, with its prose), the day ranges the engine compiles
(`in_force_segments`), the change points the timeline uses (`edges`) and the summary's
short reason are all read from `periods`.  These tests state what must hold between them
and one invariant of the law itself: an imprecise date never decides anything that
learning the exact day could overturn.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Callable

from hypothesis import given
from hypothesis import strategies as st

from eligibility.foundations.dates import DateSpec
from eligibility.foundations.logic import Truth
from eligibility.judging import in_force
from eligibility.judging.in_force import edges, in_force_segments, periods, validity
from eligibility.law.rulebase import Route
from eligibility.law.schema import Stage

from .strategies import QUERY


def _routes(rules) -> list[Route]:
    return [route for item in rules.judged.values() for route in item.routes]


def _value_in_segments(route: Route, day: date) -> Truth:
    ordinal = day.toordinal()
    (value,) = [v for first, last, v in in_force_segments(route) if (first or ordinal) <= ordinal <= (last or ordinal)]
    return value


def _probes(route: Route) -> list[date]:
    """Every day around a stage's edges and a horizon: where a reading could slip."""
    around = [s.date.earliest for s in route.stages] + [s.date.latest for s in route.stages]
    if route.in_force.unenacted_as_of is not None:
        around.append(route.in_force.unenacted_as_of.date)
    return sorted({day + timedelta(days=k) for day in around for k in (-1, 0, 1, 2)})


@given(day=QUERY)
def test_each_day_reads_the_period_it_falls_in(rules, articles, day):
    """The sentence for a day says what the engine's day range says, and carries what its
    value promises: a short reason when certainly not in force, the kind of unknown when unknown."""
    for route in _routes(rules) + _routes(articles.rules):
        said = validity(route, day)
        assert said.value is _value_in_segments(route, day), (route.id, day)
        assert bool(said.short) == (said.value is Truth.FALSE), (route.id, day, said.explanation)
        assert (said.unknown is not None) == (said.value is Truth.UNKNOWN), (route.id, day)
        assert said.explanation.split(":")[0].endswith(day.isoformat())


def test_change_points_are_exactly_the_days_the_value_changes(rules, articles):
    for route in _routes(rules) + _routes(articles.rules):
        found = {edge.day for edge in edges(route)}
        for day in _probes(route):
            moved = validity(route, day).value is not validity(route, day - timedelta(days=1)).value
            assert moved == (day in found), (route.id, day)


def test_periods_cover_every_day_once(rules, articles):
    for route in _routes(rules) + _routes(articles.rules):
        found = periods(route)
        assert found[0].first is None and found[-1].last is None
        for before, after in zip(found, found[1:], strict=False):
            assert before.last is not None and after.first == before.last + timedelta(days=1)
            assert before.case != after.case  # neighbours with one account are one period


def _narrowed(route: Route, index: int, day: date) -> Route:
    """The route as it would be if the sources gave the exact day of one of its stages."""
    stages = list(route.stages)
    stages[index] = stages[index].model_copy(update={"date": DateSpec(day, day, "day", day.isoformat())})
    return replace(route, stages=tuple(stages))


def _contradictions(route: Route, pick: Callable[[Stage], date]) -> list[str]:
    """What learning the exact day (`pick`) of each imprecise stage would overturn."""
    found = []
    for index, stage in enumerate(route.stages):
        if stage.date.exact:
            continue
        exact = pick(stage)
        learned = _narrowed(route, index, exact)
        for day in _probes(route):
            was, now = validity(route, day).value, validity(learned, day).value
            if was is not Truth.UNKNOWN and was is not now:
                found.append(f"{stage.kind} on {exact}: {day} was {was.word}, now {now.word}")
    return found


@given(choice=st.data())
def test_learning_the_day_inside_a_window_never_overturns_an_answer(rules, articles, choice):
    """A stage known to a month or a window: whatever day inside it the sources later give, every
    day the answer was already known (in force or not) keeps its answer; only unknown days settle."""
    windows = [r for r in _routes(rules) + _routes(articles.rules) if any(not s.date.exact for s in r.stages)]
    assert windows  # the rule base has stages known only to a month or a window
    for route in windows:

        def pick(stage: Stage, of: Route = route) -> date:
            return choice.draw(st.dates(stage.date.earliest, stage.date.latest), label=f"{of.id} {stage.kind}")

        assert _contradictions(route, pick) == [], route.id


def test_a_guessed_day_inside_a_window_is_caught(rules, monkeypatch):
    """Planted fault: a model that calls the days inside a starting window 'in force' (guessing the
    window's first day) is caught by the invariant above."""
    monkeypatch.setitem(in_force._VALUE, "starting", Truth.TRUE)
    route = next(
        r
        for r in _routes(rules)
        if (s := r.stage(r.in_force.start)) is not None and not s.date.exact and r.in_force.contested is None
    )
    assert _contradictions(route, lambda stage: stage.date.latest), route.id
