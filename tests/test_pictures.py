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
    for form, mark in (((), 'data-id="{}"'), (("--full",), 'id="{}"')):
        page = tmp_path / "ram.html"
        result = cli("report", RAM, "--on", "2024-08-01", "-o", page, *form)
        assert result.exit_code == 0, result.stderr
        text = page.read_text()
        assert "<script" not in text and "@import" not in text and "url(http" not in text
        assert 'src="' not in text and "<link" not in text  # nothing fetched
        for provision in api.check(RAM, "2024-08-01").provisions:
            assert mark.format(provision.id) in text


def test_the_report_page_in_a_real_browser(cli, tmp_path):
    """Loads with no console error, shows every provision and the timeline, and at a laptop's
    width (1366 px) has no horizontal overflow."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "ram.html"
    assert cli("report", RAM, "--on", "2024-08-01", "-o", page_file, "--full").exit_code == 0
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


# --- paper-ready: colours anyone can read, and a report that fits an appendix --------------------

# Colour-vision deficiency simulation: the matrices of Machado, Oliveira and Fernandes (2009),
# severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
APART = 12.0  # the least CIE76 colour difference (or L* difference in greyscale) between two fills


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _lab(linear: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = linear
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: str, how: str) -> tuple[float, float, float]:
    """A fill as CIELAB, as seen normally, under a simulated deficiency, or printed in greyscale
    (its lightness only)."""
    rgb = tuple(_linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    if how == "greyscale":
        return (_lab(rgb)[0], 0.0, 0.0)
    if how in SIMULATIONS:
        rgb = tuple(min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in SIMULATIONS[how])
    return _lab(rgb)


def _closest(fills: dict[str, str], how: str) -> tuple[float, str, str]:
    import itertools
    import math

    seen = {name: _seen(colour, how) for name, colour in fills.items()}
    return min((math.dist(seen[a], seen[b]), a, b) for a, b in itertools.combinations(seen, 2))


def _fills(svg: str) -> dict[str, str]:
    """The fill each meaning's bars are drawn with, read from the picture itself."""
    root = ElementTree.fromstring(svg)
    found: dict[str, str] = {}
    for group in root.iter(f"{SVG}g"):
        meaning = group.get("class", "").split()[-1]
        found.setdefault(meaning, group.find(f"{SVG}rect").get("fill"))
    return found


def test_the_timeline_colours_stay_apart_in_greyscale_and_for_colour_blind_readers(cli):
    """Every pair of the five fills (a benefit, a burden, undetermined, does not apply, not in
    force) differs by at least APART under deuteranopia, protanopia, tritanopia and in greyscale,
    measured on the colours the SVG draws with; the old green-against-red palette fails the same
    measure."""
    people = [PEOPLE / "naturalized-unregistered.json", RAM, PEOPLE / "dual-national-under-investigation.json"]
    fills: dict[str, str] = {}
    for person in people:
        fills.update(_fills(cli("timeline", person, "--format", "svg").stdout))
    assert set(fills) == {"benefit", "burden", "undetermined", "does_not_apply", "not_in_force"}
    for how in ("normal", "deuteranopia", "protanopia", "tritanopia", "greyscale"):
        apart, a, b = _closest(fills, how)
        assert apart >= APART, (how, a, b, round(apart, 1))
    old = {"applies": "#2e7d32", "undetermined": "#f9a825", "does_not_apply": "#c62828", "not_in_force": "#90a4ae"}
    assert _closest(old, "greyscale")[0] < APART


