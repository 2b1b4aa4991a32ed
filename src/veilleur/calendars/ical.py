"""The provider's duty periods as an iCalendar feed (RFC 5545).

People subscribe to this feed in their calendar application to see when the provider
is on duty: one event per period, "Astreinte titulaire — nuit", "… — week-end",
"… — jour férié : Noël". Times are written in UTC (the "Z" form), which every client
shows in its own zone, so no VTIMEZONE is needed.

Calendar applications match events across refreshes by UID, so a UID must not change
when the same period is fetched again. It is derived from the calendar id and the
period's start; and the events at the edges of the requested range are given their
whole period rather than being clipped to it, or the first event's start (and UID)
would move every time the feed's window slides forward.
"""

from __future__ import annotations

from datetime import datetime

import icalendar

from veilleur.calendars.coverage import as_utc, duty_at, provider_periods
from veilleur.calendars.model import Calendar, Duty

PRODID = "-//Veilleur//Périodes de prise en charge par le titulaire//FR"
SUMMARY_PREFIX = "Astreinte titulaire — "


def coverage_feed(
    cal: Calendar, start: datetime, end: datetime, now: datetime
) -> bytes:
    """An iCalendar document of the provider's periods overlapping [start, end)."""
    stamp = as_utc(now, "now")
    periods = provider_periods(cal, start, end)

    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", cal.id)
    for period in _unclipped(cal, periods):
        feed.add_component(_event(cal, period, stamp))
    document: bytes = feed.to_ical()
    return document


def _unclipped(cal: Calendar, periods: list[Duty]) -> list[Duty]:
    """`periods` with the first and last extended to their whole period."""
    if not periods:
        return periods
    whole = list(periods)
    whole[0] = duty_at(cal, periods[0].since)
    whole[-1] = duty_at(cal, periods[-1].since)
    return whole


def _event(cal: Calendar, period: Duty, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{cal.id}-{period.since:%Y%m%dT%H%M%SZ}@veilleur")
    event.add("dtstamp", stamp)
    event.add("dtstart", period.since)
    event.add("dtend", period.until)
    event.add("summary", SUMMARY_PREFIX + period.label)
    event.add("transp", "TRANSPARENT")  # the provider's duty, not the reader's
    return event
