"""Judging a population: profiles as JSON Lines in, one result per profile and date out.

`judge_lines` is the whole per-profile job, a pure function of (rule base, numbered
lines, dates): the same function runs in this process, in `--jobs` worker processes and
in Dask partitions (distributed.py).  `run` streams a file through it in chunks, keeps
the input order, counts statuses for the summary, and never holds more than a few
chunks in memory however long the input.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict

from eligibility.explaining.report import HorizonOut
from eligibility.foundations.errors import InputError, WorkerDied
from eligibility.foundations.files import decode_json
from eligibility.foundations.stores import Kept
from eligibility.foundations.vocabulary import STATUSES, Status, UnknownKind, Value
from eligibility.people.lines import Lines
from eligibility.people.profile import parse_profile

if TYPE_CHECKING:
    from eligibility.judging.evaluation import CaseKey

CHUNK = 128  # lines per task: one engine run judges CHUNK x dates profile-dates
CHUNK_BYTES = 4 * 1024 * 1024  # ... and at most this much input per task (one longer line is a task alone)
MAX_LINE = 16 * 1024 * 1024  # the same limit as a profile file


# --- what a batch writes ---------------------------------------------------------------------


class Row(TypedDict):
    """One line of `batch` output: one profile on one date."""

    line: int  # the profile's line in the input (1-based)
    profile: str  # its `id`, or "line N" when it has none
    on: str  # the date, YYYY-MM-DD
    statuses: dict[str, Status]  # provision id -> status, as `check` gives it
    would_qualify: dict[str, Value]  # provision id -> yes / no / unknown
    missing: dict[str, list[str]]  # provision id -> missing facts, for the undetermined ones
    readings: dict[str, Status]  # "provision@reading" -> status of each other reading


class FullRow(TypedDict):
    """With `--full`: the line, and the whole `check` report for that profile and date."""

    line: int
    report: dict[str, Any]


ROW = TypeAdapter(Row)
FULL_ROW = TypeAdapter(FullRow)


KINDS: tuple[UnknownKind, ...] = ("missing_fact", "imprecise_date", "open_question", "imprecise_profile_date")


class DateCounts(BaseModel):
    model_config = ConfigDict(frozen=True)
    on: str
    counts: dict[str, dict[str, int]]  # provision -> status -> number of profiles
    # provision -> kind of unknown -> undetermined profiles with that kind (a profile counts once
    # under each kind it has, so the kinds can add up to more than the undetermined)
    undetermined_by: dict[str, dict[str, int]] = {}


class GroupCounts(BaseModel):
    """An "any of" group on one date: profiles to whom some provision of the group applies; to
    whom none applies but some is undetermined; and to whom none applies nor could."""

    model_config = ConfigDict(frozen=True)
    on: str
    applies: int
    undetermined: int
    none: int


class Group(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    provisions: list[str]
    dates: list[GroupCounts]


class Changes(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    changed: dict[str, int]  # provision -> profiles whose status differs


class Summary(BaseModel):
    """What `--summary` prints: counts per provision and status on each date, and changes."""

    model_config = ConfigDict(frozen=True)
    source: str
    profiles: int
    skipped: int
    dates: list[DateCounts]
    changes: list[Changes]
    groups: list[Group] = []
    horizon: Optional[HorizonOut] = None  # beyond: a date counted is past the sources' horizon


# --- the per-profile job ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What every chunk is judged with: picklable, so worker processes and Dask can carry it."""

    source: str  # the input's name, for error messages
    dates: tuple[str, ...]  # ISO dates, in the order asked
    rules: Optional[str] = None  # rule base directory; None: the bundled one
    full: bool = False  # write whole reports instead of compact rows
    evidence: str = "all"  # which sources: all, or the articles only
    known_on: Optional[str] = None  # ISO day: only the sources published by then
    csv: bool = False  # rows as CSV, one per profile, date and provision (tables.BATCH_COLUMNS)
    table: bool = False  # no row text: the label and missing facts, for a columnar writer (Parquet)
    causes: bool = False  # work out why each undetermined answer is (for the summary)


