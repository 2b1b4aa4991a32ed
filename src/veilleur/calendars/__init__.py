"""Coverage calendars: who is on duty when, and coverage-time arithmetic.

The client's operations team works its business hours; the provider (titulaire)
covers the rest: nights, weekends, public holidays, closure periods and ad-hoc
coverage days. This package is pure: instants are passed in (aware, any zone) and
come out in UTC; nothing reads the clock or touches the disk.

  model            Calendar, Window, Closure, Duty: the data
  coverage         duty_at, next_change, coverage_seconds, add_coverage,
                   provider_periods, adhoc_request_problem
  ical             coverage_feed: the provider's periods as an iCalendar feed
  public_holidays  the `holidays` package, cached per country, subdivision and year
"""

from veilleur.calendars.coverage import (
    add_coverage,
    adhoc_request_problem,
    coverage_seconds,
    duty_at,
    local_instant,
    next_change,
    next_change_if_any,
    provider_periods,
)
from veilleur.calendars.ical import coverage_feed
from veilleur.calendars.model import Calendar, Closure, Duty, OnDuty, Reason, Window

__all__ = [
    "Calendar",
    "Closure",
    "Duty",
    "OnDuty",
    "Reason",
    "Window",
    "add_coverage",
    "adhoc_request_problem",
    "coverage_feed",
    "coverage_seconds",
    "duty_at",
    "local_instant",
    "next_change",
    "next_change_if_any",
    "provider_periods",
]
