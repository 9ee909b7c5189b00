"""The stack's floor under `eligibility batch`: the least this batch must do before it judges.

    python benchmarks/stack_floor.py PEOPLE.jsonl ROWS OUT

The I/O floor (io_floor.py) is what any Python program that reads the profiles and writes
batch's bytes must do.  Batch, built as it is on this stack, must also, before it judges anything:

- start pydantic and build the profile model (every input crossing into the program is
  validated by pydantic);
- import its own modules, load the rule base and register its rules with durable_rules (every
  verdict is the engine's), with the evidence batch uses by default;
- validate what it reads: here each distinct text of each field once, with the profile model's
  own validator (`Profile.model_validate_json` on a profile holding that field alone), every line
  taken apart by msgspec as batch's quick reading does.

That is all it does, then it writes batch's own output, byte for byte, into OUT.  It keeps every
text it has validated, without bound (batch keeps a bounded number and validates some again), it
leaves a text's bytes unchecked for what msgspec does not see (a key given twice, escapes), and it
builds no profile of a whole line, judges nothing, explains nothing and writes no row of its own.
So what batch costs above it is the rest of reading (those checks, and building each line's
profile), judging and writing the answers.  The part that is batch's own start (its modules and
rule base, about a third of the start here) could be made cheaper; the rest (Python, pydantic,
msgspec, durable_rules) could not.  It prints the number of texts it validated and of the engine
rules it registered.
"""

from __future__ import annotations

import shutil
import sys

import msgspec

from eligibility.judging.evaluation import evaluator_for
from eligibility.law.loader import load_rules_once
from eligibility.law.record import Evidence
from eligibility.people.profile import SECTIONS, Profile

_Split = msgspec.defstruct(
    "_Split", [(name, msgspec.Raw | msgspec.UnsetType, msgspec.UNSET) for name in ("id", *SECTIONS)]
)


def main() -> None:
    people, rows, out = sys.argv[1:4]
    judge = evaluator_for(load_rules_once(None).under(Evidence("all", None)))  # registered with the engine
    split = msgspec.json.Decoder(_Split).decode
    validate = Profile.model_validate_json
    seen: list[set[bytes]] = [set() for _ in SECTIONS]
    heads = [b'{"' + name.encode() + b'":' for name in SECTIONS]
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
    print(validated, len(judge.engine.definition))


if __name__ == "__main__":
    main()
