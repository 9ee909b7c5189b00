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


def _run_stack_floor(people, rows, out):
    import subprocess

    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "stack_floor.py"), str(people), str(rows), str(out)],
        capture_output=True,
        text=True,
    )


def test_the_stacks_floor_validates_each_distinct_text_once_and_writes_batchs_bytes(tmp_path, evaluator):
    """The stack's floor does a part of batch's work and nothing more: it registers batch's rule
    base with the engine, validates each field's distinct texts with the profile model (an invalid
    one fails it), and writes the very bytes it is given."""
    import json

    people = tmp_path / "people.jsonl"
    lines = list(synth.lines(300, 5))
    people.write_text("".join(lines) + "\n", encoding="utf-8")  # a blank line: skipped, as batch skips it
    rows = tmp_path / "rows.jsonl"
    rows.write_bytes(b'{"line":1}\n' * 1000)
    done = _run_stack_floor(people, rows, tmp_path / "out.jsonl")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == rows.read_bytes()
    distinct = {
        (name, json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        for line in lines
        for name, value in json.loads(line).items()
        if name != "id"
    }
    validated, rules = map(int, done.stdout.split())
    assert validated == len(distinct)  # synth writes compact JSON: a value's text is its dump
    assert rules == len(evaluator.engine.definition)  # the bundled rule base, every rule registered

    people.write_text('{"service":[{"country":"UA","start":"2024-12-01"}]}\n', encoding="utf-8")
    done = _run_stack_floor(people, rows, tmp_path / "out.jsonl")
    assert done.returncode == 0 and done.stdout.split()[0] == "1", done.stderr
    people.write_text('{"service":[{"country":"UA","start":"2024-13-01"}]}\n', encoding="utf-8")
    done = _run_stack_floor(people, rows, tmp_path / "out.jsonl")
    assert done.returncode != 0 and "ValidationError" in done.stderr and "2024-13-01" in done.stderr