@dataclass(frozen=True)
class LineResult:
    line: int
    error: Optional[tuple[str, Optional[str], str]]  # an invalid line's (file:line, field, message)
    text: str  # its output lines, newline-terminated
    codes: tuple[int, ...]  # per date, per provision: index into STATUSES
    causes: tuple[int, ...] = ()  # with Job.causes, per date, per provision: a bit per kind of unknown (KINDS)
    label: str = ""  # with Job.table: the profile's label
    gaps: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = ()  # with Job.table: per date, missing facts

    def input_error(self) -> InputError:
        assert self.error is not None
        return InputError(*self.error)


def _parse(job: Job, number: int, raw: bytes) -> Any:
    where = f"{job.source}:{number}"
    if len(raw.rstrip(b"\r\n")) > MAX_LINE:  # the line's end is not part of the profile
        raise InputError(where, None, f"expected a profile of at most {MAX_LINE // (1024 * 1024)} MiB on one line")
    try:
        data = decode_json(raw, where)
    except InputError:
        if number == 1 and raw.strip() in (b"{", b"["):
            raise InputError(
                where,
                None,
                "expected one profile per line (JSON Lines), found a line holding only "
                f"{raw.strip().decode()!r}: a pretty-printed profile spans lines; 'eligibility check' judges "
                "one profile file, or write each profile on one line",
            ) from None
        raise
    return parse_profile(data, where)


_engine_lock = threading.RLock()  # judging one chunk at a time in a process (the engine's own lock is finer)
_LINES = Lines()  # the fields' texts validated so far in this process (used under the lock)


def judge_lines(job: Job, lines: Sequence[tuple[int, bytes]]) -> list[LineResult]:
    """Judge numbered JSON lines on the job's dates.  Blank lines give nothing; an invalid line
    gives its error and no rows; every other line gives one row per date, in date order.

    Safe to call from several threads (as Dask's threaded schedulers do): judging holds a lock."""
    with _engine_lock:
        return _judge_lines(job, lines)


def _judge_lines(job: Job, lines: Sequence[tuple[int, bytes]]) -> list[LineResult]:
    from eligibility.explaining.reasons import check
    from eligibility.judging.evaluation import evaluator_for
    from eligibility.law.loader import load_rules_once
    from eligibility.law.record import Evidence

    known_on = date.fromisoformat(job.known_on) if job.known_on else None
    directory = None if job.rules is None else os.path.abspath(job.rules)
    judge = evaluator_for(load_rules_once(directory).under(Evidence(job.evidence, known_on)))  # type: ignore[arg-type]
    days = [date.fromisoformat(d) for d in job.dates]
    status_code = {status: index for index, status in enumerate(STATUSES)}

    parsed: list[tuple[int, Any]] = []
    tokens: list[Optional[tuple[int, ...]]] = []  # each parsed profile's fields' tokens (lines.Lines)
    results: dict[int, LineResult] = {}
    order: list[int] = []
    quick = None if job.full else _LINES.read  # whole reports are made the one careful way
    for number, raw in lines:
        if not raw.strip():
            continue
        order.append(number)
        read = quick(raw) if quick is not None and len(raw) <= MAX_LINE else None
        if read is not None:
            parsed.append((number, read[0]))
            tokens.append(read[1])
            continue
        try:
            parsed.append((number, _parse(job, number, raw)))
            tokens.append(None)
        except InputError as error:  # parse_profile and decode_json also turn too-deep nesting into one
            results[number] = LineResult(number, (error.file, error.field, error.message), "", ())

    if job.full:
        for number, profile in parsed:
            reports = [check(judge, profile, day, profile.label(f"line {number}")) for day in days]
            text = "".join(
                FULL_ROW.dump_json({"line": number, "report": r.model_dump(mode="json")}).decode() + "\n"
                for r in reports
            )
            kinds = (
                tuple(_bits(u.kind for u in p.unknowns) for r in reports for p in r.provisions) if job.causes else ()
            )
            results[number] = LineResult(
                number, None, text, tuple(status_code[p.status] for r in reports for p in r.provisions), kinds
            )
        return [results[n] for n in order]

    cases = [(profile, day) for _, profile in parsed for day in days]
    judged = iter(judge.cases(cases, sections=[its for its in tokens for _ in days]))
    parts = _row_parts(judge)
    on = [day.isoformat() for day in days]
    for number, profile in parsed:
        head = f'{{"line":{number},"profile":{_dumps(profile.label(f"line {number}"))},"on":"'
        out: list[str] = []
        codes: list[int] = []
        causes: list[int] = []
        absent: list[tuple[tuple[str, tuple[str, ...]], ...]] = []  # with job.table: per date, missing facts
        for when in on:
            case = next(judged)
            part = parts.get(case.key)
            if part is None:
                part = parts.add(case)
            statuses, readings, its_codes, undetermined = part
            missing = {pid: gaps for pid, unknown in undetermined if (gaps := case.missing_at(unknown))}
            codes.extend(its_codes)
            if job.causes:
                causes.extend(parts.causes(case))
            if job.table:
                absent.append(tuple((pid, tuple(facts)) for pid, facts in missing.items()))
                continue
            if job.csv:
                out.append(parts.csv(case, number, profile.label(f"line {number}"), when, missing))
                continue
            out.append(f'{head}{when}",{statuses},"missing":{parts.missing(missing)},{readings}}}\n')
        label = profile.label(f"line {number}") if job.table else ""
        results[number] = LineResult(number, None, "".join(out), tuple(codes), tuple(causes), label, tuple(absent))
    return [results[n] for n in order]


