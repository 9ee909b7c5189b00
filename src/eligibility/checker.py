"""`eligibility rules check`: every problem of a rule base, not only the first.

Loading a rule base stops at its first problem; this checker goes on and lists
them all, each with its file and field:

* every file parses and matches the schema (every problem pydantic finds);
* ids are unique and match their file names; citations name sources of sources.toml;
* stages are in legal order with consistent dates; in-force names listed stages;
* every condition's test is one the evaluator knows, every `when` names defined
  conditions, and every condition is used; family conditions name real provisions;
* every provision and every stage date has a citation (the schema requires them);
* with a sources folder, every quote is found verbatim in its article;
* with a scenarios folder, every provision has a scenario where it applies (or, for
  a measure no source reports enacted, where the person would qualify) and one where
  it does not apply.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict

from .corpus import unverified_quotes
from .engine import compile_problem
from .errors import InputError
from .rulebase import (
    InputErrors,
    Judged,
    Provision,
    RuleBase,
    cross_references,
    load_provision,
    load_sources,
)


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
    scenarios_checked: Optional[str]
    problems: list[Problem]


def _problem(error: InputError) -> Problem:
    return Problem(file=error.file, field=error.field, message=error.message)


def check_rules(directory: Path, sources: Optional[Path] = None, scenarios: Optional[Path] = None) -> CheckReport:
    if not directory.is_dir():
        raise InputError(str(directory), None, "expected a directory of rule files, found none")
    if sources is not None and not sources.is_dir():
        raise InputError("--sources", None, f"expected a folder holding the source articles, found none at {sources}")
    if scenarios is not None and not scenarios.is_dir():
        raise InputError("--scenarios", None, f"expected a folder of scenario files, found none at {scenarios}")
    problems: list[Problem] = []
    index_path = directory / "sources.toml"
    known_sources = {}
    if not index_path.is_file():
        problems.append(
            Problem(
                file=str(index_path),
                field=None,
                message="expected the sources index next to the rule files, found none",
            )
        )
    else:
        try:
            known_sources = load_sources(index_path)
        except InputError as error:
            problems.append(_problem(error))
    provisions: dict[str, Provision] = {}
    files: dict[str, Path] = {}
    judged: dict[str, Judged] = {}
    paths = sorted(p for p in directory.glob("*.toml") if p.name != "sources.toml")
    if not paths:
        problems.append(
            Problem(
                file=str(directory), field=None, message="expected at least one provision file (*.toml), found none"
            )
        )
    for path in paths:
        try:
            provision, items = load_provision(path, known_sources, every=True)
        except InputErrors as errors:
            problems.extend(_problem(e) for e in errors.errors)
            continue
        except InputError as error:
            problems.append(_problem(error))
            continue
        provisions[provision.id] = provision
        files[provision.id] = path
        judged.update((item.key, item) for item in items)
        for item in items:
            problem = compile_problem(item)
            if problem is not None:
                where = "when" if item.reading is None else f"readings[{provision.readings.index(item.reading)}].when"
                problems.append(Problem(file=str(path), field=where, message=problem))
    # A reference to a provision whose own file failed above is not a second problem.
    problems.extend(
        _problem(e)
        for e in cross_references(judged, provisions, files)
        if not any(e.message.endswith(f"got {p.stem!r}") for p in paths)
    )

    base = RuleBase(directory, known_sources, provisions, files, judged)
    if sources is not None and known_sources:
        for quote in unverified_quotes(base, sources):
            problems.append(Problem(file=quote.file, field=quote.field, message=f"{quote.reason}: {quote.quote!r}"))
    if scenarios is not None:
        problems.extend(_coverage(base, scenarios))
    return CheckReport(
        directory=str(directory),
        provisions=len(provisions),
        sources_checked=str(sources) if sources is not None else None,
        scenarios_checked=str(scenarios) if scenarios is not None else None,
        problems=problems,
    )


def _coverage(rules: RuleBase, scenarios: Path) -> list[Problem]:
    """Every provision has a scenario where it applies (or would qualify) and one where it does not apply."""
    from .scenario import load_scenario, scenario_files

    seen: dict[str, set[str]] = defaultdict(set)
    problems: list[Problem] = []
    for path in scenario_files(scenarios):
        try:
            scenario = load_scenario(path)
        except InputError as error:
            problems.append(_problem(error))
            continue
        for at in scenario.data.at:
            for key, expected in at.expect.items():
                seen[key].add(expected.status)
                if expected.would_qualify == "yes":
                    seen[key].add("would qualify")
    for provision_id, provision in rules.provisions.items():
        file = str(rules.files[provision_id])
        unenacted = provision.in_force.unenacted_as_of is not None
        wanted = "would qualify" if unenacted else "applies"
        if wanted not in seen[provision_id]:
            words = (
                "where the person would qualify (no source reports it enacted, so it cannot apply)"
                if unenacted
                else "where it applies"
            )
            problems.append(
                Problem(file=file, field=None, message=f"expected a scenario in {scenarios} {words}, found none")
            )
        if "does_not_apply" not in seen[provision_id]:
            problems.append(
                Problem(
                    file=file,
                    field=None,
                    message=f"expected a scenario in {scenarios} where it does not apply, found none",
                )
            )
    return problems
