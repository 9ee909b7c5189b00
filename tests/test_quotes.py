"""Every quote in the rule base appears verbatim in its source article."""

from __future__ import annotations

import dataclasses

import pytest

from eligibility.law.loader import citations
from eligibility.runners.corpus import fold, unverified_quotes

from .conftest import SOURCES

pytestmark = pytest.mark.skipif(
    not SOURCES.is_dir(),
    reason=(
        f"the five source articles are not at {SOURCES} (they sit beside the repository, in "
        "../shared/sources; see the README), so the quotes cannot be checked against them here"
    ),
)


def test_every_quote_is_verbatim_in_its_source(rules):
    problems = unverified_quotes(rules, SOURCES)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_the_check_really_looks(rules):
    provision = rules.written["ru.citizenship.contract-service"]
    _, citation = citations(provision)[0]
    altered = provision.model_copy(update={"cite": [citation.model_copy(update={"quote": citation.quote + " (sic)"})]})
    rules_copy = dataclasses.replace(
        rules,
        provisions={k: v for k, v in rules.provisions.items() if k != provision.id},
        written={**rules.written, provision.id: altered},
    )
    problems = unverified_quotes(rules_copy, SOURCES)
    assert [p.field for p in problems] == ["cite[0]"]


def test_folding_forgives_typographic_quotes_and_spaces_only():
    assert fold("Russia’s  State\nDuma “approved”") == fold('Russia\'s State Duma "approved"')
    assert fold("Feb. 26") != fold("Feb 26")
