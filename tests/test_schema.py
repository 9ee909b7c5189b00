"""The published profile schema: `eligibility schema profile`, kept in docs/profile.schema.json.

Every field is described, every country is an ISO 3166-1 alpha-2 code, every bundled profile is
valid under it, and a profile it refuses is one the loader refuses too.  After a deliberate change
to the profile model, regenerate every generated doc with

    ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest
"""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from eligibility.foundations.errors import InputError
from eligibility.people.profile import parse_profile, profile_schema

from .conftest import PEOPLE, ROOT

PUBLISHED = ROOT / "docs" / "profile.schema.json"


def _fields(schema: dict):
    for name, model in schema["$defs"].items():
        for field, spec in model.get("properties", {}).items():
            yield f"{name}.{field}", spec


def test_the_command_prints_the_schema(cli):
    result = cli("schema", "profile")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == profile_schema()


def test_the_published_file_is_the_schema():
    text = json.dumps(profile_schema(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("ELIGIBILITY_UPDATE_DOCS") == "1":
        PUBLISHED.write_text(text, encoding="utf-8")
    assert PUBLISHED.read_text(encoding="utf-8") == text, (
        "docs/profile.schema.json is out of date: regenerate every generated doc with "
        "ELIGIBILITY_UPDATE_DOCS=1 .venv/bin/python -m pytest"
    )
    assert "profile.schema.json" in (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")


def test_every_field_and_model_is_described():
    schema = profile_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name, model in schema["$defs"].items():
        assert model.get("description"), name
    for where, spec in _fields(schema):
        assert spec.get("description"), where


def test_countries_are_iso_codes_everywhere():
    schema = profile_schema()
    codes = schema["$defs"]["Country"]["enum"]
    assert {"NP", "RU", "UA", "GB"} <= set(codes) and "UK" not in codes and len(codes) == len(set(codes))
    text = json.dumps(schema)
    # every country field, and the keys of military_registration, refer to the one definition
    for where, spec in _fields(schema):
        if where.endswith(".country"):
            assert spec["$ref"] == "#/$defs/Country", where
    registration = schema["$defs"]["Profile"]["properties"]["military_registration"]["anyOf"][0]
    assert registration["propertyNames"] == {"$ref": "#/$defs/Country"}
    assert text.count('"enum": [') >= 1


@pytest.mark.parametrize("path", sorted(PEOPLE.glob("*.json")), ids=lambda p: p.stem)
def test_every_bundled_profile_is_valid_under_the_schema(path):
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), profile_schema())


@pytest.mark.parametrize(
    "profile",
    [
        {"citizenships": [{"country": "UK"}]},  # a common wrong code
        {"citizenships": [{"country": "np"}]},  # lower case
        {"military_registration": {"RUS": True}},  # a three-letter key
        {"service": [{"country": "RU"}]},  # no start
        {"service": [{"country": "RU", "start": "2024-01-01", "rank": "private"}]},  # an unknown field
        {"criminal_record": {"convicted": "yes"}},  # not a boolean
    ],
)
def test_what_the_schema_refuses_the_loader_refuses(profile):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(profile, profile_schema())
    with pytest.raises(InputError):
        parse_profile(profile)
