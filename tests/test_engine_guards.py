"""Regression tests for each guard around durable_rules 2.0.28, and for engine/Python agreement."""

from __future__ import annotations

import itertools
import threading
import tomllib
from datetime import date

import pytest
from durable import engine as durable_engine
from hypothesis import given
from hypothesis import strategies as st

from eligibility import InternalError, api, check
from eligibility.foundations import logic
from eligibility.foundations.logic import Truth
from eligibility.judging import engine as engine_module
from eligibility.judging import evaluation
from eligibility.judging.engine import Engine, host
from eligibility.judging.in_force import route_segments

from .conftest import PEOPLE, ROOT


def _walk(pattern):
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(pattern, list):
        for item in pattern:
            yield from _walk(item)


def test_every_rule_matches_one_fact_against_constants_only(evaluator):
    """Guard: joins on another fact's field segfaulted, and (A | B) & join fired wrongly."""
    for name, rule in evaluator.engine.definition.items():
        assert set(rule) == {"all", "cap", "run"}, name
        assert len(rule["all"]) == 1 and set(rule["all"][0]) == {"m"}, name
        for key, value in _walk(rule["all"][0]["m"]):
            assert not isinstance(value, dict) or not ({"$m", "$s", "$l", "$r"} & set(value)), name
            assert key not in ("$m", "$s"), name
            if not key.startswith("$"):
                assert isinstance(value, (str, int)), (name, key, value)


def test_every_rule_stays_under_the_expression_limit(evaluator):
    """Guard: durable_rules refuses a rule of more than 13 alternatives (error 113): every rule is
    `k` and either one leaf's literals or at most OR_BRANCHES leaves under one `$or`."""
    for name, rule in evaluator.engine.definition.items():
        parts = rule["all"][0]["m"]["$and"]
        assert parts[0] == {"k": parts[0]["k"]}, name
        alternatives = [p["$or"] for p in parts[1:] if "$or" in p]
        assert len(alternatives) <= 1 and all(len(a) <= engine_module.OR_BRANCHES <= 13 for a in alternatives), name
        for branch in alternatives[0] if alternatives else []:
            assert "$or" not in branch and all("$or" not in literal for literal in branch.get("$and", [])), name


def test_durable_takes_13_alternatives_of_any_length_and_refuses_14():
    """The measured limit OR_BRANCHES keeps under: it counts a rule's alternatives, not their
    literals (13 of 25 literals each are taken, and each fact matches its own)."""
    quiet = engine_module._QuietHost()
    fired: list[str] = []

    def record(c):
        fired.extend(f["id"] for f in (c.m if isinstance(c.m, list) else [c.m]))

    def rule(branches: int, literals: int) -> dict:
        alternatives = [
            {"$and": [{f"d{j}": "T"} for j in range(literals - 1)] + [{"e": str(i)}]} for i in range(branches)
        ]
        return {"all": [{"m": {"$and": [{"k": 1}, {"s": 0}, {"$or": alternatives}]}}], "cap": 1024, "run": record}

    quiet.register_rulesets({"eligibility_guard_or_13": {"r": rule(13, 25)}})
    literals = {f"d{j}": "T" for j in range(24)}
    facts = [{"sid": "0", "id": f"f{i}", "k": 1, "s": 0, "e": str(i), **literals} for i in range(13)]
    quiet.assert_facts("eligibility_guard_or_13", facts)
    assert sorted(fired) == sorted(f["id"] for f in facts)
    with pytest.raises(Exception, match="error code: 113"):
        quiet.register_rulesets({"eligibility_guard_or_14": {"r": rule(14, 1)}})


def test_the_host_starts_no_timer_threads():
    """Guard: every durable Host() starts timer threads, which raced delete_state into a use-after-free."""
    before = {t.ident for t in threading.enumerate()}
    quiet = engine_module._QuietHost()
    after = {t.ident for t in threading.enumerate()}
    assert after == before
    assert quiet is not host()  # the process keeps one host; this one is only for the count


