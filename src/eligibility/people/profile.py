"""A person's profile: the facts the rules are judged on.

The format is a public contract (docs/profile.md).  An omitted field (or `null`)
means unknown; an empty list means none; an unknown field is an error.
"""

# No `from __future__ import annotations` here: pydantic then reads the annotations as
# objects rather than evaluating strings when the models are built, at every start.
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

from eligibility.foundations import countries
from eligibility.foundations.dates import parse_day
from eligibility.foundations.errors import Expected, InputError
from eligibility.foundations.files import decode_json, read_file
from eligibility.foundations.validation import input_error

MAX_FAMILY_DEPTH = 8
MAX_FAMILY_MEMBERS = 20_000  # judging is linear in members; this bounds a profile's memory (~20 KB a member)
MAX_PROFILE_BYTES = 16 * 1024 * 1024


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    return parse_day(value)


def _country(value: Any) -> str:
    if not countries.is_code(value):
        raise Expected("an ISO 3166-1 alpha-2 country code such as 'NP'", countries.suggest(value))
    return value


RELATIONS = ("spouse", "child", "parent", "sibling", "other")
# words people write for a relation, and the relation the profile names it by
RELATION_WORDS = {
    "wife": "spouse",
    "husband": "spouse",
    "partner": "spouse",
    "son": "child",
    "daughter": "child",
    "mother": "parent",
    "father": "parent",
    "brother": "sibling",
    "sister": "sibling",
}


def _relation(value: Any) -> Any:
    if value in RELATIONS:
        return value
    meant = RELATION_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
    hint = f"; did you mean {meant!r}?" if meant else ""
    raise Expected("one of " + ", ".join(repr(r) for r in RELATIONS[:-1]) + f" or {RELATIONS[-1]!r}", hint)


Day = Annotated[date, BeforeValidator(_day)]
Country = Annotated[str, BeforeValidator(_country)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _order(first: date | None, last: date | None, first_name: str, last_name: str) -> None:
    if first is not None and last is not None and last < first:
        raise ValueError(
            f"{last_name}: expected a date on or after {first_name} ({first.isoformat()}), got {last.isoformat()!r}"
        )


class _Held(_Record):
    """A status held from `since` (omitted: since before any date asked about) until the day before `until`."""

    since: Optional[Day] = None
    until: Optional[Day] = None

    @model_validator(mode="after")
    def _dates(self) -> "_Held":
        _order(self.since, self.until, "since", "until")
        return self

    def held_on(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day < self.until)


class Citizenship(_Held):
    country: Country
    acquired: Optional[Literal["birth", "naturalization", "other"]] = None


class Residence(_Held):
    country: Country
    status: Optional[Literal["permanent", "temporary", "unlawful"]] = None


class Service(_Record):
    country: Country
    force: Optional[Literal["armed_forces", "national_guard", "other"]] = None
    kind: Optional[Literal["contract", "conscription", "volunteer"]] = None
    start: Day
    end: Optional[Day] = None
    discharge: Optional[Literal["health", "age", "contract_end", "martial_law_end", "other"]] = None
    combat: Optional[StrictBool] = None

    @model_validator(mode="after")
    def _dates(self) -> "Service":
        _order(self.start, self.end, "start", "end")
        if self.discharge is not None and self.end is None:
            raise ValueError("discharge: expected an end date alongside the discharge, got no end")
        return self

    def started_by(self, day: date) -> bool:
        return self.start <= day

    def serving_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def ended_by(self, day: date) -> bool:
        return self.end is not None and self.end <= day


class CriminalRecord(_Record):
    convicted: Optional[StrictBool] = None
    conviction_expunged: Optional[StrictBool] = None
    under_investigation: Optional[StrictBool] = None

    @model_validator(mode="after")
    def _consistent(self) -> "CriminalRecord":
        if self.conviction_expunged is True and self.convicted is False:
            raise ValueError("conviction_expunged: expected false or no value when convicted is false, got true")
        return self


class FamilyMember(_Record):
    relation: Annotated[Literal["spouse", "child", "parent", "sibling", "other"], BeforeValidator(_relation)]
    person: "Profile"

    def words(self, index: int, owner: str = "") -> str:
        """How reports name the member: `family[0] (spouse, Ram)`, under its owner's path."""
        label = f", {self.person.id}" if self.person.id else ""
        return f"{owner}family[{index}] ({self.relation}{label})"


class Profile(_Record):
    id: Optional[StrictStr] = None
    citizenships: Optional[list[Citizenship]] = None
    residences: Optional[list[Residence]] = None
    service: Optional[list[Service]] = None
    military_registration: Optional[dict[Country, StrictBool]] = None
    criminal_record: Optional[CriminalRecord] = None
    family: Optional[list[FamilyMember]] = None

    def label(self, fallback: str = "profile") -> str:
        return self.id if self.id else fallback


FamilyMember.model_rebuild()


def _family_size(data: Any, limit: int) -> tuple[int, int]:
    """Depth of family nesting and the number of members at all levels, counted without
    recursion; stops past the depth limit."""
    depth = members = 0
    level = [data]
    while level:
        following = []
        for item in level:
            if isinstance(item, dict) and isinstance(item.get("family"), list):
                for member in item["family"]:
                    if isinstance(member, dict) and "person" in member:
                        following.append(member["person"])
        if not following:
            break
        depth += 1
        members += len(following)
        if depth > limit:
            break
        level = following
    return depth, members


def parse_profile(data: Any, file: str = "profile") -> Profile:
    """Validate already-decoded JSON as a profile; InputError on any problem."""
    if not isinstance(data, dict):
        raise InputError.expected(file, None, "a JSON object holding a profile", data)
    depth, members = _family_size(data, MAX_FAMILY_DEPTH)
    if depth > MAX_FAMILY_DEPTH:
        raise InputError(
            file,
            "family",
            f"family members are nested more than {MAX_FAMILY_DEPTH} levels deep; expected at most {MAX_FAMILY_DEPTH}",
        )
    if members > MAX_FAMILY_MEMBERS:
        raise InputError(
            file,
            "family",
            f"expected at most {MAX_FAMILY_MEMBERS:,} family members in one profile "
            f"(all levels counted), got {members:,}",
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        raise input_error(error, Profile, file) from None
    except RecursionError:
        raise InputError(file, None, "the profile nests too deeply to read") from None


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; InputError names the file and the field."""
    raw = read_file(path, "profile file", MAX_PROFILE_BYTES)
    try:
        data = decode_json(raw, str(path))
    except InputError as error:
        if _json_lines(raw):
            raise InputError(
                error.file,
                None,
                "expected one profile, found JSON Lines (several profiles, one per line): "
                "'eligibility batch' judges those, 'eligibility table' several files on one date",
            ) from None
        raise
    return parse_profile(data, str(path))


def _json_lines(raw: bytes) -> bool:
    """Whether the bytes are two or more JSON objects, one per line."""
    lines = [line for line in raw.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines[:50])
    except ValueError:
        return False
