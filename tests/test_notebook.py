"""A notebook shows a report as HTML and a timeline as SVG, from the same renderers as the
`report` command and `timeline --format svg`."""

from __future__ import annotations

import json

from eligibility import api
from eligibility.output.pictures import timeline_svg

from .conftest import PEOPLE

RAM = PEOPLE / "nepali-contract-soldier.json"


def test_a_report_shows_every_provision_in_a_notebook():
    report = api.check(RAM, "2024-08-01")
    html = report._repr_html_()
    assert html.startswith('<div class="eligibility-report">') and html.rstrip().endswith("</div>")
    for provision in report.provisions:
        assert f'id="{provision.id}"' in html
    assert "<html" not in html and "<body" not in html  # a fragment inside the notebook's page
    assert "ru.citizenship.contract-service" in html and "applies" in html


def test_a_timeline_shows_as_its_picture():
    timeline = api.timeline(RAM, "2023-01-01", "2025-12-31")
    assert timeline._repr_svg_() == timeline_svg(timeline)


def test_what_the_profile_says_is_shown_as_text():
    data = json.loads(RAM.read_text(encoding="utf-8")) | {"id": "<script>alert(1)</script>"}
    html = api.check(data, "2024-08-01")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
