"""Deadlines and what the clocks make due, on the documentation platforms' calendar
(client's team 08:00–17:00 on working days, Europe/Paris; in December Paris is UTC+1).
"""

from datetime import timedelta

from tests.conftest import at
from tests.incidents.contract_fixture import contract_inventory
from veilleur.incidents.clocks import (
    RUNNING,
    Action,
    ClockState,
    deadlines,
    due_actions,
    stop_status,
)


def scope_and_calendar(counting="coverage"):
    scope = contract_inventory(counting=counting).scope("documentation")
    return scope, scope.calendar


def test_an_out_of_hours_incident_is_due_two_and_four_hours_later():
    scope, cal = scope_and_calendar()
    # Friday 4 December, 18:00 Paris = 17:00 UTC: the provider is on duty.
    due = deadlines(scope, cal, at("2026-12-04 17:00"))
    assert (due.gti, due.gtr) == (at("2026-12-04 19:00"), at("2026-12-04 21:00"))


def test_business_hours_do_not_count_towards_the_deadlines():
    scope, cal = scope_and_calendar()
    # Friday 16:00 Paris (15:00 UTC): coverage starts at 17:00 Paris, so GTI is due at
    # 19:00 Paris (18:00 UTC) and GTR at 21:00 Paris (20:00 UTC).
    due = deadlines(scope, cal, at("2026-12-04 15:00"))
    assert (due.gti, due.gtr) == (at("2026-12-04 18:00"), at("2026-12-04 20:00"))


def test_a_late_night_incident_stops_counting_at_eight():
    scope, cal = scope_and_calendar()
    # Thursday 3 December 07:00 Paris (06:00 UTC): one hour of coverage left, then
    # business hours until 17:00 Paris. GTI: 1 h before 08:00 + 1 h from 17:00 = 18:00
    # Paris (17:00 UTC). GTR: 1 h + 3 h = 20:00 Paris (19:00 UTC).
    due = deadlines(scope, cal, at("2026-12-03 06:00"))
    assert (due.gti, due.gtr) == (at("2026-12-03 17:00"), at("2026-12-03 19:00"))


def test_round_the_clock_counting_ignores_the_calendar():
    scope, cal = scope_and_calendar("round_the_clock")
    due = deadlines(scope, cal, at("2026-12-04 15:00"))
    assert (due.gti, due.gtr) == (at("2026-12-04 17:00"), at("2026-12-04 19:00"))


def test_business_hours_counting_counts_only_the_teams_hours():
    scope, cal = scope_and_calendar("business_hours")
    # Friday 16:00 Paris: 1 h left on Friday, then Monday 08:00 Paris + 1 h = 09:00
    # Paris (08:00 UTC) for GTI; GTR: Monday 11:00 Paris (10:00 UTC).
    due = deadlines(scope, cal, at("2026-12-04 15:00"))
    assert (due.gti, due.gtr) == (at("2026-12-07 08:00"), at("2026-12-07 10:00"))


def state(**changes):
    base = dict(
        opened_at=at("2026-12-04 17:00"),
        acknowledged=False,
        restored=False,
        out_of_hours=True,
        handed_over=False,
        gti_due=at("2026-12-04 19:00"),
        gtr_due=at("2026-12-04 21:00"),
        gti_status=RUNNING,
        gtr_status=RUNNING,
        gti_warned=False,
        gtr_warned=False,
    )
    return ClockState(**{**base, **changes})


def test_nothing_is_due_right_after_opening():
    scope, cal = scope_and_calendar()
    assert due_actions(state(), scope, cal, at("2026-12-04 17:10")) == []


def test_the_second_step_is_called_after_thirty_minutes_without_acknowledgement():
    scope, cal = scope_and_calendar()
    assert due_actions(state(), scope, cal, at("2026-12-04 17:30")) == [
        Action("escalate", step=1)
    ]
    acked = state(acknowledged=True)
    assert due_actions(acked, scope, cal, at("2026-12-04 17:30")) == []


def test_it_warns_thirty_minutes_before_a_deadline_then_marks_the_breach():
    scope, cal = scope_and_calendar()
    acked = state(acknowledged=True)
    assert due_actions(acked, scope, cal, at("2026-12-04 20:31")) == [
        Action("warn", clock="gtr")
    ]
    warned = state(acknowledged=True, gtr_warned=True)
    assert due_actions(warned, scope, cal, at("2026-12-04 20:45")) == []
    assert due_actions(warned, scope, cal, at("2026-12-04 21:00")) == [
        Action("breach", clock="gtr")
    ]


def test_it_hands_over_at_eight_on_monday():
    scope, cal = scope_and_calendar()
    # Sunday 6 December 22:00 Paris; Monday 08:00 Paris is 07:00 UTC.
    sunday = state(opened_at=at("2026-12-06 21:00"), acknowledged=True,
                   gti_due=at("2026-12-06 23:00"), gtr_due=at("2026-12-07 01:00"),
                   gtr_status="breached")  # fmt: skip
    assert due_actions(sunday, scope, cal, at("2026-12-07 06:59")) == []
    # GTR was already marked breached; GTI needs no watch once acknowledged.
    assert due_actions(sunday, scope, cal, at("2026-12-07 07:00")) == [
        Action("handover")
    ]
    unwatched = state(opened_at=at("2026-12-06 21:00"),
                      gti_due=at("2026-12-06 23:00"), gtr_due=at("2026-12-07 01:00"))  # fmt: skip
    assert due_actions(unwatched, scope, cal, at("2026-12-07 07:00")) == [
        Action("breach", clock="gti"),
        Action("breach", clock="gtr"),
        Action("handover"),
    ]


def test_stopping_a_clock_says_met_or_breached():
    due = at("2026-12-04 19:00")
    assert stop_status(due, RUNNING, due) == "met"
    assert stop_status(due, RUNNING, due + timedelta(seconds=1)) == "breached"
    assert stop_status(due, "handed_over", due) == "handed_over"
