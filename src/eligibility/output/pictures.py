"""Pictures for a paper: a timeline as SVG (`timeline --format svg`) and a self-contained,
printable HTML report (`eligibility report`).  Plain text built here, escaped; no script, no
font and nothing fetched from the network, so a page opens the same offline and in print.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from eligibility.explaining.reasons import shortened_text
from eligibility.foundations.vocabulary import CAVEAT_WORDS, STATUSES, meaning

if TYPE_CHECKING:
    from eligibility.explaining.report import CitationOut, ProvisionOut, Report
    from eligibility.exploring.over_time import Timeline
    from eligibility.law.rulebase import RuleBase
    from eligibility.law.schema import Stage
    from eligibility.people.profile import Profile

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text with every control character but tab and line feed written out (\\x1b), so that a
    profile's strings can neither break an SVG (XML forbids most of them) nor send a terminal
    an escape sequence."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape(text: Any) -> str:
    """Text for HTML and SVG: control characters written out, then markup escaped."""
    return html.escape(visible(str(text)))


WORDS = {
    "applies": "applies",
    "undetermined": "undetermined",
    "does_not_apply": "does not apply",
    "not_in_force": "not in force",
}
MARK = {"applies": "✓", "does_not_apply": "✗", "undetermined": "?", "not_in_force": "○"}

# The fills, by what a status means for the person (vocabulary.meaning): a palette whose five
# colours stay apart in lightness alone (so in greyscale print) and under the common colour-vision
# deficiencies; tests/test_pictures.py measures both.  Never red against green alone: an
# undetermined period is dotted as well, a period whose in-force is unknown is hatched, and a
# period not in force is an outline.
FILL = {
    "benefit": "#004488",
    "burden": "#bb5566",
    "undetermined": "#ddaa33",
    "does_not_apply": "#d8d8d8",
    "not_in_force": "#ffffff",
}
# the same meanings as text on a white page, dark enough to read
INK = {
    "benefit": "#004488",
    "burden": "#a03c4e",
    "undetermined": "#7a5a00",
    "does_not_apply": "#333333",
    "not_in_force": "#5f5f5f",
}
LEGEND = {
    "benefit": "applies, in the person's favour (grants, exempts, protects)",
    "burden": "applies, a burden on the person (imposes, bars, limits)",
    "undetermined": "undetermined (dotted)",
    "does_not_apply": "does not apply",
    "not_in_force": "not in force (outline)",
}
HATCH_WHY = (
    "hatched: whether it is in force on those days is not known,",
    "because the sources date a stage only to a month or a window, or leave the question open",
)

ROW, LABEL, PAD = 22, 300, 12  # row height, label column, margins (px) of the stages picture
FONT = 12  # px: the timeline's labels; at WIDTH px printed across an A4 page that is about 8 pt
WIDTH = 760
MIN_BAR = 3.0  # px: a period of a day or two is still a visible mark


AXIS_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def _axis_years(first: date, last: date, plot: float = WIDTH) -> list[int]:
    """The years to label and mark: every year where the labels fit, else every 2nd (even), 5th,
    10th, ... year, so that labels never run into each other (about 48 px apart at least)."""
    span = last.year - first.year + 1
    step = next((s for s in AXIS_STEPS if plot * s / span >= 48), AXIS_STEPS[-1])
    return [y for y in range(first.year, last.year + 1) if y % step == 0]


def timeline_svg(timeline: "Timeline", width: int = WIDTH) -> str:
    """One row per provision (its id and kind of effect), a bar per period filled by what its
    status means for the person; a period in which it is not known whether the provision is in
    force (a date the sources give only to a month or a window, or a question they leave open) is
    hatched; each period's reason is its tooltip.  Drawn to be printed across an A4 page: labels
    of about 8 pt, one-day periods still visible, colours apart in greyscale and for the common
    colour-vision deficiencies."""
    start, end = date.fromisoformat(timeline.start), date.fromisoformat(timeline.end)
    days = (end - start).days + 1
    char = FONT * 0.6  # a monospace character's advance
    widest = max((len(p.id) + len(p.effect) + 3 for p in timeline.provisions), default=24)
    label = PAD + min(widest * char, width / 2) + 8  # a very long id runs under the bars, never off the page
    plot = width - label - PAD
    rows = len(timeline.provisions)
    legend_rows = 5
    height = PAD + 22 + 16 + rows * ROW + 26 + legend_rows * 17 + PAD

    def x(day: date) -> float:
        return label + plot * (day - start).days / days

    text = f'font-family="sans-serif" font-size="{FONT}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(f"timeline of {timeline.profile}, {timeline.start} to {timeline.end}")}">',
        "<defs>",
        '<pattern id="hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
        '<line x1="1" y1="0" x2="1" y2="7" stroke="#ffffff" stroke-width="2"/>'
        '<line x1="3" y1="0" x2="3" y2="7" stroke="#222222" stroke-width="1.2"/></pattern>',
        '<pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse">',
        '<circle cx="2.5" cy="2.5" r="1" fill="#333333"/></pattern>',
        "</defs>",
        f'<text x="{PAD}" y="{PAD + 13}" font-family="sans-serif" font-size="14" font-weight="bold">'
        f"{escape(timeline.profile)}: {escape(timeline.start)} to {escape(timeline.end)}</text>",
    ]
    top = PAD + 22 + 16
    bottom = top + rows * ROW
    # the date axis: a line at each 1 January of the years marked, each label centred on its year
    # (or, where one year fills the picture, the first and last day written out)
    marked = _axis_years(start, end, plot)
    for year in marked:
        first, last = max(date(year, 1, 1), start), min(date(year, 12, 31), end)
        if first == date(year, 1, 1) and first > start:
            px = x(first)
            parts.append(f'<line x1="{px:.1f}" y1="{top - 14}" x2="{px:.1f}" y2="{bottom}" stroke="#999999"/>')
        middle = (x(first) + x(last) + plot / days) / 2
        if (last - first).days >= 60 or len(marked) > 12:
            parts.append(f'<text x="{middle:.1f}" y="{top - 4}" {text} text-anchor="middle">{year}</text>')
    if days < 120:  # too short for a year's label: its ends, as dates
        parts.append(f'<text x="{label:.1f}" y="{top - 4}" {text}>{start.isoformat()}</text>')
        if days > 1:
            parts.append(f'<text x="{width - PAD:.1f}" y="{top - 4}" {text} text-anchor="end">{end.isoformat()}</text>')
    if not timeline.provisions:
        parts.append(f'<text x="{PAD}" y="{top + 15}" {text}>no provisions were asked for</text>')
    for index, provision in enumerate(timeline.provisions):
        y = top + index * ROW
        parts.append(
            f'<text x="{PAD}" y="{y + 15}" font-family="monospace" font-size="{FONT}">{escape(provision.id)}'
            f'<tspan fill="#555555" font-style="italic"> {escape(provision.effect)}</tspan></text>'
        )
        slivers: list[str] = []
        for period in provision.periods:
            first, last = date.fromisoformat(period.start), date.fromisoformat(period.end)
            left, right = x(first), x(last) + plot / days
            wide = right - left
            if wide < MIN_BAR:  # centred on its days, drawn over its neighbours
                left, wide = (left + right) / 2 - MIN_BAR / 2, MIN_BAR
            means = meaning(period.status, provision.effect)
            tip = f"{provision.id}: {period.start} to {period.end}: {LEGEND[means]}. {period.reason}"
            box = f'x="{left:.1f}" y="{y + 3}" width="{wide:.1f}" height="{ROW - 6}"'
            outline = ' stroke="#666666" stroke-width="1"' if means == "not_in_force" else ""
            bar = [f'<rect {box} fill="{FILL[means]}"{outline}/>']
            if means == "undetermined":
                bar.append(f'<rect {box} fill="url(#dots)"/>')
            if period.in_force == "unknown":
                bar.append(f'<rect {box} fill="url(#hatch)"/>')
            drawn = f'<g class="period {period.status} {means}"><title>{escape(tip)}</title>{"".join(bar)}</g>'
            (slivers if wide == MIN_BAR else parts).append(drawn)
        parts.extend(slivers)
    horizon = timeline.horizon
    below = bottom + 16
    if horizon is not None and horizon.beyond:
        # the day the sources were last reviewed: what lies right of it cannot know later acts
        reviewed = date.fromisoformat(horizon.sources_reviewed)
        if start <= reviewed <= end:
            px = x(reviewed) + plot / days
            parts.append(
                f'<line x1="{px:.1f}" y1="{top - 14}" x2="{px:.1f}" y2="{bottom}" stroke="#222222" '
                'stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
        parts.append(
            f'<text x="{PAD}" y="{below}" {text}>horizon: the sources were last reviewed on '
            f"{escape(horizon.sources_reviewed)} (dashed line); later acts are not known</text>"
        )
    # the legend: two meanings a row, then the hatching's reason on a row of its own
    entries = list(LEGEND.items())
    for n, (key, words) in enumerate(entries):
        row, column = divmod(n, 2)
        lx, ly = PAD + column * (plot + label - PAD) / 2, below + 10 + row * 17
        outline = ' stroke="#666666"' if key == "not_in_force" else ""
        swatch = f'x="{lx:.1f}" y="{ly}" width="14" height="12"'
        dots = f'<rect {swatch} fill="url(#dots)"/>' if key == "undetermined" else ""
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly}" width="14" height="12" fill="{FILL[key]}"{outline}/>{dots}'
            f'<text x="{lx + 19:.1f}" y="{ly + 10}" {text}>{escape(words)}</text>'
        )
    ly = below + 10 + 3 * 17
    parts.append(
        f'<rect x="{PAD}" y="{ly}" width="14" height="12" fill="{FILL["benefit"]}"/>'
        f'<rect x="{PAD}" y="{ly}" width="14" height="12" fill="url(#hatch)"/>'
        f'<text x="{PAD + 19}" y="{ly + 10}" {text}>{escape(HATCH_WHY[0])}</text>'
        f'<text x="{PAD + 19}" y="{ly + 27}" {text}>{escape(HATCH_WHY[1])}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


STYLE = (
    """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45;
  color: #1a1a1a; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f4f4f4; }
