"""The students' page on the articles and the record shows the rule base's discrepancies as they
are.  Its table is generated from the rule base; after a deliberate change to the rules,
regenerate every generated doc with

    ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest

and read the diff before committing it.
"""

from __future__ import annotations

import os
import re

from eligibility.api import rule_base
from eligibility.explaining.reasons import explainer
from eligibility.explaining.tables import discrepancies_markdown

from .conftest import ROOT

PAGE = ROOT / "docs" / "the-articles-and-the-record.md"
TABLE = re.compile(r"(<!-- discrepancies: begin -->\n)(.*?)(<!-- discrepancies: end -->)", re.S)


def test_the_discrepancy_table_is_the_rule_bases():
    table = discrepancies_markdown(explainer(rule_base()).discrepancy_table())
    text = PAGE.read_text(encoding="utf-8")
    assert TABLE.search(text), "the page has lost its discrepancies markers"
    if os.environ.get("ELIGIBILITY_UPDATE_DOCS") == "1":
        text = TABLE.sub(lambda m: m.group(1) + table + m.group(3), text)
        PAGE.write_text(text, encoding="utf-8")
    shown = TABLE.search(text)
    assert shown is not None and shown.group(2) == table, (
        "docs/the-articles-and-the-record.md is out of date: regenerate every generated doc with "
        "ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest"
    )


def test_the_page_names_every_kind_of_source_and_links_from_the_reports_doc():
    text = PAGE.read_text(encoding="utf-8")
    for kind in ("`act`", "`official`", "`report`", "`retrospective`", "`derived`"):
        assert kind in text, kind
    assert "the-articles-and-the-record.md" in (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
