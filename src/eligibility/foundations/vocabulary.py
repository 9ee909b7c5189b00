"""The words every answer is given in, defined once: the four statuses, the three values of
in-force and "would qualify", a condition's three outcomes, and the kinds of unknown.

Models (report.py, scenario.py), the engine's verdicts and the views all take them from here.
"""

from typing import Literal, Sequence

Status = Literal["applies", "not_in_force", "does_not_apply", "undetermined"]
# The order reports list them in: the answers a reader looks for first.
STATUSES: tuple[Status, ...] = ("applies", "undetermined", "does_not_apply", "not_in_force")

# Kinds of source, from the closest to the act to the farthest (shared/record/README.md).
SourceKind = Literal["act", "official", "report", "retrospective", "derived"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("act", "official", "report", "retrospective", "derived")

# How sure a fact of the official record is, from the surest: read in the act's text, stated by an
# official site, by two or more agreeing reports, by one report, a date derived from a rule of law
# and other facts, or an inference not seen stated.
Sure = Literal["act", "official", "reports", "report", "derived", "inferred"]
SURE: tuple[Sure, ...] = ("act", "official", "reports", "report", "derived", "inferred")
# How close evidence stands to the act, for both sides of a discrepancy (smaller is closer): the
# articles' kinds and the record's sureness on one scale.
CLOSENESS: dict[str, int] = {
    "act": 0,
    "official": 1,
    "reports": 2,
    "report": 3,
    "retrospective": 4,
    "derived": 5,
    "inferred": 5,
}
# What a sureness needs among the record's sources: the kinds that count and how many of them.
SURENESS_NEEDS: dict[str, tuple[tuple[str, ...], int, str]] = {
    "act": (("act",), 1, "the act's text"),
    "official": (("act", "official"), 1, "an official source"),
    "reports": (("act", "official", "report"), 2, "two or more reports (or an official source)"),
    "report": (("act", "official", "report"), 1, "a report"),
}


def weakest(sures: Sequence[str]) -> str:
    """The least sure of several labels (a finding is as sure as the weakest fact it rests on)."""
    return max(sures, key=lambda sure: (CLOSENESS[sure], SURE.index(sure)))


def bears_out(sure: str, kinds: Sequence[str]) -> bool:
    """Whether sources of these kinds bear out a finding's sureness (derived and inferred need none)."""
    needed = SURENESS_NEEDS.get(sure)
    return needed is None or sum(kind in needed[0] for kind in kinds) >= needed[1]


# Which side of a finding the judgement follows: the record (strictly surer than the articles, or
# adding to them), the articles (judging on the articles only), or neither (the question is left
# open: the record is not strictly surer, so the status is undetermined where the sides differ).
Follows = Literal["record", "articles", "neither"]

EvidenceUse = Literal["all", "articles"]  # judge on every source, or on the articles only
EVIDENCE: tuple[EvidenceUse, ...] = ("all", "articles")
About = Literal["date", "scope", "condition", "effect", "existence"]  # what a discrepancy is about
ABOUT: tuple[About, ...] = ("date", "scope", "condition", "effect", "existence")

# What a provision does when it applies, and what that means for the person: a benefit (it
# grants, exempts or protects) or a burden (it imposes, bars or limits).  Every view that shows a
# status shows the kind of effect beside it and colours by the meaning, not by "applies": a
# revocation that applies is bad news, however green a tick would look.
EffectKind = Literal["grants", "imposes", "bars", "exempts", "limits", "protects"]
Sense = Literal["benefit", "burden"]
EFFECT_SENSE: dict[str, Sense] = {
    "grants": "benefit",
    "exempts": "benefit",
    "protects": "benefit",
    "imposes": "burden",
    "bars": "burden",
    "limits": "burden",
}
# A status as it bears on the person: applies as a benefit or as a burden; the other three as they are.
Meaning = Literal["benefit", "burden", "undetermined", "does_not_apply", "not_in_force"]
MEANINGS: tuple[Meaning, ...] = ("benefit", "burden", "undetermined", "does_not_apply", "not_in_force")
MEANING_WORDS: dict[Meaning, str] = {
    "benefit": "applies, in the person's favour (grants, exempts, protects)",
    "burden": "applies, a burden on the person (imposes, bars, limits)",
    "undetermined": "undetermined",
    "does_not_apply": "does not apply",
    "not_in_force": "not in force",
}


def meaning(status: Status, effect: str) -> Meaning:
    """What a status means for the person, given the kind of the provision's effect."""
    return EFFECT_SENSE[effect] if status == "applies" else status


Value = Literal["yes", "no", "unknown"]  # in force; would qualify
Held = Literal["held", "failed", "unknown"]  # one condition

# Why an undetermined answer is unknown: a fact the profile leaves out, a date the sources give
# only to a month or a window, a question the sources do not settle, or a date the profile gives
# only to a month, a year or a window.
UnknownKind = Literal["missing_fact", "imprecise_date", "open_question", "imprecise_profile_date"]
UNKNOWN_WORDS: dict[UnknownKind, str] = {
    "missing_fact": "a fact missing from the profile",
    "imprecise_date": "a date the sources give imprecisely",
    "open_question": "a question the sources leave open",
    "imprecise_profile_date": "a date the profile gives imprecisely",
}

# A matter an answer does not judge and that could change it (a provision's `not_modelled`, and the
# horizon of the sources): a condition the profile cannot answer (it could turn `applies` or
# `undetermined` into `does_not_apply`), a part of the act not judged (it could turn
# `does_not_apply` or `not_in_force` into `applies`), what comes after qualifying (an application,
# proof: it bears on an `applies` in practice), and a day past the sources' horizon (a later act
# could change anything).
CaveatKind = Literal["unjudged_condition", "unjudged_part", "procedure", "horizon"]
# a `not_modelled` entry's kind -> the kind of caveat it gives an answer
CAVEAT_OF_KIND: dict[str, CaveatKind] = {
    "condition": "unjudged_condition",
    "part": "unjudged_part",
    "procedure": "procedure",
}
CAVEAT_WORDS: dict[CaveatKind, str] = {
    "unjudged_condition": "not judged",
    "unjudged_part": "part of the act not judged",
    "procedure": "procedure not judged",
    "horizon": "past the sources' horizon",
}
# Which verdicts each kind of caveat could change.
CAVEAT_BEARS_ON: dict[CaveatKind, tuple[Status, ...]] = {
    "unjudged_condition": ("applies", "undetermined"),
    "unjudged_part": ("does_not_apply", "not_in_force", "undetermined"),
    "procedure": ("applies",),
    "horizon": STATUSES,
}