# JSON as a row writes it: UTF-8 characters as they are, no spaces (one encoder, made once)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# what one case's facts come to in a row: the statuses' and readings' JSON, the status codes, and
# each undetermined provision's kinds of unknown
_Parts = tuple[str, str, tuple[int, ...], tuple[tuple[str, tuple[int, ...]], ...]]
# the answers a case's row text is kept by: each provision's (status, would qualify) and its readings' statuses
_Answers = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


class _RowParts:
    """The parts of a compact row that depend only on a case's outcomes, written once for each
    distinct (day, every test's value) and shared by every profile-date that has it: the
    statuses and would-qualify members, the readings member, the status codes the summary
    counts, and which provisions are undetermined (their missing facts are the profile's own).
    Bounded, like the outcomes it follows (stores.Kept)."""

    LIMIT = 4_096  # entries of each store's generation: a part refers to text shared with many others

    def __init__(self, judge: Any):
        self.provisions = list(judge.rules.provisions)
        keys = list(judge.rules.judged)
        index = {key: n for n, key in enumerate(keys)}
        self.where = [
            (pid, index[pid], [(r.key, index[r.key]) for r in judge.rules.readings_of(pid)]) for pid in self.provisions
        ]
        self.status_code = {status: code for code, status in enumerate(STATUSES)}
        self.known: Kept[CaseKey, _Parts] = Kept(self.LIMIT)  # by the case: what its facts come to
        self.texts: Kept[_Answers, tuple[str, str, tuple[int, ...]]] = Kept(self.LIMIT)  # by the answers themselves
        self.entries: Kept[tuple[str, ...], str] = Kept(self.LIMIT)  # a provision's missing facts, as JSON

    def causes(self, case: Any) -> list[int]:
        """Per provision, a bit for each kind of unknown that leaves it undetermined (0 otherwise)."""
        from eligibility.judging.evaluation import unknowns

        outcomes = case.outcomes
        return [
            _bits(u.kind for u in unknowns(case.judgement(n))) if outcomes[n].status == "undetermined" else 0
            for _, n, _ in self.where
        ]

    def csv(self, case: Any, line: int, profile: str, on: str, missing: dict[str, list[str]]) -> str:
        """A profile-date's rows as CSV, one per provision (no header: `run` writes it once)."""
        from eligibility.explaining.tables import BATCH_COLUMNS, batch_rows, to_csv

        outcomes = case.outcomes
        statuses = {pid: outcomes[n].status for pid, n, _ in self.where}
        would = {pid: outcomes[n].would_qualify.word for pid, n, _ in self.where}
        return to_csv(batch_rows(line, profile, on, statuses, would, missing), BATCH_COLUMNS, header=False)

    def missing(self, missing: dict[str, list[str]]) -> str:
        """The missing member's JSON: each provision's entry written once and shared (the same
        facts go missing from many profiles)."""
        if not missing:
            return "{}"
        found = []
        entries = self.entries
        for pid, gaps in missing.items():
            key = (pid, *gaps)
            text = entries.get(key)
            if text is None:
                text = f"{_dumps(pid)}:{_dumps(gaps)}"
                entries.put(key, text)
            found.append(text)
        return "{" + ",".join(found) + "}"

    def get(self, key: CaseKey) -> Optional[_Parts]:
        return self.known.get(key)

    def add(self, case: Any) -> _Parts:
        outcomes = case.outcomes
        answers = tuple((outcomes[n].status, outcomes[n].would_qualify.word) for _, n, _ in self.where)
        others = tuple(outcomes[m].status for _, _, its_readings in self.where for _, m in its_readings)
        text = self.texts.get((answers, others))
        if text is None:  # many cases (different facts) give the same answers: written once for them all
            statuses = {pid: status for (pid, _, _), (status, _) in zip(self.where, answers, strict=True)}
            would = {pid: word for (pid, _, _), (_, word) in zip(self.where, answers, strict=True)}
            readings = {key: outcomes[m].status for _, _, its_readings in self.where for key, m in its_readings}
            text = (
                f'"statuses":{_dumps(statuses)},"would_qualify":{_dumps(would)}',
                f'"readings":{_dumps(readings)}',
                tuple(self.status_code[status] for status, _ in answers),
            )
            self.texts.put((answers, others), text)
        undetermined = tuple(
            (pid, case.unknown_at(n))
            for (pid, n, _), (status, _) in zip(self.where, answers, strict=True)
            if status == "undetermined"
        )
        part = (*text, undetermined)
        self.known.put(case.key, part)
        return part


