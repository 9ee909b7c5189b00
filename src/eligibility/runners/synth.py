"""Synthetic populations: reproducible profiles for `batch` and for the benchmark.

Profile number i depends only on (seed, i), so a population of n profiles is the first
n lines of any larger one with the same seed.  The people are drawn from archetypes
that reach every provision: foreign contract soldiers in Russia and their relatives,
Russian dual nationals and conscripts, naturalized Russians, stateless residents,
foreign volunteers and residents serving in Ukraine, Ukrainian citizens.  Some fields
are left out on purpose, so that part of every population is `undetermined`.

Every profile is valid under docs/profile.md; the generator builds plain data and the
same validation as a file checks it in the tests.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

FOREIGN = ["NP", "IN", "CU", "LK", "SY", "CN", "KZ", "TJ", "UZ", "KG", "GH", "CM", "SN", "ZM", "EG", "IQ"]
ABROAD = ["IL", "US", "DE", "KZ", "GE", "AM", "TR", "RS", "FI", "LV"]
VOLUNTEERS = ["GE", "US", "GB", "BY", "PL", "CA", "FR", "CO", "BR", "SE", "LT"]
UKRAINE_RESIDENTS = ["BY", "GE", "MD", "AZ", "RU", "AM"]

FIRST = date(2021, 6, 1)
LAST = date(2026, 6, 30)
FORGET = 0.15  # chance that a fact a person could know is left out


def _day(rng: random.Random, first: date = FIRST, last: date = LAST) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _maybe(rng: random.Random, profile: dict[str, Any], key: str, value: Any) -> None:
    """Set a field unless this person's file leaves it out (unknown)."""
    if rng.random() >= FORGET:
        profile[key] = value


def _service(
    rng: random.Random, country: str, force: str, kind: str, combat_chance: float = 0.5, first: date = date(2022, 1, 1)
) -> dict[str, Any]:
    start = _day(rng, first, date(2025, 12, 31))
    record: dict[str, Any] = {"country": country, "start": start.isoformat()}
    if rng.random() >= FORGET:
        record["force"] = force
    if rng.random() >= FORGET:
        record["kind"] = kind
    if rng.random() < 0.45:
        end = start + timedelta(days=rng.randrange(60, 900))
        record["end"] = end.isoformat()
        if rng.random() >= FORGET:
            record["discharge"] = rng.choice(["health", "age", "contract_end", "martial_law_end", "other"])
    if rng.random() >= FORGET:
        record["combat"] = rng.random() < combat_chance
    return record


def _no_family(rng: random.Random, person: dict[str, Any]) -> None:
    """No relatives listed: a fact (an empty list), left out like any other."""
    _maybe(rng, person, "family", [])


def _criminal_record(rng: random.Random) -> dict[str, Any]:
    convicted = rng.random() < 0.15
    record: dict[str, Any] = {"convicted": convicted, "under_investigation": rng.random() < 0.08}
    if convicted:
        record["conviction_expunged"] = rng.random() < 0.4
    for key in list(record):
        if rng.random() < FORGET:
            del record[key]
    return record


def foreign_contract_soldier(rng: random.Random) -> dict[str, Any]:
    country = rng.choice(FOREIGN)
    person: dict[str, Any] = {}
    _maybe(rng, person, "citizenships", [{"country": country, "acquired": "birth"}])
    _maybe(
        rng,
        person,
        "residences",
        [
            {
                "country": "RU",
                "status": rng.choice(["temporary", "permanent", "unlawful"]),
                "since": _day(rng, date(2021, 1, 1), date(2024, 6, 1)).isoformat(),
            }
        ],
    )
    _maybe(rng, person, "service", [_service(rng, "RU", "armed_forces", "contract", 0.7)])
    _maybe(rng, person, "military_registration", {"RU": rng.random() < 0.3})
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    relatives = (
        [{"relation": rng.choice(["spouse", "child", "parent"]), "person": {"citizenships": [{"country": country}]}}]
        if rng.random() < 0.35
        else []
    )
    _maybe(rng, person, "family", relatives)
    return person


def soldier_relative(rng: random.Random) -> dict[str, Any]:
    soldier = foreign_contract_soldier(rng)
    soldier.pop("family", None)
    country = soldier.get("citizenships", [{"country": rng.choice(FOREIGN)}])[0]["country"]
    person: dict[str, Any] = {
        "family": [{"relation": rng.choice(["spouse", "child", "parent", "sibling"]), "person": soldier}]
    }
    _maybe(rng, person, "citizenships", [{"country": country, "acquired": "birth"}])
    _maybe(rng, person, "residences", [{"country": rng.choice(["RU", country]), "status": "temporary"}])
    _maybe(rng, person, "service", [])
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    return person


