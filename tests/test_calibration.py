"""Calibrated certainty: every finding of the record is as sure as record.md says the weakest fact
it rests on is, a contradiction overrules the articles only when strictly surer, and every answer
carries what could change it (issue: "say exactly as much as the sources say, and no more")."""

from __future__ import annotations

import dataclasses
import json

import pytest

from eligibility import api
from eligibility.explaining.reasons import explainer
from eligibility.foundations.vocabulary import CAVEAT_BEARS_ON, CLOSENESS, weakest
from eligibility.runners.corpus import mislabelled_facts, record_labels

from .conftest import PEOPLE, ROOT

RECORD = ROOT.parent / "shared" / "record" / "record.md"
needs_record = pytest.mark.skipif(
    not RECORD.is_file(),
    reason=(
        f"the official record's reading is not at {RECORD} (it sits beside the repository, in "
        "../shared/record; see the README), so the findings' labels cannot be checked against it here"
    ),
)


@needs_record
def test_every_fact_a_finding_rests_on_is_in_record_md_with_its_label(rules):
    assert mislabelled_facts(rules, RECORD) == []


@needs_record
def test_a_label_surer_than_record_md_is_caught(rules, tmp_path):
    # record.md, R12: "In force on official publication (report: lawspells.com)"
    provision = rules.written["ru.citizenship.revocation-unregistered"]
    dated = next(f for f in provision.record if f.about == "date")
    fact = next(f for f in dated.rests_on if f.record == "In force on official publication")
    wrong = dated.model_copy(
        update={"rests_on": [fact.model_copy(update={"sure": "official"}) if f is fact else f for f in dated.rests_on]}
    )
    altered = provision.model_copy(update={"record": [wrong if f is dated else f for f in provision.record]})
    copy = dataclasses.replace(rules, written={**rules.written, provision.id: altered})
    (problem,) = mislabelled_facts(copy, RECORD)
    assert problem.field.endswith(".sure") and "expected a label record.md gives this fact (report)" in problem.reason


@needs_record
def test_record_md_labels_are_read_as_written():
    text = RECORD.read_text(encoding="utf-8")
    assert record_labels(text, "In force on official publication") == {"report"}
    assert record_labels(text, "Stateless persons: not covered") == {"official", "reports"}
    assert "inferred" in record_labels(text, "conscription concerns citizens")
    # the analyst's conclusions ("So: ...") are inferences
    assert record_labels(text, 'The 2026 article\'s "later policy changes" match the decree of 2025-11-05') == {
        "inferred"
    }
    assert record_labels(text, "a phrase record.md does not hold") is None


def test_every_finding_is_as_sure_as_its_weakest_fact(rules):
    for provision in rules.written.values():
        for finding in provision.record:
            assert finding.rests_on, provision.id
            assert finding.sure == weakest([f.sure for f in finding.rests_on]), (provision.id, finding.about)


def test_a_contradiction_overrules_the_articles_only_when_strictly_surer(rules):
    """The status follows the record only where the finding is strictly surer than the articles'
    evidence; otherwise neither side decides and the question is left open (with which way the
    evidence leans)."""
    from eligibility.law.record import articles_closeness

    seen = set()
    for provision_id, states in rules.record.items():
        written = rules.written[provision_id]
        for state in states:
            finding = state.finding
            if finding.relation != "contradicts":
                assert state.follows == "record"
                continue
            surer = CLOSENESS[finding.sure] < articles_closeness(written, rules.sources, finding)
            assert state.follows == ("record" if surer else "neither"), (provision_id, finding.about)
            if not surer:
                assert finding.open and finding.leans and "leans" in state.why
            seen.add(state.follows)
    assert seen == {"record", "neither"}


def test_an_inference_never_decides_a_dual_nationals_exemption():
    # record.md, R4: no exempting act found; "conscription ... applies to male citizens (inferred)"
    report = api.check(PEOPLE / "dual-national-conscript-2022.json", "2022-06-15")
    item = report.provision("ru.conscription.dual-national-exemption")
    assert item.status == "undetermined" and [u.kind for u in item.unknowns] == ["open_question"]
    assert "leans toward the record" in item.reason
    (finding,) = item.discrepancies
    assert (finding.sure, finding.follows) == ("inferred", "neither")


def test_a_stateless_man_in_russia_is_undetermined_for_the_draft_in_2023():
    # The Moscow Times: the draft is extended to "stateless people"; record.md R5: "(inferred)"
    item = api.check(PEOPLE / "stateless-resident.json", "2023-06-01").provision("ru.conscription.extended-2022")
    assert item.status == "undetermined"
    assert any(u.kind == "open_question" and u.route == "stateless-people" for u in item.unknowns)