def test_more_judgements_than_durable_allows_sessions(evaluator):
    """Guard: at most 1024 live sessions per ruleset; one session is reused for every judgement."""
    profile = PEOPLE / "nepali-contract-soldier.json"
    for offset in range(1100):
        day = date(2024, 1, 1).toordinal() + offset
        check(profile, date.fromordinal(day))
    assert host().get_facts(evaluator.engine.name) == []  # every fact was retracted


def _the_same_fact_twice(engine: Engine) -> tuple[list, list]:
    """One fact put to durable_rules twice, straight to the engine: no stored outcome answers."""
    row = (date(2024, 8, 1).toordinal(), "ru.contract.stateless", "T")
    return engine.run([row]), engine.run([row])


def test_judging_the_same_facts_twice_works(evaluator):
    """Guard: asserting an identical fact twice raises; facts carry ids and are retracted after each batch."""
    first, second = _the_same_fact_twice(evaluator.engine)
    assert first == second and first[0].conditions is Truth.TRUE
    assert host().get_facts(evaluator.engine.name) == []


def test_the_same_fact_twice_is_refused_when_facts_are_not_retracted(evaluator, monkeypatch):
    """The guard above guards something: with the retraction after each batch taken out (a planted
    fault), durable_rules refuses the second assertion, and the run stops with one line."""
    monkeypatch.setattr(engine_module._QuietHost, "retract_facts", lambda self, ruleset, facts: None)
    with pytest.raises(InternalError, match="durable_rules refused the facts"):
        _the_same_fact_twice(evaluator.engine)
    monkeypatch.undo()
    assert host().get_facts(evaluator.engine.name) == []  # the failed call cleaned up after itself


def _count_batches(monkeypatch) -> list[int]:
    """Count the engine's batches (each one a call into durable_rules)."""
    calls: list[int] = []
    batch = Engine._batch

    def counted(self, rows):
        calls.append(len(rows))
        return batch(self, rows)

    monkeypatch.setattr(Engine, "_batch", counted)
    return calls


_GUARDED = itertools.count()


def test_delete_state_is_never_called(monkeypatch):
    """Guard: delete_state raced the timer threads into a use-after-free. A fresh evaluator (no
    outcome kept) makes the engine really run, whatever ran before in the process."""

    def refuse(*args, **kwargs):
        raise AssertionError("delete_state must not be called")

    monkeypatch.setattr(durable_engine.Host, "delete_state", refuse)
    monkeypatch.setattr(durable_engine.Ruleset, "delete_state", refuse)
    calls = _count_batches(monkeypatch)
    rules = api.rule_base()
    # a new engine, registered now (not the process's shared one, built before the guard was set)
    # and a new evaluator (no outcome kept): building, registering and running are all watched
    engine = engine_module.Engine(rules, name=f"eligibility_guard_{next(_GUARDED)}")
    fresh = evaluation.Evaluator(rules, engine)
    fresh.judge(api.load_profile(PEOPLE / "dual-national-conscript.json"), date(2023, 3, 1))
    assert calls and sum(calls) > 0  # the engine was called, so the guard was exercised


def test_condition_values_that_do_not_fit_a_provision_are_refused(evaluator):
    """Guard: values for other conditions, or too few or too many letters in a row, are an internal
    error, not a silent verdict on the wrong conditions."""
    day = date(2024, 8, 1).toordinal()
    with pytest.raises(InternalError, match="do not match"):
        evaluator.engine.judge(date(2024, 8, 1), [("ru.contract.stateless", {"no-such-condition": Truth.TRUE})])
    for letters in ("", "TT"):
        with pytest.raises(InternalError, match="do not match"):
            evaluator.engine.run([(day, "ru.contract.stateless", letters)])
    assert evaluator.engine.run([(day, "ru.contract.stateless", "T")])[0].conditions is Truth.TRUE


