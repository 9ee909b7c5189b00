"""eligibility: which dated provisions on foreign fighters, military service and
citizenship in Russia and Ukraine apply to a person on a day, why, and on what source.

The public names are loaded on first use, so that a command which needs only part of the
package (the command line, a worker process) does not pay for the rest.
"""

from typing import Any

__all__ = [
    "check",
    "status",
    "explain",
    "what_if",
    "make_apply",
    "evaluator",
    "load_profile",
    "parse_profile",
    "load_rules",
    "Profile",
    "Report",
    "RuleBase",
    "STATUSES",
    "InputError",
    "InternalError",
]


def __getattr__(name: str) -> Any:
    # the public functions; timeline and diff are eligibility.api.timeline and eligibility.api.diff
    if name in ("check", "status", "explain", "evaluator", "what_if", "make_apply"):
        from eligibility import api as module
    elif name in ("load_profile", "parse_profile", "Profile"):
        from eligibility.people import profile as module  # type: ignore[no-redef]
    elif name == "load_rules":
        from eligibility.law import loader as module  # type: ignore[no-redef]
    elif name == "RuleBase":
        from eligibility.law import rulebase as module  # type: ignore[no-redef]
    elif name in ("Report", "STATUSES"):
        from eligibility.explaining import report as module  # type: ignore[no-redef]
    elif name in ("InputError", "InternalError"):
        from eligibility.foundations import errors as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module 'eligibility' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
