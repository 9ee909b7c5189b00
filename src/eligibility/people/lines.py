"""Profiles read from JSON Lines quickly, for a population: each field's text is validated once.

A population repeats itself field by field: at 100,000 synthetic profiles there are 5,319
distinct `citizenships`, 3,782 `residences` and 21 `criminal_record`s, though 78,564 profiles
differ as wholes.  `Lines.read` splits a line into its fields' texts with msgspec (which keeps
each value's bytes as they are, without building objects).  When every text is one kept from an
earlier line, the profile is built from the kept values; when one is new (the common case: a
person's own service record), that field is validated alone, as the careful reading validates it
within a profile; when more are new, the line is read the one careful way (`decode_json` and
`parse_profile`), whole, and the values of its new texts are kept from that reading, so that a
population whose texts seldom repeat costs about what the careful reading costs.  Each text kept
has a token, a number never given to another text in this process, so that the evaluator can
keep what a field's tests found (`Evaluator.cases`'s `sections`).

It is a shortcut and never an authority.  A text is kept only once the careful reading's own
validation took it (the field alone, or its whole line); a `Profile` has no check across fields,
which is what makes a field's text a unit.  A line built from kept texts is still checked for
what the split cannot see: a key given twice at the top (msgspec keeps the last) or written with
escapes, and an id that is not a string.  Whatever the quick reading does not take, the caller
reads the careful way, which accepts it or words its error.  tests/test_lines.py holds the two
readings equal.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

import msgspec
from pydantic import ValidationError

from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_json
from eligibility.foundations.stores import Kept
from eligibility.people.profile import (
    MAX_FAMILY_DEPTH,
    MAX_FAMILY_MEMBERS,
    SECTIONS,
    Profile,
    family_size,
    parse_profile,
)

ABSENT = 0  # the token of a field the line does not give (never a text's token: those start at 1)
# The longest text kept, in bytes.  A validated text weighs 25 to 33 times its bytes, and the
# findings its tests leave up to 50 times (words about each record); a store holds at most
# 2 x LIMIT texts a field and 2 x FIELD_FINDINGS findings, so this is what bounds their memory
# whatever the input (20,000 lines of distinct texts written as heavy as they can be: 76 MB at the
# peak, against 55 MB without the quick reading).
# A longer text is validated, and its tests run, each time it comes, under a negative token that
# tells the evaluator not to keep its findings either.  Typical texts are far shorter (a
# citizenship about 40 bytes, a service record about 80, no family at all 2).
MAX_KEPT = 256

_Split = msgspec.defstruct(
    "_Split",
    [(name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET) for name in ("id", *SECTIONS)],  # the id first
    forbid_unknown_fields=True,
)
_SPLIT = msgspec.json.Decoder(_Split)
_ID = msgspec.json.Decoder(Optional[str])  # an id: a string or null (StrictStr), nothing else
_WHITESPACE = b" \t\n\r"  # JSON's whitespace, the only bytes allowed between its tokens
_TOKENS = itertools.count(1)  # shared by every reader in the process: a token names one text


class Lines:
    """A reader of profile lines that keeps each field's validated value by its text (bounded:
    a long run's memory stays flat)."""

    LIMIT = 256  # texts kept per field and generation (stores.Kept), each of at most MAX_KEPT bytes

    def __init__(self) -> None:
        self._known: list[Kept[bytes, tuple[Any, int]]] = [Kept(self.LIMIT) for _ in SECTIONS]

    def read(self, raw: bytes) -> Optional[tuple[Profile, tuple[int, ...]]]:
        """The line's profile and its sections' tokens (`ABSENT` for a field not given, negative for
        a text too long to keep; the id, which no test reads, has none); None where the line must
        be read the careful way and that way refuses it, or where msgspec cannot split it (see
        the module's docstring)."""
        try:
            split = _SPLIT.decode(raw)
        except (msgspec.DecodeError, RecursionError):  # its ValidationError too: not an object, an unknown field
            return None
        fields = msgspec.structs.astuple(split)  # each field's text, or UNSET; the id first
        values: dict[str, Any] = {}
        bodies: list[bytes] = []  # the texts given, to count the line's bytes with
        tokens: list[int] = []
        new: list[tuple[int, bytes]] = []  # the sections whose text is not kept: (place, text)
        for place, (name, text, known) in enumerate(zip(SECTIONS, fields[1:], self._known, strict=True)):
            if text is msgspec.UNSET:
                tokens.append(ABSENT)
                continue
            body = bytes(text)
            bodies.append(body)
            # the newer generation first, without a call
            found = (known.new.get(body) or known.get(body)) if len(body) <= MAX_KEPT else None
            if found is None:
                new.append((place, body))
                tokens.append(ABSENT)  # for now
                continue
            values[name] = found[0]
            tokens.append(found[1])
        if len(new) > 1:
            return self._careful(raw, tokens, new)
        if new:  # one new text (the common case: a person's own service record): that field alone
            place, body = new[0]
            name = SECTIONS[place]
            value = _field(name, body)
            if value is _REFUSED:
                return None
            values[name] = value
            tokens[place] = self._keep(place, body, value)
        label = fields[0]
        if label is not msgspec.UNSET:
            body = bytes(label)
            # msgspec refuses what the careful reading would refuse in a string (a lone surrogate,
            # bytes that are not UTF-8, a raw control character)
            try:
                values["id"] = _ID.decode(body)
            except (msgspec.DecodeError, RecursionError):
                return None
            bodies.append(body)
        if not _members_only(raw, values, bodies):
            return None
        return _assemble(values), tuple(tokens)

    def _careful(
        self, raw: bytes, tokens: list[int], new: list[tuple[int, bytes]]
    ) -> Optional[tuple[Profile, tuple[int, ...]]]:
        """A line with a text not kept, read the careful way whole (as a line without the quick
        reading is, so it costs no more); the new texts' values are kept from that reading."""
        try:
            profile = parse_profile(decode_json(raw, "line"), "line")
        except InputError:
            return None
        for place, body in new:
            tokens[place] = self._keep(place, body, getattr(profile, SECTIONS[place]))
        return profile, tuple(tokens)

    def _keep(self, place: int, body: bytes, value: Any) -> int:
        """A new text's token, and its value kept; a text longer than MAX_KEPT is validated, and
        its tests run, each time it comes: never kept, its token negative."""
        if len(body) > MAX_KEPT:
            return -next(_TOKENS)
        token = next(_TOKENS)
        self._known[place].put(body, (value, token))
        return token


