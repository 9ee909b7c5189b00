"""The explorer in a real headless Chromium, served by `eligibility serve` as a user starts it.

The person form submits and shows every provision, the shareable link reproduces the view,
downloads work, no request leaves 127.0.0.1, no page logs a console error, nothing overflows
sideways at 1366 px, the keyboard alone reaches every control, and with scripts off it all
still works.  Ctrl-C stops the server cleanly.  With ELIGIBILITY_UPDATE_DOCS=1 the run also
writes the screenshots docs/explorer.md shows.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from eligibility import api

from .conftest import PEOPLE, ROOT, chromium

pytest.importorskip("fastapi", reason="the explorer's extra is not installed (pip install -e '.[serve]')")

RAM = PEOPLE / "nepali-contract-soldier.json"
SHOTS = ROOT / "docs" / "explorer"
UPDATE = os.environ.get("ELIGIBILITY_UPDATE_DOCS") == "1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    """`eligibility serve` on a free port, as a process of its own; stopped with Ctrl-C (SIGINT)."""
    port = _free_port()
    command = [sys.executable, "-c", "from eligibility.cli import main; main()", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    address = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(f"{address}/law", timeout=1) as answer:
                assert answer.status == 200
                break
        except OSError:
            if process.poll() is not None or time.perf_counter() - started > 60:
                process.kill()
                pytest.fail(f"the explorer did not start: {process.communicate()[1]}")
            time.sleep(0.05)
    print(f"\nthe explorer answered its first page {time.perf_counter() - started:.2f} s after it was started")
    yield address
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err and err.strip().splitlines()[0].startswith("the explorer is on http://127.0.0.1:")


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield launched
        launched.close()


class Watch:
    """A page's console errors, page errors and every request it makes."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def check(self):
        assert self.errors == []
        hosts = {urlparse(url).hostname for url in self.requests if not url.startswith(("data:", "about:"))}
        assert hosts <= {"127.0.0.1"}, hosts


def _page(browser, scripts=True):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=scripts, accept_downloads=True
    )
    page = context.new_page()
    return context, page, Watch(page)


