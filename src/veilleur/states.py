"""Check states and the rule that turns probe results into state changes.

A check is UP, DOWN or UNKNOWN. UNKNOWN means Veilleur does not know: the check was never
probed, or its probe could not run at all (a missing password, a driver error). A single
failed probe does not make a check DOWN: `failures` consecutive failures do, and
`successes` consecutive good probes bring a DOWN check back UP. This damps the blips of
a busy network without hiding a real outage for long.

When the state does change, the change is dated at the *first* probe of the streak that
confirmed it, not at the probe that tipped it over: a service whose three probes failed
at 10:00, 10:01 and 10:02 has been down since 10:00, and availability must count those
two minutes. The instant the change was confirmed is kept beside it as `detected_at`;
incidents open at that instant (the contract's clocks start when the alert is raised).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class State(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class Result(enum.StrEnum):
    """What one probe said."""

    OK = "ok"
    FAILED = "failed"  # the service answered badly or not at all
    ERROR = "error"  # the probe itself could not run


@dataclass(slots=True)
class Tracker:
    """Per-check memory between probes; lives in the engine, rebuilt after a restart."""

    state: State = State.UNKNOWN
    streak_result: Result | None = None  # the result repeated by the current streak
    streak_length: int = 0
    streak_started: datetime | None = None  # time of the streak's first probe


@dataclass(frozen=True, slots=True)
class StateChange:
    old: State
    new: State
    at: datetime  # when the new state began (first probe of the confirming streak)
    detected_at: datetime  # when the change was confirmed
    reason: str  # in French, the message of the probe that confirmed the change


def observe(
    tracker: Tracker,
    result: Result,
    message: str,
    now: datetime,
    failures: int,
    successes: int,
) -> StateChange | None:
    """Feed one probe result to `tracker`; return the state change it causes, if any."""
    if result is tracker.streak_result:
        tracker.streak_length += 1
    else:
        tracker.streak_result = result
        tracker.streak_length = 1
        tracker.streak_started = now

    new = _next_state(tracker, failures, successes)
    if new is tracker.state:
        return None

    started = tracker.streak_started or now
    change = StateChange(
        tracker.state, new, started, now, _reason(new, message, tracker)
    )
    tracker.state = new
    return change


def _next_state(tracker: Tracker, failures: int, successes: int) -> State:
    result, length = tracker.streak_result, tracker.streak_length
    if result is Result.ERROR:
        return State.UNKNOWN
    if result is Result.FAILED:
        return State.DOWN if length >= failures else tracker.state
    # A check that was never known comes UP on its first good probe: nothing to damp.
    needed = successes if tracker.state is State.DOWN else 1
    return State.UP if length >= needed else tracker.state


def _reason(new: State, message: str, tracker: Tracker) -> str:
    if new is State.DOWN and tracker.streak_length > 1:
        return f"{message} ({tracker.streak_length} échecs consécutifs)"
    return message
