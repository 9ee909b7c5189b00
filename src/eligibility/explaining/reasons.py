"""Explaining judgements: the reasons, citations and report models that `check` prints.

The evaluator (evaluation.py) judges; this module turns its judgements into words and into the
report models of report.py, reading the rule base only for the sources of citations.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from eligibility.explaining.report import (
    CarrierOut,
    CaveatOut,
    CitationOut,
    ConditionOut,
    DecidedOut,
    DiscrepancyOut,
    DiscrepancyRow,
    DiscrepancyTable,
    EffectOut,
    FactOut,
    HorizonOut,
    InForceOut,
    ProvisionOut,
    ReadingOut,
    Report,
    RouteOut,
    UnknownOut,
    UnreportedOut,
)
from eligibility.foundations import logic
from eligibility.foundations.errors import required
from eligibility.foundations.logic import Truth
from eligibility.foundations.vocabulary import (
    CAVEAT_BEARS_ON,
    CAVEAT_OF_KIND,
    UNKNOWN_WORDS,
    CaveatKind,
    Status,
    UnknownKind,
)
from eligibility.judging.evaluation import HELD, Evaluator, Judgement, unknowns
from eligibility.judging.in_force import Validity
from eligibility.law.rulebase import Judged, Route, RuleBase
from eligibility.law.schema import Alternative, Citation, FamilyTest, Finding, NotModelled
from eligibility.people.profile import Profile


def _bearing(judgement: Judgement) -> list[NotModelled]:
    """The provision's unjudged matters that bear on this judgement: those of the provision, and
    those of a route that may be in force on the day and may qualify the person."""
    # a route out of force, or whose conditions the person certainly fails, cannot be changed by
    # what it leaves unjudged
    closed = {
        route.id
        for route, judged in zip(judgement.item.routes, judgement.per_route, strict=True)
        if route.id is not None and Truth.FALSE in (judged.validity.value, judged.conditions)
    }
    return [m for m in judgement.item.provision.not_modelled if m.route is None or m.route not in closed]


def caveats(judgement: Judgement) -> list[tuple[CaveatKind, str, str]]:
    """The matters a provision leaves unjudged that could change this judgement's status: (kind,
    the matter in one line, why it is not judged)."""
    found = []
    for matter in _bearing(judgement):
        kind = CAVEAT_OF_KIND[matter.kind]
        if judgement.status in CAVEAT_BEARS_ON[kind]:
            found.append((kind, matter.matter, matter.why))
    return found


def unjudged(judgement: Judgement) -> list[str]:
    """The conditions of the act the profile cannot answer that bear on it, in one line each."""
    return [m.matter for m in _bearing(judgement) if m.kind == "condition"]


def words(item: Judged, expr: logic.Expr) -> str:
    """A condition, or a combination of them, in the law's words."""
    if isinstance(expr, logic.Ref):
        return item.condition_map[expr.name].says
    if isinstance(expr, logic.Not):
        return f"not: {words(item, expr.part)}"
    if isinstance(expr, logic.Const):
        return expr.value.word
    joiner = ", and " if isinstance(expr, logic.All) else ", or "
    return joiner.join(words(item, part) for part in expr.parts)


def against(item: Judged, expr: logic.Expr, judgement: Judgement) -> list[str]:
    """What makes an expression false for the person, in words: "fails 'X'" for a condition the
    law requires, "excluded by 'X'" for one (or a combination) that rules the person out (under a
    `not`)."""
    values = {name: judgement.findings[name].value for name in logic.names(expr)}
    return [
        f"fails '{words(item, part)}'" if required_ else f"excluded by '{words(item, part)}'"
        for part, required_ in logic.deciding(expr, values)
    ]


