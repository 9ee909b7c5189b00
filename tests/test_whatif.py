"""what-if: the path syntax, re-judging with changed facts, and what it would take (--make-apply)."""

from __future__ import annotations

import json
import shlex
from datetime import date

import pytest

from eligibility import InputError, load_profile
from eligibility.exploring.alternatives import changed_profile, make_apply, profile_data, what_if
from eligibility.foundations.logic import Truth
from eligibility.people.edits import Edit, apply, parse_set, parse_unset

from .conftest import PEOPLE, one_line_error

ALL_PEOPLE = sorted(PEOPLE.glob("*.json"))
DATES = [date(2022, 6, 1), date(2022, 12, 15), date(2023, 6, 1), date(2024, 8, 1), date(2026, 6, 1)]


# --- the path syntax -------------------------------------------------------------------------


def test_values_read_as_json_or_as_text():
    assert parse_set("military_registration.RU=true") == Edit("set", "military_registration.RU", True)
    assert parse_set("citizenships[1].acquired=birth") == Edit("set", "citizenships[1].acquired", "birth")
    assert parse_set('service[0].end="2024-01-01"') == parse_set("service[0].end=2024-01-01")
    assert parse_set("criminal_record.convicted=null") == Edit("unset", "criminal_record.convicted")
    assert parse_set('citizenships[+]={"country": "RU"}').value == {"country": "RU"}


def test_positions_refer_to_the_profile_as_written():
    data = {"citizenships": [{"country": "NP"}, {"country": "RU"}, {"country": "IN"}]}
    changed = apply(
        data,
        [
            parse_unset("citizenships[0]"),
            parse_set("citizenships[2].acquired=birth"),
            parse_set('citizenships[+]={"country": "GE"}'),
            parse_unset("citizenships[1]"),
        ],
    )
    assert changed == {"citizenships": [{"country": "IN", "acquired": "birth"}, {"country": "GE"}]}
    assert data["citizenships"][0] == {"country": "NP"}  # the original is untouched


def test_missing_objects_and_lists_are_created_only_where_that_is_unambiguous():
    assert apply({}, [parse_set("military_registration.RU=false")]) == {"military_registration": {"RU": False}}
    assert apply({}, [parse_set('service[+]={"country": "RU", "start": "2024-01-01"}')]) == {
        "service": [{"country": "RU", "start": "2024-01-01"}]
    }
    with pytest.raises(InputError, match="citizenships to be a list in the profile, it is not given"):
        apply({}, [parse_set("citizenships[0].acquired=birth")])


@pytest.mark.parametrize(
    "text, message",
    [
        ("citizenships[1]acquired=birth", "expected a path such as"),
        ("citizenships[x].acquired=birth", "expected a list position such as [0] or [+]"),
        ("citizenships[+].acquired=birth", "[+] only at the end"),
        ("military_registration.RU", "expected PATH=VALUE"),
        ("=true", "expected a path such as"),
        ("a..b=1", "expected a path such as"),
    ],
)
def test_malformed_paths_are_named(text, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]").replace("+", r"\+")):
        parse_set(text)


def test_the_changed_profile_is_validated_like_a_file():
    data = profile_data(load_profile(PEOPLE / "naturalized-unregistered.json"))
    with pytest.raises(InputError) as error:
        changed_profile(data, [parse_set("citizenships[0].acquired=naturalised")])
    assert "citizenships[0].acquired" in str(error.value) and "naturalization" in str(error.value)
    with pytest.raises(InputError, match="end: expected a date on or after start"):
        changed_profile(
            {"service": [{"country": "RU", "start": "2024-01-01"}]}, [parse_set("service[0].end=2023-01-01")]
        )


# --- what-if -----------------------------------------------------------------------------------