def test_a_negated_condition_is_never_given_as_one_the_person_fails():
    # Yusuf is stateless, not Belarusian: the decree of 5 November 2025 excludes Belarusians.
    report = api.check(PEOPLE / "stateless-contract-soldier.json", "2025-06-01")
    item = report.provision("ru.citizenship.contract-service")
    assert item.status == "does_not_apply"
    assert "Belarus" not in item.reason and "Belarus" not in item.summary
    belarusian = next(c for c in item.conditions if c.id == "belarusian")
    assert (belarusian.value, belarusian.counts) == ("failed", "excludes")
    # a Belarusian dismissed in 2021 is outside Decree No. 10, and excluded by the 2025 decree
    pavel = {
        "id": "Pavel",
        "citizenships": [{"country": "BY"}],
        "service": [
            {
                "country": "RU",
                "force": "armed_forces",
                "kind": "contract",
                "start": "2019-03-01",
                "end": "2021-03-01",
                "discharge": "health",
                "combat": False,
            }
        ],
    }
    item = api.check(pavel, "2025-12-01").provision("ru.citizenship.discharged-soldiers")
    assert item.status == "does_not_apply"
    assert "under the route decree-821 (genproc-orel-2025-11-14), excluded by 'holds the citizenship of Belarus" in (
        item.reason
    )
    advice = api.make_apply(pavel, "ru.citizenship.discharged-soldiers", on="2025-12-01")
    assert "fails 'holds the citizenship of Belarus" not in advice.reason


def test_caveats_are_the_unjudged_matters_that_could_change_the_answer():
    report = api.check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01")
    rules = api.rule_base()
    for item in report.provisions:
        for caveat in item.caveats:
            assert item.status in CAVEAT_BEARS_ON[caveat.kind], (item.id, caveat)
        kinds = {m.kind for m in rules.provisions[item.id].not_modelled if m.route is None}
        if item.status == "applies" and "condition" in kinds:
            assert item.summary.startswith("every condition the profile can answer holds"), item.id
            assert "not judged:" in item.summary
    served = report.provision("ru.citizenship.contract-service")
    assert any(c.kind == "unjudged_condition" and "at least one year" in c.text for c in served.caveats)
    # the 2025 decree's age and sex bear only where its route may be in force
    assert not any("2025 decree" in c.text for c in served.caveats)


def test_past_the_horizon_every_answer_says_so(cli):
    late = api.check(PEOPLE / "nepali-contract-soldier.json", "2030-01-01")
    assert late.horizon is not None and late.horizon.beyond and late.horizon.sources_reviewed == "2026-03-09"
    assert all(any(c.kind == "horizon" for c in p.caveats) for p in late.provisions)
    early = api.check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01")
    assert early.horizon is not None and not early.horizon.beyond
    assert not any(c.kind == "horizon" for p in early.provisions for c in p.caveats)
    person = PEOPLE / "nepali-contract-soldier.json"
    for args in (
        ("check", person, "--on", "2030-01-01"),
        ("check", person, "--on", "2030-01-01", "--details"),
        ("timeline", person, "--to", "2030-01-01"),
        ("diff", person, "--from", "2025-01-01", "--to", "2030-01-01"),
        ("what-if", person, "--on", "2030-01-01", "--set", "military_registration.RU=true"),
        ("what-if", person, "--on", "2030-01-01", "--make-apply", "ru.contract.stateless"),
    ):
        shown = cli(*args, "--width", "200")
        assert shown.exit_code == 0, (args, shown.stdout)
        assert "horizon: the sources were last reviewed on 2026-03-09" in shown.stdout, args
    quiet = cli("check", person, "--on", "2024-08-01", "--width", "200")
    assert "horizon" not in quiet.stdout
    data = json.loads(cli("check", person, "--on", "2030-01-01", "--format", "json").stdout)
    assert data["horizon"] == {"sources_reviewed": "2026-03-09", "beyond": True}


def test_the_header_counts_contradictions_over_the_whole_rule_base(cli):
    person = PEOPLE / "nepali-contract-soldier.json"
    whole = cli("check", person, "--on", "2024-08-01", "--width", "200").stdout
    one = cli("check", person, "--on", "2024-08-01", "--provision", "ru.contract.stateless", "--width", "200").stdout
    count = explainer(api.rule_base()).contradicted()
    words = f"in the whole rule base, the record contradicts the articles on {count} provision(s)"
    assert words in whole and words in one


def test_known_on_names_the_day_a_provision_was_first_reported(cli):
    result = cli(
        "check",
        PEOPLE / "nepali-contract-soldier.json",
        "--on",
        "2026-03-06",
        "--known-on",
        "2026-03-06",
        "--provision",
        "ru.extradition.contract-soldiers",
    )
    assert result.exit_code == 2
    assert "it was first reported on 2026-03-09" in result.stderr and "expected a provision id" not in result.stderr
