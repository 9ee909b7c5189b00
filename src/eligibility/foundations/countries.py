"""ISO 3166-1 alpha-2 country codes, read from the data file pycountry ships.

The file is read directly rather than through `import pycountry`, whose import
costs far more than parsing the file; the codes and names are the same.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from eligibility.foundations.errors import Expected


@lru_cache(maxsize=1)
def _entries() -> list[dict[str, str]]:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pycountry package is not installed")
    data = Path(list(spec.submodule_search_locations)[0]) / "databases" / "iso3166-1.json"
    entries: list[dict[str, str]] = json.loads(data.read_text(encoding="utf-8"))["3166-1"]
    return entries


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {entry["alpha_2"]: entry.get("common_name", entry["name"]) for entry in _entries()}


# Codes people write for a country that ISO 3166-1 codes otherwise (or not at all)
COMMON_WRONG = {"UK": "GB", "EL": "GR", "EN": "GB", "USA": "US", "UAE": "AE", "RUS": "RU", "UKR": "UA"}


@lru_cache(maxsize=1)
def _by_word() -> dict[str, str]:
    """Every name, official name, common name and three-letter code, lower-cased -> alpha-2."""
    found: dict[str, str] = {}
    for entry in _entries():
        for key in ("alpha_3", "name", "official_name", "common_name"):
            if key in entry:
                found.setdefault(entry[key].lower(), entry["alpha_2"])
    return found


def suggest(value: object) -> str:
    """'; did you mean 'GB' (United Kingdom)?' for a country written as a name, in lower case or
    by a common wrong code; or nothing."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip()
    code = text.upper() if text.upper() in _names() and text != text.upper() else None
    code = code or COMMON_WRONG.get(text.upper()) or _by_word().get(text.lower())
    if code is None and len(text) > 3:  # "Russia" for "Russian Federation", "Syria", "Iran": if one name begins so
        starting = {c for word, c in _by_word().items() if word.startswith(text.lower())}
        code = starting.pop() if len(starting) == 1 else None
    return f"; did you mean {code!r} ({name(code)})?" if code else ""


def is_code(code: object) -> bool:
    return isinstance(code, str) and code in _names()


def name(code: str) -> str:
    return _names().get(code, code)


def codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code, sorted."""
    return sorted(_names())


def checked(value: object) -> str:
    """A country code as every input file must write it (a profile's, a rule's), or the refusal
    with the code the user probably meant."""
    if not isinstance(value, str) or not is_code(value):
        raise Expected("an ISO 3166-1 alpha-2 country code such as 'NP'", suggest(value))
    return value
