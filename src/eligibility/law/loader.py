"""Loading the rule base: every provision file and `sources.toml` read and validated
(schema.py), each provision's accounts built (the articles', and the record's merged over them:
record.py), compiled into the items the engine judges (rulebase.py), and cross-checked.

A malformed file fails with the file, the field and what was expected; `rules check` collects
every problem of every file instead (`Sink`).
"""

import gc
import hashlib
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Any, Mapping, Optional

from pydantic import BaseModel, ValidationError

from eligibility.foundations import logic
from eligibility.foundations.errors import InputError
from eligibility.foundations.files import read_toml
from eligibility.foundations.validation import input_error, input_errors
from eligibility.foundations.vocabulary import SURENESS_NEEDS, bears_out, weakest
from eligibility.law.record import Evidence, FindingState, account, first_reported
from eligibility.law.rulebase import Judged, Route, RuleBase
from eligibility.law.schema import (
    MAX_CONDITIONS,
    OWN_TERMS,
    STAGE_ORDER,
    Alternative,
    Citation,
    Condition,
    FamilyTest,
    Finding,
    InForce,
    Provision,
    Reviewed,
    Source,
    SourcesFile,
    Stage,
    split_target,
)


class Sink:
    """Where the loader's problems go: raised at the first one (loading a rule base to judge with),
    or collected, every one of every file, with loading going on (`rules check`)."""

    def __init__(self, collect: bool = False):
        self.collect = collect
        self.found: list[InputError] = []

    def add(self, error: InputError) -> None:
        if not self.collect:
            raise error
        self.found.append(error)


def _expression(
    owner: Provision | Alternative, known: dict[str, Condition], file: str, where: str, sink: Sink
) -> Optional[logic.Expr]:
    """The owner's `when`, parsed, with every name defined; None (and the problems told) if not."""
    if owner.when is None:
        if len(known) == 1:
            return logic.Ref(next(iter(known)))
        return logic.All(tuple(logic.Ref(name) for name in known))
    try:
        expr = logic.parse(owner.when)
    except ValueError as error:
        sink.add(InputError(file, where, str(error)))
        return None
    undefined = [name for name in logic.names(expr) if name not in known]
    for name in undefined:
        sink.add(
            InputError(file, where, f"expected a condition id defined in this file ({', '.join(known)}), got {name!r}")
        )
    return None if undefined else expr


def _check_stages(stages: list[Stage], in_force: InForce, file: str, where: str, sink: Sink) -> None:
    kinds = [s.kind for s in stages]
    for index, kind in enumerate(kinds):
        if kinds.index(kind) != index:
            sink.add(InputError(file, f"{where}stages[{index}].kind", f"expected each stage once, got {kind!r} again"))
    for index in range(1, len(stages)):
        before, after = stages[index - 1], stages[index]
        if STAGE_ORDER[after.kind] < STAGE_ORDER[before.kind]:
            sink.add(
                InputError(
                    file,
                    f"{where}stages[{index}].kind",
                    f"expected stages in legal order, got {after.kind!r} after {before.kind!r}",
                )
            )
        if after.date.latest < before.date.earliest:
            sink.add(
                InputError(
                    file,
                    f"{where}stages[{index}].date",
                    f"expected a date no earlier than the stage before ({before.date.written()}), "
                    f"got {after.date.written()!r}",
                )
            )
    start = in_force.start
    if start not in kinds and in_force.unsupported is None:
        if in_force.unenacted_as_of is None:
            sink.add(
                InputError(
                    file,
                    f"{where}in_force.from",
                    f"expected a stage listed in this file ({', '.join(kinds) or 'none listed'}), got {start!r}; "
                    "a measure whose enactment no source reports needs in_force.unenacted_as_of",
                )
            )
    elif in_force.unenacted_as_of is not None:
        sink.add(
            InputError(
                file,
                f"{where}in_force.unenacted_as_of",
                f"expected no horizon when the stage {start!r} is reported, got one",
            )
        )
    if in_force.before == "unknown" and not in_force.before_note:
        sink.add(
            InputError(
                file,
                f"{where}in_force.before_note",
                "expected a note saying why in-force is unknown before the start, got none",
            )
        )
    if in_force.before == "unknown" and in_force.unenacted_as_of is not None:
        sink.add(
            InputError(
                file,
                f"{where}in_force.before",
                'expected "not_in_force" for a measure no source reports enacted, got "unknown"',
            )
        )
    if in_force.until is not None and in_force.until not in kinds:
        sink.add(
            InputError(
                file,
                f"{where}in_force.until",
                f"expected a stage listed in this file ({', '.join(kinds)}), got {in_force.until!r}",
            )
        )
    if in_force.until is not None and in_force.until == start:
        sink.add(InputError(file, f"{where}in_force.until", "expected an ending stage different from the starting one"))


