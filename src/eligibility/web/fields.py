"""The profile as a form, field by field: what a student fills in instead of writing JSON.

Every field of a profile has an input named by its path (`citizenships[0].country`), with the
profile schema's own description as its hint; a list is "not known", "none" or listed, row by
row, and "one more row" is a button (it works with scripts off).  Reading the form gives profile
data that is checked exactly as a file is, and an error names the field the form shows it on.
Family members, themselves whole profiles, are written as JSON in one box.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Optional, Sequence

from pydantic import BaseModel

from eligibility.foundations import countries
from eligibility.foundations.dates import DateSpec
from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_json
from eligibility.output.pictures import escape
from eligibility.people.profile import Citizenship, CriminalRecord, Residence, Service

Kind = Any  # "country", "date", "bool", "text", or a tuple of allowed words
LISTS: dict[str, tuple[tuple[str, Kind], ...]] = {
    "citizenships": (
        ("country", "country"),
        ("acquired", ("birth", "naturalization", "other")),
        ("since", "date"),
        ("until", "date"),
    ),
    "residences": (
        ("country", "country"),
        ("status", ("permanent", "temporary", "unlawful")),
        ("since", "date"),
        ("until", "date"),
    ),
    "service": (
        ("country", "country"),
        ("force", ("armed_forces", "national_guard", "other")),
        ("kind", ("contract", "conscription", "volunteer")),
        ("start", "date"),
        ("end", "date"),
        ("discharge", ("health", "age", "contract_end", "martial_law_end", "other")),
        ("combat", "bool"),
    ),
}
MODELS: dict[str, type[BaseModel]] = {"citizenships": Citizenship, "residences": Residence, "service": Service}
RECORD = ("convicted", "conviction_expunged", "under_investigation")
_ROW = re.compile(r"^(citizenships|residences|service|military_registration)\[(\d{1,3})\]\.([a-z_]+)$")
MAX_ROWS = 50


def _hint(section: str, name: str) -> str:
    """The profile schema's description of the field: the same words as docs/profile.md's."""
    return MODELS[section].model_fields[name].description or ""


def read(form: Mapping[str, Any]) -> tuple[dict[str, Any], Optional[str]]:
    """Profile data from the form's fields, and the section given one more row (or None)."""
    data: dict[str, Any] = {}
    if str(form.get("id") or "").strip():
        data["id"] = str(form["id"]).strip()
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in form.items():
        found = _ROW.match(str(key))
        if found and str(value).strip():
            section, index, name = found.group(1), int(found.group(2)), found.group(3)
            if index < MAX_ROWS:
                rows.setdefault(section, {}).setdefault(index, {})[name] = str(value).strip()
    for section, spec in LISTS.items():
        known = str(form.get(f"{section}.known") or "unknown")
        filled = rows.get(section, {})
        if known == "none" and filled:
            raise InputError("profile", section, f"expected no rows when the list is 'none', got {len(filled)}")
        if known == "none":
            data[section] = []
        elif known == "listed" or filled:  # rows written are never dropped, whatever "Known?" says
            kinds = dict(spec)
            data[section] = [
                {name: _value(kinds.get(name, "text"), text) for name, text in row.items()}
                for _, row in sorted(rows.get(section, {}).items())
            ]
    registered: dict[str, bool] = {}
    for index, row in sorted(rows.get("military_registration", {}).items()):
        where = f"military_registration[{index}]"
        if not row.get("country") or row.get("registered") not in ("yes", "no"):
            raise InputError("profile", where, "expected a country and yes or no, got only one of them")
        registered[row["country"]] = row["registered"] == "yes"
    if registered:
        data["military_registration"] = registered
    record = {
        name: form.get(f"criminal_record.{name}") == "yes" for name in RECORD if form.get(f"criminal_record.{name}")
    }
    if record:
        data["criminal_record"] = record
    family = str(form.get("family") or "").strip()
    if family:
        data["family"] = decode_json(family.encode("utf-8"), "profile: family")
    more = str(form.get("more") or "") or None
    return data, more if more in (*LISTS, "military_registration") else None


def _value(kind: Kind, text: str) -> Any:
    if kind == "bool":
        return {"yes": True, "no": False}.get(text, text)
    return text


