"""The profile contract: unknown is not none, typos are errors, dates are real dates."""

from __future__ import annotations

import json
import re

import pytest

from eligibility import InputError, check, parse_profile

ON = "2024-08-01"


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"citizenship": []}, "citizenship", "did you mean 'citizenships'"),
        ({"citizenships": [{"country": "Nepal"}]}, "citizenships[0].country", "ISO 3166-1 alpha-2"),
        (
            {"citizenships": [{"country": "NP", "since": "2024-02-30"}]},
            "citizenships[0].since",
            "exists on the calendar",
        ),
        ({"citizenships": [{"country": "NP", "since": "01/02/2024"}]}, "citizenships[0].since", "YYYY-MM-DD"),
        (
            {"citizenships": [{"country": "NP", "since": "2024-02-01", "until": "2023-01-01"}]},
            "citizenships[0].until",
            "on or after since",
        ),
        (
            {"service": [{"country": "RU", "start": "2023-05-01", "end": "2023-01-01"}]},
            "service[0].end",
            "on or after start",
        ),
        ({"service": [{"country": "RU"}]}, "service[0].start", "required"),
        (
            {"service": [{"country": "RU", "start": "2023-01-01", "kind": "mercenary"}]},
            "service[0].kind",
            "'contract', 'conscription' or 'volunteer'",
        ),
        (
            {"service": [{"country": "RU", "start": "2023-01-01", "discharge": "health"}]},
            "service[0].discharge",
            "end date",
        ),
        (
            {"service": [{"country": "RU", "start": "2023-01-01", "combat": "yes"}]},
            "service[0].combat",
            "true or false",
        ),
        ({"military_registration": {"RU": "no"}}, "military_registration.RU", "true or false"),
        ({"military_registration": {"XX": True}}, "military_registration.XX", "country code"),
        (
            {"residences": [{"country": "UA", "status": "legal"}]},
            "residences[0].status",
            "'permanent', 'temporary' or 'unlawful'",
        ),
        ({"family": [{"relation": "cousin", "person": {}}]}, "family[0].relation", "expected one of"),
        (
            {"family": [{"relation": "spouse", "person": {"citizenships": [{"country": 7}]}}]},
            "family[0].person.citizenships[0].country",
            "country code",
        ),
        ({"id": 12}, "id", "a string"),
    ],
)
def test_a_bad_field_is_named_with_what_was_expected(data, field, words):
    with pytest.raises(InputError) as caught:
        parse_profile(data, "p.json")
    message = str(caught.value)
    assert message.startswith(f"p.json: {field}: "), message
    assert words in message and "\n" not in message


def test_a_profile_must_be_an_object():
    with pytest.raises(InputError, match="expected a JSON object holding a profile, got a list"):
        parse_profile([1, 2], "p.json")


def test_family_nesting_has_a_clear_limit():
    data: dict = {}
    for _ in range(50):
        data = {"family": [{"relation": "child", "person": data}]}
    with pytest.raises(InputError, match="nested more than 8 levels"):
        parse_profile(data, "p.json")


def test_omitted_means_unknown_and_empty_means_none():
    # The law letting stateless persons sign contracts is in force from 2025-07-07 (record.md, R2).
    unknown = check({"service": []}, "2025-08-01").provision("ru.contract.stateless")
    assert unknown.status == "undetermined" and unknown.missing == ["citizenships"]
    stateless = check({"citizenships": [], "service": []}, "2025-08-01").provision("ru.contract.stateless")
    assert stateless.status == "applies"


def test_null_is_the_same_as_omitted():
    assert check({"citizenships": None}, ON).statuses() == check({}, ON).statuses()


def test_facts_count_only_inside_their_dates():
    lost = {"citizenships": [{"country": "RU", "until": "2023-01-01"}, {"country": "DE"}]}
    assert check(lost, "2022-12-31").status("ru.conscription.extended-2022") == "applies"
    assert check(lost, "2023-01-01").status("ru.conscription.extended-2022") == "does_not_apply"
    served = {
        "citizenships": [{"country": "NP"}],
        "service": [
            {
                "country": "RU",
                "force": "armed_forces",
                "kind": "contract",
                "start": "2024-02-01",
                "end": "2024-06-01",
                "discharge": "contract_end",
            }
        ],
    }
    assert check(served, "2024-05-31").status("ru.citizenship.contract-service") == "applies"
    assert check(served, "2024-06-01").status("ru.citizenship.contract-service") == "does_not_apply"
    assert check(served, "2024-06-01").status("ru.citizenship.discharged-soldiers") == "applies"


def test_a_profile_file_round_trips(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {
                "citizenships": [{"country": "GE"}],
                "residences": [{"country": "UA", "status": "temporary"}],
                "criminal_record": {"convicted": False},
            }
        )
    )
    assert check(path, "2024-03-01").status("ua.national-guard.foreign-residents") == "applies"


def test_the_python_api_answers_in_one_line_per_assertion():
    from eligibility import explain, status

    from .conftest import PEOPLE

    assert status(PEOPLE / "nepali-soldier-wife.json", "ru.citizenship.family-members", on="2024-08-01") == "applies"
    lost = PEOPLE / "naturalized-unregistered.json"
    revocation = "ru.citizenship.revocation-unregistered"
    # The article of 2024-08-05 knows only a bill; the record has it signed on 2024-08-08.
    assert status(lost, revocation, on="2024-09-01", evidence="articles") == "undetermined"
    assert status(lost, revocation, on="2024-09-01") == "applies"
    assert status(lost, revocation, on="2024-09-01", known_on="2024-08-05") == "undetermined"
    assert status(lost, revocation, on="2024-09-01", known_on="2024-08-09") == "applies"
    detail = explain(
        PEOPLE / "cuban-discharged-health.json",
        "ru.citizenship.discharged-soldiers",
        on="2024-06-01",
        evidence="articles",
    )
    assert detail["status"] == "applies"
    assert "taken as in force from signature" in detail["in_force"]["explanation"]
    assert detail["routes"][0]["follows"] == "extradition-law-2026-03-09"


@pytest.mark.parametrize(
    "on, words",
    [
        (__import__("datetime").datetime(2024, 8, 1, 12, 0), "on: expected a date (a datetime.date"),
        (None, "on: expected a date written YYYY-MM-DD, got null"),
    ],
)
def test_the_api_names_a_bad_date_argument(on, words):
    from eligibility import InputError, check

    from .conftest import PEOPLE

    with pytest.raises(InputError, match=re.escape(words)):
        check(PEOPLE / "ukrainian-citizen.json", on)


@pytest.mark.parametrize("profile", [None, 42, ["citizenships"]])
def test_the_api_names_a_bad_profile_argument(profile):
    from eligibility import InputError, check

    with pytest.raises(InputError, match="profile: expected a Profile, a dict of profile data, or a path"):
        check(profile, "2024-08-01")