def _conditions(
    conditions: list[Condition], file: str, where: str, known: dict[str, Condition], sink: Sink
) -> dict[str, Condition]:
    found = dict(known)
    for index, condition in enumerate(conditions):
        if condition.id in found:
            sink.add(
                InputError(
                    file,
                    f"{where}conditions[{index}].id",
                    f"expected a unique condition id, got {condition.id!r} again",
                )
            )
            continue
        found[condition.id] = condition
    return found


def _judged(provision: Provision, file: str, sink: Sink) -> list[Judged]:
    """The items the engine judges for a provision: its body with every route, and each reading.
    An item whose expression cannot be built is left out (its problems are told)."""
    known = _conditions(provision.conditions, file, "", {}, sink)
    expr = _expression(provision, known, file, "when", sink)
    _check_stages(provision.stages, provision.in_force, file, "", sink)
    ids: set[str] = set()
    for field_name, alternatives in (("routes", provision.routes), ("readings", provision.readings)):
        for index, alternative in enumerate(alternatives):
            if alternative.id in ids:
                sink.add(
                    InputError(
                        file,
                        f"{field_name}[{index}].id",
                        f"expected an id unique among the routes and readings, got {alternative.id!r} again",
                    )
                )
            ids.add(alternative.id)
    routes: list[Route] = [] if expr is None else [Route(None, expr, tuple(provision.stages), provision.in_force)]
    every = dict(known)
    complete = expr is not None
    for index, route in enumerate(provision.routes):
        where = f"routes[{index}]."
        extended = _conditions(route.conditions, file, where, every, sink)
        rexpr = _expression(route, extended, file, where + "when", sink)
        _check_stages(route.stages, route.in_force, file, where, sink)
        every = extended
        if rexpr is None:
            complete = False
        else:
            routes.append(Route(route.id, rexpr, tuple(route.stages), route.in_force, route))
    out: list[Judged] = []
    if complete:
        whole = routes[0].expr if len(routes) == 1 else logic.Any_(tuple(r.expr for r in routes))
        used = logic.names(whole)
        unused = [name for name in every if name not in used]
        if not _too_many(len(used), file, "when", "a provision's expressions", sink):
            if unused:
                sink.add(InputError(file, "when", f"expected every condition to be used, got {unused[0]!r} unused"))
            else:
                out.append(
                    Judged(provision.id, provision, None, tuple(every[name] for name in used), whole, tuple(routes))
                )
    for index, reading in enumerate(provision.readings):
        where = f"readings[{index}]."
        extended = _conditions(reading.conditions, file, where, known, sink)
        rexpr = _expression(reading, extended, file, where + "when", sink)
        _check_stages(reading.stages, reading.in_force, file, where, sink)
        if rexpr is None:
            continue
        rused = tuple(extended[name] for name in logic.names(rexpr))
        if _too_many(len(rused), file, where + "when", "a reading's expression", sink):
            continue
        only = Route(None, rexpr, tuple(reading.stages), reading.in_force, reading)
        out.append(Judged(f"{provision.id}@{reading.id}", provision, reading, rused, rexpr, (only,)))
    return out


def _too_many(count: int, file: str, where: str, what: str, sink: Sink) -> bool:
    """More conditions than one engine rule can test (and the problem told)."""
    if count <= MAX_CONDITIONS:
        return False
    sink.add(
        InputError(
            file,
            where,
            f"expected at most {MAX_CONDITIONS} conditions in {what} "
            f"(one engine rule holds at most 32 tests), got {count}",
        )
    )
    return True


