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
    # timeline and diff are modules of the package too: call them as eligibility.api.timeline / .diff
    if name in ("check", "status", "explain", "evaluator", "what_if", "make_apply"):
        from . import api as module
    elif name in ("load_profile", "parse_profile", "Profile"):
        from . import profile as module  # type: ignore[no-redef]
    elif name == "load_rules":
        from . import loader as module  # type: ignore[no-redef]
    elif name == "RuleBase":
        from . import rulebase as module  # type: ignore[no-redef]
    elif name in ("Report", "STATUSES"):
        from . import report as module  # type: ignore[no-redef]
    elif name in ("InputError", "InternalError"):
        from . import errors as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module 'eligibility' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
