"""Scenario files: a person, dates, and what the law should say about them, and why.

A scenario is a TOML file with a profile (a path relative to the file, or an inline
`[profile]` table), a short story, and one `[[at]]` table per date.  Each date
expects, for some provisions (or `id@name` for another route or reading of one), a status
and optionally the reason: the conditions that failed or stayed unknown, the facts
missing, the in-force value and the stage and source that decided it, the family
member who carried it.  docs/scenarios.md describes the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from eligibility.explaining.reasons import check
from eligibility.explaining.report import InForceOut, Out, ProvisionOut, ReadingOut, Report, RouteOut
from eligibility.foundations.dates import parse_day
from eligibility.foundations.errors import InputError, did_you_mean
from eligibility.foundations.files import read_toml
from eligibility.foundations.validation import input_error
from eligibility.foundations.vocabulary import About, EvidenceUse, Status, UnknownKind, Value
from eligibility.judging.evaluation import Evaluator
from eligibility.law.schema import StageKind
from eligibility.people.profile import Profile, load_profile, parse_profile

MAX_SCENARIO_BYTES = 1024 * 1024


def _day(value: Any) -> date:
    if isinstance(value, date):
        raise ValueError('a quoted string such as "2024-08-01" (a bare TOML date is not accepted)')
    return parse_day(value)


Day = Annotated[date, BeforeValidator(_day)]
Ids = Annotated[list[Annotated[str, Field(min_length=1)]], Field()]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DecidedBy(_Strict):
    """What decided whether the provision was in force on the date."""

    stage: Optional[StageKind] = None
    source: Optional[Annotated[str, Field(min_length=1)]] = None
    quote: Optional[Annotated[str, Field(min_length=1)]] = None  # a part of that citation's quote


class Expectation(_Strict):
    status: Status
    would_qualify: Optional[Value] = None
    in_force: Optional[Value] = None
    failed: Optional[Ids] = None  # exactly these conditions count against the person (fail, or exclude and hold)
    unknown: Optional[Ids] = None  # exactly these conditions are unknown
    missing: Optional[Ids] = None  # exactly these facts are missing
    decided_by: Optional[DecidedBy] = None
    carried_by: Optional[Annotated[str, Field(pattern=r"^family\[\d+\]$")]] = None
    unknown_kinds: Optional[list[UnknownKind]] = None  # exactly these kinds of unknown
    reason: Optional[Annotated[str, Field(min_length=1)]] = None  # a part of the reason
    discrepancies: Optional[list[About]] = None  # exactly these discrepancies with the record (what each is about)


def _expectation(value: Any) -> Any:
    """A bare status is short for an expectation of that status alone."""
    return {"status": value} if isinstance(value, str) else value


class At(_Strict):
    on: Day
    why: Annotated[str, Field(min_length=1)]
    expect: dict[str, Annotated[Expectation, BeforeValidator(_expectation)]] = {}
    # exactly these provisions are left out as not yet reported (with the file's `known_on`)
    not_yet_reported: Optional[Ids] = None

    @model_validator(mode="after")
    def _something_expected(self) -> "At":
        if not self.expect and self.not_yet_reported is None:
            raise ValueError("expected at least one expectation under expect (or a not_yet_reported list)")
        return self


class ScenarioFile(_Strict):
    title: Annotated[str, Field(min_length=1)]
    profile: Union[Annotated[str, Field(min_length=1)], dict[str, Any]]
    story: Annotated[str, Field(min_length=1)]
    evidence: EvidenceUse = "all"  # judge on every source, or on the articles only
    known_on: Optional[Day] = None  # judge with only the sources published by this day
    at: list[At] = Field(min_length=1)

    @model_validator(mode="after")
    def _unreported_needs_known_on(self) -> "ScenarioFile":
        for at in self.at:
            if at.not_yet_reported is not None and self.known_on is None:
                raise ValueError(
                    "expected not_yet_reported only in a file with known_on (without it every provision is reported)"
                )
        return self


@dataclass(frozen=True)
class Scenario:
    path: Path
    data: ScenarioFile
    profile: Profile

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Mismatch:
    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.field}: expected {_shown(self.expected)}, got {_shown(self.actual)}"


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]" if value else "none"
    return str(value)


@dataclass(frozen=True)
class Outcome:
    scenario: str
    path: Path
    on: date
    key: str
    expected: Optional[Expectation]  # None: the at's not_yet_reported list
    actual: Union[ProvisionOut, ReadingOut, RouteOut, Report]
    why: str
    mismatches: tuple[Mismatch, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def explained(self) -> str:
        """A readable account of a failure: what differed, the scenario's why, the tool's reason."""
        lines = [f"{self.scenario} on {self.on.isoformat()}: {self.key}"]
        lines += [f"    {m}" for m in self.mismatches]
        lines.append(f"  scenario says: {self.why}")
        if isinstance(self.actual, Report):
            return "\n".join(lines)
        reason = getattr(self.actual, "reason", None) or getattr(self.actual, "summary", "")
        lines.append(f"  eligibility says: {reason}")
        if self.actual.in_force.explanation:
            lines.append(f"  in force: {self.actual.in_force.explanation}")
        return "\n".join(lines)

    @property
    def status(self) -> str:
        """The status judged (for the not-yet-reported list: the provisions left out)."""
        if isinstance(self.actual, Report):
            return "not yet reported: " + (", ".join(u.id for u in self.actual.not_yet_reported) or "none")
        return self.actual.status


def load_scenario(path: str | Path) -> Scenario:
    target = Path(path)
    name = str(target)
    try:
        parsed = ScenarioFile.model_validate(read_toml(target, "scenario file", MAX_SCENARIO_BYTES))
    except ValidationError as error:
        raise input_error(error, ScenarioFile, name) from None
    if isinstance(parsed.profile, dict):
        try:
            profile = parse_profile(parsed.profile, name)
        except InputError as error:
            raise InputError(name, "profile" + (f".{error.field}" if error.field else ""), error.message) from None
    else:
        profile_path = target.parent / parsed.profile
        root = scenario_root(target)
        if Path(parsed.profile).is_absolute() or not profile_path.resolve().is_relative_to(root):
            # Never read (and so never echo) a file outside the scenarios' own folders.
            raise InputError(
                name,
                "profile",
                f"expected a profile file inside {root} (the scenario's folder tree), "
                f"got {parsed.profile!r}, which lies outside it",
            )
        if not profile_path.is_file():
            raise InputError(
                name, "profile", f"expected a profile file relative to the scenario, found none at {profile_path}"
            )
        profile = load_profile(profile_path)
    return Scenario(target, parsed, profile)


def scenario_root(path: Path) -> Path:
    """The folder tree a scenario's profile must lie in: the nearest enclosing folder named
    `scenarios` (where pytest collects them), or else the scenario file's own folder."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if candidate.name == "scenarios":
            return candidate
    return folder


