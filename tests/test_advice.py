"""--make-apply as advice a person could follow: the easiest changes first (edit a record the
profile has, then add one), a citizenship acquired or given up only where nothing else works and
said so, never two service records with one country at once, and a note only where it applies."""

from __future__ import annotations

import json
from datetime import date

import pytest

from eligibility import api
from eligibility.exploring.alternatives import _citizenship_change, changed_profile, effort, make_apply, profile_data
from eligibility.people.edits import parse_set, parse_unset

from .conftest import PEOPLE

PEOPLE_FILES = sorted(PEOPLE.glob("*.json"))
DAY = date(2024, 8, 1)


def _edits(change_set) -> list:
    return [
        parse_set(f"{e.path}={json.dumps(e.value)}") if e.op == "set" else parse_unset(e.path) for e in change_set.edits
    ]


@pytest.fixture(scope="module")
def advice():
    evaluator = api.evaluator()
    found = []
    for path in PEOPLE_FILES:
        profile, label = api.as_profile(path)
        for provision in (
            "ru.citizenship.discharged-soldiers",
            "ru.contract.after-conscript-service",
            "ru.contract.foreign-citizens",
            "ru.contract.stateless",
        ):
            found.append((path, profile, provision, make_apply(evaluator, profile, DAY, provision, label)))
    return found


def test_sets_come_easiest_first(advice):
    for path, _, provision, result in advice:
        ranks = [effort(_edits(s)) for s in result.sets]
        assert ranks == sorted(ranks), (path.name, provision)


def test_a_citizenship_changes_only_where_nothing_else_works_and_it_says_so(advice):
    for path, _, provision, result in advice:
        changes = [_citizenship_change(_edits(s)) for s in result.sets]
        if any(changes):
            assert all(changes), (path.name, provision)
            assert "Only by acquiring or giving up a citizenship" in result.explanation
    # Aziz is stateless: only a citizenship makes him a foreign citizen (the 2003 amendment of 53-FZ)
    (aziz,) = [
        r for p, _, pid, r in advice if p.name == "stateless-resident.json" and pid == "ru.contract.foreign-citizens"
    ]
    assert aziz.possible and "Only by acquiring or giving up a citizenship" in aziz.explanation


def test_never_two_service_records_with_one_country_at_once(advice):
    for path, profile, provision, result in advice:
        for change_set in result.sets:
            changed = changed_profile(profile_data(profile), _edits(change_set))
            records = changed.service or []
            for i, a in enumerate(records):
                for b in records[i + 1 :]:
                    if a.country == b.country:
                        a_end = a.end.earliest if a.end else date.max
                        b_end = b.end.earliest if b.end else date.max
                        assert a_end <= b.start.earliest or b_end <= a.start.earliest, (
                            path.name,
                            provision,
                            change_set.edits,
                        )


def test_a_note_only_where_it_applies(advice):
    for path, _, _, result in advice:
        for note in result.notes:
            if "stands for any country" in note:
                country = note.split(" ", 1)[0]
                assert any(country in json.dumps([e.value for e in s.edits]) for s in result.sets), (path.name, note)
