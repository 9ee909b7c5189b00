"""Dates as the sources and profiles give them: a day, a month, a year, or a window between two days.

A `DateSpec` keeps the earliest and the latest day the event can have happened on,
so a date known only to the month is never turned into a guessed day.  Compared with a day, it
answers in three values (`on_or_before`, `after`): unknown where the day falls inside it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Optional, Union

from eligibility.foundations.errors import InputError
from eligibility.foundations.logic import FALSE, TRUE, UNKNOWN, Truth

Precision = Literal["day", "month", "year", "window"]

# ASCII digits only, and nothing after them (not even a line end): "٢٠٢٣-٠٨" or "2023-08\n" is refused
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})\Z")
_YEAR = re.compile(r"([0-9]{4})\Z")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

DAY_FORMAT = "a date written YYYY-MM-DD"
DATE_FORMATS = "a day YYYY-MM-DD, a month YYYY-MM, a year YYYY or a window YYYY-MM-DD..YYYY-MM-DD"


def parse_day(text: object) -> date:
    """A calendar day written YYYY-MM-DD; raises ValueError with what was expected."""
    if not isinstance(text, str) or not _DAY.match(text):
        raise ValueError(DAY_FORMAT)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{DAY_FORMAT} that exists on the calendar") from None


def add_months(day: date, months: int) -> Optional[date]:
    """The same day of the month `months` later (earlier, if negative); the month's last day if
    it is shorter.  None when that falls outside the calendar (before year 1 or after 9999)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not 1 <= year <= 9999:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_day(day: date) -> Optional[date]:
    """The day after, or None after the calendar's last day (9999-12-31)."""
    return None if day == date.max else date.fromordinal(day.toordinal() + 1)


def month_name(year: int, month: int) -> str:
    return f"{_MONTHS[month - 1]} {year}"


@dataclass(frozen=True)
class DateSpec:
    """When something happened, as precisely as the sources say and no more."""

    earliest: date
    latest: date
    precision: Precision
    text: str

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest

    def written(self) -> str:
        """The date as written in rule files."""
        if self.precision == "day":
            return self.earliest.isoformat()
        if self.precision == "month":
            return self.earliest.isoformat()[:7]
        if self.precision == "year":
            return self.earliest.isoformat()[:4]
        return f"{self.earliest.isoformat()}..{self.latest.isoformat()}"

    def on_or_before(self, day: date) -> Truth:
        """Whether it happened on or before the day: unknown when the day falls inside it."""
        if self.latest <= day:
            return TRUE
        return FALSE if self.earliest > day else UNKNOWN

    def after(self, day: date) -> Truth:
        """Whether it happened after the day: unknown when the day falls inside it."""
        return ~self.on_or_before(day)

    def __str__(self) -> str:
        return self.text


def parse_spec(text: object, wording: str | None = None) -> DateSpec:
    """`2024-01-04` (a day), `2022-11` (some day in that month), `2025` (some day in that year) or
    `2022-09-21..2022-09-30` (some day in that window, both ends included)."""
    expected = DATE_FORMATS
    if not isinstance(text, str):
        raise ValueError(expected)
    if ".." in text:
        first, _, last = text.partition("..")
        if not (_DAY.match(first) and _DAY.match(last)):
            raise ValueError(expected)
        earliest, latest = parse_day(first), parse_day(last)  # says which day is not on the calendar
        if latest <= earliest:
            raise ValueError(
                "a window whose last day comes after its first (a single day is written as the day, YYYY-MM-DD)"
            )
        return DateSpec(
            earliest, latest, "window", wording or f"between {earliest.isoformat()} and {latest.isoformat()}"
        )
    if _MONTH.match(text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12 or year < 1:  # the calendar starts in year 1
            raise ValueError(expected)
        days = calendar.monthrange(year, month)[1]
        return DateSpec(date(year, month, 1), date(year, month, days), "month", wording or month_name(year, month))
    if _YEAR.match(text):
        year = int(text)
        if year < 1:
            raise ValueError(expected)
        return DateSpec(date(year, 1, 1), date(year, 12, 31), "year", wording or text)
    if not _DAY.match(text):
        raise ValueError(expected)
    day = parse_day(text)  # says when the day is not on the calendar
    return DateSpec(day, day, "day", wording or day.isoformat())


def day_spec(day: date) -> DateSpec:
    """A date known to the day."""
    return DateSpec(day, day, "day", day.isoformat())


def as_day(on: Union[date, str], what: str = "--on") -> date:
    """A day given as a date or as "YYYY-MM-DD", or a one-line InputError naming the option."""
    if isinstance(on, datetime):
        raise InputError.expected(
            what,
            None,
            'a date (a datetime.date or "YYYY-MM-DD"), not a moment in a day; pass its .date()',
            on.isoformat(),
        )
    if isinstance(on, date):
        return on
    try:
        return parse_day(on)
    except ValueError as error:
        raise InputError.expected(what, None, str(error), on) from None
