"""Whether a provision is in force on a date, read from its stages.

A stage known to the day takes effect on that day.  A stage known only to a month
or a window leaves in-force unknown on every day inside it and settles it after.
A measure whose enactment no source reports is not in force up to the latest
source that reports it still unenacted, and unknown after: the sources cannot say.
A rule the sources describe as already in place (or whose start they leave open) is
unknown before the day it is first attested, not false.

Each unknown says what kind it is: an `imprecise_date` (a stage known only to a month
or a window) or an `open_question` (the sources do not say whether or since when).

`in_force_segments` gives the same answer over the whole line of days at once:
the engine compiles it into day ranges, and the timeline takes its edges as the
days on which a provision's in-force value can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Optional, Sequence

from eligibility.foundations import logic
from eligibility.foundations.dates import next_day
from eligibility.foundations.errors import InternalError, required
from eligibility.foundations.logic import Truth
from eligibility.law.rulebase import Judged, Route
from eligibility.law.schema import SIGNATURES, STAGE_LABEL, Citation, Stage

Unknown = Literal["imprecise_date", "open_question"]


@dataclass(frozen=True)
class Validity:
    value: Truth
    explanation: str
    stage: Optional[Stage]  # the stage whose date decided, if any
    citations: tuple[Citation, ...]
    unknown: Optional[Unknown] = None  # when the value is unknown: which kind of unknown
    detail: Optional[str] = None  # ... and what exactly is unknown, in a phrase
    short: str = ""  # when certainly not in force: why, in the summary's few words (no date of the day)


def _position(day: date, stage: Stage) -> Truth:
    """TRUE once the stage has certainly happened, FALSE before it can have, UNKNOWN inside its window."""
    if day < stage.date.earliest:
        return Truth.FALSE
    if day <= stage.date.latest and not stage.date.exact:
        return Truth.UNKNOWN
    return Truth.TRUE


def _from_signature(stage: Stage) -> str:
    """Said of a signature with nothing said of entry into force (an `in_force.entry`, what the
    sources do say of it, replaces this)."""
    if stage.kind in SIGNATURES:
        return " No entry-into-force date is reported, so it is taken as in force from signature."
    return ""


def validity(route: Route, day: date) -> Validity:
    """Whether one route (a provision's body, another route of it, or a reading) is in force on a day.

    A contested route (the sources disagree on whether it holds, and neither side is strictly
    surer) is unknown, an open question, wherever its account says "in force"."""
    found = _validity(route, day)
    contested = route.in_force.contested
    if contested is None or found.value is not Truth.TRUE:
        return found
    said = found.explanation.removeprefix(f"In force on {day.isoformat()}: ")
    return Validity(
        Truth.UNKNOWN,
        f"Unknown whether in force on {day.isoformat()}: by this account {said[0].lower()}{said[1:]} "
        f"The sources disagree, and neither is strictly surer: {contested.note}",
        found.stage,
        tuple(found.citations) + tuple(contested.cite),
        "open_question",
        f"whether it holds at all: {contested.note.rstrip('.')}",
    )


def _validity(route: Route, day: date) -> Validity:
    on = day.isoformat()
    rule = route.in_force
    note = f" {rule.note}" if rule.note else ""
    entry = f" {rule.entry}" if rule.entry else ""
    if rule.unsupported is not None:
        return Validity(
            Truth.FALSE,
            f"Not in force on {on}, nor on any day: the official record does not support it. {rule.unsupported.note}",
            None,
            tuple(rule.unsupported.cite),
            short="not in force, nor on any day: the official record does not support it",
        )
    end = route.stage(rule.until) if rule.until else None
    if end is not None:
        ended = _position(day, end)
        if ended is Truth.TRUE:
            return Validity(
                Truth.FALSE,
                f"No longer in force on {on}: {end.label} {end.when}.",
                end,
                tuple(end.cite),
                short=f"no longer in force: {end.label} {end.date.written()}",
            )
        if ended is Truth.UNKNOWN:
            return Validity(
                Truth.UNKNOWN,
                f"Unknown whether still in force on {on}: it {end.label} {end.when}, and the sources "
                "give no day inside that window.",
                end,
                tuple(end.cite),
                "imprecise_date",
                f"{end.label} {end.when}, and the sources give no day inside that window",
            )

    start = route.stage(rule.start)
    if start is None:
        horizon = required(rule.unenacted_as_of, "a horizon")
        stages = "; ".join(f"{s.label} {s.when}" for s in route.stages) or "no stage reported"
        sources = ", ".join(sorted({c.source for c in horizon.cite}))
        if day <= horizon.date:
            return Validity(
                Truth.FALSE,
                f"Not in force on {on}: {stages}; the latest source on it ({sources}, {horizon.date.isoformat()}) "
                f"reports it not yet {STAGE_LABEL[rule.start]}.",
                route.stages[-1] if route.stages else None,
                tuple(horizon.cite),
                short="not in force: "
                + (
                    f"{route.stages[-1].label} {route.stages[-1].date.written()}"
                    if route.stages
                    else f"not yet {STAGE_LABEL[rule.start]} on {horizon.date.isoformat()}"
                ),
            )
        return Validity(
            Truth.UNKNOWN,
            f"Unknown whether in force on {on}: {stages}, which is certain; whether it was then "
            f"{STAGE_LABEL[rule.start]} is a question the sources leave open. The latest source on it "
            f"({sources}, {horizon.date.isoformat()}) reports it not yet {STAGE_LABEL[rule.start]}, and no "
            "source says what happened after.",
            route.stages[-1] if route.stages else None,
            tuple(horizon.cite),
            "open_question",
            f"whether it was {STAGE_LABEL[rule.start]} after {stages}: the latest source on it ({sources}, "
            f"{horizon.date.isoformat()}) reports it not yet {STAGE_LABEL[rule.start]}, and no source says "
            "what happened after",
        )

    began = _position(day, start)
    if began is Truth.FALSE:
        if rule.start_unknown:
            why = f" {rule.before_note}" if rule.before_note else ""
            return Validity(
                Truth.UNKNOWN,
                f"Unknown whether in force on {on}: {start.label} {start.when}; since when it applied "
                f"before that is a question the sources leave open.{why}",
                start,
                tuple(start.cite),
                "open_question",
                f"whether it was already in force before {start.date.text}: the sources do not say since when.{why}",
            )
        return Validity(
            Truth.FALSE,
            f"Not yet in force on {on}: {start.label} {start.when}.",
            start,
            tuple(start.cite),
            short=f"not yet in force: {start.label} {start.date.written()}",
        )
    if began is Truth.UNKNOWN:
        return Validity(
            Truth.UNKNOWN,
            f"Unknown whether in force on {on}: {start.label} {start.when}, and the sources give no day "
            "inside that window.",
            start,
            tuple(start.cite),
            "imprecise_date",
            f"{start.label} {start.when}, and the sources give no day inside that window",
        )
    if start.kind == "reported_in_place":
        return Validity(
            Truth.TRUE,
            f"In force on {on}: {start.label} {start.when}; no source reports an end.{note}",
            start,
            tuple(start.cite),
        )
    since = (
        f"in force since {start.date.written()}"
        if start.date.exact
        else f"certainly in force from {(next_day(start.date.latest) or start.date.latest).isoformat()}"
    )
    return Validity(
        Truth.TRUE,
        f"In force on {on}: {start.label} {start.when} ({since}).{entry or _from_signature(start)}{note}",
        start,
        tuple(start.cite),
    )


# --- the same, as day ranges --------------------------------------------------------------

Segment = tuple[Optional[int], Optional[int], Truth]  # (first day, last day, value) as ordinals; None = unbounded


def _stage_segments(stage: Stage) -> list[Segment]:
    """Has the stage happened on a day: no before its earliest day, unknown inside a window, yes after."""
    first, last = stage.date.earliest.toordinal(), stage.date.latest.toordinal()
    if first == last:
        return [(None, first - 1, Truth.FALSE), (first, None, Truth.TRUE)]
    return [(None, first - 1, Truth.FALSE), (first, last, Truth.UNKNOWN), (last + 1, None, Truth.TRUE)]


def _start_segments(route: Route) -> list[Segment]:
    rule = route.in_force
    stage = route.stage(rule.start)
    if stage is not None:
        segments = _stage_segments(stage)
        if rule.start_unknown:
            first, last, _ = segments[0]
            segments[0] = (first, last, Truth.UNKNOWN)
        return segments
    horizon = required(rule.unenacted_as_of, "a horizon").date.toordinal()
    return [(None, horizon, Truth.FALSE), (horizon + 1, None, Truth.UNKNOWN)]


def _value_at(segments: Sequence[Segment], day: int) -> Truth:
    for first, last, value in segments:
        if (first is None or first <= day) and (last is None or day <= last):
            return value
    raise InternalError(f"day {day} falls in no segment")


def _overlay(lines: Sequence[Sequence[Segment]]) -> list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]]:
    """Several lines of segments laid over each other: the days cut wherever any line changes, each
    piece with every line's value, and neighbouring pieces with the same values merged."""
    cuts = sorted({first for line in lines for first, _, _ in line if first is not None})
    bounds: list[tuple[Optional[int], Optional[int]]] = []
    previous: Optional[int] = None
    for cut in cuts:
        bounds.append((previous, cut - 1))
        previous = cut
    bounds.append((previous, None))
    merged: list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]] = []
    for first, last in bounds:
        probe = first if first is not None else (last if last is not None else 0)
        values = tuple(_value_at(line, probe) for line in lines)
        if merged and merged[-1][2] == values:
            merged[-1] = (merged[-1][0], last, values)
        else:
            merged.append((first, last, values))
    return merged


