"""Terminal output: the views of every command.  This package (with `wrap.py`, its line-wrapping
engine) is the only place that talks to rich.

Everything is built from `Text` objects, never from markup strings, so brackets
in field paths such as `service[0]` are printed as they are.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from eligibility.explaining.report import (
    STATUSES,
    CaveatOut,
    CitationOut,
    ConditionOut,
    DiscrepancyOut,
    DiscrepancyTable,
    HorizonOut,
    InForceOut,
    ProvisionOut,
    ReadingOut,
    Report,
    RouteOut,
)
from eligibility.foundations import logic
from eligibility.foundations.errors import required
from eligibility.foundations.vocabulary import CAVEAT_WORDS, meaning
from eligibility.law.rulebase import RuleBase
from eligibility.law.schema import STAGE_LABEL, Alternative, Citation, Condition, Provision, Stage, Test
from eligibility.output.terminal.wrap import Row, emit, pad
from eligibility.output.terminal.wrap import console as console  # the CLI makes its consoles here

if TYPE_CHECKING:
    from rich.table import Table

    from eligibility.exploring.alternatives import MakeApply, WhatIf, WhatIfChange
    from eligibility.exploring.changes import Diff, ProvisionChange
    from eligibility.exploring.over_time import CauseOut, Timeline
    from eligibility.runners.batch import Summary
    from eligibility.runners.checker import CheckReport
    from eligibility.runners.scenario import ScenarioRun

# a status where the view does not know the provision's effect (headings, counts): "applies"
# and "does not apply" take no colour, which would read as good or bad news (MEANING_STYLE does)
STYLE = {
    "applies": "bold",
    "undetermined": "bold yellow",
    "does_not_apply": "bold",
    "not_in_force": "bold blue",
}
HEADING = {
    "applies": "APPLIES",
    "undetermined": "UNDETERMINED",
    "does_not_apply": "DOES NOT APPLY",
    "not_in_force": "NOT IN FORCE",
}
# colour by what a status means for the person, where the provision's effect is known: an
# `applies` is green for a benefit and red for a burden; "does not apply" takes no colour (it
# is good news under a bar and bad news under a grant)
MEANING_STYLE = {
    "benefit": "bold green",
    "burden": "bold red",
    "undetermined": "bold yellow",
    "does_not_apply": "bold",
    "not_in_force": "bold blue",
}
MARK = {"held": ("✓", "green"), "failed": ("✗", "red"), "unknown": ("?", "yellow")}
IN_FORCE_STYLE = {"yes": "green", "no": "blue", "unknown": "yellow"}


def _label(text: str, style: str = "bold") -> Text:
    return Text(f"{text}: ", style=style)


def _quote(quote: str, tail: str) -> Text:
    line = Text("“", style="dim")
    line.append(quote, style="italic")
    line.append(f"”{tail}", style="dim")
    return line


def _citation(citation: CitationOut) -> Text:
    tail = f" — {citation.outlet}, {citation.published} [{citation.source}; {citation.kind}]"
    if citation.quote is None:
        where = f" {citation.address}" if citation.address else ""
        return Text(f"(a reference; its text is not held here){tail}{where}", style="dim")
    line = _quote(citation.quote, tail)
    if citation.rendering:
        line.append(f" (in English, ours: “{citation.rendering}”)", style="dim")
    return line


# A condition that excludes (under a `not`): holding it counts against the person. One inside a
# combination under a `not` (or standing both ways) counts only with the others: a neutral mark.
COUNTED_MARK = {
    "required": MARK,
    "excludes": {"held": ("✗", "red"), "failed": ("✓", "green"), "unknown": ("?", "yellow")},
    "either": {"held": ("•", "dim"), "failed": ("◦", "dim"), "unknown": ("?", "yellow")},
}
COUNTED_WORDS = {"required": "", "excludes": "excluded if: ", "either": "with the others, excludes: "}


def _condition(condition: ConditionOut) -> list[Text | Row]:
    mark, colour = COUNTED_MARK[condition.counts][condition.value]
    head = Text(f"{mark} ", style=colour)
    if COUNTED_WORDS[condition.counts]:
        head.append(COUNTED_WORDS[condition.counts], style="dim")
    head.append(condition.says)
    head.append(f"  ({condition.id})", style="dim")
    out: list[Text | Row] = [head]
    for fact in condition.facts:
        out.append(pad(Text(fact, style="dim"), (0, 0, 0, 4)))
    if condition.note:
        out.append(pad(Text(f"note: {condition.note}", style="yellow"), (0, 0, 0, 4)))
    if condition.missing:
        out.append(pad(Text("missing: " + ", ".join(condition.missing), style="yellow"), (0, 0, 0, 4)))
    return out


def _in_force(in_force: InForceOut) -> Text:
    return Text(in_force.explanation, style=IN_FORCE_STYLE[in_force.value])


def _block(title: str, rows: Sequence[Text | Row]) -> list[Row]:
    return [pad(_label(title), (0, 0, 0, 2))] + [pad(row, (0, 0, 0, 4)) for row in rows]


def _reading(reading: ReadingOut) -> list[Text | Row]:
    head = Text(f"{reading.id} ({reading.follows}): ", style="bold")
    head.append(reading.status, style=STYLE[reading.status])
    head.append(f", would qualify: {reading.would_qualify}")
    rows: list[Text | Row] = [head, Text(reading.summary), _in_force(reading.in_force)]
    for condition in reading.conditions:
        rows.extend(_condition(condition))
    if reading.missing:
        rows.append(Text("missing: " + ", ".join(reading.missing), style="yellow"))
    rows.extend(_citation(c) for c in reading.citations)
    return rows


def _route(route: RouteOut) -> list[Text | Row]:
    head = Text(f"{route.id} ({route.follows}): ", style="bold")
    head.append(route.status, style=STYLE[route.status])
    head.append(f", would qualify: {route.would_qualify}")
    rows: list[Text | Row] = [
        head,
        Text(route.summary),
        Text("reads: " + ", ".join(route.conditions), style="dim"),
        _in_force(route.in_force),
    ]
    rows.extend(_citation(c) for c in route.citations)
    return rows


def provision_block(item: ProvisionOut) -> list[Text | Row]:
    head = Text("● ", style=MEANING_STYLE[item.meaning])
    head.append(item.id, style="bold")
    head.append(f"  [{item.jurisdiction}] ", style="dim")
    head.append(item.title)
    parts: list[Text | Row] = [head]
    effect = _label("effect")
    effect.append(f"{item.effect.text} ({item.effect.kind})", style="")
    parts.append(pad(effect, (0, 0, 0, 2)))
    why = _label("why")
    why.append(item.reason, style="")
    parts.append(pad(why, (0, 0, 0, 2)))
    if item.missing:
        missing = _label("missing facts", "bold yellow")
        missing.append(", ".join(item.missing), style="yellow")
        parts.append(pad(missing, (0, 0, 0, 2)))
    conditions: list[Text | Row] = []
    for condition in item.conditions:
        conditions.extend(_condition(condition))
    parts.extend(_block("conditions", conditions))
    parts.extend(_block("in force", [_in_force(item.in_force)] + [_citation(c) for c in item.in_force.citations]))
    parts.extend(_block("sources", [_citation(c) for c in item.citations]))
    for route in item.routes:
        parts.extend(_block("another route", _route(route)))
    for reading in item.other_readings:
        parts.extend(_block("other reading", _reading(reading)))
    for discrepancy in item.discrepancies:
        parts.extend(
            _block(
                "the record differs" if discrepancy.relation == "contradicts" else "the record adds",
                _discrepancy(discrepancy),
            )
        )
    if item.caveats:
        parts.extend(_block("caveats: what could change this answer", [_caveat(c) for c in item.caveats]))
    return parts


def _caveat(caveat: CaveatOut) -> Text:
    line = Text(f"{CAVEAT_WORDS[caveat.kind]}: ", style="bold yellow")
    line.append(caveat.text)
    line.append(f" ({caveat.detail})", style="dim")
    return line


def _horizon(out: Console, horizon: Optional[HorizonOut], day: str) -> None:
    """One line when the day is past the sources' horizon."""
    line = horizon.line(day) if horizon is not None else None
    if line is not None:
        emit(out, [(2, Text(line, style="bold yellow"))])


