"""The registry of condition-test kinds: for each kind (`fact = "service"`, ...), its model and
the three things every kind must say, each registered where it is written:

* `evaluate` (predicates.py): what the test answers for a profile on a day, and `reads`, the one
  field of the profile that answer depends on (with the day, and for a family test the members'
  own verdicts, which that field holds): what lets a population's repeated fields be tested once;
* `concerns` (causes.py): which dated facts of a profile can move its answer over time;
* `flip` (exploring/alternatives.py): the changes to a profile that turn its answer, for `--make-apply`.

Modules dispatch through `parts(type(test))`, never through `isinstance` chains, so a new kind
is one model in schema.py, one function of each kind registered with the decorators below,
and a row in docs/adding-a-rule.md; `tests/test_rulebase.py` checks that every kind has all
three and is listed there.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pydantic import BaseModel

from eligibility.law.schema import Test

# The models, in the order of the Test union.
MODELS: tuple[type[BaseModel], ...] = typing.get_args(typing.get_args(Test)[0])


@dataclass
class KindParts:
    fact: str
    evaluate: Optional[Callable[..., Any]] = None
    reads: Optional[str] = None  # the profile field the evaluation reads (registered with it)
    concerns: Optional[Callable[..., bool]] = None
    flip: Optional[Callable[..., Any]] = None


def _fact(model: type[BaseModel]) -> str:
    """The kind's name: the one value its `fact` field takes (`Literal["service"]`)."""
    (name,) = typing.get_args(model.model_fields["fact"].annotation)
    return str(name)


KINDS: dict[type, KindParts] = {model: KindParts(_fact(model)) for model in MODELS}


def parts(model: type) -> KindParts:
    return KINDS[model]


def _register(facet: str, models: tuple[type, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for model in models:
            setattr(KINDS[model], facet, function)
        return function

    return register


def evaluates(*models: type, reads: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a test's evaluation: (test, facts, family lookup) -> Finding, and the one profile
    field it reads."""
    for model in models:
        KINDS[model].reads = reads
    return _register("evaluate", models)


def concerns(*models: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register which dated facts move a test: (test, cause) -> bool."""
    return _register("concerns", models)


def flips(*models: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register how to flip a test: (search, test, target, profile data, profile) -> lists of edits."""
    return _register("flip", models)