def render(data: Any, error: Optional[InputError], more: Optional[str] = None) -> list[str]:
    """The fields, filled in from the profile data, with the error shown beside its field."""
    data = data if isinstance(data, dict) else {}
    wrong = error.field if error is not None and error.file.startswith("profile") else None
    out = [
        '<datalist id="countries">'
        + "".join(f'<option value="{c}">{escape(countries.name(c))}</option>' for c in countries.codes())
        + "</datalist>",
        _input("id", "A label shown in reports", str(data.get("id") or ""), "text", wrong, error),
    ]
    for section, spec in LISTS.items():
        items = data.get(section)
        known = "unknown" if items is None else ("none" if items == [] else "listed")
        count = len(items or []) + 1 + (1 if more == section else 0)
        out.append(f"<fieldset><legend>{section.replace('_', ' ')}</legend>")
        out.append(
            _select(
                f"{section}.known",
                "Known?",
                known,
                [("unknown", "not known"), ("none", "none"), ("listed", "listed below")],
            )
        )
        for index in range(min(count, MAX_ROWS)):
            item = (items or [])[index] if index < len(items or []) else {}
            out.append('<div class="row">')
            for name, kind in spec:
                path = f"{section}[{index}].{name}"
                value = item.get(name) if isinstance(item, dict) else None
                out.append(_field(path, name.replace("_", " "), _hint(section, name), value, kind, wrong, error))
            out.append("</div>")
        out.append(
            f'<button type="submit" name="more" value="{section}" formnovalidate>One more row</button></fieldset>'
        )
    registration = data.get("military_registration") or {}
    out.append("<fieldset><legend>military registration</legend>")
    for index, (country, flag) in enumerate([*registration.items(), ("", None)]):
        out.append('<div class="row">')
        out.append(
            _field(
                f"military_registration[{index}].country",
                "country",
                "Registered in this country?",
                country,
                "country",
                wrong,
                error,
            )
        )
        out.append(
            _field(
                f"military_registration[{index}].registered",
                "registered",
                "yes, no, or not known",
                flag,
                "bool",
                wrong,
                error,
            )
        )
        out.append("</div>")
    out.append('</fieldset><fieldset><legend>criminal record</legend><div class="row">')
    record = data.get("criminal_record") or {}
    for name in RECORD:
        description = CriminalRecord.model_fields[name].description or ""
        out.append(
            _field(
                f"criminal_record.{name}", name.replace("_", " "), description, record.get(name), "bool", wrong, error
            )
        )
    out.append("</div></fieldset>")
    family = data.get("family")
    text = json.dumps(family, ensure_ascii=False, indent=1) if family is not None else ""
    out.append(
        '<label class="wide">family (JSON: a list of {"relation": ..., "person": {...}}; empty: not known)'
        f'<textarea name="family" class="short">{escape(text)}</textarea></label>'
    )
    return out


def _shown(path: str, wrong: Optional[str], error: Optional[InputError]) -> tuple[str, str]:
    """The attributes and the message for a field the error names (or its item, or its list)."""
    if (
        wrong is None
        or error is None
        or not (wrong == path or path.startswith(f"{wrong}.") or path.startswith(f"{wrong}["))
    ):
        return "", ""
    return ' aria-invalid="true"', f'<span class="field-error">{escape(error.message)}</span>'


def _field(
    path: str, label: str, hint: str, value: Any, kind: Kind, wrong: Optional[str], error: Optional[InputError]
) -> str:
    if isinstance(kind, tuple):
        choices = [("", "not known"), *((k, k.replace("_", " ")) for k in kind)]
        return _select(path, label, "" if value is None else str(value), choices, hint, wrong, error)
    if kind == "bool":
        shown = "" if value is None else ("yes" if value is True else "no" if value is False else str(value))
        return _select(path, label, shown, [("", "not known"), ("yes", "yes"), ("no", "no")], hint, wrong, error)
    if kind == "country":
        return _input(path, hint, "" if value is None else str(value), "country", wrong, error, label)
    if isinstance(value, DateSpec):
        value = value.written()
    return _input(path, hint, "" if value is None else str(value), kind, wrong, error, label)


def _input(
    path: str, hint: str, value: str, kind: str, wrong: Optional[str], error: Optional[InputError], label: str = ""
) -> str:
    invalid, message = _shown(path, wrong, error)
    extra = ' list="countries" size="4" autocomplete="off"' if kind == "country" else ""
    if kind == "date":  # a day, a month, a year or a window: more than a date picker takes
        extra = ' placeholder="YYYY-MM-DD, YYYY-MM, YYYY or a window" size="22" spellcheck="false"'
    kind = "text"
    return (
        f'<label title="{escape(hint)}">{escape(label or path)}'
        f'<input type="{kind}" name="{escape(path)}" value="{escape(value)}"{extra}{invalid}>'
        f'<span class="muted">{escape(hint)}</span>{message}</label>'
    )


def _select(
    path: str,
    label: str,
    chosen: str,
    choices: Sequence[tuple[str, str]],
    hint: str = "",
    wrong: Optional[str] = None,
    error: Optional[InputError] = None,
) -> str:
    invalid, message = _shown(path, wrong, error)
    options = "".join(
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(w)}</option>' for v, w in choices
    )
    if chosen and chosen not in {v for v, _ in choices}:  # kept as given, so the error can point at it
        options += f'<option value="{escape(chosen)}" selected>{escape(chosen)}</option>'
    return (
        f'<label title="{escape(hint)}">{escape(label)}<select name="{escape(path)}"{invalid}>{options}</select>'
        + (f'<span class="muted">{escape(hint)}</span>' if hint else "")
        + f"{message}</label>"
    )
