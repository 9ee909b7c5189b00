"""Whether a provision is in force, written once: a route's periods.

A stage known to the day takes effect on that day.  A stage known only to a month
or a window leaves in-force unknown on every day inside it and settles it after.
A measure whose enactment no source reports is not in force up to the latest
source that reports it still unenacted, and unknown after: the sources cannot say.
A rule the sources describe as already in place (or whose start they leave open) is
unknown before the day it is first attested, not false.

Each unknown says what kind it is: an `imprecise_date` (a stage known only to a month
or a window) or an `open_question` (the sources do not say whether or since when).

`periods` is the one model: a route's whole line of days cut into periods, each with
its value, which account of the law holds in it, and the stage edges that begin it.
Everything else is read from it: `validity` (one day, in words), `in_force_segments`
(the day ranges the engine compiles) and `edges` (the days on which the value can
change, which the timeline takes as change points).
"""

from __future__ import annotations

from bisect import bisect_right
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

# Which account of the law holds on a day.  Every case has one value and one kind of unknown.
Case = Literal[
    "unsupported",  # the official record does not support it: never in force
    "ended",  # its ending stage has certainly happened
    "ending",  # inside the window of its ending stage
    "unenacted",  # up to the latest source that reports it not yet enacted
    "unreported",  # after that: the sources cannot say
    "open_before",  # before its first attested stage, where the sources leave since-when open
    "not_yet",  # before its starting stage
    "starting",  # inside the window of its starting stage
    "in_place",  # reported as already in place
    "in_force",  # its starting stage has certainly happened, and no end has
]
_VALUE: dict[Case, Truth] = {
    "unsupported": Truth.FALSE,
    "ended": Truth.FALSE,
    "ending": Truth.UNKNOWN,
    "unenacted": Truth.FALSE,
    "unreported": Truth.UNKNOWN,
    "open_before": Truth.UNKNOWN,
    "not_yet": Truth.FALSE,
    "starting": Truth.UNKNOWN,
    "in_place": Truth.TRUE,
    "in_force": Truth.TRUE,
}


@dataclass(frozen=True)
class Validity:
    value: Truth
    explanation: str
    stage: Optional[Stage]  # the stage whose date decided, if any
    citations: tuple[Citation, ...]
    unknown: Optional[Unknown] = None  # when the value is unknown: which kind of unknown
    detail: Optional[str] = None  # ... and what exactly is unknown, in a phrase
    short: str = ""  # when certainly not in force: why, in the summary's few words (no date of the day)


@dataclass(frozen=True)
class Edge:
    """A day on which one stage (or the end of what the sources report) can change a route's in-force."""

    day: date
    role: Literal["start", "until", "unenacted"]
    side: Literal["exact", "first", "after"]  # a stage known to the day; a window's first day; the day after it
    stage: Optional[Stage]  # None for "unenacted": the day after the latest source reporting it unenacted


@dataclass(frozen=True)
class Period:
    """Consecutive days on which one account of a route's in-force holds."""

    first: Optional[date]  # None: unbounded
    last: Optional[date]
    case: Case
    contested: bool  # the route is contested: what would be in force is an open question
    begins: tuple[Edge, ...]  # the stage edges on its first day (none for the first period)

    @property
    def value(self) -> Truth:
        value = _VALUE[self.case]
        return Truth.UNKNOWN if self.contested and value is Truth.TRUE else value


# --- the model ---------------------------------------------------------------------------

_Piece = tuple[Optional[int], Optional[int], str, Optional[Edge]]  # (first, last, where, the edge on first)


def _stage_line(stage: Stage, role: Literal["start", "until"]) -> list[_Piece]:
    """Where a day lies against one stage: before it, inside its window, or after it."""
    spec = stage.date
    first, last = spec.earliest.toordinal(), spec.latest.toordinal()
    if spec.exact:
        return [(None, first - 1, "before", None), (first, None, "after", Edge(spec.earliest, role, "exact", stage))]
    after = next_day(spec.latest)
    line: list[_Piece] = [
        (None, first - 1, "before", None),
        (first, last if after is not None else None, "window", Edge(spec.earliest, role, "first", stage)),
    ]
    if after is not None:  # a window ending on the calendar's last day has no day after
        line.append((last + 1, None, "after", Edge(after, role, "after", stage)))
    return line


def _start_line(route: Route) -> list[_Piece]:
    rule = route.in_force
    stage = route.stage(rule.start)
    if stage is not None:
        return _stage_line(stage, "start")
    horizon = required(rule.unenacted_as_of, "a horizon").date
    after = next_day(horizon)
    if after is None:  # reported unenacted on the calendar's last day: never anything else
        return [(None, None, "unenacted", None)]
    return [
        (None, horizon.toordinal(), "unenacted", None),
        (after.toordinal(), None, "unreported", Edge(after, "unenacted", "after", None)),
    ]


