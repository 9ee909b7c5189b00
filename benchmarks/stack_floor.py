"""The stack's floor under `eligibility batch`: the least a batch built on this stack must do.

    python benchmarks/stack_floor.py PEOPLE.jsonl ROWS OUT

The I/O floor (io_floor.py) is what any Python program that reads the profiles and writes
batch's bytes must do.  A batch on this project's stack must also, before it judges anything:

- start pydantic and build the profile model (every input crossing into the program is
  validated by pydantic);
- load the rule base and register its rules with durable_rules (every verdict is the engine's);
- validate what it reads: here each distinct text of each field once, with the profile model's
  own validator (`Profile.model_validate_json` on a profile holding that field alone), the
  rest of every line taken apart by msgspec as batch's quick reading does.

That is all it does, then it writes batch's own output, byte for byte, into OUT.  It keeps every
text it has validated, without bound (batch keeps a bounded number and validates some again), and
it does not build profiles, judge, explain or write a row of its own.  So it is a lower bound:
whatever batch costs above it is judging and writing the answers, and a target below it cannot
be met by any batch that validates its input with pydantic and takes its verdicts from
durable_rules.  It prints the number of texts it validated.
"""

from __future__ import annotations

import shutil
import sys

import msgspec

from eligibility.judging.evaluation import evaluator_for
from eligibility.law.loader import load_rules_once
from eligibility.law.record import Evidence
from eligibility.people.profile import Profile

FIELDS = tuple(name for name in Profile.model_fields if name != "id")
_Split = msgspec.defstruct(
    "_Split", [(name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET) for name in ("id", *FIELDS)]
)


def main() -> None:
    people, rows, out = sys.argv[1:4]
    evaluator_for(load_rules_once(None).under(Evidence("all", None)))  # the rule base, registered with the engine
    split = msgspec.json.Decoder(_Split).decode
    validate = Profile.model_validate_json
    seen: list[set[bytes]] = [set() for _ in FIELDS]
    heads = [b'{"' + name.encode() + b'":' for name in FIELDS]
    validated = 0
    with open(people, "rb") as source:
        for line in source:
            if not line.strip():
                continue
            texts = msgspec.structs.astuple(split(line))[1:]
            for text, known, head in zip(texts, seen, heads, strict=True):
                if text is msgspec.UNSET:
                    continue
                body = bytes(text)
                if body in known:
                    continue
                known.add(body)
                validate(head + body + b"}")
                validated += 1
    with open(rows, "rb") as written, open(out, "wb") as sink:
        shutil.copyfileobj(written, sink, 1 << 20)
    print(validated)


if __name__ == "__main__":
    main()
