"""The stack's floor for a cold `eligibility check`: the same command line, nothing of ours.

A typer command with the parameters `eligibility check` has, which imports what `check`
imports from its dependencies (durable_rules' engine, pydantic, rich's console and table),
validates one pydantic model and prints one line with rich.  Whatever `check` costs above
this is the rule base, the evaluation and the report; below it no command built on this
stack can go.

    python benchmarks/floor.py check PROFILE.json --on 2024-08-01
"""

from __future__ import annotations

from typing import List, Optional

import typer

app = typer.Typer(add_completion=False)


@app.command()
def check(
    profile: str = typer.Argument(...),
    on: str = typer.Option(..., "--on"),
    format: str = typer.Option("text", "--format"),
    status: List[str] = typer.Option([], "--status"),
    rules: Optional[str] = typer.Option(None, "--rules"),
    width: Optional[int] = typer.Option(None, "--width"),
) -> None:
    import durable.engine  # noqa: F401
    from pydantic import BaseModel
    from rich.console import Console
    from rich.table import Table  # noqa: F401

    class Day(BaseModel):
        profile: str
        on: str

    day = Day(profile=profile, on=on)
    Console(width=width).print(f"{day.profile} on {day.on}")


@app.command()
def version() -> None:
    """A second command, so that typer builds a command group as `eligibility` has."""


if __name__ == "__main__":
    app()