def _bits(kinds: Iterable[str]) -> int:
    """Kinds of unknown as bits, in the order of KINDS."""
    found = 0
    for kind in kinds:
        found |= 1 << KINDS.index(kind)
    return found


_parts: dict[str, _RowParts] = {}  # by rule base digest (which names the evidence used)


def _row_parts(judge: Any) -> _RowParts:
    found = _parts.get(judge.rules.digest)
    if found is None:
        found = _parts[judge.rules.digest] = _RowParts(judge)
    return found


# --- streaming a file through it ------------------------------------------------------------------


def numbered_lines(stream: IO[bytes], limit: int = MAX_LINE) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line, bytes read) for each line, split on b"\\n" only.  A line longer than
    `limit` is handed on cut to `limit` + 1 bytes (so that it is refused as too long) and its
    rest is skipped without being held in memory: a file with no line end, such as /dev/zero,
    never fills the memory."""
    number = 0
    while True:
        raw = stream.readline(limit + 2)  # a line of exactly `limit` bytes, and its end
        if not raw:
            return
        number += 1
        read = len(raw)
        if not raw.endswith(b"\n") and len(raw) > limit:  # longer than the limit, its end not yet read
            yield number, raw, read
            while True:  # the rest of the overlong line, read once the line has been judged
                rest = stream.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            continue
        yield number, raw, read


def numbered_chunks(
    stream: IO[bytes], size: int = CHUNK, most: int = CHUNK_BYTES
) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    """(numbered lines, bytes read) in chunks of `size` lines and at most `most` bytes of input,
    read as they come (`chunked` over `numbered_lines`)."""
    return chunked(numbered_lines(stream), size, most)


def chunked(
    lines: Iterable[tuple[int, bytes, int]], size: int = CHUNK, most: int = CHUNK_BYTES
) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    """(line number, line, bytes read) as (numbered lines, bytes read) in chunks of `size` lines and
    at most `most` bytes of input: what a worker holds is bounded by bytes, not by `size` times the
    largest line allowed.  A line that would take a chunk past `most` starts the next one, and a
    line longer than `most` is a chunk by itself."""
    chunk: list[tuple[int, bytes]] = []
    held = read = 0
    for number, raw, length in lines:
        if chunk and held + len(raw) > most:
            yield chunk, read
            chunk, held, read = [], 0, 0
        chunk.append((number, raw))
        held += len(raw)
        read += length
        if len(chunk) == size or held >= most:
            yield chunk, read
            chunk, held, read = [], 0, 0
    if chunk:
        yield chunk, read


class Counter:
    """Status counts per date and provision, and status changes between consecutive dates."""

    def __init__(
        self, dates: Sequence[str], provisions: Sequence[str], groups: Optional[Mapping[str, Sequence[str]]] = None
    ):
        self.dates = list(dates)
        self.provisions = list(provisions)
        width = len(provisions)
        self._counts = [[[0] * len(STATUSES) for _ in provisions] for _ in dates]
        self._kinds = [[[0] * len(KINDS) for _ in provisions] for _ in dates]
        self._changed = [[0] * width for _ in range(max(0, len(dates) - 1))]
        self.groups = {name: list(members) for name, members in (groups or {}).items()}
        self._group_at = {name: [self.provisions.index(p) for p in members] for name, members in self.groups.items()}
        self._groups = {name: [[0, 0, 0] for _ in dates] for name in self.groups}
        self.profiles = 0
        self.skipped = 0

    def add(self, codes: Sequence[int], causes: Sequence[int] = ()) -> None:
        width = len(self.provisions)
        self.profiles += 1
        for d in range(len(self.dates)):
            counts = self._counts[d]
            base = d * width
            for p in range(width):
                code = codes[base + p]
                counts[p][code] += 1
                if d and codes[base - width + p] != code:
                    self._changed[d - 1][p] += 1
                if causes and causes[base + p]:
                    for k in range(len(KINDS)):
                        if causes[base + p] >> k & 1:
                            self._kinds[d][p][k] += 1
            for name, at in self._group_at.items():
                found = {STATUSES[codes[base + p]] for p in at}
                slot = 0 if "applies" in found else 1 if "undetermined" in found else 2
                self._groups[name][d][slot] += 1

    def summary(self, source: str) -> Summary:
        return Summary(
            source=source,
            profiles=self.profiles,
            skipped=self.skipped,
            dates=[
                DateCounts(
                    on=on,
                    counts={
                        pid: dict(zip(STATUSES, self._counts[d][p], strict=True))
                        for p, pid in enumerate(self.provisions)
                    },
                    undetermined_by={
                        pid: dict(zip(KINDS, self._kinds[d][p], strict=True))
                        for p, pid in enumerate(self.provisions)
                        if any(self._kinds[d][p])
                    },
                )
                for d, on in enumerate(self.dates)
            ],
            groups=[
                Group(
                    name=name,
                    provisions=members,
                    dates=[
                        GroupCounts(on=on, applies=counts[0], undetermined=counts[1], none=counts[2])
                        for on, counts in zip(self.dates, self._groups[name], strict=True)
                    ],
                )
                for name, members in self.groups.items()
            ],
            changes=[
                Changes.model_validate(
                    {
                        "from": self.dates[d],
                        "to": self.dates[d + 1],
                        "changed": {pid: self._changed[d][p] for p, pid in enumerate(self.provisions)},
                    }
                )
                for d in range(len(self.dates) - 1)
            ],
        )


def _worker_signals() -> None:
    """In a worker: ^C is the parent's to handle (it stops the pool), and SIGTERM, which the parent
    sends when it stops the pool, ends the worker at once, with nothing printed.  A worker also
    ends when its parent does, however the parent ended (SIGKILL included): no orphan goes on
    working or writes a broken-pipe traceback into a terminal nobody watches."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:  # Linux: the kernel sends SIGTERM when the parent dies (PR_SET_PDEATHSIG)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    with suppress(OSError):
        if os.getppid() == 1:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)