def test_registering_removes_the_only_reason_timur_could_lose_his_citizenship(evaluator):
    """R12 would revoke acquired citizenship for failing to register; Timur registers."""
    profile = load_profile(PEOPLE / "naturalized-unregistered.json")
    result = what_if(evaluator, profile, date(2024, 8, 1), [parse_set("military_registration.RU=true")])
    (change,) = result.changed
    assert change.id == "ru.citizenship.revocation-unregistered"
    assert (change.would_qualify_before, change.would_qualify_after) == ("yes", "no")
    assert [(c.id, c.before, c.after) for c in change.conditions] == [("not-registered", "held", "failed")]


def test_without_naturalization_the_dual_national_is_foreign_again(evaluator):
    """Alexei without his Russian citizenship: the foreigners' contract rule (R4 of 2022) applies."""
    profile = load_profile(PEOPLE / "dual-national-conscript.json")
    data = profile_data(profile)
    russian = next(i for i, c in enumerate(data["citizenships"]) if c["country"] == "RU")
    result = what_if(evaluator, profile, date(2024, 8, 1), [parse_unset(f"citizenships[{russian}]")])
    moved = {c.id: (c.before, c.after) for c in result.changed}
    assert moved["ru.contract.foreign-citizens"] == ("does_not_apply", "applies")
    assert moved["ru.conscription.extended-2022"] == ("applies", "does_not_apply")


def test_what_if_shows_only_what_changed(evaluator, articles):
    profile = load_profile(PEOPLE / "nepali-contract-soldier.json")
    edit = [parse_set("criminal_record.under_investigation=true")]
    # The articles put dual citizens under the criminal-record bar: nothing changes for Ram.
    result = what_if(articles, profile, date(2024, 8, 1), edit)
    assert result.changed == [] and len(result.unchanged) == len(articles.rules.provisions)
    # Decree No. 823 puts foreign citizens under it (record.md, R7): that alone changes.
    result = what_if(evaluator, profile, date(2024, 8, 1), edit)
    assert [(c.id, c.before, c.after) for c in result.changed] == [
        ("ru.contract.criminal-record-bar", "does_not_apply", "applies")
    ]
    assert len(result.unchanged) == len(evaluator.rules.provisions) - 1


# --- make-apply ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_PEOPLE, ids=[p.stem for p in ALL_PEOPLE])
def test_make_apply_finds_a_set_wherever_the_provision_is_in_force_and_each_set_works(evaluator, path):
    profile = load_profile(path)
    data = profile_data(profile)
    for day in DATES:
        judged = evaluator.judge(profile, day, list(evaluator.rules.provisions))
        for key, judgement in judged.items():
            result = make_apply(evaluator, profile, day, key)
            if judgement.validity.value is not Truth.TRUE:
                assert not result.possible and not result.sets, (path.stem, key, day)
                assert "No change to the facts can make it" in result.explanation
                continue
            assert result.possible, (path.stem, key, day, result.explanation)
            if judgement.status == "applies":
                assert result.sets == []
                continue
            assert result.sets, (path.stem, key, day)
            edit_sets = [[Edit(e.op, e.path, e.value) for e in s.edits] for s in result.sets]
            for edits in edit_sets:
                after = evaluator.judge(changed_profile(data, edits), day, [key])[key]
                assert after.status == "applies", (path.stem, key, day, edits)
            for i, a in enumerate(edit_sets):
                for j, b in enumerate(edit_sets):
                    assert i == j or not all(e in b for e in a), (path.stem, key, day, a, b)


def test_nothing_can_make_an_unenacted_law_apply(articles):
    result = make_apply(
        articles,
        load_profile(PEOPLE / "naturalized-unregistered.json"),
        date(2024, 8, 1),
        "ru.citizenship.revocation-unregistered",
    )
    assert not result.possible and "not yet signed into law" in result.explanation


def test_a_window_leaves_it_undetermined_at_best(articles):
    result = make_apply(
        articles,
        load_profile(PEOPLE / "nepali-contract-soldier.json"),
        date(2026, 3, 6),
        "ru.extradition.contract-soldiers",
    )
    assert not result.possible and "At best it is undetermined" in result.explanation


