"""Batch's quick reading of profile lines (people/lines.py) against the one careful reading, and
the evaluator's findings kept by a field's text against tests run afresh.

The quick reading is a shortcut, never an authority: where it takes a line, the profile equals the
careful reading's; where the careful reading refuses a line, the quick one declines it (and batch
then reports the careful reading's error).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_json
from eligibility.people.lines import ABSENT, SECTIONS, Lines
from eligibility.people.profile import parse_profile
from eligibility.runners import synth

from .conftest import ROOT
from .strategies import profiles


def _careful(raw: bytes):
    return parse_profile(decode_json(raw, "line"), "line")


def _same(quick, careful) -> None:
    assert quick == careful
    assert quick.model_fields_set == careful.model_fields_set
    assert quick.model_dump_json() == careful.model_dump_json()


def _bundled() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "scenarios" / "people").glob("*.json"))]


def test_every_line_of_a_population_reads_as_the_careful_reading_reads_it():
    reader = Lines()
    lines = [line.encode() for line in synth.lines(3_000, seed=7)]
    for raw in lines + lines[:500]:  # the second time, every field's text comes from the store
        read = reader.read(raw)
        assert read is not None
        _same(read[0], _careful(raw))


@pytest.mark.parametrize("dumps", [json.dumps, lambda d: json.dumps(d, indent=None, separators=(" , ", " : "))])
def test_bundled_people_read_alike_however_the_line_is_spaced(dumps):
    reader = Lines()
    for data in _bundled():
        raw = (dumps(data) + "\r\n").encode()
        read = reader.read(raw)
        assert read is not None, raw[:80]
        _same(read[0], _careful(raw))


def test_equal_texts_share_a_token_and_a_field_not_given_has_none():
    reader = Lines()
    first = reader.read(b'{"id":"a","service":[],"citizenships":[{"country":"NP"}]}')
    second = reader.read(b'{"citizenships":[{"country":"NP"}],"id":"b","service":[]}\n')
    third = reader.read(b'{"citizenships":[{"country":"IN"}],"service":null}')
    assert first and second and third
    tokens = dict(zip(SECTIONS, first[1], strict=True))
    assert first[1] == second[1]  # the order of the members and the id change nothing
    assert tokens["residences"] == ABSENT and tokens["service"] != ABSENT
    other = dict(zip(SECTIONS, third[1], strict=True))
    assert other["citizenships"] not in (ABSENT, tokens["citizenships"])
    assert other["service"] not in (ABSENT, tokens["service"])  # null is given: it is not left out


DECLINED = [
    b'{"id":"a","id":"b"}',  # a key twice at the top: msgspec keeps the last
    b'{"service":[],"service":null}',
    b'{"service": [] , "service" : []}',
    b'{"\\u0069d":"a"}',  # a key written with escapes
    b'{"id":"a","height":180}',  # an unknown field
    b'["not", "a profile"]',
    b'\xef\xbb\xbf{"id":"a"}',  # a byte order mark
    b'{"id":NaN}',
    b'{"id":5}',
    b'{"criminal_record":{"convicted":true,"convicted":false}}',  # a key twice inside a field
    b'{"service":[{"country":"RU","start":"2024-13-01"}]}',  # a field the careful reading refuses
    b'{"citizenships":[{"country":"XX"}]}',
    b'{"id":"\\ud800"}',  # a lone surrogate
    b'{"id":"a"',
    b"",
    b'{"id":' + b"9" * 5000 + b"}",  # past msgspec's integers and the careful reading's digits
    b'{"military_registration":{"RU":' + b"9" * 5000 + b"}}",
    b'{"service":[{"country":"RU","start":"2024-01-01","combat":1e999}]}',
    b'{"citizenships":' + b"[" * 1000 + b"]" * 1000 + b"}",  # msgspec raises RecursionError for this
    b'{"id":' + b"[" * 1000 + b"]" * 1000 + b"}",
]


@pytest.mark.parametrize("raw", DECLINED)
def test_what_the_careful_reading_must_judge_is_declined(raw):
    reader = Lines()
    reader.read(b'{"service":[{"country":"RU","start":"2024-01-01"}]}')  # a store that is not empty
    assert reader.read(raw) is None


def _deep_family(depth: int) -> dict:
    person: dict = {}
    for _ in range(depth):
        person = {"family": [{"relation": "child", "person": person}]}
    return person


def test_a_text_too_long_to_keep_is_read_again_each_time_and_its_findings_are_not_kept(rules):
    """A field's text past MAX_KEPT (here a family of 40 relatives) is never kept: each line is
    validated on its own, gets a token of its own, and leaves nothing in either store, so that
    memory stays bounded whatever the input."""
    from eligibility.judging.evaluation import Evaluator
    from eligibility.people.lines import MAX_KEPT

    relatives = [{"relation": "child", "person": {"service": [{"country": "RU", "start": "2023-05-01"}]}}] * 40
    raw = json.dumps({"citizenships": [{"country": "NP"}], "family": relatives}).encode()
    assert len(json.dumps(relatives)) > MAX_KEPT
    reader, evaluator = Lines(), Evaluator(rules)
    first, second = reader.read(raw), reader.read(raw)
    assert first and second
    family = SECTIONS.index("family")
    assert first[1][family] < 0 and second[1][family] < 0 and first[1][family] != second[1][family]
    assert first[1][SECTIONS.index("citizenships")] == second[1][SECTIONS.index("citizenships")] > 0
    _same(first[0], _careful(raw))
    day = date(2024, 8, 1)
    evaluator.cases([(first[0], day), (second[0], day)], sections=[first[1], second[1]])
    kept = [
        key for key in (*evaluator._found.new, *evaluator._found.old) if key[3] in (first[1][family], second[1][family])
    ]
    assert kept == []
    assert all(len(json.dumps(relatives).encode()) not in map(len, store.new) for store in reader._known)


def test_a_family_past_the_limits_is_declined():
    reader = Lines()
    assert reader.read(json.dumps(_deep_family(8)).encode()) is not None
    raw = json.dumps(_deep_family(9)).encode()
    assert reader.read(raw) is None
    with pytest.raises(InputError, match="nested more than 8 levels"):
        _careful(raw)


@st.composite
def _written(draw: st.DrawFn) -> bytes:
    """A profile written as one line, spaced or not, sometimes spoiled: a member given twice, an
    unknown member, a value of the wrong type."""
    data = draw(profiles())
    text = json.dumps(data, separators=draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,", " :  ")])))
    spoil = draw(st.sampled_from(["none", "twice", "unknown", "type"]))
    if spoil == "twice" and data:
        key = draw(st.sampled_from(sorted(data)))
        text = text[:-1] + ("," if data else "") + json.dumps(key) + ":" + json.dumps(data[key]) + "}"
    elif spoil == "unknown":
        text = text[:-1] + (',"age":30}' if data else '"age":30}')
    elif spoil == "type" and data:
        key = draw(st.sampled_from(sorted(data)))
        text = json.dumps({**data, key: draw(st.sampled_from([1, "x", True, {}]))})
    return text.encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_written())
def test_the_quick_reading_takes_a_line_only_as_the_careful_reading_does(raw):
    """Property: whatever the line, the quick reading either declines it or gives the careful
    reading's profile; it never takes a line the careful reading refuses."""
    reader = Lines()
    for _ in range(2):  # afresh, then with every field's text from the store
        read = reader.read(raw)
        try:
            careful = _careful(raw)
        except InputError:
            assert read is None
            continue
        if read is not None:
            _same(read[0], careful)