def _results(
    job: Job, chunks: Iterable[tuple[list[tuple[int, bytes]], int]], jobs: int, advance: Callable[[int], None]
) -> Iterator[LineResult]:
    """Every line's result in input order; with jobs > 1, chunks are judged by worker processes,
    one chunk per worker in flight.  A worker that dies (killed, out of memory) stops
    the run with one line, never a wait for a result that will not come."""
    if jobs <= 1:
        for chunk, read in chunks:
            yield from judge_lines(job, chunk)
            advance(read)
        return
    workers = _Workers(job, jobs)
    try:
        yield from workers.results(chunks, advance)
    finally:
        workers.stop()


class _Workers:
    """Worker processes, each judging one chunk at a time, that the parent watches as it waits:
    a result, or a worker's death, whichever comes first.  (A pool that waits only for results
    waits forever for one a killed worker will never send; one that queues several chunks per
    worker can deadlock on a full pipe when a worker dies.)"""

    def __init__(self, job: Job, jobs: int):
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context: Any = multiprocessing.get_context(method)
        self.processes: list[Any] = []
        self.pipes: list[Any] = []
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, job), daemon=True)
            process.start()
            theirs.close()
            self.processes.append(process)
            self.pipes.append(mine)

    def results(
        self, chunks: Iterable[tuple[list[tuple[int, bytes]], int]], advance: Callable[[int], None]
    ) -> Iterator[LineResult]:
        """Every line's result, in input order."""
        from multiprocessing.connection import wait

        source = iter(chunks)
        idle = list(range(len(self.processes)))
        busy: dict[int, int] = {}  # worker -> the number of the chunk it judges
        sizes: dict[int, int] = {}  # chunk number -> bytes read
        done: dict[int, list[LineResult]] = {}
        sent = following = 0
        exhausted = False
        while True:
            while idle and not exhausted:
                try:
                    chunk, read = next(source)
                except StopIteration:
                    exhausted = True
                    break
                worker = idle.pop()
                self.pipes[worker].send(chunk)
                busy[worker], sizes[sent] = sent, read
                sent += 1
            while following in done:  # in input order
                yield from done.pop(following)
                advance(sizes.pop(following))
                following += 1
            if exhausted and not busy:
                return
            watched: dict[Any, int] = {self.pipes[w]: w for w in busy}
            sentinels: dict[Any, int] = {p.sentinel: n for n, p in enumerate(self.processes)}
            for ready in wait([*watched, *sentinels]):
                if ready in watched:
                    worker = watched[ready]
                    try:
                        kind, payload = self.pipes[worker].recv()
                    except (EOFError, OSError):
                        raise WorkerDied(_DIED) from None
                    if kind == "raised" and isinstance(payload, BaseException):
                        raise payload
                    done[busy.pop(worker)] = list(payload)
                    idle.append(worker)
                elif not self.processes[sentinels[ready]].is_alive():
                    raise WorkerDied(_DIED)

    def stop(self) -> None:
        """Ends every worker: politely after a finished run, at once otherwise; never waits long."""
        for pipe in self.pipes:
            with suppress(OSError, ValueError):
                pipe.send(None)
        for process in self.processes:
            process.join(timeout=0.5)
            if process.is_alive():
                with suppress(OSError, ValueError, AttributeError):
                    process.terminate()
                process.join(timeout=5)
        for pipe in self.pipes:
            with suppress(OSError):
                pipe.close()