def _discrepancy(item: DiscrepancyOut) -> list[Text | Row]:
    """One finding of the record: both sides, how sure, which side the status follows, the sources."""
    rows: list[Text | Row] = [
        Text(f"about: {item.about}", style="bold"),
        _label("the articles").append(item.articles, style=""),
        _label(f"the record ({item.sure})").append(item.record, style=""),
        Text(
            f"the status follows {'neither side' if item.follows == 'neither' else 'the ' + item.follows}: {item.why}",
            style="dim",
        ),
    ]
    rows.extend(Text(f"rests on: {f.fact} ({f.sure})", style="dim") for f in item.rests_on)
    rows.extend(_citation(c) for c in item.sources)
    return rows


DATE_WORD = re.compile(r"\d{4}-\d{2}")  # a date, at any precision, which the summary never cuts
STATUS_MARK = {"applies": "✓", "does_not_apply": "✗", "undetermined": "?", "not_in_force": "○"}


def shortened(text: str, room: int) -> str:
    """The text in at most `room` cells, cut at a word with '…' where it is longer."""
    if cell_len(text) <= room:
        return text
    cut = text[: max(1, room - 1)]
    if " " in cut[room // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def summary_line(item: ProvisionOut, width: int) -> list[Text | Row]:
    """One provision in the summary: its mark, id and title (shortened to the line, never its id),
    then the one-line reason and what decided it (wrapped, indented)."""
    style = MEANING_STYLE[item.meaning]
    head = Text(f"{STATUS_MARK[item.status]} ", style=style)
    head.append(item.id, style="bold")
    head.append(f" ({item.effect.kind})", style=style.replace("bold", "").strip() or "")
    room = width - cell_len(head.plain) - 3
    if room >= 12:
        head.append(" — " + shortened(item.title, room), style="")
    decided = item.decided_by
    # the stage, its date or the condition are in the reason: the bracket names the source
    source = f"  [{decided.source}]" if decided is not None and decided.source else ""
    reason = item.summary
    room = width - 4 - cell_len(source)
    if cell_len(reason) > room:
        cut = shortened(reason, room)
        if not DATE_WORD.search(reason[len(cut) - 1 :]):  # shortened to one line, never through a date
            reason = cut
    why = Text(reason)
    why.append(source, style="dim")
    rows: list[Text | Row] = [head, (4, why)]
    caveat = item.caveat_line()
    if caveat:
        rows.append((4, Text(shortened(f"caveats: {caveat}", width - 4), style="yellow")))
    return rows


def report_summary(out: Console, result: Report, statuses: Iterable[str] = STATUSES) -> None:
    """`check` by default: the header, then one entry per provision grouped by status."""
    wanted = list(statuses)
    _report_head(out, result)
    for status in STATUSES:
        items = [p for p in result.provisions if p.status == status and status in wanted]
        if not items:
            continue
        out.print(Text(f"{HEADING[status]} ({len(items)})", style=STYLE[status] + " underline"))
        own = [p for p in items if not p.on_relatives]
        emit(out, [row for item in own for row in summary_line(item, out.width)])
        relatives = [p for p in items if p.on_relatives]  # grouped once, not as facts of the person's own
        if relatives:
            heading = f"{'of them, ' if own else ''}open only through a relative's service ({len(relatives)}):"
            emit(out, [(2, Text(heading, style="yellow"))])
            emit(out, [row for item in relatives for row in summary_line(item, out.width)])
    emit(
        out,
        [
            Text(
                "--details: everything, with its sources; --provision ID: one provision in full",
                style="dim",
            )
        ],
    )


def report(out: Console, result: Report, statuses: Iterable[str] = STATUSES) -> None:
    """`check --details`: every provision in full."""
    wanted = list(statuses)
    _report_head(out, result)
    for status in STATUSES:
        if status not in wanted:
            continue
        items = [p for p in result.provisions if p.status == status]
        if not items:
            continue
        out.print()
        out.print(Text(f"{HEADING[status]} ({len(items)})", style=STYLE[status] + " underline"))
        for item in items:
            emit(out, provision_block(item))
            out.print()


def _report_head(out: Console, result: Report) -> None:
    title = Text("eligibility check", style="bold")
    title.append(f" — {result.profile} — on {result.on}")
    emit(out, [title])
    which = "the articles only" if result.evidence == "articles" else "the articles and the official record"
    if result.known_on:
        which += f", as known on {result.known_on}"
    emit(
        out,
        [
            (
                2,
                Text(
                    f"evidence: {which}; in the whole rule base, the record contradicts the articles on "
                    f"{result.contradicted} provision(s)",
                    style="dim",
                ),
            )
        ],
    )
    _horizon(out, result.horizon, result.on)
    if result.not_yet_reported:
        names = ", ".join(
            f"{u.id} (first reported {u.first_reported or 'on a day not known'})" for u in result.not_yet_reported
        )
        emit(out, [(2, Text(f"not yet reported on {result.known_on}: {names}", style="dim"))])
    counts = Text()
    for index, status in enumerate(STATUSES):
        number = sum(1 for p in result.provisions if p.status == status)
        counts.append(("   " if index else "") + f"{HEADING[status].lower()}: {number}", style=STYLE[status])
    emit(out, [(2, counts)])


# --- the rule base ------------------------------------------------------------------------


def _stage_line(stage: Stage) -> Text:
    line = Text(f"{stage.label}: ", style="bold")
    line.append(f"{stage.when}")
    line.append(f"  (precision: {stage.date.precision})", style="dim")
    return line


def in_force_rule(provision: Provision | Alternative) -> str:
    rule = provision.in_force
    if any(s.kind == rule.start for s in provision.stages):
        start = f"from the stage '{STAGE_LABEL[rule.start]}'"
        if rule.start_unknown:
            start += " (unknown before it: the sources do not say since when)"
    else:
        start = (
            f"from the stage '{STAGE_LABEL[rule.start]}' (not reported; not yet as of "
            f"{required(rule.unenacted_as_of, 'a horizon').date.isoformat()})"
        )
    if rule.unsupported is not None:
        return "on no day: the official record does not support it"
    contested = "; contested: unknown wherever it would be in force" if rule.contested is not None else ""
    return start + (f", until the stage '{STAGE_LABEL[rule.until]}'" if rule.until else "") + contested


def _needed(table: "Table") -> int:
    """The width the table takes with no word cut: a column kept whole (no_wrap) as wide as its
    longest line, any other as its longest word (or its min_width), plus padding and rules."""
    total = 0
    for column in table.columns:
        texts = [str(column.header)] + [cell.plain if isinstance(cell, Text) else str(cell) for cell in column.cells]
        if column.no_wrap:
            need = max(cell_len(line) for text in texts for line in text.split("\n"))
        else:
            need = max((cell_len(word) for text in texts for word in text.split()), default=1)
        total += max(need, column.min_width or 0) + 2  # a space either side
    rules = len(table.columns) + 1 if table.box is not None and table.show_edge else len(table.columns) - 1
    edges = 0 if table.pad_edge else 2
    return total + (rules if table.box is not None else 0) - edges


def _bare(table: "Table") -> "Table":
    """The table without borders."""
    table.box, table.show_edge = None, False
    return table


def fitted(out: Console, table: "Table", stacked: Callable[[], list[Text | Row]]) -> None:
    """A table where it fits the width with no word cut (ids, dates, statuses and numbers are
    single words, or kept whole); else the same table without borders; else its rows stacked,
    one entry after another, wrapped at words.  Narrow terminals and pipes get every date whole."""
    if _needed(table) <= out.width:
        out.print(table)
        return
    if _needed(_bare(table)) <= out.width:
        out.print(table)
        return
    emit(out, stacked())


def rules_table(out: Console, rules: RuleBase) -> None:
    from rich.table import Table

    table = Table(show_lines=False, pad_edge=False, expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("jur.", no_wrap=True)
    table.add_column("title")
    table.add_column("stages and dates", no_wrap=True)
    table.add_column("in force")
    for provision in rules.provisions.values():
        stages = Text("\n".join(f"{s.label} {s.date.written()}" for s in provision.stages) or "—")
        table.add_row(
            Text(provision.id),
            Text(provision.jurisdiction),
            Text(provision.title),
            stages,
            Text(in_force_rule(provision)),
        )

    def stacked() -> list[Text | Row]:
        rows: list[Text | Row] = []
        for provision in rules.provisions.values():
            head = Text(provision.id, style="bold")
            head.append(f"  [{provision.jurisdiction}]", style="dim")
            rows += [head, (4, Text(provision.title))]
            stages = " · ".join(f"{s.label} {s.date.written()}" for s in provision.stages) or "no stage"
            rows += [(4, Text(stages)), (4, Text(f"in force: {in_force_rule(provision)}", style="dim"))]
        return rows

    fitted(out, table, stacked)


def describe_test(test: Test) -> str:
    data = test.model_dump(exclude_none=True)
    kind = data.pop("fact")
    details = ", ".join(
        f"{k}={'|'.join(v) if isinstance(v, list) else v}"
        for k, v in data.items()
        if k not in ("stateless_note", "unsettled", "during_text")
    )
    return f"{kind}({details})"


def open_questions(condition: Condition) -> list[str]:
    """The questions the sources leave open for a condition, each with what it concerns."""
    found = []
    note = getattr(condition.test, "stateless_note", None)
    if note:
        found.append(f"stateless persons: {note}")
    unsettled = getattr(condition.test, "unsettled", None)
    if unsettled is not None:
        found.extend(f"{name}: {question}" for name, question in unsettled.model_dump(exclude_none=True).items())
    if condition.unsettled_if_failed:
        found.append(f"where the test fails: {condition.unsettled_if_failed}")
    return found


def _rule_condition(condition: Condition) -> list[Text | Row]:
    head = Text(f"{condition.id}: ", style="bold")
    head.append(condition.says)
    rows: list[Text | Row] = [head, pad(Text("test: " + describe_test(condition.test), style="dim"), (0, 0, 0, 4))]
    rows.extend(
        pad(Text(f"open question, {question}", style="yellow"), (0, 0, 0, 4)) for question in open_questions(condition)
    )
    for citation in condition.cite:
        rows.append(pad(_source_quote(citation), (0, 0, 0, 4)))
    return rows


def _source_quote(citation: Citation) -> Text:
    if citation.quote is None:
        return Text(f"(a reference, cited without text) [{citation.source}]", style="dim")
    return _quote(citation.quote, f" [{citation.source}]")


def rule(
    out: Console,
    rules: RuleBase,
    provision: Provision,
    findings: Sequence[DiscrepancyOut] = (),
    articles: Optional[RuleBase] = None,
) -> None:
    """One provision as judged; the record's findings on it; and, given the articles' rule base
    (where the record changes how it is judged), the articles' own account."""
    head = Text(provision.id, style="bold")
    head.append(f"  [{provision.jurisdiction}] ", style="dim")
    head.append(provision.title)
    emit(out, [head])
    if provision.instrument:
        emit(out, [pad(_label("instrument").append(provision.instrument, style=""), (0, 0, 0, 2))])
    emit(
        out,
        [
            pad(_label("effect").append(f"{provision.effect.text} ({provision.effect.kind})", style=""), (0, 0, 0, 2)),
            pad(_label("file").append(str(rules.files[provision.id]), style=""), (0, 0, 0, 2)),
        ],
    )
    stage_rows: list[Text | Row] = []
    for stage in provision.stages:
        stage_rows.append(_stage_line(stage))
        if stage.basis:
            stage_rows.append(pad(Text(f"basis: {stage.basis}", style="dim"), (0, 0, 0, 4)))
        stage_rows.extend(pad(_source_quote(c), (0, 0, 0, 4)) for c in stage.cite)
    emit(out, _block("stages", stage_rows or [Text("none reported")]))
    force_rows: list[Text | Row] = [Text(in_force_rule(provision))]
    if provision.in_force.note:
        force_rows.append(Text(provision.in_force.note, style="dim"))
    if provision.in_force.before_note:
        force_rows.append(Text(f"before it: {provision.in_force.before_note}", style="dim"))
    horizon = provision.in_force.unenacted_as_of
    if horizon:
        force_rows.append(
            Text(
                f"latest report of it unenacted: {horizon.date.isoformat()}"
                + (f" — {horizon.note}" if horizon.note else ""),
                style="dim",
            )
        )
        force_rows.extend(_source_quote(c) for c in horizon.cite)
    emit(out, _block("in force", force_rows))
    condition_rows: list[Text | Row] = []
    for condition in provision.conditions:
        condition_rows.extend(_rule_condition(condition))
    judged = rules.judged[provision.id]
    condition_rows.append(Text("applies when: " + logic.written(judged.routes[0].expr), style="bold"))
    emit(out, _block("conditions", condition_rows))
    emit(out, _block("sources", [_source_quote(c) for c in provision.cite]))
    for title, alternatives in (("another route", provision.routes), ("other reading", provision.readings)):
        for alternative in alternatives:
            rows: list[Text | Row] = [
                Text(f"{alternative.id} (follows {alternative.follows})", style="bold"),
                Text(alternative.summary),
            ]
            rows.extend(_stage_line(s) for s in alternative.stages)
            rows.append(Text("in force " + in_force_rule(alternative), style="dim"))
            rows.extend(c for condition in alternative.conditions for c in _rule_condition(condition))
            rows.append(Text("applies when: " + alternative.when, style="bold"))
            rows.extend(_source_quote(c) for c in alternative.cite)
            emit(out, _block(title, rows))
    if provision.notes:
        emit(out, _block("notes", [Text(f"- {n}") for n in provision.notes]))
    if provision.not_modelled:
        emit(
            out,
            _block(
                "not modelled",
                [Text(f"- {n.matter} ({n.kind}; {n.id}): {n.why}") for n in provision.not_modelled],
            ),
        )
    if provision.in_force.contested is not None:
        emit(out, _block("contested", [Text(provision.in_force.contested.note)]))
    for finding in findings:
        title = "the record differs" if finding.relation == "contradicts" else "the record adds"
        emit(out, _block(title, _discrepancy(finding)))
    if articles is not None:
        theirs = articles.provisions[provision.id]
        account: list[Text | Row] = [_stage_line(s) for s in theirs.stages]
        account.append(Text("in force " + in_force_rule(theirs), style="dim"))
        account.extend(Text(f"{c.id}: {c.says}") for c in theirs.conditions)
        when = logic.written(articles.judged[provision.id].routes[0].expr)
        account.append(Text("applies when: " + when, style="bold"))
        emit(out, _block("the articles' account (--evidence articles)", account))


def discrepancies(out: Console, table: DiscrepancyTable) -> None:
    """The rule base's discrepancies with the record, one row per finding."""
    from rich.table import Table

    grid = Table(show_lines=True, pad_edge=False, expand=False)
    for column in ("provision", "what differs", "the articles", "the record", "how sure", "followed"):
        grid.add_column(column, no_wrap=column in ("provision", "how sure", "followed"))
    for row in table.rows:
        grid.add_row(
            Text(row.provision),
            Text(f"{row.about} ({row.relation})"),
            Text(row.articles),
            Text(row.record),
            Text(row.sure),
            Text(row.follows),
        )

    def stacked() -> list[Text | Row]:
        rows: list[Text | Row] = []
        for row in table.rows:
            head = Text(row.provision, style="bold")
            head.append(f" — {row.about} ({row.relation}); how sure: {row.sure}; followed: the {row.follows}")
            rows += [head, (4, Text(f"the articles: {row.articles}")), (4, Text(f"the record: {row.record}"))]
            rows += [(4, Text(f"rests on: {f.fact} ({f.sure})", style="dim")) for f in row.rests_on]
        return rows

    fitted(out, grid, stacked)
    contradicts = sum(1 for row in table.rows if row.relation == "contradicts")
    provisions = len({row.provision for row in table.rows if row.relation == "contradicts"})
    emit(
        out,
        [
            Text(
                f"{len(table.rows)} finding(s)"
                + (f" known on {table.known_on}" if table.known_on else "")
                + f"; the record contradicts the articles {contradicts} time(s), on {provisions} provision(s)",
                style="dim",
            )
        ],
    )


# --- a person across time -------------------------------------------------------------------

MEANING_LEGEND = Text(
    "applies in green: in the person's favour (grants, exempts, protects); in red: a burden (imposes, bars, limits)",
    style="dim",
)
GLYPH = {"applies": "█", "undetermined": "▒", "does_not_apply": "·", "not_in_force": "─"}
MIXED = "┊"


def _strip_cells(periods: Sequence, start: date, end: date, columns: int, effect: str) -> list[tuple[str, str]]:
    """(glyph, style) per column; a column covering days of more than one status shows MIXED."""
    total = (end - start).days + 1
    cells = []
    for column in range(columns):
        first = start + timedelta(days=column * total // columns)
        last = start + timedelta(days=max(column * total // columns, (column + 1) * total // columns - 1))
        inside = [p for p in periods if p.start <= last.isoformat() and p.end >= first.isoformat()]
        statuses = {p.status for p in inside}
        closing = inside[-1].status
        style = MEANING_STYLE[meaning(closing, effect)].replace("bold", "").strip()
        cells.append((GLYPH[closing] if len(statuses) == 1 else MIXED, style))
    return cells


def _axis(start: date, end: date, columns: int, indent: int) -> Text:
    total = (end - start).days + 1
    line = [" "] * columns
    for year in range(start.year, end.year + 1):
        first = max(date(year, 1, 1), start)
        column = (first - start).days * columns // total
        label = str(year)
        if column + len(label) <= columns and all(ch == " " for ch in line[max(0, column - 1) : column + len(label)]):
            line[column : column + len(label)] = list(label)
    return Text((" " * indent + "".join(line)).rstrip(), style="dim")


def timeline(out: Console, result: "Timeline") -> None:
    start, end = date.fromisoformat(result.start), date.fromisoformat(result.end)
    title = Text("eligibility timeline", style="bold")
    title.append(f" — {result.profile} — {result.start} to {result.end}")
    emit(out, [title])
    _horizon(out, result.horizon, result.end)
    out.print()
    label_width = max(len(p.id) for p in result.provisions) + 2
    columns = min((end - start).days + 1, max(10, out.width - label_width))
    out.print(_axis(start, end, columns, label_width))
    for provision in result.provisions:
        row = Text(provision.id.ljust(label_width))
        for glyph, style in _strip_cells(provision.periods, start, end, columns, provision.effect):
            row.append(glyph, style=style)
        out.print(row, soft_wrap=True)
    legend = Text("  ".join(f"{GLYPH[s]} {HEADING[s].lower()}" for s in STATUSES), style="dim")
    legend.append(f"  {MIXED} several in one column", style="dim")
    days = (end - start).days + 1
    legend.append(
        f"  (one column ≈ {days / columns:.0f} days)" if columns < days else "  (one column = one day)", style="dim"
    )
    emit(out, [legend, MEANING_LEGEND])
    for provision in result.provisions:
        out.print()
        head = Text(provision.id, style="bold")
        head.append(f" ({provision.effect})  [{provision.jurisdiction}] ", style="dim")
        head.append(provision.title)
        emit(out, [head])
        for period in provision.periods:
            line = Text(f"{period.start} – {period.end}  ")
            style = MEANING_STYLE[meaning(period.status, provision.effect)]
            line.append(GLYPH[period.status] + " " + HEADING[period.status].lower(), style=style)
            rows: list[Text | Row] = [pad(line, (0, 0, 0, 2)), pad(Text(period.reason), (0, 0, 0, 6))]
            for cause in period.began_with:
                rows.extend(pad(r, (0, 0, 0, 6)) for r in _cause(cause))
            emit(out, rows)


def _cause(cause: "CauseOut") -> list[Text | Row]:
    line = Text("↳ ", style="dim")
    line.append(f"{cause.on} ", style="bold")
    line.append(cause.text)
    rows: list[Text | Row] = [line]
    if cause.via:
        rows.append(pad(Text(f"through {cause.via}", style="dim"), (0, 0, 0, 2)))
    rows.extend(pad(_citation(c), (0, 0, 0, 2)) for c in cause.citations)
    return rows


def _status_word(status: str, effect: Optional[str] = None) -> Text:
    style = MEANING_STYLE[meaning(status, effect)] if effect else STYLE[status]  # type: ignore[arg-type]
    return Text(HEADING[status].lower(), style=style)


def _transition(before: str, after: str, effect: Optional[str] = None) -> Text:
    line = Text("")  # each word keeps its own colour: none of it spreads to the rest of the line
    line.append_text(_status_word(before, effect))
    line.append(" → ")
    line.append_text(_status_word(after, effect))
    return line


def _changes_title(out: Console, command: str, subject: str, result: "Diff | WhatIf") -> None:
    title = Text(f"eligibility {command}", style="bold")
    title.append(f" — {subject}")
    emit(out, [title])
    _horizon(out, result.horizon, result.end if hasattr(result, "end") else result.on)
    out.print(Text(f"  {len(result.changed)} changed, {len(result.unchanged)} unchanged", style="dim"))


def _change_head(change: "ProvisionChange | WhatIfChange") -> list[Row]:
    head = Text("")
    head.append("● ", style=MEANING_STYLE[meaning(change.after, change.effect)])
    head.append(change.id, style="bold")
    head.append(f" ({change.effect})  ", style="dim")
    head.append_text(_transition(change.before, change.after, change.effect))
    return [(0, head), pad(Text(change.title, style="dim"), (0, 0, 0, 2))]


def diff(out: Console, result: "Diff") -> None:
    _changes_title(out, "diff", f"{result.profile} — {result.start} → {result.end}", result)
    for change in result.changed:
        out.print()
        rows: list[Text | Row] = [*_change_head(change)]
        rows.append(pad(_label("before").append(change.before_reason, style=""), (0, 0, 0, 2)))
        rows.append(pad(_label("after").append(change.after_reason, style=""), (0, 0, 0, 2)))
        if len(change.path) > 2:
            path = Text("")
            for index, step in enumerate(change.path):
                if index:
                    path.append(" → ")
                path.append(f"{step.start} ")
                path.append_text(_status_word(step.status, change.effect))
            rows.append(pad(_label("in between").append_text(path), (0, 0, 0, 2)))
        if change.in_force_before != change.in_force_after:
            rows.append(
                pad(
                    _label("in force").append(f"{change.in_force_before} → {change.in_force_after}", style=""),
                    (0, 0, 0, 2),
                )
            )
        if change.conditions:
            rows.extend(_block("conditions that changed", _moved_conditions(change.conditions)))
        causes: list[Text | Row] = []
        for cause in change.causes:
            causes.extend(_cause(cause))
        rows.extend(_block("because", causes))
        emit(out, rows)


def _moved_conditions(conditions: Sequence) -> list[Text | Row]:
    rows: list[Text | Row] = []
    for condition in conditions:
        line = Text(f"{condition.says}: ")
        line.append(f"{condition.before} → {condition.after}", style="bold")
        line.append(f"  ({condition.id})", style="dim")
        rows.append(line)
        rows.extend(pad(Text(f, style="dim"), (0, 0, 0, 4)) for f in condition.facts_after)
    return rows


def what_if(out: Console, result: "WhatIf") -> None:
    _changes_title(out, "what-if", f"{result.profile} — on {result.on}", result)
    out.print(
        Text("  changes: ", style="bold").append(" ".join(e.written for e in result.edits), style=""), soft_wrap=True
    )
    for change in result.changed:
        out.print()
        rows = _change_head(change)
        if change.before == change.after:
            rows[0][1].append(f"  (would qualify: {change.would_qualify_before} → {change.would_qualify_after})")
        rows.append(pad(_label("now").append(change.after_reason, style=""), (0, 0, 0, 2)))
        rows.extend(_block("conditions that changed", _moved_conditions(change.conditions)))
        emit(out, rows)


def make_apply(out: Console, result: "MakeApply") -> None:
    title = Text("eligibility what-if", style="bold")
    title.append(f" — {result.profile} — on {result.on} — what would make {result.provision} apply?")
    emit(out, [title])
    _horizon(out, result.horizon, result.on)
    now = _label("now")
    now.append_text(_status_word(result.status))
    now.append(f". {result.reason}", style="")
    emit(out, [pad(now, (0, 0, 0, 2)), pad(Text(result.explanation, style="bold"), (0, 0, 0, 2))])
    for number, change in enumerate(result.sets, 1):
        out.print()
        # The changes stay on one line, however long, so that they can be pasted as they are.
        line = Text(f"  {number}. ", style="bold").append(" ".join(e.written for e in change.edits), style="")
        out.print(line, soft_wrap=True)
        emit(out, [pad(r, (0, 0, 0, 5)) for r in _moved_conditions(change.conditions)])
    if result.notes:
        out.print()
        emit(out, [pad(Text(f"note: {n}", style="dim"), (0, 0, 0, 2)) for n in result.notes])


def scenario_run(out: Console, result: "ScenarioRun", verbose: bool = False) -> None:
    for item in result.files:
        line = Text("✓ " if not item.failed else "✗ ", style="green" if not item.failed else "bold red")
        line.append(item.file, style="bold")
        line.append(f"  {item.title}", style="dim")
        line.append(f"  {item.expectations} expectations" + (f", {item.failed} failed" if item.failed else ""))
        emit(out, [line])
        for outcome in result.outcomes:
            if outcome.file == item.file and outcome.ok and verbose:
                line = Text(f"  ✓ {outcome.on}  {outcome.provision}  ", style="green")
                line.append(
                    outcome.status, style=STYLE.get(outcome.status, "bold")
                )  # or a list of what was not yet reported
                emit(out, [line])
            if outcome.file == item.file and not outcome.ok:
                rows: list[Text | Row] = []
                for text_line in (outcome.explained or "").splitlines()[1:]:
                    depth = len(text_line) - len(text_line.lstrip())
                    rows.append((2 + depth, Text(text_line.strip(), style="red" if depth >= 4 else "")))
                emit(out, [(2, Text(f"✗ {outcome.on}  {outcome.provision}", style="bold red"))] + rows)
    total = result.passed + result.failed
    summary = Text(f"{total} expectations in {len(result.files)} files: ")
    summary.append(f"{result.passed} passed", style="green")
    summary.append(", ")
    summary.append(f"{result.failed} failed", style="bold red" if result.failed else "")
    out.print()
    out.print(summary)


def rules_check(out: Console, result: "CheckReport") -> None:
    for problem in result.problems:
        emit(out, [Text(f"✗ {problem}", style="red")])
    for warning in result.warnings:
        emit(out, [Text(f"! {warning}", style="yellow")])
    for provision_id, stub in result.stubs.items():
        out.print()
        emit(
            out,
            [
                Text(
                    f"A boundary scenario {provision_id} still needs (scenarios/boundaries/{provision_id}.toml); "
                    "write each status and its why from the sources:",
                    style="bold",
                )
            ],
        )
        out.print(Text(stub), soft_wrap=True)
        out.print()
    checked = [f"{result.provisions} provisions in {result.directory} ({result.engine_rules:,} engine rules)"]
    if result.sources_checked:
        checked.append(f"quotes against {result.sources_checked}")
    if result.acts_checked:
        checked.append(f"act quotes against {result.acts_checked}")
    if result.labels_checked:
        checked.append(f"the record's facts and labels against {result.labels_checked}")
    if result.scenarios_checked:
        checked.append(f"scenario coverage in {result.scenarios_checked}")
    if result.acts_skipped:
        emit(out, [Text(f"note: {result.acts_skipped}", style="yellow")])
    summary = Text("checked " + "; ".join(checked) + ": ")
    count = len(result.problems)
    summary.append(
        f"{count} problem{'s' if count != 1 else ''}" if count else "no problems",
        style="bold red" if count else "bold green",
    )
    emit(out, [summary])


# --- a population -----------------------------------------------------------------------------


@contextmanager
def progress(total: Optional[int], description: str, shown: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error, advanced by bytes of input read; nothing when not shown."""
    if not shown:
        yield lambda _: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.advance(task, done)


def matrix(
    out: Console,
    rows: Sequence[dict],
    provisions: Sequence[str],
    effects: Mapping[str, str],
    horizon: Optional[HorizonOut] = None,
) -> None:
    """`table`: several people on one date.  One line per provision, one column per person
    (numbered, the people listed below), each cell the status's mark; where that does not fit,
    each person's provisions grouped by status."""
    from rich.table import Table

    if not rows:
        return
    emit(out, [Text(f"eligibility table — {len(rows)} people — on {rows[0]['on']}", style="bold")])
    _horizon(out, horizon, rows[0]["on"])
    table = Table(pad_edge=False, expand=False)
    table.add_column("provision", no_wrap=True)
    table.add_column("effect", no_wrap=True)
    for number in range(1, len(rows) + 1):
        table.add_column(str(number), justify="center", no_wrap=True)
    for provision in provisions:
        effect = effects[provision]
        table.add_row(
            provision,
            Text(effect, style="dim"),
            *(Text(STATUS_MARK[row[provision]], style=MEANING_STYLE[meaning(row[provision], effect)]) for row in rows),
        )

    def by_person() -> list[Text | Row]:
        listed: list[Text | Row] = []
        for number, row in enumerate(rows, 1):
            listed.append(Text(f"{number}. {row['profile']}", style="bold"))
            for status in STATUSES:
                ids = [p for p in provisions if row[p] == status]
                if ids:
                    line = Text(f"{STATUS_MARK[status]} {HEADING[status].lower()}: ", style=STYLE[status])
                    for n, p in enumerate(ids):
                        line.append(", " if n else "", style="")
                        line.append(p, style=MEANING_STYLE[meaning(status, effects[p])].replace("bold", "").strip())
                        line.append(f" ({effects[p]})", style="dim")
                    listed.append((4, line))
        return listed

    if _needed(table) > out.width and _needed(_bare(table)) > out.width:
        emit(out, by_person())
        return
    fitted(out, table, by_person)
    people = [(2, Text(f"{number}. {row['profile']}")) for number, row in enumerate(rows, 1)]
    legend = Text(" · ".join(f"{STATUS_MARK[s]} {HEADING[s].lower()}" for s in STATUSES), style="dim")
    emit(out, [*people, legend, MEANING_LEGEND])


CAUSE_WORDS = {
    "missing_fact": "missing fact",
    "imprecise_date": "imprecise date",
    "open_question": "open question",
    "imprecise_profile_date": "imprecise date in the profile",
}


def _causes(out: Console, counts: Any) -> None:
    """Why the undetermined are undetermined, per provision: a profile counts once under each kind."""
    from rich.table import Table

    out.print()
    title = Text(f"undetermined on {counts.on}, by cause", style="bold")
    table = Table(title=title, title_justify="left", pad_edge=False)
    table.add_column("provision", no_wrap=True)
    for kind in CAUSE_WORDS.values():
        table.add_column(kind, justify="right", min_width=max(len(w) for w in kind.split()))
    for provision_id, kinds in counts.undetermined_by.items():
        table.add_row(provision_id, *(str(kinds[k]) for k in CAUSE_WORDS))

    def listed() -> list[Text | Row]:
        rows: list[Text | Row] = [title]
        for provision_id, kinds in counts.undetermined_by.items():
            words = " · ".join(f"{CAUSE_WORDS[k]} {kinds[k]}" for k in CAUSE_WORDS)
            rows += [Text(provision_id), (4, Text(words))]
        return rows

    fitted(out, table, listed)
    emit(out, [Text("a profile counts once under each kind of unknown it has", style="dim")])


def _groups(out: Console, result: "Summary") -> None:
    out.print()
    rows: list[Text | Row] = [Text('"any of" groups', style="bold")]
    for group in result.groups:
        rows.append(Text(f"{group.name}: any of {', '.join(group.provisions)}"))
        for day in group.dates:
            line = Text(f"on {day.on}: ")
            line.append(f"some applies {day.applies}", style=STYLE["applies"].replace("bold ", ""))
            line.append(" · ")
            line.append(f"none applies, some undetermined {day.undetermined}", style="yellow")
            line.append(f" · none applies {day.none}")
            rows.append((4, line))
    emit(out, rows)


def batch_summary(out: Console, result: "Summary") -> None:
    from rich.table import Table

    title = Text("eligibility batch", style="bold")
    title.append(f" — {result.source} — {result.profiles} profiles")
    if result.skipped:
        title.append(f", {result.skipped} invalid lines skipped", style="yellow")
    emit(out, [title])
    _horizon(out, result.horizon, result.dates[-1].on if result.dates else "")

    def counted(counts: Any, marks: bool) -> "Table":
        """The counts of one date; with `marks`, the statuses as their marks (a legend follows)."""
        table = Table(title=Text(f"on {counts.on}", style="bold"), title_justify="left", pad_edge=False)
        table.add_column("provision", no_wrap=True)
        for status in STATUSES:
            table.add_column(
                STATUS_MARK[status] if marks else HEADING[status].lower(),
                justify="right",
                style=STYLE[status].replace("bold ", ""),
                no_wrap=True,  # a status is never cut
            )
        for provision_id, by_status in counts.counts.items():
            table.add_row(provision_id, *(str(by_status[s]) for s in STATUSES))
        return table

    def stacked(counts: Any) -> list[Text | Row]:
        rows: list[Text | Row] = [Text(f"on {counts.on}", style="bold")]
        for provision_id, by_status in counts.counts.items():
            line = Text()
            for index, status in enumerate(STATUSES):
                line.append((" · " if index else "") + f"{HEADING[status].lower()} {by_status[status]}")
            rows += [Text(provision_id), (4, line)]
        return rows

    legend = Text(" · ".join(f"{STATUS_MARK[s]} {HEADING[s].lower()}" for s in STATUSES), style="dim")
    for counts in result.dates:
        out.print()
        table = counted(counts, marks=False)
        if _needed(table) > out.width and _needed(_bare(counted(counts, marks=False))) > out.width:
            for marked in (counted(counts, marks=True), _bare(counted(counts, marks=True))):
                if _needed(marked) <= out.width:
                    out.print(marked)
                    emit(out, [legend])
                    break
            else:
                emit(out, stacked(counts))
            continue
        fitted(out, table, partial(stacked, counts))
        if counts.undetermined_by:
            _causes(out, counts)
    for change in result.changes:
        out.print()
        table = Table(
            title=Text(f"changed status from {change.start} to {change.end}", style="bold"),
            title_justify="left",
            pad_edge=False,
        )
        table.add_column("provision", no_wrap=True)
        table.add_column("profiles", justify="right", no_wrap=True)
        table.add_column("share", justify="right", no_wrap=True)
        changed = sorted(change.changed.items(), key=lambda item: (-item[1], item[0]))
        shares = {
            provision_id: f"{100 * number / result.profiles:.1f}%" if result.profiles else "—"
            for provision_id, number in changed
        }
        for provision_id, number in changed:
            table.add_row(provision_id, str(number), shares[provision_id])

        def listed(change: Any = change, changed: Any = changed, shares: Any = shares) -> list[Text | Row]:
            rows: list[Text | Row] = [Text(f"changed status from {change.start} to {change.end}", style="bold")]
            for provision_id, number in changed:
                rows += [Text(provision_id), (4, Text(f"{number} profiles ({shares[provision_id]})"))]
            return rows

        fitted(out, table, listed)
    if result.groups:
        _groups(out, result)
