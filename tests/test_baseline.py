"""The benchmark's hand-written baseline answers like the engine for its three provisions,
so that the benchmark compares like with like."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from eligibility import api
from eligibility.law.record import Evidence
from eligibility.people.profile import parse_profile
from eligibility.runners import synth

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import baseline  # noqa: E402


def test_the_baseline_agrees_with_the_engine(evaluator):
    evaluator = api.evaluator(evaluator.rules.under(Evidence("articles")))  # the account it copies
    profiles = [parse_profile(data) for data in synth.population(600, 2)]
    days = [
        date(2022, 10, 31),
        date(2022, 11, 15),
        date(2022, 12, 1),
        date(2024, 1, 3),
        date(2024, 1, 4),
        date(2024, 2, 21),
        date(2025, 6, 1),
    ]
    cases = [(p, d) for p in profiles for d in days]
    judged = evaluator.judge_many(cases, baseline.PROVISIONS)
    disagreements = [
        (p.id, d, pid)
        for (p, d), j in zip(cases, judged, strict=True)
        for pid, status in baseline.judge(p, d).items()
        if j[pid].status != status
    ]
    assert not disagreements
    statuses = {j[pid].status for j in judged for pid in baseline.PROVISIONS}
    assert statuses == {"applies", "undetermined", "does_not_apply", "not_in_force"}


def test_the_vectorised_baseline_answers_like_the_hand_written_one():
    numpy_baseline = pytest.importorskip("baseline_numpy", reason="numpy is not installed (the test extra has it)")
    profiles = [parse_profile(data) for data in synth.population(600, 2)]
    columns = numpy_baseline.Columns(profiles)
    for day in (date(2022, 10, 31), date(2022, 12, 1), date(2024, 1, 4), date(2024, 2, 21), date(2025, 6, 1)):
        assert numpy_baseline.statuses(columns, day) == [baseline.judge(p, day) for p in profiles], day