def _fits(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _shot(page, name: str) -> None:
    if UPDATE:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _judge(page, address: str) -> None:
    page.goto(f"{address}/person")
    page.fill("#profile-text", RAM.read_text(encoding="utf-8"))
    page.fill("form[action='/person'] input[name=on]", "2024-08-01")
    page.click("form[action='/person'] button[type=submit]")
    page.wait_for_load_state()


def _summary(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "table.summary tbody tr", "rows => rows.map(r => [r.cells[1].innerText, r.cells[2].innerText])"
    )


def test_the_person_form_shows_every_provision_and_its_link_reproduces_it(server, browser):
    context, page, watch = _page(browser)
    try:
        _judge(page, server)
        shown = _summary(page)
        assert [provision for provision, _ in shown] == [p.id for p in api.check(RAM, "2024-08-01").provisions]
        assert page.locator("figure svg g.period").count() > len(shown)
        assert _fits(page)
        _shot(page, "person")
        link = page.input_value("#share-link")
        assert link.startswith(server) and "rb=" in link
        page.click("#copy-link")  # the script shows the button; copying must not fail
        watch.check()
        other, again, seen = _page(browser)
        try:
            again.goto(link)
            assert _summary(again) == shown
            seen.check()
        finally:
            other.close()
    finally:
        context.close()


def test_downloads_work(server, browser):
    context, page, watch = _page(browser)
    try:
        _judge(page, server)
        expected = api.check(RAM, "2024-08-01").model_dump(mode="json")
        for name, check in (
            ("JSON", lambda text: json.loads(text) == expected),
            ("CSV", lambda text: text.startswith("profile,on,evidence,id,")),
            ("timeline SVG", lambda text: text.startswith("<svg")),
            ("HTML report (3 pages)", lambda text: text.startswith("<!DOCTYPE html>") and "bibliography" in text),
            ("full HTML report", lambda text: text.startswith("<!DOCTYPE html>") and 'class="provision"' in text),
            ("the profile", lambda text: json.loads(text) == json.loads(RAM.read_text(encoding="utf-8"))),
        ):
            with page.expect_download() as caught:
                page.click(f"nav.downloads >> text='{name}'")
            saved = Path(caught.value.path())
            assert check(saved.read_text(encoding="utf-8")), name
        watch.check()
    finally:
        context.close()


def test_the_law_and_a_provision_in_the_browser(server, browser):
    context, page, watch = _page(browser)
    try:
        page.goto(f"{server}/law")
        rules = api.rule_base()
        assert page.locator("tbody tr").count() == len(rules.provisions)
        assert _fits(page)
        _shot(page, "law")
        page.select_option("select[name=country]", "UA")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        ukrainian = [p for p in rules.provisions.values() if p.jurisdiction == "UA"]
        assert page.locator("tbody tr").count() == len(ukrainian)
        page.click(f"a:text('{ukrainian[0].id}')")
        page.wait_for_load_state()
        assert page.locator("svg g.stage").count() >= 1 and _fits(page)
        page.goto(f"{server}/law/ru.citizenship.contract-service?known_on=2023-06-01")
        assert "What could be known on 2023-06-01" in page.content()
        _shot(page, "provision")
        page.goto(f"{server}/api")
        assert _fits(page)
        watch.check()
    finally:
        context.close()


def _controls(page) -> int:
    """Marks every control a keyboard user must reach, and returns how many there are."""
    return int(
        page.evaluate(
            """() => {
          const all = [...document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea, summary')]
            .filter(e => !e.disabled && e.checkVisibility());
          all.forEach((e, i) => e.setAttribute('data-control', i));
          return all.length;
        }"""
        )
    )


def test_the_keyboard_alone_reaches_every_control(server, browser):
    context, page, watch = _page(browser)
    try:
        _judge(page, server)
        judged = page.url
        for url in (f"{server}/person", f"{server}/law", judged):
            page.goto(url)
            wanted = _controls(page)
            reached: set[str] = set()
            for _ in range(wanted * 2 + 10):
                page.keyboard.press("Tab")
                mark = page.evaluate("document.activeElement && document.activeElement.getAttribute('data-control')")
                if mark is not None:
                    reached.add(mark)
                if len(reached) == wanted:
                    break
            assert len(reached) == wanted, (url, wanted, sorted(reached, key=int))
        # and the form can be filled and sent from the keyboard
        page.goto(f"{server}/person")
        page.focus("#profile-text")
        page.keyboard.insert_text(RAM.read_text(encoding="utf-8"))
        page.keyboard.press("Tab")
        while page.evaluate("document.activeElement.name") != "on":  # the JSON form's day, after the text
            page.keyboard.press("Tab")
        page.keyboard.type("08012024")
        while page.evaluate("document.activeElement.type") != "submit":
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert len(_summary(page)) == len(api.rule_base().provisions)
        watch.check()
    finally:
        context.close()


def _fill_fields(page, address: str) -> None:
    """Ram's profile, field by field, as a student would fill it in."""
    page.goto(f"{address}/person")
    page.fill("input[name=id]", "Ram")
    page.select_option("select[name='citizenships.known']", "listed")
    page.fill("input[name='citizenships[0].country']", "NP")
    page.select_option("select[name='citizenships[0].acquired']", "birth")
    page.select_option("select[name='service.known']", "listed")
    page.fill("input[name='service[0].country']", "RU")
    page.select_option("select[name='service[0].force']", "armed_forces")
    page.select_option("select[name='service[0].kind']", "contract")
    page.fill("input[name='service[0].start']", "2023-05-10")
    page.fill("form.fields input[name=on]", "2024-08-01")
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "form")
    page.click("form.fields button:text('Judge')")
    page.wait_for_load_state()


def test_the_fields_form_judges_as_the_file_does(server, browser):
    for scripts in (True, False):
        context, page, watch = _page(browser, scripts=scripts)
        try:
            _fill_fields(page, server)
            statuses = dict(_summary(page))
            assert len(statuses) == len(api.rule_base().provisions)
            assert statuses["ru.citizenship.contract-service"].startswith("applies")
            watch.check()
        finally:
            context.close()


def test_with_scripts_off_everything_still_works(server, browser, tmp_path):
    context, page, watch = _page(browser, scripts=False)
    try:
        _judge(page, server)
        assert len(_summary(page)) == len(api.rule_base().provisions)
        link = page.input_value("#share-link")
        assert page.locator("#copy-link").is_hidden()  # only scripts show the copy button
        page.goto(link + "&vs=2023-01-01#compare")
        assert "changed" in page.locator("#compare + form + p").inner_text()
        page.goto(f"{server}/person")
        page.set_input_files("#profile-file", str(RAM))
        page.click("form[action='/person/upload'] button[type=submit]")
        page.wait_for_load_state()
        assert len(_summary(page)) == len(api.rule_base().provisions)
        page.click("ul.toggles a >> nth=0")
        page.wait_for_load_state()
        assert "provisions change" in page.content()
        watch.check()
    finally:
        context.close()


def test_the_screenshots_the_docs_show_are_there():
    for name in ("law", "provision", "person", "form"):
        assert (SHOTS / f"{name}.png").is_file(), f"docs/explorer/{name}.png: regenerate with ELIGIBILITY_UPDATE_DOCS=1"
    assert "explorer/person.png" in (ROOT / "docs" / "explorer.md").read_text(encoding="utf-8")
