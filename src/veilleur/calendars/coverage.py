"""Who is on duty, and how much coverage time lies between two instants.

The problem. The client's operations team works its business hours (documentation
platforms: 08:00–17:00 on working days); the provider covers everything else, around
the clock: nights, weekends, public holidays, the client's closure periods and ad-hoc
coverage days. The contract's clocks (GTI 2 h, GTR 4 h) and its reports need four
answers from this: who is on duty at an instant and why, when that changes, how many
seconds of coverage lie in a period, and which instant is N seconds of coverage after
another. All four are about real elapsed time, while the rules are written in local
wall-clock time and local days.

The approach. Everything is built from local days of the calendar's zone. A day is
cut into segments, each an interval of UTC instants with who is on duty and why:

  1. the day's kind is decided first, with this precedence: an ad-hoc coverage day,
     then a closure, then a public holiday, then a weekend day (a day of the week on
     which the client has no business hours at all). Any of these makes the whole day
     one provider segment, whatever the business hours say;
  2. otherwise it is a working day: its business-hours windows (merged where they
     overlap) are client segments, and the gaps before, between and after them are
     provider "night" segments.

Each local time is turned into a UTC instant once, when its day is cut, and from then
on the arithmetic is on UTC instants only: a duration is a difference of UTC instants,
so it is real elapsed time. Walking a month means cutting about 31 days, a handful of
segments each: the cost is O(days), never O(minutes). A period with the same on_duty,
reason and label across days (Saturday and Sunday; a night from 17:00 to 08:00; the
days of a closure) is the merge of adjacent segments.

The cases that bite.

  * Daylight saving. Python subtracts two datetimes that share a tzinfo as wall-clock
    times: 00:30 to 03:30 on the night clocks go forward would be 3 hours, not 2. No
    subtraction happens here on anything but UTC. A local time skipped by the spring
    change is taken as the first instant after the gap; a local time that happens
    twice in autumn means its first occurrence (DESIGN.md). Hence a day is 23, 24 or
    25 hours long, a Paris March has 743 hours, and a weekend from Friday 17:00 to
    Monday 08:00 lasts 62 real hours in March and 64 in October.
  * Zones where midnight itself is skipped or repeated (Chile moves its clocks at
    midnight): a day starts at its first 00:00, or at the end of the gap, and an
    instant belongs to the day whose [start, next start) holds it, which is not always
    its local date; `_day_of` settles that by comparing instants.
  * Closures spanning years ("fermeture de décembre", 19 December to 3 January): a
    closure is a range of dates, tested day by day, so the year changes nothing. A
    holiday inside a closure (Christmas) is shown as the closure: one period, one name.
  * A holiday on a weekend (All Saints' Day on a Sunday) is a holiday, not a weekend:
    a feed shows "week-end" on the Saturday, then "jour férié : Toussaint". Adjacent
    periods of different reasons or labels are kept apart for that reason; two
    holidays in a row with different names (Christmas and St Stephen's Day in
    Alsace-Moselle) are two periods.
  * Business hours never cross midnight (a window is inside one day), so client
    periods never span days while provider nights always do. A window cannot reach
    24:00 either (`time` has no 24:00); nobody's team works that late, and if one
    did, the microsecond left before midnight would be a provider period.

Alternatives rejected.

  * Stepping through time minute by minute: simple, but a month is 44,640 steps per
    question, and instants between two minutes are wrong by up to a minute.
  * Wall-clock arithmetic on aware local datetimes (adding timedelta(hours=2) to a
    Paris datetime): Python keeps the wall clock and the tzinfo, so the result is off
    by the DST shift whenever it crosses one, and may name a time that does not exist.
  * A precomputed table of periods for a year: fast, but stale the moment a closure or
    an ad-hoc day is added, and it needs its own horizon. Cutting days on demand costs
    microseconds and always reads the calendar as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from veilleur.calendars.model import Calendar, Duty, OnDuty, Reason
from veilleur.calendars.public_holidays import holiday_names
from veilleur.french import long_date

ONE_DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
ADHOC_NOTICE = timedelta(hours=72)

# Walks stop after this many days rather than loop forever on a calendar that never
# changes (no business hours and a country without holidays) or a coverage goal that
# is out of reach. Fifty years is beyond any contract.
HORIZON_DAYS = 50 * 366

LABELS: dict[Reason, str] = {
    "business_hours": "heures ouvrées",
    "night": "nuit",
    "weekend": "week-end",
    "adhoc": "journée ponctuelle de prise en charge",
}
BETWEEN_WINDOWS = "hors heures ouvrées"  # a provider gap inside the working day


@dataclass(frozen=True, slots=True)
class _Segment:
    """A piece of one local day with a single duty; start and end are UTC."""

    start: datetime
    end: datetime
    on_duty: OnDuty
    reason: Reason
    label: str

    def same_period(self, other: _Segment) -> bool:
        """Whether the two belong to one period when they touch."""
        return self.key == other.key

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.on_duty, self.reason, self.label)


# ---------------------------------------------------------------------------
# Public functions


def duty_at(cal: Calendar, instant: datetime) -> Duty:
    """Who is on duty at `instant` and why, over the maximal period around it.

    The period is the longest stretch of adjacent time with the same on_duty, reason
    and label that holds `instant`: a Friday 17:00 is in the night ending Saturday
    00:00, not in one span up to Monday 08:00 (see `next_change` for that).
    """
    moment = as_utc(instant, "instant")

    ahead = _forward(cal, moment)
    current = next(ahead)
    until = current.end
    for segment in ahead:
        if not segment.same_period(current):
            break
        until = segment.end

    since = current.start
    behind = _backward(cal, moment)
    next(behind)  # the current segment again
    for segment in behind:
        if not segment.same_period(current):
            break
        since = segment.start

    return Duty(current.on_duty, current.reason, current.label, since, until)


def next_change(cal: Calendar, instant: datetime) -> datetime:
    """The first instant after `instant` at which on_duty changes (UTC).

    A calendar without business hours is the provider's around the clock and never
    changes: ValueError, rather than an instant that does not exist.
    """
    moment = as_utc(instant, "instant")
    if not cal.business_hours:
        raise ValueError(
            f"calendar {cal.id!r} has no business hours: the provider is always on "
            "duty and there is no next change"
        )

    ahead = _forward(cal, moment)
    current = next(ahead).on_duty
    for segment in ahead:
        if segment.on_duty != current:
            return segment.start
    raise AssertionError("unreachable: _forward stops at the horizon")


def next_change_if_any(cal: Calendar, instant: datetime) -> datetime | None:
    """`next_change`, or None for a calendar whose provider is always on duty."""
    return next_change(cal, instant) if cal.business_hours else None


def coverage_seconds(cal: Calendar, start: datetime, end: datetime) -> float:
    """Real seconds of provider coverage in [start, end); 0 when end <= start."""
    begin, finish = as_utc(start, "start"), as_utc(end, "end")
    if finish <= begin:
        return 0.0

    total = timedelta(0)
    for segment in _forward(cal, begin):
        if segment.start >= finish:
            break
        if segment.on_duty == "provider":
            total += min(segment.end, finish) - max(segment.start, begin)
    return total.total_seconds()


def add_coverage(
    cal: Calendar, start: datetime, seconds: float, party: OnDuty = "provider"
) -> datetime:
    """The instant `seconds` of provider coverage after `start` (UTC).

    With ``party="client"`` the same, counting the client's business hours instead
    (for a scope whose provider works during business hours only).

    Precisely: the smallest t >= start with coverage_seconds(start, t) >= seconds.
    So 0 gives `start` itself, even inside business hours; a positive amount asked
    during business hours starts counting when coverage starts; and an amount used up
    exactly at the end of a provider period gives that end (17:00 to 08:00 is
    53,100 s of a night), not the start of the next provider period. Instants have a
    microsecond resolution: `seconds` is met at the first microsecond that reaches it.
    """
    begin = as_utc(start, "start")
    need = _microseconds_reaching(seconds)
    if need == timedelta(0):
        return begin

    for segment in _forward(cal, begin):
        if segment.on_duty != party:
            continue
        first = max(segment.start, begin)
        available = segment.end - first
        if available >= need:
            return first + need
        need -= available
    raise AssertionError("unreachable: _forward stops at the horizon")


def provider_periods(cal: Calendar, start: datetime, end: datetime) -> list[Duty]:
    """The provider's duty periods overlapping [start, end), clipped to it.

    Adjacent periods are merged only when reason and label agree: a Saturday and
    Sunday make one "week-end", but a weekend followed by a holiday stays two
    periods, as a calendar feed should show them.
    """
    begin, finish = as_utc(start, "start"), as_utc(end, "end")
    periods: list[Duty] = []
    if finish <= begin:
        return periods

    for segment in _forward(cal, begin):
        if segment.start >= finish:
            break
        if segment.on_duty != "provider":
            continue
        since, until = max(segment.start, begin), min(segment.end, finish)
        last = periods[-1] if periods else None
        if (
            last is not None
            and last.until == since
            and (last.reason, last.label) == (segment.reason, segment.label)
        ):
            periods[-1] = replace(last, until=until)
        else:
            periods.append(
                Duty("provider", segment.reason, segment.label, since, until)
            )
    return periods


def adhoc_request_problem(
    day: date, requested_at: datetime, zone: ZoneInfo
) -> str | None:
    """Why an ad-hoc coverage day asked at `requested_at` cannot be granted, in French.

    None when the request comes at least 72 hours of real elapsed time before the
    day's local 00:00: across the autumn change, three calendar days are 73 hours,
    across the spring change only 71.
    """
    asked = as_utc(requested_at, "requested_at")
    day_start = local_instant(zone, day, time(0))
    if asked >= local_instant(zone, day + ONE_DAY, time(0)):
        return f"la journée du {long_date(day)} est déjà passée"
    if asked >= day_start:
        return f"la journée du {long_date(day)} a déjà commencé"

    notice = day_start - asked
    if notice >= ADHOC_NOTICE:
        return None
    minutes = int(notice.total_seconds() // 60)  # floored: never shows 72 h too early
    hours, minutes = divmod(minutes, 60)
    return (
        f"demandée {hours} h {minutes:02d} min avant le début de la journée ; "
        "72 h sont requises"
    )


def local_instant(zone: ZoneInfo, day: date, at: time) -> datetime:
    """The UTC instant of the local time `at` on `day` in `zone`.

    A local time that does not exist (skipped by a spring change) gives the first
    instant after the gap; one that happens twice (autumn) gives its first occurrence.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    # fold=0 reads a repeated or skipped time with the offset from before the change,
    # fold=1 with the offset from after it (PEP 495).
    before = wall.replace(tzinfo=zone).astimezone(UTC)
    after = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if before <= after:
        return before  # exists once, or twice and `before` is the first occurrence
    return _end_of_gap(zone, after, before)


