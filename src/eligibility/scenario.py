"""Scenario files: a person, dates, and what the law should say about them.

A scenario is a TOML file naming a profile (a path relative to the scenario file),
a short story, and one `[[at]]` table per date with the expected status of each
provision that matters and a sentence saying why, checkable against the sources.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .dates import parse_day
from .errors import InputError
from .evaluation import Evaluator
from .profile import Profile, load_profile
from .report import Report
from .validation import input_error

Status = Literal["applies", "not_in_force", "does_not_apply", "undetermined"]


def _day(value: Any) -> date:
    if isinstance(value, date):
        raise ValueError("a quoted string such as \"2024-08-01\" (a bare TOML date is not accepted)")
    return parse_day(value)


Day = Annotated[date, BeforeValidator(_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Expectation(_Strict):
    status: Status
    would_qualify: Optional[Literal["yes", "no", "unknown"]] = None


class At(_Strict):
    on: Day
    why: Annotated[str, Field(min_length=1)]
    expect: dict[str, Union[Status, Expectation]] = Field(min_length=1)


class ScenarioFile(_Strict):
    title: Annotated[str, Field(min_length=1)]
    profile: Annotated[str, Field(min_length=1)]
    story: Annotated[str, Field(min_length=1)]
    at: list[At] = Field(min_length=1)


@dataclass(frozen=True)
class Scenario:
    path: Path
    data: ScenarioFile
    profile: Profile

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Outcome:
    scenario: str
    on: date
    provision: str
    expected: Expectation
    actual_status: str
    actual_would: str
    why: str

    @property
    def ok(self) -> bool:
        return (self.actual_status == self.expected.status and
                (self.expected.would_qualify is None or self.actual_would == self.expected.would_qualify))

    def __str__(self) -> str:
        want = self.expected.status + (f" (would qualify: {self.expected.would_qualify})"
                                       if self.expected.would_qualify else "")
        got = self.actual_status + (f" (would qualify: {self.actual_would})" if self.expected.would_qualify else "")
        return f"{self.scenario} on {self.on.isoformat()}: {self.provision}: expected {want}, got {got}"


def load_scenario(path: str | Path) -> Scenario:
    target = Path(path)
    name = str(target)
    try:
        text = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(name, None, "no such scenario file") from None
    except UnicodeDecodeError as error:
        raise InputError(name, None, f"expected UTF-8 text, found a byte that is not (at offset {error.start})") from None
    except OSError as error:
        raise InputError(name, None, f"cannot read the scenario file: {error.strerror or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(name, None, f"not valid TOML: {error}") from None
    try:
        parsed = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise input_error(error, ScenarioFile, name) from None
    profile_path = (target.parent / parsed.profile)
    if not profile_path.is_file():
        raise InputError(name, "profile", f"expected a profile file relative to the scenario, found none at {profile_path}")
    return Scenario(target, parsed, load_profile(profile_path))


def scenario_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob("*.toml"))


def run(scenario: Scenario, evaluator: Evaluator) -> list[Outcome]:
    """Judge the scenario's person on each of its dates and compare with the expectations."""
    outcomes = []
    for index, at in enumerate(scenario.data.at):
        unknown = [pid for pid in at.expect if pid not in evaluator.rules.provisions]
        if unknown:
            raise InputError(str(scenario.path), f"at[{index}].expect",
                             f"expected provision ids from the rule base, got {unknown[0]!r}")
        report: Report = evaluator.check(scenario.profile, at.on)
        for provision_id, expected in at.expect.items():
            expectation = expected if isinstance(expected, Expectation) else Expectation(status=expected)
            actual = report.provision(provision_id)
            outcomes.append(Outcome(scenario.name, at.on, provision_id, expectation, actual.status,
                                    actual.would_qualify, at.why))
    return outcomes
