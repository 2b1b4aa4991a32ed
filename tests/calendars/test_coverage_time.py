"""Coverage time in real seconds: coverage_seconds, add_coverage, provider_periods.

An ordinary week of the documentation calendar: 5 working days × 15 h (17:00–08:00)
plus 48 h of weekend = 123 h of provider coverage.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.calendars.examples import (
    DECEMBER_CLOSURE,
    around_the_clock,
    documentation,
    paris,
    utc,
)
from veilleur.calendars import add_coverage, coverage_seconds, provider_periods

HOUR = 3600


def test_an_ordinary_week_has_123_hours_of_coverage():
    cal = documentation()
    seconds = coverage_seconds(cal, paris(2026, 12, 7), paris(2026, 12, 14))
    assert seconds == 123 * HOUR


def test_the_spring_weekend_lasts_62_real_hours():
    # Friday 27 March 17:00 → Monday 30 March 08:00: 63 hours on the wall clock, but
    # the clocks skip 02:00 → 03:00 on Sunday: 62 real hours.
    cal = documentation()
    seconds = coverage_seconds(cal, paris(2026, 3, 27, 17), paris(2026, 3, 30, 8))
    assert seconds == 62 * HOUR


def test_the_autumn_weekend_lasts_64_real_hours():
    # Friday 23 October 17:00 → Monday 26 October 08:00: 03:00 → 02:00 on Sunday
    # repeats an hour: 64 real hours.
    cal = documentation()
    seconds = coverage_seconds(cal, paris(2026, 10, 23, 17), paris(2026, 10, 26, 8))
    assert seconds == 64 * HOUR


def test_a_paris_march_has_743_hours():
    march = (paris(2026, 3, 1), paris(2026, 4, 1))
    assert coverage_seconds(around_the_clock(), *march) == 743 * HOUR


def test_the_documentation_calendar_covers_545_hours_of_march():
    # March 2026 starts on a Sunday: 22 working days (2–6, 9–13, 16–20, 23–27, 30–31)
    # and 9 weekend days (1, 7–8, 14–15, 21–22, 28–29), no holiday.
    # 22 × 15 h + 9 × 24 h = 546 h on the wall clock, less the hour skipped on
    # Sunday 29th: 545 h. The client has 22 × 9 = 198 h; 545 + 198 = 743.
    seconds = coverage_seconds(documentation(), paris(2026, 3, 1), paris(2026, 4, 1))
    assert seconds == 545 * HOUR


def test_december_with_its_closure_has_618_hours_of_coverage():
    # December 2026 starts on a Tuesday. Before the closure (1–18): 14 working days
    # (1–4, 7–11, 14–18) × 15 h = 210 h, and 4 weekend days (5–6, 12–13) × 24 h = 96 h.
    # The closure covers 19–31: 13 days × 24 h = 312 h. 210 + 96 + 312 = 618 h,
    # i.e. the month's 744 h less the client's 14 × 9 = 126 h.
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    seconds = coverage_seconds(cal, paris(2026, 12, 1), paris(2027, 1, 1))
    assert seconds == 618 * HOUR


def test_december_without_the_closure_has_546_hours_of_coverage():
    # 22 working days × 15 h = 330 h, 8 weekend days × 24 h = 192 h, Christmas 24 h.
    seconds = coverage_seconds(documentation(), paris(2026, 12, 1), paris(2027, 1, 1))
    assert seconds == 546 * HOUR


def test_the_closure_spans_the_year_end():
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    # 19 December 00:00 → 4 January 00:00: 16 whole days.
    assert (
        coverage_seconds(cal, paris(2026, 12, 19), paris(2027, 1, 4)) == 16 * 24 * HOUR
    )


def test_business_hours_count_for_nothing():
    cal = documentation()
    assert coverage_seconds(cal, paris(2026, 12, 7, 8), paris(2026, 12, 7, 17)) == 0.0
    assert coverage_seconds(cal, paris(2026, 12, 7, 16), paris(2026, 12, 7, 18)) == HOUR


def test_an_empty_or_backward_range_has_no_coverage():
    cal = documentation()
    assert coverage_seconds(cal, paris(2026, 12, 5), paris(2026, 12, 5)) == 0.0
    assert coverage_seconds(cal, paris(2026, 12, 6), paris(2026, 12, 5)) == 0.0


def test_it_refuses_naive_bounds():
    with pytest.raises(ValueError, match=r"end .* no time zone"):
        coverage_seconds(documentation(), paris(2026, 12, 5), datetime(2026, 12, 6))


# add_coverage


def test_two_hours_after_half_past_midnight_on_the_spring_night_is_half_past_three():
    # Sunday 29 March 2026: 00:30 CET + 2 real hours = 01:30 UTC = 03:30 CEST.
    end = add_coverage(documentation(), paris(2026, 3, 29, 0, 30), 2 * HOUR)
    assert end == paris(2026, 3, 29, 3, 30) == utc(2026, 3, 29, 1, 30)


def test_four_hours_after_saturday_half_past_eleven_in_spring():
    # Saturday 23:30 CET = 22:30 UTC; + 4 h = 02:30 UTC = 04:30 CEST on the wall.
    end = add_coverage(documentation(), paris(2026, 3, 28, 23, 30), 4 * HOUR)
    assert end == utc(2026, 3, 29, 2, 30)


def test_two_hours_after_half_past_one_on_the_autumn_night_is_half_past_two_again():
    # Sunday 25 October: 01:30 CEST = 23:30 UTC; + 2 h = 01:30 UTC = 02:30 CET, the
    # second 02:30 of the night. NB: an aware datetime with fold=1 in a repeated hour
    # never compares equal across zones (PEP 495), hence the explicit conversion.
    end = add_coverage(documentation(), paris(2026, 10, 25, 1, 30), 2 * HOUR)
    second_half_past_two = paris(2026, 10, 25, 2, 30, fold=1).astimezone(UTC)
    assert end == utc(2026, 10, 25, 1, 30) == second_half_past_two


def test_a_gti_raised_at_four_pm_runs_into_the_evening():
    # Monday 16:00: the client's hour does not count; the 2 h start at 17:00: 19:00.
    end = add_coverage(documentation(), paris(2026, 12, 7, 16), 2 * HOUR)
    assert end == paris(2026, 12, 7, 19)


def test_a_gtr_started_at_half_past_six_pauses_over_the_day():
    # Tuesday 06:30: 1 h 30 until 08:00, then 2 h 30 from 17:00: 19:30.
    end = add_coverage(documentation(), paris(2026, 12, 8, 6, 30), 4 * HOUR)
    assert end == paris(2026, 12, 8, 19, 30)


def test_coverage_used_up_at_eight_ends_at_eight():
    # Monday 17:00 → Tuesday 08:00 is 15 h: the smallest end is 08:00, not 17:00.
    end = add_coverage(documentation(), paris(2026, 12, 7, 17), 15 * HOUR)
    assert end == paris(2026, 12, 8, 8)


def test_zero_coverage_is_the_start_itself_even_in_business_hours():
    start = paris(2026, 12, 7, 10)
    assert add_coverage(documentation(), start, 0) == start


def test_a_tiny_amount_in_business_hours_waits_for_the_handover():
    end = add_coverage(documentation(), paris(2026, 12, 7, 10), 0.000001)
    assert end == paris(2026, 12, 7, 17) + timedelta(microseconds=1)


def test_a_friday_evening_gtr_crosses_the_weekend():
    # Friday 4 December 16:00 + 63 h: 17:00 → Monday 08:00 is exactly 63 h.
    end = add_coverage(documentation(), paris(2026, 12, 4, 16), 63 * HOUR)
    assert end == paris(2026, 12, 7, 8)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_it_refuses_a_negative_or_endless_amount(bad: float):
    with pytest.raises(ValueError, match="finite number"):
        add_coverage(documentation(), paris(2026, 12, 7, 10), bad)


# provider_periods


def test_the_feed_shows_weekend_then_holiday_apart():
    # Moselle, Christmas 2026: Thursday 24 17:00 → Friday 00:00 "nuit", Friday 25
    # "Noël", Saturday 26 "Saint-Étienne", Sunday 27 "week-end", Monday 00:00–08:00.
    periods = provider_periods(
        documentation("57"), paris(2026, 12, 24, 12), paris(2026, 12, 28, 12)
    )
    assert [(p.label, p.since, p.until) for p in periods] == [
        ("nuit", utc(2026, 12, 24, 16), utc(2026, 12, 24, 23)),
        ("jour férié : Noël", utc(2026, 12, 24, 23), utc(2026, 12, 25, 23)),
        ("jour férié : Saint-Étienne", utc(2026, 12, 25, 23), utc(2026, 12, 26, 23)),
        ("week-end", utc(2026, 12, 26, 23), utc(2026, 12, 27, 23)),
        ("nuit", utc(2026, 12, 27, 23), utc(2026, 12, 28, 7)),
    ]


def test_periods_are_clipped_to_the_range():
    periods = provider_periods(
        documentation(), paris(2026, 12, 5, 12), paris(2026, 12, 8, 3)
    )
    assert [(p.label, p.since, p.until) for p in periods] == [
        ("week-end", utc(2026, 12, 5, 11), utc(2026, 12, 6, 23)),
        ("nuit", utc(2026, 12, 6, 23), utc(2026, 12, 7, 7)),
        ("nuit", utc(2026, 12, 7, 16), utc(2026, 12, 8, 2)),
    ]


def test_the_closure_is_one_period_between_two_nights():
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    periods = provider_periods(cal, paris(2026, 12, 18, 12), paris(2027, 1, 5))
    assert [(p.label, p.since, p.until) for p in periods] == [
        ("nuit", utc(2026, 12, 18, 16), utc(2026, 12, 18, 23)),
        ("fermeture de décembre", utc(2026, 12, 18, 23), utc(2027, 1, 3, 23)),
        ("nuit", utc(2027, 1, 3, 23), utc(2027, 1, 4, 7)),
        ("nuit", utc(2027, 1, 4, 16), utc(2027, 1, 4, 23)),
    ]


def test_periods_add_up_to_the_coverage():
    cal = documentation(closures=(DECEMBER_CLOSURE,))
    start, end = paris(2026, 12, 1), paris(2027, 1, 1)
    total = sum((p.duration for p in provider_periods(cal, start, end)), timedelta(0))
    assert total.total_seconds() == coverage_seconds(cal, start, end) == 618 * HOUR