# ---------------------------------------------------------------------------
# Cutting days into segments


def _day_segments(cal: Calendar, day: date) -> list[_Segment]:
    """The segments of one local day, in order, covering it exactly."""
    start = local_instant(cal.zone, day, time(0))
    end = local_instant(cal.zone, day + ONE_DAY, time(0))
    if end <= start:
        return []  # a day skipped entirely by its zone (Samoa, 30 December 2011)

    whole = _whole_day(cal, day)
    if whole is not None:
        reason, label = whole
        return [_Segment(start, end, "provider", reason, label)]

    segments: list[_Segment] = []
    cursor = start
    for window_start, window_end in _windows(cal, day):
        opens = local_instant(cal.zone, day, window_start)
        closes = local_instant(cal.zone, day, window_end)
        if opens > cursor:
            label = LABELS["night"] if cursor == start else BETWEEN_WINDOWS
            segments.append(_Segment(cursor, opens, "provider", "night", label))
        if closes > opens:  # empty when the whole window falls in a DST gap
            segments.append(
                _Segment(
                    opens, closes, "client", "business_hours", LABELS["business_hours"]
                )
            )
        cursor = max(cursor, closes)
    if cursor < end:
        segments.append(_Segment(cursor, end, "provider", "night", LABELS["night"]))
    return segments