class Explainer:
    """The words and models for the judgements of one rule base."""

    def __init__(self, rules: RuleBase):
        self.rules = rules

    def citation(self, citation: Citation, of: Optional[str] = None) -> CitationOut:
        """A citation as the report shows it; `of`, the provision it is cited for, decides the
        source's kind where the source stands differently to different provisions."""
        source = self.rules.sources[citation.source]
        return CitationOut(
            source=source.id,
            kind=source.kind_of(of),
            outlet=source.outlet,
            published=source.published.written() if source.published is not None else "date not known",
            quote=citation.quote,
            rendering=citation.rendering,
            address=source.address,
        )

    def _in_force(self, v: Validity, of: str) -> InForceOut:
        return InForceOut(
            value=v.value.word,
            explanation=v.explanation,
            stage=v.stage.kind if v.stage else None,
            stage_label=v.stage.label if v.stage else None,
            date=v.stage.date.written() if v.stage else None,
            precision=v.stage.date.precision if v.stage else None,
            citations=[self.citation(c, of) for c in v.citations],
        )

    def _conditions(self, judgement: Judgement) -> list[ConditionOut]:
        out = []
        counts = logic.polarity(judgement.item.expr)
        for name in logic.names(judgement.item.expr):
            condition = judgement.item.condition_map[name]
            f = judgement.findings[name]
            out.append(
                ConditionOut(
                    id=name,
                    says=condition.says,
                    value=HELD[f.value],
                    facts=list(f.facts),
                    missing=list(f.missing),
                    note=f.note or f.imprecise,
                    counts=counts.get(name, "required"),
                    citations=[self.citation(c, judgement.item.provision.id) for c in condition.cite],
                )
            )
        return out

    def _unknowns(self, judgement: Judgement) -> list[UnknownOut]:
        return [
            UnknownOut(kind=u.kind, about=u.about, route=u.route, detail=u.detail, fields=list(u.fields))
            for u in unknowns(judgement)
        ]

    def _alternative(
        self, alternative: Alternative, status: Status, would: Truth, validity: Validity, of: str
    ) -> dict[str, Any]:
        """What a route's and a reading's output share: whose account, and its own verdict."""
        return dict(
            id=alternative.id,
            follows=alternative.follows,
            summary=alternative.summary,
            status=status,
            would_qualify=would.word,
            in_force=self._in_force(validity, of),
            citations=[self.citation(c, of) for c in alternative.cite],
        )

    def _routes(self, judgement: Judgement) -> list[RouteOut]:
        out = []
        for route, judged in zip(judgement.item.routes[1:], judgement.per_route[1:], strict=True):
            alternative = required(route.alternative, "an added route's rule data")
            shared = self._alternative(
                alternative, judged.status, judged.conditions, judged.validity, judgement.item.provision.id
            )
            out.append(RouteOut(**shared, conditions=logic.names(route.expr)))
        return out

    def _reading(self, judgement: Judgement) -> ReadingOut:
        reading = required(judgement.item.reading, "a reading's rule data")
        shared = self._alternative(
            reading, judgement.status, judgement.would_qualify, judgement.validity, judgement.item.provision.id
        )
        return ReadingOut(**shared, conditions=self._conditions(judgement), missing=judgement.missing)

    def _decided_by(self, judgement: Judgement) -> DecidedOut:
        """The stage (in force, or certainly not) or the condition (failed, or unknown) that decided
        the status, with the first source cited for it."""
        item, v = judgement.item, judgement.validity
        if judgement.status == "does_not_apply":
            values = {name: judgement.findings[name].value for name in item.names}
            for part, required_ in logic.deciding(item.expr, values):
                sourced = [c for n in logic.names(part) for c in item.condition_map[n].cite]
                what = words(item, part) if required_ else f"excluded by: {words(item, part)}"
                return DecidedOut(what=what, source=sourced[0].source if sourced else None)
        if judgement.status == "undetermined":
            for name in logic.names(item.expr):
                if judgement.findings[name].value is Truth.UNKNOWN:
                    condition = item.condition_map[name]
                    return DecidedOut(what=condition.says, source=condition.cite[0].source if condition.cite else None)
        if v.stage is None:
            return DecidedOut(what="in force" if v.value is Truth.TRUE else "not in force")
        cited = v.citations[0].source if v.citations else None
        return DecidedOut(what=v.stage.label, date=v.stage.date.written(), source=cited)

    def _full_reason(self, judgement: Judgement, readings: list[Judgement], day: date) -> str:
        text = reason(judgement, day)
        for state in self.rules.record.get(judgement.item.provision.id, ()):
            if state.follows == "neither":  # the question is left open: say which way the evidence leans
                text += f" Left open ({state.finding.about}): {state.why}."
        for other in readings:
            reading = required(other.item.reading, "a reading's rule data")
            if other.status != judgement.status:
                text += f" The {reading.id} reading ({reading.follows}) gives {other.status.replace('_', ' ')}."
        return text

    def report(
        self, judgements: dict[str, Judgement], profile: Profile, day: date, label: Optional[str] = None
    ) -> Report:
        """The report of a profile's judgements on a day, every provision of the rule base."""
        provisions = []
        reviewed = self.rules.reviewed
        beyond = reviewed is not None and day > reviewed.day
        for provision_id, provision in self.rules.provisions.items():
            judgement = judgements[provision_id]
            readings = [judgements[r.key] for r in self.rules.readings_of(provision_id)]
            carried = judgement.carriers if judgement.status == "applies" else []
            provisions.append(
                ProvisionOut(
                    id=provision_id,
                    title=provision.title,
                    jurisdiction=provision.jurisdiction,
                    status=judgement.status,
                    reason=self._full_reason(judgement, readings, day),
                    summary=short_reason(judgement),
                    on_relatives=on_relatives(judgement),
                    decided_by=self._decided_by(judgement),
                    effect=EffectOut(kind=provision.effect.kind, text=provision.effect.text),
                    would_qualify=judgement.would_qualify.word,
                    in_force=self._in_force(judgement.validity, provision_id),
                    conditions=self._conditions(judgement),
                    missing=judgement.missing,
                    unknowns=self._unknowns(judgement),
                    citations=[self.citation(c, provision_id) for c in provision.cite],
                    carried_by=[
                        CarrierOut(member=c.member, relation=c.relation, label=c.label, provision=c.provision)
                        for c in carried
                    ],
                    routes=self._routes(judgement),
                    other_readings=[self._reading(r) for r in readings],
                    discrepancies=self.discrepancies(provision_id),
                    caveats=self.caveats(judgement, beyond),
                    engine_rule=judgement.engine_rule,
                )
            )
        evidence = self.rules.evidence
        return Report(
            profile=label or profile.label(),
            on=day.isoformat(),
            rule_base=self.rules.digest,
            evidence=evidence.use,
            known_on=evidence.known_on.isoformat() if evidence.known_on else None,
            provisions=provisions,
            not_yet_reported=self.unreported(),
            horizon=horizon(self.rules, day),
            contradicted=self.contradicted(),
        )

    def contradicted(self) -> int:
        """The provisions of the whole rule base on which the record contradicts the articles."""
        return sum(
            1
            for states in self.rules.record.values()
            if any(state.finding.relation == "contradicts" for state in states)
        )

    def caveats(self, judgement: Judgement, beyond: bool) -> list[CaveatOut]:
        """What this answer does not judge and could change it (docs/report.md, "Caveats")."""
        out = [CaveatOut(kind=kind, text=text, detail=why) for kind, text, why in caveats(judgement)]
        reviewed = self.rules.reviewed
        if beyond and reviewed is not None:
            out.append(
                CaveatOut(
                    kind="horizon",
                    text=f"acts after {reviewed.day.isoformat()} (the sources' horizon) are not known",
                    detail=reviewed.note,
                )
            )
        return out

    def discrepancies(self, provision_id: str) -> list[DiscrepancyOut]:
        """The record's findings on a provision, as known under the evidence used."""
        provision = self.rules.provisions[provision_id]
        out = []
        for state in self.rules.record.get(provision_id, ()):
            finding = state.finding
            theirs = finding.articles_cite or provision.cite
            out.append(
                DiscrepancyOut(
                    about=finding.about,
                    relation=finding.relation,
                    articles=finding.articles,
                    record=finding.record,
                    sure=finding.sure,
                    rests_on=_facts(finding),
                    sources=[self.citation(c, provision_id) for c in [*theirs, *finding.cite]],
                    follows=state.follows,
                    why=state.why,
                )
            )
        return out

    def discrepancy_table(self) -> DiscrepancyTable:
        """Every finding of the record on every provision, one row each, as the default judgement
        (all sources) weighs it."""
        rows = []
        for provision_id in self.rules.provisions:
            for state in self.rules.record.get(provision_id, ()):
                finding = state.finding
                rows.append(
                    DiscrepancyRow(
                        provision=provision_id,
                        title=self.rules.written[provision_id].title,
                        about=finding.about,
                        relation=finding.relation,
                        articles=finding.articles,
                        record=finding.record,
                        sure=finding.sure,
                        rests_on=_facts(finding),
                        follows=state.follows,
                        articles_sources=list(
                            dict.fromkeys(
                                c.source for c in finding.articles_cite or self.rules.written[provision_id].cite
                            )
                        ),
                        record_sources=list(dict.fromkeys(c.source for c in finding.cite)),
                    )
                )
        known_on = self.rules.evidence.known_on
        return DiscrepancyTable(
            rule_base=self.rules.digest,
            evidence=self.rules.evidence.use,
            known_on=known_on.isoformat() if known_on else None,
            rows=rows,
        )

    def unreported(self) -> list[UnreportedOut]:
        return [
            UnreportedOut(
                id=provision_id,
                title=self.rules.written[provision_id].title,
                first_reported=day.isoformat() if day is not None and day != date.max else None,
            )
            for provision_id, day in self.rules.unreported.items()
        ]


