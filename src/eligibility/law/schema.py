"""The rule format: the pydantic models of a provision file and of `sources.toml`.

Every file is validated against these on load; a malformed one fails with the file, the field
and what was expected (docs/adding-a-rule.md describes the format).  What the loader builds
from them (the items the engine judges) is in rulebase.py; the loading itself, in loader.py.
"""

# No `from __future__ import annotations` here: pydantic then reads the annotations as
# objects rather than evaluating strings when the models are built, at every start.
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    model_validator,
)

from eligibility.foundations import countries
from eligibility.foundations.dates import DateSpec, parse_day, parse_spec
from eligibility.foundations.vocabulary import About, EffectKind, SourceKind, Sure

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


# a country a rule tests: an ISO 3166-1 alpha-2 code, checked as a profile's are (a rule testing
# "UK" or "XX" would make a condition nobody can meet)
Country = Annotated[str, BeforeValidator(countries.checked)]


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
    kind: EffectKind
    text: NonEmpty


# --- the evaluator's vocabulary: what a condition can test -------------------------------


class CitizenshipTest(_Strict):
    """Holds a citizenship of `country` on the date (optionally acquired in one of `acquired`)."""

    fact: Literal["citizenship"]
    country: Country
    acquired: Optional[list[Literal["birth", "naturalization", "other"]]] = None


class OtherCitizenshipTest(_Strict):
    """Holds a citizenship of some country other than `than` on the date."""

    fact: Literal["other-citizenship"]
    than: Country


class StatelessTest(_Strict):
    """Holds no citizenship on the date."""

    fact: Literal["stateless"]


class NonCitizenTest(_Strict):
    """Does not hold the citizenship of `of`; for a stateless person the law's words decide."""

    fact: Literal["non-citizen"]
    of: Country
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
    country: Optional[Country] = None
    outside_of: Optional[Country] = None
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
    country: Country
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
    country: Country
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


class Author(_Strict):
    """Who wrote a source, as its byline prints it: a person (`given` and `family` names) or a body
    or desk (`name`, kept whole)."""

    given: Optional[NonEmpty] = None
    family: Optional[NonEmpty] = None
    name: Optional[NonEmpty] = None

    @model_validator(mode="after")
    def _one_form(self) -> "Author":
        if (self.name is None) == (self.family is None):
            raise ValueError("expected a person's family (and given) name or a body's name, not both nor neither")
        if self.given is not None and self.family is None:
            raise ValueError("family: expected a family name alongside the given name, got none")
        return self


class Source(_Strict):
    """A source the rule base cites: an article, an act, an official notice, ...

    `kind` says how close it stands to the act (act, official, report, retrospective, derived);
    where it stands differently to different provisions (a report of one act that mentions
    another in passing), `kind_for` names the provisions it stands otherwise to."""

    id: NonEmpty
    file: Optional[NonEmpty] = None  # its text in the sources folder; none for a reference
    outlet: NonEmpty  # the publisher, as far as the text shows
    # the source's own headline, or, in square brackets, a description of ours where the record
    # does not give it (`described`)
    headline: NonEmpty
    authors: list[Author] = []  # the byline, where the source prints one
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
    def described(self) -> bool:
        """Whether the headline is a description of ours (written in square brackets), not the
        source's own."""
        return self.headline.startswith("[") and self.headline.endswith("]")

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


@dataclass(frozen=True)
class Reviewed:
    """The day the rule base's sources were last reviewed (its horizon), and what that rests on."""

    day: date
    note: str
