"""The I/O floor of `eligibility batch`: reading the same input and writing the same output rows.

    python benchmarks/io_floor.py PEOPLE.jsonl ROWS.jsonl OUT.jsonl

Parses every line of the input (as batch does, into Python objects) and every row batch wrote,
and writes those rows again, serialised the same way, in one process.  Whatever batch costs
above this is validating, judging and explaining; no batch that reads and writes JSON Lines
in Python can go below it.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    people, rows, out = sys.argv[1:4]
    count = 0
    with open(people, encoding="utf-8") as source:
        for line in source:
            json.loads(line)
            count += 1
    with open(rows, encoding="utf-8") as written, open(out, "w", encoding="utf-8") as sink:
        for line in written:
            sink.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
    print(count)


if __name__ == "__main__":
    main()
