"""`batch` on Dask: the same per-profile function, mapped over the partitions of a bag.

Needs the optional extra: `pip install 'eligibility[dask]'`.  Each JSON Lines file is one
partition, so every row keeps its file and line number; its lines are split on b"\n" exactly as
the command splits them (never on a bare carriage return or U+2028).  Whatever scheduler computes the
bag (Dask's local schedulers, or a `distributed` cluster), each partition is judged by
`batch.judge_lines`, exactly as `eligibility batch` judges a chunk: the rows are the ones
the command writes, with the file added as `source`.  docs/cluster.md shows how to run it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional, Sequence

from eligibility.foundations.errors import InputError
from eligibility.runners.batch import Job, judge_lines, numbered_lines


def _judge_file(
    source: str,
    numbered: list[tuple[int, bytes]],
    dates: tuple[str, ...],
    rules: Optional[str],
    full: bool,
    skip_invalid: bool,
) -> list[dict[str, Any]]:
    """One file's numbered lines -> its rows, in order, as `eligibility batch` judges them."""
    job = Job(source=source, dates=dates, rules=rules, full=full)
    rows: list[dict[str, Any]] = []
    for result in judge_lines(job, numbered):
        if result.error is not None:
            if not skip_invalid:
                raise result.input_error()
            rows.append({"source": source, "line": result.line, "error": str(result.input_error())})
            continue
        # split on "\n" only: a row's strings may hold U+2028 and other characters str.splitlines() splits on
        rows.extend({"source": source, **json.loads(text)} for text in result.text.split("\n") if text)
    return rows


def judge_files(
    paths: str | Sequence[str],
    dates: Sequence[str],
    rules: Optional[str] = None,
    full: bool = False,
    skip_invalid: bool = False,
) -> Any:
    """A dask.bag of result rows for JSON Lines files (a path, a glob or a list), one partition per file.

    An invalid line raises its InputError when the bag is computed, unless `skip_invalid`:
    then it becomes a row {"source", "line", "error"} in place of its results."""
    import dask.bag as db

    from eligibility.foundations.dates import as_day

    days = tuple(dict.fromkeys(as_day(day).isoformat() for day in dates))
    found = _paths(paths)
    if not found:
        raise InputError(str(paths), None, "expected JSON Lines files, found none matching")
    files = db.from_sequence(found, npartitions=len(found)).map(_lines_of)
    return files.map_partitions(_judge_files, days, rules, full, skip_invalid)


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


def _lines_of(path: str) -> tuple[str, list[tuple[int, bytes]]]:
    """One file's numbered lines, split exactly as `eligibility batch` splits them (on b"\\n" only)."""
    import fsspec

    with fsspec.open(path, "rb") as stream:
        return path, [(number, raw) for number, raw, _ in numbered_lines(stream)]


def _judge_files(
    files: Iterable[tuple[str, list[tuple[int, bytes]]]],
    dates: tuple[str, ...],
    rules: Optional[str],
    full: bool,
    skip_invalid: bool,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for source, numbered in files:
        rows.extend(_judge_file(source, numbered, dates, rules, full, skip_invalid))
    return rows