# Every field's default, which a field not given takes: None for each (a profile's fields are all
# optional; an omitted field is unknown).
_DEFAULTS: dict[str, Any] = {name: field.get_default() for name, field in Profile.model_fields.items()}
_SET = object.__setattr__  # a Profile is frozen: what pydantic's own model_construct sets it with


def _assemble(values: dict[str, Any]) -> Profile:
    """A profile of validated fields, as `Profile.model_construct(set(values), **values)` builds
    it (the same four attributes), without that function's walk over aliases and defaults: a
    quarter of its time, which at 100,000 lines is about half the whole I/O floor.
    tests/test_lines.py checks the two give equal profiles."""
    profile = Profile.__new__(Profile)
    _SET(profile, "__dict__", {**_DEFAULTS, **values})
    _SET(profile, "__pydantic_fields_set__", set(values))
    _SET(profile, "__pydantic_extra__", None)
    _SET(profile, "__pydantic_private__", None)
    return profile


_REFUSED = object()


def _field(name: str, body: bytes) -> Any:
    """One field's text read as the careful reading reads it within a profile (decode_json, the
    family's limits, then pydantic on that field alone, which is the same validation: a Profile
    has no check across fields); _REFUSED where that refuses it, and the whole line's careful
    reading then says why."""
    try:
        data = decode_json(body, name)
    except InputError:
        return _REFUSED
    if name == "family":
        depth, members = family_size({"family": data}, MAX_FAMILY_DEPTH)
        if depth > MAX_FAMILY_DEPTH or members > MAX_FAMILY_MEMBERS:
            return _REFUSED
    try:
        return getattr(Profile.model_validate({name: data}), name)
    except (ValidationError, RecursionError):
        return _REFUSED


def _members_only(raw: bytes, values: dict[str, Any], bodies: list[bytes]) -> bool:
    """Whether the line holds nothing but the members msgspec read, each once: msgspec keeps the
    last of a key given twice, so a line longer than its members has another member (or a key
    written with escapes).  Counted as the line is first ({, "name":text and , or } for each
    member), then, where the line has whitespace between its tokens, without any whitespace."""
    spaced = 1 + sum(len(name) + 4 for name in values) + sum(map(len, bodies)) + (not values)  # "{}" alone
    length = len(raw) - (2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0)
    if length == spaced:
        return True
    inside = sum(len(b) - len(b.translate(None, _WHITESPACE)) for b in bodies)
    return len(raw.translate(None, _WHITESPACE)) == spaced - inside
