"""`eligibility` with every provision compiled into engine rules of its own.

    python benchmarks/unshared.py check PROFILE --rules DIR --on DAY

The engine shares one set of durable_rules rules among provisions of the same shape (the same
in-force pattern and the same expression over their conditions; see engine.Shape).  Generated
rule bases are copies of the bundled provisions, so they share nearly everything.  This runs the
command as if no two provisions were alike, as in a rule base of that many different laws: the
cost of the engine's size at its worst.  For the benchmark only.
"""

from __future__ import annotations

from dataclasses import dataclass

from eligibility.cli import main
from eligibility.judging import engine

_shape_of = engine.shape_of


@dataclass(frozen=True)
class Own(engine.Shape):
    """A shape that also names its item: equal for no two items."""

    key: str = ""


def own_shape(item):
    """engine.shape_of, made the item's own (tests/test_scale.py uses it too)."""
    shape = _shape_of(item)
    return Own(shape.routes, shape.expr, item.key)


if __name__ == "__main__":
    engine.shape_of = own_shape
    main()
