"""Who is on duty, and why: duty_at and next_change on the documentation calendar.

Paris is UTC+1 in winter and UTC+2 from 29 March to 25 October 2026. Periods are
maximal stretches with the same on_duty, reason and label: Friday 17:00 → Saturday
00:00 is a "nuit", Saturday → Monday 00:00 a "week-end", Monday 00:00 → 08:00 a "nuit".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from tests.calendars.examples import (
    DECEMBER_CLOSURE,
    PARIS,
    around_the_clock,
    documentation,
    paris,
    utc,
)
from veilleur.calendars import Calendar, Duty, Window, duty_at, next_change


def test_it_leaves_friday_afternoon_to_the_client():
    duty = duty_at(documentation(), paris(2026, 12, 4, 16, 59))
    # Friday 4 December 2026, 08:00–17:00 CET = 07:00–16:00 UTC.
    assert duty == Duty(
        "client",
        "business_hours",
        "heures ouvrées",
        utc(2026, 12, 4, 7),
        utc(2026, 12, 4, 16),
    )


def test_it_hands_over_to_the_provider_at_five():
    duty = duty_at(documentation(), paris(2026, 12, 4, 17))
    # The night ends where the weekend begins: Saturday 00:00 CET = Friday 23:00 UTC.
    assert duty == Duty(
        "provider", "night", "nuit", utc(2026, 12, 4, 16), utc(2026, 12, 4, 23)
    )


def test_the_weekend_is_one_period_from_saturday_to_monday():
    duty = duty_at(documentation(), paris(2026, 12, 5, 12))
    assert (duty.on_duty, duty.reason, duty.label) == (
        "provider",
        "weekend",
        "week-end",
    )
    assert (duty.since, duty.until) == (utc(2026, 12, 4, 23), utc(2026, 12, 6, 23))


def test_monday_early_morning_is_a_night_until_eight():
    duty = duty_at(documentation(), paris(2026, 12, 7, 3))
    assert (duty.reason, duty.since, duty.until) == (
        "night",
        utc(2026, 12, 6, 23),
        utc(2026, 12, 7, 7),
    )


def test_a_weeknight_runs_from_five_to_eight():
    duty = duty_at(documentation(), paris(2026, 12, 8, 23, 30))
    # Tuesday 17:00 CET → Wednesday 08:00 CET, across midnight, is one "nuit".
    assert (duty.label, duty.since, duty.until) == (
        "nuit",
        utc(2026, 12, 8, 16),
        utc(2026, 12, 9, 7),
    )


def test_the_next_change_after_friday_five_is_monday_eight():
    # Night, weekend and night are all the provider's: on_duty changes Monday 08:00.
    change = next_change(documentation(), paris(2026, 12, 4, 17))
    assert change == paris(2026, 12, 7, 8) == utc(2026, 12, 7, 7)


def test_the_next_change_is_strictly_after_the_instant():
    # At 08:00 sharp the client is on duty; the next change is 17:00, not 08:00.
    assert next_change(documentation(), paris(2026, 12, 7, 8)) == utc(2026, 12, 7, 16)


def test_it_never_changes_without_business_hours():
    assert duty_at(around_the_clock(), paris(2026, 12, 9, 8)).on_duty == "provider"
    with pytest.raises(ValueError, match="no business hours"):
        next_change(around_the_clock(), paris(2026, 12, 7, 8))


def test_it_answers_in_utc_whatever_zone_it_is_asked_in():
    asked = paris(2026, 12, 4, 17).astimezone(PARIS)
    duty = duty_at(documentation(), asked)
    assert duty.since.utcoffset() == timedelta(0)
    assert duty.until.tzinfo is not None and duty.until.utcoffset() == timedelta(0)


def test_it_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="no time zone"):
        duty_at(documentation(), datetime(2026, 12, 4, 17))
    with pytest.raises(ValueError, match="no time zone"):
        next_change(documentation(), datetime(2026, 12, 4, 17))


# Public holidays, from the `holidays` package, in French.


def test_christmas_is_a_holiday_named_noel():
    duty = duty_at(documentation(), paris(2026, 12, 25, 10))
    assert (duty.reason, duty.label) == ("holiday", "jour férié : Noël")
    # Friday 25 December 00:00 → Saturday 00:00 CET; the weekend is another period.
    assert (duty.since, duty.until) == (utc(2026, 12, 24, 23), utc(2026, 12, 25, 23))


def test_ascension_thursday_is_covered_all_day():
    duty = duty_at(documentation(), paris(2026, 5, 14, 10))
    assert (duty.label, duty.since, duty.until) == (
        "jour férié : Ascension",
        utc(2026, 5, 13, 22),
        utc(2026, 5, 14, 22),
    )


def test_saint_stephen_is_a_holiday_only_in_alsace_moselle():
    # 26 December 2026 is a Saturday: a holiday outranks the weekend.
    moselle = duty_at(documentation("57"), paris(2026, 12, 26, 10))
    elsewhere = duty_at(documentation(), paris(2026, 12, 26, 10))
    assert moselle.label == "jour férié : Saint-Étienne"
    assert (moselle.since, moselle.until) == (
        utc(2026, 12, 25, 23),
        utc(2026, 12, 26, 23),
    )
    assert elsewhere.label == "week-end"


def test_two_holidays_in_a_row_stay_two_periods():
    noel = duty_at(documentation("6AE"), paris(2026, 12, 25, 10))
    assert (noel.label, noel.until) == ("jour férié : Noël", utc(2026, 12, 25, 23))


def test_good_friday_is_a_working_day_outside_alsace_moselle():
    assert duty_at(documentation(), paris(2026, 4, 3, 10)).on_duty == "client"
    duty = duty_at(documentation("57"), paris(2026, 4, 3, 10))
    assert duty.label == "jour férié : Vendredi saint"


def test_easter_in_moselle_is_one_span_for_the_provider():
    # Thursday 2 April 17:00 → Good Friday, weekend, Easter Monday → Tuesday 7 April
    # 08:00 CEST (06:00 UTC): four periods, one provider span.
    assert next_change(documentation("57"), paris(2026, 4, 2, 17)) == utc(2026, 4, 7, 6)
    assert next_change(documentation(), paris(2026, 4, 2, 17)) == utc(2026, 4, 3, 6)


def test_all_saints_day_on_a_sunday_is_a_holiday_not_a_weekend():
    duty = duty_at(documentation(), paris(2026, 11, 1, 10))
    assert duty.label == "jour férié : Toussaint"
    saturday = duty_at(documentation(), paris(2026, 10, 31, 10))
    assert (saturday.label, saturday.until) == ("week-end", duty.since)


def test_la_reunion_has_its_own_holiday():
    reunion = Calendar(
        "reunion",
        PARIS,
        documentation().business_hours,
        subdivision="974",
    )
    # Sunday 20 December 2026: abolition of slavery, in La Réunion only.
    assert duty_at(reunion, paris(2026, 12, 20, 10)).label == (
        "jour férié : Abolition de l'esclavage"
    )


# Closures and ad-hoc days.


def test_the_december_closure_is_one_period_across_the_year_end():
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    duty = duty_at(cal, paris(2027, 1, 1, 12))
    # Closure outranks holidays: New Year's Day shows as the closure.
    assert (duty.reason, duty.label) == ("closure", "fermeture de décembre")
    # Saturday 19 December 00:00 CET → Monday 4 January 00:00 CET.
    assert (duty.since, duty.until) == (utc(2026, 12, 18, 23), utc(2027, 1, 3, 23))
    assert duty.duration == timedelta(days=16)


def test_the_closure_covers_christmas_under_its_own_name():
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    assert duty_at(cal, paris(2026, 12, 25, 10)).label == "fermeture de décembre"


def test_an_adhoc_wednesday_is_all_the_providers():
    cal = documentation(adhoc_days=(date(2026, 12, 9),))
    duty = duty_at(cal, paris(2026, 12, 9, 10))
    assert duty == Duty(
        "provider",
        "adhoc",
        "journée ponctuelle de prise en charge",
        utc(2026, 12, 8, 23),
        utc(2026, 12, 9, 23),
    )
    # Tuesday 17:00 → Thursday 08:00 CET without a handover.
    assert next_change(cal, paris(2026, 12, 8, 17)) == utc(2026, 12, 10, 7)


def test_an_adhoc_day_outranks_a_closure():
    cal = documentation(closures=(DECEMBER_CLOSURE,), adhoc_days=(date(2026, 12, 22),))
    assert duty_at(cal, paris(2026, 12, 22, 10)).reason == "adhoc"


# Business hours with a gap, and daylight saving.


def test_a_lunch_break_is_covered_and_named_apart():
    cal = Calendar(
        "split",
        PARIS,
        (Window(0, time(8), time(12)), Window(0, time(14), time(17))),
    )
    duty = duty_at(cal, paris(2026, 12, 7, 13))
    assert (duty.on_duty, duty.reason, duty.label) == (
        "provider",
        "night",
        "hors heures ouvrées",
    )
    assert (duty.since, duty.until) == (utc(2026, 12, 7, 11), utc(2026, 12, 7, 13))


def test_overlapping_windows_merge():
    cal = Calendar(
        "overlap",
        PARIS,
        (Window(0, time(8), time(12)), Window(0, time(10), time(17))),
    )
    duty = duty_at(cal, paris(2026, 12, 7, 11))
    assert (duty.since, duty.until) == (utc(2026, 12, 7, 7), utc(2026, 12, 7, 16))


def test_the_spring_weekend_is_an_hour_shorter():
    duty = duty_at(documentation(), paris(2026, 3, 28, 12))
    # Saturday 28 March 00:00 CET (27th 23:00 UTC) → Monday 00:00 CEST (29th 22:00 UTC).
    assert (duty.since, duty.until) == (utc(2026, 3, 27, 23), utc(2026, 3, 29, 22))
    assert duty.duration == timedelta(hours=47)


def test_the_autumn_weekend_is_an_hour_longer():
    duty = duty_at(documentation(), paris(2026, 10, 25, 2, 30, fold=1))
    # Saturday 24 October 00:00 CEST → Monday 26 October 00:00 CET: 49 hours.
    assert (duty.since, duty.until) == (utc(2026, 10, 23, 22), utc(2026, 10, 25, 23))
    assert duty.duration == timedelta(hours=49)


def test_a_window_in_the_spring_gap_starts_when_the_clocks_have_jumped():
    # Client hours 02:30–04:00 on Sundays: on 29 March 2026, 02:30 does not exist, so
    # the window opens at the first instant after the gap, 03:00 CEST = 01:00 UTC.
    cal = Calendar("night-owls", PARIS, (Window(6, time(2, 30), time(4)),))
    duty = duty_at(cal, paris(2026, 3, 29, 3, 15))
    assert (duty.on_duty, duty.since, duty.until) == (
        "client",
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 2),
    )


def test_a_window_at_a_repeated_time_starts_at_its_first_occurrence():
    # Client hours 02:30–03:30 on Sundays: on 25 October 2026 02:30 happens twice; the
    # first is 02:30 CEST = 00:30 UTC; 03:30 CET = 02:30 UTC. Two real hours.
    cal = Calendar("night-owls", PARIS, (Window(6, time(2, 30), time(3, 30)),))
    duty = duty_at(cal, utc(2026, 10, 25, 1))
    assert (duty.on_duty, duty.since, duty.until) == (
        "client",
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 2, 30),
    )
