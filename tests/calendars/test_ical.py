"""The provider's periods as an iCalendar feed people subscribe to."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest

from tests.calendars.examples import documentation, paris, utc
from veilleur.calendars import coverage_feed

NOW = utc(2026, 12, 1, 9)


def parse(document: bytes) -> icalendar.Calendar:
    feed = icalendar.Calendar.from_ical(document)
    assert isinstance(feed, icalendar.Calendar)
    return feed


def test_a_week_has_seven_events():
    # Monday 7 → Monday 14 December 2026: Monday 00:00–08:00, four nights Monday to
    # Thursday (17:00–08:00), Friday 17:00–24:00, then the weekend.
    feed = parse(
        coverage_feed(documentation(), paris(2026, 12, 7), paris(2026, 12, 14), NOW)
    )
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert summaries == ["Astreinte titulaire — nuit"] * 6 + [
        "Astreinte titulaire — week-end"
    ]


def test_events_are_in_utc_with_stable_uids():
    feed = parse(
        coverage_feed(documentation(), paris(2026, 12, 7), paris(2026, 12, 14), NOW)
    )
    first = feed.walk("VEVENT")[0]
    assert first.decoded("DTSTART") == utc(2026, 12, 6, 23)
    assert first.decoded("DTEND") == utc(2026, 12, 7, 7)
    assert first.decoded("DTSTAMP") == NOW
    assert str(first["UID"]) == "documentation-20261206T230000Z@veilleur"
    assert b"DTSTART:20261206T230000Z" in first.to_ical()


def test_the_feed_names_itself():
    document = coverage_feed(
        documentation(), paris(2026, 12, 7), paris(2026, 12, 8), NOW
    )
    feed = parse(document)
    assert str(feed["X-WR-CALNAME"]) == "documentation"
    assert "Veilleur" in str(feed["PRODID"])
    assert str(feed["VERSION"]) == "2.0"


def test_christmas_week_names_the_holiday():
    feed = parse(
        coverage_feed(documentation(), paris(2026, 12, 21), paris(2026, 12, 28), NOW)
    )
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    # Monday 00:00–08:00, three nights Monday–Thursday, Thursday 17:00–24:00,
    # Christmas Friday, the weekend.
    assert summaries == ["Astreinte titulaire — nuit"] * 5 + [
        "Astreinte titulaire — jour férié : Noël",
        "Astreinte titulaire — week-end",
    ]


def test_edge_events_keep_their_whole_period_and_uid_as_the_window_slides():
    # A window opening Tuesday 03:00 holds the night that began Monday 17:00.
    early = parse(
        coverage_feed(documentation(), paris(2026, 12, 7), paris(2026, 12, 9), NOW)
    )
    late = parse(
        coverage_feed(documentation(), paris(2026, 12, 8, 3), paris(2026, 12, 9), NOW)
    )
    night = late.walk("VEVENT")[0]
    assert night.decoded("DTSTART") == utc(2026, 12, 7, 16)
    assert night.decoded("DTEND") == utc(2026, 12, 8, 7)
    uids = {str(event["UID"]) for event in early.walk("VEVENT")}
    assert str(night["UID"]) in uids


def test_it_refuses_a_naive_now():
    with pytest.raises(ValueError, match="now"):
        coverage_feed(
            documentation(),
            paris(2026, 12, 7),
            paris(2026, 12, 8),
            datetime(2026, 12, 1),
        )
