"""`eligibility rules check`: clean on the bundled rule base, and each kind of problem caught."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import RULES, SCENARIOS, SOURCES


@pytest.fixture
def broken(tmp_path):
    """A copy of the rule base to break, and a way to break one file of it."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)

    def edit(name: str, old: str, new: str) -> None:
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit.folder = copy
    return edit


def _check(cli, folder, *extra):
    result = cli("rules", "check", "--rules", folder, "--scenarios", SCENARIOS, "--width", "300", *extra)
    lines = [line for line in result.stdout.splitlines() if line.startswith("✗ ")]
    return result, lines


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not next to the repository")
def test_the_bundled_rule_base_is_clean_against_the_sources(cli):
    result, lines = _check(cli, RULES, "--sources", SOURCES)
    assert result.exit_code == 0, result.stdout
    # the closing line names folders, so where the repository sits decides how it wraps
    assert lines == [] and " ".join(result.stdout.split()).endswith("no problems")


R9 = "ru.citizenship.contract-service.toml"
R2 = "ru.contract.stateless.toml"
R13 = "ru.extradition.contract-soldiers.toml"


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        (R9, 'title = "', 'titel = "', f"{R9}: titel: unknown field"),
        (R9, 'kind = "decree_signed"', 'kind = "decre_signed"', f"{R9}: stages[0].kind: expected one of"),
        (
            R9,
            'date = "2024-01-04"',
            'date = "2024-13"',
            f"{R9}: stages[0].date: expected a day YYYY-MM-DD, a month YYYY-MM",
        ),
        (
            R9,
            'id = "ru.citizenship.contract-service"',
            'id = "ru.citizenship.contract"',
            f"{R9}: id: expected the file name's id",
        ),
        (
            R13,
            'kind = "passed_upper_house"',
            'kind = "ended"',
            f"{R13}: stages[2].kind: expected stages in legal order",
        ),
        (
            R13,
            'date = "2026-03-04..2026-03-09"',
            'date = "2026-02-01..2026-02-20"',
            f"{R13}: stages[2].date: expected a date no earlier than the stage before",
        ),
        (R9, 'from = "decree_signed"', 'from = "signed"', f"{R9}: in_force.from: expected a stage listed in this file"),
        (R9, 'test = { fact = "non-citizen"', 'test = { fact = "nationality"', f"{R9}: conditions[0].test"),
        (
            R9,
            'source = "kyiv-independent-2024-01-04"',
            'source = "kyiv-independent"',
            f"{R9}: cite[0].source: expected a source id from sources.toml",
        ),
        (
            "ru.contract.criminal-record-bar.toml",
            'when = "all(russian-citizen',
            'when = "all(russian-citizn',
            "ru.contract.criminal-record-bar.toml: when: expected a condition id defined in this file",
        ),
        (
            "ru.citizenship.family-members.toml",
            '"ru.citizenship.contract-service", "ru',
            '"ru.citizenship.contract", "ru',
            "ru.citizenship.family-members.toml: conditions[1].test.provisions",
        ),
        (
            R9,
            '[[stages.cite]]\nsource = "kyiv-independent-2024-01-04"\nquote = "according to a decree signed by Russian '
            'President Vladimir Putin on Jan. 4."\n',
            "",
            f"{R9}: stages[0].cite: required field is missing",
        ),
    ],
)
def test_each_kind_of_problem_is_named_with_file_and_field(cli, broken, name, old, new, expected):
    broken(name, old, new)
    result, lines = _check(cli, broken.folder)
    assert result.exit_code == 1, result.stdout
    assert any(expected in line for line in lines), "\n".join(lines)
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not next to the repository")
def test_a_quote_that_is_not_verbatim_is_caught_with_sources(cli, broken):
    broken(R2, "Stateless individuals became eligible in July 2024.", "Stateless people became eligible in July 2024.")
    result, lines = _check(cli, broken.folder)
    assert result.exit_code == 0  # without --sources, quotes are not read
    result, lines = _check(cli, broken.folder, "--sources", SOURCES)
    assert result.exit_code == 1
    assert any(R2 in line and "quote not found in extradition-law-2026-03-09" in line for line in lines), lines


