"""Calendars from the client's specification, and a way to write Paris times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from veilleur.calendars import Calendar, Closure, Window

PARIS = ZoneInfo("Europe/Paris")

WORKING_WEEK = tuple(Window(day, time(8), time(17)) for day in range(5))
DECEMBER_CLOSURE = Closure(
    "fermeture de décembre", date(2026, 12, 19), date(2027, 1, 3)
)


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0
) -> datetime:
    """A Paris wall-clock time, as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def documentation(
    subdivision: str | None = None,
    closures: tuple[Closure, ...] = (),
    adhoc_days: tuple[date, ...] = (),
) -> Calendar:
    """The documentation platforms: the client works Mon–Fri 08:00–17:00 in Paris."""
    return Calendar(
        id="documentation",
        zone=PARIS,
        business_hours=WORKING_WEEK,
        subdivision=subdivision,
        closures=closures,
        adhoc_days=adhoc_days,
    )


def around_the_clock() -> Calendar:
    """No business hours: the provider is on duty all the time."""
    return Calendar(id="24x7", zone=PARIS, business_hours=())
