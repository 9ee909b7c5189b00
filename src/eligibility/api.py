"""The Python API for test authors: one line per assertion.

from eligibility import check, status
assert status("scenarios/people/nepali-contract-soldier.json",
              "ru.citizenship.contract-service", on="2024-08-01") == "applies"
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from eligibility.explaining import reasons as explaining
from eligibility.explaining.report import Report
from eligibility.foundations.dates import as_day
from eligibility.foundations.errors import InputError, did_you_mean
from eligibility.foundations.vocabulary import EVIDENCE
from eligibility.judging.evaluation import Evaluator, evaluator_for
from eligibility.law.loader import load_rules_once
from eligibility.law.record import Evidence
from eligibility.law.rulebase import RuleBase
from eligibility.output import notebook
from eligibility.people.profile import Profile, load_profile, parse_profile

notebook.attach(Report)  # a report shows as HTML in a notebook (a timeline as SVG: see timeline())

if TYPE_CHECKING:
    from eligibility.explaining.report import CatalogueEntry
    from eligibility.exploring.alternatives import MakeApply, WhatIf
    from eligibility.exploring.changes import Diff
    from eligibility.exploring.over_time import Timeline

ProfileLike = Union[Profile, dict, str, Path]
DateLike = Union[date, str]
RulesLike = Union[RuleBase, str, Path, None]


def rules_at(directory: Optional[str]) -> RuleBase:
    return load_rules_once(directory)


def evidence(use: str = "all", known_on: Optional[DateLike] = None) -> Evidence:
    """Which sources to judge on: `use` "all" (the articles and the official record) or
    "articles"; `known_on`, only the sources published by that day."""
    if use not in EVIDENCE:
        raise InputError.expected("--evidence", None, " or ".join(EVIDENCE), use)
    return Evidence(use, None if known_on is None else as_day(known_on, "--known-on"))


def rule_base(rules: RulesLike = None, use: str = "all", known_on: Optional[DateLike] = None) -> RuleBase:
    """A rule base given as itself or as a directory (None: the bundled one), loaded once per
    process, judged on the evidence asked for (by default every source, as known now)."""
    if isinstance(rules, RuleBase):
        base = rules
    else:
        base = rules_at(None if rules is None else str(Path(rules).resolve()))
    if use == "all" and known_on is None and isinstance(rules, RuleBase):
        return base
    return base.under(evidence(use, known_on))


def evaluator(rules: RulesLike = None) -> Evaluator:
    """The evaluator for a rule base (the bundled one by default), built once per process."""
    return evaluator_for(rule_base(rules))


def as_profile(profile: ProfileLike) -> tuple[Profile, str]:
    if isinstance(profile, Profile):
        return profile, profile.label()
    if isinstance(profile, dict):
        parsed = parse_profile(profile, "profile")
        return parsed, parsed.label()
    if not isinstance(profile, (str, Path)):
        raise InputError.expected(
            "profile", None, "a Profile, a dict of profile data, or a path to a profile file", type(profile).__name__
        )
    parsed = load_profile(profile)
    return parsed, parsed.label(Path(profile).name)


def check(
    profile: ProfileLike,
    on: DateLike,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> Report:
    """Judge every provision for a profile (object, dict or path) on a date; `evidence` "articles"
    judges on the articles only, `known_on` on the sources published by that day."""
    parsed, label = as_profile(profile)
    base = rule_base(rules, evidence, known_on)
    return explaining.check(evaluator(base), parsed, as_day(on, "on"), label)


def known_provision(rules: RuleBase, wanted: str, what: str = "provision") -> str:
    """A provision id of the rule base, or a one-line InputError with the closest id (the same
    words the command line gives)."""
    if not isinstance(wanted, str):
        raise InputError.expected(what, None, "a provision id (text) such as 'ru.contract.stateless'", wanted)
    if wanted not in rules.provisions:
        if wanted in rules.unreported:
            first = rules.unreported[wanted]
            when = first.isoformat() if first is not None and first != date.max else "on a day not known"
            known_on = rules.evidence.known_on if rules.evidence is not None else None
            raise InputError(
                what,
                None,
                f"expected a provision reported by {known_on.isoformat() if known_on else 'then'}, got {wanted!r}: "
                f"it was first reported on {when} (judge it with a later --known-on, or without one)",
            )
        hint = did_you_mean(wanted, list(rules.provisions)) or " (see 'eligibility rules list')"
        raise InputError(what, None, f"expected a provision id from the rule base, got {wanted!r}{hint}")
    return wanted


def _wanted(rules: RuleBase, provisions: Optional[Sequence[str]]) -> Optional[list[str]]:
    if provisions is None:
        return None
    if isinstance(provisions, str):
        provisions = [provisions]
    if not isinstance(provisions, (list, tuple)):
        raise InputError.expected("provisions", None, "a list of provision ids", provisions)
    return list(dict.fromkeys(known_provision(rules, p, "provisions") for p in provisions))


def timeline(
    profile: ProfileLike,
    start: DateLike = "2022-01-01",
    end: DateLike = "2026-12-31",
    provisions: Optional[Sequence[str]] = None,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> "Timeline":
    """Every period in which each provision's status held for the person (`Timeline.rows()` for a
    data frame), as `eligibility timeline` gives it."""
    from eligibility.exploring.over_time import Timeline
    from eligibility.exploring.over_time import timeline as build

    notebook.attach(Timeline)
    return _between(build, profile, start, end, provisions, rule_base(rules, evidence, known_on))


def diff(
    profile: ProfileLike,
    start: DateLike,
    end: DateLike,
    provisions: Optional[Sequence[str]] = None,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> "Diff":
    """The provisions whose status differs between two dates, and what changed each."""
    from eligibility.exploring.changes import diff as build

    return _between(build, profile, start, end, provisions, rule_base(rules, evidence, known_on))


def _between(
    build: Any,
    profile: ProfileLike,
    start: DateLike,
    end: DateLike,
    provisions: Optional[Sequence[str]],
    base: RuleBase,
) -> Any:
    """timeline and diff: a profile between two dates, on the provisions asked for."""
    parsed, label = as_profile(profile)
    wanted = _wanted(base, provisions)
    return build(evaluator(base), parsed, as_day(start, "start"), as_day(end, "end"), label, wanted)


def what_if(
    profile: ProfileLike,
    on: DateLike,
    set: Optional[Mapping[str, Any]] = None,
    unset: Sequence[str] = (),
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> "WhatIf":
    """Judge the person again with facts changed (`set`: path -> value, as `--set PATH=VALUE` with
    the value already data) or removed (`unset`: paths), and what changed."""
    from eligibility.exploring.alternatives import what_if as build
    from eligibility.people.edits import parse_set, parse_unset

    edits = [parse_set(f"{path}={json.dumps(value)}") for path, value in (set or {}).items()]
    edits += [parse_unset(path) for path in unset]
    if not edits:
        raise InputError("what_if", None, "expected at least one fact to set or unset")
    parsed, label = as_profile(profile)
    return build(evaluator(rule_base(rules, evidence, known_on)), parsed, as_day(on, "on"), edits, label)


def make_apply(
    profile: ProfileLike,
    provision: str,
    on: DateLike,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> "MakeApply":
    """The smallest sets of changes to the profile that would make the provision apply."""
    from eligibility.exploring.alternatives import make_apply as search

    parsed, label = as_profile(profile)
    base = rule_base(rules, evidence, known_on)
    return search(evaluator(base), parsed, as_day(on, "on"), known_provision(base, provision), label)


def catalogue(rules: RulesLike = None) -> list["CatalogueEntry"]:
    """Every provision of a rule base: id, title, jurisdiction, stages with their precision, and
    where its in-force starts and ends (`rules list --format json`)."""
    from eligibility.explaining.report import CatalogueEntry, InForceRuleOut, StageOut

    base = rule_base(rules)
    return [
        CatalogueEntry(
            id=p.id,
            title=p.title,
            jurisdiction=p.jurisdiction,
            stages=[StageOut(kind=s.kind, date=s.date.written(), precision=s.date.precision) for s in p.stages],
            in_force=InForceRuleOut(
                start=p.in_force.start, until=p.in_force.until, start_unknown=p.in_force.start_unknown
            ),
            routes=[r.id for r in p.routes],
            readings=[r.id for r in p.readings],
        )
        for p in base.provisions.values()
    ]


def provision_data(provision_id: str, rules: RulesLike = None) -> dict[str, Any]:
    """One provision as judged under the rule base's evidence, as plain data (`rules show --format
    json`): its file's fields, the record's findings beside the articles, and the articles' own
    account where the record changes it."""
    from eligibility.law.rulebase import judged_differently

    base = rule_base(rules)
    provision = base.provisions[known_provision(base, provision_id, "ID")]
    articles = base.under(Evidence("articles"))
    theirs = articles.provisions[provision.id] if judged_differently(base, articles, provision.id) else None
    data = provision.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["evidence"] = base.evidence.use if base.evidence is not None else "all"
    data["record"] = [f.model_dump(mode="json") for f in explaining.explainer(base).discrepancies(provision.id)]
    data["articles_account"] = (
        None
        if theirs is None
        else theirs.model_dump(
            mode="json", by_alias=True, exclude_none=True, include={"stages", "in_force", "conditions", "when"}
        )
    )
    return data


def status(
    profile: ProfileLike,
    provision_id: str,
    on: DateLike,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> str:
    """The status of one provision: applies, not_in_force, does_not_apply or undetermined."""
    known_provision(rule_base(rules, evidence, known_on), provision_id)
    return check(profile, on, rules, evidence, known_on).status(provision_id)


def explain(
    profile: ProfileLike,
    provision_id: str,
    on: DateLike,
    rules: RulesLike = None,
    evidence: str = "all",
    known_on: Optional[DateLike] = None,
) -> dict[str, Any]:
    """One provision's full explanation as plain data."""
    known_provision(rule_base(rules, evidence, known_on), provision_id)
    return check(profile, on, rules, evidence, known_on).provision(provision_id).model_dump()
