"""Shared fixtures: the bundled rule base, its evaluator, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility import evaluator as make_evaluator
from eligibility import load_rules
from eligibility.cli import app

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
SCENARIOS = ROOT / "scenarios"
PEOPLE = SCENARIOS / "people"
SOURCES = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def rules():
    return load_rules(RULES)


@pytest.fixture(scope="session")
def evaluator(rules):
    return make_evaluator(rules)


@pytest.fixture(scope="session")
def articles(rules):
    """The evaluator of the articles' account alone (`--evidence articles`)."""
    from eligibility.law.record import Evidence

    return make_evaluator(rules.under(Evidence("articles")))


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


def chromium() -> str:
    """The browser the browser tests drive (Debian's chromium package, through Playwright), or a skip
    that says what is missing."""
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("no chromium on this machine (Debian's chromium package; .ci/run installs it where it can)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -e '.[browser]')")
    return found


def one_line_error(result) -> str:
    """The error a failed command printed: exactly one line on stderr, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""
    return lines[0]


# hypothesis: "ci" keeps the property suite fast; HYPOTHESIS_PROFILE=deep runs many more examples.
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
