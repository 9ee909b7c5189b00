"""The I/O floor of `eligibility batch`: a started Python that parses every input line and
writes the same bytes batch wrote, and does nothing else.

    python benchmarks/io_floor.py PEOPLE.jsonl ROWS OUT

It reads and parses each input line into Python objects (as any batch must before it can judge
it) and writes batch's own output, byte for byte, into OUT.  It does not parse batch's rows
(batch never does) nor build them (that is batch's work, and how cheaply it can be done is part
of what is measured).  Whatever batch costs above this floor is validating, judging and writing
its answers; no batch in Python that reads JSON Lines and writes those bytes can go below it.
"""

from __future__ import annotations

import json
import shutil
import sys


def main() -> None:
    people, rows, out = sys.argv[1:4]
    count = 0
    with open(people, "rb") as source:
        for line in source:
            if line.strip():
                json.loads(line)
                count += 1
    with open(rows, "rb") as written, open(out, "wb") as sink:
        shutil.copyfileobj(written, sink, 1 << 20)
    print(count)


if __name__ == "__main__":
    main()
