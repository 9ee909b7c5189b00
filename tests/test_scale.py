"""A rule base larger than one durable_rules ruleset holds.

durable_rules refuses a ruleset of more than 4,096 rules (error 106); the engine compiles a rule
base into as many rulesets as it needs.  These tests use generated rule bases: the bundled
provisions and copies of them under new ids (synth.rule_base_copies), so every copy must get
exactly its original's answer.  Copies are the same logic as their originals and share their
engine rules; to cross the ruleset boundary, some tests compile with sharing turned off (as a
rule base of that many different laws would be).
"""

from __future__ import annotations

import itertools
import sys
from datetime import date

import pytest

from eligibility import api
from eligibility.explaining.reasons import check
from eligibility.judging import engine, evaluation
from eligibility.people.profile import load_profile
from eligibility.runners import synth

from .conftest import PEOPLE, ROOT, RULES, one_line_error

sys.path.insert(0, str(ROOT / "benchmarks"))
import unshared as unshared_module  # noqa: E402


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """200 provisions: the copies share their originals' engine rules (110 for the 16 bundled
    ones); with every provision's rules its own, about 1,500, in several rulesets."""
    folder = tmp_path_factory.mktemp("big")
    synth.rule_base_copies(folder, 200)
    return folder


_made = itertools.count()  # unshared engines made in this process


@pytest.fixture
def unshared(monkeypatch):
    """Every item its own shape: no two share engine rules, however alike their logic."""
    monkeypatch.setattr(engine, "shape_of", unshared_module.own_shape)
    # engines of their own, under names of their own (durable_rules keeps every ruleset registered)
    monkeypatch.setattr(
        evaluation,
        "engine_for",
        lambda rules: engine.Engine(rules, f"eligibility_unshared_{next(_made)}_{rules.digest}"),
    )
    monkeypatch.setattr(evaluation, "_EVALUATORS", {})


def _original(copy_id: str) -> str:
    """ru.copy-3.contract-stateless -> ru.contract.stateless"""
    jurisdiction, _, rest = copy_id.split(".")
    for original in api.rule_base().provisions:
        if original.startswith(jurisdiction + ".") and original.split(".", 1)[1].replace(".", "-") == rest:
            return original
    raise AssertionError(copy_id)


def _every_copy_as_its_original(evaluator):
    for person in ("nepali-contract-soldier", "naturalized-unregistered", "stateless-resident", "ukrainian-citizen"):
        profile = load_profile(PEOPLE / f"{person}.json")
        for day in (date(2022, 10, 1), date(2024, 8, 9), date(2026, 3, 20)):
            statuses = check(evaluator, profile, day).statuses()
            alone = api.check(profile, day).statuses()
            for key, status in statuses.items():
                original = key if key in alone else _original(key)
                assert status == alone[original], (person, day, key)


def test_a_rule_base_past_one_ruleset_is_judged_with_every_copy_as_its_original(big, unshared):
    evaluator = api.evaluator(api.rule_base(big))
    assert len(evaluator.engine.definition) > engine.RULESET_SIZE
    assert len(evaluator.engine.rulesets) > 1
    _every_copy_as_its_original(evaluator)


def test_copies_share_their_originals_rules(big):
    """200 provisions, 184 of them copies: the same engine rules as the 16 bundled ones."""
    evaluator = api.evaluator(api.rule_base(big))
    stock = api.evaluator().engine
    assert len(api.rule_base(big).provisions) == 200
    assert (evaluator.engine.shapes, len(evaluator.engine.definition)) == (stock.shapes, len(stock.definition))
    assert all(evaluator.engine.codes[key] == stock.codes[key] for key in stock.codes)
    _every_copy_as_its_original(evaluator)


def test_provisions_of_the_same_form_with_other_dates_share_a_shape(rules):
    """A shape leaves out names, dates, stages and condition ids: provisions whose routes'
    expressions are the same over their conditions compile into the same first-round rules,
    whatever their in-force (which the second round takes from each one's own stage dates).  The
    bundled ones include such a pair with a different number of ranges of days."""
    shapes: dict = {}
    for item in rules.judged.values():
        shapes.setdefault(engine.shape_of(item), []).append(item.key)
    shared = [keys for keys in shapes.values() if len(keys) > 1]
    assert shared, "the bundled rule base has provisions of the same form"
    for keys in shared:
        items = [rules.judged[k] for k in keys]
        assert len({len(i.names) for i in items}) == 1
        assert len({len(i.routes) for i in items}) == 1
        assert len({evaluation_engine_code(k) for k in keys}) == 1
    assert any(len({len(engine.route_segments(rules.judged[k])) for k in keys}) > 1 for keys in shared)


def evaluation_engine_code(key: str) -> int:
    return api.evaluator().engine.codes[key]


def test_the_cli_answers_on_a_rule_base_past_one_ruleset(cli, big):
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--rules", big)
    assert result.exit_code == 0, result.stderr
    assert "ru.copy-11.contract-stateless" in result.stdout