def _case(route: Route, start: str, end: str) -> Case:
    """The account that holds where a day lies `start` against the starting stage and `end`
    against the ending one: in force when started and not ended."""
    if end == "after":
        return "ended"
    started: Case
    if start == "unenacted":
        started = "unenacted"
    elif start == "unreported":
        started = "unreported"
    elif start == "before":
        started = "open_before" if route.in_force.start_unknown else "not_yet"
    elif start == "window":
        started = "starting"
    else:
        stage = required(route.stage(route.in_force.start), "the starting stage")
        started = "in_place" if stage.kind == "reported_in_place" else "in_force"
    if end == "window" and _VALUE[started] is not Truth.FALSE:
        return "ending"  # started, or maybe: whether it has ended is what the window leaves open
    return started


def _cuts(starts: set[Optional[int]]) -> list[tuple[Optional[int], Optional[int]]]:
    """The line of days cut before each of `starts` (None, the unbounded start, cuts nothing)."""
    bounds: list[tuple[Optional[int], Optional[int]]] = []
    previous: Optional[int] = None
    for cut in sorted(s for s in starts if s is not None):
        bounds.append((previous, cut - 1))
        previous = cut
    bounds.append((previous, None))
    return bounds


def _covers(first: Optional[int], last: Optional[int], day: int) -> bool:
    return (first is None or first <= day) and (last is None or day <= last)


def _piece_at(line: Sequence[_Piece], day: int) -> _Piece:
    for piece in line:
        if _covers(piece[0], piece[1], day):
            return piece
    raise InternalError(f"day {day} falls in no piece")


def _day(ordinal: Optional[int]) -> Optional[date]:
    return None if ordinal is None else date.fromordinal(ordinal)


def periods(route: Route) -> tuple[Period, ...]:
    """A route's whole line of days as periods, each with the one account that holds in it."""
    contested = route.in_force.contested is not None
    if route.in_force.unsupported is not None:
        return (Period(None, None, "unsupported", contested, ()),)
    until = route.in_force.until
    start = _start_line(route)
    end: list[_Piece] = [(None, None, "none", None)]
    if until:
        end = _stage_line(required(route.stage(until), f"the stage {until}"), "until")
    found: list[Period] = []
    for first, last in _cuts({piece[0] for line in (start, end) for piece in line}):
        probe = first if first is not None else (last if last is not None else 0)
        s, e = _piece_at(start, probe), _piece_at(end, probe)
        case = _case(route, s[2], e[2])
        begins = tuple(p[3] for p in (s, e) if p[3] is not None and first is not None and p[0] == first)
        if found and found[-1].case == case:
            found[-1] = Period(found[-1].first, _day(last), case, contested, found[-1].begins)
        else:
            found.append(Period(_day(first), _day(last), case, contested, begins))
    return tuple(found)


def period_on(found: Sequence[Period], day: date) -> Period:
    """The period a day falls in."""
    starts = [p.first.toordinal() for p in found[1:] if p.first is not None]
    return found[bisect_right(starts, day.toordinal())]


def edges(route: Route) -> list[Edge]:
    """The stage edges on which the route's in-force value changes (an edge that only moves it
    from one account to another with the same value changes nothing)."""
    found = periods(route)
    pairs = zip(found, found[1:], strict=False)
    return [edge for before, now in pairs if now.value is not before.value for edge in now.begins]


# --- read as one day, in words -----------------------------------------------------------


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
    period = period_on(periods(route), day)
    found = _account(route, period.case, day)
    contested = route.in_force.contested
    if contested is None or found.value is period.value:
        return found
    said = found.explanation.removeprefix(f"In force on {day.isoformat()}: ")
    return Validity(
        period.value,
        f"Unknown whether in force on {day.isoformat()}: by this account {said[0].lower()}{said[1:]} "
        f"The sources disagree, and neither is strictly surer: {contested.note}",
        found.stage,
        tuple(found.citations) + tuple(contested.cite),
        "open_question",
        f"whether it holds at all: {contested.note.rstrip('.')}",
    )


