"""A calendar that exists can be used: configuration mistakes fail at construction."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from tests.calendars.examples import PARIS, WORKING_WEEK
from veilleur.calendars import Calendar, Closure, Window


def test_a_window_must_end_after_it_starts():
    with pytest.raises(ValueError, match="split hours across midnight"):
        Window(0, time(17), time(8))


def test_a_window_weekday_is_zero_to_six():
    with pytest.raises(ValueError, match="0 for Monday"):
        Window(7, time(8), time(17))


def test_a_window_takes_naive_times():
    with pytest.raises(ValueError, match="naive local times"):
        Window(0, time(8, tzinfo=PARIS), time(17))


def test_a_closure_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="swap them"):
        Closure("fermeture d'été", date(2026, 8, 20), date(2026, 7, 20))


def test_an_adhoc_day_is_a_date_not_an_instant():
    with pytest.raises(ValueError, match="not a date"):
        Calendar("doc", PARIS, WORKING_WEEK, adhoc_days=(datetime(2026, 12, 9),))


@pytest.mark.parametrize("subdivision", ["67", "68", "Bas-Rhin"])
def test_an_unknown_subdivision_names_the_accepted_ones(subdivision: str):
    # The package knows Alsace as "6AE" (or "Alsace"), not by its departments.
    with pytest.raises(ValueError, match="'6AE' \\(Alsace\\)"):
        Calendar("doc", PARIS, WORKING_WEEK, subdivision=subdivision)


def test_an_unknown_country_is_refused():
    with pytest.raises(ValueError, match="country 'XX'"):
        Calendar("doc", PARIS, WORKING_WEEK, country="XX")


@pytest.mark.parametrize("subdivision", ["57", "6AE", "Alsace", "Moselle", "974", "RE"])
def test_the_package_accepts_codes_and_names(subdivision: str):
    Calendar("doc", PARIS, WORKING_WEEK, subdivision=subdivision)
