"""The physical-limit baseline: three provisions written by hand as plain Python.

Same input as the engine (validated profiles and a date), same answer (the status, with
three-valued logic and month precision), none of the rule base's generality.  Its dates and
tests are copied from the articles' account of the three rule files named below (what
`--evidence articles` judges); tests/test_baseline.py checks that it
agrees with the engine on a synthetic population, so the comparison is like for like.  Synthetic
populations give every profile date to the day, so it reads a date's first possible day.
"""

from __future__ import annotations

from datetime import date

PROVISIONS = ("ru.contract.foreign-citizens", "ru.citizenship.contract-service", "ua.national-guard.foreign-residents")

T, F, U = "T", "F", "U"


def _status(in_force: str, conditions: str) -> str:
    if in_force == F:
        return "not_in_force"
    if conditions == F:
        return "does_not_apply"
    if conditions == U or in_force == U:
        return "undetermined"
    return "applies"


def _held(profile, day):
    return [
        c.country
        for c in profile.citizenships
        if (c.since is None or c.since.earliest <= day) and (c.until is None or day < c.until.earliest)
    ]


def _any(values) -> str:
    """Three-valued any: T if one is T, else U if one is U, else F."""
    found = F
    for value in values:
        if value == T:
            return T
        if value == U:
            found = U
    return found


def _non_citizen(profile, day, of: str, stateless: str) -> str:
    if profile.citizenships is None:
        return U
    held = _held(profile, day)
    if of in held:
        return F
    return T if held else stateless


def foreign_citizens_contract(profile, day: date) -> str:
    """rules/ru.contract.foreign-citizens.toml: in effect November 2022 (month precision), and
    unknown before it (the articles do not settle whether foreign citizens could sign earlier)."""
    in_force = U if day <= date(2022, 11, 30) else T
    return _status(in_force, _non_citizen(profile, day, "RU", F))


def contract_service_citizenship(profile, day: date) -> str:
    """rules/ru.citizenship.contract-service.toml: decree of 2024-01-04; foreign national serving
    with Russia's armed forces, under contract (stateless, and service other than under contract:
    unsettled)."""
    in_force = T if day >= date(2024, 1, 4) else F
    foreign = _non_citizen(profile, day, "RU", U)
    if profile.service is None:
        serving = U
    else:

        def record_value(record) -> str:
            parts = (
                U if record.force is None else T if record.force == "armed_forces" else F,
                U if record.kind is None or record.kind != "contract" else T,
            )
            return F if F in parts else U if U in parts else T

        serving = _any(
            record_value(r)
            for r in profile.service
            if r.country == "RU" and r.start.earliest <= day and (r.end is None or day < r.end.earliest)
        )
    conditions = F if F in (foreign, serving) else U if U in (foreign, serving) else T
    return _status(in_force, conditions)


def national_guard_foreign_residents(profile, day: date) -> str:
    """rules/ua.national-guard.foreign-residents.toml: decree of 2024-02-21; a foreign citizen
    (stateless: unsettled) legally resident in Ukraine."""
    in_force = T if day >= date(2024, 2, 21) else F
    foreign = _non_citizen(profile, day, "UA", U)
    if profile.residences is None:
        resident = U
    else:
        resident = _any(
            U if p.status is None else T if p.status in ("permanent", "temporary") else F
            for p in profile.residences
            if p.country == "UA"
            and (p.since is None or p.since.earliest <= day)
            and (p.until is None or day < p.until.earliest)
        )
    conditions = F if F in (foreign, resident) else U if U in (foreign, resident) else T
    return _status(in_force, conditions)


FUNCTIONS = (foreign_citizens_contract, contract_service_citizenship, national_guard_foreign_residents)


def judge(profile, day: date) -> dict[str, str]:
    return {pid: f(profile, day) for pid, f in zip(PROVISIONS, FUNCTIONS, strict=True)}
