"""Plain data shapes of coverage calendars, with no I/O.

A calendar says when the client's operations team works (its business hours, in local
wall-clock time) and which days it does not: public holidays (from the `holidays`
package, for the calendar's country and subdivision), closure periods and ad-hoc
coverage days. The provider covers everything else. The arithmetic lives in
`veilleur.calendars.coverage`.

Configuration mistakes raise ValueError at construction, naming the field, the bad
value and the fix, so that a calendar that exists is a calendar that can be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from veilleur.calendars.public_holidays import check_region

OnDuty = Literal["provider", "client"]
Reason = Literal["business_hours", "night", "weekend", "holiday", "closure", "adhoc"]


@dataclass(frozen=True, slots=True)
class Window:
    """One stretch of the client's business hours, in local wall-clock time."""

    weekday: int  # 0 = Monday … 6 = Sunday
    start: time  # naive, local to the calendar's zone
    end: time  # naive, after `start` on the same day: a window never crosses midnight

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(
                f"window weekday {self.weekday!r} is out of range: "
                "use 0 for Monday up to 6 for Sunday"
            )
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(
                f"window {self.start}–{self.end} has a time zone: give naive local "
                "times, the zone is the calendar's"
            )
        if self.end <= self.start:
            raise ValueError(
                f"window end {self.end} is not after its start {self.start}: a window "
                "stays within one day, split hours across midnight into two windows"
            )


@dataclass(frozen=True, slots=True)
class Closure:
    """A closure period of the client, e.g. ("fermeture de décembre", 12-19, 01-03)."""

    name: str  # in French, shown to people as the reason for coverage
    first_day: date  # local day, inclusive
    last_day: date  # local day, inclusive

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a closure needs a name, e.g. 'fermeture de décembre'")
        for day in (self.first_day, self.last_day):
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(
                    f"closure {self.name!r}: {day!r} is not a date, give a day "
                    "such as 2026-12-19"
                )
        if self.last_day < self.first_day:
            raise ValueError(
                f"closure {self.name!r} ends on {self.last_day} before it starts on "
                f"{self.first_day}: both days are inclusive, swap them"
            )


@dataclass(frozen=True, slots=True)
class Calendar:
    """Who covers what, for one scope: the client's hours and its days off."""

    id: str
    zone: ZoneInfo  # days and business hours are read in this zone
    business_hours: tuple[Window, ...]  # windows may overlap; no window = no client
    country: str = "FR"  # ISO 3166 code known to the `holidays` package
    subdivision: str | None = None  # e.g. "57" (Moselle), "6AE" (Alsace), "974"
    closures: tuple[Closure, ...] = ()  # overlapping closures: the first listed names
    adhoc_days: tuple[date, ...] = ()  # local days covered entirely by the provider

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("a calendar needs an id, e.g. 'documentation'")
        if not isinstance(self.zone, ZoneInfo):
            raise ValueError(
                f"calendar {self.id!r}: zone {self.zone!r} is not a ZoneInfo, "
                "use ZoneInfo('Europe/Paris')"
            )
        for day in self.adhoc_days:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(
                    f"calendar {self.id!r}: ad-hoc day {day!r} is not a date, give a "
                    "day such as 2026-12-09"
                )
        check_region(self.country, self.subdivision, f"calendar {self.id!r}")


@dataclass(frozen=True, slots=True)
class Duty:
    """Who is on duty over one period, and why.

    From `duty_at`, the period is maximal: the longest stretch with the same on_duty,
    reason and label around the instant asked about. From `provider_periods`, it is
    clipped to the range asked for.
    """

    on_duty: OnDuty
    reason: Reason
    label: str  # in French, for people: "nuit", "week-end", "jour férié : Noël", …
    since: datetime  # aware, UTC: the period's first instant
    until: datetime  # aware, UTC: the first instant after the period

    @property
    def duration(self) -> timedelta:
        """Real elapsed time of the period."""
        return self.until.astimezone(UTC) - self.since.astimezone(UTC)