def scenario_files(*places: str | Path) -> list[Path]:
    """Scenario files: the given files, and every *.toml under the given directories."""
    found: list[Path] = []
    for place in places:
        target = Path(place)
        if target.is_dir():
            found.extend(sorted(target.rglob("*.toml")))
        elif target.exists():
            found.append(target)
        else:
            raise InputError(str(target), None, "no such scenario file or directory")
    return found


def check_expectations(scenario: Scenario, evaluator: Evaluator) -> None:
    """Every expectation names a provision, route or reading of the rule base, and conditions it has."""
    rules = evaluator.rules
    routes = {f"{pid}@{r.id}" for pid, p in rules.provisions.items() for r in p.routes}
    keys = list(rules.judged) + sorted(routes)
    for index, at in enumerate(scenario.data.at):
        for key, expected in at.expect.items():
            where = f'at[{index}].expect."{key}"'
            if key in routes:
                given = [name for name in _NOT_FOR_ROUTES if getattr(expected, name) is not None]
                if given:
                    raise InputError(
                        str(scenario.path),
                        f"{where}.{given[0]}",
                        "expected only status, would_qualify, in_force and decided_by for a route "
                        "(its conditions are asserted on the provision)",
                    )
                continue
            if key.partition("@")[0] in rules.unreported:
                first = rules.unreported[key.partition("@")[0]]
                raise InputError(
                    str(scenario.path),
                    where,
                    f"expected a provision reported as known on {scenario.data.known_on}, got {key!r}, first "
                    f"reported {first.isoformat() if first else 'on a day not known'} (list it under "
                    "not_yet_reported instead)",
                )
            if key not in rules.judged:
                raise InputError(
                    str(scenario.path),
                    where,
                    "expected a provision id (or id@route, id@reading) from "
                    f"the rule base, got {key!r}{did_you_mean(key, keys)}",
                )
            if "@" in key:
                given = [
                    name for name in ("unknown_kinds", "reason", "discrepancies") if getattr(expected, name) is not None
                ]
                if given:
                    raise InputError(
                        str(scenario.path),
                        f"{where}.{given[0]}",
                        "expected it only on a provision, not on another reading (the reason is the provision's)",
                    )
            known = rules.judged[key].condition_map
            for name in ("failed", "unknown"):
                for position, condition in enumerate(getattr(expected, name) or []):
                    if condition not in known:
                        raise InputError(
                            str(scenario.path),
                            f"{where}.{name}[{position}]",
                            f"expected a condition id of {key} ({', '.join(known)}), got {condition!r}",
                        )