def test_an_unknown_key_is_refused_before_anything_is_asserted(evaluator):
    """Guard: a fact no rule matches aborts the batch and leaves matched facts queued for the next call."""
    with pytest.raises(InternalError, match="no compiled rules"):
        evaluator.engine.judge(
            date(2024, 8, 1),
            [
                ("ru.contract.stateless", {"stateless": Truth.TRUE}),
                ("ru.no.such-provision", {}),
            ],
        )
    verdicts = evaluator.engine.judge(date(2024, 8, 1), [("ru.contract.stateless", {"stateless": Truth.TRUE})])
    assert list(verdicts) == ["ru.contract.stateless"]


def test_an_exception_in_an_action_is_loud(rules):
    """Guard: durable_rules swallows action exceptions into the session state."""

    class Faulty(Engine):
        def _recorder(self, rule_name, code, payload):
            def record(c):
                raise RuntimeError("boom")

            return record

    faulty = Faulty(rules, name="eligibility_guard_faulty_actions")
    with pytest.raises(InternalError, match="action failed"):
        faulty.judge(date(2024, 8, 1), [("ru.contract.stateless", {"stateless": Truth.TRUE})])


def test_python_versions_are_declared_without_3_13():
    """Guard: durable_rules 2.0.28 builds on 3.11 and 3.12 but does not import on 3.13."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.13"


def _probe_days(item):
    days = []
    for first, last, _ in route_segments(item):
        for day in (first, last):
            if day is not None:
                days.extend([day - 1, day, day + 1])
    return sorted(set(days)) or [date(2024, 1, 1).toordinal()]


def test_engine_and_python_agree_on_every_combination_of_condition_values(evaluator):
    """For every provision and reading: every assignment of condition values, on every day around
    each stage boundary of each route, gives the verdict the documented rule gives (some route in
    force qualifies the person: applies; might: undetermined; none in force: not in force; else
    does not apply), from durable_rules."""
    from eligibility.judging.in_force import validity

    checked = 0
    for item in evaluator.rules.judged.values():
        names = logic.names(item.expr)
        for ordinal in _probe_days(item):
            day = date.fromordinal(ordinal)
            in_force = [validity(route, day).value for route in item.routes]
            for values in itertools.product(list(Truth), repeat=len(names)):
                assignment = dict(zip(names, values, strict=True))
                qualifies = logic.any_of(
                    logic.all_of([v, logic.evaluate(route.expr, assignment)])
                    for route, v in zip(item.routes, in_force, strict=True)
                )
                conditions = logic.evaluate(item.expr, assignment)
                expected = (logic.status_of(qualifies, logic.any_of(in_force)), conditions)
                verdict = evaluator.engine.judge(day, [(item.key, assignment)])[item.key]
                assert (verdict.status, verdict.conditions) == expected, (item.key, day, assignment)
                checked += 1
    assert checked > 1000


def test_a_disagreement_between_the_paths_is_an_internal_error(monkeypatch):
    # Outcomes already worked out in this process are not folded again: start from none.
    api.evaluator().forget()
    monkeypatch.setattr(evaluation, "status_of", lambda qualifies, in_force: "applies")
    with pytest.raises(InternalError, match="disagree"):
        check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01")


def test_two_rules_firing_for_one_fact_is_an_internal_error(rules):
    class Overlapping(Engine):
        pass

    overlapping = Overlapping(rules, name="eligibility_guard_overlap")
    # Register a second ruleset in which one rule is duplicated under another name.
    code = overlapping.codes["ru.contract.stateless"]  # its rules may be named after another item of its shape
    name, rule = next(
        (n, r)
        for n, r in overlapping.definition.items()
        if r["all"][0]["m"]["$and"][0] == {"k": code} and n.split("|")[1] == "TT"
    )
    doubled = {**overlapping.definition, name + "|copy": dict(rule)}
    host().register_rulesets({"eligibility_guard_overlap_2": {n: dict(r) for n, r in doubled.items()}})
    overlapping.ruleset_of_code = dict.fromkeys(overlapping.ruleset_of_code, "eligibility_guard_overlap_2")
    with pytest.raises(InternalError, match="two durable_rules rules fired"):
        # in force from 2025-07-07 (record.md, R2)
        overlapping.judge(date(2025, 8, 1), [("ru.contract.stateless", {"stateless": Truth.TRUE})])


def _colliding_ids() -> tuple[str, str]:
    """Two different ids with the same 32-bit FNV-1a hash (found by search, ~2^16 tries)."""
    seen: dict[int, str] = {}
    for number in itertools.count():
        candidate = f"c{number}"
        code = engine_module.fnv1a32(candidate)
        if code in seen:
            return seen[code], candidate
        seen[code] = candidate
    raise AssertionError("unreachable")


def test_durable_refuses_a_fact_whose_id_hash_equals_a_live_one():
    """Guard, measured: durable_rules files facts under a 32-bit hash of their id, so two different
    facts whose id hashes collide cannot be live together.  The engine's ids never collide."""
    first, second = _colliding_ids()
    assert first != second
    quiet = engine_module._QuietHost()
    fired = []
    quiet.register_rulesets(
        {"eligibility_guard_ids": {"any": {"all": [{"m": {"key": "k"}}], "run": lambda c: fired.append(c.m["id"])}}}
    )
    with pytest.raises(durable_engine.MessageObservedException):
        quiet.assert_facts(
            "eligibility_guard_ids", [{"sid": "0", "id": first, "key": "k"}, {"sid": "0", "id": second, "key": "k"}]
        )
    ids = engine_module._ids.first(5000)
    codes = {engine_module.fnv1a32(i) for i in ids}
    assert len(codes) == len(ids) and engine_module.fnv1a32(f"sid-{engine_module.SESSION}") not in codes


