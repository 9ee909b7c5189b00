"""Every scenario person gets the statuses its file expects, in-process and through the CLI."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from eligibility.scenario import load_scenario, run, scenario_files

from .conftest import SCENARIOS

FILES = scenario_files(SCENARIOS)
CASES = [(path, index) for path in FILES for index in range(len(load_scenario(path).data.at))]


def test_there_are_at_least_twelve_scenario_people():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path, index", CASES, ids=[f"{p.stem}@{load_scenario(p).data.at[i].on}" for p, i in CASES])
def test_scenario_in_process(evaluator, path, index):
    scenario = load_scenario(path)
    single = type(scenario)(scenario.path, scenario.data.model_copy(update={"at": [scenario.data.at[index]]}),
                            scenario.profile)
    failures = [str(o) for o in run(single, evaluator) if not o.ok]
    assert not failures, "\n".join(failures) + f"\nwhy: {scenario.data.at[index].why}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_through_the_cli_in_both_formats(cli, path):
    scenario = load_scenario(path)
    profile = path.parent / scenario.data.profile
    for at in scenario.data.at:
        result = cli("check", profile, "--on", at.on.isoformat(), "--format", "json")
        assert result.exit_code == 0, result.stderr
        statuses = {p["id"]: p["status"] for p in json.loads(result.stdout)["provisions"]}
        text = cli("check", profile, "--on", at.on.isoformat(), "--width", "120")
        assert text.exit_code == 0, text.stderr
        for provision_id, expected in at.expect.items():
            status = expected if isinstance(expected, str) else expected.status
            assert statuses[provision_id] == status, (path.stem, at.on, provision_id)
            section = {"applies": "APPLIES", "undetermined": "UNDETERMINED",
                       "does_not_apply": "DOES NOT APPLY", "not_in_force": "NOT IN FORCE"}[status]
            body = text.stdout.split(f"\n{section} (", 1)[1]
            body = body.split("\n\n\n", 1)[0] if "\n\n\n" in body else body
            assert f"● {provision_id} " in body, (path.stem, at.on, provision_id, section)


def test_every_provision_has_a_scenario_where_it_applies_and_one_where_it_does_not(rules):
    seen = defaultdict(set)
    for path in FILES:
        for at in load_scenario(path).data.at:
            for provision_id, expected in at.expect.items():
                if isinstance(expected, str):
                    seen[provision_id].add(expected)
                else:
                    seen[provision_id].add(expected.status)
                    if expected.would_qualify == "yes":
                        seen[provision_id].add("would qualify")
    for provision_id, provision in rules.provisions.items():
        assert "does_not_apply" in seen[provision_id], provision_id
        if provision.in_force.unenacted_as_of is not None:
            # No source reports it enacted, so it can never certainly apply: the
            # scenarios show a person who would qualify instead.
            assert "would qualify" in seen[provision_id], provision_id
        else:
            assert "applies" in seen[provision_id], provision_id
