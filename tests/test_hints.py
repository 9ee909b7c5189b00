"""Mistakes a student makes, each answered in one line that says what was probably meant,
never silently corrected."""

from __future__ import annotations

import json

import pytest

from .conftest import PEOPLE, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"


@pytest.mark.parametrize(
    "country, hint",
    [
        ("UK", "did you mean 'GB' (United Kingdom)?"),
        ("np", "did you mean 'NP' (Nepal)?"),
        ("Nepal", "did you mean 'NP' (Nepal)?"),
        ("Russia", "did you mean 'RU' (Russian Federation)?"),
        ("RUS", "did you mean 'RU' (Russian Federation)?"),
    ],
)
def test_a_country_written_otherwise_gets_its_code(cli, tmp_path, country, hint):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"citizenships": [{"country": country}]}))
    line = one_line_error(cli("check", profile, "--on", "2024-08-01"))
    assert (
        f"citizenships[0].country: expected an ISO 3166-1 alpha-2 country code such as 'NP', got {country!r}; {hint}"
        in line
    )


@pytest.mark.parametrize(
    "word, meant",
    [
        ("wife", "spouse"),
        ("husband", "spouse"),
        ("son", "child"),
        ("daughter", "child"),
        ("mother", "parent"),
        ("father", "parent"),
    ],
)
def test_a_relation_word_gets_the_relation(cli, tmp_path, word, meant):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"family": [{"relation": word, "person": {}}]}))
    line = one_line_error(cli("check", profile, "--on", "2024-08-01"))
    assert (
        "family[0].relation: expected one of 'spouse', 'child', 'parent', 'sibling' or 'other', "
        f"got {word!r}; did you mean {meant!r}?" in line
    )


def test_a_country_never_guessed_gets_no_hint(cli, tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"citizenships": [{"country": "Korea"}]}))  # two Koreas
    assert "did you mean" not in one_line_error(cli("check", profile, "--on", "2024-08-01"))


def test_json_lines_given_to_check_points_to_batch(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text(RAM.read_text().replace("\n", " ") + "\n" + json.dumps({"citizenships": []}) + "\n")
    line = one_line_error(cli("check", people, "--on", "2024-08-01"))
    assert "found JSON Lines" in line and "'eligibility batch'" in line


def test_a_pretty_printed_profile_given_to_batch_points_to_check(cli, tmp_path):
    pretty = tmp_path / "ram.jsonl"
    pretty.write_text(json.dumps(json.loads(RAM.read_text()), indent=2))
    line = one_line_error(cli("batch", pretty, "--on", "2024-08-01"))
    assert "ram.jsonl:1: expected one profile per line (JSON Lines)" in line and "'eligibility check'" in line


def test_a_set_value_that_is_not_json_says_how_to_quote(cli):
    line = one_line_error(cli("what-if", RAM, "--on", "2024-08-01", "--set", "military_registration.RU=True"))
    assert "expected true or false, got 'True'" in line and "--set takes a JSON value" in line
    # text that is meant as text is fine unquoted
    assert (
        cli(
            "what-if",
            RAM,
            "--on",
            "2024-08-01",
            "--set",
            "service[0].discharge=health",
            "--set",
            "service[0].end=2024-06-01",
        ).exit_code
        == 0
    )


def test_a_status_typo_gets_a_did_you_mean(cli):
    assert "did you mean 'undetermined'?" in one_line_error(
        cli("check", RAM, "--on", "2024-08-01", "--status", "undetermind")
    )
