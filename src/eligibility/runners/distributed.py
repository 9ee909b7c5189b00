"""`batch` on Dask: the same per-profile function, mapped over chunks of JSON Lines files.

Needs the optional extra: `pip install 'eligibility[dask]'` (and `distributed` for a cluster).

A file is cut into partitions of at most PARTITION_LINES lines and PARTITION_BYTES of input, each
cut at a line's end; the process that builds the bag reads each file once to find the cuts (it
counts line ends, and parses nothing), so every row keeps its file and line number.  Lines are
split on b"\\n" exactly as the command splits them (never on a bare carriage return or U+2028).
Within a partition the lines go to the engine in the command's own chunks (`batch.chunked`),
each by `batch.judge_lines`, so the rows are the ones `eligibility
batch` writes, with the file added as `source`.

`judge_text` gives those rows as the command's own text, one JSON object per item, ready for
`to_textfiles`; `judge_files` gives them as dicts, parsed on the workers, for Dask's operations on
records.  A partition's rows are held in its worker's memory until written: about PARTITION_LINES
x dates rows (20 MiB at 8,192 lines and two dates), whatever the file's size.  docs/cluster.md shows
how to run it.
"""

from __future__ import annotations

import functools
import gc
import json
from typing import Any, Iterator, NamedTuple, Optional, Sequence

from eligibility.foundations.errors import InputError
from eligibility.runners.batch import Job, chunked, judge_lines, numbered_lines

PARTITION_LINES = 8_192  # lines of input in one partition, at most
PARTITION_BYTES = 32 * 1024 * 1024  # ... and bytes of input (a longer line is a partition alone)
_SCAN = 1 << 20  # bytes read at a time when finding where partitions start


class Chunk(NamedTuple):
    """One partition's part of a file."""

    path: str
    start: int  # its first byte
    first: int  # its first line's number
    lines: int  # how many lines


def judge_text(
    paths: str | Sequence[str],
    dates: Sequence[str],
    rules: Optional[str] = None,
    full: bool = False,
    skip_invalid: bool = False,
) -> Any:
    """A dask.bag of result rows as JSON text (str, no line end), for JSON Lines files (a path, a glob
    or a list), each file cut into partitions of at most PARTITION_LINES lines.  Write it with
    `bag.to_textfiles(...)`: no row is parsed on the way.

    An invalid line raises its InputError when the bag is computed, unless `skip_invalid`: then it
    becomes a row {"source", "line", "error"} in place of its results."""
    import dask.bag as db

    from eligibility.foundations.dates import as_day

    days = tuple(dict.fromkeys(as_day(day).isoformat() for day in dates))
    found = _paths(paths)
    if not found:
        raise InputError(str(paths), None, "expected JSON Lines files, found none matching")
    chunks = [chunk for path in found for chunk in _chunks(path)]
    if not chunks:  # only empty files: an empty bag
        return db.from_sequence([], npartitions=1)
    bag = db.from_sequence(chunks, npartitions=len(chunks))
    return bag.map_partitions(_judge_partition, days, rules, full, skip_invalid)


@functools.wraps(judge_text, assigned=("__module__", "__annotations__"))
def judge_files(*args: Any, **kwargs: Any) -> Any:
    """`judge_text`'s rows, taking the same arguments, as dicts (parsed on the workers), for Dask's
    operations on records such as `filter`, `pluck` and `frequencies`."""
    return judge_text(*args, **kwargs).map(json.loads)


def _paths(paths: str | Sequence[str]) -> list[str]:
    """A path, a glob or a list of them, as the sorted files they name, each once.  Every glob
    fsspec's filesystems expand is expanded (`*`, `**`, `?`, `[ab]`), not only `*`; a local file
    keeps its path as written, a remote one its protocol."""
    from fsspec.core import url_to_fs

    found: list[str] = []
    for wanted in [paths] if isinstance(paths, str) else list(paths):
        fs, root = url_to_fs(wanted)
        local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))
        named = fs.glob(root) if any(c in root for c in "*?[") else ([root] if fs.exists(root) else [])
        found.extend(p if local else fs.unstrip_protocol(p) for p in named if not fs.isdir(p))
    return sorted(dict.fromkeys(found))