def _whole_day(cal: Calendar, day: date) -> tuple[Reason, str] | None:
    """Why the provider covers all of `day`, by precedence; None on a working day."""
    if day in cal.adhoc_days:
        return "adhoc", LABELS["adhoc"]
    for closure in cal.closures:
        if closure.first_day <= day <= closure.last_day:
            return "closure", closure.name
    names = holiday_names(cal.country, cal.subdivision, day)
    if names:
        return "holiday", "jour férié : " + ", ".join(names)
    if not any(window.weekday == day.weekday() for window in cal.business_hours):
        return "weekend", LABELS["weekend"]
    return None


def _windows(cal: Calendar, day: date) -> list[tuple[time, time]]:
    """The day's business-hours windows, sorted, overlapping ones merged."""
    merged: list[tuple[time, time]] = []
    ordered = sorted(
        (w for w in cal.business_hours if w.weekday == day.weekday()),
        key=lambda window: window.start,
    )
    for window in ordered:
        if merged and window.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], window.end))
        else:
            merged.append((window.start, window.end))
    return merged


# ---------------------------------------------------------------------------
# Walking the timeline


def _forward(cal: Calendar, moment: datetime) -> Iterator[_Segment]:
    """Segments in time order, starting with the one that holds `moment`."""
    day = _day_of(cal, moment)
    for _ in range(HORIZON_DAYS):
        for segment in _day_segments(cal, day):
            if segment.end > moment:
                yield segment
        day += ONE_DAY
    raise _beyond_horizon(cal, moment)