def _judged_alike(rules, lines: list[bytes], days: list[date], chunk: int, reader: Lines, quick) -> None:
    """The evaluator with tokens (each field's tests run once per text and day) against the same
    cases with none (every test run for every case): the same findings, keys and outcomes."""
    from eligibility.judging.evaluation import Evaluator

    read = [reader.read(line) for line in lines]
    cases = [(r[0], day) for r in read if r for day in days]
    tokens = [r[1] for r in read if r for _ in days]
    afresh = Evaluator(rules)
    for start in range(0, len(cases), chunk):  # in chunks, as batch judges them, so later chunks reuse
        part = slice(start, start + chunk)
        for a, b in zip(quick.cases(cases[part], sections=tokens[part]), afresh.cases(cases[part]), strict=True):
            assert a.key == b.key and a.outcomes == b.outcomes
            assert [f._replace(words=f.facts) for f in a.findings] == [f._replace(words=f.facts) for f in b.findings]


DAYS = [date(2022, 9, 21), date(2024, 8, 1), date(2025, 1, 1)]


def test_kept_findings_give_what_running_every_test_gives(rules):
    from eligibility.judging.evaluation import Evaluator

    lines = [line.encode() for line in synth.lines(1_500, seed=11)]
    _judged_alike(rules, lines, DAYS, 384, Lines(), Evaluator(rules))