def _quoting(citation: Citation, source: Optional[Source]) -> list[str]:
    """What is wrong with how a citation quotes its source (a quote for a text, none for a reference)."""
    if source is None:
        return []
    problems = []
    if source.file is not None and citation.quote is None:
        problems.append(f"expected a verbatim quote from {source.id}, got none")
    if source.file is None and citation.quote is not None:
        problems.append(f"expected no quote: {source.id} is a reference whose text the rule base does not hold")
    if citation.rendering is not None and citation.quote is None:
        problems.append("expected a quote alongside its rendering, got none")
    if citation.quote is not None and source.language != "en" and citation.rendering is None:
        problems.append(f"expected an English rendering (ours) of the {source.language} quote, got none")
    return problems


def _citations(provision: Provision) -> list[tuple[str, Citation]]:
    found: list[tuple[str, Citation]] = []

    def add(field: str, cites: list[Citation]) -> None:
        found.extend((f"{field}[{i}]", c) for i, c in enumerate(cites))

    def stages(prefix: str, stage_list: list[Stage], in_force: InForce) -> None:
        for i, stage in enumerate(stage_list):
            add(f"{prefix}stages[{i}].cite", stage.cite)
        if in_force.unenacted_as_of:
            add(f"{prefix}in_force.unenacted_as_of.cite", in_force.unenacted_as_of.cite)

    add("cite", provision.cite)
    stages("", provision.stages, provision.in_force)
    for i, condition in enumerate(provision.conditions):
        add(f"conditions[{i}].cite", condition.cite)
    for field_name, alternatives in (("routes", provision.routes), ("readings", provision.readings)):
        for r, alternative in enumerate(alternatives):
            add(f"{field_name}[{r}].cite", alternative.cite)
            stages(f"{field_name}[{r}].", alternative.stages, alternative.in_force)
            for i, condition in enumerate(alternative.conditions):
                add(f"{field_name}[{r}].conditions[{i}].cite", condition.cite)
    return found


def citations(provision: Provision) -> list[tuple[str, Citation]]:
    """Every citation in a provision, with the field it sits in."""
    return _citations(provision)


def default_directory() -> Path:
    """The rule base: $ELIGIBILITY_RULES, the copy inside an installed package, or the repository's rules/."""
    env = os.environ.get("ELIGIBILITY_RULES")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]  # src/eligibility (or the installed package)
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "rules"


@lru_cache(maxsize=4)
def load_rules_once(directory: Optional[str] = None) -> "RuleBase":
    """The rule base of a directory (None: the bundled one; give an absolute path), loaded once per
    process: every command, the API, batch's workers and the scenario plugin share it."""
    return load_rules(directory)


