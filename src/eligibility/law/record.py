"""The articles and the official record: which account of a provision is judged.

A provision file gives the articles' account (its body, routes and readings, citing the articles
only) and, under `[[record]]`, the findings of the official record: where the record contradicts
the articles or adds to them, each with its sources, how sure it is, and (`set`) the provision as
the record has it.  An `Evidence` says which sources the judgement may use:

- `use = "articles"`: the articles only (what the press reported);
- `use = "all"` (the default): the record's findings are merged over the articles' account, each
  where it may be: a finding that adds to the articles always; one that contradicts them only
  where it is strictly surer than the articles' own evidence (act > official > agreeing reports >
  a report of the day > a retrospective mention > derived or inferred; a finding is as sure as
  the weakest fact it rests on).  Where it is not, neither side overrules the other: the
  finding's `open` account is merged instead, which leaves the question open (both sides shown,
  undetermined where they differ), and `leans` says which way the evidence leans and why;
- `known_on = DAY`: only sources published on or before that day (their latest possible day of
  publication) count: a provision whose articles were not yet published is left out ("not yet
  reported"), and so is a route or a reading none of whose articles was, and a finding whose
  sources published by then do not yet bear out how sure it is.

`account` builds one provision's account as raw rule-file data; the loader validates and compiles
it exactly as it does a file.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from pydantic import BaseModel

from eligibility.foundations.dates import DateSpec, parse_spec
from eligibility.foundations.vocabulary import CLOSENESS, EvidenceUse, Follows, bears_out
from eligibility.law.schema import STAGE_ORDER, Citation, Finding, Provision, Source


def _merge_rules() -> tuple[dict[str, str], frozenset[str]]:
    """How a finding's `set` merges into each list of a provision, read from the rule schema: a
    list of tables that name themselves (by an `id`, or a stage by its `kind`) is merged by that
    key (an entry replaces the one with the same key, or is added; with `drop = true` it removes
    it); a list of plain words (`notes`) is replaced whole, since the articles' notes explain the
    articles' account and the record's account says its own; any other list (citations, findings)
    is extended.  Tables and values are replaced."""
    keyed: dict[str, str] = {}
    replaced: set[str] = set()
    for name, info in Provision.model_fields.items():
        if typing.get_origin(info.annotation) is not list:
            continue
        (item,) = typing.get_args(info.annotation)
        if not (isinstance(item, type) and issubclass(item, BaseModel)):
            replaced.add(info.alias or name)
        elif key := next((k for k in ("id", "kind") if k in item.model_fields), None):
            keyed[info.alias or name] = key
    return keyed, frozenset(replaced)


KEYED, REPLACED = _merge_rules()


@dataclass(frozen=True)
class Evidence:
    """Which sources a judgement may use."""

    use: EvidenceUse = "all"
    known_on: Optional[date] = None

    @property
    def key(self) -> str:
        return f"{self.use}@{self.known_on.isoformat() if self.known_on else 'now'}"

    def words(self) -> str:
        which = "the articles only" if self.use == "articles" else "the articles and the official record"
        return f"{which}, as known on {self.known_on.isoformat()}" if self.known_on else which


@dataclass(frozen=True)
class FindingState:
    """A finding of the record and what became of it under one Evidence."""

    index: int
    finding: Finding
    follows: Follows  # which side the judgement follows (neither: the question is left open)
    why: str  # in words, why it follows that side


def published_by(citations: Iterable[Citation], sources: Mapping[str, Source], day: Optional[date]) -> bool:
    """Whether every source cited was certainly published by the day (no day: always)."""
    if day is None:
        return True
    return all(c.source in sources and sources[c.source].latest_day() <= day for c in citations)


def known_by(finding: Finding, sources: Mapping[str, Source], day: Optional[date]) -> bool:
    """Whether a finding could be known on the day: the articles it answers were published, and
    the record's sources published by then already bear out its sureness (for a finding derived or
    inferred: all of them were)."""
    if day is None:
        return True
    if not published_by(finding.articles_cite, sources, day):
        return False
    if any(spec.earliest > day for spec in _stage_dates(finding.set)):
        return False  # it dates a stage after the day: nobody could know of it yet
    if finding.sure in ("derived", "inferred"):
        return published_by(finding.cite, sources, day)
    kinds = [kind for c in finding.cite if published_by([c], sources, day) for kind in sources[c.source].kinds()]
    return bears_out(finding.sure, kinds)


def _stage_dates(changes: Mapping[str, Any]) -> list[DateSpec]:
    """The dates of the stages a finding's `set` reports (its own, and its routes'), derived ones aside."""
    found = []
    for stage in changes.get("stages", []):
        # a derived date (ten days after publication) is worked out, and can be known before it comes
        if isinstance(stage, dict) and isinstance(stage.get("date"), str) and "derived" not in stage:
            try:
                found.append(parse_spec(stage["date"]))
            except ValueError:
                continue  # the loader reports a malformed date
    for route in changes.get("routes", []):
        if isinstance(route, dict):
            found.extend(_stage_dates(route))
    return found


def first_reported(citations: Iterable[Citation], sources: Mapping[str, Source]) -> Optional[date]:
    """The first day on which one of the sources cited had certainly been published."""
    days = [sources[c.source].latest_day() for c in citations if c.source in sources]
    return min(days) if days else None


def reported_by(citations: Iterable[Citation], sources: Mapping[str, Source], day: Optional[date]) -> bool:
    """Whether some article reporting it was certainly published by the day (no day: always)."""
    found = first_reported(citations, sources)
    return day is None or (found is not None and found <= day)


def articles_closeness(provision: Provision, sources: Mapping[str, Source], finding: Finding) -> int:
    """How close the articles' side of a finding stands to the act (smaller is closer)."""
    cites = finding.articles_cite or list(provision.cite) + [c for s in provision.stages for c in s.cite]
    ranks = [CLOSENESS[sources[c.source].kind_of(provision.id)] for c in cites if c.source in sources]
    return min(ranks, default=CLOSENESS["inferred"])