def test_a_batch_of_many_profile_dates_gets_one_verdict_each(evaluator):
    """Rules have a cap, so one firing carries many facts; every fact still gets exactly one verdict,
    in order, across several durable_rules calls, and the same as judging each fact alone."""
    item = evaluator.rules.judged["ru.contract.foreign-citizens"]
    names = logic.names(item.expr)
    rows = []
    for offset in range(engine_module.MAX_BATCH * 2 + 7):
        ordinal = date(2022, 1, 1).toordinal() + offset * 3
        values = {name: list(Truth)[(offset + i) % 3] for i, name in enumerate(names)}
        rows.append((ordinal, item.key, values))
    verdicts = evaluator.engine.run(
        [(ordinal, key, evaluator.engine.letters(key, values)) for ordinal, key, values in rows]
    )
    assert len(verdicts) == len(rows)
    for (ordinal, key, values), verdict in zip(rows, verdicts, strict=True):
        alone = evaluator.engine.judge(date.fromordinal(ordinal), [(key, values)])[key]
        assert (verdict.status, verdict.conditions) == (alone.status, alone.conditions)
    assert host().get_facts(evaluator.engine.name) == []


def test_a_provision_is_judged_the_same_whatever_is_judged_beside_it(evaluator):
    """Equal tests in different provisions are run once per profile-date and shared; judging one
    provision alone, or with the Python path only, gives the same answer as judging them all."""
    from eligibility.people.profile import parse_profile
    from eligibility.runners import synth

    keys = list(evaluator.rules.judged)
    assert len(evaluator._slots) < sum(len(item.tests) for item in evaluator.rules.judged.values())
    cases = [
        (parse_profile(data), day) for data in synth.population(60, 7) for day in (date(2023, 1, 1), date(2024, 8, 1))
    ]
    together = evaluator.judge_many(cases)
    python = evaluator.judge_many(cases, engine=False)
    for key in keys:
        alone = evaluator.judge_many(cases, [key])
        for n in range(len(cases)):
            a, b, c = together[n][key], alone[n][key], python[n][key]
            assert (a.status, a.conditions, a.engine_rule) == (b.status, b.conditions, b.engine_rule), (key, n)
            assert (a.status, a.conditions) == (c.status, c.conditions), (key, n)
            assert {k: (f.value, f.facts, f.missing) for k, f in a.findings.items()} == {
                k: (f.value, f.facts, f.missing) for k, f in b.findings.items()
            }, (key, n)


