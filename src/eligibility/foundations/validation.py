"""Turns pydantic's validation errors into the project's one-line messages:
the field as a path (`service[0].kind`), what was expected and what was found."""

from __future__ import annotations

import re
import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

from pydantic import BaseModel, ValidationError

from eligibility.foundations.errors import Expected, InputError, did_you_mean, shown

# A validator that checks one field against another says "field: expected ...".
_NAMED = re.compile(r"^([a-z_]+): (expected .*)$")


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        for model in _models_in(arg):
            if model not in found:
                found.append(model)
    return found


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _field(model: type[BaseModel], key: str) -> Any | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _tag_of(model: type[BaseModel]) -> set[str]:
    """Literal values of a model's discriminator-like fields (for tagged unions)."""
    tags: set[str] = set()
    for info in model.model_fields.values():
        if typing.get_origin(info.annotation) is typing.Literal and len(typing.get_args(info.annotation)) == 1:
            tags.add(str(typing.get_args(info.annotation)[0]))
    return tags


def walk(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, list[type[BaseModel]]]:
    """The printable path of a location, and the models it could point into."""
    path = ""
    models: list[type[BaseModel]] = [root]
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        part = str(part)
        annotation = next((a for m in models if (a := _field(m, part)) is not None), None)
        if annotation is not None:
            path += ("." if path else "") + part
            models = _models_in(annotation)
            continue
        tagged = [m for m in models if part in _tag_of(m)]
        if len(models) > 1 and tagged:
            models = tagged
            continue
        # A key of a mapping (a provision id in a scenario, a country code): the models
        # reached so far are its value's.
        path += ("." if path else "") + (part if part.isidentifier() else f'"{part}"')
    return path or "(top level)", models


def describe(error: "ErrorDetails | dict[str, Any]", root: type[BaseModel]) -> tuple[str, str]:
    """(field path, message) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx", {})
    path, _ = walk(root, loc)
    if kind == "extra_forbidden":
        _, owners = walk(root, loc[:-1])
        allowed = _field_names(owners[0]) if owners else []
        hint = did_you_mean(str(loc[-1]), allowed)
        listing = f" (expected one of {', '.join(allowed)})" if allowed else ""
        return path, f"unknown field{listing}{hint}"
    if kind == "missing":
        return path, "required field is missing"
    if kind == "literal_error":
        return path, f"expected one of {ctx.get('expected', 'the documented values')}, got {shown(given)}"
    if kind == "union_tag_invalid":
        return (
            path,
            f"expected {ctx.get('discriminator', 'a tag')} to be one of {ctx.get('expected_tags')}, "
            f"got {shown(ctx.get('tag'))}",
        )
    if kind == "union_tag_not_found":
        return path, f"expected a field {ctx.get('discriminator', 'tag')} naming the kind"
    if kind == "value_error" and isinstance(ctx.get("error"), Expected):
        refused = ctx["error"]
        return path, f"expected {refused.expected}, got {shown(given)}{refused.hint}"
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
        named = _NAMED.match(text)
        if named:
            field = named.group(1)
            return (f"{path}.{field}" if path != "(top level)" else field), named.group(2)
        return path, f"expected {text}, got {shown(given)}"
    if kind in ("bool_type", "bool_parsing"):
        return path, f"expected true or false, got {shown(given)}"
    if kind == "string_type":
        return path, f"expected a string, got {shown(given)}"
    if kind in ("int_type", "int_parsing"):
        return path, f"expected a whole number, got {shown(given)}"
    if kind in ("list_type", "tuple_type"):
        return path, f"expected a list, got {shown(given)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return path, f"expected a table/object, got {shown(given)}"
    if kind in ("string_too_short", "too_short"):
        return path, f"expected a non-empty value, got {shown(given)}"
    if kind == "greater_than_equal":
        return path, f"expected a number of at least {ctx.get('ge')}, got {shown(given)}"
    return path, f"{error['msg']}, got {shown(given)}"


LISTED = 5  # problems named in one error line; beyond, they are counted


def input_error(error: ValidationError, root: type[BaseModel], file: str) -> InputError:
    """A validation error as one InputError line: the first problem, then every other (each field
    once) up to LISTED in all, then how many more were found, so that nothing is hidden behind a
    count that could be named."""
    problems = error.errors(include_url=False)
    # A misspelt field shows up twice, as unknown and as missing; the unknown one says more.
    problems.sort(key=lambda problem: problem["type"] != "extra_forbidden")
    named: dict[str, str] = {}
    for problem in problems:
        field, message = describe(problem, root)
        named.setdefault(field, message)
    (field, message), *others = named.items()
    if others:
        message += "; also " + "; ".join(f"{f}: {m}" for f, m in others[: LISTED - 1])
    more = len(others) - (LISTED - 1)
    if more > 0:
        message += f" (and {more} more problem{'s' if more > 1 else ''}, not listed)"
    return InputError(file, field, message)


def input_errors(error: ValidationError, root: type[BaseModel], file: str) -> list[InputError]:
    """Every problem of a validation error, one InputError each (for checkers that list them all)."""
    problems = error.errors(include_url=False)
    problems.sort(key=lambda problem: problem["type"] != "extra_forbidden")
    found: list[InputError] = []
    for problem in problems:
        field, message = describe(problem, root)
        if not any(e.field == field for e in found):
            found.append(InputError(file, field, message))
    return found
