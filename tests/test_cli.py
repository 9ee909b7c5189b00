"""The command line: outputs, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from eligibility import api

from .conftest import PEOPLE, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"


def test_check_text_groups_by_status_with_reasons_conditions_and_sources(cli):
    result = cli("check", RAM, "--on", "2024-08-01", "--details", "--width", "100", "--evidence", "articles")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    flat = " ".join(out.split())
    assert out.startswith("eligibility check — Ram, Nepali contract soldier — on 2024-08-01")
    counts = api.check(RAM, "2024-08-01", evidence="articles").statuses()
    sections = [
        f"{words} ({list(counts.values()).count(status)})"
        for words, status in (
            ("APPLIES", "applies"),
            ("DOES NOT APPLY", "does_not_apply"),
            ("NOT IN FORCE", "not_in_force"),
        )
    ]
    assert out.index(sections[0]) < out.index(sections[1]) < out.index(sections[2])
    assert "● ru.citizenship.contract-service [RU]" in flat
    assert "✓ serving with the Russian Armed Forces on the date, under contract" in flat
    assert "service[0]: RU (armed_forces; contract; start 2023-05-10; combat)" in flat
    assert "In force on 2024-08-01: decree signed 2024-01-04" in flat
    assert "taken as in force from signature" in flat
    assert "— The Kyiv Independent, 2024-01-04 [kyiv-independent-2024-01-04; report]" in flat
    assert all(len(line) <= 100 for line in out.splitlines())
    assert all(line == line.rstrip() for line in out.splitlines())


def test_check_shows_missing_facts_for_undetermined(cli):
    result = cli(
        "check",
        PEOPLE / "indian-recruit-incomplete.json",
        "--on",
        "2024-08-01",
        "--details",
        "--status",
        "undetermined",
        "--width",
        "120",
        "--evidence",
        "articles",
    )
    assert result.exit_code == 0
    assert "UNDETERMINED" in result.stdout and "APPLIES" not in result.stdout
    assert "missing facts: service[0].force, service[0].kind" in result.stdout


def test_check_json_has_the_documented_shape(cli):
    result = cli("check", PEOPLE / "nepali-soldier-wife.json", "--on", "2024-08-01", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"profile", "on", "provisions"} <= set(data)
    assert data["on"] == "2024-08-01" and [p["id"] for p in data["provisions"]] == list(api.rule_base().provisions)
    for item in data["provisions"]:
        assert {"id", "status", "effect", "conditions", "in_force", "missing", "citations"} <= set(item)
    family = next(p for p in data["provisions"] if p["id"] == "ru.citizenship.family-members")
    assert family["status"] == "applies"
    assert family["carried_by"] == [
        {
            "member": "family[0]",
            "relation": "spouse",
            "label": "Ram, Nepali contract soldier",
            "provision": "ru.citizenship.contract-service@terms",  # Decree No. 10, on its own terms
        }
    ]


def test_a_later_route_is_judged_beside_the_decree_and_adds_to_it(cli):
    # Ahmed was discharged on a ground the decree does not list; the 2026 article's later change
    # covers any discharge of a soldier who fought, and whether he fought is not recorded.
    result = cli(
        "check",
        PEOPLE / "syrian-discharged-other.json",
        "--on",
        "2026-04-01",
        "--format",
        "json",
        "--evidence",
        "articles",
    )
    item = next(p for p in json.loads(result.stdout)["provisions"] if p["id"] == "ru.citizenship.discharged-soldiers")
    assert (item["status"], item["missing"]) == ("undetermined", ["service[0].combat"])
    (route,) = item["routes"]
    assert (route["id"], route["follows"], route["status"], route["in_force"]["value"]) == (
        "later-changes",
        "extradition-law-2026-03-09",
        "undetermined",
        "yes",
    )
    assert [u["kind"] for u in item["unknowns"]] == ["missing_fact"]
    assert "under the provision's own terms, fails" in item["reason"]


def test_the_other_reading_is_shown_beside_the_followed_one(cli):
    # Before November 2022 the articles do not settle whether foreign citizens could sign
    # contracts; the 2026 article read alone says they could not.
    result = cli(
        "check", PEOPLE / "cuban-recruit-2022.json", "--on", "2022-09-20", "--format", "json", "--evidence", "articles"
    )
    item = next(p for p in json.loads(result.stdout)["provisions"] if p["id"] == "ru.contract.foreign-citizens")
    assert item["status"] == "undetermined"
    (other,) = item["other_readings"]
    assert (other["follows"], other["status"]) == ("extradition-law-2026-03-09", "not_in_force")
    assert "reading (extradition-law-2026-03-09) gives not in force" in item["reason"]


def test_an_unreported_enactment_names_the_source_that_sets_the_horizon(cli):
    result = cli(
        "check",
        PEOPLE / "naturalized-unregistered.json",
        "--on",
        "2025-01-15",
        "--format",
        "json",
        "--evidence",
        "articles",
    )
    item = next(
        p for p in json.loads(result.stdout)["provisions"] if p["id"] == "ru.citizenship.revocation-unregistered"
    )
    assert item["status"] == "undetermined"
    assert "uk-intel-2024-08-05, 2024-08-05" in item["in_force"]["explanation"]
    assert "no source says what happened after" in item["in_force"]["explanation"]
    assert [u["kind"] for u in item["unknowns"]] == ["open_question"]


def test_rules_list_and_show(cli):
    listing = cli("rules", "list", "--width", "160")
    assert listing.exit_code == 0
    assert "ru.citizenship.contract-service" in listing.stdout and "ua.citizenship.military-service" in listing.stdout
    data = json.loads(cli("rules", "list", "--format", "json").stdout)
    assert [item["id"] for item in data] == list(api.rule_base().provisions)
    shown = cli("rules", "show", "ru.citizenship.contract-service", "--width", "120")
    assert shown.exit_code == 0
    for words in (
        "decree signed: 2024-01-04",
        "serving-under-contract",
        "applies when: all(foreign-national, serving-under-contract)",
        "not modelled:",
        "while the invasion is ongoing",
    ):
        assert words in shown.stdout, words
    as_json = json.loads(cli("rules", "show", "ru.extradition.contract-soldiers", "--format", "json").stdout)
    assert as_json["stages"][2]["date"] == "2026-03-08"  # the record's day of signature (the article: a window)


def test_rules_show_puts_the_record_beside_the_articles(cli):
    """record.md, R2: the articles say July 2024; the record, signed 2025-07-07 (reports)."""
    shown = cli("rules", "show", "ru.contract.stateless", "--width", "200")
    assert shown.exit_code == 0
    for words in (
        "signed into law: 2025-07-07",
        "the record differs:",
        "the articles: Stateless individuals became eligible in July 2024.",
        "the record (reports): The law letting stateless persons serve under contract passed the State",
        "the status follows the record: the record's finding (reports) is strictly surer than the articles "
        "(retrospective)",
        "(a reference; its text is not held here) — Meduza, 2025-06-24",
        "the articles' account (--evidence articles):",
        "took effect: July 2024 (2024-07)",
    ):
        assert words in shown.stdout, words
    data = json.loads(cli("rules", "show", "ru.contract.stateless", "--format", "json").stdout)
    assert data["evidence"] == "all"
    ((finding),) = data["record"]
    assert (finding["about"], finding["relation"], finding["sure"], finding["follows"]) == (
        "date",
        "contradicts",
        "reports",
        "record",
    )
    assert [(s["source"], s["kind"]) for s in finding["sources"]][:2] == [
        ("extradition-law-2026-03-09", "retrospective"),
        ("moscow-times-2025-06-24", "report"),
    ]
    assert data["articles_account"]["stages"][0]["date"] == "2024-07"
    articles = json.loads(
        cli("rules", "show", "ru.contract.stateless", "--format", "json", "--evidence", "articles").stdout
    )
    assert articles["stages"][0]["date"] == "2024-07" and articles["record"][0]["follows"] == "articles"
    # The record adds to the article on U2: the wording has stood since 2014 (reports), so the
    # articles' account (in place from 2024-02-22, unknown before) is shown beside it.
    same = json.loads(cli("rules", "show", "ua.national-guard.citizens", "--format", "json").stdout)
    assert [f["relation"] for f in same["record"]] == ["adds"]
    assert same["articles_account"]["stages"][0]["date"] == "2024-02-22"


def test_rules_discrepancies_lists_every_finding_in_text_json_and_csv(cli):
    import csv
    import io

    data = json.loads(cli("rules", "discrepancies", "--format", "json").stdout)
    rows = {(r["provision"], r["about"]): r for r in data["rows"]}
    # record.md, R4: no exempting act found (that dual nationals were liable is inferred); one report
    # of the time says nothing changed. An inference is not surer than the article: left open.
    r4 = rows[("ru.conscription.dual-national-exemption", "existence")]
    assert (r4["relation"], r4["sure"], r4["follows"]) == ("contradicts", "inferred", "neither")
    assert r4["record_sources"] == ["vestikavkaza-2022-11-15"]
    # record.md, U3: Law No. 957-VIII of 2016, read in the act.
    assert rows[("ua.citizenship.military-service", "date")]["sure"] == "act"
    base = api.rule_base()
    assert {r["provision"] for r in data["rows"]} == {pid for pid in base.provisions if base.written[pid].record}
    table = list(csv.DictReader(io.StringIO(cli("rules", "discrepancies", "--format", "csv").stdout)))
    assert [(r["provision"], r["about"], r["articles"], r["record"]) for r in table] == [
        (r["provision"], r["about"], r["articles"], r["record"]) for r in data["rows"]
    ]
    text = cli("rules", "discrepancies", "--width", "160").stdout
    assert "ru.contract.stateless" in text and "how sure" in text
    contradicted = len({r["provision"] for r in data["rows"] if r["relation"] == "contradicts"})
    assert f"on {contradicted} provision(s)" in text
    # As known on 2024-08-05 the revocation law's signature (2024-08-08) was not yet published.
    then = json.loads(cli("rules", "discrepancies", "--format", "json", "--known-on", "2024-08-05").stdout)
    assert then["known_on"] == "2024-08-05" and data["known_on"] is None
    assert "ru.citizenship.revocation-unregistered" not in {r["provision"] for r in then["rows"]}
    assert "ru.citizenship.revocation-unregistered" in {r["provision"] for r in data["rows"]}
    bad = cli("rules", "discrepancies", "--format", "xml")
    assert bad.exit_code == 2 and "--format: expected text, json or csv, got 'xml'" in one_line_error(bad)


@pytest.mark.parametrize(
    "args, words",
    [
        (["check", "nowhere.json", "--on", "2024-08-01"], "nowhere.json: no such profile file"),
        (
            ["check", RAM, "--on", "2024-02-30"],
            "--on: expected a date written YYYY-MM-DD that exists on the calendar, got '2024-02-30'",
        ),
        (["check", RAM, "--on", "yesterday"], "--on: expected a date written YYYY-MM-DD"),
        (["check", RAM], "Missing option '--on'"),
        (["check", RAM, "--on", "2024-08-01", "--format", "xml"], "--format: expected text, json or csv, got 'xml'"),
        (["check", RAM, "--on", "2024-08-01", "--status", "valid"], "--status: expected applies or undetermined"),
        (["rules", "show", "ru.citizenship.contract"], "did you mean 'ru.citizenship.contract-service'?"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (
            ["check", RAM, "--on", "2024-08-01", "--rules", "/nonexistent"],
            "/nonexistent: expected a directory of rule files",
        ),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(cli, args, words):
    result = cli(*args)
    assert result.exit_code == 2
    assert words in one_line_error(result)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "expected a JSON object, the file is empty"),
        (b'{"citizenships": [', "not valid JSON"),
        (b"\xff\xfe\x00binary", "expected UTF-8 text"),
        (b"[1, 2]", "expected a JSON object holding a profile"),
        (b'{"citizenships": [{"country": "NP", "since": "2024-02-30"}]}', "citizenships[0].since: expected a date"),
        (b'{"citizenships": [{"country": "NP"}], "servce": []}', "servce: unknown field"),
        (
            b'{"service": [{"country": "RU", "start": "2024-05-01", "end": "2024-01-01"}]}',
            "service[0].end: expected a date on or after start",
        ),
        (b'{"residences": [{"country": "ZZ"}]}', "residences[0].country: expected an ISO 3166-1 alpha-2"),
        (b"[" * 100000, "nests too deeply"),
    ],
)
def test_bad_profiles_give_one_line_naming_file_and_field(cli, tmp_path, content, words):
    path = tmp_path / "profile.json"
    path.write_bytes(content)
    result = cli("check", path, "--on", "2024-08-01")
    assert result.exit_code == 2
    line = one_line_error(result)
    assert line.startswith(f"eligibility: {path}"), line
    assert words in line, line


def test_a_directory_is_not_a_profile(cli, tmp_path):
    result = cli("check", tmp_path, "--on", "2024-08-01")
    assert result.exit_code == 2
    assert "expected a profile file, found a directory" in one_line_error(result)


def test_no_arguments_shows_help(cli):
    result = cli()
    assert result.exit_code == 0
    assert "check" in result.stdout and "rules" in result.stdout


def test_the_console_entry_point_prints_what_the_command_prints_in_process(cli):
    """`main()` (the installed `eligibility` command) runs short commands without the cyclic
    collector and freezes what is left at exit; the output is the same as in-process."""
    import subprocess
    import sys

    args = ["check", str(RAM), "--on", "2024-08-01", "--width", "100"]
    run = subprocess.run(
        [sys.executable, "-c", "from eligibility.cli import main; main()", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == cli(*args).stdout
    bad = subprocess.run(
        [sys.executable, "-c", "from eligibility.cli import main; main()", "check", str(RAM)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--on" in bad.stderr


def test_commands_run_in_process_leave_the_garbage_collector_alone(cli):
    import gc

    assert gc.isenabled()
    assert cli("check", RAM, "--on", "2024-08-01").exit_code == 0
    assert cli("rules", "list").exit_code == 0
    assert gc.isenabled()


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_encoding_other_than_utf8_gets_escapes_not_a_crash(tmp_path, encoding):
    import os
    import subprocess
    import sys

    people = tmp_path / "people.jsonl"
    people.write_text('{"id": "Ren\\u00e9e \\ud83d\\ude00", "citizenships": []}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    entry = [sys.executable, "-c", "from eligibility.cli import main; main()"]
    text = subprocess.run(
        [*entry, "check", str(RAM), "--on", "2024-08-01", "--width", "80"], capture_output=True, env=env, timeout=120
    )
    assert text.returncode == 0, text.stderr.decode(errors="replace")
    assert b"\\u2014" in text.stdout  # the em dash of the title, escaped
    as_json = subprocess.run(
        [*entry, "check", str(RAM), "--on", "2024-08-01", "--format", "json"], capture_output=True, env=env, timeout=120
    )
    assert as_json.returncode == 0 and json.loads(as_json.stdout.decode(encoding))["on"] == "2024-08-01"
    rows = subprocess.run(
        [*entry, "batch", str(people), "--on", "2024-08-01"], capture_output=True, env=env, timeout=120
    )
    assert rows.returncode == 0 and json.loads(rows.stdout.decode(encoding))["profile"] == "Ren\u00e9e \U0001f600"


def test_json_output_is_what_json_dumps_writes(cli):
    """The JSON writer (pydantic's serialiser, for speed) writes exactly json.dumps(indent=2)'s text."""
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--format", "json")
    assert result.exit_code == 0
    assert result.stdout == json.dumps(json.loads(result.stdout), ensure_ascii=False, indent=2) + "\n"


def _dates(report: dict) -> set[str]:
    return {p["decided_by"]["date"] for p in report["provisions"] if p["decided_by"] and p["decided_by"]["date"]}


@pytest.mark.parametrize("width", [80, 100])
def test_check_prints_a_summary_that_reads_in_a_minute(cli, width):
    """By default one short entry per provision, grouped by status: every provision's id whole on
    its own line, every line within the width, every date uncut, about 40-50 lines in all."""
    args = ("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01")
    result = cli(*args, "--width", str(width))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    report = json.loads(cli(*args, "--format", "json").stdout)
    # two or three lines a provision (about 45 for the 16 bundled), and one more for each answer
    # that carries caveats; no count of provisions is pinned
    caveated = sum(1 for p in report["provisions"] if any(c["kind"] != "horizon" for c in p["caveats"]))
    bound = 6 + 2.5 * len(report["provisions"]) + caveated
    assert len(lines) <= bound, (len(lines), bound)
    assert sum(line.strip().startswith("caveats:") for line in lines) <= caveated
    assert all(len(line) <= width for line in lines)
    for provision in report["provisions"]:
        mark = {"applies": "✓", "does_not_apply": "✗", "undetermined": "?", "not_in_force": "○"}[provision["status"]]
        assert any(line.startswith(f"{mark} {provision['id']}") for line in lines), provision["id"]
    for day in _dates(report):
        assert day in result.stdout, day
    assert "--details" in lines[-1]


def test_check_summary_fields_in_json(cli):
    """The summary's words are in the JSON too: `summary` (one line) and `decided_by`."""
    report = json.loads(
        cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--format", "json").stdout
    )
    by_id = {p["id"]: p for p in report["provisions"]}
    # Decree No. 10, signed 2024-01-04 (record.md), as The Kyiv Independent reported it that day
    # what the profile cannot say is named: Decree No. 10 asks for a contract of at least one year
    assert by_id["ru.citizenship.contract-service"]["summary"] == (
        "every condition the profile can answer holds; in force (decree signed 2024-01-04); "
        "not judged: the contract's term (at least one year)"
    )
    assert by_id["ru.citizenship.contract-service"]["decided_by"] == {
        "what": "decree signed",
        "date": "2024-01-04",
        "source": "kyiv-independent-2024-01-04",
    }
    # the revocation law was signed 2024-08-08 (kremlin.ru)
    assert by_id["ru.citizenship.revocation-unregistered"]["summary"] == "not yet in force: signed into law 2024-08-08"
    assert all("\n" not in p["summary"] and p["summary"] for p in report["provisions"])


def test_check_summary_names_the_kind_of_unknown(cli):
    result = cli("check", PEOPLE / "indian-recruit-incomplete.json", "--on", "2024-08-01", "--width", "200")
    assert result.exit_code == 0
    undetermined = result.stdout.split("UNDETERMINED (", 1)[1].split("DOES NOT APPLY", 1)[0]
    assert "a fact missing from the profile: " in undetermined


def test_check_provision_shows_those_provisions_in_full(cli):
    result = cli(
        "check",
        PEOPLE / "nepali-contract-soldier.json",
        "--on",
        "2024-08-01",
        "--provision",
        "ru.contract.stateless",
        "--width",
        "120",
    )
    assert result.exit_code == 0, result.stderr
    assert "● ru.contract.stateless " in result.stdout and "conditions" in result.stdout
    assert "ru.citizenship.contract-service" not in result.stdout


@pytest.mark.parametrize(
    "option, value, hint",
    [
        ("--provision", "ru.contract.stateles", "did you mean 'ru.contract.stateless'?"),
        ("--status", "aplies", "did you mean 'applies'?"),
    ],
)
def test_check_filters_mistyped_get_a_did_you_mean(cli, option, value, hint):
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", option, value)
    assert result.exit_code == 2
    assert hint in one_line_error(result)


def test_diff_status_keeps_only_the_changes_into_that_status(cli):
    args = ("diff", PEOPLE / "nepali-contract-soldier.json", "--from", "2023-12-01", "--to", "2025-08-01")
    every = json.loads(cli(*args, "--format", "json").stdout)["changed"]
    into = json.loads(cli(*args, "--status", "applies", "--format", "json").stdout)["changed"]
    # Decree No. 10 (signed 2024-01-04) brings contract-service into force for Ram; other changes are dropped
    assert (
        [c["id"] for c in into]
        == [c["id"] for c in every if c["after"] == "applies"]
        == ["ru.citizenship.contract-service"]
    )
    assert len(every) > len(into)
    assert "did you mean 'applies'?" in one_line_error(cli(*args, "--status", "aplies"))
