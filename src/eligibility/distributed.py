"""`batch` on Dask: the same per-profile function, mapped over the partitions of a bag.

Needs the optional extra: `pip install 'eligibility[dask]'`.  Each JSON Lines file is one
partition, so every row keeps its file and line number.  Whatever scheduler computes the
bag (Dask's local schedulers, or a `distributed` cluster), each partition is judged by
`batch.judge_lines`, exactly as `eligibility batch` judges a chunk: the rows are the ones
the command writes, with the file added as `source`.  docs/cluster.md shows how to run it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional, Sequence

from .batch import Job, judge_lines


def _judge_partition(items: Iterable[tuple[str, str]], dates: tuple[str, ...], rules: Optional[str],
                     full: bool, skip_invalid: bool) -> list[dict[str, Any]]:
    """One file's lines (with their path, as read_text gives them) -> its rows, in order."""
    items = list(items)
    if not items:
        return []
    source = items[0][1]
    job = Job(source=source, dates=dates, rules=rules, full=full)
    numbered = [(number, line.encode("utf-8")) for number, (line, _) in enumerate(items, start=1)]
    rows: list[dict[str, Any]] = []
    for result in judge_lines(job, numbered):
        if result.error is not None:
            if not skip_invalid:
                raise result.input_error()
            rows.append({"source": source, "line": result.line, "error": str(result.input_error())})
            continue
        rows.extend({"source": source, **json.loads(text)} for text in result.text.splitlines())
    return rows


def judge_files(paths: str | Sequence[str], dates: Sequence[str], rules: Optional[str] = None,
                full: bool = False, skip_invalid: bool = False) -> Any:
    """A dask.bag of result rows for JSON Lines files (a path, a glob or a list), one partition per file.

    An invalid line raises its InputError when the bag is computed, unless `skip_invalid`:
    then it becomes a row {"source", "line", "error"} in place of its results."""
    import dask.bag as db

    from .api import as_day

    days = tuple(dict.fromkeys(as_day(day).isoformat() for day in dates))
    lines = db.read_text(paths, blocksize=None, include_path=True, encoding="utf-8")
    return lines.map_partitions(_judge_partition, days, rules, full, skip_invalid)
