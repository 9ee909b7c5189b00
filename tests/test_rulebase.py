"""The rule base covers every documented provision, and malformed rule files fail clearly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eligibility import InputError, load_rules
from eligibility.law.schema import SIGNATURES

from .conftest import PEOPLE, RULES, SOURCES

IDS = {
    "R1": "ru.contract.foreign-citizens",
    "R2": "ru.contract.stateless",
    "R3": "ru.citizenship.army-2022",
    "R4": "ru.conscription.dual-national-exemption",
    "R5": "ru.conscription.extended-2022",
    "R6": "ru.conscription.dual-national-ranks",
    "R7": "ru.contract.criminal-record-bar",
    "R8": "ru.contract.after-conscript-service",
    "R9": "ru.citizenship.contract-service",
    "R10": "ru.citizenship.family-members",
    "R11": "ru.citizenship.discharged-soldiers",
    "R12": "ru.citizenship.revocation-unregistered",
    "R13": "ru.extradition.contract-soldiers",
    "U1": "ua.national-guard.foreign-residents",
    "U2": "ua.national-guard.citizens",
    "U3": "ua.citizenship.military-service",
}


def test_every_documented_provision_is_in_the_rule_base(rules):
    # provisions.md's checklist is covered; the rule base may hold more (a provision is data)
    assert set(IDS.values()) <= set(rules.provisions)


def test_every_provision_and_every_stage_date_is_cited(rules):
    for provision in rules.provisions.values():
        assert provision.cite, provision.id
        for stage in provision.stages:
            assert stage.cite, (provision.id, stage.kind)
        for reading in provision.readings:
            assert reading.cite and all(s.cite for s in reading.stages)


ARTICLES = (
    "kyiv-independent-2024-01-04",
    "moscow-times-2022-11-dual-citizens",
    "uk-intel-2024-08-05",
    "extradition-law-2026-03-09",
    "national-guard-2024-02-22",
)


def test_the_sources_index_names_the_five_articles(rules):
    # the five articles are indexed; the index may name more sources (a source is data)
    assert set(ARTICLES) <= set(rules.sources)
    assert rules.sources["moscow-times-2022-11-dual-citizens"].published.precision == "month"


@pytest.mark.parametrize(
    "provision_id, written, precision",
    [
        ("ru.contract.foreign-citizens", "2022-11", "month"),
        ("ru.contract.stateless", "2024-07", "month"),
        ("ru.citizenship.army-2022", "2022-09-21..2022-09-30", "window"),
        ("ru.conscription.extended-2022", "2022-11-14", "day"),
        ("ru.citizenship.contract-service", "2024-01-04", "day"),
        ("ru.extradition.contract-soldiers", "2026-03-04..2026-03-09", "window"),
        ("ua.national-guard.foreign-residents", "2024-02-21", "day"),
        ("ua.citizenship.military-service", "2024-01", "month"),
    ],
)
def test_dates_keep_the_precision_the_sources_give(rules, provision_id, written, precision):
    provision = rules.written[provision_id]  # the articles' account
    start = next(s for s in provision.stages if s.kind == provision.in_force.start)
    assert (start.date.written(), start.date.precision) == (written, precision)


def test_the_revocation_bill_has_no_reported_signature(rules):
    provision = rules.written["ru.citizenship.revocation-unregistered"]  # the articles' account
    assert [s.kind for s in provision.stages] == ["bill_approved_lower_house"]
    assert provision.in_force.start in SIGNATURES
    assert provision.in_force.unenacted_as_of.date.isoformat() == "2024-08-05"


def test_the_record_has_the_revocation_law_signed_three_days_after_the_article(rules):
    # record.md R12: "signed 2024-08-08 and published the same day ... In force on official publication"
    provision = rules.provisions["ru.citizenship.revocation-unregistered"]
    signed = next(s for s in provision.stages if s.kind == "signed")
    assert signed.date.written() == "2024-08-08" and provision.in_force.start == "signed"
    assert provision.in_force.unenacted_as_of is None
    dated = next(s for s in rules.record["ru.citizenship.revocation-unregistered"] if s.finding.about == "date")
    # it adds to the articles; "in force on publication" rests on one report, so the finding is a report's
    assert dated.follows == "record" and dated.finding.sure == "report"


def test_the_later_discharge_change_is_a_route_not_a_rival_reading(rules):
    # The 2026 article reports "Later policy changes" that add to the January 2024 decree.
    provision = rules.written["ru.citizenship.discharged-soldiers"]  # the articles' account
    assert [(r.id, r.follows) for r in provision.routes] == [("later-changes", "extradition-law-2026-03-09")]
    assert provision.readings == []
    assert any("Two routes, not two readings" in note for note in provision.notes)


def test_the_ranks_effect_says_no_more_than_its_sentence(rules):
    # "dual-citizen conscripts can hold the ranks of soldiers, sailors, sergeants and petty officers"
    provision = rules.provisions["ru.conscription.dual-national-ranks"]
    assert "only" not in provision.effect.text.lower()
    quote = provision.cite[0].quote
    assert "can hold the ranks of soldiers, sailors, sergeants and petty officers" in quote
    assert provision.effect.text.lower().rstrip(".") in quote.lower()


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


BROKEN = [
    ("ru.contract.stateless.toml", 'date = "2024-07"', 'date = "2024-13"', "stages[0].date", "expected a day"),
    ("ru.contract.stateless.toml", 'date = "2024-07"', "date = 2024-07-01", "stages[0].date", "bare TOML date"),
    ("ru.contract.stateless.toml", 'kind = "in_effect"', 'kind = "in_efect"', "stages[0].kind", "expected one of"),
    ("ru.contract.stateless.toml", "title = ", "titel = ", "titel", "unknown field"),
    ("ru.contract.stateless.toml", 'id = "ru.contract.stateless"', 'id = "ru.contract.stateles"', "id", "file name"),
    (
        "ru.contract.stateless.toml",
        'source = "extradition-law-2026-03-09"',
        'source = "bbc"',
        "cite[0].source",
        "sources.toml",
    ),
    (
        "ru.contract.stateless.toml",
        'test = { fact = "stateless" }',
        'test = { fact = "nationality" }',
        "conditions[0].test",
        "fact",
    ),
    ("ru.contract.stateless.toml", 'from = "in_effect"', 'from = "signed"', "in_force.from", "unenacted_as_of"),
    (
        "ru.contract.criminal-record-bar.toml",
        "any(under-investigation,",
        "any(under-investigaton,",
        "when",
        "condition id",
    ),
    ("ru.contract.criminal-record-bar.toml", "all(convicted, not(expunged))", "convicted", "when", "unused"),
    ("ru.contract.criminal-record-bar.toml", "not(expunged))))", "not(expunged)))", "when", "ends early"),
    (
        "ru.extradition.contract-soldiers.toml",
        'date = "2026-03-04"\n',
        'date = "2026-03-24"\n',
        "stages[2].date",
        "no earlier",
    ),
    (
        "ru.citizenship.family-members.toml",
        '"ru.citizenship.discharged-soldiers"]',
        '"ru.citizenship.discharged"]',
        "test.provisions",
        "provisions in the rule base",
    ),
    (
        "ru.contract.stateless.toml",
        'quote = "Stateless individuals became eligible in July 2024."',
        'quote = ""',
        "cite[0].quote",
        "non-empty",
    ),
]


@pytest.mark.parametrize("name, old, new, field, words", BROKEN, ids=[b[3] + ":" + b[4] for b in BROKEN])
def test_a_malformed_rule_file_names_the_file_the_field_and_what_was_expected(tmp_path, name, old, new, field, words):
    directory = _broken_copy(tmp_path, name, old, new)
    with pytest.raises(InputError) as caught:
        load_rules(directory)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(directory / name)), message
    assert field in message and words in message, message


def test_invalid_toml_is_reported_with_its_file(tmp_path):
    directory = _broken_copy(tmp_path, "ru.contract.stateless.toml", 'title = "', "title = ")
    with pytest.raises(InputError, match=r"ru\.contract\.stateless\.toml: not valid TOML"):
        load_rules(directory)


def test_a_missing_rule_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="expected a directory of rule files"):
        load_rules(tmp_path / "nowhere")


def test_every_condition_kind_is_complete_and_documented():
    """Each kind of condition test has its evaluation, what moves it over time, and how to flip
    it, all registered, and a row in docs/adding-a-rule.md."""
    import eligibility.explaining.causes  # noqa: F401 - each module registers its part of every kind
    import eligibility.exploring.alternatives  # noqa: F401
    import eligibility.judging.predicates  # noqa: F401
    from eligibility.judging.kinds import KINDS
    from eligibility.people.profile import SECTIONS

    from .conftest import ROOT

    guide = (ROOT / "docs" / "adding-a-rule.md").read_text(encoding="utf-8")
    for model, kind in KINDS.items():
        assert kind.evaluate and kind.concerns and kind.flip, model.__name__
        assert kind.reads in SECTIONS, (model.__name__, kind.reads)  # the one field its answer depends on
        assert f"| `{kind.fact}` | `{model.__name__}` |" in guide, kind.fact


def test_every_source_has_a_kind_and_the_2026_article_is_a_report_only_of_the_extradition_law(rules):
    from eligibility.foundations.vocabulary import SOURCE_KINDS

    for source in rules.sources.values():
        assert source.kind in SOURCE_KINDS and source.language
    article = rules.sources["extradition-law-2026-03-09"]
    assert article.kind_of("ru.extradition.contract-soldiers") == "report"
    assert article.kind_of("ru.contract.stateless") == "retrospective"
    assert rules.sources["kyiv-independent-2024-01-04"].kind_of("ru.citizenship.contract-service") == "report"


def test_a_source_without_a_kind_is_refused_in_one_line(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    index = rules / "sources.toml"
    index.write_text(
        index.read_text().replace(
            'kind = "report"\nkind_note = "Reports the decree of 4 January',
            'kind_note = "Reports the decree of 4 January',
            1,
        )
    )
    result = cli("rules", "check", "--rules", rules, "--width", "300")
    assert result.exit_code == 1 and "sources[0].kind: required field is missing" in result.stdout


REFERENCE = """
[[sources]]
id = "kremlin-decree-823"
outlet = "President of Russia (official site)"
headline = "Decree No. 823 of 14 November 2022"
published = "2022-11-14"
kind = "official"
language = "ru"
address = "http://www.kremlin.ru/acts/bank/48501"
"""


FINDING = """
[[record]]
about = "date"
relation = "adds"
articles = "A decree issued Monday."
record = "Decree No. 823 of 2022-11-14."
sure = "official"
[[record.rests_on]]
fact = "Decree No. 823 of 2022-11-14, in force on signature"
record = "in force on signature (official: Ministry of Justice"
sure = "official"
"""


def _with_reference(tmp_path, citation: str) -> Path:
    """The bundled rules with a reference among the sources, cited by a finding of the record."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "sources.toml").write_text((rules / "sources.toml").read_text() + REFERENCE)
    path = rules / "ru.conscription.extended-2022.toml"
    path.write_text(path.read_text() + FINDING + citation.replace("[[stages.cite]]", "[[record.cite]]") + "\n")
    return rules


