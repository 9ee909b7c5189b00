"""The `eligibility` command.

Bad input of any kind ends with one line on standard error and exit code 2;
an internal fault (the engine and the Python evaluation disagreeing) with one
line and exit code 3.  No traceback is shown.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Sequence

import typer
from typer.core import TyperGroup

from eligibility.foundations.errors import InputError, InternalError, OutputError, WorkerDied, did_you_mean

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_OUTPUT = 4
EXIT_WORKER = 5
FORMATS = ("text", "json")


def _say_on_stderr(line: str) -> None:
    """One line on standard error; a closed or broken standard error changes nothing else (the
    exit code still says what happened)."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _fail(message: str, code: int) -> None:
    _say_on_stderr(f"eligibility: {' '.join(message.split())}")
    raise SystemExit(code)


def _warn(message: str) -> None:
    _say_on_stderr(f"eligibility: {message}")


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that every cleanup runs (worker processes are
    stopped, temporary output files removed) before the process ends."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _interrupted(signal_name: str) -> str:
    from eligibility.foundations.files import ABANDONED

    left = f"; {', '.join(ABANDONED)} was not written (it is as it was before)" if ABANDONED else ""
    ABANDONED.clear()
    return f"interrupted by {signal_name}: the run stopped before it finished{left}"


def _repeated(group: Any, args: Sequence[str]) -> Optional[str]:
    """The one-line refusal of an option given twice that takes one value (`check --on A --on B`
    would otherwise keep B without a word), or None."""
    command, rest = group, list(args)
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        found = command.commands.get(rest[0])
        if found is None:
            return None
        command, rest = found, rest[1:]
    options = [p for p in getattr(command, "params", []) if getattr(p, "param_type_name", "") == "option"]
    single: dict[str, str] = {}
    for param in options:
        if not param.multiple and not getattr(param, "count", False):
            for name in param.opts:
                single[name] = param.opts[0]
    counts: dict[str, list[str]] = {}
    words = iter(rest)
    for word in words:
        if word == "--":
            break
        name, equals, value = word.partition("=")
        option = single.get(name)
        if option is None:
            continue
        flag = next(p for p in options if option in p.opts).is_flag
        counts.setdefault(option, []).append(value if equals or flag else next(words, ""))
    for option, values in counts.items():
        if len(values) > 1:
            shown = ", ".join(repr(v) for v in values if v) or f"{len(values)} times"
            return f"{option}: expected once, got {len(values)} values ({shown}); give it one value"
    return None


# words people write for an option, and the option meant (when the command has it)
OPTION_WORDS = {
    "--date": "--on",
    "--day": "--on",
    "--at": "--on",
    "--output": "-o",
    "--out": "-o",
    "--start": "--from",
    "--end": "--to",
    "--until": "--to",
    "--rule": "--provision",
    "--id": "--provision",
}


def _meant(message: str, context: Any) -> str:
    """click's message for an unknown option, with the option probably meant: by what the word
    means (--date: --on) before how it is spelled (click's own guess would offer --width)."""
    import re

    found = re.match(r"No such option: (\S+)", message)
    command = getattr(context, "command", None)
    if found is None or command is None:
        return message
    given = found.group(1).split("=", 1)[0]
    names = {name for p in getattr(command, "params", []) for name in getattr(p, "opts", [])}
    meant = OPTION_WORDS.get(given)
    if meant in names:
        return f"No such option: {given}; did you mean {meant}?"
    return message


class OneLineErrors(TyperGroup):
    """Runs the command group and turns usage errors into one line."""

    def main(
        self,
        args: Optional[Sequence[str]] = None,
        prog_name: Optional[str] = None,
        complete_var: Optional[str] = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        twice = _repeated(self, given)
        if twice is not None:
            _fail(twice, EXIT_INPUT)
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or "eligibility",
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            if context is not None and error.format_message() == context.get_help():
                sys.stdout.write(context.get_help() + "\n")  # a group called with no arguments
                raise SystemExit(0) from None
            where = f" (see '{context.command_path} --help')" if context is not None else ""
            _fail(f"{_meant(error.format_message(), context)}{where}", EXIT_INPUT)
        except typer.Abort:
            _fail(_interrupted("SIGINT"), 130)
        except BrokenPipeError:  # help or output into a pipe closed early (head): not an error
            _silence_stdout()
            raise SystemExit(0) from None
        except OSError as error:  # help into a full disk, a closed standard output
            _stdout_failed(error)
        except Terminated:
            _fail(_interrupted("SIGTERM"), 143)
        code = result if isinstance(result, int) else 0
        if code == 130:  # typer turns ^C inside a command into exit code 130, after every cleanup ran
            _fail(_interrupted("SIGINT"), 130)
        if standalone_mode:
            raise SystemExit(code)
        return code


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Which dated provisions on foreign fighters, military service and citizenship in Russia and "
    "Ukraine apply to a person on a day, why, and on what source.",
)
scenarios_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Scenario files: people, dates and the expected outcomes, with reasons.",
)
rules_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="The rule base: list, show and check provisions."
)
schema_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="The published JSON Schemas of the project's input files."
)
app.add_typer(rules_app, name="rules")
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(schema_app, name="schema")
EXIT_FAILED = 1