class Unsettled(ValueError):
    """A finding that may not be followed and has no account with the question left open."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def closeness_word(rank: int) -> str:
    """The kind of evidence at a rank of closeness to the act (the articles' side)."""
    return next(word for word, value in CLOSENESS.items() if value == rank)


def merge(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The rule-file data with a finding's `set` merged over it (see KEYED).  A new table at the
    top and new arrays where entries change; the values themselves are shared with the file's
    data, which nothing changes once read."""
    out = dict(data)
    for name, value in changes.items():
        if name in KEYED and isinstance(value, list):
            key = KEYED[name]
            items = list(out.get(name, []))
            for entry in value:
                if not isinstance(entry, dict) or key not in entry:
                    raise ValueError(f"set.{name}: expected tables each with a {key!r}, got {entry!r}")
                entry = dict(entry)
                drop = entry.pop("drop", False)
                place = next((i for i, old in enumerate(items) if old.get(key) == entry[key]), None)
                if drop:
                    if place is None:
                        raise ValueError(f"set.{name}: expected an entry {entry[key]!r} to drop, found none")
                    del items[place]
                elif place is None:
                    items.append(entry)
                else:
                    items[place] = entry
            if name == "stages":
                items.sort(key=lambda stage: STAGE_ORDER.get(str(stage.get("kind")), 0))
            out[name] = items
        elif isinstance(value, list) and isinstance(out.get(name), list) and name not in REPLACED:
            out[name] = out[name] + value
        else:
            out[name] = value
    return out


def account(
    data: Mapping[str, Any], provision: Provision, sources: Mapping[str, Source], evidence: Evidence
) -> tuple[Optional[dict[str, Any]], list[FindingState]]:
    """One provision's account under the evidence, as rule-file data (None: not yet reported on
    `known_on`), and the state of each finding still known then."""
    day = evidence.known_on
    if not reported_by(provision.cite, sources, day):
        return None, []
    out = {name: value for name, value in data.items() if name != "record"}
    for name in ("routes", "readings"):
        kept = [
            raw
            for raw, alternative in zip(out.get(name, []), getattr(provision, name), strict=True)
            if reported_by(alternative.cite, sources, day)
        ]
        if name in out:
            out[name] = kept
    states: list[FindingState] = []
    raw_findings = list(data.get("record", []))
    for index, finding in enumerate(provision.record):
        if not known_by(finding, sources, day):
            continue
        if evidence.use == "articles":
            states.append(FindingState(index, finding, "articles", "judged on the articles only"))
            continue
        if finding.relation == "contradicts":
            theirs = articles_closeness(provision, sources, finding)
            if CLOSENESS[finding.sure] >= theirs:
                if not finding.open:
                    raise Unsettled(
                        f"record[{index}].open",
                        f"expected the account with the question left open (and `leans`): the record's finding is "
                        f"{finding.sure!r}, not strictly surer than the articles' {closeness_word(theirs)!r}, so it "
                        "cannot overrule them",
                    )
                why = (
                    f"the record's finding ({finding.sure}) is not strictly surer than the articles "
                    f"({closeness_word(theirs)}), so neither overrules the other: the question is left open"
                )
                if finding.leans:
                    why += f"; the evidence leans {finding.leans.rstrip('.')}"
                states.append(FindingState(index, finding, "neither", why))
                out = merge(out, raw_findings[index].get("open", {}))
                continue
            why = (
                f"the record's finding ({finding.sure}) is strictly surer than the articles ({closeness_word(theirs)})"
            )
        else:
            why = "the record adds to the articles"
        states.append(FindingState(index, finding, "record", why))
        out = merge(out, raw_findings[index].get("set", {}))
    out["record"] = [raw_findings[s.index] for s in states]
    return out, states
