"""The rule base: one TOML file per provision, plus `sources.toml`.

Every file is validated on load; a malformed one fails with the file, the field
and what was expected (docs/adding-a-rule.md describes the format).
"""

# No `from __future__ import annotations` here: pydantic then reads the annotations as
# objects rather than evaluating strings when the models are built, at every start.
import gc
import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import AbstractSet, Annotated, Any, Callable, Literal, Mapping, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from . import logic
from .dates import DateSpec, parse_day, parse_spec
from .errors import InputError
from .files import read_toml
from .validation import input_error, input_errors
from .vocabulary import SURENESS_NEEDS, About, SourceKind, Sure, bears_out, weakest

NonEmpty = Annotated[str, Field(min_length=1)]
ProvisionId = Annotated[str, Field(pattern=r"^(ru|ua)\.[a-z0-9-]+\.[a-z0-9-]+$")]
ConditionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]

# Stages in the order a measure moves through them; a provision lists its stages in this order.
STAGE_ORDER: dict[str, int] = {
    "bill_approved_lower_house": 1,
    "passed_upper_house": 2,
    "passed_parliament": 2,
    "signed": 3,
    "decree_signed": 3,
    "in_effect": 4,
    "reported_in_place": 5,
    "ended": 9,
}
STAGE_LABEL: dict[str, str] = {
    "bill_approved_lower_house": "bill approved by the lower house",
    "passed_upper_house": "passed by the upper house",
    "passed_parliament": "passed by parliament",
    "signed": "signed into law",
    "decree_signed": "decree signed",
    "in_effect": "took effect",
    "reported_in_place": "reported as already in place",
    "ended": "ended",
}
SIGNATURES = ("signed", "decree_signed")
MAX_CONDITIONS = 24  # per provision (all its routes) or reading: an engine rule holds at most 32 tests
StageKind = Literal[
    "bill_approved_lower_house",
    "passed_upper_house",
    "passed_parliament",
    "signed",
    "decree_signed",
    "in_effect",
    "reported_in_place",
    "ended",
]


def _spec(value: Any) -> Any:
    if isinstance(value, DateSpec):
        return value
    if isinstance(value, date):
        raise ValueError(
            'a quoted string such as "2024-01-04", "2022-11" or "2022-09-21..2022-09-30" '
            "(a bare TOML date is not accepted)"
        )
    return parse_spec(value)


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, DateSpec):
        raise ValueError('a quoted string such as "2024-08-05" (a bare TOML date is not accepted)')
    return parse_day(value)


