"""Provisions' sources for a paper: footnotes, BibTeX and CSL-JSON (`rules cite ID ...`).

Every source the provisions cite (its own citations, its stages', conditions', routes' and
readings', and the official record's findings on it) once, in the order first cited, with each
quote the provision takes from it.  Dates keep the precision the sources give: a month is
written as a month, a window as a range.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from eligibility.foundations.dates import DateSpec
from eligibility.law.loader import citations
from eligibility.law.rulebase import RuleBase
from eligibility.law.schema import Provision, Source

CSL_TYPE = {"act": "legislation", "official": "webpage", "report": "article-newspaper"}


def cited_by(rules: RuleBase, provisions: Sequence[Provision]) -> list[tuple[Source, list[str], str]]:
    """Each source that any of the provisions cites, once, in the order first cited, with every
    quote taken from it and the provision that first cites it (whose stance names its kind)."""
    found: dict[str, tuple[Source, list[str], str]] = {}
    for provision in provisions:
        for source, quotes in cited(rules, provision):
            _, kept, _ = found.setdefault(source.id, (source, [], provision.id))
            kept.extend(q for q in quotes if q not in kept)
    return list(found.values())


def url(address: str) -> str:
    """An address as a reference manager wants it: with its scheme (the rule base writes bare
    domains, as the sources print them)."""
    return address if "://" in address else f"https://{address}"


def cited(rules: RuleBase, provision: Provision) -> list[tuple[Source, list[str]]]:
    """Each source the provision cites, once, with the quotes taken from it (in their language,
    followed by our English rendering where there is one)."""
    found: dict[str, list[str]] = {}
    pairs = list(citations(provision))
    pairs += [(f"record[{n}]", c) for n, finding in enumerate(provision.record) for c in finding.cite]
    for _, citation in pairs:
        quotes = found.setdefault(citation.source, [])
        if citation.quote:
            quote = citation.quote + (f" [{citation.rendering}]" if citation.rendering else "")
            if quote not in quotes:
                quotes.append(quote)
    return [(rules.sources[source_id], quotes) for source_id, quotes in found.items() if source_id in rules.sources]


def footnotes(rules: RuleBase, provisions: Sequence[Provision]) -> str:
    lines = []
    for number, (source, quotes, first) in enumerate(cited_by(rules, provisions), 1):
        when = source.published.written() if source.published else "date not known"
        kind = source.kind_of(first)
        lines.append(f'{number}. {source.outlet}, "{source.headline}", {when}. {where(source)}. [{source.id}; {kind}]')
        lines.extend(f"   “{quote}”" for quote in quotes)
    return "\n".join(lines) + "\n"


def where(source: Source) -> str:
    """Where a reader finds the source: its address; for an article held here, its file in the
    sources folder; otherwise why no address is given."""
    if source.address:
        return url(source.address)
    if source.file:
        return f"text in the sources folder, {source.file}"
    return f"no address: {source.address_note}"


def _bib(value: str) -> str:
    """A BibTeX field value: braces around it, its own braces and backslashes escaped."""
    return "{" + value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}") + "}"


def bibtex(rules: RuleBase, provisions: Sequence[Provision]) -> str:
    entries = []
    for source, quotes, first in cited_by(rules, provisions):
        fields: dict[str, str] = {"title": source.headline, "publisher": source.outlet}
        kind = "misc"
        if source.kind_of(first) == "report":
            kind, fields["journal"] = "article", source.outlet
            del fields["publisher"]
        if source.published is not None:
            fields.update(_bib_date(source.published))
        else:
            fields["note"] = f"date not known: {source.published_note}"
        if source.address:
            fields["url"] = url(source.address)
        if quotes:
            fields["note"] = (fields.get("note", "") + "; " if "note" in fields else "") + " ".join(
                f"“{q}”" for q in quotes
            )
        fields["language"] = source.language
        body = ",\n".join(f"  {name} = {_bib(value)}" for name, value in fields.items())
        entries.append(f"@{kind}{{{source.id},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def _bib_date(spec: DateSpec) -> dict[str, str]:
    if spec.precision == "window":
        return {"year": str(spec.earliest.year), "note": f"published between {spec.written().replace('..', ' and ')}"}
    if spec.precision == "year":
        return {"year": str(spec.earliest.year)}
    out = {"year": str(spec.earliest.year), "month": str(spec.earliest.month)}
    if spec.precision == "day":
        out["date"] = spec.written()
    return out


def csl_json(rules: RuleBase, provisions: Sequence[Provision]) -> str:
    items: list[dict[str, Any]] = []
    for source, quotes, first in cited_by(rules, provisions):
        item: dict[str, Any] = {
            "id": source.id,
            "type": CSL_TYPE.get(source.kind_of(first), "article"),
            "title": source.headline,
            "container-title": source.outlet,
            "publisher": source.outlet,
            "language": source.language,
        }
        if source.published is not None:
            item["issued"] = {"date-parts": _csl_parts(source.published)}
        if source.address:
            item["URL"] = url(source.address)
        if quotes:
            item["note"] = " ".join(f"“{q}”" for q in quotes)
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _csl_parts(spec: DateSpec) -> list[list[int]]:
    first = spec.earliest
    if spec.precision == "day":
        return [[first.year, first.month, first.day]]
    if spec.precision == "month":
        return [[first.year, first.month]]
    if spec.precision == "year":
        return [[first.year]]
    last = spec.latest
    return [[first.year, first.month, first.day], [last.year, last.month, last.day]]  # a range
