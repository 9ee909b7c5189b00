"""Pictures: the timeline as SVG, and the self-contained HTML report, the page checked in a real
headless Chromium (Debian's chromium package, through Playwright)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from eligibility import api

from .conftest import PEOPLE, chromium

RAM = PEOPLE / "nepali-contract-soldier.json"
SVG = "{http://www.w3.org/2000/svg}"


def test_the_timeline_svg_has_a_row_per_provision_a_bar_per_period_and_a_tooltip_each(cli):
    result = cli("timeline", RAM, "--format", "svg")
    assert result.exit_code == 0, result.stderr
    root = ElementTree.fromstring(result.stdout)
    timeline = api.timeline(RAM)
    periods = [(p.id, period) for p in timeline.provisions for period in p.periods]
    groups = root.findall(f"{SVG}g")
    assert len(groups) == len(periods)
    for group, (provision_id, period) in zip(groups, periods, strict=True):
        tip = group.find(f"{SVG}title").text
        assert tip.startswith(f"{provision_id}: {period.start} to {period.end}: ") and period.reason in tip
        hatched = any(r.get("fill") == "url(#hatch)" for r in group.findall(f"{SVG}rect"))
        assert hatched == (period.in_force == "unknown")
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert all(p.id in labels for p in timeline.provisions)
    assert {"2022", "2023", "2024", "2025", "2026"} <= set(labels)  # the date axis


def test_the_report_page_is_self_contained(cli, tmp_path):
    page = tmp_path / "ram.html"
    result = cli("report", RAM, "--on", "2024-08-01", "-o", page)
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert "<script" not in text and "@import" not in text and "url(http" not in text
    assert 'src="' not in text and "<link" not in text  # nothing fetched
    for provision in api.check(RAM, "2024-08-01").provisions:
        assert f'id="{provision.id}"' in text


def test_the_report_page_in_a_real_browser(cli, tmp_path):
    """Loads with no console error, shows every provision and the timeline, and at a laptop's
    width (1366 px) has no horizontal overflow."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "ram.html"
    assert cli("report", RAM, "--on", "2024-08-01", "-o", page_file).exit_code == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "request",
                lambda request: (
                    errors.append(f"fetched {request.url}") if not request.url.startswith("file:") else None
                ),
            )
            page.goto(page_file.as_uri())
            assert errors == []
            shown = page.eval_on_selector_all("section.provision", "nodes => nodes.map(n => n.id)")
            assert shown == [p.id for p in api.check(RAM, "2024-08-01").provisions]
            assert page.eval_on_selector_all("figure svg g.period", "nodes => nodes.length") > len(shown)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=str(tmp_path / "ram.png"), full_page=True)
            assert (tmp_path / "ram.png").stat().st_size > 10_000
            page.emulate_media(media="print")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            browser.close()