def test_the_timeline_says_what_each_mark_means(cli):
    """A burden that applies is drawn as a burden, not as good news; the legend names both
    meanings and says why a period is hatched; each row names its kind of effect; a period of one
    day is still a visible mark; the axis labels every year."""
    from eligibility.output.pictures import MIN_BAR

    timur = PEOPLE / "naturalized-unregistered.json"
    svg = cli("timeline", timur, "--format", "svg", "--from", "2024-08-07", "--to", "2024-08-09").stdout
    root = ElementTree.fromstring(svg)
    revocation = [g for g in root.iter(f"{SVG}g") if "revocation-unregistered" in g.find(f"{SVG}title").text]
    assert any("burden" in g.get("class") for g in revocation)
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "applies, a burden on the person (imposes, bars, limits)" in text
    assert "applies, in the person's favour (grants, exempts, protects)" in text
    assert "hatched: whether it is in force on those days is not known" in text and "month or a window" in text
    assert "ru.citizenship.revocation-unregistered imposes" in text
    long = cli("timeline", timur, "--format", "svg", "--from", "2022-01-01", "--to", "2026-12-31").stdout
    root = ElementTree.fromstring(long)
    widths = [float(r.get("width")) for g in root.iter(f"{SVG}g") for r in g.findall(f"{SVG}rect")]
    assert min(widths) >= MIN_BAR
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"2022", "2023", "2024", "2025", "2026"} <= labels


def _pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_short_report_of_each_bundled_person_prints_on_three_a4_pages(cli, tmp_path):
    """Chromium's print to PDF, on A4: at most three pages for every bundled person, with every
    provision named, grouped by status in the terminal's order, each with its kind of effect and a
    'decided by' never blank; one numbered bibliography; the timeline's labels at least 7.5 pt."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    from eligibility.foundations.vocabulary import STATUSES

    people = sorted(PEOPLE.glob("*.json"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 695, "height": 1000})  # A4 less its margins, at 96 px/in
            page.emulate_media(media="print")
            for person in people:
                for day in ("2024-08-01", "2026-03-09"):
                    out = tmp_path / f"{person.stem}-{day}.html"
                    result = cli("report", person, "--on", day, "-o", out)
                    assert result.exit_code == 0, result.stderr
                    page.goto(out.as_uri())
                    pages = _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True, print_background=True))
                    assert 1 <= pages <= 3, (person.name, day, pages)
                    report = api.check(person, day)
                    rows = page.eval_on_selector_all(
                        "tr.provision-row", "rows => rows.map(r => [r.dataset.id, r.innerText])"
                    )
                    assert sorted(r[0] for r in rows) == sorted(p.id for p in report.provisions)
                    order = [report.status(r[0]) for r in rows]
                    assert order == sorted(order, key=STATUSES.index)  # grouped as the terminal groups
                    for provision_id, shown in rows:
                        item = report.provision(provision_id)
                        assert item.effect.kind in shown and "decided by: " in shown, provision_id
                        assert shown.split("decided by: ", 1)[1].strip(), provision_id
                    cited = page.eval_on_selector_all("ol.bibliography li", "items => items.length")
                    assert cited >= 1
            svg = page.eval_on_selector("figure svg", "s => [s.getBoundingClientRect().width, s.viewBox.baseVal.width]")
            from eligibility.output.pictures import FONT

            assert FONT * svg[0] / svg[1] * 0.75 >= 7.5  # pt, printed at 100%
        finally:
            browser.close()


def test_the_short_report_names_the_persons_facts_and_numbers_its_sources(cli, tmp_path):
    page = tmp_path / "ram.html"
    assert cli("report", RAM, "--on", "2024-08-01", "-o", page).exit_code == 0
    text = page.read_text()
    assert "service[0]: RU (armed_forces; contract" in text  # the person's facts, as explanations name them
    import re

    provisions = text.split("<h2>The provisions")[1].split("<h2>Over time")[0]
    cited = [int(n) for n in re.findall(r" \[(\d+)\]", provisions)]
    entries = text.split('<ol class="bibliography">')[1].count("<li>")
    assert sorted(set(cited)) == list(range(1, entries + 1)), (cited, entries)  # each number cited has an entry
    assert list(dict.fromkeys(cited)) == sorted(set(cited))  # numbered in the order first cited
