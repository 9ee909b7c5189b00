"""The vectorised baseline: the same three provisions as baseline.py, column by column with numpy.

In the style of OpenFisca: a population is turned once into columns (one array per field of
its citizenship, residence and service records, with the index of the profile each record
belongs to), and each provision is then computed for every profile at once on a date, in
three-valued logic held as integers (F = 0, U = 1, T = 2: `and` is the minimum, `or` the
maximum).  Same answers as baseline.py (tests/test_baseline.py checks it), which copies the
articles' account of the three rule files.

numpy is needed only here (the `bench` and `test` extras install it).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

import numpy as np

from eligibility.foundations.dates import DateSpec

PROVISIONS = ("ru.contract.foreign-citizens", "ru.citizenship.contract-service", "ua.national-guard.foreign-residents")
F, U, T = 0, 1, 2
NAMES = np.array(["not_in_force", "does_not_apply", "undetermined", "applies"])
NEVER = date.max.toordinal()


class Columns:
    """A population as columns: one row per record, each with the number of its profile."""

    def __init__(self, profiles: Sequence[Any]):
        self.n = len(profiles)
        cit: list[tuple[int, str, int, int]] = []
        res: list[tuple[int, str, str, int, int]] = []
        srv: list[tuple[int, str, str, str, int, int]] = []
        self.cit_known = np.zeros(self.n, bool)
        self.res_known = np.zeros(self.n, bool)
        self.srv_known = np.zeros(self.n, bool)
        for i, p in enumerate(profiles):
            if p.citizenships is not None:
                self.cit_known[i] = True
                cit += [(i, c.country, _from(c.since), _until(c.until)) for c in p.citizenships]
            if p.residences is not None:
                self.res_known[i] = True
                res += [(i, r.country, r.status or "", _from(r.since), _until(r.until)) for r in p.residences]
            if p.service is not None:
                self.srv_known[i] = True
                srv += [
                    (i, s.country, s.force or "", s.kind or "", s.start.earliest.toordinal(), _until(s.end))
                    for s in p.service
                ]
        self.cit = _table(cit, ("who", "country", "since", "until"))
        self.res = _table(res, ("who", "country", "status", "since", "until"))
        self.srv = _table(srv, ("who", "country", "force", "kind", "start", "end"))


def _from(day: DateSpec | None) -> int:
    return 0 if day is None else day.earliest.toordinal()


def _until(day: DateSpec | None) -> int:
    return NEVER if day is None else day.earliest.toordinal()


def _table(rows: list[tuple], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {name: np.array(column) for name, column in zip(names, columns, strict=True)}


def _per_profile(n: int, who: np.ndarray, values: np.ndarray, empty: int) -> np.ndarray:
    """The maximum of each profile's record values (`empty` where it has none)."""
    out = np.full(n, -1, np.int8)
    np.maximum.at(out, who, values.astype(np.int8))
    return np.where(out < 0, empty, out).astype(np.int8)


def _non_citizen(cols: Columns, day: int, of: str, stateless: int) -> np.ndarray:
    c = cols.cit
    held = (c["since"] <= day) & (day < c["until"]) if len(c["who"]) else np.zeros(0, bool)
    holds_any = _per_profile(cols.n, c["who"][held], np.ones(int(held.sum())), 0) > 0
    holds_of = _per_profile(cols.n, c["who"][held], c["country"][held] == of, 0) > 0
    value = np.where(holds_of, F, np.where(holds_any, T, stateless))
    return np.where(cols.cit_known, value, U).astype(np.int8)


def _status(in_force: int, conditions: np.ndarray) -> np.ndarray:
    if in_force == F:
        return np.zeros(len(conditions), np.int8)  # not_in_force
    both = np.minimum(conditions, in_force)
    return np.where(conditions == F, 1, np.where(both == U, 2, 3)).astype(np.int8)


def judge(cols: Columns, day: date) -> dict[str, np.ndarray]:
    """Each provision's status for every profile, as indexes into NAMES."""
    d = day.toordinal()
    out: dict[str, np.ndarray] = {}
    # ru.contract.foreign-citizens: in effect November 2022 (month), unknown before it.
    in_force = U if day <= date(2022, 11, 30) else T
    out[PROVISIONS[0]] = _status(in_force, _non_citizen(cols, d, "RU", F))
    # ru.citizenship.contract-service: decree of 2024-01-04; foreign national serving under contract.
    in_force = T if day >= date(2024, 1, 4) else F
    s = cols.srv
    if len(s["who"]):
        on = (s["country"] == "RU") & (s["start"] <= d) & (d < s["end"])
        force = np.where(s["force"] == "", U, np.where(s["force"] == "armed_forces", T, F))
        kind = np.where(s["kind"] == "contract", T, U)
        serving = _per_profile(cols.n, s["who"][on], np.minimum(force, kind)[on], F)
    else:
        serving = np.zeros(cols.n, np.int8)
    serving = np.where(cols.srv_known, serving, U)
    out[PROVISIONS[1]] = _status(in_force, np.minimum(_non_citizen(cols, d, "RU", U), serving))
    # ua.national-guard.foreign-residents: decree of 2024-02-21; foreign citizen legally resident in Ukraine.
    in_force = T if day >= date(2024, 2, 21) else F
    r = cols.res
    if len(r["who"]):
        on = (r["country"] == "UA") & (r["since"] <= d) & (d < r["until"])
        legal = np.where(r["status"] == "", U, np.where(np.isin(r["status"], ("permanent", "temporary")), T, F))
        resident = _per_profile(cols.n, r["who"][on], legal[on], F)
    else:
        resident = np.zeros(cols.n, np.int8)
    resident = np.where(cols.res_known, resident, U)
    out[PROVISIONS[2]] = _status(in_force, np.minimum(_non_citizen(cols, d, "UA", U), resident))
    return out


def statuses(cols: Columns, day: date) -> list[dict[str, str]]:
    """The same answers as words, one dictionary per profile (for comparing with baseline.py)."""
    found = {pid: NAMES[codes] for pid, codes in judge(cols, day).items()}
    return [{pid: str(found[pid][i]) for pid in PROVISIONS} for i in range(cols.n)]