def test_the_python_api_judges_from_several_threads_with_the_same_answers():
    import threading

    people = sorted(PEOPLE.glob("*.json"))[:6]
    expected = {p.name: check(p, "2024-08-01").statuses() for p in people}
    found: list[tuple[str, dict]] = []
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        for k in range(12):
            path = people[(offset + k) % len(people)]
            try:
                found.append((path.name, check(path, "2024-08-01").statuses()))
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(found) == 96 and all(statuses == expected[name] for name, statuses in found)


def test_a_failed_engine_call_does_not_poison_the_process(monkeypatch, evaluator):
    from eligibility.judging import engine as engine_module

    the_host = engine_module.host()
    real = the_host.assert_facts

    def half_then_fail(name, facts):
        real(name, facts[: len(facts) // 2])  # some facts stored, then a failure
        raise RuntimeError("engine failure")

    monkeypatch.setattr(the_host, "assert_facts", half_then_fail)
    with pytest.raises(InternalError, match="refused the facts"):
        check(PEOPLE / "nepali-contract-soldier.json", "2024-08-02")
    monkeypatch.setattr(the_host, "assert_facts", real)
    assert (
        check(PEOPLE / "nepali-contract-soldier.json", "2024-08-02").status("ru.citizenship.contract-service")
        == "applies"
    )


def _reached(tree, values):
    """The leaf of a decision tree that the condition values lead to."""
    while isinstance(tree, engine_module.Node):
        tree = next(child for allowed, child in tree.branches if values[tree.name] in allowed)
    return tree


_COLUMNS = st.sampled_from(["c0", "c1", "c2", "c3"]).map(logic.Ref)
_EXPRS = st.recursive(
    st.one_of(_COLUMNS, st.sampled_from(list(Truth)).map(logic.Const)),
    lambda inner: st.one_of(
        inner.map(logic.Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: logic.All(tuple(parts))),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: logic.Any_(tuple(parts))),
    ),
    max_leaves=8,
)


@given(st.lists(_EXPRS, min_size=1, max_size=2))
def test_both_ways_of_building_a_decision_tree_decide_every_combination(exprs):
    """The tree read off truth tables (up to 7 conditions) and the tree built by folding (past
    that) are the engine's rules: on every combination of the four columns' values, the leaf each
    reaches holds every expression's value, constants (a route's in-force) included."""
    exprs = tuple(exprs)
    trees = (engine_module.table_tree(exprs, 4), engine_module.decision_tree(exprs))
    for combination in itertools.product(list(Truth), repeat=4):
        values = dict(zip(["c0", "c1", "c2", "c3"], combination, strict=True))
        expected = tuple(logic.evaluate(expr, values) for expr in exprs)
        for tree in trees:
            assert _reached(tree, values).values == expected


@pytest.mark.parametrize("width", range(1, 8))
def test_a_truth_tables_columns_are_the_digits_of_its_rows(width):
    """Row r of a table over `width` conditions gives them the base-3 digits of r (F=0, U=1, T=2,
    the first condition the most significant): each column's bit sets hold exactly its T and F rows."""
    for i, (true, false) in enumerate(engine_module._columns(width)):
        for row in range(3**width):
            digit = row // 3 ** (width - 1 - i) % 3
            assert (true >> row & 1, false >> row & 1) == (digit == 2, digit == 0), (width, i, row)
        assert true.bit_length() <= 3**width and false.bit_length() <= 3**width


_QUOTE = 'source = "extradition-law-2026-03-09"\nquote = "Stateless individuals became eligible in July 2024."'


def _provision(pid: str, when: str, conditions: str, routes: str = "", stage: str = "2024-07-01") -> str:
    return f"""id = "{pid}"
title = "A test provision"
jurisdiction = "RU"
when = "{when}"

[effect]
kind = "grants"
text = "Eligible."

[[cite]]
{_QUOTE}

[[stages]]
kind = "in_effect"
date = "{stage}"
[[stages.cite]]
{_QUOTE}

[in_force]
from = "in_effect"
{conditions}{routes}"""


_TWO_CITIZENSHIPS = """
[[conditions]]
id = "french"
says = "holds French citizenship"
test = { fact = "citizenship", country = "FR" }

[[conditions]]
id = "german"
says = "holds German citizenship"
test = { fact = "citizenship", country = "DE" }
"""


def test_items_of_one_shape_naming_their_conditions_in_other_orders_are_judged_together(cli, tmp_path):
    """all(french, not(german)) and all(not(french), german) are one shape in normal form, with
    their conditions in the columns the other way round: judged in one call, each by its own
    conditions (a fact keyed on the letters as the evaluator lists them gave the second the
    first's answer)."""
    import json
    import shutil

    from .conftest import RULES

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "ru.test.pair-a.toml").write_text(
        _provision("ru.test.pair-a", "all(french, not(german))", _TWO_CITIZENSHIPS)
    )
    (rules / "ru.test.pair-b.toml").write_text(
        _provision("ru.test.pair-b", "all(not(french), german)", _TWO_CITIZENSHIPS)
    )
    expected = {"FR": ("applies", "does_not_apply"), "DE": ("does_not_apply", "applies")}
    for country, (a, b) in expected.items():
        person = tmp_path / f"{country}.json"
        person.write_text(json.dumps({"citizenships": [{"country": country}]}))
        result = cli("check", person, "--on", "2025-01-01", "--rules", rules, "--format", "json")
        assert result.exit_code == 0, result.stderr
        statuses = {p["id"]: p["status"] for p in json.loads(result.stdout)["provisions"]}
        assert (statuses["ru.test.pair-a"], statuses["ru.test.pair-b"]) == (a, b)