def _backward(cal: Calendar, moment: datetime) -> Iterator[_Segment]:
    """Segments in reverse time order, starting with the one that holds `moment`."""
    day = _day_of(cal, moment)
    for _ in range(HORIZON_DAYS):
        for segment in reversed(_day_segments(cal, day)):
            if segment.start <= moment:
                yield segment
        day -= ONE_DAY
    raise _beyond_horizon(cal, moment)


def _day_of(cal: Calendar, moment: datetime) -> date:
    """The local day whose [start, next day's start) holds `moment`."""
    day = moment.astimezone(cal.zone).date()
    while moment < local_instant(cal.zone, day, time(0)):
        day -= ONE_DAY
    while moment >= local_instant(cal.zone, day + ONE_DAY, time(0)):
        day += ONE_DAY
    return day


def _beyond_horizon(cal: Calendar, moment: datetime) -> ValueError:
    return ValueError(
        f"calendar {cal.id!r}: no answer within {HORIZON_DAYS} days of {moment}; "
        "does the calendar have business hours?"
    )


# ---------------------------------------------------------------------------
# Instants


def as_utc(instant: datetime, name: str) -> datetime:
    """`instant` in UTC; ValueError naming `name` when it is naive."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{name} {instant.isoformat()} has no time zone: pass an aware datetime, "
            "e.g. datetime(..., tzinfo=UTC)"
        )
    return instant.astimezone(UTC)


def _end_of_gap(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The instant the clocks jump forward, between `low` (before) and `high`.

    Found by bisection on microseconds: about 32 steps for a one-hour gap, and only
    for local times that do not exist.
    """
    offset_before = low.astimezone(zone).utcoffset()
    while high - low > MICROSECOND:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high


def _microseconds_reaching(seconds: float) -> timedelta:
    """The fewest whole microseconds n with n / 1e6 >= seconds (as floats compare)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(
            f"seconds must be a finite number >= 0, not {seconds!r}: it is an amount "
            "of coverage time"
        )
    count = round(seconds * 1_000_000)
    while count / 1_000_000 < seconds:
        count += 1
    while count > 0 and (count - 1) / 1_000_000 >= seconds:
        count -= 1
    return timedelta(microseconds=count)