def russian_citizen(rng: random.Random) -> dict[str, Any]:
    citizenships: list[dict[str, Any]] = [{"country": "RU", "acquired": "birth"}]
    if rng.random() < 0.5:
        citizenships.append(
            {"country": rng.choice(ABROAD), "acquired": rng.choice(["birth", "naturalization", "other"])}
        )
    person: dict[str, Any] = {}
    _maybe(rng, person, "citizenships", citizenships)
    residence = rng.choice(["RU", "RU", rng.choice(ABROAD)])
    _maybe(rng, person, "residences", [{"country": residence, "status": rng.choice(["permanent", "temporary"])}])
    records = []
    if rng.random() < 0.5:
        records.append(
            _service(rng, "RU", "armed_forces", rng.choice(["conscription", "contract"]), 0.3, first=date(2021, 10, 1))
        )
    _maybe(rng, person, "service", records)
    _maybe(rng, person, "military_registration", {"RU": rng.random() < 0.8})
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def naturalized_russian(rng: random.Random) -> dict[str, Any]:
    person: dict[str, Any] = {}
    origin = rng.choice(FOREIGN)
    held = [
        {
            "country": "RU",
            "acquired": "naturalization",
            "since": _day(rng, date(2015, 1, 1), date(2025, 6, 1)).isoformat(),
        }
    ]
    if rng.random() < 0.4:
        held.append({"country": origin, "acquired": "birth"})
    _maybe(rng, person, "citizenships", held)
    _maybe(rng, person, "residences", [{"country": "RU", "status": "permanent"}])
    _maybe(rng, person, "military_registration", {"RU": rng.random() < 0.5})
    _maybe(rng, person, "service", [])
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def stateless_resident(rng: random.Random) -> dict[str, Any]:
    person: dict[str, Any] = {"citizenships": []}
    _maybe(rng, person, "residences", [{"country": "RU", "status": rng.choice(["permanent", "temporary", "unlawful"])}])
    records = [_service(rng, "RU", "armed_forces", "contract", 0.6)] if rng.random() < 0.5 else []
    _maybe(rng, person, "service", records)
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def ukraine_volunteer(rng: random.Random) -> dict[str, Any]:
    person: dict[str, Any] = {}
    _maybe(rng, person, "citizenships", [{"country": rng.choice(VOLUNTEERS), "acquired": "birth"}])
    _maybe(rng, person, "residences", [{"country": "UA", "status": rng.choice(["temporary", "permanent"])}])
    _maybe(rng, person, "service", [_service(rng, "UA", "armed_forces", rng.choice(["contract", "volunteer"]), 0.6)])
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def ukraine_resident_guard(rng: random.Random) -> dict[str, Any]:
    person: dict[str, Any] = {}
    _maybe(rng, person, "citizenships", [{"country": rng.choice(UKRAINE_RESIDENTS)}])
    _maybe(rng, person, "residences", [{"country": "UA", "status": rng.choice(["permanent", "temporary", "unlawful"])}])
    _maybe(
        rng, person, "service", [_service(rng, "UA", "national_guard", "contract", 0.4)] if rng.random() < 0.6 else []
    )
    # The National Guard Law bars a person with an unexpunged conviction (art. 9(8)).
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def ukrainian_citizen(rng: random.Random) -> dict[str, Any]:
    person: dict[str, Any] = {}
    _maybe(rng, person, "citizenships", [{"country": "UA", "acquired": "birth"}])
    _maybe(rng, person, "residences", [{"country": "UA", "status": "permanent"}])
    _maybe(
        rng,
        person,
        "service",
        [_service(rng, "UA", rng.choice(["armed_forces", "national_guard"]), "conscription")]
        if rng.random() < 0.5
        else [],
    )
    _maybe(rng, person, "criminal_record", _criminal_record(rng))
    _no_family(rng, person)
    return person


def little_known(rng: random.Random) -> dict[str, Any]:
    """Someone the file knows almost nothing about."""
    person: dict[str, Any] = {}
    if rng.random() < 0.5:
        person["citizenships"] = [{"country": rng.choice(FOREIGN + ABROAD)}]
    return person


ARCHETYPES: list[tuple[Callable[[random.Random], dict[str, Any]], int]] = [
    (foreign_contract_soldier, 30),
    (soldier_relative, 12),
    (russian_citizen, 18),
    (naturalized_russian, 8),
    (stateless_resident, 6),
    (ukraine_volunteer, 10),
    (ukraine_resident_guard, 6),
    (ukrainian_citizen, 6),
    (little_known, 4),
]


def person(seed: int, number: int) -> dict[str, Any]:
    """Profile `number` of the population with this seed (a plain JSON-ready dict)."""
    rng = random.Random(f"eligibility:{seed}:{number}")
    maker = rng.choices([a for a, _ in ARCHETYPES], weights=[w for _, w in ARCHETYPES])[0]
    profile = maker(rng)
    return {"id": f"synth-{seed}-{number}", **profile}