def test_rulesets_never_split_a_provision_and_keep_its_order():
    definition = {f"a.b.c{n}|TT|0.{i}": {} for n in range(5) for i in range(3)}
    parts = engine.shards(definition, size=4, limit=10)
    assert [list(part) for part in parts] == [
        [f"a.b.c{n}|TT|0.{i}" for n in group for i in range(3)] for group in ([0], [1], [2], [3], [4])
    ]
    assert [len(p) for p in engine.shards(definition, size=6, limit=10)] == [6, 6, 3]


def test_a_provision_with_more_rules_than_a_ruleset_holds_is_one_line(cli, monkeypatch):
    monkeypatch.setattr(engine, "RULESET_LIMIT", 10)
    monkeypatch.setattr(engine, "_engines", {})
    monkeypatch.setattr(evaluation, "_EVALUATORS", {})
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--rules", RULES)
    assert result.exit_code == 2
    assert "more than the 10 durable_rules takes in one ruleset" in one_line_error(result)


def test_rules_check_names_a_provision_past_the_ruleset_limit(cli, monkeypatch):
    monkeypatch.setattr(engine, "RULESET_LIMIT", 10)
    result = cli("rules", "check", "--rules", RULES, "--width", "300")
    assert result.exit_code == 1
    assert "expected at most 10 engine rules for one provision" in result.stdout


def test_an_engine_limit_not_known_here_is_an_internal_error_in_one_line(cli, monkeypatch):
    # A rule past what durable_rules takes (more than 13 alternatives, error 113), as a limit the
    # engine did not know of would be: its refusal is named, exit 3, no traceback.
    monkeypatch.setattr(engine, "OR_BRANCHES", 10_000)
    monkeypatch.setattr(engine, "_engines", {})
    monkeypatch.setattr(evaluation, "_EVALUATORS", {})
    assert any(
        len(group) > 13
        for item in api.rule_base().judged.values()
        for _, _, group in engine.shape_rules(engine.shape_of(item))
    )
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--rules", RULES)
    assert result.exit_code == 3
    assert "durable_rules refused a ruleset of" in one_line_error(result)
    assert "error code: 113" in one_line_error(result)


def test_rules_check_warns_of_a_provision_near_the_ruleset_limit_and_counts_the_engine_rules(cli, monkeypatch):
    largest = max(engine.rule_count(item) for item in api.rule_base().judged.values())
    monkeypatch.setattr(engine, "RULESET_LIMIT", largest + 1)  # every provision fits; the largest is near
    result = cli("rules", "check", "--rules", RULES, "--scenarios", RULES.parent / "scenarios", "--width", "300")
    assert result.exit_code == 0, result.stdout
    assert f"compiles into {largest:,} engine rules, near the {largest + 1:,} durable_rules takes" in result.stdout
    total = len(api.evaluator().engine.definition)  # the rules of each shape, once
    assert f"({total:,} engine rules)" in result.stdout


def test_rules_check_passes_a_generated_rule_base(cli, big, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no scenarios folder here: the copies have no scenarios of their own
    result = cli("rules", "check", "--rules", big, "--width", "200")
    assert result.exit_code == 0, result.stdout
    rules = len(api.evaluator().engine.definition)  # the copies add no engine rule
    assert f"checked 200 provisions in {big} ({rules:,} engine rules): no problems" in result.stdout


def test_different_laws_are_different_and_each_answers_by_its_own_expression(tmp_path):
    """synth.rule_base_different writes laws that share no engine rules (no two expressions
    alike), and each answers as its own expression says, through the engine: a dual national
    under investigation holds russian-citizen, other-citizenship and under-investigation and
    not convicted (his conviction unknown is made false here), expunged unknown."""
    from eligibility.foundations import logic
    from eligibility.foundations.logic import FALSE, TRUE, UNKNOWN

    ids = synth.rule_base_different(tmp_path, 60, seed=5)
    base = api.rule_base(str(tmp_path))
    different = [i for i in ids if ".different-" in i]
    assert len(different) == 60 - len([i for i in ids if ".different-" not in i])
    shapes = {engine.shape_of(base.judged[i]) for i in different}
    assert len(shapes) == len(different)
    person = {
        "citizenships": [{"country": "RU", "acquired": "birth"}, {"country": "DE"}],
        "criminal_record": {"convicted": False, "under_investigation": True},
    }
    report = api.check(person, "2024-08-01", base)
    values = {
        "russian-citizen": TRUE,
        "other-citizenship": TRUE,
        "under-investigation": TRUE,
        "convicted": FALSE,
        "expunged": UNKNOWN,
    }
    for pid in different:
        expected = logic.evaluate(logic.parse(base.provisions[pid].when), values)
        status = {TRUE: "applies", FALSE: "does_not_apply", UNKNOWN: "undetermined"}[expected]
        assert report.status(pid) == status, (pid, base.provisions[pid].when)
