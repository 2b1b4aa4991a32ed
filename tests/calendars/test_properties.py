"""Properties of coverage arithmetic on random calendars and instants, 2026–2027.

Random calendars have random business hours (some in the small hours, so that the
DST changes cut through them), closures and ad-hoc days, in zones chosen for their
quirks: Paris, Santiago (clocks change at midnight, so some days start at 01:00),
Lord Howe (a 30-minute change) and Kolkata (no change). Instants are drawn with
microseconds, and often close to a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur.calendars import (
    Calendar,
    Closure,
    Window,
    add_coverage,
    coverage_seconds,
    duty_at,
    next_change,
    provider_periods,
)

MICROSECOND = timedelta(microseconds=1)
ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Paris",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
    )
]
DST_CHANGES = [  # UTC instants of changes in 2026–2027 of the zones above
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2027, 3, 28, 1, tzinfo=UTC),
    datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago, 24:00 → 23:00
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago, 24:00 → 01:00
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe, 02:00 → 01:30
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Lord Howe, 02:00 → 02:30
]


SETTINGS = settings(max_examples=200, deadline=None)

minutes_of_day = st.integers(0, 24 * 60 - 1)


@st.composite
def windows(draw: st.DrawFn) -> Window:
    a, b = draw(minutes_of_day), draw(minutes_of_day)
    if a == b:
        b = a + 1
    low, high = sorted((a, b))
    end = time(23, 59, 59, 999_999) if high == 24 * 60 else time(*divmod(high, 60))
    return Window(draw(st.integers(0, 6)), time(*divmod(low, 60)), end)


days = st.dates(date(2025, 12, 1), date(2028, 1, 31))


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    first = draw(days)
    return Closure("fermeture", first, first + timedelta(days=draw(st.integers(0, 40))))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    return Calendar(
        id="random",
        zone=draw(st.sampled_from(ZONES)),
        business_hours=tuple(draw(st.lists(windows(), min_size=1, max_size=8))),
        subdivision=draw(st.sampled_from([None, "57", "974"])),
        closures=tuple(draw(st.lists(closures(), max_size=3))),
        adhoc_days=tuple(draw(st.lists(days, max_size=4))),
    )


anywhere = st.datetimes(
    datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)
)
near_a_change = st.builds(
    lambda change, offset: change + timedelta(microseconds=offset),
    st.sampled_from(DST_CHANGES),
    st.integers(-3 * 86_400_000_000, 3 * 86_400_000_000),
)
instants = st.one_of(anywhere, near_a_change)
spans = st.integers(0, 10 * 86_400_000_000).map(lambda us: timedelta(microseconds=us))


def real_seconds(a: datetime, b: datetime) -> float:
    return (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds()


def in_microseconds(seconds: float) -> int:
    return round(seconds * 1_000_000)


@SETTINGS
@given(calendars(), instants, spans, spans)
def test_coverage_is_additive_over_adjacent_ranges(cal, a, first, second):
    b, c = a + first, a + first + second
    parts = in_microseconds(coverage_seconds(cal, a, b)) + in_microseconds(
        coverage_seconds(cal, b, c)
    )
    assert parts == in_microseconds(coverage_seconds(cal, a, c))


@SETTINGS
@given(calendars(), instants, spans)
def test_coverage_never_exceeds_the_real_time(cal, a, span):
    assert 0 <= coverage_seconds(cal, a, a + span) <= real_seconds(a, a + span)


@SETTINGS
@given(calendars(), instants, st.integers(0, 5 * 86_400_000_000))
def test_add_coverage_gives_the_smallest_end(cal, start, amount_us):
    seconds = amount_us / 1_000_000
    end = add_coverage(cal, start, seconds)
    assert end >= start
    assert coverage_seconds(cal, start, end) == seconds
    if seconds > 0:
        assert coverage_seconds(cal, start, end - MICROSECOND) < seconds
        assert duty_at(cal, end - MICROSECOND).on_duty == "provider"


@SETTINGS
@given(calendars(), instants, spans, st.data())
def test_duty_at_agrees_with_provider_periods(cal, start, span, data):
    end = start + span + MICROSECOND
    probe = start + timedelta(
        microseconds=data.draw(st.integers(0, span // MICROSECOND))
    )
    periods = provider_periods(cal, start, end)
    holding = [p for p in periods if p.since <= probe < p.until]
    duty = duty_at(cal, probe)
    if holding:
        (period,) = holding
        assert (duty.on_duty, duty.reason, duty.label) == (
            "provider",
            period.reason,
            period.label,
        )
        assert duty.since <= period.since and period.until <= duty.until
    else:
        assert duty.on_duty == "client"


@SETTINGS
@given(calendars(), instants, spans)
def test_provider_periods_add_up_to_the_coverage(cal, start, span):
    periods = provider_periods(cal, start, start + span)
    total = sum((p.until - p.since for p in periods), timedelta(0))
    assert total.total_seconds() == coverage_seconds(cal, start, start + span)
    for before, after in pairwise(periods):
        assert before.until <= after.since
        if before.until == after.since:
            assert (before.reason, before.label) != (after.reason, after.label)


@SETTINGS
@given(calendars(), instants)
def test_duty_periods_are_maximal(cal, instant):
    duty = duty_at(cal, instant)
    assert duty.since <= instant < duty.until
    assert duty.since.utcoffset() == duty.until.utcoffset() == timedelta(0)
    for inside in (duty.since, duty.until - MICROSECOND):
        assert duty_at(cal, inside) == duty
    for outside in (duty.since - MICROSECOND, duty.until):
        other = duty_at(cal, outside)
        assert (other.on_duty, other.reason, other.label) != (
            duty.on_duty,
            duty.reason,
            duty.label,
        )


@SETTINGS
@given(calendars(), instants)
def test_next_change_changes_and_nothing_changes_before_it(cal, instant):
    now = duty_at(cal, instant).on_duty
    change = next_change(cal, instant)
    assert change > instant
    assert duty_at(cal, change).on_duty != now
    assert duty_at(cal, change - MICROSECOND).on_duty == now
    covered = coverage_seconds(cal, instant, change)
    assert covered == (real_seconds(instant, change) if now == "provider" else 0.0)
