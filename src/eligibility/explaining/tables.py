"""Reports as rows, for a paper: the one home of every tabular shape the tool writes (CSV,
Markdown, a data frame) and of the writers.

- `report_rows`: a `check` report, one row per provision;
- `timeline_rows`: a timeline, one row per provision and period;
- `catalogue_rows`: the rule base, one row per provision;
- `matrix`: several people on one date, one row per person and one column per provision;
- `BATCH_COLUMNS` / `batch_rows`: batch, one row per profile, date and provision;
- `discrepancies_csv` / `discrepancies_markdown`: the record's findings, one row each.

A list in a cell (missing facts, sources) is joined with "; ".  Nothing here talks to rich.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from eligibility.foundations.dates import parse_spec
from eligibility.foundations.vocabulary import meaning

if TYPE_CHECKING:
    from eligibility.explaining.report import DiscrepancyTable, Report
    from eligibility.exploring.over_time import Timeline
    from eligibility.law.rulebase import RuleBase

Rows = list[dict[str, Any]]

REPORT_COLUMNS = (
    "profile",
    "on",
    "evidence",
    "id",
    "title",
    "jurisdiction",
    "status",
    "effect",
    "meaning",
    "would_qualify",
    "in_force",
    "summary",
    "decided_by",
    "decided_from",
    "decided_to",
    "decided_source",
    "missing",
    "discrepancies",
    "caveats",
    "rule_base",
)
TIMELINE_COLUMNS = (
    "profile",
    "id",
    "title",
    "start",
    "end",
    "days",
    "status",
    "effect",
    "meaning",
    "in_force",
    "would_qualify",
    "reason",
    "began_with",
    "rule_base",
)
CATALOGUE_COLUMNS = (
    "id",
    "title",
    "jurisdiction",
    "effect",
    "stages",
    "in_force_from",
    "in_force_until",
    "routes",
    "readings",
)
BATCH_COLUMNS = ("line", "profile", "on", "provision", "status", "would_qualify", "missing")


def _joined(items: Iterable[str]) -> str:
    return "; ".join(items)


def report_rows(report: "Report") -> Rows:
    """One row per provision of a `check` report."""
    rows = []
    for p in report.provisions:
        decided = p.decided_by
        rows.append(
            {
                "profile": report.profile,
                "on": report.on,
                "evidence": report.evidence,
                "id": p.id,
                "title": p.title,
                "jurisdiction": p.jurisdiction,
                "status": p.status,
                "effect": p.effect.kind,
                "meaning": p.meaning,
                "would_qualify": p.would_qualify,
                "in_force": p.in_force.value,
                "summary": p.summary,
                "decided_by": decided.what if decided else "",
                **_days("decided", decided.date if decided else None),
                "decided_source": (decided.source or "") if decided else "",
                "missing": _joined(p.missing),
                "discrepancies": len(p.discrepancies),
                "caveats": _joined([f"{c.kind}: {c.text}" for c in p.caveats]),
                "rule_base": report.rule_base,
            }
        )
    return rows


def timeline_rows(timeline: "Timeline") -> Rows:
    """One row per provision and period of a timeline."""
    return [
        {
            "profile": timeline.profile,
            "id": provision.id,
            "title": provision.title,
            "start": period.start,
            "end": period.end,
            "days": period.days,
            "status": period.status,
            "effect": provision.effect,
            "meaning": meaning(period.status, provision.effect),
            "in_force": period.in_force,
            "would_qualify": period.would_qualify,
            "reason": period.reason,
            "began_with": _joined(f"{c.on} {c.text}" for c in period.began_with),
            "rule_base": timeline.rule_base,
        }
        for provision in timeline.provisions
        for period in provision.periods
    ]


def catalogue_rows(rules: "RuleBase") -> Rows:
    """One row per provision of the rule base: its stages with their dates as the sources give them."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "jurisdiction": p.jurisdiction,
            "effect": p.effect.kind,
            "stages": _joined(f"{s.kind} {s.date.written()}" for s in p.stages),
            "in_force_from": p.in_force.start,
            "in_force_until": p.in_force.until or "",
            "routes": _joined(r.id for r in p.routes),
            "readings": _joined(r.id for r in p.readings),
        }
        for p in rules.provisions.values()
    ]


def matrix(reports: Sequence["Report"], provisions: Sequence[str]) -> Rows:
    """Several people on one date: one row per person (its label and its file's order), one
    column per provision, each cell the status."""
    rows = []
    for report in reports:
        statuses = report.statuses()
        row: dict[str, Any] = {"profile": report.profile, "on": report.on}
        row.update({provision: statuses[provision] for provision in provisions})
        rows.append(row)
    return rows