def test_a_provision_without_scenarios_is_caught(cli, broken, tmp_path):
    folder = tmp_path / "few"
    folder.mkdir()
    shutil.copy(SCENARIOS / "nepali-contract-soldier.toml", folder)
    shutil.copytree(SCENARIOS / "people", folder / "people")
    result = cli("rules", "check", "--rules", broken.folder, "--scenarios", folder, "--width", "300")
    assert result.exit_code == 1
    assert "ua.national-guard.citizens.toml: expected a scenario in" in result.stdout
    assert 'where it applies under evidence = "all", found none' in result.stdout
    assert 'where it does not apply under evidence = "all", found none' in result.stdout
    assert "ru.citizenship.revocation-unregistered.toml: expected a scenario in" in result.stdout


def test_every_problem_in_every_file_is_listed_not_only_the_first(cli, broken):
    broken(R9, 'title = "', 'titel = "')
    broken(R9, 'jurisdiction = "RU"', 'jurisdiction = "RUS"')
    broken(R2, 'id = "ru.contract.stateless"', 'id = "ru.contract.statless"')
    result, lines = _check(cli, broken.folder, "--format", "text")
    assert result.exit_code == 1
    assert sum(R9 in line for line in lines) == 3  # unknown titel, missing title, bad jurisdiction
    assert sum(R2 in line for line in lines) == 1
    data = json.loads(
        cli("rules", "check", "--rules", broken.folder, "--scenarios", SCENARIOS, "--format", "json").stdout
    )
    assert len(data["problems"]) == 4 and {p["field"] for p in data["problems"]} >= {
        "titel",
        "title",
        "jurisdiction",
        "id",
    }


def test_missing_folders_are_input_errors(cli, tmp_path):
    assert cli("rules", "check", "--rules", tmp_path / "none").exit_code == 2
    assert cli("rules", "check", "--sources", tmp_path / "none").exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("rules", "check", "--rules", empty, "--width", "300")
    assert result.exit_code == 1
    assert "sources.toml: expected the sources index" in result.stdout
    assert "expected at least one provision file" in result.stdout


def test_a_new_provision_without_boundary_scenarios_gets_each_missing_day_and_a_stub(cli, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "ua.test.extra.toml").write_text(
        'id = "ua.test.extra"\ntitle = "A trial provision"\njurisdiction = "UA"\n\n[effect]\nkind = "grants"\n'
        'text = "Nothing."\n\n[[cite]]\nsource = "national-guard-2024-02-22"\nquote = "would accept foreigners"\n\n'
        '[[stages]]\nkind = "decree_signed"\ndate = "2024-02-21"\n[[stages.cite]]\n'
        'source = "national-guard-2024-02-22"\n'
        'quote = "signed a decree late Wednesday"\n\n[in_force]\nfrom = "decree_signed"\n\n[[conditions]]\n'
        'id = "ukrainian"\nsays = "holds Ukrainian citizenship"\ntest = { fact = "citizenship", country = "UA" }\n'
    )
    result = cli("rules", "check", "--rules", rules, "--scenarios", SCENARIOS, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    days = [p["message"] for p in data["problems"] if "expected a scenario testing ua.test.extra" in p["message"]]
    assert [d.split(" on ")[1][:10] for d in days] == ["2024-02-20", "2024-02-21", "2024-02-22"]
    stub = data["stubs"]["ua.test.extra"]
    assert stub.count("[[at]]") == 3 and 'on = "2024-02-21"' in stub and '"ua.test.extra" = { status = ""' in stub


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not next to the repository")
def test_a_mistyped_quote_a_date_out_of_order_and_an_unknown_source_in_one_file_are_three_lines(cli, broken):
    broken(
        R13,
        'quote = "Russia’s State Duma approved the bill on Feb. 26"',
        'quote = "The State Duma approved it on Feb. 26"',
    )
    broken(R13, 'date = "2026-03-04"\n', 'date = "2026-02-01"\n')
    broken(
        R13,
        'source = "extradition-law-2026-03-09"\nquote = "foreign citizens or stateless persons who served',
        'source = "extradition-law-2026-03-10"\nquote = "foreign citizens or stateless persons who served',
    )
    result, lines = _check(cli, broken.folder, "--sources", SOURCES)
    assert result.exit_code == 1
    mine = [line for line in lines if R13 in line and "scenario" not in line]
    assert len(mine) == 3, "\n".join(mine)
    assert any("stages[0].cite[0]: quote not found in extradition-law-2026-03-09" in line for line in mine)
    assert any("stages[1].date: expected a date no earlier than the stage before" in line for line in mine)
    assert any("conditions[0].cite[0].source: expected a source id from sources.toml" in line for line in mine)
