"""Pictures for a paper: a timeline as SVG (`timeline --format svg`) and a self-contained,
printable HTML report (`eligibility report`).  Plain text built here, escaped; no script, no
font and nothing fetched from the network, so a page opens the same offline and in print.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from eligibility.foundations.vocabulary import CAVEAT_WORDS

if TYPE_CHECKING:
    from eligibility.explaining.report import CitationOut, ProvisionOut, Report
    from eligibility.exploring.over_time import Timeline
    from eligibility.law.schema import Stage

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text with every control character but tab and line feed written out (\\x1b), so that a
    profile's strings can neither break an SVG (XML forbids most of them) nor send a terminal
    an escape sequence."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape(text: Any) -> str:
    """Text for HTML and SVG: control characters written out, then markup escaped."""
    return html.escape(visible(str(text)))


COLOUR = {"applies": "#2e7d32", "undetermined": "#f9a825", "does_not_apply": "#c62828", "not_in_force": "#90a4ae"}
WORDS = {
    "applies": "applies",
    "undetermined": "undetermined",
    "does_not_apply": "does not apply",
    "not_in_force": "not in force",
}
MARK = {"applies": "✓", "does_not_apply": "✗", "undetermined": "?", "not_in_force": "○"}

ROW, LABEL, PAD = 22, 300, 12  # row height, label column, margins (px)


def timeline_svg(timeline: "Timeline", width: int = 1000) -> str:
    """One row per provision, a bar per period coloured by status; a period in which it is not
    known whether the provision is in force (a date the sources give only to a month or a window,
    or a question they leave open) is hatched; each period's reason is its tooltip."""
    start, end = date.fromisoformat(timeline.start), date.fromisoformat(timeline.end)
    days = (end - start).days + 1
    plot = width - LABEL - 2 * PAD
    rows = len(timeline.provisions)
    height = PAD * 2 + 30 + rows * ROW + 50

    def x(day: date) -> float:
        return LABEL + PAD + plot * (day - start).days / days

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(f"timeline of {timeline.profile}, {timeline.start} to {timeline.end}")}">',
        "<defs>",
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2.5" stroke-opacity="0.8"/></pattern>',
        "</defs>",
        f'<text x="{PAD}" y="{PAD + 12}" font-family="sans-serif" font-size="13" font-weight="bold">'
        f"{escape(timeline.profile)}: {escape(timeline.start)} to {escape(timeline.end)}</text>",
    ]
    top = PAD + 30
    # the date axis: a line per year, labelled
    for year in range(start.year, min(end.year, date.max.year) + 1):
        day = date(year, 1, 1)
        if start <= day <= end:
            px = x(day)
            parts.append(
                f'<line x1="{px:.1f}" y1="{top - 4}" x2="{px:.1f}" y2="{top + rows * ROW}" stroke="#bbbbbb"/>'
                f'<text x="{px + 2:.1f}" y="{top - 6}" font-family="sans-serif" font-size="11">{year}</text>'
            )
    for index, provision in enumerate(timeline.provisions):
        y = top + index * ROW
        parts.append(
            f'<text x="{PAD}" y="{y + 15}" font-family="monospace" font-size="11">{escape(provision.id)}</text>'
        )
        for period in provision.periods:
            first, last = date.fromisoformat(period.start), date.fromisoformat(period.end)
            left, right = x(first), x(last) + plot / days
            tip = f"{provision.id}: {period.start} to {period.end}: {WORDS[period.status]}. {period.reason}"
            parts.append(
                f'<g class="period {period.status}"><title>{escape(tip)}</title>'
                f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 0.5):.1f}" height="{ROW - 6}" '
                f'fill="{COLOUR[period.status]}"/>'
                + (
                    f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 0.5):.1f}" height="{ROW - 6}" '
                    'fill="url(#hatch)"/>'
                    if period.in_force == "unknown"
                    else ""
                )
                + "</g>"
            )
    horizon = timeline.horizon
    if horizon is not None and horizon.beyond:
        # the day the sources were last reviewed: what lies right of it cannot know later acts
        reviewed = date.fromisoformat(horizon.sources_reviewed)
        if start <= reviewed <= end:
            px = x(reviewed) + plot / days
            parts.append(
                f'<line x1="{px:.1f}" y1="{top - 4}" x2="{px:.1f}" y2="{top + rows * ROW}" stroke="#37474f" '
                'stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
        parts.append(
            f'<text x="{PAD}" y="{top + rows * ROW + 14}" font-family="sans-serif" font-size="11">'
            f"horizon: the sources were last reviewed on {escape(horizon.sources_reviewed)} (dashed line); later "
            "acts are not known and could change any answer</text>"
        )
    legend_y = top + rows * ROW + 34
    lx = PAD
    for status, colour in COLOUR.items():
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{legend_y}" font-family="sans-serif" font-size="11">{WORDS[status]}</text>'
        )
        lx += 130
    parts.append(
        f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="#90a4ae"/>'
        f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="url(#hatch)"/>'
        f'<text x="{lx + 16}" y="{legend_y}" font-family="sans-serif" font-size="11">'
        "hatched: whether in force is unknown</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45;
  color: #1a1a1a; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f4f4f4; }
.applies { color: #2e7d32; } .does_not_apply { color: #c62828; } .undetermined { color: #a86b00; }
.not_in_force { color: #546e7a; }
.mark { font-weight: bold; width: 2rem; } .id { font-family: monospace; width: 18rem; }
figure { margin: 1rem 0; max-width: 100%; overflow: hidden; } figure svg { max-width: 100%; height: auto; }
blockquote { margin: .3rem 0 .3rem 1rem; color: #333; font-style: italic; }
.provision { border-top: 1px solid #ccc; padding-top: .5rem; page-break-inside: avoid; }
.muted { color: #666; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


# in a notebook the page is not ours: the fragment's rules apply inside it only
SCOPED_STYLE = " ".join(
    f".eligibility-report {rule}"
    for rule in (
        ".applies { color: #2e7d32; }",
        ".does_not_apply { color: #c62828; }",
        ".undetermined { color: #a86b00; }",
        ".not_in_force { color: #546e7a; }",
        ".muted { color: #666; }",
        "td, th { text-align: left; vertical-align: top; }",
        "blockquote { margin: .3rem 0 .3rem 1rem; font-style: italic; }",
    )
)


def report_html(report: "Report", timeline: "Timeline") -> str:
    """The summary, the timeline picture, and each provision's conditions, citations and the
    record's findings, as one page."""
    title = f"eligibility report — {report.profile} — on {report.on}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">Evidence: {escape(_evidence(report))}. Rule base {escape(report.rule_base)}.</p>',
        *_horizon(report),
        "<h2>Summary</h2>",
        summary_table(report),
    ]
    out.append("<h2>Over time</h2>")
    out.append(f"<figure>{timeline_svg(timeline)}</figure>")
    out.append("<h2>Each provision</h2>")
    out.extend(provision_section(p) for p in report.provisions)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def summary_table(report: "Report") -> str:
    """A row per provision: its mark, its id (a link to its section), status, one-line reason and
    caveats, and what decided it."""
    rows = [
        '<table class="summary"><thead><tr><th class="mark"></th><th class="id">provision</th>'
        "<th>status and reason</th><th>decided by</th></tr></thead><tbody>"
    ]
    for p in report.provisions:
        decided = p.decided_by
        said = ""
        if decided is not None:  # a condition is in the reason already: then its source alone
            said = " · ".join(v for v in (decided.what, decided.date, decided.source) if v) if decided.date else ""
            said = said or (decided.source or "")
        rows.append(
            f'<tr><td class="mark {p.status}">{MARK[p.status]}</td><td class="id">'
            f'<a href="#{escape(p.id)}">{escape(p.id)}</a></td>'
            f'<td><span class="{p.status}">{WORDS[p.status]}</span>: {escape(p.summary)}{_caveat_line(p)}</td>'
            f"<td>{escape(said)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def report_fragment(report: "Report") -> str:
    """The report as a fragment of a page (a notebook cell's output): the heading, the summary,
    and each provision in full, with no timeline."""
    title = f"{report.profile} — on {report.on}"
    return "\n".join(
        [
            f'<div class="eligibility-report"><style>{SCOPED_STYLE}</style>',
            f"<h3>{escape(title)}</h3>",
            f'<p class="muted">Evidence: {escape(_evidence(report))}. Rule base {escape(report.rule_base)}.</p>',
            *_horizon(report),
            summary_table(report),
            *(provision_section(p) for p in report.provisions),
            "</div>",
        ]
    )


def stages_svg(lanes: "list[tuple[str, list[Stage]]]", width: int = 900) -> str:
    """A provision's stages on a time axis, a row for each of its routes and readings: a stage
    known to the day is a mark on that day; one known to a month or a window is drawn as the
    window, hatched, never as a guessed day.  Each stage's date as written is its tooltip."""
    days = [d for _, stages in lanes for s in stages for d in (s.date.earliest, s.date.latest)]
    if not days:
        return ""
    first = date(min(days).year, 1, 1)
    last = date(max(days).year, 12, 31)
    span = (last - first).days + 1
    plot = width - LABEL - 2 * PAD
    height = PAD * 2 + 24 + len(lanes) * (ROW + 14)

    def x(day: date) -> float:
        return LABEL + PAD + plot * (day - first).days / span

    def label(at: float, before: float, y: float, text: str) -> str:
        """A stage's words under it, after the mark, or ending before it in the right third."""
        anchor = ' text-anchor="end"' if at > LABEL + PAD + plot * 2 / 3 else ""
        where = before if anchor else at
        return (
            f'<text x="{where:.1f}" y="{y + ROW + 8}" font-family="sans-serif" font-size="10"{anchor}>'
            f"{escape(text)}</text>"
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-label="the stages of the provision on a time axis">',
        '<defs><pattern id="window" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#37474f" stroke-width="2"/>'
        "</pattern></defs>",
    ]
    top = PAD + 16
    for year in range(first.year, last.year + 1):
        px = x(date(year, 1, 1))
        bottom = top + len(lanes) * (ROW + 14)
        parts.append(
            f'<line x1="{px:.1f}" y1="{top - 4}" x2="{px:.1f}" y2="{bottom}" stroke="#dddddd"/>'
            f'<text x="{px + 2:.1f}" y="{top - 6}" font-family="sans-serif" font-size="11">{year}</text>'
        )
    for index, (name, stages) in enumerate(lanes):
        y = top + index * (ROW + 14)
        parts.append(
            f'<text x="{PAD}" y="{y + 15}" font-family="sans-serif" font-size="11">{escape(name[:48])}</text>'
            f'<line x1="{LABEL + PAD}" y1="{y + ROW / 2:.1f}" x2="{width - PAD}" y2="{y + ROW / 2:.1f}" '
            'stroke="#90a4ae"/>'
        )
        for stage in stages:
            spec = stage.date
            tip = f"{stage.label}: {stage.when}"
            left = x(spec.earliest)
            if spec.exact:
                mark = f'<path d="M {left:.1f} {y + 3} l 6 8 l -6 8 l -6 -8 z" fill="#1565c0"/>' + label(
                    left + 7, left - 7, y, f"{stage.label} {spec.written()}"
                )
            else:
                right = x(spec.latest) + plot / span
                mark = (
                    f'<rect x="{left:.1f}" y="{y + 4}" width="{max(right - left, 2):.1f}" height="{ROW - 8}" '
                    'fill="#cfd8dc" stroke="#37474f"/>'
                    f'<rect x="{left:.1f}" y="{y + 4}" width="{max(right - left, 2):.1f}" height="{ROW - 8}" '
                    'fill="url(#window)"/>' + label(left, right, y, f"{stage.label} {spec.written()}")
                )
            parts.append(f'<g class="stage"><title>{escape(tip)}</title>{mark}</g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


MARKS = {"held": "✓", "failed": "✗", "unknown": "?"}
EXCLUDING = {"held": "✗", "failed": "✓", "unknown": "?"}
NEUTRAL = {"held": "•", "failed": "◦", "unknown": "?"}


def _horizon(report: "Report") -> list[str]:
    """One line when the report's day is past the sources' horizon."""
    line = report.horizon.line(report.on) if report.horizon is not None else None
    return [f'<p class="undetermined">{escape(line[0].upper() + line[1:])}.</p>'] if line else []


def _caveat_line(p: "ProvisionOut") -> str:
    said = p.caveat_line()
    return f'<br><span class="muted">caveats: {escape(said)}</span>' if said else ""


def _evidence(report: "Report") -> str:
    which = "the five articles only" if report.evidence == "articles" else "the articles and the official record"
    return which + (f", as known on {report.known_on}" if report.known_on else "")


def provision_section(p: "ProvisionOut") -> str:
    """One provision in full: status and reason, in force, conditions with the facts, sources,
    the record beside the articles, caveats."""
    parts = [
        f'<section class="provision" id="{escape(p.id)}"><h3><span class="{p.status}">{MARK[p.status]}</span> '
        f"{escape(p.id)}: {escape(p.title)}</h3>",
        f"<p><strong>{WORDS[p.status]}.</strong> {escape(p.reason)}</p>",
        f"<p><strong>In force:</strong> {escape(p.in_force.explanation)}</p>",
        "<p><strong>Conditions</strong></p><ul>",
    ]
    for c in p.conditions:
        # a condition that excludes (under a `not`) counts against the person when it holds; one inside
        # a combination under a `not` counts only with the others
        marks = {"required": MARKS, "excludes": EXCLUDING, "either": NEUTRAL}[c.counts]
        excluded = {"required": "", "excludes": "excluded if: ", "either": "with the others, excludes: "}[c.counts]
        facts = "; ".join(c.facts)
        parts.append(
            f"<li>{marks[c.value]} {excluded}{escape(c.says)}"
            + (f' <span class="muted">({escape(facts)})</span>' if facts else "")
        )
        parts.append("</li>")
    parts.append("</ul>")
    parts.append("<p><strong>Sources</strong></p>")
    parts.extend(_citation(c) for c in p.citations)
    if p.discrepancies:
        parts.append("<p><strong>The official record beside the articles</strong></p><ul>")
        for d in p.discrepancies:
            parts.append(
                f"<li>{escape(d.about)} ({escape(d.relation)}; how sure: {escape(d.sure)}; "
                f"followed: {'neither side (left open)' if d.follows == 'neither' else 'the ' + escape(d.follows)})"
                f"<br>the articles: {escape(d.articles)}<br>the record: {escape(d.record)}"
                + "".join(f"<br>rests on: {escape(f.fact)} ({escape(f.sure)})" for f in d.rests_on)
                + "</li>"
            )
        parts.append("</ul>")
    if p.caveats:
        parts.append("<p><strong>Caveats: what could change this answer</strong></p><ul>")
        for caveat in p.caveats:
            detail = f'<span class="muted">({escape(caveat.detail)})</span>'
            parts.append(f"<li>{escape(CAVEAT_WORDS[caveat.kind])}: {escape(caveat.text)} {detail}</li>")
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _citation(c: "CitationOut") -> str:
    where = f' <span class="muted">{escape(c.address)}</span>' if c.address else ""
    said = f"<blockquote>“{escape(c.quote)}”</blockquote>" if c.quote else ' <span class="muted">(a reference)</span>'
    return f"<p>{escape(c.outlet)}, {escape(c.published)} [{escape(c.source)}]{where}{said}</p>"
