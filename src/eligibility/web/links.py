"""What a person page shows, as the query of its address, so that a link reproduces it.

The profile travels in the link as compact JSON, deflated and base64url-encoded (`p`); the
dates and options as themselves; `rb` is the digest of the rule base the link was made with,
so a page opened with another rule base can say so.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Optional
from urllib.parse import urlencode

from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_json

MAX_LINK_PROFILE = 8_000  # characters of `p`; a larger profile is judged, but not shared by link
MAX_PROFILE_JSON = 1024 * 1024  # bytes of a profile decoded from a link (a deflated bomb stops here)


def encode_profile(data: Any) -> str:
    """A profile's data as the `p` of a link."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decode_profile(text: str) -> Any:
    """The profile data a link's `p` holds, read as a profile file is (a key written twice, a lone
    surrogate or nesting too deep refused); a one-line InputError when it holds none."""
    shown = text[:40] + ("..." if len(text) > 40 else "")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_PROFILE_JSON + 1)
    except (ValueError, binascii.Error, zlib.error):
        raise InputError(
            "link", "p", f"expected a profile as the explorer writes it into a link, got {shown!r}"
        ) from None
    if len(raw) > MAX_PROFILE_JSON or inflater.unconsumed_tail:
        raise InputError("link", "p", f"expected a profile of at most {MAX_PROFILE_JSON:,} bytes, got more")
    if not inflater.eof:
        raise InputError("link", "p", f"expected a whole link (copy all of it), got one cut short: {shown!r}")
    try:
        return decode_json(raw, "link: p")
    except RecursionError:
        raise InputError("link", "p", "expected a profile, got JSON nested too deeply to read") from None


@dataclass(frozen=True)
class View:
    """Everything a person page shows, as written in its address (strings as given; the page
    checks each and names the one that is wrong)."""

    p: str  # the profile, encoded
    on: str
    evidence: str = "all"
    known_on: Optional[str] = None
    start: Optional[str] = None  # the timeline's first and last day
    end: Optional[str] = None
    vs: Optional[str] = None  # a second date to compare with
    set: tuple[str, ...] = field(default_factory=tuple)  # what-if: PATH=VALUE
    unset: tuple[str, ...] = field(default_factory=tuple)  # what-if: PATH
    make: Optional[str] = None  # make-apply: a provision id
    rb: Optional[str] = None  # the rule base the link was made with

    def query(self, **changes: Any) -> str:
        """The query of this view's address, with some parts changed (None removes one)."""
        view = replace(self, **changes)
        pairs: list[tuple[str, str]] = [("p", view.p), ("on", view.on)]
        for name in ("evidence", "known_on", "start", "end", "vs", "make", "rb"):
            value = getattr(view, name)
            if value is not None and not (name == "evidence" and value == "all"):
                pairs.append((name, value))
        pairs += [("set", edit) for edit in view.set] + [("unset", path) for path in view.unset]
        return urlencode(pairs)
