"""The source articles as text, for proving that every quote is verbatim.

Comparison folds typographic quotes and apostrophes to plain ones and runs of
white space to one space; nothing else is forgiven.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_text, read_file
from eligibility.law.loader import citations
from eligibility.law.rulebase import RuleBase
from eligibility.law.schema import Citation

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


@dataclass(frozen=True)
class Unverified:
    file: str
    field: str
    source: str
    quote: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}: {self.quote!r}"


MAX_SOURCE_BYTES = 16 * 1024 * 1024


def _act_text(raw: str) -> str:
    """An act file's text without its header of `#` lines (its provisions follow verbatim)."""
    return "\n".join(line for line in raw.splitlines() if not line.startswith("#"))


def source_texts(rules: RuleBase, directory: Path, acts: Optional[Path] = None) -> dict[str, str | InputError]:
    """Each source's text, folded; where its file is missing, unreadable or not UTF-8 text, why.
    The articles are read from `directory`, the acts from `acts` (none: acts are not read)."""
    texts: dict[str, str | InputError] = {}
    for source in rules.sources.values():
        if source.file is None:
            continue  # a reference: no text to read
        folder = acts if source.kind == "act" else directory
        if folder is None:
            continue
        path = folder / source.file
        try:
            text = decode_text(read_file(path, "source text", MAX_SOURCE_BYTES), str(path))
            texts[source.id] = fold(_act_text(text) if source.kind == "act" else text)
        except InputError as error:
            texts[source.id] = error
    return texts


def _every_citation(rules: RuleBase) -> list[tuple[str, str, Citation]]:
    """(rule file, field, citation) for every citation of the rule base: the articles' accounts,
    the record's findings, and the accounts as the record has them."""
    found: list[tuple[str, str, Citation]] = []
    seen: set[tuple[str, str, Optional[str]]] = set()

    def add(file: str, field: str, citation: Citation) -> None:
        key = (file, citation.source, citation.quote)
        if key not in seen:
            seen.add(key)
            found.append((file, field, citation))

    for provision_id, written in rules.written.items():
        file = str(rules.files[provision_id])
        for field, citation in citations(written):
            add(file, field, citation)
        for index, finding in enumerate(written.record):
            for name, cites in (("cite", finding.cite), ("articles_cite", finding.articles_cite)):
                for i, citation in enumerate(cites):
                    add(file, f"record[{index}].{name}[{i}]", citation)
        if provision_id in rules.provisions:
            for field, citation in citations(rules.provisions[provision_id]):
                add(file, f"record.set (as merged) {field}", citation)
    return found


def unverified_quotes(rules: RuleBase, directory: Path, acts: Optional[Path] = None) -> list[Unverified]:
    """Every citation whose quote is not found verbatim in its source file (acts only with `acts`)."""
    texts = source_texts(rules, directory, acts)
    problems = []
    for file, field, citation in _every_citation(rules):
        if citation.source not in texts or citation.quote is None:
            continue  # a source the index does not name (the loader reports it), a reference, or an unread act
        text = texts[citation.source]
        source = rules.sources[citation.source]
        folder = acts if source.kind == "act" else directory
        if isinstance(text, InputError):
            why = (
                f"not found in {folder}"
                if text.message.startswith("no such")
                else f"unreadable in {folder} ({text.message})"
            )
            problems.append(
                Unverified(file, field, citation.source, citation.quote, f"source file {source.file} {why}")
            )
        elif fold(citation.quote) not in text:
            problems.append(
                Unverified(file, field, citation.source, citation.quote, f"quote not found in {citation.source}")
            )
    return problems


# How sure record.md says a fact is: the labels of its parentheses ("(reports: ...; official: ...)",
# "(inferred, well supported)", "(act: `acts/...`)"), and the analyst's conclusions ("So: ..."),
# which are inferences.
_LABEL = re.compile(r"\b(act|official|reports|report|inferred|derived)\b")


def record_labels(text: str, phrase: str) -> Optional[set[str]]:
    """The labels record.md gives the fact a phrase of it states: those of a parenthesis inside the
    phrase that holds a label ("Who may apply (official): foreign citizens ..."), else those of the
    first parenthesis that opens after it (a conclusion "So: ..." is inferred); None where the
    phrase is not in the text.  Text and phrase are folded alike."""
    return _labels(fold(text), fold(phrase))


def _labels(text: str, phrase: str) -> Optional[set[str]]:
    """record_labels over text and phrase already folded."""
    at = text.find(phrase)
    if at < 0:
        return None
    inside = set(_LABEL.findall(" ".join(re.findall(r"\(([^()]*)\)", phrase))))
    if inside:
        return inside
    bullet = text.rfind(" - ", 0, at + 1)
    if text[bullet + 3 : bullet + 6] == "So:" and text.find(" - ", bullet + 3, at) < 0:
        return {"inferred"}
    opening = text.find("(", at + len(phrase))
    if opening < 0:
        return set()
    depth, end = 0, opening
    for end in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            break
    return set(_LABEL.findall(text[opening : end + 1]))


@dataclass(frozen=True)
class Mislabelled:
    file: str
    field: str
    phrase: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}: {self.phrase!r}"


def mislabelled_facts(rules: RuleBase, record_md: Path) -> list[Mislabelled]:
    """Every fact a finding rests on whose phrase is not in record.md, or whose label is not one
    record.md gives it there."""
    text = decode_text(read_file(record_md, "the official record's reading", MAX_SOURCE_BYTES), str(record_md))
    folded = fold(text)
    problems = []
    for provision_id, provision in rules.written.items():
        file = str(rules.files[provision_id])
        for index, finding in enumerate(provision.record):
            for number, fact in enumerate(finding.rests_on):
                field = f"record[{index}].rests_on[{number}]"
                phrase = fold(fact.record)
                labels = _labels(folded, phrase)
                times = folded.count(phrase)
                if labels is None:
                    problems.append(Mislabelled(file, field + ".record", fact.record, "phrase not found in record.md"))
                elif times > 1:
                    problems.append(
                        Mislabelled(
                            file,
                            field + ".record",
                            fact.record,
                            f"expected a phrase found once in record.md, got {times}",
                        )
                    )
                elif fact.sure not in labels:
                    given = ", ".join(sorted(labels)) or "no label"
                    problems.append(
                        Mislabelled(
                            file,
                            field + ".sure",
                            fact.record,
                            f"expected a label record.md gives this fact ({given}), got {fact.sure!r}",
                        )
                    )
    return problems
