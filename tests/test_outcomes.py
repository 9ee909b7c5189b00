"""Outcomes kept and shared: what an item comes to depends only on the day and its condition
values, so the evaluator works it out (folded in Python, put to durable_rules, the two compared)
once for each distinct (day, item, values) and reuses it.  Reusing must change no answer."""

from __future__ import annotations

import json
from datetime import date

import pytest

from eligibility.judging.evaluation import Evaluator, Judgement, unknowns
from eligibility.people.profile import parse_profile
from eligibility.runners import synth

from .conftest import PEOPLE

DAYS = [date(2022, 10, 1), date(2024, 8, 1), date(2026, 3, 10)]


def _cases():
    profiles = [parse_profile(data) for data in synth.population(50, 11)]
    profiles += [parse_profile(json.loads(path.read_text())) for path in sorted(PEOPLE.glob("*.json"))]
    return [(profile, day) for profile in profiles for day in DAYS]


def _seen(judged):
    """Everything a judgement answers: status, conditions, would-qualify, the rule that fired, each
    route's answer, the missing facts and every reason it is unknown."""
    return [
        {
            key: (
                j.status,
                j.conditions,
                j.would_qualify,
                j.engine_rule,
                tuple((r.validity.value, r.conditions) for r in j.per_route),
                tuple(j.missing),
                tuple(unknowns(j)),
            )
            for key, j in case.items()
        }
        for case in judged
    ]


def test_kept_outcomes_change_no_answer(evaluator, monkeypatch):
    cases = _cases()
    evaluator.forget()
    together = _seen(evaluator.judge_many(cases))
    again = _seen(evaluator.judge_many(cases))  # every outcome already kept
    alone = []
    for case in cases:
        evaluator.forget()
        alone.extend(_seen(evaluator.judge_many([case])))
    # stores so small that they start again every few cases
    monkeypatch.setattr(Evaluator, "CASE_OUTCOMES", 3)
    monkeypatch.setattr(Evaluator, "ITEM_OUTCOMES", 5)
    evaluator.forget()
    tight = [
        seen for start in range(0, len(cases), 7) for seen in _seen(evaluator.judge_many(cases[start : start + 7]))
    ]
    assert together == again == alone == tight


def test_a_case_gives_the_missing_facts_its_judgements_give(evaluator):
    """The batch's short way to the missing facts (positions of unknown findings, the same for every
    case with the same key) gives what each judgement gives."""
    for case in evaluator.cases(_cases()):
        for index, (key, judgement) in enumerate(case.judgements().items()):
            assert case.missing(index) == judgement.missing, key
            if judgement.status == "undetermined":
                assert case.missing_at(case.unknown_at(index)) == judgement.missing, key


def test_every_judgement_of_a_case_is_the_one_asked_for_alone(evaluator):
    """A case's judgements, made all at once, are each the judgement asked for by its place: the
    same item, findings by condition id, in-force, status, engine rule, routes and "would"."""
    for case in evaluator.cases(_cases()):
        together = list(case.judgements().values())
        assert together == [case.judgement(n) for n in range(len(together))]
        assert all(isinstance(j, Judgement) and j.item.key == k for k, j in case.judgements().items())


def test_an_items_findings_do_not_depend_on_the_items_judged_with_it(evaluator):
    """Judged among all the others, or alone, an item gets the same finding for each of its
    conditions (the tests sit at different places in the two layouts) and the same answer."""
    cases = _cases()[::5]
    for (profile, day), case in zip(cases, evaluator.cases(cases), strict=True):
        for key, judgement in case.judgements().items():
            (alone,) = evaluator.cases([(profile, day)], [key])
            single = alone.judgements()[key]
            assert list(judgement.findings) == list(judgement.item.names), key
            assert {c: (f.value, f.missing) for c, f in judgement.findings.items()} == {
                c: (f.value, f.missing) for c, f in single.findings.items()
            }, (key, profile.id, day)
            assert (judgement.status, judgement.would_qualify) == (single.status, single.would_qualify), key


@pytest.mark.parametrize("engine", [True, False])
def test_cases_with_equal_keys_have_equal_outcomes(evaluator, engine):
    """The key of a case (day, items, every test's value) decides its outcomes: two cases with the
    same key, even of different people, share them."""
    by_key: dict = {}
    for case in evaluator.cases(_cases(), engine=engine):
        assert by_key.setdefault(case.key, case.outcomes) == case.outcomes
    assert len(by_key) < len(_cases())  # people share keys: that is what keeping outcomes is for


def test_a_kept_store_holds_at_most_twice_its_limit_and_keeps_what_is_used():
    from eligibility.foundations.stores import Kept

    store: Kept[int, str] = Kept(4)
    for n in range(100):
        store.put(n, str(n))
        assert store.get(0 if n % 2 else n) is not None  # 0 is asked for again and again
        assert len(store.new) + len(store.old) <= 8
    assert store.get(0) == "0" and store.get(1) is None


def _build_at_once(evaluator, wanted) -> dict[tuple[str, ...], int]:
    import threading

    start = threading.Barrier(len(wanted))
    built: dict[tuple[str, ...], int] = {}

    def build(chosen: tuple[str, ...]) -> None:
        start.wait()
        built[chosen] = evaluator._layout(chosen).number

    threads = [threading.Thread(target=build, args=(chosen,)) for chosen in wanted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return built


def _slow_layouts(monkeypatch):
    """A layout that takes a moment to build once its number is taken: the window in which two
    threads without the lock would take the same number, held open."""
    import time

    from eligibility.judging import evaluation

    real = evaluation._Layout
    monkeypatch.setattr(evaluation, "_Layout", lambda *args: (time.sleep(0.005), real(*args))[1])


def test_layouts_built_at_once_from_several_threads_get_distinct_numbers(rules, monkeypatch):
    """A layout's number is part of every case key: two layouts built at the same moment (the API is
    safe from several threads) must never share one, or one would answer for the other."""
    from eligibility.judging.evaluation import Evaluator

    _slow_layouts(monkeypatch)
    keys = sorted(rules.judged)
    wanted = [tuple(keys[:n]) for n in range(1, len(keys) + 1)]
    built = _build_at_once(Evaluator(rules), wanted)
    assert sorted(built.values()) == list(range(len(wanted)))


def test_without_the_lock_layouts_would_share_numbers(rules, monkeypatch):
    """Planted: the lock taken away, the same threads give two layouts one number."""
    import contextlib

    from eligibility.judging.evaluation import Evaluator

    _slow_layouts(monkeypatch)
    unlocked = Evaluator(rules)
    unlocked._layout_lock = contextlib.nullcontext()  # type: ignore[assignment]
    keys = sorted(rules.judged)
    built = _build_at_once(unlocked, [tuple(keys[:n]) for n in range(1, len(keys) + 1)])
    assert len(set(built.values())) < len(built)