Spec = Annotated[DateSpec, BeforeValidator(_spec), PlainSerializer(lambda spec: spec.written(), return_type=str)]
Day = Annotated[date, BeforeValidator(_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True)


class Citation(_Strict):
    """A source and the words of it a fact rests on.  A source whose text the rule base holds is
    quoted verbatim (`rendering`: an English rendering of a quote in another language, ours); a
    reference (a source without text here) is cited without a quote."""

    source: NonEmpty
    quote: Optional[NonEmpty] = None
    rendering: Optional[NonEmpty] = None


class Stage(_Strict):
    kind: StageKind
    date: Spec
    date_text: Optional[NonEmpty] = None
    basis: Optional[NonEmpty] = None
    derived: Optional[NonEmpty] = None  # a date no source states: what it follows from
    cite: list[Citation] = Field(min_length=1)

    @property
    def label(self) -> str:
        return STAGE_LABEL[self.kind]

    @property
    def when(self) -> str:
        """The date in words, with its precision (and, for a derived date, what it follows from)."""
        when = f"{self.date_text} ({self.date.written()})" if self.date_text else self.date.text
        return f"{when}, derived: {self.derived}" if self.derived else when


class Horizon(_Strict):
    """The latest source that still reports the measure as not enacted."""

    date: Day
    cite: list[Citation] = Field(min_length=1)
    note: Optional[NonEmpty] = None


class Unsupported(_Strict):
    """The record does not support the measure at all: it is not in force on any date."""

    note: NonEmpty
    cite: list[Citation] = Field(min_length=1)


class Contested(_Strict):
    """The sources disagree on whether the measure is in force, and neither side is strictly
    surer: where the account says "in force", the answer is unknown (an open question), with
    the note saying which way the evidence leans and why."""

    note: NonEmpty
    cite: list[Citation] = []


class InForce(_Strict):
    """From which stage a provision is in force, until which, and what is known before it starts.

    `before` says what holds before the starting stage: certainly not in force (a new
    measure), or unknown (a rule the sources describe as already in place without saying
    since when).  A `reported_in_place` start always has an unknown before."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    start: StageKind = Field(alias="from")
    until: Optional[StageKind] = None
    note: Optional[NonEmpty] = None
    entry: Optional[NonEmpty] = None  # what the sources say of entry into force ("in force on signature (reports)")
    before: Literal["not_in_force", "unknown"] = "not_in_force"
    before_note: Optional[NonEmpty] = None
    unenacted_as_of: Optional[Horizon] = None
    unsupported: Optional[Unsupported] = None
    contested: Optional[Contested] = None

    @property
    def start_unknown(self) -> bool:
        """Whether in-force is unknown (rather than false) on the days before the start."""
        return self.before == "unknown" or self.start == "reported_in_place"


class Effect(_Strict):
    kind: Literal["grants", "imposes", "bars", "exempts", "limits", "protects"]
    text: NonEmpty


# --- the evaluator's vocabulary: what a condition can test -------------------------------


class CitizenshipTest(_Strict):
    """Holds a citizenship of `country` on the date (optionally acquired in one of `acquired`)."""

    fact: Literal["citizenship"]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    acquired: Optional[list[Literal["birth", "naturalization", "other"]]] = None


class OtherCitizenshipTest(_Strict):
    """Holds a citizenship of some country other than `than` on the date."""

    fact: Literal["other-citizenship"]
    than: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class StatelessTest(_Strict):
    """Holds no citizenship on the date."""

    fact: Literal["stateless"]


class NonCitizenTest(_Strict):
    """Does not hold the citizenship of `of`; for a stateless person the law's words decide."""

    fact: Literal["non-citizen"]
    of: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    stateless: Literal["covered", "not-covered", "unsettled"]
    stateless_note: Optional[NonEmpty] = None

    @model_validator(mode="after")
    def _note(self) -> "NonCitizenTest":
        if self.stateless == "unsettled" and not self.stateless_note:
            raise ValueError(
                "stateless_note: expected a note saying why the sources leave stateless persons unsettled, got none"
            )
        return self


class ResidenceTest(_Strict):
    """Resides in `country` (or anywhere but `outside_of`) on the date, with a status in `status`
    (any status when `status` is not given)."""

    fact: Literal["residence"]
    country: Optional[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = None
    outside_of: Optional[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = None
    status: Optional[list[Literal["permanent", "temporary", "unlawful"]]] = Field(None, min_length=1)

    @model_validator(mode="after")
    def _where(self) -> "ResidenceTest":
        if (self.country is None) == (self.outside_of is None):
            raise ValueError(
                "country: expected exactly one of country or outside_of, got " + ("both" if self.country else "neither")
            )
        return self


class ServiceUnsettled(_Strict):
    """For each filter named, the question the sources leave open for a record outside it.

    A record that fails a filter named here does not fail the test: its answer is unknown,
    and the report quotes the question."""

    force: Optional[NonEmpty] = None
    kind: Optional[NonEmpty] = None
    discharge: Optional[NonEmpty] = None
    combat: Optional[NonEmpty] = None
    during: Optional[NonEmpty] = None
    state: Optional[NonEmpty] = None  # with state = "serving": a service that has ended


class ServiceTest(_Strict):
    """A service record with `country` in the given state on the date, matching every filter given.

    `during` is a period's start (at the sources' precision): the record must have gone on
    at some time on or after it.  A record that ended inside the start's window is unknown:
    the sources do not give the day."""

    fact: Literal["service"]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    state: Literal["serving", "started", "ended"]
    force: Optional[list[Literal["armed_forces", "national_guard", "other"]]] = None
    kind: Optional[list[Literal["contract", "conscription", "volunteer"]]] = None
    discharge: Optional[list[Literal["health", "age", "contract_end", "martial_law_end", "other"]]] = None
    combat: Optional[bool] = None
    min_months: Optional[Annotated[int, Field(ge=1)]] = None
    during: Optional[Spec] = None
    during_text: Optional[NonEmpty] = None
    unsettled: Optional[ServiceUnsettled] = None

    @cached_property
    def checks(self) -> tuple[tuple[str, tuple[object, ...], Optional[str]], ...]:
        """(record field, the values allowed, the question left open for a record outside them)
        for each filter given, in the order a record is checked: worked out once per test."""
        unsettled = self.unsettled
        given = (
            ("force", self.force),
            ("kind", self.kind),
            ("discharge", self.discharge),
            ("combat", None if self.combat is None else [self.combat]),
        )
        return tuple(
            (name, tuple(allowed), None if unsettled is None else getattr(unsettled, name))
            for name, allowed in given
            if allowed is not None
        )

    @model_validator(mode="after")
    def _filters(self) -> "ServiceTest":
        if self.discharge is not None and self.state != "ended":
            raise ValueError(
                f'discharge: expected state = "ended" alongside a discharge filter, got state = {self.state!r}'
            )
        if self.min_months is not None and self.state != "serving":
            raise ValueError(f'min_months: expected state = "serving" alongside min_months, got state = {self.state!r}')
        if self.during is not None and not self.during_text:
            raise ValueError(
                "during_text: expected the period's start in words (e.g. \"the full-scale invasion, "
                'February 2022") alongside during, got none'
            )
        if self.unsettled is not None:
            for name in ServiceUnsettled.model_fields:
                if getattr(self.unsettled, name) is not None and getattr(self, name) is None:
                    raise ValueError(
                        f"unsettled.{name}: expected the filter {name} to be given for its question "
                        "to be open, got no such filter"
                    )
        return self


class RegistrationTest(_Strict):
    """The person's military registration with `country` is `registered`."""

    fact: Literal["registration"]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    registered: bool


class CriminalRecordTest(_Strict):
    """The criminal record field is true."""

    fact: Literal["criminal-record"]
    field: Literal["convicted", "conviction_expunged", "under_investigation"]


# A family condition's target: a provision ("ru.x.y": by any of its routes), or one route of it
# ("ru.x.y@route-id", or "ru.x.y@terms" for the provision's own terms, without its added routes).
FamilyTarget = Annotated[str, Field(pattern=r"^(ru|ua)\.[a-z0-9-]+\.[a-z0-9-]+(@[a-z][a-z0-9-]*)?$")]
OWN_TERMS = "terms"


def split_target(target: str) -> tuple[str, Optional[str]]:
    """A family target as (provision id, route id or None for any route); the provision's own terms
    are the route id None of `Route`, written "terms"."""
    provision, _, route = target.partition("@")
    return provision, route or None


class FamilyTest(_Strict):
    """A listed family member has one of `provisions` applying on the same date (a target
    "id@route" asks for that route of it alone: "id@terms", the provision's own terms)."""

    fact: Literal["family"]
    provisions: list[FamilyTarget] = Field(min_length=1)
    relations: Optional[list[Literal["spouse", "child", "parent", "sibling", "other"]]] = None  # none: any


Test = Annotated[
    Union[
        CitizenshipTest,
        OtherCitizenshipTest,
        StatelessTest,
        NonCitizenTest,
        ResidenceTest,
        ServiceTest,
        RegistrationTest,
        CriminalRecordTest,
        FamilyTest,
    ],
    Discriminator("fact"),
]


class Condition(_Strict):
    """One condition in the law's words, its test, and the sentences it rests on.

    `unsettled_if_failed` is the question the sources leave open where the test fails: the
    condition is then unknown, not failed (a stateless person living outside Russia, for a
    draft the article extends to "stateless people" without saying which)."""

    id: ConditionId
    says: NonEmpty
    test: Test
    unsettled_if_failed: Optional[NonEmpty] = None
    cite: list[Citation] = []


class Alternative(_Strict):
    """A provision's other reading (a rival account of the same act, shown beside the one
    followed) or another route (a later act or change that adds a way to qualify)."""

    id: ConditionId
    follows: NonEmpty
    summary: NonEmpty
    when: NonEmpty
    conditions: list[Condition] = []
    stages: list[Stage] = Field(min_length=1)
    in_force: InForce
    cite: list[Citation] = Field(min_length=1)


class Fact(_Strict):
    """One fact a finding of the record rests on: in our words, the phrase of record.md that states
    it (verbatim, so that `rules check --record` finds it and reads the label after it), and how
    sure record.md says it is."""

    fact: NonEmpty
    record: NonEmpty
    sure: Sure


class NotModelled(_Strict):
    """A matter the provision leaves unjudged, and what it could do to a verdict:

    - `condition`: a condition of the act the profile cannot answer (age, sex, the contract's
      term, a medical ruling): it could turn `applies` or `undetermined` into `does_not_apply`;
    - `part`: a part of the act (another group of people, another route) not judged here: it
      could turn `does_not_apply` or `not_in_force` into `applies`;
    - `procedure`: what comes after qualifying (an application, proof, deadlines): it bears on
      an `applies` in practice, not on the law's conditions."""

    id: ConditionId
    kind: Literal["condition", "part", "procedure"]
    matter: Annotated[str, Field(min_length=1, max_length=120)]  # one line: what is not judged
    why: NonEmpty
    route: Optional[ConditionId] = None  # it bears on this route only (none: on the provision)


class Finding(_Strict):
    """What the official record says of a provision where it differs from the articles, or adds to
    them: what it is about, each side in words, how sure the record is and on which sources, and
    (`set`) the provision as the record has it, merged over the articles' account when the record's
    evidence is used (docs/adding-a-rule.md, "The record")."""

    about: About
    relation: Literal["contradicts", "adds"]
    articles: NonEmpty  # what the articles say (or "nothing" of it)
    record: NonEmpty  # what the record says
    sure: Sure  # as sure as the weakest fact it rests on
    rests_on: list[Fact] = Field(min_length=1)
    cite: list[Citation] = Field(min_length=1)  # the record's sources
    articles_cite: list[Citation] = []  # the articles' side; none: the provision's own citations
    set: dict[str, Any] = {}  # the provision as the record has it, where the record is followed
    # where a contradicting finding is not strictly surer than the articles: the provision with the
    # question left open (both sides shown), and which way the evidence leans and why
    open: dict[str, Any] = {}
    leans: Optional[NonEmpty] = None


class Provision(_Strict):
    id: ProvisionId
    title: NonEmpty
    jurisdiction: Literal["RU", "UA"]
    instrument: Optional[NonEmpty] = None
    effect: Effect
    stages: list[Stage] = []
    in_force: InForce
    conditions: list[Condition] = Field(min_length=1)
    when: Optional[NonEmpty] = None
    cite: list[Citation] = Field(min_length=1)
    readings: list[Alternative] = []
    routes: list[Alternative] = []
    notes: list[NonEmpty] = []
    not_modelled: list[NotModelled] = []
    record: list[Finding] = []


def never_applies(provision: Provision) -> Optional[str]:
    """Why a provision can apply to nobody on any day (None: it can): no source reports it
    enacted, the record supports it on no day, or the sources disagree on whether every route of
    it holds."""
    rule = provision.in_force
    if rule.unsupported is not None:
        return "the record supports it on no day"
    if rule.unenacted_as_of is not None and not provision.routes:
        return "no source reports it enacted"
    if rule.contested is not None and all(route.in_force.contested is not None for route in provision.routes):
        return "the sources disagree on whether it holds"
    return None


class Source(_Strict):
    """A source the rule base cites: an article, an act, an official notice, ...

    `kind` says how close it stands to the act (act, official, report, retrospective, derived);
    where it stands differently to different provisions (a report of one act that mentions
    another in passing), `kind_for` names the provisions it stands otherwise to."""

    id: NonEmpty
    file: Optional[NonEmpty] = None  # its text in the sources folder; none for a reference
    outlet: NonEmpty  # the publisher, as far as the text shows
    headline: NonEmpty
    published: Optional[Spec] = None  # none: not known (then never counted as known on a day)
    published_note: Optional[NonEmpty] = None
    kind: SourceKind
    kind_for: dict[ProvisionId, SourceKind] = {}
    kind_note: Optional[NonEmpty] = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]  # ISO 639-1, e.g. "en", "uk", "ru"
    address: Optional[NonEmpty] = None
    address_note: Optional[NonEmpty] = None  # a reference without an address: why none is given
    # how many independent reports one reference stands for, where the record's reading names
    # several together without their publishers ("legal-database copies")
    reports: Annotated[int, Field(ge=1)] = 1

    @model_validator(mode="after")
    def _reference(self) -> "Source":
        if self.file is None and self.address is None and self.address_note is None:
            raise ValueError(
                "address: expected where a reference without text can be found (or an address_note "
                "saying why no address is given), got none"
            )
        if self.published is None and self.published_note is None:
            raise ValueError("published_note: expected a note saying why the publication date is not known, got none")
        return self

    @property
    def is_article(self) -> bool:
        """One of the articles the rule base comes from: a text held in the sources folder (an act's
        text is held in the record's acts folder)."""
        return self.file is not None and self.kind != "act"

    def latest_day(self) -> date:
        """The last day on which it may have been published (an unknown date: never)."""
        return self.published.latest if self.published is not None else date.max

    def kinds(self) -> list[SourceKind]:
        """Its kind once for each independent report it stands for (see `reports`)."""
        return [self.kind] * self.reports

    def kind_of(self, provision_id: Optional[str]) -> SourceKind:
        """How close the source stands to the act of this provision."""
        return self.kind_for.get(provision_id, self.kind) if provision_id else self.kind


class SourcesFile(_Strict):
    # the day the sources were last reviewed: answers for later days cannot know later acts
    reviewed: Day
    reviewed_note: NonEmpty
    sources: list[Source] = Field(min_length=1)


# --- what the loader hands on -------------------------------------------------------------


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
    evidence: Any = None  # record.Evidence
    written: dict[str, Provision] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    record: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # id -> record.FindingState, ...
    unreported: dict[str, Optional[date]] = field(default_factory=dict)
    faulty: frozenset[str] = frozenset()  # ids whose files have problems: listed, never judged
    accounts: dict[str, "RuleBase"] = field(default_factory=dict, repr=False)
    reviewed: Optional["Reviewed"] = None  # the sources' horizon (sources.toml `reviewed`)

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

    def under(self, evidence: Any) -> "RuleBase":
        """The same rule base judged under other evidence (record.Evidence), built once."""
        if evidence == self.evidence:
            return self
        found = self.accounts.get(evidence.key)
        if found is None:
            found = self.accounts[evidence.key] = _accounts(self, evidence, Sink())
            found.accounts = self.accounts
        return found


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
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@lru_cache(maxsize=4)
def load_rules_once(directory: Optional[str] = None) -> "RuleBase":
    """The rule base of a directory (None: the bundled one; give an absolute path), loaded once per
    process: every command, the API, batch's workers and the scenario plugin share it."""
    return load_rules(directory)


def load_rules(directory: str | Path | None = None, sink: Optional[Sink] = None, evidence: Any = None) -> RuleBase:
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


def _load_rules(directory: str | Path | None, sink: Optional[Sink], evidence: Any) -> RuleBase:
    from .record import Evidence

    sink = sink or Sink()
    base = Path(directory) if directory is not None else default_directory()
    if not base.is_dir():
        raise InputError(str(base), None, "expected a directory of rule files, found none")
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
        base,
        sources or {},
        {},
        files,
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
        judged.accounts[articles.key] = _accounts(whole, articles, sink, check_sources=sources is not None)
        judged.accounts[articles.key].accounts = judged.accounts
    return judged


def _accounts(whole: RuleBase, evidence: Any, sink: Sink, check_sources: bool = True) -> RuleBase:
    """The rule base judged under the evidence: each provision's account built (record.account),
    validated and compiled like a file."""
    from .record import account, first_reported

    provisions: dict[str, Provision] = {}
    judged: dict[str, Judged] = {}
    states: dict[str, tuple[Any, ...]] = {}
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
        whole.directory,
        whole.sources,
        provisions,
        whole.files,
        judged,
        digest,
        evidence,
        whole.written,
        whole.data,
        states,
        unreported,
        whole.faulty,
        reviewed=whole.reviewed,
    )


@dataclass(frozen=True)
class Reviewed:
    """The day the rule base's sources were last reviewed (its horizon), and what that rests on."""

    day: date
    note: str


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
