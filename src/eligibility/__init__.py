"""eligibility: which dated provisions on foreign fighters, military service and
citizenship in Russia and Ukraine apply to a person on a day, why, and on what source."""

from .api import check, evaluator, explain, status
from .errors import InputError, InternalError
from .profile import Profile, load_profile, parse_profile
from .report import STATUSES, Report
from .rulebase import RuleBase, load_rules

__all__ = [
    "check", "status", "explain", "evaluator",
    "load_profile", "parse_profile", "load_rules",
    "Profile", "Report", "RuleBase", "STATUSES",
    "InputError", "InternalError",
]
