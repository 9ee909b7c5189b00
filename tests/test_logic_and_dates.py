"""Three-valued logic, the condition language, and dates with precision."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.foundations import logic
from eligibility.foundations.dates import add_months, parse_spec
from eligibility.foundations.logic import Truth

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


def test_an_unknown_never_hides_a_definite_answer():
    assert logic.all_of([U, F]) is F and logic.all_of([U, T]) is U and logic.all_of([T, T]) is T
    assert logic.any_of([U, T]) is T and logic.any_of([U, F]) is U and logic.any_of([F, F]) is F
    assert ~U is U and ~T is F


def test_the_condition_language():
    expr = logic.parse("all(a, any(b, not(c)))")
    assert logic.written(expr) == "all(a, any(b, not(c)))"
    assert logic.names(expr) == ["a", "b", "c"]
    assert logic.evaluate(expr, {"a": T, "b": F, "c": F}) is T
    assert logic.evaluate(expr, {"a": U, "b": F, "c": T}) is F


NAMES = st.sampled_from(["a", "b", "c", "d"])
EXPRESSIONS = st.recursive(
    NAMES.map(logic.Ref),
    lambda inner: st.one_of(
        inner.map(logic.Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: logic.All(tuple(parts))),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: logic.Any_(tuple(parts))),
    ),
    max_leaves=8,
)
VALUES = st.fixed_dictionaries({name: st.sampled_from(list(Truth)) for name in "abcd"})


@given(EXPRESSIONS, VALUES)
def test_a_compiled_expression_gives_what_the_expression_gives(expr, values):
    """The evaluator's compiled `when` (over values, or over findings carrying a value) folds
    exactly as the written definition does, and so does its written-and-read-back form."""
    from eligibility.judging.predicates import Finding

    expected = logic.evaluate(expr, values)
    assert logic.compiled(expr)(values) is expected
    assert logic.compiled(expr, "value")({n: Finding(v) for n, v in values.items()}) is expected
    assert logic.evaluate(logic.parse(logic.written(expr)), values) is expected


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "empty"),
        ("all(a)", "at least two parts"),
        ("not(a, b)", "exactly one part"),
        ("all(a, b", "ends early"),
        ("a b", "expected the end of the expression at position 3, found 'b'"),
        ("all(a, B)", "found 'B' at position 8"),
    ],
)
def test_bad_expressions_say_what_was_expected(text, words):
    with pytest.raises(ValueError, match=words):
        logic.parse(text)


def test_date_specs_keep_their_precision():
    assert parse_spec("2024-01-04").precision == "day"
    month = parse_spec("2022-11")
    assert (month.earliest, month.latest, month.precision, month.text) == (
        date(2022, 11, 1),
        date(2022, 11, 30),
        "month",
        "November 2022",
    )
    window = parse_spec("2026-03-04..2026-03-09")
    assert (window.earliest, window.latest, window.precision) == (date(2026, 3, 4), date(2026, 3, 9), "window")
    for bad in ("2022-13", "2024-02-30", "2024-03-09..2024-03-04", "March 2024", "2024-1-4"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_months_are_counted_on_the_calendar():
    assert add_months(date(2023, 1, 10), 3) == date(2023, 4, 10)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)


@given(EXPRESSIONS, VALUES)
def test_the_normal_form_means_what_the_expression_means(expr, values):
    """`normal_form` only pushes `not` down (De Morgan's laws hold in Kleene logic), flattens and
    reorders: on every combination of values it gives what the expression gives, and taking it
    twice changes nothing."""
    normal = logic.normal_form(expr)
    assert logic.evaluate(normal, values) is logic.evaluate(expr, values)
    assert logic.normal_form(normal) == normal
    assert not any(
        isinstance(part.part, logic.Not | logic.All | logic.Any_)
        for part in _walk(normal)
        if isinstance(part, logic.Not)
    )


def _walk(expr):
    yield expr
    for part in (expr.part,) if isinstance(expr, logic.Not) else getattr(expr, "parts", ()):
        yield from _walk(part)


def test_expressions_written_differently_over_other_names_have_one_normal_form():
    """What the engine shares rules on: the normal form, its conditions renamed in order of first
    mention.  The same law written with its parts in another order, nested otherwise, or with a
    `not` outside, over conditions of other names, comes out the same; a different law does not."""

    def form(text: str) -> logic.Expr:
        return logic.canonical(logic.parse(text))[0]

    same = [
        "all(a, any(b, not(c)))",
        "all(any(not(z), y), x)",
        "not(any(not(a), all(not(b), c)))",
        "all(any(not(c), b), a)",
    ]
    assert len({form(text) for text in same}) == 1
    assert form("all(a, any(b, c))") != form(same[0])
    assert form("any(a, all(b, not(c)))") != form(same[0])
