"""Whether a provision is in force on a date, read from its stages.

A stage known to the day takes effect on that day.  A stage known only to a month
or a window leaves in-force unknown on every day inside it and settles it after.
A measure whose enactment no source reports is not in force up to the latest
source that reports it still unenacted, and unknown after: the sources cannot say.

`in_force_segments` gives the same answer over the whole line of days at once:
the engine compiles it into day ranges, and the timeline takes its edges as the
days on which a provision's in-force value can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional, Sequence

from . import logic
from .errors import InternalError
from .logic import Truth
from .rulebase import SIGNATURES, STAGE_LABEL, Citation, Judged, Stage


@dataclass(frozen=True)
class Validity:
    value: Truth
    explanation: str
    stage: Optional[Stage]          # the stage whose date decided, if any
    citations: tuple[Citation, ...]


def _position(day: date, stage: Stage) -> Truth:
    """TRUE once the stage has certainly happened, FALSE before it can have, UNKNOWN inside its window."""
    if day < stage.date.earliest:
        return Truth.FALSE
    if day <= stage.date.latest and not stage.date.exact:
        return Truth.UNKNOWN
    return Truth.TRUE


def _from_signature(item: Judged, stage: Stage) -> str:
    if stage.kind in SIGNATURES:
        return " No entry-into-force date is reported, so it is taken as in force from signature."
    return ""


def validity(item: Judged, day: date) -> Validity:
    on = day.isoformat()
    rule = item.in_force
    note = f" {rule.note}" if rule.note else ""
    end = item.stage(rule.until) if rule.until else None
    if end is not None:
        ended = _position(day, end)
        if ended is Truth.TRUE:
            return Validity(Truth.FALSE, f"No longer in force on {on}: {end.label} {end.when}.",
                            end, tuple(end.cite))
        if ended is Truth.UNKNOWN:
            return Validity(Truth.UNKNOWN,
                            f"Unknown whether still in force on {on}: it {end.label} {end.when}, and the date falls inside that window.",
                            end, tuple(end.cite))

    if rule.start == "standing":
        until = f" until {end.label} {end.when}" if end is not None else ""
        return Validity(Truth.TRUE, f"In force on {on}: the sources describe it as the rule in place{until}, with no start date.{note}",
                        None, tuple(rule.standing_cite))

    start = item.stage(rule.start)
    if start is None:
        horizon = rule.unenacted_as_of
        assert horizon is not None  # the loader guarantees it
        stages = "; ".join(f"{s.label} {s.when}" for s in item.stages) or "no stage reported"
        sources = ", ".join(sorted({c.source for c in horizon.cite}))
        if day <= horizon.date:
            return Validity(Truth.FALSE,
                            f"Not in force on {on}: {stages}; the latest source on it ({sources}, {horizon.date.isoformat()}) "
                            f"reports it not yet {STAGE_LABEL[rule.start]}.",
                            item.stages[-1] if item.stages else None, tuple(horizon.cite))
        return Validity(Truth.UNKNOWN,
                        f"Unknown whether in force on {on}: {stages}; no source reports it {STAGE_LABEL[rule.start]}, and the "
                        f"latest source on it ({sources}, {horizon.date.isoformat()}) reports it not yet {STAGE_LABEL[rule.start]}. "
                        f"The sources cannot say what happened after {horizon.date.isoformat()}.",
                        item.stages[-1] if item.stages else None, tuple(horizon.cite))

    began = _position(day, start)
    if began is Truth.FALSE:
        return Validity(Truth.FALSE, f"Not yet in force on {on}: {start.label} {start.when}.", start, tuple(start.cite))
    if began is Truth.UNKNOWN:
        return Validity(Truth.UNKNOWN,
                        f"Unknown whether in force on {on}: {start.label} {start.when}, and the date falls inside that window; "
                        "the sources give no day.", start, tuple(start.cite))
    since = (f"in force since {start.date.written()}" if start.date.exact
             else f"certainly in force from {(start.date.latest + timedelta(days=1)).isoformat()}")
    return Validity(Truth.TRUE, f"In force on {on}: {start.label} {start.when} ({since}).{_from_signature(item, start)}{note}",
                    start, tuple(start.cite))


# --- the same, as day ranges --------------------------------------------------------------

Segment = tuple[Optional[int], Optional[int], Truth]   # (first day, last day, value) as ordinals; None = unbounded


def _stage_segments(stage: Stage) -> list[Segment]:
    """Has the stage happened on a day: no before its earliest day, unknown inside a window, yes after."""
    first, last = stage.date.earliest.toordinal(), stage.date.latest.toordinal()
    if first == last:
        return [(None, first - 1, Truth.FALSE), (first, None, Truth.TRUE)]
    return [(None, first - 1, Truth.FALSE), (first, last, Truth.UNKNOWN), (last + 1, None, Truth.TRUE)]


def _start_segments(item: Judged) -> list[Segment]:
    rule = item.in_force
    if rule.start == "standing":
        return [(None, None, Truth.TRUE)]
    stage = item.stage(rule.start)
    if stage is not None:
        return _stage_segments(stage)
    horizon = rule.unenacted_as_of.date.toordinal()   # the loader guarantees a horizon here
    return [(None, horizon, Truth.FALSE), (horizon + 1, None, Truth.UNKNOWN)]


def _value_at(segments: Sequence[Segment], day: int) -> Truth:
    for first, last, value in segments:
        if (first is None or first <= day) and (last is None or day <= last):
            return value
    raise InternalError(f"day {day} falls in no segment")


def in_force_segments(item: Judged) -> list[Segment]:
    """In force = started and not ended, over the whole line of days, as merged segments."""
    start = _start_segments(item)
    end = _stage_segments(item.stage(item.in_force.until)) if item.in_force.until else [(None, None, Truth.FALSE)]
    cuts = sorted({s[0] for s in start + end if s[0] is not None})
    bounds: list[tuple[Optional[int], Optional[int]]] = []
    previous: Optional[int] = None
    for cut in cuts:
        bounds.append((previous, cut - 1))
        previous = cut
    bounds.append((previous, None))
    merged: list[Segment] = []
    for first, last in bounds:
        probe = first if first is not None else (last if last is not None else 0)
        value = logic.all_of([_value_at(start, probe), ~_value_at(end, probe)])
        if merged and merged[-1][2] is value:
            merged[-1] = (merged[-1][0], last, value)
        else:
            merged.append((first, last, value))
    return merged
