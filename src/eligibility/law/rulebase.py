"""The rule base as the engine judges it: each provision's routes (`Route`), the items judged
(`Judged`: a provision with its routes, or a reading), and `RuleBase`, the whole under one
Evidence.  Built by loader.py from the rule files (schema.py).
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from eligibility.foundations import logic
from eligibility.foundations.errors import InternalError
from eligibility.law.record import Evidence, FindingState
from eligibility.law.schema import Alternative, Condition, InForce, Provision, Reviewed, Source, Stage, Test


@dataclass(frozen=True)
class Route:
    """One way to qualify under a judged item: its conditions' expression and its own in-force.

    A provision's body is its first route; each entry of its `routes` adds one.  A reading
    has one route."""

    id: Optional[str]  # None for the provision's (or reading's) own body
    expr: logic.Expr
    stages: tuple[Stage, ...]
    in_force: InForce
    alternative: Optional[Alternative] = None

    def stage(self, kind: str) -> Optional[Stage]:
        return next((s for s in self.stages if s.kind == kind), None)

    @cached_property
    def decide(self) -> Callable[[Mapping[str, Any]], logic.Truth]:
        """Its expression, compiled once, over the findings of its conditions' tests."""
        return logic.compiled(self.expr, "value")


@dataclass(frozen=True)
class Judged:
    """One thing the engine judges: a provision's followed reading (with every route it has),
    or another reading of it.

    The person qualifies if some route qualifies them while that route is in force; `expr`
    is what the person's facts come to whatever is in force ("would qualify"): any route's
    expression."""

    key: str  # "ru.x.y" or "ru.x.y@reading"
    provision: Provision
    reading: Optional[Alternative]
    conditions: tuple[Condition, ...]
    expr: logic.Expr
    routes: tuple[Route, ...]

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.routes[0].stages

    @property
    def in_force(self) -> InForce:
        return self.routes[0].in_force

    def stage(self, kind: str) -> Optional[Stage]:
        return self.routes[0].stage(kind)

    @cached_property
    def condition_map(self) -> dict[str, Condition]:
        return {c.id: c for c in self.conditions}

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The condition ids its expression uses, in order of first mention."""
        return tuple(logic.names(self.expr))

    @cached_property
    def decide(self) -> Callable[[Mapping[str, Any]], logic.Truth]:
        """Its `when` expression, compiled once: the findings of its conditions' tests (anything
        with a `value`) -> what the conditions come to."""
        return logic.compiled(self.expr, "value")

    @cached_property
    def tests(self) -> tuple[tuple[str, "Test"], ...]:
        """(condition id, test) for each condition its expression uses."""
        return tuple((name, self.condition_map[name].test) for name in self.names)


@dataclass
class RuleBase:
    """The rule base as judged under one Evidence (by default: every source, as known now).

    `provisions` and `judged` are the accounts judged; `written` keeps every file as written
    (the articles' account and the record's findings), `record` what became of each finding,
    and `unreported` the provisions left out because no article on them was published by
    `evidence.known_on` (with the day the first was)."""

    directory: Path
    sources: dict[str, Source]
    provisions: dict[str, Provision]
    files: dict[str, Path]
    judged: dict[str, Judged] = field(default_factory=dict)
    digest: str = ""
    evidence: Evidence = field(default_factory=Evidence)
    written: dict[str, Provision] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    record: dict[str, tuple[FindingState, ...]] = field(default_factory=dict)
    unreported: dict[str, Optional[date]] = field(default_factory=dict)
    faulty: frozenset[str] = frozenset()  # ids whose files have problems: listed, never judged
    accounts: dict[str, "RuleBase"] = field(default_factory=dict, repr=False)
    reviewed: Optional[Reviewed] = None  # the sources' horizon (sources.toml `reviewed`)
    # how the loader builds the same rule base under other evidence (it sets this on what it builds)
    build: Optional[Callable[["RuleBase", Evidence], "RuleBase"]] = field(default=None, repr=False, compare=False)

    def provision(self, provision_id: str) -> Provision:
        return self.provisions[provision_id]

    def readings_of(self, provision_id: str) -> list[Judged]:
        return self._readings.get(provision_id, [])

    @cached_property
    def _readings(self) -> dict[str, list[Judged]]:
        """Each provision's other readings, indexed once (a scan per provision grows as its square)."""
        found: dict[str, list[Judged]] = {}
        for item in self.judged.values():
            if item.reading is not None:
                found.setdefault(item.provision.id, []).append(item)
        return found

    def under(self, evidence: Evidence) -> "RuleBase":
        """The same rule base judged under other evidence, built once."""
        if evidence == self.evidence:
            return self
        found = self.accounts.get(evidence.key)
        if found is None:
            if self.build is None:
                raise InternalError("a rule base not built by the loader cannot be judged under other evidence")
            found = self.accounts[evidence.key] = self.build(self, evidence)
            found.accounts = self.accounts
        return found


def judged_differently(rules: RuleBase, articles: RuleBase, provision_id: str) -> bool:
    """Whether the record changes how a provision is judged or dated (not only its words): its
    stages, in-force rule, conditions, `when`, routes or readings differ between the two accounts."""
    words = {"record", "not_modelled", "instrument", "title", "notes", "effect", "cite"}
    return bool(
        rules.provisions[provision_id].model_dump(exclude=words)
        != articles.provisions[provision_id].model_dump(exclude=words)
    )
