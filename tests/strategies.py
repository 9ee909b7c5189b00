"""hypothesis strategies for valid profiles, as the JSON data a profile file holds.

Every optional field is left out at random (unknown), lists may be empty (none),
dates are consistent (since <= until, start <= end, a discharge only with an end),
and family members nest up to two levels.  `forget` turns a profile into one that
knows less: the same facts with some fields made unknown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

# Russia and Ukraine come up more often than the rest: most provisions turn on them.
COUNTRIES = ["RU", "RU", "UA", "UA", "NP", "GE", "KZ", "IL", "CU", "IN", "MD"]
FIRST, LAST = date(2019, 1, 1), date(2027, 12, 31)
QUERY = st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 12, 31))

days = st.dates(min_value=FIRST, max_value=LAST)


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy, chance: float = 0.8) -> Any:
    """A value, or a marker that the field is left out."""
    return draw(strategy) if draw(st.floats(0, 1)) < chance else _OUT


_OUT = object()


def _record(**fields: Any) -> dict:
    return {k: v for k, v in fields.items() if v is not _OUT}


def _period(draw: st.DrawFn) -> tuple[Any, Any]:
    first, last = sorted([draw(days), draw(days)])
    return _maybe(draw, st.just(first.isoformat()), 0.5), _maybe(draw, st.just(last.isoformat()), 0.4)


def _held(detail: str, values: list[str]) -> st.SearchStrategy:
    """A citizenship or residence: a country, an optional detail, an optional period."""

    @st.composite
    def record(draw: st.DrawFn) -> dict:
        since, until = _period(draw)
        return _record(
            country=draw(st.sampled_from(COUNTRIES)),
            since=since,
            until=until,
            **{detail: _maybe(draw, st.sampled_from(values))},
        )

    return record()


citizenships = _held("acquired", ["birth", "naturalization", "other"])
residences = _held("status", ["permanent", "temporary", "unlawful"])


@st.composite
def services(draw: st.DrawFn) -> dict:
    start = draw(days)
    end = _maybe(draw, st.integers(0, 1500).map(lambda n: (start + timedelta(days=n)).isoformat()), 0.5)
    discharge = _OUT
    if end is not _OUT:
        discharge = _maybe(draw, st.sampled_from(["health", "age", "contract_end", "martial_law_end", "other"]), 0.6)
    return _record(
        country=draw(st.sampled_from(["RU", "RU", "RU", "UA", "UA", "KZ"])),
        force=_maybe(draw, st.sampled_from(["armed_forces", "armed_forces", "national_guard", "other"])),
        kind=_maybe(draw, st.sampled_from(["contract", "conscription", "volunteer"])),
        start=start.isoformat(),
        end=end,
        discharge=discharge,
        combat=_maybe(draw, st.booleans(), 0.6),
    )


@st.composite
def criminal_records(draw: st.DrawFn) -> dict:
    convicted = _maybe(draw, st.booleans(), 0.7)
    expunged = _OUT if convicted is False else _maybe(draw, st.booleans(), 0.5)
    return _record(
        convicted=convicted, conviction_expunged=expunged, under_investigation=_maybe(draw, st.booleans(), 0.7)
    )


@st.composite
def profiles(draw: st.DrawFn, depth: int = 2) -> dict:
    family: Any = _OUT
    if depth > 0:
        family = _maybe(
            draw,
            st.lists(
                st.fixed_dictionaries(
                    {
                        "relation": st.sampled_from(["spouse", "child", "parent", "sibling", "other"]),
                        "person": profiles(depth=depth - 1),
                    }
                ),
                max_size=2,
            ),
            0.6,
        )
    return _record(
        id=_maybe(draw, st.text(min_size=1, max_size=12), 0.3),
        citizenships=_maybe(draw, st.lists(citizenships, max_size=3), 0.85),
        residences=_maybe(draw, st.lists(residences, max_size=2), 0.7),
        service=_maybe(draw, st.lists(services(), max_size=2), 0.7),
        military_registration=_maybe(
            draw, st.dictionaries(st.sampled_from(["RU", "UA"]), st.booleans(), max_size=2), 0.5
        ),
        criminal_record=_maybe(draw, criminal_records(), 0.6),
        family=family,
    )


OPTIONAL = {
    "citizenships": ("acquired",),
    "residences": ("status",),
    "service": ("force", "kind", "combat", "discharge"),
}


@st.composite
def forget(draw: st.DrawFn, data: dict) -> dict:
    """The same person with some facts made unknown: fields left out, never facts changed.

    A whole list may become unknown; a record's optional field may be left out (a
    discharge only, never an end: an end is a date, not a detail); a registration
    entry or a criminal-record field may be left out; family members likewise.
    """
    out: dict = {}
    for key, value in data.items():
        if key != "id" and draw(st.integers(0, 4)) == 0:
            continue  # the whole field becomes unknown
        if key in OPTIONAL:
            records = []
            for record in value:
                kept = dict(record)
                for name in OPTIONAL[key]:
                    if name in kept and draw(st.integers(0, 2)) == 0:
                        del kept[name]
                records.append(kept)
            out[key] = records
        elif key in ("military_registration", "criminal_record"):
            out[key] = {k: v for k, v in value.items() if draw(st.integers(0, 2))}
        elif key == "family":
            out[key] = [{"relation": m["relation"], "person": draw(forget(m["person"]))} for m in value]
        else:
            out[key] = value
    return out


@st.composite
def soldiers(draw: st.DrawFn) -> dict:
    """Someone who signed up with Russia's or Ukraine's forces: the people most provisions are about."""
    start = draw(st.dates(min_value=date(2021, 6, 1), max_value=date(2026, 6, 1)))
    record: dict = {
        "country": draw(st.sampled_from(["RU", "RU", "UA"])),
        "force": "armed_forces",
        "kind": draw(st.sampled_from(["contract", "contract", "conscription", "volunteer"])),
        "start": start.isoformat(),
    }
    if draw(st.booleans()):
        record["end"] = (start + timedelta(days=draw(st.integers(30, 900)))).isoformat()
        record["discharge"] = draw(st.sampled_from(["health", "age", "contract_end", "martial_law_end", "other"]))
    record["combat"] = draw(st.booleans())
    held = draw(st.lists(st.sampled_from(COUNTRIES), min_size=0, max_size=2, unique=True))
    return {
        "citizenships": [{"country": c, "acquired": draw(st.sampled_from(["birth", "naturalization"]))} for c in held],
        "residences": [
            {
                "country": draw(st.sampled_from(["RU", "UA", "NP"])),
                "status": draw(st.sampled_from(["permanent", "temporary", "unlawful"])),
            }
        ],
        "service": [record],
        "military_registration": {"RU": draw(st.booleans())},
        "criminal_record": draw(criminal_records()),
    }


@st.composite
def relatives(draw: st.DrawFn) -> dict:
    """Someone whose listed relative is a soldier."""
    person = draw(profiles(depth=0))
    person["family"] = [{"relation": draw(st.sampled_from(["spouse", "child", "parent"])), "person": draw(soldiers())}]
    return person


people = st.one_of(profiles(), soldiers(), relatives())


DATED = {"citizenships": ("since", "until"), "residences": ("since", "until"), "service": ("start", "end")}


@st.composite
def blur(draw: st.DrawFn, data: dict) -> dict:
    """The same person remembering some dates less well: a day written as its month, its year or a
    window around it (the true day always inside), never a different day."""

    def vaguer(day: str) -> str:
        exact = date.fromisoformat(day)
        way = draw(st.integers(0, 3))
        if way == 0:
            return day
        if way == 1:
            return day[:7]
        if way == 2:
            return day[:4]
        before, after = draw(st.integers(0, 60)), draw(st.integers(0, 60))
        first = max(exact - timedelta(days=before), date(1, 1, 1))
        last = exact + timedelta(days=max(after, 1 if before == 0 else after))
        return f"{first.isoformat()}..{last.isoformat()}"

    out = dict(data)
    for key, fields in DATED.items():
        if isinstance(out.get(key), list):
            out[key] = [{k: vaguer(v) if k in fields else v for k, v in record.items()} for record in out[key]]
    if isinstance(out.get("family"), list):
        out["family"] = [{"relation": m["relation"], "person": draw(blur(m["person"]))} for m in out["family"]]
    return out