_DIED = (
    "a worker process died before it finished (killed by a signal, or by the system when memory ran out); "
    "nothing was written"
)


def _work(pipe: Any, job: Job) -> None:
    """A worker: judge each chunk the parent sends until it sends None or goes away."""
    _worker_signals()
    while True:
        try:
            chunk = pipe.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            answer: tuple[str, Any] = ("done", judge_lines(job, chunk))
        except Exception as error:  # the parent re-raises it (an internal error, one line there)
            answer = ("raised", error)
        try:
            pipe.send(answer)
        except (BrokenPipeError, OSError):
            return


def run(
    job: Job,
    stream: IO[bytes],
    write: Optional[Callable[[str], object]],
    provisions: Sequence[str],
    jobs: int = 1,
    skip_invalid: bool = False,
    warn: Callable[[str], None] = lambda _: None,
    advance: Callable[[int], None] = lambda _: None,
    groups: Optional[Mapping[str, Sequence[str]]] = None,
    table: Optional[Callable[["LineResult"], object]] = None,
) -> Summary:
    """Stream the input through `judge_lines`, writing rows in input order (as text through
    `write`, or each line's result to `table`, a columnar writer); `groups` are counted for the
    summary as "any of" groups (name -> provision ids).

    An invalid line stops the run with its InputError unless `skip_invalid`, in which case it
    is reported through `warn` and counted."""
    counter = Counter(job.dates, provisions, groups)
    if job.csv and write is not None:
        from eligibility.explaining.tables import BATCH_COLUMNS, to_csv

        write(to_csv([], BATCH_COLUMNS))
    for result in _results(job, numbered_chunks(stream), jobs, advance):
        if result.error is not None:
            if not skip_invalid:
                raise result.input_error()
            counter.skipped += 1
            warn(f"{result.input_error()} (line skipped)")
            continue
        if write is not None:
            write(result.text)
        if table is not None:
            table(result)
        counter.add(result.codes, result.causes)
    return counter.summary(job.source)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --- a population file in, rows out --------------------------------------------------------------------