def _chunks(path: str, lines: int = PARTITION_LINES, most: int = PARTITION_BYTES) -> list[Chunk]:
    """Where a file's partitions start: each at most `lines` lines and `most` bytes (one longer line
    alone), cut at a line's end.  Reads the file once, counting b"\\n"; holds one block at a time."""
    import fsspec

    found: list[Chunk] = []
    start, first, counted, position = 0, 1, 0, 0  # the open partition: its first byte, line, lines so far
    last = b"\n"
    with fsspec.open(path, "rb") as stream:
        while True:
            block = stream.read(_SCAN)
            if not block:
                break
            last = block[-1:]
            ends = block.count(b"\n")
            if counted + ends < lines and position + len(block) - start < most:
                counted += ends  # no cut in this block
            else:
                at = 0
                while True:
                    end = block.find(b"\n", at)
                    if end < 0:
                        break
                    at = end + 1
                    counted += 1
                    if counted >= lines or position + at - start >= most:
                        found.append(Chunk(path, start, first, counted))
                        start, first, counted = position + at, first + counted, 0
            position += len(block)
    if position > start:  # the rest: its last line may have no end
        found.append(Chunk(path, start, first, counted + (last != b"\n")))
    return found


def _lines(chunk: Chunk) -> Iterator[tuple[int, bytes, int]]:
    """A partition's (line number, line, bytes read), split as `eligibility batch` splits them."""
    import fsspec

    path, start, first, count = chunk
    with fsspec.open(path, "rb") as stream:
        stream.seek(start)
        for number, raw, read in numbered_lines(stream):
            if number > count:
                return
            yield first + number - 1, raw, read


_settled = {"done": False}  # the worker's rule base and engine moved out of the collector's reach


def _judge_partition(
    chunks: Sequence[Chunk], dates: tuple[str, ...], rules: Optional[str], full: bool, skip_invalid: bool
) -> list[str]:
    """A partition's rows, with the cyclic collector off while it is judged (as in `eligibility
    batch`: judging a line makes no reference cycles that outlive it, and collections only cost
    time), and, after the worker's first partition, everything then alive (its rule base and
    engine, loaded once and kept) frozen out of the collector's reach (`gc.freeze`), so that the
    collections Dask's own work triggers do not walk it again and again.  The collector is
    turned back on as it was."""
    enabled = gc.isenabled()
    gc.disable()
    rows: list[str] = []
    try:
        for chunk in chunks:
            source = chunk[0]
            job = Job(source=source, dates=dates, rules=rules, full=full)
            head = '{"source":' + json.dumps(source, ensure_ascii=False) + ","
            for lines, _ in chunked(_lines(chunk)):  # the engine's chunks, as the command's
                _judge(job, lines, head, skip_invalid, rows)
        return rows
    finally:
        if not _settled["done"]:
            gc.freeze()
            _settled["done"] = True
        if enabled:
            gc.enable()


def _judge(job: Job, lines: list[tuple[int, bytes]], head: str, skip_invalid: bool, rows: list[str]) -> None:
    """One engine chunk's rows, the command's text with the file put first as `source`."""
    for result in judge_lines(job, lines):
        if result.error is not None:
            if not skip_invalid:
                raise result.input_error()
            error = {"source": job.source, "line": result.line, "error": str(result.input_error())}
            rows.append(json.dumps(error, ensure_ascii=False, separators=(",", ":")))
            continue
        # split on "\n" only: a row's strings may hold U+2028 and other characters str.splitlines() splits on
        rows.extend(head + text[1:] for text in result.text.split("\n") if text)
