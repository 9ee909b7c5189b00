"""The report `check` produces: what the text view shows and `--format json` prints.

The JSON schema is documented in docs/report.md; `Report.model_json_schema()`
gives it in machine-readable form.
"""

# No `from __future__ import annotations` here: pydantic then reads the annotations as
# objects rather than evaluating strings when the models are built, at every start.
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from eligibility.foundations.vocabulary import (
    CAVEAT_WORDS,
    STATUSES,
    UNKNOWN_WORDS,
    About,
    CaveatKind,
    EffectKind,
    EvidenceUse,
    Follows,
    Held,
    Meaning,
    SourceKind,
    Status,
    Sure,
    UnknownKind,
    Value,
    meaning,
)

__all__ = ["STATUSES", "UNKNOWN_WORDS", "Held", "Status", "UnknownKind", "Value"]


class Out(BaseModel):
    """The base of every output model (reports, timelines, diffs, what-if, scenario runs): frozen,
    and refusing fields it does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CitationOut(Out):
    source: str
    kind: SourceKind  # how close the source stands to the act of the provision cited for
    outlet: str
    published: str
    quote: Optional[str]  # None: a reference, whose text the rule base does not hold
    rendering: Optional[str] = None  # an English rendering of a quote in another language, ours
    address: Optional[str] = None


class ConditionOut(Out):
    id: str
    says: str
    value: Held
    facts: list[str]
    missing: list[str]
    note: Optional[str] = None
    # how it counts: "required" (holding it helps), "excludes" (it stands under a `not`: holding it
    # rules the person out), or "either"
    counts: Literal["required", "excludes", "either"] = "required"
    citations: list[CitationOut] = []


class InForceOut(Out):
    value: Value
    explanation: str
    stage: Optional[str]
    stage_label: Optional[str]
    date: Optional[str]
    precision: Optional[Literal["day", "month", "year", "window"]]
    citations: list[CitationOut]


class EffectOut(Out):
    kind: EffectKind  # grants, exempts, protects (a benefit); imposes, bars, limits (a burden)
    text: str


class CarrierOut(Out):
    member: str
    relation: str
    label: Optional[str]
    provision: str


class UnknownOut(Out):
    kind: UnknownKind
    about: str  # a condition id, or "in_force"
    route: Optional[str] = None  # the route it belongs to, when not the provision's own terms
    detail: str
    fields: list[str] = []  # missing_fact: the profile fields left out


class _AlternativeOut(Out):
    """What a route and a reading share: whose account it follows, and its own verdict."""

    id: str
    follows: str
    summary: str
    status: Status
    would_qualify: Value
    in_force: InForceOut
    citations: list[CitationOut]


class RouteOut(_AlternativeOut):
    conditions: list[str]  # the ids of the conditions this route reads (listed under the provision)


class ReadingOut(_AlternativeOut):
    conditions: list[ConditionOut]
    missing: list[str]


class FactOut(Out):
    """One fact a finding of the record rests on, and how sure record.md says it is."""

    fact: str
    sure: Sure


class DiscrepancyOut(Out):
    """Where the official record and the articles disagree on a provision, or the record adds to
    them: what it is about, each side in words, how sure the record is, the sources of both sides
    (the articles' first), and which side the judgement follows under the evidence used."""

    about: About
    relation: Literal["contradicts", "adds"]
    articles: str
    record: str
    sure: Sure  # as sure as the weakest fact it rests on
    rests_on: list[FactOut] = []
    sources: list[CitationOut]
    follows: Follows
    why: str


class DiscrepancyRow(Out):
    """One line of the rule base's table of discrepancies (`rules discrepancies`)."""

    provision: str
    title: str
    about: About
    relation: Literal["contradicts", "adds"]
    articles: str
    record: str
    sure: Sure  # as sure as the weakest fact it rests on
    rests_on: list[FactOut] = []
    follows: Follows  # which side the default judgement follows (neither: left open)
    articles_sources: list[str]  # source ids
    record_sources: list[str]


class DiscrepancyTable(Out):
    rule_base: str
    evidence: str  # always "all": the findings as the default judgement weighs them
    known_on: Optional[str] = None  # only the findings the sources published by this day show
    rows: list[DiscrepancyRow]


class DecidedOut(Out):
    """What decided a status, for the summary and for footnotes: the in-force stage and its date
    (for `applies` and `not_in_force`), or the condition (for `does_not_apply` and
    `undetermined`), with the first source cited for it."""

    what: str  # the stage's label, or the condition's words, or "in force" when nothing more is known
    date: Optional[str] = None  # the stage's date as the sources give it (a month, a window, a day)
    source: Optional[str] = None  # a source id


class CaveatOut(Out):
    """A matter this answer does not judge that could change it: its kind, the matter in one line,
    and why it is not judged."""

    kind: CaveatKind
    text: str
    detail: str


class HorizonOut(Out):
    """The day the rule base's sources were last reviewed, and whether the report's day is after
    it (then a later act, not known here, could change any answer)."""

    sources_reviewed: str
    beyond: bool

    def line(self, day: str) -> Optional[str]:
        """What every view says when the day it answers for is past the horizon (None before it)."""
        if not self.beyond:
            return None
        return (
            f"horizon: the sources were last reviewed on {self.sources_reviewed}; {day} is after it, so acts of "
            "later days are not known and could change any answer"
        )


class ProvisionOut(Out):
    id: str
    title: str
    jurisdiction: str
    status: Status
    reason: str
    summary: str = ""  # the reason in one short line (the first failing condition, the first unknown, ...)
    # undetermined only through the person's relatives (a family condition: a relative's own
    # provision), not for want of a fact of the person's own; the summaries group these apart
    on_relatives: bool = False
    decided_by: Optional[DecidedOut] = None
    effect: EffectOut
    would_qualify: Value
    in_force: InForceOut
    conditions: list[ConditionOut]
    missing: list[str]
    unknowns: list[UnknownOut] = []
    citations: list[CitationOut]
    carried_by: list[CarrierOut] = []
    routes: list[RouteOut] = []
    other_readings: list[ReadingOut] = []
    discrepancies: list[DiscrepancyOut] = []
    caveats: list[CaveatOut] = []
    engine_rule: str

    @property
    def meaning(self) -> Meaning:
        """The status as it bears on the person: an `applies` is a benefit or a burden."""
        return meaning(self.status, self.effect.kind)

    def caveat_line(self) -> str:
        """The caveats in one line for a summary ("" where none): not the horizon (the heading says
        it), nor a caveat the one-line reason already names."""
        kept = [c for c in self.caveats if c.kind != "horizon" and c.text not in self.summary]
        return "; ".join(f"{CAVEAT_WORDS[c.kind]}: {c.text}" for c in kept)


class UnreportedOut(Out):
    """A provision left out under `known_on`: no article on it was published by that day."""

    id: str
    title: str
    first_reported: Optional[str]  # the day its article was (certainly) published


class Report(Out):
    profile: str
    on: str
    rule_base: str
    evidence: EvidenceUse = "all"
    known_on: Optional[str] = None
    provisions: list[ProvisionOut]
    not_yet_reported: list[UnreportedOut] = []
    horizon: Optional[HorizonOut] = None
    # the provisions of the whole rule base (whatever a view shows) on which the record contradicts
    # the articles, under the evidence used
    contradicted: int = 0

    def provision(self, provision_id: str) -> ProvisionOut:
        for item in self.provisions:
            if item.id == provision_id:
                return item
        raise KeyError(f"no provision {provision_id!r} in the report")

    def status(self, provision_id: str) -> str:
        return self.provision(provision_id).status

    def statuses(self) -> dict[str, str]:
        return {item.id: item.status for item in self.provisions}

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per provision (the columns of `check --format csv`), for a data frame."""
        from eligibility.explaining.tables import report_rows

        return report_rows(self)

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (pandas is not a dependency: install it to use this)."""
        from eligibility.explaining.tables import REPORT_COLUMNS, frame

        return frame(self.rows(), REPORT_COLUMNS)


# --- the catalogue (`rules list --format json`) ------------------------------------------------


class StageOut(Out):
    kind: str
    date: str
    precision: Literal["day", "month", "year", "window"]


class InForceRuleOut(Out):
    start: str = Field(serialization_alias="from")  # the stage it is in force from
    until: Optional[str]
    start_unknown: bool  # in force unknown (not false) before the start


class CatalogueEntry(Out):
    id: str
    title: str
    jurisdiction: str
    stages: list[StageOut]
    in_force: InForceRuleOut
    routes: list[str] = []
    readings: list[str] = []
