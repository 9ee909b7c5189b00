"""Batch rows as Parquet, for analysts (`batch --format parquet -o FILE`, the `parquet` extra).

The one module that talks to pyarrow.  A wide layout: one row per profile and date, with the
profile's line and label, the `date` (a date, not a string; `on` is an SQL reserved word), one
column per provision holding its status (dictionary-encoded: four words, a byte each), and
`missing`, a list of (provision, fact) pairs for the undetermined answers.  Rows are written in
row groups as they come, so memory stays flat however long the input; the file is written whole
or not at all, like every output file.
"""

from __future__ import annotations

from datetime import date
from typing import IO, TYPE_CHECKING, Any, Sequence

from eligibility.foundations.errors import InputError
from eligibility.foundations.vocabulary import STATUSES

if TYPE_CHECKING:
    from eligibility.runners.batch import LineResult

GROUP_ROWS = 65_536  # rows per row group


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise InputError(
            "--format",
            None,
            "expected pyarrow for Parquet, which is not installed: pip install 'eligibility[parquet]'",
        ) from None
    return pyarrow


class ParquetRows:
    """Collects batch results and writes them to `sink` as Parquet row groups."""

    def __init__(self, sink: IO[bytes], provisions: Sequence[str], dates: Sequence[str]):
        pa = self.pa = _arrow()
        self.provisions = list(provisions)
        self.dates = [date.fromisoformat(d) for d in dates]
        missing = pa.list_(pa.struct([("provision", pa.string()), ("fact", pa.string())]))
        status = pa.dictionary(pa.int8(), pa.string())
        self.schema = pa.schema(
            [("line", pa.int64()), ("profile", pa.string()), ("date", pa.date32())]
            + [(pid, status) for pid in self.provisions]
            + [("missing", missing)]
        )
        self.words = pa.array(list(STATUSES), pa.string())
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(sink, self.schema, compression="zstd")
        self._clear()

    def _clear(self) -> None:
        self.lines: list[int] = []
        self.labels: list[str] = []
        self.days: list[date] = []
        self.codes: list[list[int]] = [[] for _ in self.provisions]
        self.gaps: list[list[dict[str, str]]] = []

    def add(self, result: "LineResult") -> None:
        width = len(self.provisions)
        for d, day in enumerate(self.dates):
            self.lines.append(result.line)
            self.labels.append(result.label)
            self.days.append(day)
            base = d * width
            for p in range(width):
                self.codes[p].append(result.codes[base + p])
            self.gaps.append([{"provision": pid, "fact": fact} for pid, facts in result.gaps[d] for fact in facts])
        if len(self.lines) >= GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        pa = self.pa
        statuses = [pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), self.words) for codes in self.codes]
        table = pa.Table.from_arrays(
            [pa.array(self.lines, pa.int64()), pa.array(self.labels, pa.string()), pa.array(self.days, pa.date32())]
            + statuses
            + [pa.array(self.gaps, self.schema.field("missing").type)],
            schema=self.schema,
        )
        self.writer.write_table(table)
        self._clear()

    def close(self) -> None:
        self.flush()
        self.writer.close()

    def abandon(self) -> None:
        """A run that failed: the writer closed without its footer's last group (the file itself is
        a temporary one, removed by the caller)."""
        from contextlib import suppress

        with suppress(Exception):
            self.writer.close()


def available() -> None:
    """Refuse at once, before any work, when pyarrow is missing."""
    _arrow()