def in_force_segments(route: Route) -> list[Segment]:
    """In force = started and not ended, over the whole line of days, as merged segments (a
    contested route: unknown where it would be in force)."""
    found = _segments(route)
    if route.in_force.contested is None:
        return found
    merged: list[Segment] = []
    for first, last, value in found:
        value = Truth.UNKNOWN if value is Truth.TRUE else value
        if merged and merged[-1][2] is value:
            merged[-1] = (merged[-1][0], last, value)
        else:
            merged.append((first, last, value))
    return merged


def _segments(route: Route) -> list[Segment]:
    if route.in_force.unsupported is not None:
        return [(None, None, Truth.FALSE)]
    start = _start_segments(route)
    until = route.in_force.until
    end = _stage_segments(required(route.stage(until), f"the stage {until}")) if until else [(None, None, Truth.FALSE)]
    merged: list[Segment] = []
    for first, last, (started, ended) in _overlay([start, end]):
        value = logic.all_of([started, ~ended])
        if merged and merged[-1][2] is value:
            merged[-1] = (merged[-1][0], last, value)
        else:
            merged.append((first, last, value))
    return merged


def route_segments(item: Judged) -> list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]]:
    """The line of days cut where any of an item's routes changes in-force: (first, last, each
    route's in-force)."""
    return _overlay([in_force_segments(route) for route in item.routes])