def population(n: int, seed: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for number in range(start, start + n):
        yield person(seed, number)


def lines(n: int, seed: int, start: int = 0) -> Iterator[str]:
    """The population as JSON Lines (each line ends with a newline)."""
    for profile in population(n, seed, start):
        yield json.dumps(profile, separators=(",", ":"), ensure_ascii=False) + "\n"


# --- synthetic rule bases --------------------------------------------------------------------


def rule_base_copies(target: Path, provisions: int, source: Optional[Path] = None) -> list[str]:
    """Write a rule base of `provisions` provisions into `target`: the bundled (or `source`) rule
    files and sources, then copies of its provisions under new ids (`ru.copy-7.contract-stateless`),
    each the same law under another name.  For measuring and testing how the tool scales with the
    size of a rule base; a copy's answers are its original's, and the engine compiles it into its
    original's rules (engine.Shape), so only loading, judging and explaining grow with the copies.
    Returns the ids written."""
    import re
    import shutil

    from eligibility.law.loader import default_directory

    origin = Path(source) if source is not None else default_directory()
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(origin / "sources.toml", target / "sources.toml")
    files = sorted(p for p in origin.glob("*.toml") if p.name != "sources.toml")
    ids = []
    for path in files:
        shutil.copyfile(path, target / path.name)
        ids.append(path.stem)
    copy = 0
    while len(ids) < provisions:
        path = files[copy % len(files)]
        jurisdiction, area, name = path.stem.split(".")
        new_id = f"{jurisdiction}.copy-{copy // len(files) + 1}.{area}-{name}"
        text = path.read_text(encoding="utf-8")
        text, found = re.subn(r'(?m)^id = "[^"]+"$', f'id = "{new_id}"', text, count=1)
        if not found:
            raise ValueError(f"{path}: expected a top-level id line")
        (target / f"{new_id}.toml").write_text(text, encoding="utf-8")
        ids.append(new_id)
        copy += 1
    return ids[:provisions] if provisions < len(files) else ids


# the conditions of the law every different provision is written over (ru.contract.criminal-record-bar's)
DIFFERENT_FROM = "ru.contract.criminal-record-bar"
_LEAVES = ("russian-citizen", "other-citizenship", "under-investigation", "convicted", "expunged")


def expressions(count: int, seed: int = 1) -> list[str]:
    """`count` different expressions over the five conditions, each naming every condition at least
    once and up to three of them twice: random trees of all(...) and any(...), some parts under
    not(...).  No two are alike even in the engine's eyes: their canonical expressions
    (`logic.canonical`) all differ, so none shares another's engine rules.  Reproducible from the
    seed."""
    from eligibility.foundations import logic

    rng = random.Random(seed)

    def tree(leaves: list[str]) -> str:
        if len(leaves) == 1:
            word = leaves[0]
        else:
            cut = sorted(rng.sample(range(1, len(leaves)), rng.randint(1, min(3, len(leaves) - 1))))
            groups = [leaves[a:b] for a, b in zip([0, *cut], [*cut, len(leaves)], strict=True)]
            word = f"{rng.choice(('all', 'any'))}({', '.join(tree(g) for g in groups)})"
        return f"not({word})" if rng.random() < 0.3 else word

    found: dict[str, str] = {}  # normal form -> the expression written
    tries = 0
    while len(found) < count:
        tries += 1
        if tries > count * 50:
            raise ValueError(f"could not write {count} different expressions over {len(_LEAVES)} conditions")
        leaves = list(_LEAVES) + rng.sample(_LEAVES, rng.randint(0, 3))
        rng.shuffle(leaves)
        text = tree(leaves)
        found.setdefault(logic.written(logic.canonical(logic.parse(text))[0]), text)
    return list(found.values())


def rule_base_different(target: Path, provisions: int, seed: int = 1, source: Optional[Path] = None) -> list[str]:
    """Write a rule base of `provisions` provisions into `target`: the bundled (or `source`) rule
    files and sources, then different laws: the articles' account of one provision's five
    conditions (DIFFERENT_FROM), each under an expression of its own (`expressions`), so that no
    two share their engine rules as copies do.  For measuring how the tool scales with a rule
    base of different laws (benchmarks/run.py); the laws are made up, never judged for anyone.
    Returns the ids written."""
    import re

    rule_base_copies(target, 0, source)  # the stock rule base
    base = Path(target)
    ids = sorted(p.stem for p in base.glob("*.toml") if p.name != "sources.toml")
    text = (base / f"{DIFFERENT_FROM}.toml").read_text(encoding="utf-8")
    text = text.split("# --- The official record", 1)[0]  # the articles' account only
    wanted = max(0, provisions - len(ids))
    for n, expression in enumerate(expressions(wanted, seed)):
        new_id = f"ru.different-{n + 1}.contract-record"
        body, found = re.subn(r'(?m)^id = "[^"]+"$', f'id = "{new_id}"', text, count=1)
        body, also = re.subn(r'(?m)^when = "[^"]+"$', f'when = "{expression}"', body, count=1)
        if not (found and also):
            raise ValueError(f"{DIFFERENT_FROM}: expected a top-level id and when line")
        (base / f"{new_id}.toml").write_text(body, encoding="utf-8")
        ids.append(new_id)
    return ids