def _facts(finding: Finding) -> list[FactOut]:
    """The facts a finding rests on, as the report shows them."""
    return [FactOut(fact=f.fact, sure=f.sure) for f in finding.rests_on]


def horizon(rules: RuleBase, day: date) -> Optional[HorizonOut]:
    """The sources' horizon, and whether a day (the last day a view answers for) is past it."""
    reviewed = rules.reviewed
    if reviewed is None:
        return None
    return HorizonOut(sources_reviewed=reviewed.day.isoformat(), beyond=day > reviewed.day)


_explainers: dict[str, Explainer] = {}


def explainer(rules: RuleBase) -> Explainer:
    found = _explainers.get(rules.digest)
    if found is None:
        found = _explainers[rules.digest] = Explainer(rules)
    return found


def check(evaluator: Evaluator, profile: Profile, day: date, label: Optional[str] = None) -> Report:
    """Judge every provision for a profile on a day, and explain each: the report `check` prints."""
    return explainer(evaluator.rules).report(evaluator.judge(profile, day), profile, day, label)


def _route_name(route: Route) -> str:
    if route.alternative is None:
        return "the provision's own terms"
    return f"the route {route.id} ({route.alternative.follows})"


def shortened_text(text: str, room: int) -> str:
    """At most `room` characters, cut at a word where there is one late enough, with '…' where
    cut (the summaries; the short report's facts and heading)."""
    if len(text) <= room:
        return text
    cut = text[: room - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[room // 2 :] else cut).rstrip(",;:") + "…"


def on_relatives(judgement: Judgement) -> bool:
    """Whether an undetermined answer is open only through the person's relatives: every unknown
    is a family condition (a relative's own provision), none a fact of the person's own."""
    if judgement.status != "undetermined":
        return False
    found = unknowns(judgement)
    conditions = judgement.item.condition_map
    return bool(found) and all(
        u.about in conditions and isinstance(conditions[u.about].test, FamilyTest) for u in found
    )


SHORT = 200  # characters of an unknown's detail in the one-line summary
RELATIVES = "depends on a relative's service"
RELATIVE_OWN = "depends on a relative's own case"  # the gap is a relative's fact other than the service


def short_reason(judgement: Judgement) -> str:
    """The reason in one short line: what the summary of a report shows beside the status."""
    item, status = judgement.item, judgement.status
    v = judgement.validity
    when = f"{v.stage.label} {v.stage.date.written()}" if v.stage is not None else ""
    if status == "not_in_force":  # why, as the in-force answer says it in a few words
        return v.short
    if status == "applies":
        since = f"in force ({when})" if when else "in force"
        unasked = unjudged(judgement)
        holds = "every condition the profile can answer holds" if unasked else "every condition holds"
        if judgement.carriers:
            first = judgement.carriers[0]
            holds += f", carried by {first.member} ({first.relation})"
        tail = f"; not judged: {'; '.join(unasked)}" if unasked else ""
        return f"{holds}; {since}{tail}"
    if status == "does_not_apply":
        failed = against(item, item.expr, judgement)
        if not failed:  # every route that could qualify the person is out of force
            return "no route that would qualify the person is in force"
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        return f"{failed[0]}{more}"
    found = unknowns(judgement)
    if not found:
        return "not every fact is known"
    unknown = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    detail = ", ".join(unknown.fields) if unknown.kind == "missing_fact" and unknown.fields else unknown.detail
    detail = shortened_text(detail, SHORT)  # one short line: the full reason keeps every word
    if on_relatives(judgement):  # not a fact of the person's own: say whose
        if list(unknown.fields) == ["family"]:
            return f"{RELATIVES}: the profile does not list the family (family){more}"
        service = any(".service" in f for u in found for f in u.fields) or not any(u.fields for u in found)
        return f"{RELATIVES if service else RELATIVE_OWN}: {detail.rstrip('.')}{more}"
    return f"{UNKNOWN_WORDS[unknown.kind]}: {detail.rstrip('.')}{more}"


def reason(judgement: Judgement, day: date) -> str:
    """The one-line reason for a judgement's status."""
    item = judgement.item
    would = {
        Truth.TRUE: "would qualify",
        Truth.FALSE: "would not qualify",
        Truth.UNKNOWN: "might qualify (not every fact is known)",
    }[judgement.would_qualify]
    several = len(item.routes) > 1
    if judgement.status == "not_in_force":
        return f"{judgement.validity.explanation} The person {would} if it were."
    if judgement.status == "does_not_apply":
        parts = []
        for route, judged in zip(item.routes, judgement.per_route, strict=True):
            where = f"under {_route_name(route)}, " if several else ""
            if judged.validity.value is Truth.FALSE:
                parts.append(f"{where}not in force ({judged.validity.explanation.rstrip('.')})")
            else:
                parts.append(where + "; ".join(against(item, route.expr, judgement)))
        return "Does not apply: " + "; and ".join(parts) + "."
    if judgement.status == "undetermined":
        parts = []
        for route, judged in zip(item.routes, judgement.per_route, strict=True):
            if several and judged.qualifies is Truth.FALSE:
                why = (
                    "it is not in force"
                    if judged.validity.value is Truth.FALSE
                    else "; ".join(against(item, route.expr, judgement))
                )
                parts.append(f"under {_route_name(route)}, {why}")
        grouped: dict[tuple[Optional[str], UnknownKind], list[str]] = {}
        for u in unknowns(judgement):
            grouped.setdefault((u.route, u.kind), []).append(u.detail.rstrip("."))
        for (route_id, kind), details in grouped.items():
            where = f"under {_route_name(next(r for r in item.routes if r.id == route_id))}, " if several else ""
            words = UNKNOWN_WORDS[kind]
            if kind == "missing_fact" and len(details) > 1:
                words, details = "facts missing from the profile", [", ".join(details)]
            parts.extend(f"{where}{words}: {detail}" for detail in details)
        return "Undetermined: " + "; and ".join(parts) + "."
    carried = ""
    if several:
        route = next(r for r, j in zip(item.routes, judgement.per_route, strict=True) if j.qualifies is Truth.TRUE)
        carried = f" under {_route_name(route)}"
    unasked = unjudged(judgement)
    holds = "every condition the profile can answer holds" if unasked else "every condition holds"
    tail = f" Not judged: {'; '.join(unasked)}." if unasked else ""
    if judgement.carriers:
        first = judgement.carriers[0]
        return (
            f"Applies: in force and {holds}{carried}; carried by {first.member} ({first.relation}"
            f"{', ' + first.label if first.label else ''}) under {first.provision}.{tail}"
        )
    return f"Applies: in force and {holds}{carried}.{tail}"