def _account(route: Route, case: Case, day: date) -> Validity:
    """One account of a route's in-force, said of one day."""
    on = day.isoformat()
    rule = route.in_force
    value = _VALUE[case]
    if case == "unsupported":
        unsupported = required(rule.unsupported, "the record's finding")
        return Validity(
            value,
            f"Not in force on {on}, nor on any day: the official record does not support it. {unsupported.note}",
            None,
            tuple(unsupported.cite),
            short="not in force, nor on any day: the official record does not support it",
        )
    if case in ("ended", "ending"):
        end = required(route.stage(required(rule.until, "an ending stage")), "the ending stage")
        if case == "ended":
            return Validity(
                value,
                f"No longer in force on {on}: {end.label} {end.when}.",
                end,
                tuple(end.cite),
                short=f"no longer in force: {end.label} {end.date.written()}",
            )
        return Validity(
            value,
            f"Unknown whether still in force on {on}: it {end.label} {end.when}, and the sources "
            "give no day inside that window.",
            end,
            tuple(end.cite),
            "imprecise_date",
            f"{end.label} {end.when}, and the sources give no day inside that window",
        )
    if case in ("unenacted", "unreported"):
        horizon = required(rule.unenacted_as_of, "a horizon")
        stages = "; ".join(f"{s.label} {s.when}" for s in route.stages) or "no stage reported"
        sources = ", ".join(sorted({c.source for c in horizon.cite}))
        latest = route.stages[-1] if route.stages else None
        wanted = STAGE_LABEL[rule.start]
        if case == "unenacted":
            return Validity(
                value,
                f"Not in force on {on}: {stages}; the latest source on it ({sources}, {horizon.date.isoformat()}) "
                f"reports it not yet {wanted}.",
                latest,
                tuple(horizon.cite),
                short="not in force: "
                + (
                    f"{latest.label} {latest.date.written()}"
                    if latest is not None
                    else f"not yet {wanted} on {horizon.date.isoformat()}"
                ),
            )
        return Validity(
            value,
            f"Unknown whether in force on {on}: {stages}, which is certain; whether it was then "
            f"{wanted} is a question the sources leave open. The latest source on it "
            f"({sources}, {horizon.date.isoformat()}) reports it not yet {wanted}, and no "
            "source says what happened after.",
            latest,
            tuple(horizon.cite),
            "open_question",
            f"whether it was {wanted} after {stages}: the latest source on it ({sources}, "
            f"{horizon.date.isoformat()}) reports it not yet {wanted}, and no source says "
            "what happened after",
        )
    start = required(route.stage(rule.start), "the starting stage")
    if case == "open_before":
        why = f" {rule.before_note}" if rule.before_note else ""
        return Validity(
            value,
            f"Unknown whether in force on {on}: {start.label} {start.when}; since when it applied "
            f"before that is a question the sources leave open.{why}",
            start,
            tuple(start.cite),
            "open_question",
            f"whether it was already in force before {start.date.text}: the sources do not say since when.{why}",
        )
    if case == "not_yet":
        return Validity(
            value,
            f"Not yet in force on {on}: {start.label} {start.when}.",
            start,
            tuple(start.cite),
            short=f"not yet in force: {start.label} {start.date.written()}",
        )
    if case == "starting":
        return Validity(
            value,
            f"Unknown whether in force on {on}: {start.label} {start.when}, and the sources give no day "
            "inside that window.",
            start,
            tuple(start.cite),
            "imprecise_date",
            f"{start.label} {start.when}, and the sources give no day inside that window",
        )
    note = f" {rule.note}" if rule.note else ""
    if case == "in_place":
        return Validity(
            value,
            f"In force on {on}: {start.label} {start.when}; no source reports an end.{note}",
            start,
            tuple(start.cite),
        )
    entry = f" {rule.entry}" if rule.entry else ""
    since = (
        f"in force since {start.date.written()}"
        if start.date.exact
        else f"certainly in force from {(next_day(start.date.latest) or start.date.latest).isoformat()}"
    )
    return Validity(
        value,
        f"In force on {on}: {start.label} {start.when} ({since}).{entry or _from_signature(start)}{note}",
        start,
        tuple(start.cite),
    )


def first_of(found: Sequence[Validity]) -> Validity:
    """Several routes' in-force as one: in force if any route is, told by the first route with
    that value (a provision is in force when some route of it is)."""
    value = logic.any_of(v.value for v in found)
    return next(v for v in found if v.value is value)


def item_validity(item: Judged, day: date) -> Validity:
    """Whether a provision (or reading) is in force on a day, whoever the person."""
    return first_of([validity(route, day) for route in item.routes])


# --- read as day ranges ------------------------------------------------------------------

Segment = tuple[Optional[int], Optional[int], Truth]  # (first day, last day, value) as ordinals; None = unbounded


def in_force_segments(route: Route) -> list[Segment]:
    """The route's periods with neighbours of the same value merged, as ordinals: what the engine compiles."""
    merged: list[Segment] = []
    for period in periods(route):
        first = period.first.toordinal() if period.first is not None else None
        last = period.last.toordinal() if period.last is not None else None
        if merged and merged[-1][2] is period.value:
            merged[-1] = (merged[-1][0], last, period.value)
        else:
            merged.append((first, last, period.value))
    return merged


def _value_at(segments: Sequence[Segment], day: int) -> Truth:
    for first, last, value in segments:
        if _covers(first, last, day):
            return value
    raise InternalError(f"day {day} falls in no segment")


def _overlay(lines: Sequence[Sequence[Segment]]) -> list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]]:
    """Several lines of segments laid over each other: the days cut wherever any line changes, each
    piece with every line's value, and neighbouring pieces with the same values merged."""
    merged: list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]] = []
    for first, last in _cuts({first for line in lines for first, _, _ in line}):
        probe = first if first is not None else (last if last is not None else 0)
        values = tuple(_value_at(line, probe) for line in lines)
        if merged and merged[-1][2] == values:
            merged[-1] = (merged[-1][0], last, values)
        else:
            merged.append((first, last, values))
    return merged


def route_segments(item: Judged) -> list[tuple[Optional[int], Optional[int], tuple[Truth, ...]]]:
    """The line of days cut where any of an item's routes changes in-force: (first, last, each
    route's in-force)."""
    return _overlay([in_force_segments(route) for route in item.routes])
