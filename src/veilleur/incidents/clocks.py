"""The contract's clocks on an incident: GTI and GTR deadlines, and what is due when.

GTI (garantie de temps d'intervention) ends when a person takes the incident in hand;
GTR (garantie de temps de rétablissement) when service is restored. Each scope says how
long (2 h and 4 h by default) and how the time counts: only the provider's coverage time
(the default: an incident raised at 16:00 on a Friday, with the client's team on duty
until 17:00, is due for GTI at 19:00), round the clock, or only during business hours
(the internal databases: supervised around the clock, supported Monday to Friday).

Deadlines are computed once, when the incident opens, and stored with it: a later change
of calendar does not move a deadline people were already told about.

`due_actions` is evaluated at every tick of the service, for every open incident; it
returns what is due now (an escalation step, a warning that a deadline is near, a breach,
a handover to the client's team). Each action has a stable key, and the caller records
it with that key, so evaluating twice, or again after a restart, repeats nothing.

Handover. At the start of the client's business hours, an incident still open that was
raised while the provider was on duty is handed over to the client's team: the timeline
says so, and clocks still running are marked handed over (they no longer measure the
provider, whose watch ended).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from veilleur.calendars import Calendar, add_coverage, duty_at
from veilleur.inventory.scopes import Scope

RUNNING, MET, BREACHED, HANDED_OVER = "running", "met", "breached", "handed_over"
NONE = "none"  # the incident is in no scope: no guarantee applies


@dataclass(frozen=True)
class Deadlines:
    gti: datetime
    gtr: datetime


@dataclass(frozen=True)
class ClockState:
    """What `due_actions` needs to know of an incident."""

    opened_at: datetime
    acknowledged: bool
    restored: bool
    out_of_hours: bool
    handed_over: bool
    gti_due: datetime | None
    gtr_due: datetime | None
    gti_status: str
    gtr_status: str
    gti_warned: bool
    gtr_warned: bool


@dataclass(frozen=True)
class Action:
    kind: str  # escalate, warn, breach, handover
    clock: str | None = None  # gti or gtr, for warn and breach
    step: int | None = None  # the chain step, for escalate

    @property
    def key(self) -> str:
        return ":".join(
            str(p) for p in (self.kind, self.clock, self.step) if p is not None
        )


def deadline_after(
    scope: Scope, calendar: Calendar, start: datetime, seconds: float
) -> datetime:
    """The instant `seconds` of guarantee time after `start`, as the scope counts."""
    counting = scope.guarantees.counting
    if counting == "round_the_clock":
        return start + timedelta(seconds=seconds)
    if counting == "business_hours":
        return add_coverage(calendar, start, seconds, party="client")
    return add_coverage(calendar, start, seconds)


def deadlines(scope: Scope, calendar: Calendar, opened_at: datetime) -> Deadlines:
    g = scope.guarantees
    return Deadlines(
        deadline_after(scope, calendar, opened_at, g.gti_s),
        deadline_after(scope, calendar, opened_at, g.gtr_s),
    )


def provider_on_duty(calendar: Calendar, instant: datetime) -> bool:
    return duty_at(calendar, instant).on_duty == "provider"


def stop_status(due: datetime | None, status: str, at: datetime) -> str:
    """The status of a running clock stopped at `at` (met or breached)."""
    if status != RUNNING or due is None:
        return status
    return MET if at <= due else BREACHED


def due_actions(
    state: ClockState, scope: Scope, calendar: Calendar, now: datetime
) -> list[Action]:
    if state.restored:
        return []
    actions: list[Action] = []
    handing_over = (
        state.out_of_hours
        and not state.handed_over
        and not provider_on_duty(calendar, now)
    )

    if not state.acknowledged and not handing_over:
        elapsed = (now - state.opened_at).total_seconds()
        for index, step in enumerate(scope.chain):
            if index > 0 and elapsed >= step.after_s:
                actions.append(Action("escalate", step=index))

    warn = timedelta(seconds=scope.guarantees.warn_before_s)
    clocks = [("gtr", state.gtr_due, state.gtr_status, state.gtr_warned)]
    if not state.acknowledged:
        clocks.insert(0, ("gti", state.gti_due, state.gti_status, state.gti_warned))
    for name, due, status, warned in clocks:
        if due is None or status != RUNNING:
            continue
        if now >= due:
            # Important: a deadline passed before the handover is a breach all the
            # same, even when no tick ran between the two.
            actions.append(Action("breach", clock=name))
        elif now >= due - warn and not warned and not handing_over:
            actions.append(Action("warn", clock=name))
    if handing_over:
        actions.append(Action("handover"))  # the provider's clocks stop here
    return actions