def test_a_relative_who_qualifies_is_what_it_takes_for_the_family_route(evaluator):
    profile = load_profile(PEOPLE / "ukrainian-citizen.json")
    result = make_apply(evaluator, profile, date(2024, 8, 1), "ru.citizenship.family-members")
    assert result.possible
    added = [e for s in result.sets for e in s.edits if e.path == "family[+]"]
    assert added and all(e.value["person"]["service"][0]["country"] == "RU" for e in added)


# --- the command -----------------------------------------------------------------------------


def test_what_if_command_prints_pasteable_sets_that_work(cli):
    profile = PEOPLE / "nepali-soldier-wife.json"
    result = cli(
        "what-if", profile, "--on", "2024-08-01", "--make-apply", "ru.citizenship.contract-service", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for change in data["sets"]:
        args = [a for e in change["edits"] for a in shlex.split(e["written"])]
        after = cli("what-if", profile, "--on", "2024-08-01", *args, "--format", "json")
        assert after.exit_code == 0, after.stderr
        moved = {c["id"]: c["after"] for c in json.loads(after.stdout)["changed"]}
        assert moved["ru.citizenship.contract-service"] == "applies"
    text = cli(
        "what-if", profile, "--on", "2024-08-01", "--make-apply", "ru.citizenship.contract-service", "--width", "100"
    )
    assert "1. --set 'service[+]=" in text.stdout


@pytest.mark.parametrize(
    "args, start",
    [
        (
            ("--set", "citizenships[0].acquired=brith"),
            "eligibility: --set/--unset: citizenships[0].acquired: expected one of",
        ),
        (
            ("--set", "citizenships[7].acquired=birth"),
            "eligibility: --set: citizenships[7].acquired: expected a position below 1",
        ),
        (
            ("--unset", "criminal_record.convicted"),
            "eligibility: --unset: criminal_record.convicted: expected a value to remove",
        ),
        (
            ("--set", "citizenships[0].aquired=birth"),
            "eligibility: --set/--unset: citizenships[0].aquired: unknown field",
        ),
        ((), "eligibility: what-if: expected at least one --set, --unset or --make-apply"),
        (("--make-apply", "ru.citizenship.contract"), "eligibility: --make-apply: expected a provision id"),
        (
            ("--make-apply", "ru.citizenship.contract-service", "--set", "family=[]"),
            "eligibility: --make-apply: expected no --set",
        ),
    ],
)
def test_bad_changes_get_one_line(cli, args, start):
    result = cli("what-if", PEOPLE / "nepali-soldier-wife.json", "--on", "2024-08-01", *args)
    assert result.exit_code == 2
    assert one_line_error(result).startswith(start)


@pytest.mark.parametrize(
    "edits, words",
    [
        (
            ["--unset", "service[0]", "--set", "service[0].kind=volunteer"],
            "--unset service[0] removes the item it lies in",
        ),
        (
            ["--set", "service=[]", "--set", 'service[+]={"country":"RU","start":"2020-01-01"}'],
            "--set service replaces the item it lies in",
        ),
        (
            ["--set", 'service[0]={"country":"RU","start":"2020-01-01"}', "--set", "service[0].kind=contract"],
            "--set service[0] replaces the item it lies in",
        ),
    ],
)
def test_an_edit_inside_an_item_another_edit_removes_or_replaces_is_refused(cli, edits, words):
    result = cli("what-if", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", *edits)
    assert result.exit_code == 2
    assert words in one_line_error(result)


def test_make_apply_with_hundreds_of_relatives_tries_a_few_and_says_so(cli, tmp_path):
    member = {"relation": "child", "person": {"citizenships": [{"country": "NP"}], "service": []}}
    path = tmp_path / "family.json"
    path.write_text(json.dumps({"citizenships": [{"country": "NP"}], "family": [member] * 300}))
    result = cli(
        "what-if", path, "--on", "2024-08-01", "--make-apply", "ru.citizenship.family-members", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["possible"] and data["sets"]
    assert any("Only the first 8 of the 300 listed family members" in note for note in data["notes"])
