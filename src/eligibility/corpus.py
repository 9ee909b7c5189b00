"""The source articles as text, for proving that every quote is verbatim.

Comparison folds typographic quotes and apostrophes to plain ones and runs of
white space to one space; nothing else is forgiven.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .files import decode_text, read_file
from .rulebase import RuleBase, citations

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


def source_texts(rules: RuleBase, directory: Path) -> dict[str, str | InputError]:
    """Each source's text, folded; where its file is missing, unreadable or not UTF-8 text, why."""
    texts: dict[str, str | InputError] = {}
    for source in rules.sources.values():
        if source.file is None:
            continue  # a reference: no text to read
        path = directory / source.file
        try:
            texts[source.id] = fold(decode_text(read_file(path, "source article", MAX_SOURCE_BYTES), str(path)))
        except InputError as error:
            texts[source.id] = error
    return texts


def unverified_quotes(rules: RuleBase, directory: Path) -> list[Unverified]:
    """Every citation whose quote is not found verbatim in its source file."""
    texts = source_texts(rules, directory)
    problems = []
    for provision_id, provision in rules.provisions.items():
        file = str(rules.files[provision_id])
        for field, citation in citations(provision):
            if citation.source not in texts or citation.quote is None:
                continue  # a source the index does not name (the loader reports it), or a reference
            text = texts[citation.source]
            if isinstance(text, InputError):
                name = rules.sources[citation.source].file
                why = (
                    f"not found in {directory}"
                    if text.message.startswith("no such")
                    else f"unreadable in {directory} ({text.message})"
                )
                problems.append(Unverified(file, field, citation.source, citation.quote, f"source file {name} {why}"))
            elif fold(citation.quote) not in text:
                problems.append(
                    Unverified(file, field, citation.source, citation.quote, f"quote not found in {citation.source}")
                )
    return problems
