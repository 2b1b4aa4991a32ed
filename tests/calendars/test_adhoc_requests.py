"""An ad-hoc coverage day must be asked at least 72 real hours before it starts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.calendars.examples import PARIS, paris
from veilleur.calendars import adhoc_request_problem

WEDNESDAY = date(2026, 12, 9)  # starts 00:00 CET = Tuesday 8 December 23:00 UTC


def test_it_accepts_a_request_exactly_72_hours_ahead():
    assert adhoc_request_problem(WEDNESDAY, paris(2026, 12, 6), PARIS) is None


def test_it_refuses_a_request_71_hours_59_minutes_ahead():
    problem = adhoc_request_problem(WEDNESDAY, paris(2026, 12, 6, 0, 1), PARIS)
    assert problem == (
        "demandée 71 h 59 min avant le début de la journée ; 72 h sont requises"
    )


def test_it_floors_the_notice_to_the_minute():
    # 71 h 59 min 59.999999 s ahead: still shown as 71 h 59, never as 72 h.
    asked = paris(2026, 12, 6) + timedelta(microseconds=1)
    assert "71 h 59 min" in (adhoc_request_problem(WEDNESDAY, asked, PARIS) or "")


def test_it_says_how_late_a_request_is():
    asked = paris(2026, 12, 7, 21, 30)  # Monday: 2 h 30 + 24 h before Wednesday
    problem = adhoc_request_problem(WEDNESDAY, asked, PARIS)
    assert problem is not None and problem.startswith("demandée 26 h 30 min avant")


def test_a_day_already_started_is_refused_apart():
    problem = adhoc_request_problem(WEDNESDAY, paris(2026, 12, 9, 10), PARIS)
    assert problem == "la journée du 9 décembre 2026 a déjà commencé"
    at_midnight = adhoc_request_problem(WEDNESDAY, paris(2026, 12, 9), PARIS)
    assert at_midnight == "la journée du 9 décembre 2026 a déjà commencé"


def test_a_past_day_is_refused_apart():
    problem = adhoc_request_problem(WEDNESDAY, paris(2026, 12, 10), PARIS)
    assert problem == "la journée du 9 décembre 2026 est déjà passée"
    first = adhoc_request_problem(date(2026, 12, 1), paris(2026, 12, 3), PARIS)
    assert first == "la journée du 1er décembre 2026 est déjà passée"


def test_three_autumn_days_are_73_hours():
    # Tuesday 27 October 00:00 CET = Monday 26 October 23:00 UTC. Saturday 24 October
    # 00:00 CEST = Friday 23 October 22:00 UTC: 73 real hours, accepted. At 01:00 CEST
    # it is exactly 72 h (71 on the wall clock): still accepted; a minute later, not.
    tuesday = date(2026, 10, 27)
    assert adhoc_request_problem(tuesday, paris(2026, 10, 24), PARIS) is None
    assert adhoc_request_problem(tuesday, paris(2026, 10, 24, 1), PARIS) is None
    late = adhoc_request_problem(tuesday, paris(2026, 10, 24, 1, 1), PARIS)
    assert late is not None and late.startswith("demandée 71 h 59 min")


def test_three_spring_days_are_only_71_hours():
    # Monday 30 March 00:00 CEST = Sunday 29 March 22:00 UTC; Friday 27 March 00:00 CET
    # = Thursday 26 March 23:00 UTC: 71 real hours.
    problem = adhoc_request_problem(date(2026, 3, 30), paris(2026, 3, 27), PARIS)
    assert problem is not None and problem.startswith("demandée 71 h 00 min")
    assert (
        adhoc_request_problem(date(2026, 3, 30), paris(2026, 3, 26, 23), PARIS) is None
    )


def test_it_refuses_a_naive_request_time():
    with pytest.raises(ValueError, match="requested_at"):
        adhoc_request_problem(WEDNESDAY, datetime(2026, 12, 1), PARIS)