def batch_rows(
    line: int,
    profile: str,
    on: str,
    statuses: Mapping[str, str],
    would: Mapping[str, str],
    missing: Mapping[str, Sequence[str]],
) -> Rows:
    """The rows of one profile-date of a batch, one per provision."""
    return [
        {
            "line": line,
            "profile": profile,
            "on": on,
            "provision": provision,
            "status": status,
            "would_qualify": would[provision],
            "missing": _joined(missing.get(provision, ())),
        }
        for provision, status in statuses.items()
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell a spreadsheet reads as text, never as a formula: text that begins with =, +, -,
    @, a tab or a carriage return gets a leading apostrophe (as the OWASP guidance on CSV
    injection advises); numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writer:
    """CSV rows, each cell as `cell` makes it.  The standard writer, told that lines end with
    \\n, leaves a carriage return inside a cell bare, and readers split the row there: a row
    holding one is written with every cell quoted."""

    def __init__(self, buffer: io.StringIO):
        self.minimal = csv.writer(buffer, lineterminator="\n")
        self.quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def row(self, values: Sequence[Any]) -> None:
        made = [cell(v) for v in values]
        returns = any(isinstance(v, str) and "\r" in v for v in made)
        (self.quoted if returns else self.minimal).writerow(made)


def to_csv(rows: Rows, columns: Sequence[str], header: bool = True) -> str:
    """Rows as CSV (a header row first, unless `header` is false); cells as `cell` makes them."""
    buffer = io.StringIO()
    writer = _Writer(buffer)
    if header:
        writer.row(columns)
    for row in rows:
        extra = set(row) - set(columns)
        if extra:
            raise ValueError(f"a row has fields that are not columns: {', '.join(sorted(extra))}")
        writer.row([row.get(column, "") for column in columns])
    return buffer.getvalue()


def _days(prefix: str, written: Optional[str]) -> dict[str, str]:
    """A date at its precision as two date columns, its first and last possible day (the same
    day for a date known to the day): a window never sits in a date column as text."""
    if not written:
        return {f"{prefix}_from": "", f"{prefix}_to": ""}
    spec = parse_spec(written)
    return {f"{prefix}_from": spec.earliest.isoformat(), f"{prefix}_to": spec.latest.isoformat()}


def to_markdown(rows: Rows, columns: Sequence[str], headings: Optional[Mapping[str, str]] = None) -> str:
    """Rows as a Markdown table (pipes in cells escaped); `headings` words some columns' heads."""

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    named = [cell((headings or {}).get(c, c)) for c in columns]
    lines = ["| " + " | ".join(named) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def frame(rows: Rows, columns: Sequence[str]) -> Any:
    """Rows as a pandas DataFrame, with the columns in order; pandas is optional."""
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "to_frame() needs pandas, which eligibility does not install (pip install pandas); "
            "rows() gives the same rows as dicts"
        ) from None
    return pandas.DataFrame(rows, columns=list(columns))


def discrepancies_markdown(table: DiscrepancyTable) -> str:
    """The same table as Markdown, for the students' page (docs/the-articles-and-the-record.md)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| provision | what differs | the articles | the record | it rests on (record.md's label) | how sure "
        "| the status follows |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in table.rows:
        rests = "; ".join(f"{cell(f.fact)} ({f.sure})" for f in row.rests_on)
        follows = "neither: left open" if row.follows == "neither" else f"the {row.follows}"
        lines.append(
            f"| `{row.provision}` | {row.about} ({row.relation}) | {cell(row.articles)} | {cell(row.record)} "
            f"| {rests} | {row.sure} | {follows} |"
        )
    return "\n".join(lines) + "\n"


def discrepancies_csv(table: DiscrepancyTable) -> str:
    """The same table as CSV, one header row, sources as space-separated ids."""
    buffer = io.StringIO()
    writer = _Writer(buffer)
    names = ["provision", "title", "about", "relation", "articles", "record", "sure", "follows"]
    writer.row([*names, "rests_on", "articles_sources", "record_sources"])
    for row in table.rows:
        rests = "; ".join(f"{f.fact} ({f.sure})" for f in row.rests_on)
        writer.row(
            [getattr(row, name) for name in names]
            + [rests, " ".join(row.articles_sources), " ".join(row.record_sources)]
        )
    return buffer.getvalue()
