from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import at
from veilleur.sla.intervals import Change, time_in_states
from veilleur.states import State


def test_it_counts_a_down_spell_inside_the_period():
    changes = [
        Change(at("2026-12-01 00:00"), State.UP),
        Change(at("2026-12-02 10:00"), State.DOWN),
        Change(at("2026-12-02 10:43"), State.UP),
    ]
    times = time_in_states(changes, at("2026-12-02 00:00"), at("2026-12-03 00:00"))
    assert times.down_s == 43 * 60
    assert times.up_s == 24 * 3600 - 43 * 60
    assert times.unknown_s == 0
    # 43 minutes of 1440: 1 - 43/1440.
    assert abs(times.availability - (1 - 43 / 1440)) < 1e-12


def test_it_leaves_time_before_the_first_change_unknown():
    changes = [Change(at("2026-12-02 06:00"), State.UP)]
    times = time_in_states(changes, at("2026-12-02 00:00"), at("2026-12-02 12:00"))
    assert (times.unknown_s, times.up_s) == (6 * 3600, 6 * 3600)
    assert times.availability == 1.0


def test_it_has_no_availability_without_observed_time():
    times = time_in_states([], at("2026-12-02 00:00"), at("2026-12-02 12:00"))
    assert times.availability is None


def test_a_paris_march_has_743_hours():
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 1, tzinfo=paris)
    end = datetime(2026, 4, 1, tzinfo=paris)
    changes = [Change(start.astimezone(UTC), State.UP)]
    times = time_in_states(changes, start, end)
    assert times.up_s == 743 * 3600


states = st.sampled_from(list(State))


@given(
    st.lists(st.tuples(st.integers(0, 10_000), states), max_size=20),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)
def test_time_in_states_is_additive_over_adjacent_periods(raw, a, b, c):
    a, b, c = sorted((a, b, c))
    origin = at("2026-12-01 00:00")
    changes = sorted(
        (Change(origin + timedelta(minutes=m), s) for m, s in raw), key=lambda x: x.at
    )
    t = [origin + timedelta(minutes=m) for m in (a, b, c)]
    whole = time_in_states(changes, t[0], t[2])
    left = time_in_states(changes, t[0], t[1])
    right = time_in_states(changes, t[1], t[2])
    assert whole.up_s == left.up_s + right.up_s
    assert whole.down_s == left.down_s + right.down_s
    assert whole.unknown_s == left.unknown_s + right.unknown_s
    assert whole.up_s + whole.down_s + whole.unknown_s == (t[2] - t[0]).total_seconds()