def load_rules(
    directory: str | Path | None = None, sink: Optional[Sink] = None, evidence: Optional[Evidence] = None
) -> RuleBase:
    """Load and validate every rule file in a directory, judged under `evidence` (record.Evidence;
    by default every source, as known now).

    By default the first problem is raised as an InputError.  With a collecting `sink`, every
    problem of every file is gathered there and loading goes on with what is sound: this is
    what `rules check` runs.

    The cyclic garbage collector is paused while loading: everything loading makes lives on,
    and the collector would walk it again and again for nothing (measured on 2,000 provision
    files: 2.1 s with it, 1.2 s without)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_rules(directory, sink, evidence)
    finally:
        if paused:
            gc.enable()


def _load_rules(directory: str | Path | None, sink: Optional[Sink], evidence: Optional[Evidence]) -> RuleBase:
    sink = sink or Sink()
    base = Path(directory) if directory is not None else default_directory()
    if not base.is_dir():
        raise InputError(str(base), None, "expected a directory of rule files, found none")
    if not os.access(base, os.R_OK | os.X_OK):  # else every file in it would look missing
        raise InputError(str(base), None, "cannot read the rule files' directory: permission denied")
    sources_path = base / "sources.toml"
    digest = hashlib.sha256()
    sources: Optional[dict[str, Source]] = None
    reviewed: Optional[Reviewed] = None
    if not sources_path.is_file():
        sink.add(InputError(str(sources_path), None, "expected the sources index next to the rule files, found none"))
    else:
        loaded_index = load_sources(sources_path, sink)
        if loaded_index is not None:
            sources, reviewed = loaded_index
        digest.update(sources_path.read_bytes())
    written: dict[str, Provision] = {}
    data: dict[str, dict[str, Any]] = {}
    files: dict[str, Path] = {}
    faulty: set[str] = set()
    failed: set[str] = set()  # ids named by files that could not be read as provisions
    paths = sorted(p for p in base.glob("*.toml") if p.name != "sources.toml")
    if not paths:
        sink.add(InputError(str(base), None, "expected at least one provision file (*.toml), found none"))
    for path in paths:
        told = len(sink.found)
        loaded = load_provision(path, sources, sink)
        if loaded is None or loaded[0].id != path.stem:
            failed.add(path.stem)
            continue
        provision, raw = loaded
        if provision.id in written:
            sink.add(InputError(str(path), "id", f"expected a unique id, got {provision.id!r} again"))
            continue
        if len(sink.found) != told:  # a file with problems is listed, and its quotes checked, but not judged
            faulty.add(provision.id)
        written[provision.id] = provision
        data[provision.id] = raw
        files[provision.id] = path
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for index, source in enumerate((sources or {}).values()):
        for provision_id in source.kind_for:
            if provision_id not in written and provision_id not in failed:
                sink.add(
                    InputError(
                        str(sources_path),
                        f"sources[{index}].kind_for",
                        f"expected ids of provisions in the rule base, got {provision_id!r}",
                    )
                )
    whole = RuleBase(
        directory=base,
        sources=sources or {},
        provisions={},
        files=files,
        digest=digest.hexdigest()[:16],
        written=written,
        data=data,
        faulty=frozenset(faulty | failed),
        reviewed=reviewed,
    )
    judged = _accounts(whole, evidence or Evidence(), sink, check_sources=sources is not None)
    # The articles' account is checked on every load too: a fault in it must not hide behind a
    # finding of the record that replaces the faulty part.
    articles = Evidence("articles")
    if judged.evidence != articles:
        judged.accounts[articles.key] = _accounts(
            whole, articles, sink, check_sources=sources is not None, reuse=judged.judged
        )
        judged.accounts[articles.key].accounts = judged.accounts
    return judged


def _accounts(
    whole: RuleBase,
    evidence: Evidence,
    sink: Sink,
    check_sources: bool = True,
    reuse: Optional[Mapping[str, Judged]] = None,
) -> RuleBase:
    """The rule base judged under the evidence: each provision's account built (record.account),
    validated and compiled like a file.  A provision whose account is its file as written, and whose
    items `reuse` (another account's, already built and checked) holds, takes those items."""
    reused: dict[str, list[Judged]] = {}
    for item in (reuse or {}).values():
        if item.provision is whole.written.get(item.provision.id):
            reused.setdefault(item.provision.id, []).append(item)
    provisions: dict[str, Provision] = {}
    judged: dict[str, Judged] = {}
    states: dict[str, tuple[FindingState, ...]] = {}
    unreported: dict[str, Optional[date]] = {}
    for provision_id, written in whole.written.items():
        name = str(whole.files[provision_id])
        try:
            data, found = account(whole.data[provision_id], written, whole.sources, evidence)
        except ValueError as error:
            sink.add(InputError(name, getattr(error, "field", "record.set"), str(error)))
            continue
        if data is None:
            unreported[provision_id] = first_reported(written.cite, whole.sources)
            continue
        try:
            provision = written if data == whole.data[provision_id] else Provision.model_validate(data)
        except ValidationError as error:
            for problem in _validation_problems(error, Provision, name, sink):
                sink.add(InputError(name, f"record.set (as merged) {problem.field}", problem.message))
            continue
        told = len(sink.found)
        if check_sources and provision is not written:
            already = {(c.source, c.quote, c.rendering) for _, c in _citations(written)}
            for where, wrong in _citation_problems(provision, whole.sources, skip=already):
                sink.add(InputError(name, f"record.set (as merged) {where}", wrong))
        if provision is written and provision_id in reused:
            items = reused[provision_id]
        else:
            items = _judged(provision, name, sink)
        provisions[provision_id] = provision
        states[provision_id] = tuple(found)
        if provision_id not in whole.faulty and len(sink.found) == told:
            for item in items:
                judged[item.key] = item
    for problem in cross_references(judged, provisions, whole.files, whole.faulty | set(unreported)):
        sink.add(problem)
    digest = whole.digest if evidence.key == "all@now" else f"{whole.digest}:{evidence.key}"
    return RuleBase(
        directory=whole.directory,
        sources=whole.sources,
        provisions=provisions,
        files=whole.files,
        judged=judged,
        digest=digest,
        evidence=evidence,
        written=whole.written,
        data=whole.data,
        record=states,
        unreported=unreported,
        faulty=whole.faulty,
        reviewed=whole.reviewed,
        build=_under,
    )


def _under(rules: RuleBase, evidence: Evidence) -> RuleBase:
    """The rule base under other evidence (what `RuleBase.under` asks the loader for)."""
    return _accounts(rules, evidence, Sink())


def load_sources(path: Path, sink: Optional[Sink] = None) -> Optional[tuple[dict[str, Source], Reviewed]]:
    """sources.toml, validated, and the day its sources were last reviewed; None (with its
    problems told) where it cannot be read."""
    sink = sink or Sink()
    try:
        data = read_toml(path, "rule file")
        sources_file = SourcesFile.model_validate(data)
    except InputError as error:
        sink.add(error)
        return None
    except ValidationError as error:
        for problem in _validation_problems(error, SourcesFile, str(path), sink):
            sink.add(problem)
        return None
    sources: dict[str, Source] = {}
    for index, source in enumerate(sources_file.sources):
        if source.id in sources:
            sink.add(InputError(str(path), f"sources[{index}].id", f"expected a unique id, got {source.id!r} again"))
            continue
        sources[source.id] = source
    return sources, Reviewed(sources_file.reviewed, sources_file.reviewed_note)


def _validation_problems(error: ValidationError, model: type[BaseModel], name: str, sink: Sink) -> list[InputError]:
    """A schema failure as problems: every one when collecting, the first (with a count) when not."""
    return input_errors(error, model, name) if sink.collect else [input_error(error, model, name)]


def load_provision(
    path: Path, sources: Optional[dict[str, Source]], sink: Optional[Sink] = None
) -> Optional[tuple[Provision, dict[str, Any]]]:
    """One provision file as written (the articles' account and the record's findings), validated
    against the schema and the sources, with its data; None (with its problems told) where it does
    not match the schema.  `sources` None: the index could not be read, so citations are not
    checked against it.  The account judged is built from it by `_accounts`."""
    sink = sink or Sink()
    name = str(path)
    try:
        data = read_toml(path, "rule file")
        provision = Provision.model_validate(data)
    except InputError as error:
        sink.add(error)
        return None
    except ValidationError as error:
        for problem in _validation_problems(error, Provision, name, sink):
            sink.add(problem)
        return None
    if path.stem != provision.id:
        sink.add(InputError(name, "id", f"expected the file name's id {path.stem!r}, got {provision.id!r}"))
    if sources is not None:
        for where, wrong in _citation_problems(provision, sources, articles_only=True):
            sink.add(InputError(name, where, wrong))
        for index, finding in enumerate(provision.record):
            for where, wrong in _finding_problems(finding, sources):
                sink.add(InputError(name, f"record[{index}].{where}", wrong))
    for index, finding in enumerate(provision.record):
        for key in ("id", "record", "jurisdiction"):
            if key in finding.set:
                sink.add(
                    InputError(name, f"record[{index}].set.{key}", "expected no change to it in a finding, got one")
                )
    return provision, data


def _citation_problems(
    provision: Provision,
    sources: Mapping[str, Source],
    articles_only: bool = False,
    skip: AbstractSet[tuple[str, Optional[str], Optional[str]]] = frozenset(),
) -> list[tuple[str, str]]:
    """(field, problem) for each citation (and each route's or reading's `follows`) naming no known
    source, or quoting it wrongly; `articles_only`: naming a source that is not one of the articles
    (an account of the articles); `skip`: citations already checked."""
    named = [
        (f"{where}.source", c.source)
        for where, c in _citations(provision)
        if (c.source, c.quote, c.rendering) not in skip
    ]
    named += [
        (f"{field_name}[{index}].follows", alternative.follows)
        for field_name, alternatives in (("routes", provision.routes), ("readings", provision.readings))
        for index, alternative in enumerate(alternatives)
    ]
    problems: list[tuple[str, str]] = []
    for where, source in named:
        if source not in sources:
            problems.append((where, f"expected a source id from sources.toml ({', '.join(sources)}), got {source!r}"))
        elif articles_only and not sources[source].is_article:
            problems.append(
                (
                    where,
                    f"expected one of the articles: {source} is a source of the official record, "
                    "cited under [[record]]",
                )
            )
    for where, citation in _citations(provision):
        if (citation.source, citation.quote, citation.rendering) not in skip:
            problems.extend((where, wrong) for wrong in _quoting(citation, sources.get(citation.source)))
    return problems


def _finding_problems(finding: Finding, sources: Mapping[str, Source]) -> list[tuple[str, str]]:
    """What is wrong with a finding's citations: unknown sources, quoting, and a sureness its
    sources do not bear out."""
    problems: list[tuple[str, str]] = []
    for field_name, cites in (("cite", finding.cite), ("articles_cite", finding.articles_cite)):
        for i, citation in enumerate(cites):
            source = sources.get(citation.source)
            if source is None:
                problems.append(
                    (f"{field_name}[{i}].source", f"expected a source id from sources.toml, got {citation.source!r}")
                )
                continue
            if field_name == "articles_cite" and not source.is_article:
                problems.append((f"{field_name}[{i}].source", f"expected one of the articles, got {citation.source!r}"))
            problems.extend((f"{field_name}[{i}]", wrong) for wrong in _quoting(citation, source))
    least = weakest([fact.sure for fact in finding.rests_on])
    if finding.sure != least:
        where = next(i for i, fact in enumerate(finding.rests_on) if fact.sure == least)
        problems.append(
            (
                "sure",
                f"expected {least!r}, the sureness of the weakest fact it rests on "
                f"(rests_on[{where}]: {finding.rests_on[where].fact}), got {finding.sure!r}",
            )
        )
    if finding.relation == "adds" and (finding.open or finding.leans):
        problems.append(
            ("open", "expected no open account on a finding that adds: only a contradiction can be left open")
        )
    kinds = [kind for c in finding.cite if c.source in sources for kind in sources[c.source].kinds()]
    if not bears_out(finding.sure, kinds):
        needs = SURENESS_NEEDS[finding.sure][2]
        problems.append(
            (
                "sure",
                f"expected {needs} among the record's sources for {finding.sure!r}, got {', '.join(kinds) or 'none'}",
            )
        )
    return problems


def cross_references(
    judged: dict[str, Judged],
    provisions: dict[str, Provision],
    files: dict[str, Path],
    failed: AbstractSet[str] = frozenset(),
) -> list[InputError]:
    """Family conditions name provisions of the rule base (a provision whose own file could not be
    read is not a second problem)."""
    problems = []
    for item in judged.values():
        for index, condition in enumerate(item.conditions):
            test = condition.test
            if isinstance(test, FamilyTest):
                for target in test.provisions:
                    base, route = split_target(target)
                    if base not in provisions and base not in failed:
                        problems.append(
                            InputError(
                                str(files[item.provision.id]),
                                f"conditions[{index}].test.provisions",
                                f"expected ids of provisions in the rule base, got {target!r}",
                            )
                        )
                    elif base in provisions and route not in (None, OWN_TERMS):
                        known = [r.id for r in provisions[base].routes]
                        if route not in known:
                            problems.append(
                                InputError(
                                    str(files[item.provision.id]),
                                    f"conditions[{index}].test.provisions",
                                    f"expected {base}@{OWN_TERMS} or a route of {base} "
                                    f"({', '.join(known) or 'it has none'}), got {target!r}",
                                )
                            )
    return problems