def test_kept_findings_hold_with_tiny_stores(rules, monkeypatch):
    """Texts and findings dropped and found again at once (stores of one or two entries): every
    answer is still the same."""
    from eligibility.judging.evaluation import Evaluator

    monkeypatch.setattr(Lines, "LIMIT", 1)
    monkeypatch.setattr(Evaluator, "FIELD_FINDINGS", 2)
    lines = [line.encode() for line in synth.lines(300, seed=12)]
    _judged_alike(rules, lines * 2, DAYS, 96, Lines(), Evaluator(rules))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(profiles(), min_size=1, max_size=6), st.sampled_from(DAYS))
def test_kept_findings_hold_for_any_profiles(rules, people, day):
    """Property: for any profiles, relatives and imprecise dates included, each read twice (the
    second time every field's findings are kept), judging with tokens equals judging afresh."""
    from eligibility.judging.evaluation import Evaluator

    lines = [json.dumps(person).encode() for person in people]
    _judged_alike(rules, lines + lines, [day], 4, Lines(), Evaluator(rules))


def test_batch_rows_are_the_same_read_quickly_or_carefully(tmp_path: Path, monkeypatch):
    """batch's rows for a population with a few bad lines: the same whether lines are read quickly
    or all carefully (the quick reading turned off), errors included."""
    from typer.testing import CliRunner

    from eligibility.cli import app
    from eligibility.people import lines as quick

    people = tmp_path / "people.jsonl"
    written = list(synth.lines(400, seed=3))
    written[10] = '{"id":"twice","id":"again"}\n'
    written[20] = '{"service":[{"country":"RU","start":"2024-02-30"}]}\n'
    written[30] = '{"citizenships":' + "[" * 1000 + "]" * 1000 + "}\n"  # too deep for msgspec and json
    people.write_text("".join(written), encoding="utf-8")
    runner = CliRunner()
    args = ["batch", str(people), "--on", "2024-08-01", "--on", "2025-01-01", "--jobs", "1", "--quiet"]
    first = runner.invoke(app, [*args, "-o", str(tmp_path / "quick.jsonl"), "--skip-invalid"])
    monkeypatch.setattr(quick.Lines, "read", lambda self, raw: None)
    second = runner.invoke(app, [*args, "-o", str(tmp_path / "careful.jsonl"), "--skip-invalid"])
    assert first.exit_code == second.exit_code, first.output
    assert first.output == second.output
    assert (tmp_path / "quick.jsonl").read_bytes() == (tmp_path / "careful.jsonl").read_bytes()
    assert "people.jsonl:11" in first.output and "twice" in first.output
    assert "people.jsonl:31" in first.output and "nests too deeply" in first.output