_NOT_FOR_ROUTES = ("failed", "unknown", "missing", "carried_by", "unknown_kinds", "reason", "discrepancies")


def _actual(report: Report, key: str) -> Union[ProvisionOut, ReadingOut, RouteOut]:
    provision_id, _, name = key.partition("@")
    item = report.provision(provision_id)
    if not name:
        return item
    found: list[Union[ReadingOut, RouteOut]] = [*item.routes, *item.other_readings]
    return next(r for r in found if r.id == name)


def _compare(expected: Expectation, actual: Union[ProvisionOut, ReadingOut, RouteOut]) -> list[Mismatch]:
    found = []

    def same(name: str, want: Any, got: Any) -> None:
        if want is not None and want != got:
            found.append(Mismatch(name, want, got))

    same("status", expected.status, actual.status)
    same("would_qualify", expected.would_qualify, actual.would_qualify)
    same("in_force", expected.in_force, actual.in_force.value)
    if expected.decided_by is not None:
        found.extend(_decided(expected.decided_by, actual.in_force))
    if isinstance(actual, RouteOut):
        return found
    # "failed": the conditions that count against the person: a required one that fails, or one that
    # excludes (under a `not` of its own) and holds; one inside a combination under a `not` counts
    # only with the others, and is not listed
    by_value = {
        "failed": sorted(
            c.id
            for c in actual.conditions
            if (c.value == "failed" and c.counts == "required") or (c.value == "held" and c.counts == "excludes")
        ),
        "unknown": sorted(c.id for c in actual.conditions if c.value == "unknown"),
    }
    same("failed", sorted(expected.failed) if expected.failed is not None else None, by_value["failed"])
    same("unknown", sorted(expected.unknown) if expected.unknown is not None else None, by_value["unknown"])
    same("missing", sorted(expected.missing) if expected.missing is not None else None, sorted(actual.missing))
    if isinstance(actual, ProvisionOut):
        kinds = sorted({u.kind for u in actual.unknowns})
        same(
            "unknown_kinds", sorted(set(expected.unknown_kinds)) if expected.unknown_kinds is not None else None, kinds
        )
        if expected.reason is not None and expected.reason not in actual.reason:
            found.append(Mismatch("reason", f"a reason containing {expected.reason!r}", actual.reason))
        same(
            "discrepancies",
            sorted(expected.discrepancies) if expected.discrepancies is not None else None,
            sorted(d.about for d in actual.discrepancies),
        )
    if expected.carried_by is not None:
        carriers = [c.member for c in getattr(actual, "carried_by", [])]
        if expected.carried_by not in carriers:
            found.append(Mismatch("carried_by", expected.carried_by, carriers))
    return found


