"""The explorer's pages as HTML: plain strings, every user string escaped, no script needed.

Each page is the same frame (a header with the three places, the rule base's digest and the
sources' horizon at the foot) around its own body.  Scripts only add conveniences (reading an
uploaded file into the form, copying a link); with scripts off every page and form still works.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from eligibility.foundations.vocabulary import CAVEAT_OF_KIND, CAVEAT_WORDS
from eligibility.output.pictures import MARK, WORDS, escape, provision_section, stages_svg, summary_table, timeline_svg

if TYPE_CHECKING:
    from eligibility.explaining.report import CatalogueEntry, DiscrepancyOut, Report
    from eligibility.exploring.alternatives import MakeApply, WhatIf
    from eligibility.exploring.changes import Diff
    from eligibility.exploring.over_time import Timeline
    from eligibility.judging.in_force import Validity
    from eligibility.law.rulebase import RuleBase
    from eligibility.law.schema import Provision, Source
    from eligibility.web.links import View

CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; line-height: 1.45; }
header { background: #263238; color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem;
  align-items: baseline; }
header a { color: #fff; } header nav { display: flex; gap: 1.2rem; }
header .name { font-weight: bold; margin-right: 1rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
footer { max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #555; font-size: .9rem; }
h1 { font-size: 1.4rem; overflow-wrap: anywhere; } p, li, summary, label { overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f4f4f4; }
.applies { color: #2e7d32; } .undetermined { color: #7a5a00; } .not_in_force { color: #5f5f5f; }
.benefit { color: #004488; } .burden { color: #a03c4e; } .does_not_apply { color: #333333; }
.yes { color: #2e7d32; } .no { color: #546e7a; } .unknown { color: #a86b00; }
.mark { font-weight: bold; width: 2rem; } .id { font-family: monospace; width: 17rem; }
figure { margin: 1rem 0; max-width: 100%; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
blockquote { margin: .3rem 0 .3rem 1rem; color: #333; font-style: italic; }
.provision { border-top: 1px solid #ccc; padding-top: .5rem; }
.muted { color: #555; font-size: .9rem; }
.error { border: 2px solid #c62828; background: #fdecea; padding: .5rem .8rem; font-family: monospace;
  overflow-wrap: anywhere; }
.warning { border: 2px solid #a86b00; background: #fff8e1; padding: .5rem .8rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; }
form.filters label, form.person label { display: flex; flex-direction: column; font-size: .9rem; }
form.person { display: grid; gap: .6rem; }
form.person .row { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; }
textarea { width: 100%; min-height: 14rem; font-family: monospace; font-size: .9rem; }
input, select, button, textarea { font: inherit; }
input[type=text], input[type=date] { min-width: 10rem; }
details { margin: .2rem 0; } summary { cursor: pointer; }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #1565c0;
  outline-offset: 1px; }
.share { width: 100%; font-family: monospace; font-size: .8rem; }
ul.toggles { columns: 2; } @media (max-width: 50rem) { ul.toggles { columns: 1; } }
nav.downloads a { margin-right: 1rem; }
fieldset { border: 1px solid #ccc; margin: .4rem 0; } legend { font-weight: bold; }
form.fields label { max-width: 16rem; } form.fields .row { border-bottom: 1px dotted #ddd; padding-bottom: .3rem; }
.field-error { color: #c62828; font-weight: bold; } textarea.short { min-height: 6rem; }
form.person label.plain { display: block; } form.fields label.wide { max-width: none; }
[aria-invalid="true"] { outline: 2px solid #c62828; }
.w6 { width: 6rem; } .w9 { width: 9rem; } .w22 { width: 22rem; }
"""

