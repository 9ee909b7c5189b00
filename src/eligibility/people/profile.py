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
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictStr,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from eligibility.foundations import countries
from eligibility.foundations.dates import DATE_FORMATS, DateSpec, parse_spec
from eligibility.foundations.errors import Expected, InputError
from eligibility.foundations.files import decode_json, read_file
from eligibility.foundations.logic import FALSE, TRUE, UNKNOWN, Truth, all_of
from eligibility.foundations.validation import input_error

MAX_FAMILY_DEPTH = 8
MAX_FAMILY_MEMBERS = 20_000  # judging is linear in members; this bounds a profile's memory (~20 KB a member)
MAX_PROFILE_BYTES = 16 * 1024 * 1024


def _when(value: Any) -> DateSpec:
    """A profile's date, as precisely as the person knows it: a day, a month, a year or a window
    (never rounded to a guessed day)."""
    if isinstance(value, DateSpec):
        return value
    if isinstance(value, date):
        return parse_spec(value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        raise Expected(DATE_FORMATS, f'; a year is written as text: "{value}"')
    return parse_spec(value)


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


class _IsoCode:
    """In the published JSON Schema, a country refers to one definition, `Country`: the ISO 3166-1
    alpha-2 codes (`profile_schema` adds it; the codes are read when the schema is asked for)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {_COUNTRY_MARK: True}


_COUNTRY_MARK = "x-iso-3166-1-alpha-2"


def _refer_to_country(node: Any) -> Any:
    """Every country in a generated schema, made a reference to the one `Country` definition."""
    if isinstance(node, dict):
        if node.pop(_COUNTRY_MARK, None):
            return {"$ref": "#/$defs/Country", **{k: _refer_to_country(v) for k, v in node.items()}}
        return {k: _refer_to_country(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_refer_to_country(v) for v in node]
    return node


When = Annotated[
    DateSpec,
    PlainValidator(_when),
    PlainSerializer(DateSpec.written, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$",
            "description": DATE_FORMATS[0].upper() + DATE_FORMATS[1:] + " (both ends included).",
        }
    ),
]
Country = Annotated[str, BeforeValidator(countries.checked), _IsoCode]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _order(first: DateSpec | None, last: DateSpec | None, first_name: str, last_name: str) -> None:
    """A later date that cannot fall on or after the earlier one, however the imprecise ends are read."""
    if first is not None and last is not None and last.latest < first.earliest:
        raise ValueError(
            f"{last_name}: expected a date on or after {first_name} ({first.written()}), got {last.written()!r}"
        )


class _Held(_Record):
    """A status held from `since` (omitted: since before any date asked about) until the day before `until`."""

    since: Optional[When] = Field(
        default=None,
        description="First day it was held (YYYY-MM-DD, or a month, year or window when the day is not known); "
        "omitted: since before any date asked about.",
    )
    until: Optional[When] = Field(
        default=None,
        description="Held until the day before this one (YYYY-MM-DD, or a month, year or window); omitted: still "
        "held. Not before since.",
    )

    @model_validator(mode="after")
    def _dates(self) -> "_Held":
        _order(self.since, self.until, "since", "until")
        return self

    def held_on(self, day: date) -> Truth:
        """Held on the day: unknown where the day falls inside an imprecise since or until."""
        begun = TRUE if self.since is None else self.since.on_or_before(day)
        if begun is FALSE or self.until is None:
            return begun
        return all_of((begun, self.until.after(day)))


class Citizenship(_Held):
    """A citizenship the person holds or held."""

    country: Country = Field(description="Whose citizenship: an ISO 3166-1 alpha-2 code such as NP.")
    acquired: Optional[Literal["birth", "naturalization", "other"]] = Field(
        default=None, description="How it was acquired; omitted: unknown."
    )


class Residence(_Held):
    """A place the person lives or lived."""

    country: Country = Field(description="Where: an ISO 3166-1 alpha-2 code.")
    status: Optional[Literal["permanent", "temporary", "unlawful"]] = Field(
        default=None, description="The residence's legal status; omitted: unknown."
    )


class Service(_Record):
    """One period of military service."""

    country: Country = Field(description="Whose forces: an ISO 3166-1 alpha-2 code.")
    force: Optional[Literal["armed_forces", "national_guard", "other"]] = Field(
        default=None, description="Which formation; omitted: unknown."
    )
    kind: Optional[Literal["contract", "conscription", "volunteer"]] = Field(
        default=None, description="On what footing the person served; omitted: unknown."
    )
    start: When = Field(
        description="First day of service (YYYY-MM-DD, or a month, year or window when the day is not known)."
    )
    end: Optional[When] = Field(
        default=None,
        description="The day the service ended (YYYY-MM-DD, or a month, year or window); omitted: still serving. "
        "Not before start.",
    )
    discharge: Optional[Literal["health", "age", "contract_end", "martial_law_end", "other"]] = Field(
        default=None, description="The ground of discharge; needs an end. Omitted: unknown."
    )
    combat: Optional[StrictBool] = Field(
        default=None,
        description="Whether the person fought in the war against Ukraine during this service; omitted: unknown.",
    )

    @model_validator(mode="after")
    def _dates(self) -> "Service":
        _order(self.start, self.end, "start", "end")
        if self.discharge is not None and self.end is None:
            raise ValueError("discharge: expected an end date alongside the discharge, got no end")
        return self

    # The start and the end are read together: a service ends on or after it starts, so an end
    # known to be past settles that the service had started, and a start known to be ahead that
    # it had not ended, however imprecise the other date is.

    def started_by(self, day: date) -> Truth:
        begun = self.start.on_or_before(day)
        if begun is UNKNOWN and self.end is not None and self.end.latest <= day:
            return TRUE
        return begun

    def serving_on(self, day: date) -> Truth:
        begun = self.started_by(day)
        if begun is FALSE or self.end is None:
            return begun
        return all_of((begun, self.end.after(day)))

    def ended_by(self, day: date) -> Truth:
        if self.end is None or self.start.earliest > day:
            return FALSE
        return self.end.on_or_before(day)

    def last_day_bounds(self, day: date) -> tuple[date, date]:
        """The earliest and the latest possible last day of service as of `day` (the day itself
        while it may still go on): never before its earliest start."""
        end = self.end
        if end is None or end.earliest > day:
            return day, day
        low = max(end.earliest, self.start.earliest)
        low = date.fromordinal(low.toordinal() - 1) if low > date.min else low
        high = day if end.latest > day else date.fromordinal(end.latest.toordinal() - 1)
        return low, high


class CriminalRecord(_Record):
    """What is known of the person's criminal record; each omitted field is unknown."""

    convicted: Optional[StrictBool] = Field(default=None, description="Ever convicted of a crime.")
    conviction_expunged: Optional[StrictBool] = Field(
        default=None, description="The conviction has been expunged; true needs convicted to be true."
    )
    under_investigation: Optional[StrictBool] = Field(default=None, description="Under criminal investigation now.")

    @model_validator(mode="after")
    def _consistent(self) -> "CriminalRecord":
        if self.conviction_expunged is True and self.convicted is False:
            raise ValueError("conviction_expunged: expected false or no value when convicted is false, got true")
        return self


class FamilyMember(_Record):
    """A member of the person's family, with a profile of their own."""

    relation: Annotated[Literal["spouse", "child", "parent", "sibling", "other"], BeforeValidator(_relation)] = Field(
        description="What the listed person is to the subject: a soldier's mother lists the soldier as her child."
    )
    person: "Profile" = Field(description="The member's own profile, with the same fields.")

    def words(self, index: int, owner: str = "") -> str:
        """How reports name the member: `family[0] (spouse, Ram)`, under its owner's path."""
        label = f", {self.person.id}" if self.person.id else ""
        return f"{owner}family[{index}] ({self.relation}{label})"


class Profile(_Record):
    """The facts about one person that the rules are judged on. An omitted field (or null) is
    unknown; an empty list means none; an unknown field is an error (docs/profile.md)."""

    id: Optional[StrictStr] = Field(default=None, description="A label shown in reports.")
    citizenships: Optional[list[Citizenship]] = Field(
        default=None, description="Every citizenship the person holds or held; omitted: unknown, []: none."
    )
    residences: Optional[list[Residence]] = Field(
        default=None, description="Places of residence; omitted: unknown, []: none."
    )
    service: Optional[list[Service]] = Field(
        default=None, description="Military service records; omitted: unknown, []: never served."
    )
    military_registration: Optional[dict[Country, StrictBool]] = Field(
        default=None,
        description="Registered for military service in a country (ISO 3166-1 alpha-2 code -> true/false); "
        "a country not listed is unknown.",
    )
    criminal_record: Optional[CriminalRecord] = Field(default=None, description="What is known of the criminal record.")
    family: Optional[list[FamilyMember]] = Field(
        default=None, description="Family members, each with a relation and a nested profile; omitted: unknown."
    )

    def label(self, fallback: str = "profile") -> str:
        return self.id if self.id else fallback


FamilyMember.model_rebuild()


SCHEMA_ID = "https://eligibility.invalid/schema/profile.json"  # a name, not an address: nothing is fetched


# The profile's fields that tests read (all but the id), in order: each kind of test reads one
# (judging.kinds), and batch's quick reading gives each a token in this order (people.lines).
SECTIONS: tuple[str, ...] = tuple(name for name in Profile.model_fields if name != "id")


def profile_schema() -> dict[str, Any]:
    """The profile's JSON Schema (draft 2020-12): every field described, every country one of the
    ISO 3166-1 alpha-2 codes.  What `eligibility schema profile` prints and docs/profile.schema.json holds."""
    found = _refer_to_country(Profile.model_json_schema())
    registration = found["$defs"]["Profile"]["properties"]["military_registration"]["anyOf"][0]
    registration["propertyNames"] = {"$ref": "#/$defs/Country"}
    found["$defs"]["Country"] = {
        "type": "string",
        "enum": countries.codes(),
        "description": "An ISO 3166-1 alpha-2 country code, upper case, such as NP, RU or UA.",
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, "title": "Profile", **found}


def family_size(data: Any, limit: int) -> tuple[int, int]:
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
    depth, members = family_size(data, MAX_FAMILY_DEPTH)
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
