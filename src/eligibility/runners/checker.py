"""`eligibility rules check`: every problem of a rule base, not only the first.

It runs the loader itself (loader.load_rules) in collecting mode, which goes on past each
problem and lists them all, each with its file and field, and adds what only a check does:

* every file parses and matches the schema (every problem pydantic finds);
* ids are unique and match their file names; citations name sources of sources.toml;
* stages are in legal order with consistent dates; in-force names listed stages;
* every condition's test is one the evaluator knows, every `when` names defined
  conditions, and every condition is used; family conditions name real provisions;
* every provision and every stage date has a citation (the schema requires them);
* with a sources folder, every quote is found verbatim in its article;
* with a scenarios folder, every provision has a scenario where it applies (or, for
  a measure no source reports enacted, where the person would qualify) and one where
  it does not apply; and every stage date of every provision, route and reading is
  tested on the day before, on (or inside) it, and the day after.  For a provision that
  still needs such days, the report carries a scenario stub to fill in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import BaseModel, ConfigDict

from eligibility.foundations.dates import next_day
from eligibility.foundations.errors import InputError
from eligibility.judging import engine
from eligibility.judging.engine import compile_problem
from eligibility.law.loader import Sink, _accounts, load_rules
from eligibility.law.rulebase import RuleBase
from eligibility.law.schema import Horizon, Provision, Stage, never_applies
from eligibility.runners.corpus import mislabelled_facts, unverified_quotes


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    field: Optional[str]
    message: str

    def __str__(self) -> str:
        where = self.file if not self.field else f"{self.file}: {self.field}"
        return f"{where}: {self.message}"


class CheckReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    directory: str
    provisions: int
    sources_checked: Optional[str]
    acts_checked: Optional[str] = None  # the record's acts folder the act quotes were verified against
    acts_skipped: Optional[str] = None  # why they were not, when they were not
    labels_checked: Optional[str] = None  # the record.md the findings' facts and labels were checked against
    scenarios_checked: Optional[str]
    problems: list[Problem]
    stubs: dict[str, str] = {}  # provision id -> a boundary scenario to fill in, for the days still untested
    engine_rules: int = 0  # the durable_rules rules the rule base compiles into
    warnings: list[Problem] = []  # not problems yet: a provision near an engine limit


def _problem(error: InputError) -> Problem:
    return Problem(file=error.file, field=error.field, message=error.message)


def check_rules(
    directory: Path, sources: Optional[Path] = None, scenarios: Optional[Path] = None, record: Optional[Path] = None
) -> CheckReport:
    if not directory.is_dir():
        raise InputError(str(directory), None, "expected a directory of rule files, found none")
    if sources is not None and not sources.is_dir():
        raise InputError("--sources", None, f"expected a folder holding the source articles, found none at {sources}")
    if scenarios is not None and not scenarios.is_dir():
        raise InputError("--scenarios", None, f"expected a folder of scenario files, found none at {scenarios}")
    # The loader itself, collecting every problem of every file instead of stopping at the first.
    if record is not None and not (record / "acts").is_dir():
        raise InputError(
            "--record", None, f"expected the official record's folder (holding acts/), found none at {record}"
        )
    sink = Sink(collect=True)
    base = load_rules(directory, sink)
    # Every account the evidence options can ask for loads too: the articles' alone, and the
    # rule base as known on each day a source was published.
    for evidence in _every_evidence(base):
        _accounts(base, evidence, sink)
    problems = list(dict.fromkeys(_problem(e) for e in sink.found))
    problems += _inferred_stages(base)
    # what the engine registers: the rules of each distinct shape, once, and the second round's
    engine_rules = len(engine.in_force_rules())
    shapes: set[engine.Shape] = set()
    warnings: list[Problem] = []
    for item in base.judged.values():
        provision = item.provision
        where = "when" if item.reading is None else f"readings[{provision.readings.index(item.reading)}].when"
        count, problem = compile_problem(item)
        if problem is not None:
            problems.append(Problem(file=str(base.files[provision.id]), field=where, message=problem))
            continue
        shape = engine.shape_of(item)
        if shape not in shapes:
            shapes.add(shape)
            engine_rules += count
        if count > engine.RULESET_LIMIT * 3 // 4:
            warnings.append(
                Problem(
                    file=str(base.files[provision.id]),
                    field=where,
                    message=f"compiles into {count:,} engine rules, near the {engine.RULESET_LIMIT:,} durable_rules "
                    "takes for one provision (fewer stage dates or a simpler expression keep it clear)",
                )
            )
    acts = record / "acts" if record is not None else None
    skipped = None
    if acts is None and any(s.kind == "act" and s.file for s in base.sources.values()):
        skipped = (
            "the acts' quotes were not verified: no record folder was given "
            "(--record DIR, the folder holding acts/, e.g. ../shared/record)"
        )
    if sources is not None and base.sources:
        for quote in unverified_quotes(base, sources, acts):
            problems.append(Problem(file=quote.file, field=quote.field, message=f"{quote.reason}: {quote.quote!r}"))
    if record is not None and (record / "record.md").is_file():
        # every fact a finding rests on is in record.md, with a label record.md gives it
        for fact in mislabelled_facts(base, record / "record.md"):
            problems.append(Problem(file=fact.file, field=fact.field, message=f"{fact.reason}: {fact.phrase!r}"))
    stubs: dict[str, str] = {}
    if scenarios is not None:
        found, stubs = _coverage(base, scenarios)
        problems.extend(found)
    return CheckReport(
        directory=str(directory),
        provisions=len(base.provisions),
        sources_checked=str(sources) if sources is not None else None,
        acts_checked=str(acts) if acts is not None and sources is not None else None,
        acts_skipped=skipped if sources is not None else None,
        labels_checked=str(record / "record.md") if record is not None and (record / "record.md").is_file() else None,
        scenarios_checked=str(scenarios) if scenarios is not None else None,
        problems=problems,
        stubs=stubs,
        engine_rules=engine_rules,
        warnings=warnings,
    )


def _every_evidence(base: RuleBase) -> list[Any]:
    """The articles alone, and every day a source was (certainly) published, known on."""
    from eligibility.law.record import Evidence

    days = sorted({s.published.latest for s in base.sources.values() if s.published is not None})
    return [Evidence("articles")] + [Evidence("all", day) for day in days]


def _inferred_stages(base: RuleBase) -> list[Problem]:
    """A stage the record sets that rests on an inference alone: flagged, to be sourced."""
    problems = []
    for provision_id, written in base.written.items():
        for index, finding in enumerate(written.record):
            # (a contradicting finding resting on an inference is never followed: it leaves the question open)
            if (
                finding.sure == "inferred"
                and finding.relation == "adds"
                and ("stages" in finding.set or "in_force" in finding.set)
            ):
                problems.append(
                    Problem(
                        file=str(base.files[provision_id]),
                        field=f"record[{index}].sure",
                        message="expected a stage date resting on a source, got one whose only ground is 'inferred'",
                    )
                )
    return problems


def boundary_days(stages: Sequence[Stage], horizon: Optional[Horizon] = None) -> dict[date, str]:
    """The days each stage date (and an unenacted measure's latest report) must be tested on."""
    days: dict[date, str] = {}
    for stage in stages:
        first, last = stage.date.earliest, stage.date.latest
        if first > date.min:
            days[date.fromordinal(first.toordinal() - 1)] = f"the day before {stage.kind}"
        if stage.date.exact:
            days[first] = f"the day of {stage.kind}"
        else:
            days[first] = f"the first day inside the {stage.kind} window"
            days[last] = f"the last day inside the {stage.kind} window"
        after = next_day(last)
        if after is not None:
            days[after] = f"the day after {stage.kind}"
    if horizon is not None:
        days[horizon.date] = "the latest report of it unenacted"
        after = next_day(horizon.date)
        if after is not None:
            days[after] = "the day after the latest report"
    return dict(sorted(days.items()))


def _coverage(rules: RuleBase, scenarios: Path) -> tuple[list[Problem], dict[str, str]]:
    """Every provision has a scenario where it applies (or would qualify) and one where it does not
    apply, and every stage date is tested around its edges: in the account judged by default and,
    where the record changes how a provision is judged, in the articles' account too (scenarios
    with `evidence = "articles"`).  A provision with findings of the record has a scenario on the
    default account asserting them.  Stubs for the days still untested."""
    from eligibility.law.record import Evidence
    from eligibility.law.rulebase import judged_differently
    from eligibility.runners.scenario import load_scenario, scenario_files

    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    tested: dict[tuple[str, str], set[date]] = defaultdict(set)
    asserted: set[str] = set()
    problems: list[Problem] = []
    for path in scenario_files(scenarios):
        try:
            scenario = load_scenario(path)
        except InputError as error:
            problems.append(_problem(error))
            continue
        if scenario.data.known_on is not None:
            continue  # judged on the sources of a past day: neither account
        use: str = scenario.data.evidence
        for at in scenario.data.at:
            for key, expected in at.expect.items():
                tested[(use, key)].add(at.on)
                seen[(use, key)].add(expected.status)
                if expected.would_qualify in ("yes", "no"):
                    seen[(use, key)].add("would qualify" if expected.would_qualify == "yes" else "would not qualify")
                if use == "all" and expected.discrepancies is not None:
                    asserted.add(key)
    stubs: dict[str, str] = {}
    articles = rules.under(Evidence("articles"))
    for provision_id, provision in rules.provisions.items():
        file = str(rules.files[provision_id])

        def problem(message: str) -> None:
            problems.append(Problem(file=file, field=None, message=message))  # noqa: B023

        changed = judged_differently(rules, articles, provision_id)
        if rules.record.get(provision_id) and provision_id not in asserted:
            problem(
                f'expected a scenario in {scenarios} under evidence = "all" asserting its discrepancies with the '
                "record, found none"
            )
        accounts: list[tuple[str, Provision]] = [("all", provision)]
        if changed:
            accounts.append(("articles", articles.provisions[provision_id]))
        for use, account in accounts:
            told = f' under evidence = "{use}"' if changed else ""
            uses = (use,) if changed else ("all", "articles")
            statuses = set().union(*(seen[(u, provision_id)] for u in uses))
            unsupported = account.in_force.unsupported is not None
            never = never_applies(account)
            wanted = "would qualify" if never else "applies"
            if wanted not in statuses:
                words = f"where the person would qualify ({never}, so it cannot apply)" if never else "where it applies"
                problem(f"expected a scenario in {scenarios} {words}{told}, found none")
            if unsupported:
                if "would not qualify" not in statuses:
                    problem(f"expected a scenario in {scenarios} where the person would not qualify{told}, found none")
            elif "does_not_apply" not in statuses:
                problem(f"expected a scenario in {scenarios} where it does not apply{told}, found none")
            keyed = [(provision_id, account.stages, account.in_force.unenacted_as_of)]
            keyed += [
                (f"{provision_id}@{a.id}", a.stages, a.in_force.unenacted_as_of)
                for a in [*account.routes, *account.readings]
            ]
            missing: list[tuple[str, date, str]] = []
            for key, stages, horizon in keyed:
                days = set().union(*(tested[(u, key)] for u in uses))
                for day, what in boundary_days(stages, horizon).items():
                    if day not in days:
                        missing.append((key, day, what))
                        problem(f"expected a scenario testing {key} on {day.isoformat()} ({what}){told}, found none")
            if missing:
                name = provision_id if use == "all" else f"{provision_id}.articles"
                stubs[name] = _stub(provision_id, missing, use if changed else None)
    return problems, stubs


def _stub(provision_id: str, missing: list[tuple[str, date, str]], evidence: Optional[str] = None) -> str:
    """A boundary scenario file for the untested days, for the author to complete: each status,
    and each `why` (the sentence of the source that decides it), are left for them to write."""
    lines = [
        f'title = "Boundaries of {provision_id}"',
        'profile = "../people/CHOOSE-A-PERSON.json"   # someone the provision can apply to',
        'story = """Who the person is, and why these days matter."""',
    ]
    if evidence is not None:
        lines.append(f'evidence = "{evidence}"   # the account these days belong to')
    lines.append("")
    for day in sorted({day for _, day, _ in missing}):
        lines += [
            "[[at]]",
            f'on = "{day.isoformat()}"',
            'why = ""   # the sentence of the source that decides the status on this day',
            "[at.expect]",
        ]
        lines += [
            f'"{key}" = {{ status = "", decided_by = {{ stage = "" }} }}   # {what}'
            for key, on, what in missing
            if on == day
        ]
        lines.append("")
    return "\n".join(lines)
