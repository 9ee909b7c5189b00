"""pytest collects scenario files: every expectation becomes a test.

Installed with the package (entry point `pytest11`), it collects `*.toml` files that
lie inside a directory named `scenarios` (or the directories named by the ini
option `eligibility_scenarios`).  Each file becomes a collector, each
(date, provision) expectation one test item, named like
`scenarios/nepali-contract-soldier.toml::2024-08-01::ru.citizenship.contract-service`.
A failure prints what differed, the scenario's why and the tool's own reason.
The rule base is the default one ($ELIGIBILITY_RULES, or the bundled rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "eligibility_scenarios",
        type="linelist",
        default=["scenarios"],
        help="names of directories whose *.toml files are eligibility scenario files",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    if file_path.suffix != ".toml":
        return None
    names = set(parent.config.getini("eligibility_scenarios"))
    try:
        folders = file_path.relative_to(parent.config.rootpath).parts[:-1]
    except ValueError:
        folders = file_path.parts[:-1]
    if not names.intersection(folders):
        return None
    return ScenarioCollector.from_parent(parent, path=file_path)


class ScenarioFailure(Exception):
    pass


class ScenarioCollector(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from eligibility.foundations.errors import InputError
        from eligibility.runners.scenario import load_scenario

        try:
            scenario = load_scenario(self.path)
        except InputError as error:
            raise self.CollectError(f"eligibility: {error}") from None
        self.scenario = scenario
        self._reports: dict[int, Any] = {}
        for index, at in enumerate(scenario.data.at):
            keys = [*(["not_yet_reported"] if at.not_yet_reported is not None else []), *at.expect]
            for key in keys:
                yield ScenarioItem.from_parent(self, name=f"{at.on.isoformat()}::{key}", index=index, key=key)

    def report_at(self, index: int) -> Any:
        """The check report for one date, judged once for all its expectations."""
        from eligibility.explaining.reasons import check
        from eligibility.judging.evaluation import evaluator_for
        from eligibility.law.loader import load_rules_once
        from eligibility.runners.scenario import check_expectations, under_evidence

        if index not in self._reports:
            evaluator = under_evidence(self.scenario, evaluator_for(load_rules_once()))
            check_expectations(self.scenario, evaluator)
            self._reports[index] = check(evaluator, self.scenario.profile, self.scenario.data.at[index].on)
        return self._reports[index]


class ScenarioItem(pytest.Item):
    def __init__(self, *, index: int, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.key = key

    def runtest(self) -> None:
        from eligibility.runners.scenario import judge_at

        collector: ScenarioCollector = self.parent  # type: ignore[assignment]
        at = collector.scenario.data.at[self.index]
        report = collector.report_at(self.index)
        (outcome,) = [o for o in judge_at(collector.scenario, at, report) if o.key == self.key]
        if not outcome.ok:
            raise ScenarioFailure(outcome.explained())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        from eligibility.foundations.errors import InputError

        if isinstance(excinfo.value, InputError):
            return f"eligibility: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.path.name} on {self.name}"
