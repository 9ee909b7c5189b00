"""Small frictions a student writing a paper met, each removed: the option a wrong word meant,
rows whose form the file name contradicts, citations for several provisions at once."""

from __future__ import annotations

import json
import re

from eligibility import api
from eligibility.output.citing import cited

from .conftest import PEOPLE, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"


def test_a_wrong_word_for_an_option_suggests_the_option_meant(cli):
    said = one_line_error(cli("check", RAM, "--date", "2024-08-01"))
    assert said.startswith("eligibility: No such option: --date; did you mean --on?")
    assert "--width" not in said
    assert "did you mean --to?" in one_line_error(cli("timeline", RAM, "--end", "2025-01-01"))


def test_batch_rows_and_the_file_name_agree(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text(RAM.read_text().replace("\n", " ") + "\n")
    said = one_line_error(cli("batch", people, "--on", "2024-08-01", "-o", tmp_path / "out.csv"))
    assert "expected --format csv for a file named .csv" in said and not (tmp_path / "out.csv").exists()
    said = one_line_error(cli("batch", people, "--on", "2024-08-01", "--format", "csv", "-o", tmp_path / "o.jsonl"))
    assert "expected a .csv file name for rows as CSV" in said
    result = cli("batch", people, "--on", "2024-08-01", "--format", "csv", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0 and (tmp_path / "out.csv").read_text().startswith("line,")


def test_citations_for_several_provisions_or_all_each_source_once_with_full_addresses(cli):
    rules = api.rule_base()
    two = ["ru.contract.stateless", "ru.citizenship.contract-service"]
    wanted = list(dict.fromkeys(s.id for p in two for s, _ in cited(rules, rules.provisions[p])))
    bib = cli("rules", "cite", *two, "--format", "bibtex").stdout
    assert re.findall(r"^@\w+\{([^,]+),", bib, re.M) == wanted  # each once, in the order first cited
    everything = json.loads(cli("rules", "cite", "--all", "--format", "csl-json").stdout)
    ids = [item["id"] for item in everything]
    assert len(ids) == len(set(ids)) and set(wanted) <= set(ids)
    assert all(item["URL"].startswith(("https://", "http://")) for item in everything if "URL" in item)
    assert json.loads(cli("rules", "cite", "--all", "--format", "csl-json").stdout) == everything  # stable
    assert "expected a provision id (or several, --all or --rule-base)" in one_line_error(cli("rules", "cite"))


def test_the_same_o_everywhere(cli, tmp_path):
    """check, timeline and diff write to -o as report and batch do: the same text as standard
    output, whole or not at all, never over the input."""
    for args, name in (
        (("check", RAM, "--on", "2024-08-01", "--width", "100"), "check.txt"),
        (("timeline", RAM, "--format", "svg"), "timeline.svg"),
        (("diff", RAM, "--from", "2023-01-01", "--to", "2024-08-01", "--format", "json"), "diff.json"),
    ):
        printed = cli(*args).stdout
        target = tmp_path / name
        result = cli(*args, "-o", target)
        assert result.exit_code == 0 and result.stdout == ""
        assert target.read_text(encoding="utf-8") == printed, name
    said = one_line_error(cli("timeline", RAM, "-o", RAM))
    assert "expected an output file other than the input" in said


def test_the_catalogue_follows_the_evidence_chosen(cli):
    """rules list shows the account check judges on: by default the record's, which dates the
    stateless persons' contract law to June-July 2025; on the articles alone, 'July 2024'."""

    def stages(*args: str) -> list[str]:
        found = {e["id"]: e for e in json.loads(cli("rules", "list", "--format", "json", *args).stdout)}
        return [s["date"] for s in found["ru.contract.stateless"]["stages"]]

    assert stages() == ["2025-06-24", "2025-07-07"]
    assert stages("--evidence", "articles") == ["2024-07"]
    reported = json.loads(cli("rules", "list", "--format", "json", "--known-on", "2023-01-01").stdout)
    assert "ru.contract.stateless" not in {e["id"] for e in reported}  # no article on it yet


def test_every_problem_of_a_profile_is_named_up_to_a_bound(cli, tmp_path):
    """No '(and 2 more problems)' hiding what could be named: the line names each field that is
    wrong, up to five, and counts the rest."""
    from eligibility.foundations.validation import LISTED

    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"citizenships": [{"country": "UK", "since": "2024-13"}], "service": [{"country": "RU"}],'
        ' "criminal_record": {"convicted": "yes"}}'
    )
    line = one_line_error(cli("check", bad, "--on", "2024-01-01"))
    for field in ("citizenships[0].since", "citizenships[0].country", "service[0].start", "criminal_record.convicted"):
        assert field in line, field
    many = tmp_path / "many.json"
    many.write_text('{"citizenships": [' + ", ".join(f'{{"country": "X{i}"}}' for i in range(9)) + "]}")
    line = one_line_error(cli("check", many, "--on", "2024-01-01"))
    assert line.count("citizenships[") == LISTED and f"(and {9 - LISTED} more problems, not listed)" in line
