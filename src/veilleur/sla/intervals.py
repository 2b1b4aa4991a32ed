"""Time spent in each state over a period, from the recorded state changes.

A check's history is a step function: its state holds from one change to the next. The
time in each state over [start, end) is the sum of the overlaps of those steps with the
period. The state before the first change inside the period is the state set by the
last change before it, or UNKNOWN when there is none (the check did not exist, or was
never probed).

Durations are real elapsed time, so a period that crosses a daylight-saving change has
its true length. NB: Python subtracts two datetimes that share a tzinfo as wall-clock
times (a Paris March would come out 744 hours long, not 743), so every instant is
converted to UTC before any subtraction.

Availability is up / (up + down): time with no data is neither, and is shown beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from veilleur.states import State


@dataclass(frozen=True)
class Change:
    at: datetime
    state: State  # the state that begins at `at`


@dataclass(frozen=True)
class StateTimes:
    up_s: float
    down_s: float
    unknown_s: float

    @property
    def availability(self) -> float | None:
        """Share of the observed time spent UP, or None when nothing was observed."""
        observed = self.up_s + self.down_s
        return None if observed == 0 else self.up_s / observed


def time_in_states(
    changes: Iterable[Change], start: datetime, end: datetime
) -> StateTimes:
    """Seconds in each state over [start, end); `changes` sorted by time, any range."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return StateTimes(0.0, 0.0, 0.0)
    totals = {State.UP: 0.0, State.DOWN: 0.0, State.UNKNOWN: 0.0}
    state, since = State.UNKNOWN, start
    for change in changes:
        moment = change.at.astimezone(UTC)
        if moment <= start:
            state = change.state
            continue
        if moment >= end:
            break
        totals[state] += (moment - since).total_seconds()
        state, since = change.state, moment
    totals[state] += (end - since).total_seconds()
    return StateTimes(totals[State.UP], totals[State.DOWN], totals[State.UNKNOWN])