@contextmanager
def reported() -> Iterator[None]:
    """Input errors and internal faults become one line and an exit code."""
    try:
        yield
    except InputError as error:
        _fail(str(error), EXIT_INPUT)
    except InternalError as error:
        _fail(f"internal error: {error}", EXIT_INTERNAL)
    except RecursionError:
        _fail("input nests too deeply to process", EXIT_INPUT)
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(0) from None
    except OutputError as error:
        _fail(str(error), EXIT_OUTPUT)
    except WorkerDied as error:
        _fail(f"the run stopped: {error}", EXIT_WORKER)
    except OSError as error:  # writing to standard output: a full disk, a file-size limit
        _stdout_failed(error)


@contextlib.contextmanager
def _to(output: Optional[str], what: str, inputs: Sequence[str]) -> Iterator[None]:
    """Everything the command prints goes to `output` when one is given (- or none: standard
    output), written whole or not at all, as every -o is (files.output_file)."""
    if output in (None, "-"):
        yield
        return
    from eligibility.foundations.files import output_file

    with output_file(str(output), what, inputs) as sink, contextlib.redirect_stdout(sink):
        yield


def _stdout_failed(error: OSError) -> None:
    """Standard output could not be written (a full disk, closed): one line, exit 4."""
    _silence_stdout()
    _fail(f"<standard output>: could not write the output, it stops short: {error.strerror or error}", EXIT_OUTPUT)


def _silence_stdout() -> None:
    """After standard output failed, point it at /dev/null so that the interpreter's last flush
    at exit does not fail a second time with a message of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind it (e.g. under a test runner)
        pass


def _format(value: str, allowed: Sequence[str] = FORMATS) -> str:
    if value not in allowed:
        words = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise InputError("--format", None, f"expected {words}, got {value!r}{did_you_mean(value, list(allowed))}")
    return value


def _write_csv(rows: Any, columns: Sequence[str]) -> None:
    from eligibility.explaining.tables import to_csv

    sys.stdout.write(to_csv(rows, columns))


def _rules(directory: Optional[str], evidence: str = "all", known_on: Optional[str] = None) -> Any:
    from eligibility.api import rule_base

    return rule_base(directory, evidence, known_on)


def _write_json(data: Any) -> None:
    """JSON with a 2-space indent and characters as they are.  pydantic's serialiser writes the
    same text as json.dumps(indent=2) several times faster (json's indenting encoder is pure
    Python: 0.38 s of a 2,000-provision report, against 0.08 s); text it cannot encode (a lone
    surrogate from a file name that is not UTF-8) goes through json.dumps, which escapes it."""
    from pydantic_core import PydanticSerializationError, to_json

    try:
        text = to_json(data, indent=2).decode()
    except (PydanticSerializationError, UnicodeError):
        text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")


def _show(chosen: str, result: Any, view: str, width: Optional[int], **options: Any) -> None:
    """A command's result: its JSON, or the text view of that name in output/terminal."""
    if chosen == "json":
        _write_json(result.model_dump(mode="json"))
        return
    from eligibility.output import terminal as render

    getattr(render, view)(render.console(width), result, **options)


RULES_OPTION = typer.Option(None, "--rules", metavar="DIR", help="Rule base directory (default: the bundled rules).")
FORMAT_OPTION = typer.Option("text", "--format", metavar="text|json", help="Output format.")
TABLE_FORMAT_OPTION = typer.Option(
    "text", "--format", metavar="text|json|csv", help="Output format (csv: one row per provision, or per period)."
)
WIDTH_OPTION = typer.Option(
    None, "--width", metavar="COLUMNS", min=20, help="Text width, at least 20 (default: the terminal's)."
)
OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", metavar="FILE", help="Write here instead of standard output (- for standard output)."
)
PROFILE_ARGUMENT = typer.Argument(..., metavar="PROFILE.json", help="The person's profile (docs/profile.md).")
PROVISION_OPTION = typer.Option([], "--provision", metavar="ID", help="Only this provision (repeatable).")
EVIDENCE_OPTION = typer.Option(
    "all",
    "--evidence",
    metavar="all|articles",
    help="Judge on every source (the articles and the official record), or on the five articles only.",
)
KNOWN_ON_OPTION = typer.Option(
    None,
    "--known-on",
    metavar="YYYY-MM-DD",
    help="Judge with only the sources published on or before this day: what a careful reader could know then.",
)