"""
    + " ".join(f".{m} {{ color: {c}; }}" for m, c in INK.items())
    + """
.mark { font-weight: bold; width: 2rem; } .id { font-family: monospace; width: 18rem; }
figure { margin: 1rem 0; max-width: 100%; overflow: hidden; } figure svg { max-width: 100%; height: auto; }
blockquote { margin: .3rem 0 .3rem 1rem; color: #333; font-style: italic; }
.provision { border-top: 1px solid #ccc; padding-top: .5rem; page-break-inside: avoid; }
.muted { color: #666; font-size: .9rem; }
h1, h3, p, li, td, code { overflow-wrap: anywhere; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""
)


# in a notebook the page is not ours: the fragment's rules apply inside it only
SCOPED_STYLE = " ".join(
    f".eligibility-report {rule}"
    for rule in (
        *(f".{m} {{ color: {c}; }}" for m, c in INK.items()),
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
        said = decided_words(p)
        rows.append(
            f'<tr><td class="mark {p.meaning}">{MARK[p.status]}</td><td class="id">'
            f'<a href="#{escape(p.id)}">{escape(p.id)}</a></td>'
            f'<td><span class="{p.meaning}">{WORDS[p.status]}</span> <em>({p.effect.kind})</em>: '
            f"{escape(p.summary)}{_caveat_line(p)}</td>"
            f"<td>{escape(said)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def decided_words(p: "ProvisionOut", number: Optional[Callable[[str], str]] = None) -> str:
    """What decided a status, never blank: a stage with its date and source; a condition (named
    in the reason already) by its source; `number` writes a source as a bibliography number."""
    decided = p.decided_by
    if decided is None:
        return p.in_force.explanation
    cite = (number or (lambda source: source))(decided.source) if decided.source else ""
    if decided.date:
        return " · ".join(v for v in (decided.what, decided.date, cite) if v)
    if decided.what in ("in force", "not in force"):
        return decided.what + (f" · {cite}" if cite else "")
    which = {"does_not_apply": "the condition it fails", "undetermined": "the condition left open"}.get(
        p.status, "the condition named"
    )
    return f"{which} · {cite}" if cite else f"{which} (no source cited for it)"


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
        f'<section class="provision" id="{escape(p.id)}"><h3><span class="{p.meaning}">{MARK[p.status]}</span> '
        f"{escape(p.id)}: {escape(p.title)}</h3>",
        f"<p><strong>{WORDS[p.status]}</strong> <em>({escape(p.effect.kind)}: {escape(p.effect.text)})</em>. "
        f"{escape(p.reason)}</p>",
    ]
    if p.status != "not_in_force":  # a provision not in force says so, and why, in its reason already
        parts.append(f"<p><strong>In force:</strong> {escape(p.in_force.explanation)}</p>")
    parts.append("<p><strong>Conditions</strong></p><ul>")
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


# --- the short report: three printed pages for an appendix ------------------------------------------

SHORT_STYLE = (
    STYLE
    + """
body { max-width: 52rem; font-size: 10.5pt; line-height: 1.3; }
h1 { font-size: 1.25rem; margin: 0 0 .2rem; } h2 { font-size: 1.02rem; margin: .9rem 0 .3rem; }
table.group { font-size: 8.5pt; margin-bottom: .5rem; } table.group td, table.group th { padding: .1rem .25rem; }
table.group .mark { width: 1.1rem; } table.group .id { width: 13.5rem; font-family: inherit; }
table.group .effect { width: 3.9rem; } table.group code { font-size: 8pt; }
.decided { color: #444; }
ul.facts { margin: .2rem 0; padding-left: 1.2rem; font-size: 9.5pt; columns: 2; column-gap: 2rem; }
ul.facts li { break-inside: avoid; }
ol.bibliography { font-size: 8.5pt; padding-left: 1.6rem; margin: .2rem 0; }
ol.bibliography .muted { font-size: inherit; }
figure { margin: .4rem 0; } figure svg { width: 100%; height: auto; }
.title { font-size: 8.5pt; color: #444; }
h1, code, td, li, p { overflow-wrap: anywhere; }
@page { size: A4; margin: 12mm 13mm; }
@media print { body { font-size: 9.5pt; } h2 { break-after: avoid; } tr, li, figure { break-inside: avoid; } }
"""
)


def profile_facts(profile: "Profile") -> list[str]:
    """The person's facts in words, as the explanations name them (`service[0]: RU (...)`); what the
    profile leaves out is said to be unknown, never dropped."""
    from eligibility.judging.predicates import describe_citizenship, describe_residence, describe_service

    facts: list[str] = []

    def listed(name: str, records: Optional[Sequence[Any]], describe: Callable[[int, Any], str]) -> None:
        if records is None:
            facts.append(f"{name}: not given (unknown)")
        elif not records:
            facts.append(f"{name}: none")
        else:
            facts.extend(describe(i, r) for i, r in enumerate(records[:FACTS_LISTED]))
            if len(records) > FACTS_LISTED:
                facts.append(f"{name}: {len(records) - FACTS_LISTED} more, not listed here (the profile holds them)")

    listed("citizenships", profile.citizenships, describe_citizenship)
    listed("residences", profile.residences, describe_residence)
    listed("service", profile.service, describe_service)
    registration = profile.military_registration
    if registration is None:
        facts.append("military registration: not given (unknown)")
    else:
        facts.extend(f"military registration in {c}: {'yes' if v else 'no'}" for c, v in registration.items())
    record = profile.criminal_record
    if record is None:
        facts.append("criminal record: not given (unknown)")
    else:
        said = [
            f"{field.replace('_', ' ')}: {'not given' if value is None else 'yes' if value else 'no'}"
            for field, value in record.model_dump().items()
        ]
        facts.append("criminal record: " + "; ".join(said))
    if profile.family is None:
        facts.append("family: not given (unknown)")
    elif not profile.family:
        facts.append("family: none")
    else:
        for i, member in enumerate(profile.family[:FACTS_LISTED]):
            inner = "; ".join(f for f in profile_facts(member.person) if "not given" not in f)
            facts.append(shortened_text(f"{member.words(i)}: {inner or 'no facts given'}", 300))
        if len(profile.family) > FACTS_LISTED:
            facts.append(f"family: {len(profile.family) - FACTS_LISTED} more members, not listed here")
    return facts


FACTS_LISTED = 6  # records of a kind, or family members, the short report lists (it must fit three pages)


def short_report_html(report: "Report", timeline: "Timeline", profile: "Profile", rules: "RuleBase") -> str:
    """`eligibility report`: the person's facts, every provision grouped by status with its kind of
    effect, one-line reason and what decided it, the timeline, and one numbered bibliography;
    three printed A4 pages.  `--full` gives `report_html`, every provision in full."""
    from eligibility.output.citing import where

    numbers: dict[str, int] = {}

    def number(source: str) -> str:
        if source not in rules.sources:
            return source
        return f"[{numbers.setdefault(source, len(numbers) + 1)}]"

    # a label of any length heads the page in a line or two (the full label is in the profile)
    title = f"{shortened_text(report.profile, 160)} — on {report.on}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape('eligibility report — ' + title)}</title><style>{SHORT_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">Evidence: {escape(_evidence(report))}. Rule base {escape(report.rule_base)}. '
        "The full explanation of every provision: <code>eligibility report --full</code>.</p>",
        *_horizon(report),
        "<h2>The person</h2>",
        '<ul class="facts">' + "".join(f"<li>{escape(f)}</li>" for f in profile_facts(profile)) + "</ul>",
    ]
    counts = ", ".join(f"{sum(p.status == s for p in report.provisions)} {WORDS[s]}" for s in STATUSES)
    out.append(f'<h2>The provisions on {escape(report.on)}</h2><p class="muted">{counts}.</p>')
    for status in STATUSES:
        # a relative's service is grouped apart, after the person's own (as the terminal does)
        items = sorted((p for p in report.provisions if p.status == status), key=lambda p: (p.on_relatives, p.id))
        if not items:
            continue
        out.append(f'<table class="group" id="{status}"><thead><tr><th class="mark"></th>')
        out.append(
            f'<th class="id">{escape(WORDS[status].capitalize())} ({len(items)})</th><th class="effect">effect</th>'
            "<th>why, and what decided it</th></tr></thead><tbody>"
        )
        for n, p in enumerate(items):
            if p.on_relatives and (n == 0 or not items[n - 1].on_relatives):
                out.append(
                    '<tr class="relatives"><td></td><td colspan="3"><em>open only through a relative\'s '
                    "service, not for want of a fact of the person's own</em></td></tr>"
                )
            cited = " ".join(dict.fromkeys(number(c.source) for c in p.citations))
            out.append(
                f'<tr class="provision-row" data-id="{escape(p.id)}"><td class="mark {p.meaning}">{MARK[p.status]}</td>'
                f'<td class="id"><code>{escape(p.id)}</code><br><span class="title">{escape(p.title)}</span></td>'
                f'<td class="effect {p.meaning}">{escape(p.effect.kind)}</td>'
                f"<td>{escape(p.summary)}" + (f" {escape(cited)}" if cited else "") + "<br>"
                f'<span class="decided">decided by: {escape(decided_words(p, number))}</span></td></tr>'
            )
        out.append("</tbody></table>")
    out.append("<h2>Over time</h2>")
    out.append(f"<figure>{timeline_svg(timeline)}</figure>")
    out.append('<h2>Sources</h2><ol class="bibliography">')
    for source_id in numbers:
        source = rules.sources[source_id]
        when = source.published.written() if source.published else "date not known"
        out.append(
            f"<li>{escape(source.outlet)}, “{escape(source.headline)}”, {escape(when)}. "
            f'{escape(where(source))} <span class="muted">[{escape(source_id)}]</span></li>'
        )
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"