def test_a_reference_without_text_is_cited_without_a_quote_and_shown_as_such(cli, tmp_path):
    rules = _with_reference(tmp_path, '[[stages.cite]]\nsource = "kremlin-decree-823"')
    checked = (
        cli("rules", "check", "--rules", rules, "--sources", SOURCES, "--width", "300")
        if SOURCES.is_dir()
        else cli("rules", "check", "--rules", rules, "--width", "300")
    )
    assert "kremlin-decree-823" not in checked.stdout, checked.stdout  # nothing to verify, nothing wrong
    result = cli(
        "check", PEOPLE / "dual-national-conscript.json", "--on", "2023-06-01", "--rules", rules, "--format", "json"
    )
    item = next(p for p in json.loads(result.stdout)["provisions"] if p["id"] == "ru.conscription.extended-2022")
    (reference,) = [c for d in item["discrepancies"] for c in d["sources"] if c["source"] == "kremlin-decree-823"]
    assert reference["quote"] is None and reference["kind"] == "official"
    assert reference["address"] == "http://www.kremlin.ru/acts/bank/48501"
    text = cli(
        "check",
        PEOPLE / "dual-national-conscript.json",
        "--on",
        "2023-06-01",
        "--details",
        "--rules",
        rules,
        "--width",
        "200",
    ).stdout
    assert "(a reference; its text is not held here) — President of Russia (official site), 2022-11-14" in text


@pytest.mark.parametrize(
    "citation, words",
    [
        (
            '[[stages.cite]]\nsource = "kremlin-decree-823"\nquote = "something"',
            "expected no quote: kremlin-decree-823 is a reference whose text the rule base does not hold",
        ),
        ('[[stages.cite]]\nsource = "moscow-times-2022-11-dual-citizens"', "expected a verbatim quote from"),
    ],
)
def test_a_quote_for_a_reference_or_none_for_a_text_is_refused(cli, tmp_path, citation, words):
    rules = _with_reference(tmp_path, citation)
    result = cli("rules", "check", "--rules", rules, "--width", "300")
    assert result.exit_code == 1 and words in result.stdout