def _decided(want: DecidedBy, in_force: InForceOut) -> list[Mismatch]:
    found = []
    stage = in_force.stage
    if want.stage is not None and want.stage != stage:
        found.append(Mismatch("decided_by.stage", want.stage, stage))
    sources = [c.source for c in in_force.citations]
    if want.source is not None and want.source not in sources:
        found.append(Mismatch("decided_by.source", want.source, sources))
    if want.quote is not None:
        quotes = [c.quote for c in in_force.citations if want.source in (None, c.source) and c.quote]
        if not any(want.quote in q for q in quotes):
            found.append(Mismatch("decided_by.quote", f"a citation containing {want.quote!r}", quotes))
    return found


def under_evidence(scenario: Scenario, evaluator: Evaluator) -> Evaluator:
    """The evaluator for the evidence the scenario asks for (its own, if the same)."""
    from eligibility.judging.evaluation import evaluator_for
    from eligibility.law.record import Evidence

    return evaluator_for(evaluator.rules.under(Evidence(scenario.data.evidence, scenario.data.known_on)))


def run(scenario: Scenario, evaluator: Evaluator) -> list[Outcome]:
    """Judge the scenario's person on each of its dates and compare with the expectations."""
    evaluator = under_evidence(scenario, evaluator)
    check_expectations(scenario, evaluator)
    outcomes = []
    for at in scenario.data.at:
        report = check(evaluator, scenario.profile, at.on)
        outcomes.extend(judge_at(scenario, at, report))
    return outcomes


def judge_at(scenario: Scenario, at: At, report: Report) -> list[Outcome]:
    outcomes = []
    if at.not_yet_reported is not None:
        want, got = sorted(at.not_yet_reported), sorted(u.id for u in report.not_yet_reported)
        missed = () if want == got else (Mismatch("not_yet_reported", want, got),)
        outcomes.append(Outcome(scenario.name, scenario.path, at.on, "not_yet_reported", None, report, at.why, missed))
    for key, expected in at.expect.items():
        actual = _actual(report, key)
        outcomes.append(
            Outcome(
                scenario.name, scenario.path, at.on, key, expected, actual, at.why, tuple(_compare(expected, actual))
            )
        )
    return outcomes


# --- a run over many files, as the command reports it --------------------------------------


class MismatchOut(Out):
    field: str
    expected: Any
    actual: Any


class OutcomeOut(Out):
    scenario: str
    file: str
    on: str
    provision: str
    ok: bool
    status: str
    mismatches: list[MismatchOut]
    why: str
    explained: Optional[str] = None


class FileOut(Out):
    file: str
    title: str
    expectations: int
    failed: int


class ScenarioRun(Out):
    rule_base: str
    files: list[FileOut]
    passed: int
    failed: int
    outcomes: list[OutcomeOut]

    @property
    def ok(self) -> bool:
        return self.failed == 0


def run_files(paths: list[Path], evaluator: Evaluator) -> ScenarioRun:
    files: list[FileOut] = []
    outcomes: list[OutcomeOut] = []
    for path in paths:
        scenario = load_scenario(path)
        results = run(scenario, evaluator)
        files.append(
            FileOut(
                file=str(path),
                title=scenario.data.title,
                expectations=len(results),
                failed=sum(1 for o in results if not o.ok),
            )
        )
        outcomes.extend(
            OutcomeOut(
                scenario=o.scenario,
                file=str(o.path),
                on=o.on.isoformat(),
                provision=o.key,
                ok=o.ok,
                status=o.status,
                why=o.why,
                explained=None if o.ok else o.explained(),
                mismatches=[MismatchOut(field=m.field, expected=m.expected, actual=m.actual) for m in o.mismatches],
            )
            for o in results
        )
    failed = sum(1 for o in outcomes if not o.ok)
    return ScenarioRun(
        rule_base=evaluator.rules.digest, files=files, passed=len(outcomes) - failed, failed=failed, outcomes=outcomes
    )