@app.command()
def check(
    profile: str = PROFILE_ARGUMENT,
    on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The date to judge the provisions on."),
    format: str = TABLE_FORMAT_OPTION,
    status: List[str] = typer.Option(
        [], "--status", metavar="STATUS", help="Show only provisions with this status (repeatable)."
    ),
    details: bool = typer.Option(
        False, "--details", help="Every provision in full: conditions, facts, citations, the record's findings."
    ),
    provision: List[str] = PROVISION_OPTION,
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """What the law said about a person on a day: a line or two per provision, its status, why,
    and what decided it (--details: everything, with its sources)."""
    _bounded()
    with reported(), _to(output, "report", [profile]):
        from eligibility import api
        from eligibility.explaining.report import STATUSES

        chosen = _format(format, ("text", "json", "csv"))
        _statuses(status)
        day = api.as_day(on)
        base = _rules(rules, evidence, known_on)
        only = _provisions(base, provision)
        result = api.check(profile, day, base)
        if only is not None:
            result = result.model_copy(update={"provisions": [p for p in result.provisions if p.id in only]})
        if status:
            result = result.model_copy(update={"provisions": [p for p in result.provisions if p.status in status]})
        if chosen == "json":
            _write_json(result.model_dump(mode="json"))
            return
        if chosen == "csv":
            from eligibility.explaining.tables import REPORT_COLUMNS, report_rows

            _write_csv(report_rows(result), REPORT_COLUMNS)
            return
        from eligibility.output import terminal as render

        view = render.report if details or only is not None else render.report_summary
        view(render.console(width), result, status or STATUSES)


def _statuses(wanted: List[str]) -> List[str]:
    """--status values, each a status, or a one-line error with the closest one."""
    from eligibility.explaining.report import STATUSES

    for item in wanted:
        if item not in STATUSES:
            error = InputError.expected("--status", None, " or ".join(STATUSES), item)
            raise InputError("--status", None, error.message + did_you_mean(item, list(STATUSES)))
    return wanted


def _groups(base: Any, given: List[str]) -> dict[str, list[str]]:
    """--any NAME=ID,ID,...: each group's provisions, every id checked."""
    groups: dict[str, list[str]] = {}
    for text in given:
        name, _, ids = text.partition("=")
        members = [item.strip() for item in ids.split(",") if item.strip()]
        if not name.strip() or not members:
            raise InputError.expected(
                "--any",
                None,
                "NAME=ID,ID,... e.g. ru-citizenship=ru.citizenship.contract-service,ru.citizenship.discharged-soldiers",
                text,
            )
        if name.strip() in groups:
            raise InputError("--any", None, f"expected each group name once, got {name.strip()!r} again")
        groups[name.strip()] = [_known(base, item, "--any") for item in members]
    return groups


def _known(base: Any, provision_id: str, option: str) -> str:
    """A provision id from the rule base, or a one-line error with the closest id."""
    from eligibility.api import known_provision

    return known_provision(base, provision_id, option)


def _provisions(base: Any, wanted: List[str], option: str = "--provision") -> Optional[List[str]]:
    if not wanted:
        return None
    return list(dict.fromkeys(_known(base, provision_id, option) for provision_id in wanted))


def _over_time(
    kind: str,
    profile: str,
    start: str,
    end: str,
    provision: List[str],
    format: str,
    rules: Optional[str],
    width: Optional[int],
    evidence: str = "all",
    known_on: Optional[str] = None,
    status: Optional[List[str]] = None,
    output: Optional[str] = None,
) -> None:
    """timeline and diff: a profile between two dates, as text or JSON (diff: `status`, only the
    changes into these statuses), to standard output or to `output`."""
    with reported(), _to(output, kind, [profile]):
        from eligibility import api

        chosen = _format(format, ("text", "json", "csv", "svg") if kind == "timeline" else FORMATS)
        _statuses(status or [])
        first, last = api.as_day(start, "--from"), api.as_day(end, "--to")
        base = _rules(rules, evidence, known_on)
        parsed, label = api.as_profile(profile)
        from eligibility.exploring.changes import diff
        from eligibility.exploring.over_time import timeline

        build = timeline if kind == "timeline" else diff
        result: Any = build(api.evaluator(base), parsed, first, last, label, _provisions(base, provision))
        if status:
            result = result.model_copy(update={"changed": [c for c in result.changed if c.after in status]})
        if chosen == "csv":
            from eligibility.explaining.tables import TIMELINE_COLUMNS, timeline_rows

            _write_csv(timeline_rows(result), TIMELINE_COLUMNS)
            return
        if chosen == "svg":
            from eligibility.output.pictures import timeline_svg

            sys.stdout.write(timeline_svg(result))
            return
        _show(chosen, result, kind, width)


@app.command()
def timeline(
    profile: str = PROFILE_ARGUMENT,
    start: str = typer.Option("2022-01-01", "--from", metavar="YYYY-MM-DD", help="First day."),
    end: str = typer.Option("2026-12-31", "--to", metavar="YYYY-MM-DD", help="Last day."),
    provision: List[str] = PROVISION_OPTION,
    format: str = typer.Option(
        "text",
        "--format",
        metavar="text|json|csv|svg",
        help="Output format (csv: one row per period; svg: the timeline as a picture).",
    ),
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """Every period in which each provision's status held for the person, and what began each period."""
    _over_time("timeline", profile, start, end, provision, format, rules, width, evidence, known_on, None, output)


@app.command()
def diff(
    profile: str = PROFILE_ARGUMENT,
    start: str = typer.Option(..., "--from", metavar="YYYY-MM-DD", help="The earlier date."),
    end: str = typer.Option(..., "--to", metavar="YYYY-MM-DD", help="The later date."),
    provision: List[str] = PROVISION_OPTION,
    status: List[str] = typer.Option(
        [], "--status", metavar="STATUS", help="Only the changes into this status, e.g. applies (repeatable)."
    ),
    format: str = FORMAT_OPTION,
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
    output: Optional[str] = OUTPUT_OPTION,
) -> None:
    """The provisions whose status differs between two dates, and the stage or fact that changed each."""
    _over_time("diff", profile, start, end, provision, format, rules, width, evidence, known_on, status, output)


@app.command("what-if")
def what_if(
    profile: str = PROFILE_ARGUMENT,
    on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The date to judge on."),
    set_: List[str] = typer.Option(
        [],
        "--set",
        metavar="PATH=VALUE",
        help="Change a fact, e.g. military_registration.RU=true (repeatable; docs/what-if.md).",
    ),
    unset: List[str] = typer.Option(
        [],
        "--unset",
        metavar="PATH",
        help="Make a fact unknown or remove a list item, e.g. citizenships[1] (repeatable).",
    ),
    make_apply: Optional[str] = typer.Option(
        None,
        "--make-apply",
        metavar="ID",
        help="List the smallest sets of changes that would make this provision apply.",
    ),
    format: str = FORMAT_OPTION,
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """Judge the person again with changed facts and show what changed, or what it would take for one provision."""
    with reported():
        from eligibility import api
        from eligibility.exploring.alternatives import make_apply as search
        from eligibility.exploring.alternatives import what_if as build
        from eligibility.people.edits import parse_set, parse_unset

        chosen = _format(format)
        day = api.as_day(on)
        edits = [parse_set(item) for item in set_] + [parse_unset(item) for item in unset]
        base = _rules(rules, evidence, known_on)
        if make_apply is not None and edits:
            raise InputError(
                "--make-apply",
                None,
                "expected no --set or --unset alongside it: the changes it lists refer to the profile file as written",
            )
        if make_apply is None and not edits:
            raise InputError("what-if", None, "expected at least one --set, --unset or --make-apply")
        parsed, label = api.as_profile(profile)
        result: Any
        if make_apply is not None:
            result = search(api.evaluator(base), parsed, day, _known(base, make_apply, "--make-apply"), label)
        else:
            result = build(api.evaluator(base), parsed, day, edits, label)
        _show(chosen, result, "make_apply" if make_apply is not None else "what_if", width)


@app.command()
def report(
    profile: str = PROFILE_ARGUMENT,
    on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The date to judge the provisions on."),
    output: str = typer.Option(
        ..., "--output", "-o", metavar="FILE.html", help="Where to write the page (- for standard output)."
    ),
    start: str = typer.Option("2022-01-01", "--from", metavar="YYYY-MM-DD", help="First day of the timeline."),
    end: str = typer.Option("2026-12-31", "--to", metavar="YYYY-MM-DD", help="Last day of the timeline."),
    full: bool = typer.Option(
        False, "--full", help="Every provision in full (conditions, sources, the record): many pages, not three."
    ),
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
) -> None:
    """A self-contained HTML page for one person on one day, for a paper's appendix: the person's
    facts, every provision grouped by status with its kind of effect and what decided it, the
    timeline as a picture and one numbered bibliography, on three printed A4 pages (--full: each
    provision's conditions, sources and the record's findings as well)."""
    with reported():
        from eligibility import api
        from eligibility.foundations.files import output_file
        from eligibility.output.pictures import report_html, short_report_html

        base = _rules(rules, evidence, known_on)
        parsed, _ = api.as_profile(profile)  # its facts head the page
        checked = api.check(profile, api.as_day(on), base)
        over_time = api.timeline(profile, api.as_day(start, "--from"), api.as_day(end, "--to"), rules=base)
        page = report_html(checked, over_time) if full else short_report_html(checked, over_time, parsed, base)
        if output == "-":  # as everywhere else, - is standard output
            sys.stdout.write(page)
            return
        with output_file(output, "report", [profile]) as sink:
            sink.write(page)


@app.command()
def table(
    profiles: List[str] = typer.Argument(..., metavar="PROFILE.json...", help="Profiles, one file each."),
    on: str = typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The date to judge everyone on."),
    provision: List[str] = PROVISION_OPTION,
    format: str = typer.Option(
        "text", "--format", metavar="text|csv|markdown", help="Output format (csv and markdown: a row per person)."
    ),
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """Several people on one date: a people-by-provisions table of statuses, for a paper."""
    with reported():
        from eligibility import api
        from eligibility.explaining.tables import matrix, to_csv, to_markdown

        chosen = _format(format, ("text", "csv", "markdown"))
        day = api.as_day(on)
        base = _rules(rules, evidence, known_on)
        wanted = _provisions(base, provision) or list(base.provisions)
        reports = [api.check(path, day, base) for path in profiles]
        rows = matrix(reports, wanted)
        columns = ["profile", "on", *wanted]
        past = reports[0].horizon if reports else None
        if chosen == "csv":
            sys.stdout.write(to_csv(rows, columns))
        elif chosen == "markdown":  # each provision's head says what it does: a benefit or a burden
            effects = {p: f"{p} ({base.provisions[p].effect.kind})" for p in wanted}
            sys.stdout.write(to_markdown(rows, columns, effects))
            line = past.line(day.isoformat()) if past is not None else None
            if line:
                sys.stdout.write(f"\n{line[0].upper()}{line[1:]}.\n")
        else:
            from eligibility.output import terminal as render

            kinds = {p: base.provisions[p].effect.kind for p in wanted}
            render.matrix(render.console(width), rows, wanted, kinds, past)


@app.command()
def batch(
    people: str = typer.Argument(
        ..., metavar="PEOPLE.jsonl", help="Profiles as JSON Lines, one per line ('-': standard input)."
    ),
    on: List[str] = typer.Option(
        ..., "--on", metavar="YYYY-MM-DD", help="A date to judge every profile on (repeatable)."
    ),
    output: Optional[str] = typer.Option(
        None,
        "--output",
        "-o",
        metavar="FILE",
        help="Write the results here ('-': standard output). Default: standard "
        "output, or nothing when --summary is given.",
    ),
    summary: bool = typer.Option(
        False,
        "--summary",
        help="Print counts per provision and status on each date, and how many profiles changed status between dates.",
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", metavar="N", help="Worker processes (0: one per core)."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Report an invalid line and go on, instead of stopping."
    ),
    full: bool = typer.Option(
        False, "--full", help="Write each profile-date's whole check report, not the compact row."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    any_of: List[str] = typer.Option(
        [],
        "--any",
        metavar="NAME=ID,ID,...",
        help="With --summary, also count an 'any of' group: profiles to whom some of these provisions applies "
        "(repeatable).",
    ),
    format: str = typer.Option(
        "text",
        "--format",
        metavar="text|json|csv|parquet",
        help="json: the summary as JSON; csv: the rows as CSV, one per profile, date and provision; parquet: the "
        "rows as a Parquet file (-o FILE), one per profile and date, a status column per provision.",
    ),
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """Judge a population: one JSON result per profile and date, in input order, and a summary."""
    from pathlib import Path

    with reported():
        from eligibility import api
        from eligibility.runners.batch import Job, default_jobs, judge_population, population_size

        chosen = _format(format, ("text", "json", "csv", "parquet"))
        if chosen in ("csv", "parquet") and full:
            raise InputError(
                "--format", None, f"expected JSON rows with --full (a whole report is not a table), got {chosen}"
            )
        if chosen == "parquet":
            if output in (None, "-"):
                raise InputError("--format", None, "expected -o FILE.parquet alongside parquet: Parquet is a file")
            from eligibility.runners.parquet import available

            available()  # pyarrow, before any work
        if output not in (None, "-"):  # the rows' form and the file's name must agree
            suffix = os.path.splitext(output)[1].lower()
            rows_as = {"csv": "CSV", "parquet": "Parquet"}.get(chosen, "JSON Lines")
            for named, form in ((".csv", "csv"), (".parquet", "parquet")):
                if suffix == named and chosen != form:
                    raise InputError(
                        "-o",
                        None,
                        f"expected --format {form} for a file named {named}, got rows as {rows_as} for {output!r}",
                    )
            if suffix in (".jsonl", ".json", ".ndjson") and chosen in ("csv", "parquet"):
                raise InputError("-o", None, f"expected a .{chosen} file name for rows as {rows_as}, got {output!r}")
        days = list(dict.fromkeys(api.as_day(day).isoformat() for day in on))
        if jobs < 0:
            raise InputError.expected("--jobs", None, "0 (one per core) or a positive number of processes", jobs)
        cores = default_jobs()
        workers = jobs or cores
        if workers > cores:
            sys.stderr.write(
                f"eligibility: --jobs {jobs} is more than the {cores} cores this process may use; using {cores}\n"
            )
            workers = cores
        base = _rules(rules, evidence, known_on)
        groups = _groups(base, any_of)
        if groups and not summary:
            raise InputError("--any", None, "expected --summary alongside it: a group is counted in the summary")
        api.evaluator(base)  # compiled before the first line, then kept out of the collector's walks
        _settled()
        job = Job(
            source=people if people != "-" else "<stdin>",
            dates=tuple(days),
            rules=None if rules is None else str(Path(rules).resolve()),
            full=full,
            evidence=base.evidence.use,
            known_on=base.evidence.known_on.isoformat() if base.evidence.known_on else None,
            csv=chosen == "csv",
            table=chosen == "parquet",
            causes=summary,
        )
        show_progress = not quiet and sys.stderr.isatty()
        shown: contextlib.AbstractContextManager[Callable[[int], None]]
        if show_progress or summary:
            from eligibility.output import terminal as render  # rich is loaded only where something is drawn

            shown = render.progress(population_size(people), f"judging {job.source}", show_progress)
        else:
            shown = contextlib.nullcontext(lambda _: None)
        with shown as advance:
            result = judge_population(
                job,
                people,
                output,
                echo=output == "-" or not summary,
                provisions=list(base.provisions),
                jobs=workers,
                skip_invalid=skip_invalid,
                warn=_warn,
                advance=advance,
                groups=groups,
            )
        if result.skipped:
            sys.stderr.write(f"eligibility: skipped {result.skipped} invalid line(s) of {job.source}\n")
        if summary:
            from eligibility.explaining.reasons import horizon

            result = result.model_copy(update={"horizon": horizon(base, api.as_day(max(job.dates)))})
            if chosen == "json":
                _write_json(result.model_dump(mode="json", by_alias=True))
            else:
                from eligibility.output import terminal as render

                render.batch_summary(render.console(width), result)


@app.command()
def synth(
    n: int = typer.Option(..., "--n", metavar="N", help="How many profiles."),
    seed: int = typer.Option(1, "--seed", metavar="SEED", help="The same seed gives the same people."),
    start: int = typer.Option(
        0, "--start", metavar="I", help="Number of the first profile (to continue a population)."
    ),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write here instead of standard output."
    ),
) -> None:
    """A reproducible synthetic population as JSON Lines, for batch and the benchmark."""
    with reported():
        from eligibility.runners.synth import lines

        if n < 0:
            raise InputError.expected("--n", None, "a number of profiles, 0 or more", n)
        if start < 0:
            raise InputError.expected("--start", None, "a profile number, 0 or more", start)
        if output in (None, "-"):
            sys.stdout.writelines(lines(n, seed, start))
            return
        from eligibility.foundations.files import output_file

        with output_file(output, "population") as sink:
            sink.writelines(lines(n, seed, start))


@scenarios_app.command("run")
def scenarios_run(
    places: List[str] = typer.Argument(
        None, metavar="[PATH]...", help="Scenario files or directories (default: ./scenarios)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every expectation, not only the failed ones."),
    format: str = FORMAT_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """Check every expectation of the scenario files; exit 1 if any fails."""
    with reported():
        from eligibility import api
        from eligibility.runners.scenario import run_files, scenario_files

        chosen = _format(format)
        paths = scenario_files(*(places or ["scenarios"]))
        if not paths:
            raise InputError(
                " ".join(places or ["scenarios"]), None, "expected at least one scenario file (*.toml), found none"
            )
        result = run_files(paths, api.evaluator(_rules(rules)))
        _show(chosen, result, "scenario_run", width, verbose=verbose)
    if not result.ok:
        raise SystemExit(EXIT_FAILED)


@rules_app.command("list")
def rules_list(
    format: str = TABLE_FORMAT_OPTION,
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """The catalogue: id, title, jurisdiction, stages and dates, and from when each is in force,
    as the evidence chosen tells it (the same account `check` judges on)."""
    _bounded()
    with reported():
        chosen = _format(format, ("text", "json", "csv"))
        base = _rules(rules, evidence, known_on)
        if chosen == "csv":
            from eligibility.explaining.tables import CATALOGUE_COLUMNS, catalogue_rows

            _write_csv(catalogue_rows(base), CATALOGUE_COLUMNS)
            return
        if chosen == "json":
            from eligibility.api import catalogue

            _write_json([entry.model_dump(mode="json", by_alias=True) for entry in catalogue(base)])
            return
        from eligibility.output import terminal as render

        render.rules_table(render.console(width), base)


@rules_app.command("check")
def rules_check(
    sources: Optional[str] = typer.Option(
        None, "--sources", metavar="DIR", help="Also prove every quote verbatim against the articles in DIR."
    ),
    record: Optional[str] = typer.Option(
        None,
        "--record",
        metavar="DIR",
        help="Also prove every act quote verbatim against DIR/acts (default: the record folder beside --sources).",
    ),
    scenarios: Optional[str] = typer.Option(
        None,
        "--scenarios",
        metavar="DIR",
        help="Scenario folder for the coverage check (default: ./scenarios if present).",
    ),
    format: str = FORMAT_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
) -> None:
    """Check a rule base and list every problem with its file and field; exit 1 if there is any."""
    from pathlib import Path

    with reported():
        from eligibility.law.loader import default_directory
        from eligibility.runners.checker import check_rules

        chosen = _format(format)
        folder = Path(rules) if rules else default_directory()
        scenario_folder = Path(scenarios) if scenarios else (Path("scenarios") if Path("scenarios").is_dir() else None)
        record_folder = Path(record) if record else None
        if record_folder is None and sources and (Path(sources).parent / "record" / "acts").is_dir():
            record_folder = Path(sources).parent / "record"
        result = check_rules(folder, Path(sources) if sources else None, scenario_folder, record_folder)
        _show(chosen, result, "rules_check", width)
    if result.problems:
        raise SystemExit(EXIT_FAILED)


@rules_app.command("cite")
def rules_cite(
    provision_ids: List[str] = typer.Argument(
        None, metavar="ID...", help="Provision ids, e.g. ru.citizenship.contract-service (or --all)."
    ),
    every: bool = typer.Option(False, "--all", help="Every provision of the rule base."),
    rule_base: bool = typer.Option(
        False, "--rule-base", help="An entry for the exact rule base (its digest) a figure was made with, first."
    ),
    format: str = typer.Option(
        "footnotes",
        "--format",
        metavar="footnotes|bibtex|csl-json",
        help="Footnotes, or entries for a reference manager.",
    ),
    evidence: str = EVIDENCE_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
    rules: Optional[str] = RULES_OPTION,
) -> None:
    """Every source the provisions cite, once (keyed by the source's id, the same in every run):
    as numbered footnotes (outlet, byline, headline, date, address, the quotes taken from it), as
    BibTeX or as CSL-JSON; --rule-base cites the rule base itself, by its digest."""
    _bounded()
    with reported():
        from importlib.metadata import version

        from eligibility.output import citing

        chosen = _format(format, ("footnotes", "bibtex", "csl-json"))
        base = _rules(rules, evidence, known_on)  # the rule base's digest names the evidence used
        if every and provision_ids:
            raise InputError("--all", None, f"expected either --all or provision ids, got both ({provision_ids[0]!r})")
        if not every and not provision_ids and not rule_base:
            raise InputError("rules cite", None, "expected a provision id (or several, --all or --rule-base), got none")
        wanted = (
            list(base.provisions) if every else list(dict.fromkeys(_known(base, p, "ID") for p in provision_ids or []))
        )
        write = {"footnotes": citing.footnotes, "bibtex": citing.bibtex, "csl-json": citing.csl_json}[chosen]
        parts = [citing.rule_base_entry(base, version("eligibility"), chosen)] if rule_base else []
        if wanted:
            parts.append(write(base, [base.provisions[p] for p in wanted]))
        if chosen == "csl-json":  # one array of items
            sys.stdout.write(
                json.dumps([i for part in parts for i in json.loads(part)], ensure_ascii=False, indent=2) + "\n"
            )
        else:
            sys.stdout.write("\n".join(parts))


@rules_app.command("show")
def rules_show(
    provision_id: str = typer.Argument(..., metavar="ID", help="A provision id, e.g. ru.citizenship.contract-service."),
    format: str = FORMAT_OPTION,
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
    evidence: str = EVIDENCE_OPTION,
) -> None:
    """One provision as judged (stages, conditions, citations, notes), the record's findings beside
    the articles, and the articles' own account where the record changes it."""
    _bounded()
    with reported():
        chosen = _format(format)
        base = _rules(rules, evidence)
        provision = base.provisions[_known(base, provision_id, "ID")]
        if chosen == "json":
            from eligibility.api import provision_data

            _write_json(provision_data(provision.id, base))
            return
        from eligibility.explaining.reasons import explainer
        from eligibility.law.record import Evidence
        from eligibility.law.rulebase import judged_differently

        articles = base.under(Evidence("articles"))
        theirs = articles.provisions[provision.id] if judged_differently(base, articles, provision.id) else None
        findings = explainer(base).discrepancies(provision.id)
        from eligibility.output import terminal as render

        render.rule(render.console(width), base, provision, findings, articles if theirs is not None else None)


@rules_app.command("discrepancies")
def rules_discrepancies(
    format: str = typer.Option("text", "--format", metavar="text|json|csv", help="Output format."),
    rules: Optional[str] = RULES_OPTION,
    width: Optional[int] = WIDTH_OPTION,
    known_on: Optional[str] = KNOWN_ON_OPTION,
) -> None:
    """Every discrepancy between the articles and the official record: provision, what differs,
    what each side says, how sure the record is, and which side the default judgement follows
    (with --known-on, only what the sources published by that day show)."""
    _bounded()
    with reported():
        if format not in ("text", "json", "csv"):
            raise InputError.expected("--format", None, "text, json or csv", format)
        from eligibility.explaining.reasons import explainer

        table = explainer(_rules(rules, "all", known_on)).discrepancy_table()
        if format == "csv":
            from eligibility.explaining.tables import discrepancies_csv

            sys.stdout.write(discrepancies_csv(table))
            return
        _show(format, table, "discrepancies", width)


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", metavar="ADDRESS", help="Address to serve on (this machine only by default)."
    ),
    port: int = typer.Option(8000, "--port", metavar="PORT", min=1, max=65535, help="Port to serve on."),
    rules: Optional[str] = RULES_OPTION,
    open_: bool = typer.Option(False, "--open", help="Open the explorer in the default browser."),
) -> None:
    """The explorer: a local web app to browse the law over time and try a person (pages and an
    HTTP API, docs/explorer.md).  Ctrl-C stops it."""
    with reported():
        try:
            from eligibility.web import app as web
        except ImportError as error:
            raise InputError(
                "serve",
                None,
                f"expected the explorer's extra to be installed (pip install -e '.[serve]'), got {error.name or error} "
                "missing",
            ) from None

        from eligibility.law.loader import default_directory

        base = _rules(rules)
        # the bundled example people, where the repository has them (an installed wheel has none)
        here = default_directory().parent / "scenarios" / "people"
        web.serve(base, host, port, open_, here if here.is_dir() else None, _say)


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@schema_app.command("profile")
def schema_profile() -> None:
    """The profile's JSON Schema (draft 2020-12): every field described, countries as ISO 3166-1
    alpha-2 codes.  Editors and validators can check a profile against it before judging."""
    with reported():
        from eligibility.people.profile import profile_schema

        _write_json(profile_schema())


_process = {"own": False}  # True when the console entry point runs: the process is ours


def _bounded() -> None:
    """For a command whose work does not grow with its input (check, rules list/show), run as
    its own process: no cyclic garbage collection while it loads and runs.  Loading the
    dependencies and the rule base allocates hundreds of thousands of objects, and the collector
    would walk them again and again for nothing: measured on `check`, about 15 ms of a cold
    start.  Called in-process (tests, CliRunner), it changes nothing."""
    if _process["own"]:
        gc.disable()


def _settled() -> None:
    """For a command whose work grows with its input (batch), run as its own process: once the
    rule base and its engine are loaded, everything alive is moved out of the cyclic collector's
    reach (`gc.freeze`).  It lives as long as the process, and full collections, which a long
    run triggers again and again, would walk it every time: measured on a batch of 10,000
    profiles x 2 dates, about a third of its time.  Then the cyclic collector is turned off for
    the rest of the run: judging a line makes no reference cycles that outlive it (reference
    counting frees its objects), so collections only cost time; measured on 100,000 profiles x 1
    date, 0.75x the wall time with the same peak memory (76 MiB), and the benchmark keeps
    watching memory growth from 10,000 to 100,000 profiles.  Worker processes forked afterwards
    inherit both.  Called in-process (tests, CliRunner), it changes nothing."""
    if _process["own"]:
        gc.freeze()
        gc.disable()


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """Characters an output's encoding cannot hold, as JSON-style escapes (\\u2014; a pair for
    characters past U+FFFF): text stays readable, and JSON stays valid JSON."""
    assert isinstance(error, UnicodeEncodeError)
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


def _escape_what_the_terminal_cannot_show() -> None:
    """Standard output and error in an encoding other than UTF-8 (PYTHONIOENCODING=ascii, a
    Latin-1 terminal) get escapes for what they cannot hold, instead of a crash mid-report."""
    import codecs

    codecs.register_error("eligibility-json-escape", _json_escape)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="eligibility-json-escape")


class _Closed:
    """Standing in for a standard stream that was closed before the process started: writing
    to it fails as writing to a closed file does, so the error is reported, never lost."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def isatty(self) -> bool:
        return False


def main() -> None:
    """The console entry point.  At exit, everything still alive is frozen out of the
    collector, so the interpreter does not walk it once more before ending: measured on
    `check`, about 40 ms of a cold start.  The memory goes back to the system with the process.

    Standard output is flushed here, not by the interpreter at exit, so that a pipe closed early
    (`| head`) ends quietly with 0 and a write that fails ends with one line and exit 4."""
    _process["own"] = True
    if sys.stdout is None:  # closed before the start (>&-)
        sys.stdout = _Closed()
    _escape_what_the_terminal_cannot_show()
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    code: Any = 0
    try:
        app()
    except SystemExit as done:
        code = done.code
    finally:
        gc.freeze()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        if code in (0, None):
            _stdout_failed(error)
        _silence_stdout()
    raise SystemExit(code)
