"""A status and what it means for the person: each provision's kind of effect (grants, exempts,
protects: a benefit; imposes, bars, limits: a burden) is shown wherever its status is, and the
colour follows the meaning, not the word "applies" (a revocation that applies is bad news)."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from eligibility import api
from eligibility.foundations.vocabulary import EFFECT_SENSE, meaning
from eligibility.output import terminal

from .conftest import PEOPLE

TIMUR = PEOPLE / "naturalized-unregistered.json"  # a naturalized Russian who never registered
REVOCATION = "ru.citizenship.revocation-unregistered"


def test_every_kind_of_effect_has_a_sense():
    base = api.rule_base()
    assert {p.effect.kind for p in base.provisions.values()} <= set(EFFECT_SENSE)
    assert meaning("applies", "imposes") == "burden" and meaning("applies", "grants") == "benefit"
    assert meaning("does_not_apply", "bars") == "does_not_apply"  # nothing follows from it, either way


def test_a_revocation_that_applies_is_a_burden_in_the_summary(cli):
    report = api.check(TIMUR, "2025-06-01")
    assert report.status(REVOCATION) == "applies" and report.provision(REVOCATION).meaning == "burden"
    out = cli("check", TIMUR, "--on", "2025-06-01", "--width", "100").stdout
    assert f"✓ {REVOCATION} (imposes)" in out
    head = terminal.summary_line(report.provision(REVOCATION), 100)[0]
    assert head.style == terminal.MEANING_STYLE["burden"] == "bold red"
    grant = terminal.summary_line(
        api.check(PEOPLE / "nepali-contract-soldier.json", "2024-08-01").provision("ru.contract.foreign-citizens"), 100
    )[0]
    assert grant.style == "bold green"


def test_the_csv_and_the_table_carry_the_effect(cli):
    rows = list(csv.DictReader(io.StringIO(cli("check", TIMUR, "--on", "2025-06-01", "--format", "csv").stdout)))
    row = next(r for r in rows if r["id"] == REVOCATION)
    assert (row["status"], row["effect"], row["meaning"]) == ("applies", "imposes", "burden")
    timeline = list(csv.DictReader(io.StringIO(cli("timeline", TIMUR, "--format", "csv").stdout)))
    assert {(r["effect"], r["meaning"]) for r in timeline if r["id"] == REVOCATION} >= {("imposes", "burden")}
    text = cli("table", TIMUR, PEOPLE / "nepali-contract-soldier.json", "--on", "2025-06-01", "--width", "120").stdout
    line = next(line for line in text.splitlines() if REVOCATION in line)
    assert "imposes" in line
    assert "in red: a burden (imposes, bars, limits)" in " ".join(text.split())
    listing = list(csv.DictReader(io.StringIO(cli("rules", "list", "--format", "csv").stdout)))
    assert next(r for r in listing if r["id"] == REVOCATION)["effect"] == "imposes"


def test_the_terminal_colours_in_a_fixed_width_console():
    """Rendered into an 80-column console with colour: the burden's mark is red, a grant's green."""
    console = Console(width=80, force_terminal=True, color_system="standard", record=True, file=io.StringIO())
    terminal.report_summary(console, api.check(TIMUR, "2025-06-01"))
    shown = console.export_text(styles=True)
    assert "\x1b[1;31m✓ \x1b[0m\x1b[1;31m" + REVOCATION in shown


def test_a_relatives_service_is_grouped_once_not_called_a_fact_of_ones_own(cli):
    """A soldier whose family is not given is undetermined under the family provision only
    through his relatives: the summary says 'depends on a relative's service', once, apart from
    what is missing about himself."""
    carlos = PEOPLE / "cuban-discharged-health.json"  # family not given; criminal record not given
    report = api.check(carlos, "2024-08-01")
    family = report.provision("ru.citizenship.family-members")
    assert family.status == "undetermined" and family.on_relatives
    assert family.summary.startswith("depends on a relative's service: the profile does not list the family")
    own = report.provision("ru.contract.criminal-record-bar")
    assert own.status == "undetermined" and not own.on_relatives
    assert own.summary.startswith("a fact missing from the profile")
    out = cli("check", carlos, "--on", "2024-08-01", "--width", "110").stdout
    lines = out.splitlines()
    group = next(i for i, line in enumerate(lines) if "open only through a relative's service (1):" in line)
    assert "ru.citizenship.family-members" in lines[group + 1]
    assert out.index("ru.contract.criminal-record-bar") < out.index("open only through a relative's service")
    # a relative listed without his service: still the relative's, not the person's own
    sita = {
        "citizenships": [{"country": "NP", "acquired": "birth"}],
        "family": [{"relation": "spouse", "person": {"citizenships": [{"country": "NP"}]}}],
    }
    item = api.check(sita, "2024-08-01").provision("ru.citizenship.family-members")
    assert item.status == "undetermined" and item.on_relatives and "family[0].person.service" in item.summary


def test_what_if_and_diff_say_what_a_change_means(cli):
    """Registering takes the revocation from applies to does not apply: shown as a burden lifted,
    with the effect named, not as a green status turning red."""
    out = cli("what-if", TIMUR, "--on", "2025-01-01", "--set", "military_registration.RU=true", "--width", "100").stdout
    assert f"● {REVOCATION} (imposes)  applies → does not apply" in out
    change = api.what_if(TIMUR, "2025-01-01", set={"military_registration.RU": True}).changed[0]
    assert change.effect == "imposes"
    console = Console(width=100, force_terminal=True, color_system="standard", record=True, file=io.StringIO())
    terminal.what_if(console, api.what_if(TIMUR, "2025-01-01", set={"military_registration.RU": True}))
    shown = console.export_text(styles=True)
    assert "\x1b[1;31mapplies\x1b[0m" in shown  # the burden that applied, in red; what it became uncoloured
    assert "\x1b[1;31mdoes not apply" not in shown
    assert terminal.STYLE["does_not_apply"] == terminal.STYLE["applies"] == "bold"  # no good or bad news unknowing
    assert api.diff(TIMUR, "2024-01-01", "2025-01-01").changed[0].effect


def test_the_picture_s_axis_fits_any_range(cli):
    """Labels never run into each other on a long range, a one-day range shows its date, and a
    timeline of no provisions is still a picture."""
    import re
    import xml.etree.ElementTree as ElementTree

    ram = PEOPLE / "nepali-contract-soldier.json"
    long = cli("timeline", ram, "--format", "svg", "--from", "2000-01-01", "--to", "2030-12-31").stdout
    years = [int(y) for y in re.findall(r'text-anchor="middle">(\d{4})<', long)]
    assert years == list(range(2000, 2031, 5))
    ElementTree.fromstring(long)
    day = cli("timeline", ram, "--format", "svg", "--from", "2024-05-01", "--to", "2024-05-01").stdout
    assert ">2024-05-01<" in day
    assert "<svg" in api.timeline(ram, provisions=["ru.contract.stateless"])._repr_svg_()