def test_a_provision_of_eight_routes_compiles_and_each_route_counts(cli, tmp_path):
    """The second round's rules are the same for any number of routes: a provision of eight routes
    coming into force month by month is in force from its first route's day."""
    import json
    import shutil

    from .conftest import PEOPLE, RULES

    condition = '\n[[conditions]]\nid = "stateless"\nsays = "a stateless person"\ntest = { fact = "stateless" }\n'
    routes = "".join(
        f"""
[[routes]]
id = "r{n}"
follows = "extradition-law-2026-03-09"
when = "stateless"
summary = "route {n}"
[[routes.cite]]
{_QUOTE}
[[routes.stages]]
kind = "in_effect"
date = "2024-0{n + 1}-0{n}"
[[routes.stages.cite]]
{_QUOTE}
[routes.in_force]
from = "in_effect"
"""
        for n in range(1, 8)
    )
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "ru.test.many-routes.toml").write_text(
        _provision("ru.test.many-routes", "stateless", condition, routes, stage="2024-09-01")
    )
    for day, status in (("2024-01-31", "not_in_force"), ("2024-02-01", "applies"), ("2025-01-01", "applies")):
        result = cli("check", PEOPLE / "stateless-resident.json", "--on", day, "--rules", rules, "--format", "json")
        assert result.exit_code == 0, result.stderr
        statuses = {p["id"]: p["status"] for p in json.loads(result.stdout)["provisions"]}
        assert statuses["ru.test.many-routes"] == status, day