def population_size(people: str) -> Optional[int]:
    """The input's size in bytes, for a progress bar (None for standard input)."""
    if people == "-":
        return None
    try:
        return os.stat(people).st_size
    except OSError:
        return None


def open_population(people: str) -> IO[bytes]:
    """The JSON Lines input: a file, or `-` for standard input; one line if it cannot be read."""
    if people == "-":
        if sys.stdin is None:  # closed before the start (<&-)
            raise InputError("-", None, "expected standard input to read profiles from, found it closed")
        return sys.stdin.buffer
    if os.path.isdir(people):
        raise InputError(people, None, "expected a JSON Lines file of profiles, found a directory")
    try:
        return open(people, "rb")
    except FileNotFoundError:
        raise InputError(people, None, "no such JSON Lines file of profiles") from None
    except OSError as error:
        raise InputError(people, None, f"cannot read the JSON Lines file: {error.strerror or error}") from None


def judge_population(
    job: Job,
    people: str,
    output: Optional[str],
    echo: bool,
    provisions: Sequence[str],
    jobs: int = 1,
    skip_invalid: bool = False,
    warn: Callable[[str], None] = lambda _: None,
    advance: Callable[[int], None] = lambda _: None,
    groups: Optional[Mapping[str, Sequence[str]]] = None,
) -> Summary:
    """Judge a population file into its rows: into an output file written whole or not at all
    (files.output_file), to standard output when `echo`, or nowhere (a summary only)."""
    from eligibility.foundations.files import output_file

    stream = open_population(people)
    try:
        if job.table:  # Parquet: a file, written whole or not at all
            from eligibility.foundations.files import binary_output_file
            from eligibility.runners.parquet import ParquetRows

            assert output not in (None, "-")
            with binary_output_file(output, "results", [people]) as raw:
                writer = ParquetRows(raw, provisions, job.dates)
                try:
                    found = run(job, stream, None, provisions, jobs, skip_invalid, warn, advance, groups, writer.add)
                except BaseException:
                    writer.abandon()
                    raise
                writer.close()
                return found
        if output not in (None, "-"):
            with output_file(output, "results", [people]) as sink:
                return run(job, stream, sink.write, provisions, jobs, skip_invalid, warn, advance, groups)
        write = sys.stdout.write if echo else None
        return run(job, stream, write, provisions, jobs, skip_invalid, warn, advance, groups)
    finally:
        if people != "-":
            stream.close()
