"""Citations for footnotes and reference managers: every source a provision cites, once, with
its outlet, headline, date (at its own precision), address and the quotes taken from it."""

from __future__ import annotations

import json
import re

import pytest

from eligibility import api
from eligibility.output.citing import cited

from .conftest import one_line_error


def test_footnotes_list_each_source_once_with_its_quotes(cli):
    rules = api.rule_base()
    provision = rules.provisions["ru.citizenship.contract-service"]
    out = cli("rules", "cite", provision.id).stdout
    sources = [source for source, _ in cited(rules, provision)]
    assert len(sources) == len({s.id for s in sources})
    numbered = [line for line in out.splitlines() if re.match(r"^\d+\. ", line)]
    assert len(numbered) == len(sources)
    # Decree No. 10 as The Kyiv Independent reported it on 2024-01-04, quoted verbatim
    first = numbered[0]
    assert first.startswith('1. The Kyiv Independent, "Putin signs decree on giving Russian citizenship to foreign')
    assert "2024-01-04" in first and "[kyiv-independent-2024-01-04; report]" in first
    assert "“Foreign nationals who join the Russian Armed Forces will be able to apply" in out


def test_every_provision_cites_and_every_format_holds_every_source(cli):
    rules = api.rule_base()
    for provision in rules.provisions.values():
        ids = [source.id for source, _ in cited(rules, provision)]
        assert ids, provision.id
        bib = cli("rules", "cite", provision.id, "--format", "bibtex").stdout
        assert re.findall(r"^@\w+\{([^,]+),", bib, re.M) == ids
        assert bib.count("{") == bib.count("}") + bib.count("\\}") - bib.count("\\{")
        csl = json.loads(cli("rules", "cite", provision.id, "--format", "csl-json").stdout)
        assert [item["id"] for item in csl] == ids


def test_dates_keep_their_precision(cli):
    """A window stays a range in CSL-JSON: Ukraine's 2016 statute took effect the day after its
    publication that year, the day not being known (record.md)."""
    rules = api.rule_base()
    windows = [
        (provision.id, source.id)
        for provision in rules.provisions.values()
        for source, _ in cited(rules, provision)
        if source.published is not None and source.published.precision == "window"
    ]
    if not windows:
        pytest.skip("no source of the rule base has a publication date known only to a window")
    provision_id, source_id = windows[0]
    csl = json.loads(cli("rules", "cite", provision_id, "--format", "csl-json").stdout)
    (item,) = [i for i in csl if i["id"] == source_id]
    assert len(item["issued"]["date-parts"]) == 2


def test_a_mistyped_id_or_format_is_one_line(cli):
    assert "did you mean 'ru.contract.stateless'?" in one_line_error(cli("rules", "cite", "ru.contract.stateles"))
    assert "did you mean 'bibtex'?" in one_line_error(
        cli("rules", "cite", "ru.contract.stateless", "--format", "bibtx")
    )


def test_bibtex_parses_with_a_real_parser(cli):
    """Every entry of the whole rule base's BibTeX reads back with bibtexparser: no failed block,
    each source once under its own id, with its title and (where it has one) a full address."""
    bibtexparser = pytest.importorskip("bibtexparser", minversion="2.0")
    rules = api.rule_base()
    library = bibtexparser.parse_string(cli("rules", "cite", "--all", "--format", "bibtex").stdout)
    assert library.failed_blocks == []
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)) and set(keys) <= set(rules.sources)
    for entry in library.entries:
        fields = {field.key: field.value for field in entry.fields}
        source = rules.sources[entry.key]
        assert fields["title"] == source.headline.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace(
            "}", "\\}"
        ), entry.key
        if source.address:
            assert fields["url"].startswith("https://"), entry.key
