"""Whether a provision is in force on a date, read from its stages.

A stage known to the day takes effect on that day.  A stage known only to a month
or a window leaves in-force unknown on every day inside it and settles it after.
A measure whose enactment no source reports is not in force up to the latest
source that reports it still unenacted, and unknown after: the sources cannot say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

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
