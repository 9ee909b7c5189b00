"""Provisions' sources for a paper: footnotes, BibTeX and CSL-JSON (`rules cite ID ...`).

Every source the provisions cite (its own citations, its stages', conditions', routes' and
readings', and the official record's findings on it) once, in the order first cited, with each
quote the provision takes from it.  Dates keep the precision the sources give: a month is
written as a month, a window as a range.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from eligibility.foundations.dates import DateSpec
from eligibility.law.loader import citations
from eligibility.law.rulebase import RuleBase
from eligibility.law.schema import Author, Provision, Source

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


def is_page(address: str) -> bool:
    """Whether an address names a page, not only a site (`regnum.ru`): the record gives only the
    site for many reports, and a site's front page is not where the source can be read."""
    return "/" in address.split("://", 1)[-1].strip("/")


def site_note(address: str) -> str:
    return f"published on {address.split('://', 1)[-1].strip('/')}; the record names the site, not the page"


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
        byline = " and ".join(a.name or f"{a.given or ''} {a.family}".strip() for a in source.authors)
        by = f"{byline}, " if byline else ""
        lines.append(
            f'{number}. {by}{source.outlet}, "{source.headline}", {when}. {where(source)}. [{source.id}; {kind}]'
        )
        lines.extend(f"   “{quote}”" for quote in quotes)
    return "\n".join(lines) + "\n"


def where(source: Source) -> str:
    """Where a reader finds the source: its address; for an article held here, its file in the
    sources folder; otherwise why no address is given."""
    if source.address:
        return url(source.address) if is_page(source.address) else site_note(source.address)
    if source.file:
        return f"text in the sources folder, {source.file}"
    return f"no address: {source.address_note}"


def _bib(value: str) -> str:
    """A BibTeX field value: braces around it, its own braces and backslashes escaped."""
    return "{" + value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}") + "}"


DESCRIBED = "title supplied: a description of ours in square brackets, not the source's own headline"


def _address_and_note(source: Source, *more: str) -> tuple[Optional[str], Optional[str]]:
    """What BibTeX and CSL-JSON both say of a source beyond its title: its page's full address
    (None for a site only, or none known), and a note of whatever else a reader should know
    (`more` first: a window's dates; then an unknown date, a site named without its page, a title
    we supplied)."""
    notes = [n for n in more if n]
    if source.published is None:
        notes.append(f"date not known: {source.published_note}")
    page = url(source.address) if source.address and is_page(source.address) else None
    if source.address and page is None:
        notes.append(site_note(source.address))
    if source.described:
        notes.append(DESCRIBED)
    return page, "; ".join(n.rstrip(".") for n in notes) or None


def _annote(quotes: Sequence[str]) -> str:
    return " ".join(f"“{q}”" for q in quotes)


def _bib_name(author: Author) -> str:
    """A BibTeX name: `Family, Given` for a person, a body's name braced whole (never split);
    each part's own braces escaped."""
    if author.name is not None:
        return _bib(author.name)
    family = _bib(str(author.family))[1:-1]
    return f"{family}, {_bib(author.given)[1:-1]}" if author.given else family


def bibtex(rules: RuleBase, provisions: Sequence[Provision]) -> str:
    """BibTeX entries: the byline in `author`, the title as the source gives it (or marked as
    ours), the date at its precision, the full address in `url`, and the quotes the rule base
    takes from the source in `annote`, the annotation field an annotated bibliography shows."""
    entries = []
    for source, quotes, first in cited_by(rules, provisions):
        fields: dict[str, str] = {}
        if source.authors:
            fields["author"] = " and ".join(_bib_name(a) for a in source.authors)
        fields["title"] = source.headline
        kind = "misc"
        if source.kind_of(first) == "report":
            kind, fields["journal"] = "article", source.outlet
        else:
            fields["publisher"] = source.outlet
        window = ""
        if source.published is not None:
            date_fields = _bib_date(source.published)
            window = date_fields.pop("note", "")  # a window: its words, besides the year
            fields.update(date_fields)
        page, note = _address_and_note(source, window)
        if page:
            fields["url"] = page
        if note:
            fields["note"] = note
        if quotes:
            fields["annote"] = _annote(quotes)
        fields["language"] = source.language
        body = ",\n".join(
            f"  {name} = {'{' + value + '}' if name == 'author' else _bib(value)}" for name, value in fields.items()
        )
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


def _csl_name(author: Author) -> dict[str, str]:
    if author.name is not None:
        return {"literal": author.name}
    return {"family": str(author.family), **({"given": author.given} if author.given else {})}


def csl_json(rules: RuleBase, provisions: Sequence[Provision]) -> str:
    """CSL-JSON items (the CSL data schema): as `bibtex`, the quotes in `annote`."""
    items: list[dict[str, Any]] = []
    for source, quotes, first in cited_by(rules, provisions):
        item: dict[str, Any] = {"id": source.id, "type": CSL_TYPE.get(source.kind_of(first), "article")}
        if source.authors:
            item["author"] = [_csl_name(a) for a in source.authors]
        item.update({"title": source.headline, "container-title": source.outlet, "publisher": source.outlet})
        item["language"] = source.language
        if source.published is not None:
            item["issued"] = {"date-parts": _csl_parts(source.published)}
        page, note = _address_and_note(source)
        if page:
            item["URL"] = page
        if note:
            item["note"] = note
        if quotes:
            item["annote"] = _annote(quotes)
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


# --- the rule base itself: what a figure was made with -------------------------------------------

RULE_BASE_TITLE = (
    "eligibility rule base: provisions on foreign fighters, military service and citizenship in Russia and Ukraine"
)


def rule_base_entry(rules: RuleBase, version: str, format: str) -> str:
    """An entry citing the exact rule base a figure was made with: its digest as the version,
    how many provisions, the day its sources were last reviewed, and the tool's version.  A dataset
    in CSL-JSON; `@misc` in BibTeX, keyed by the digest."""
    digest = rules.digest
    reviewed = rules.reviewed
    described = (
        f"rule base {digest}: {len(rules.provisions)} provisions"
        + (f", sources last reviewed {reviewed.day.isoformat()}" if reviewed else "")
        + f"; judged with eligibility {version}"
    )
    key = f"eligibility-rules-{digest.replace(':', '-').replace('@', '-')}"
    if format == "bibtex":
        fields = {"author": "{The eligibility project}", "title": RULE_BASE_TITLE, "version": digest}
        if reviewed:
            fields.update({"year": str(reviewed.day.year), "month": str(reviewed.day.month)})
        fields["note"] = described
        body = ",\n".join(
            f"  {name} = {_bib(value) if name != 'author' else '{' + value + '}'}" for name, value in fields.items()
        )
        return f"@misc{{{key},\n{body}\n}}\n"
    item: dict[str, Any] = {
        "id": key,
        "type": "dataset",
        "author": [{"literal": "The eligibility project"}],
        "title": RULE_BASE_TITLE,
        "version": digest,
        "note": described,
    }
    if reviewed:
        item["issued"] = {"date-parts": [[reviewed.day.year, reviewed.day.month, reviewed.day.day]]}
    if format == "csl-json":
        return json.dumps([item], ensure_ascii=False, indent=2) + "\n"
    return f"The eligibility project, {RULE_BASE_TITLE}, {described}. [{key}]\n"