# Conveniences only: with scripts off, the upload form posts the file and the link is selectable.
SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var file = document.getElementById("profile-file");
  var text = document.getElementById("profile-text");
  if (file && text) {
    file.addEventListener("change", function () {
      if (!file.files.length) { return; }
      var reader = new FileReader();
      reader.onload = function () { text.value = reader.result; };
      reader.readAsText(file.files[0]);
    });
  }
  var copy = document.getElementById("copy-link");
  var link = document.getElementById("share-link");
  if (copy && link) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      link.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(link.value); }
    });
  }
});
"""

ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
    'fill="#263238"/><path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>'
)
STATUS_ORDER = ("applies", "undetermined", "does_not_apply", "not_in_force")
VALUE_WORDS = {"yes": "in force", "no": "not in force", "unknown": "unknown whether in force"}


def frame(title: str, body: Iterable[str], rules: "RuleBase", here: str = "") -> str:
    """A whole page: the header, the body, and the foot with the rule base and its horizon."""
    reviewed = rules.reviewed
    foot = f"Rule base {escape(rules.digest)}"
    if reviewed is not None:
        foot += f"; its sources were last reviewed on {reviewed.day.isoformat()}: later acts are not known here"
    places = (("/law", "The law"), ("/person", "A person"), ("/api", "API"))
    nav = "".join(f'<a href="{href}"{" aria-current=page" if here == href else ""}>{name}</a>' for href, name in places)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)} — eligibility</title>",
            '<link rel="stylesheet" href="/static/site.css"><script src="/static/site.js" defer></script>',
            "</head><body>",
            f'<header><span class="name">eligibility</span><nav aria-label="places">{nav}</nav></header>',
            "<main>",
            *body,
            "</main>",
            f'<footer><p>{foot}.</p><p>Every answer comes with its sources; "undetermined" means the '
            "sources or the profile leave it open, never a guess.</p></footer>",
            "</body></html>",
        ]
    )


def error_box(message: str) -> str:
    return f'<p class="error" role="alert">{escape(message)}</p>'


def _options(values: Sequence[tuple[str, str]], chosen: Optional[str]) -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == (chosen or "") else ""}>{escape(words)}</option>'
        for v, words in values
    )


# --- the law -----------------------------------------------------------------------------


def law_page(
    rules: "RuleBase",
    rows: Sequence[tuple["CatalogueEntry", "Provision", "Validity"]],
    chosen: dict[str, Optional[str]],
    day: str,
    error: Optional[str] = None,
) -> str:
    effects = sorted({p.effect.kind for p in rules.provisions.values()})
    countries = sorted({p.jurisdiction for p in rules.provisions.values()})
    body = [
        "<h1>The law</h1>",
        f"<p>Every provision the rule base holds ({len(rules.provisions)}), as judged on the evidence chosen. "
        "Pick a day to see which were in force then; open one for its stages, conditions and sources.</p>",
        '<form class="filters" method="get" action="/law" role="search">',
        f'<label>Search<input type="search" name="q" value="{escape(chosen.get("q") or "")}" '
        'placeholder="words of a title, id, condition or quote"></label>',
        '<label>Country<select name="country">'
        + _options([("", "any")] + [(c, c) for c in countries], chosen.get("country"))
        + "</select></label>",
        '<label>Effect<select name="effect">'
        + _options([("", "any")] + [(e, e) for e in effects], chosen.get("effect"))
        + "</select></label>",
        f'<label>On<input type="date" name="on" value="{escape(day)}"></label>',
        '<label>In force then<select name="in_force">'
        + _options(
            [("", "any"), ("yes", "in force"), ("no", "not in force"), ("unknown", "unknown")], chosen.get("in_force")
        )
        + "</select></label>",
        '<label>Evidence<select name="evidence">'
        + _options([("all", "the articles and the record"), ("articles", "the articles only")], chosen.get("evidence"))
        + "</select></label>",
        '<button type="submit">Show</button>',
        "</form>",
    ]
    if error:
        body.append(error_box(error))
    body.append(
        f'<p class="muted">{len(rows)} shown. <a href="/api/provisions?{escape(_query(chosen, day))}">'
        "This list as JSON</a>.</p>"
    )
    body.append(
        '<table><thead><tr><th class="id">provision</th><th>title</th><th class="w6">effect</th>'
        f'<th class="w22">on {escape(day)}</th></tr></thead><tbody>'
    )
    for entry, provision, said in rows:
        value = said.value.word
        body.append(
            f'<tr><td class="id"><a href="/law/{escape(entry.id)}?on={escape(day)}">{escape(entry.id)}</a></td>'
            f"<td>{escape(entry.title)} <span class=muted>({escape(entry.jurisdiction)})</span></td>"
            f"<td>{escape(provision.effect.kind)}</td>"
            f'<td><span class="{value}">{VALUE_WORDS[value]}</span>'
            f'<br><span class="muted">{escape(said.explanation)}</span></td></tr>'
        )
    body.append("</tbody></table>")
    return frame("The law", body, rules, "/law")


def _query(chosen: dict[str, Optional[str]], day: str) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in {**chosen, "on": day}.items() if v])


# --- a provision -------------------------------------------------------------------------


def provision_page(
    rules: "RuleBase",
    provision: "Provision",
    day: str,
    said: "Validity",
    findings: Sequence["DiscrepancyOut"],
    sources: Sequence[tuple["Source", list[str]]],
    known: Optional[dict[str, Any]],
    evidence: str,
    error: Optional[str] = None,
) -> str:
    value = said.value.word
    lanes = [("its own terms", list(provision.stages))]
    lanes += [(f"route {r.id}", list(r.stages)) for r in provision.routes]
    lanes += [(f"reading {r.id}", list(r.stages)) for r in provision.readings]
    body = [
        f'<p class="muted"><a href="/law">The law</a> › {escape(provision.id)}</p>',
        f"<h1>{escape(provision.title)}</h1>",
        f'<p><span class="id">{escape(provision.id)}</span> · {escape(provision.jurisdiction)}'
        + (f" · {escape(provision.instrument)}" if provision.instrument else "")
        + f" · {escape(provision.effect.kind)}: {escape(provision.effect.text)}</p>",
        '<form class="filters" method="get">',
        f'<label>On<input type="date" name="on" value="{escape(day)}"></label>',
        '<label>Evidence<select name="evidence">'
        + _options([("all", "the articles and the record"), ("articles", "the articles only")], evidence)
        + "</select></label>",
        '<label>What could be known on<input type="date" name="known_on" '
        f'value="{escape((known or {}).get("day", ""))}"></label>',
        '<button type="submit">Show</button></form>',
    ]
    if error:
        body.append(error_box(error))
    body += [
        f'<p><strong class="{value}">{VALUE_WORDS[value].capitalize()}:</strong> {escape(said.explanation)}</p>',
        "<h2>Stages</h2>",
        '<p class="muted">A stage known to the day is a mark; one the sources give only to a month or a window is '
        "drawn as the window, hatched: the day inside it is not known.</p>",
        f"<figure>{stages_svg(lanes)}</figure>",
        "<ul>",
    ]
    for name, stages in lanes:
        for stage in stages:
            body.append(f"<li>{escape(name)}: {escape(stage.label)} {escape(stage.when)}</li>")
    body.append("</ul>")
    body.append("<h2>Conditions, in the law's words</h2><ul>")
    for condition in provision.conditions:
        quotes = "".join(
            f"<blockquote>“{escape(c.quote)}” [{escape(c.source)}]</blockquote>" for c in condition.cite if c.quote
        )
        body.append(f'<li><span class="id">{escape(condition.id)}</span>: {escape(condition.says)}{quotes}</li>')
    body.append("</ul>")
    if provision.when:
        body.append(f"<p><strong>When:</strong> {escape(provision.when)}</p>")
    if provision.routes or provision.readings:
        body.append("<h2>Routes and readings</h2><ul>")
        for kind, items in (("route", provision.routes), ("reading", provision.readings)):
            for alt in items:
                body.append(
                    f"<li>{kind} <span class=id>{escape(alt.id)}</span> ({escape(alt.follows)}): "
                    f"{escape(alt.summary)} <span class=muted>{escape(alt.when)}</span></li>"
                )
        body.append("</ul>")
    body.append("<h2>The articles beside the official record</h2>")
    if findings:
        body.append(
            '<table><thead><tr><th>about</th><th>the articles</th><th>the record</th><th class="w9">how sure'
            '</th><th class="w9">followed</th></tr></thead><tbody>'
        )
        for f in findings:
            rests = "".join(
                f"<br><span class=muted>rests on: {escape(r.fact)} ({escape(r.sure)})</span>" for r in f.rests_on
            )
            follows = "neither side (left open)" if f.follows == "neither" else f"the {f.follows}"
            body.append(
                f"<tr><td>{escape(f.about)} <span class=muted>({escape(f.relation)})</span></td>"
                f"<td>{escape(f.articles)}</td><td>{escape(f.record)}{rests}</td><td>{escape(f.sure)}</td>"
                f"<td>{escape(follows)}</td></tr>"
            )
        body.append("</tbody></table>")
    else:
        body.append("<p>The record's findings change nothing the articles say of it.</p>")
    body.append("<h2>Sources</h2><ol>")
    for source, taken in sources:
        when = source.published.written() if source.published else "date not known"
        where = (
            f' <a href="{escape(source.address)}" rel="noreferrer noopener">{escape(source.address)}</a>'
            if source.address
            else f' <span class="muted">(no address: {escape(source.address_note or "a reference")})</span>'
        )
        shown = "".join(f"<blockquote>“{escape(q)}”</blockquote>" for q in taken) or (
            '<br><span class="muted">a reference: the project has not its text</span>'
        )
        body.append(
            f"<li>{escape(source.outlet)}, “{escape(source.headline)}”, {escape(when)} "
            f"[{escape(source.id)}, {escape(source.kind)}]{where}{shown}</li>"
        )
    body.append("</ol>")
    body.append("<h2>Caveats: what is not judged</h2>")
    if provision.not_modelled:
        body.append("<ul>")
        for item in provision.not_modelled:
            route = f" (route {escape(item.route)})" if item.route else ""
            body.append(
                f"<li>{escape(CAVEAT_WORDS[CAVEAT_OF_KIND[item.kind]])}{route}: {escape(item.matter)} "
                f'<span class="muted">({escape(item.why)})</span></li>'
            )
        body.append("</ul>")
    else:
        body.append("<p>Nothing is recorded as left out.</p>")
    if known is not None:
        body.append(f"<h2>What could be known on {escape(known['day'])}</h2>")
        if known.get("first_reported") is not None or known.get("unreported"):
            first = known.get("first_reported") or "on a day not known"
            body.append(f"<p>No source on it was published by then (first reported: {escape(first)}).</p>")
        else:
            v = known["validity"]
            words = VALUE_WORDS[v.value.word].capitalize()
            body.append(
                f'<p><strong class="{v.value.word}">{words} on {escape(day)}</strong>, '
                f"as the sources published by {escape(known['day'])} tell it: {escape(v.explanation)}</p>"
            )
            if known["findings"]:
                body.append("<ul>")
                for f in known["findings"]:
                    body.append(f"<li>{escape(f.about)}: the record ({escape(f.sure)}) — {escape(f.record)}</li>")
                body.append("</ul>")
            else:
                body.append("<p>None of the record's findings on it was published by then.</p>")
    body.append(
        f'<p class="muted"><a href="/api/provisions/{escape(provision.id)}?evidence={escape(evidence)}">'
        "This provision as JSON</a>.</p>"
    )
    return frame(provision.title, body, rules, "/law")


# --- a person ------------------------------------------------------------------------------


def person_form(
    text: str,
    on: str,
    evidence: str,
    known_on: str,
    examples: Sequence[tuple[str, str]],
    hints: Sequence[str],
    fields: Sequence[str] = (),
) -> list[str]:
    """The profile forms: field by field, or pasted or uploaded JSON; a date, evidence, known-on."""
    example_links = "".join(f'<li><a href="/person?{escape(q)}">{escape(name)}</a></li>' for name, q in examples)

    def when(prefix: str) -> str:
        return (
            '<div class="row">'
            f'<label>On<input type="date" name="on" value="{escape(on)}" required></label>'
            '<label>Evidence<select name="evidence">'
            + _options([("all", "the articles and the record"), ("articles", "the articles only")], evidence)
            + "</select></label>"
            f'<label>Known on (optional)<input type="date" name="known_on" value="{escape(known_on)}"></label>'
            f'<button type="submit">{prefix}</button></div>'
        )

    return [
        "<h2>Field by field</h2>",
        '<p class="muted">Leave a field empty, or a list "not known", when you do not know it: the answer then '
        'says which provisions it leaves undetermined. "none" means the person has none.</p>',
        '<form class="person fields" method="post" action="/person/fields">',
        *fields,
        when("Judge"),
        "</form>",
        "<h2>Or as JSON</h2>",
        '<form class="person" method="post" action="/person">',
        '<label class="plain" for="profile-text">The profile, as JSON (<a href="/schema/profile.json">its schema</a>; '
        "an omitted field is unknown, an empty list is none)</label>",
        f'<textarea id="profile-text" name="profile" spellcheck="false" aria-describedby="profile-hints">'
        f"{escape(text)}</textarea>",
        '<ul id="profile-hints" class="muted">' + "".join(f"<li>{escape(h)}</li>" for h in hints) + "</ul>",
        when("Judge the JSON"),
        "</form>",
        '<form class="person" method="post" action="/person/upload" enctype="multipart/form-data">',
        '<div class="row"><label>Or upload a profile file<input id="profile-file" type="file" name="file" '
        'accept=".json,application/json"></label>',
        f'<input type="hidden" name="on" value="{escape(on)}">',
        f'<input type="hidden" name="evidence" value="{escape(evidence)}">',
        f'<input type="hidden" name="known_on" value="{escape(known_on)}">',
        '<button type="submit">Upload and judge</button></div></form>',
        ("<h2>Examples</h2><ul>" + example_links + "</ul>") if examples else "",
    ]


def person_page(
    rules: "RuleBase",
    view: "View",
    data: Any,
    report: "Report",
    timeline: "Timeline",
    share: Optional[str],
    hints: Sequence[str],
    diff: Optional["Diff"] = None,
    whatif: Optional["WhatIf"] = None,
    advice: Optional["MakeApply"] = None,
    toggles: Sequence[tuple[str, str]] = (),
    notice: Optional[str] = None,
    fields: Sequence[str] = (),
) -> str:
    body = [f"<h1>{escape(report.profile)} on {escape(report.on)}</h1>"]
    if notice:
        body.append(f'<p class="warning" role="status">{escape(notice)}</p>')
    line = report.horizon.line(report.on) if report.horizon is not None else None
    if line:
        body.append(f'<p class="warning">{escape(line[0].upper() + line[1:])}.</p>')
    evidence = "the five articles only" if report.evidence == "articles" else "the articles and the official record"
    body.append(
        f'<p class="muted">Judged on {evidence}'
        + (f", as known on {escape(report.known_on)}" if report.known_on else "")
        + f". Rule base {escape(report.rule_base)}.</p>"
    )
    if share is not None:
        body += [
            '<p><label for="share-link">Link to this view (the profile, dates and options are in it)</label>',
            f'<input id="share-link" class="share" type="text" readonly value="{escape(share)}">',
            '<button type="button" id="copy-link" hidden>Copy the link</button></p>',
        ]
    q = view.query
    body.append(
        '<nav class="downloads" aria-label="downloads">Download: '
        f'<a href="/person/report.json?{escape(q())}" download>JSON</a>'
        f'<a href="/person/report.csv?{escape(q())}" download>CSV</a>'
        f'<a href="/person/timeline.svg?{escape(q())}" download>timeline SVG</a>'
        f'<a href="/person/report.html?{escape(q())}" download>HTML report (3 pages)</a>'
        f'<a href="/person/report-full.html?{escape(q())}" download>full HTML report</a>'
        f'<a href="/person/profile.json?{escape(q())}" download>the profile</a></nav>'
    )
    counts = {s: sum(1 for p in report.provisions if p.status == s) for s in STATUS_ORDER}
    body.append("<p>" + " · ".join(f'<span class="{s}">{n} {WORDS[s]}</span>' for s, n in counts.items()) + "</p>")
    body.append("<h2>Summary</h2>")
    body.append(summary_table(report))
    body.append("<h2>Each provision</h2>")
    for p in report.provisions:
        body.append(
            f'<details><summary><span class="{p.meaning}">{MARK[p.status]} {WORDS[p.status]}</span> '
            f"<span class=id>{escape(p.id)}</span> {escape(p.title)}</summary>{provision_section(p)}"
            f'<p><a href="/law/{escape(p.id)}?on={escape(report.on)}">The provision itself</a>'
            + (
                f' · <a href="/person?{escape(q(make=p.id, set=(), unset=()))}#make-apply">'
                "What would make it apply?</a>"
                if p.status != "applies"
                else ""
            )
            + "</p></details>"
        )
    body.append("<h2>Over time</h2>")
    body.append(
        '<form class="filters" method="get" action="/person">'
        + _hidden(view, skip=("start", "end"))
        + f'<label>From<input type="date" name="start" value="{escape(timeline.start)}"></label>'
        f'<label>To<input type="date" name="end" value="{escape(timeline.end)}"></label>'
        '<button type="submit">Redraw</button></form>'
    )
    body.append(f"<figure>{timeline_svg(timeline)}</figure>")
    body.append('<h2 id="compare">Compare with another date</h2>')
    body.append(
        '<form class="filters" method="get" action="/person#compare">'
        + _hidden(view, skip=("vs",))
        + f"<label>Compare {escape(report.on)} with"
        f'<input type="date" name="vs" value="{escape(view.vs or "")}"></label>'
        '<button type="submit">Compare</button></form>'
    )
    if diff is not None:
        body.extend(_diff(diff))
    body.append('<h2 id="what-if">What if one fact were different?</h2>')
    if whatif is not None:
        body.extend(_whatif(whatif))
        body.append(f'<p><a href="/person?{escape(q(set=(), unset=()))}#what-if">Back to the profile as given</a></p>')
    if toggles:
        body.append('<ul class="toggles">')
        for words, query in toggles:
            body.append(f'<li><a href="/person?{escape(query)}#what-if">{escape(words)}</a></li>')
        body.append("</ul>")
    else:
        body.append("<p>The profile has no fact to change one at a time.</p>")
    if advice is not None:
        body.append('<h2 id="make-apply">What would make it apply?</h2>')
        body.extend(_advice(advice))
    body.append("<h2>The profile</h2><details><summary>Edit the profile</summary>")
    body.extend(
        person_form(
            json.dumps(data, ensure_ascii=False, indent=2),
            view.on,
            view.evidence,
            view.known_on or "",
            [],
            hints,
            fields,
        )
    )
    body.append("</details>")
    return frame(f"{report.profile} on {report.on}", body, rules, "/person")


def _hidden(view: "View", skip: Sequence[str]) -> str:
    from urllib.parse import parse_qsl

    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in parse_qsl(view.query())
        if k not in skip
    )


def _diff(diff: "Diff") -> list[str]:
    out = [
        f"<p>From {escape(diff.start)} to {escape(diff.end)}: {len(diff.changed)} changed, "
        f"{len(diff.unchanged)} unchanged.</p>"
    ]
    for change in diff.changed:
        causes = "".join(f"<li>{escape(c.on)}: {escape(c.text)}</li>" for c in change.causes)
        out.append(
            f'<div class="provision"><h3><span class=id>{escape(change.id)}</span> {escape(change.title)}</h3>'
            f'<p><span class="{change.before}">{WORDS[change.before]}</span> → '
            f'<span class="{change.after}">{WORDS[change.after]}</span></p>'
            f"<p class=muted>before: {escape(change.before_reason)}<br>after: {escape(change.after_reason)}</p>"
            + (f"<p>What changed it:</p><ul>{causes}</ul>" if causes else "")
            + "</div>"
        )
    return out


def _whatif(result: "WhatIf") -> list[str]:
    edits = "; ".join(e.written for e in result.edits)
    out = [f"<p>With <code>{escape(edits)}</code>: {len(result.changed)} provisions change.</p>"]
    if result.changed:
        out.append("<ul>")
        for change in result.changed:
            out.append(
                f'<li><span class=id>{escape(change.id)}</span>: <span class="{change.before}">'
                f'{WORDS[change.before]}</span> → <span class="{change.after}">{WORDS[change.after]}</span>'
                f" <span class=muted>({escape(change.after_reason)})</span></li>"
            )
        out.append("</ul>")
    return out


def _advice(result: "MakeApply") -> list[str]:
    out = [
        f'<p><span class=id>{escape(result.provision)}</span> is <span class="{result.status}">'
        f"{WORDS[result.status]}</span>: {escape(result.explanation)}</p>"
    ]
    if result.sets:
        out.append("<ol>")
        for change in result.sets:
            edits = "; ".join(e.written for e in change.edits)
            out.append(
                f"<li><code>{escape(edits)}</code> <span class=muted>({escape(change.reason_after)})</span></li>"
            )
        out.append("</ol>")
    out.extend(f"<p class=muted>{escape(n)}</p>" for n in result.notes)
    return out


def api_page(rules: "RuleBase", paths: dict[str, Any]) -> str:
    body = [
        "<h1>The HTTP API</h1>",
        "<p>JSON in, JSON out; the models are the command line's. The whole contract is the OpenAPI document "
        '<a href="/api/openapi.json">/api/openapi.json</a>, served from here. A bad request gets status 422 and '
        '<code>{"error": {"message": ..., "file": ..., "field": ...}}</code>, the message the command line gives.</p>',
        '<table><thead><tr><th class="w6">method</th><th class=id>path</th><th>what it does</th></tr></thead><tbody>',
    ]
    for path, methods in paths.items():
        for method, spec in methods.items():
            body.append(
                f"<tr><td>{escape(method.upper())}</td><td class=id>{escape(path)}</td>"
                f"<td>{escape(spec.get('summary', ''))}<br><span class=muted>{escape(spec.get('description', ''))}"
                "</span></td></tr>"
            )
    body.append("</tbody></table>")
    return frame("API", body, rules, "/api")
