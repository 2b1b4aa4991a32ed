"""The one place where incidents change: opened by a check going DOWN, annotated,
acknowledged, restored, handed over, closed; with the clocks and notifications each
change causes, written in the caller's transaction (so a change and its messages are
stored together or not at all).

The partial unique index on open incidents backs the rule "never two open incidents
for one check" even if two writers race. Every change reads its incident with
``FOR UPDATE``: on PostgreSQL two people taking the same incident in hand at once, or a
person and the clock tick, are served one after the other, and the second sees what
the first did. SQLite has one writer at a time, and a transaction whose read went stale
is refused rather than allowed to overwrite.

Statuses: ``open`` → ``resolved`` (service restored: the check came back UP, or a
person said so) → ``closed`` (a person gave the cause and the resolution). Closing an
incident that is still open restores it at the same instant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from veilleur.incidents import clocks
from veilleur.incidents.contract import Contract
from veilleur.inventory.scopes import Contact, Scope
from veilleur.notify import messages
from veilleur.notify.outbox import enqueue
from veilleur.states import State, StateChange
from veilleur.store.tables import CheckRow, IncidentEventRow, IncidentRow
from veilleur.web.format import date_fr

SYSTEM_ACTOR = "veilleur"
CLOCK_WORDS = {
    clocks.MET: "respectée",
    clocks.BREACHED: "dépassée",
    clocks.HANDED_OVER: "passée à l'équipe d'exploitation",
    clocks.RUNNING: "en cours",
    clocks.NONE: "sans objet",
}


class IncidentNotFoundError(LookupError):
    pass


class IncidentStateError(Exception):
    """The action does not fit the incident's state; the message is French."""


def open_incident_for(session: Session, check_id: str) -> IncidentRow | None:
    return session.scalars(
        select(IncidentRow)
        .where(IncidentRow.check_id == check_id, IncidentRow.status == "open")
        .with_for_update()
    ).one_or_none()


def apply_state_change(
    session: Session, check: CheckRow, change: StateChange, contract: Contract | None
) -> None:
    """Open, annotate or resolve the check's incident for `change`."""
    incident = open_incident_for(session, check.id)

    if change.new is State.DOWN:
        if incident is None:
            _open(session, check, change, contract)
        else:
            _event(
                session,
                incident,
                change.detected_at,
                "state",
                f"De nouveau en panne : {change.reason}",
            )
    elif change.new is State.UP and incident is not None:
        if incident.resolved_at is not None:
            # A person declared it restored earlier: the probe confirms it now.
            incident.status = "resolved"
            _event(session, incident, change.detected_at, "confirmed",
                   f"Rétablissement confirmé par la sonde : {change.reason}")  # fmt: skip
            return
        _restore(
            session,
            incident,
            change.at,
            None,
            f"Service rétabli : {change.reason}",
            contract,
            change.detected_at,
        )
    elif change.new is State.UNKNOWN and incident is not None:
        _event(
            session,
            incident,
            change.detected_at,
            "state",
            f"État inconnu, la sonde n'a pas pu s'exécuter : {change.reason}",
        )


def add_note(
    session: Session, incident_id: int, text: str, actor: str, now: datetime
) -> IncidentEventRow:
    return _event(session, _get(session, incident_id), now, "note", text, actor)


def acknowledge(
    session: Session,
    contract: Contract | None,
    incident_id: int,
    actor: str,
    now: datetime,
) -> IncidentRow:
    """A person takes the incident in hand: the GTI clock stops."""
    incident = _get(session, incident_id)
    if incident.acknowledged_at is not None:
        raise IncidentStateError(
            f"incident déjà pris en charge par {incident.acknowledged_by} "
            f"le {date_fr(incident.acknowledged_at)}"
        )
    if incident.status == "closed":
        raise IncidentStateError("incident clos")
    _claim(
        session,
        incident,
        IncidentRow.acknowledged_at.is_(None),
        "incident pris en charge à l'instant par quelqu'un d'autre",
        acknowledged_at=now,
    )
    incident.acknowledged_at = now
    incident.acknowledged_by = actor
    incident.gti_status = clocks.stop_status(
        incident.gti_due_at, incident.gti_status, now
    )
    _event(
        session,
        incident,
        now,
        "acknowledged",
        f"Pris en charge par {actor} (GTI {CLOCK_WORDS[incident.gti_status]})",
        actor,
    )
    return incident


def restore(
    session: Session,
    contract: Contract | None,
    incident_id: int,
    actor: str,
    now: datetime,
) -> IncidentRow:
    """A person says the service is restored: the GTR clock stops.

    While the check is still DOWN the incident stays open, restored "to be
    confirmed": it is resolved when the probe sees the service back. So a service
    declared restored too soon never leaves an outage without an open incident.
    """
    incident = _get(session, incident_id)
    if incident.status != "open" or incident.resolved_at is not None:
        raise IncidentStateError("service déjà déclaré rétabli pour cet incident")
    _restore(
        session, incident, now, actor, f"Service rétabli par {actor}", contract, now
    )
    if _still_down(incident):
        incident.status = "open"
        _event(session, incident, now, "note",
               "Le contrôle est encore en panne : l'incident reste ouvert jusqu'à "
               "ce que la sonde confirme le rétablissement")  # fmt: skip
    return incident


def _claim(
    session: Session,
    incident: IncidentRow,
    condition: ColumnElement[bool],
    refusal: str,
    **values: object,
) -> None:
    """Take the change with a conditional UPDATE, so two people never both win.

    Important: the row was read FOR UPDATE, which serialises people on PostgreSQL;
    SQLite's driver reads outside the transaction by default, so there the condition
    re-checked by the UPDATE itself is what makes the second person lose.
    """
    claimed = session.execute(
        update(IncidentRow)
        .where(IncidentRow.id == incident.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise IncidentStateError(refusal)


def _still_down(incident: IncidentRow) -> bool:
    return incident.check is not None and incident.check.state == State.DOWN.value


def close(
    session: Session,
    contract: Contract | None,
    incident_id: int,
    actor: str,
    cause: str,
    resolution: str,
    procedure: str | None,
    now: datetime,
) -> IncidentRow:
    """Close with the cause and resolution that make the incident report."""
    incident = _get(session, incident_id)
    if incident.status == "closed":
        raise IncidentStateError("incident déjà clos")
    if _still_down(incident):
        raise IncidentStateError(
            "le contrôle est toujours en panne : l'incident sera clos une fois le "
            "service rétabli et constaté par la sonde"
        )
    _claim(
        session,
        incident,
        IncidentRow.status != "closed",
        "incident clos à l'instant par quelqu'un d'autre",
        closed_at=now,
    )
    if incident.status == "open" and incident.resolved_at is None:
        _restore(
            session, incident, now, actor, f"Service rétabli par {actor}", contract, now
        )
    incident.status = "closed"
    incident.closed_at = now
    incident.closed_by = actor
    incident.cause = cause
    incident.resolution = resolution
    incident.procedure = (procedure or "").strip() or None
    _event(session, incident, now, "closed", f"Incident clos par {actor}", actor)

    scope = contract.scope(incident.scope_id) if contract else None
    if contract and scope and incident.out_of_hours:
        message = messages.closed(
            _facts(incident, contract),
            now,
            cause,
            resolution,
            procedure,
            clock_summary(incident),
        )
        enqueue(
            session,
            f"incident:{incident.id}:closed",
            incident.id,
            contract.contacts(scope.inform),
            message,
            now,
        )
    return incident


def clock_summary(incident: IncidentRow) -> str:
    parts = []
    for name, due, status in (
        ("GTI", incident.gti_due_at, incident.gti_status),
        ("GTR", incident.gtr_due_at, incident.gtr_status),
    ):
        if due is not None:
            parts.append(f"{name} {CLOCK_WORDS.get(status, status)}")
    return ", ".join(parts) if parts else "Aucune garantie sur ce périmètre"


def tick(session: Session, contract: Contract, now: datetime) -> int:
    """Apply what the clocks make due for every open incident; return how many."""
    done = 0
    query = (
        select(IncidentRow)
        .where(IncidentRow.status == "open", IncidentRow.scope_id.is_not(None))
        .with_for_update(skip_locked=True)  # one being changed by a person: next tick
    )
    for incident in session.scalars(query):
        scope = contract.scope(incident.scope_id)
        if scope is None:
            continue  # the scope left the inventory: nothing to follow
        calendar = contract.calendar(session, scope)
        state = clocks.ClockState(
            opened_at=incident.opened_at,
            acknowledged=incident.acknowledged_at is not None,
            restored=incident.resolved_at is not None,
            out_of_hours=incident.out_of_hours,
            handed_over=incident.handed_over_at is not None,
            gti_due=incident.gti_due_at,
            gtr_due=incident.gtr_due_at,
            gti_status=incident.gti_status,
            gtr_status=incident.gtr_status,
            gti_warned=incident.gti_warned,
            gtr_warned=incident.gtr_warned,
        )
        for action in clocks.due_actions(state, scope, calendar, now):
            _carry_out(session, contract, scope, incident, action, now)
            done += 1
    return done


def _carry_out(
    session: Session,
    contract: Contract,
    scope: Scope,
    incident: IncidentRow,
    action: clocks.Action,
    now: datetime,
) -> None:
    facts = _facts(incident, contract)
    key = f"incident:{incident.id}:{action.key}"
    on_call = contract.contacts(scope.chain[0].contacts) if scope.chain else []
    if action.kind == "escalate":
        assert action.step is not None
        step = scope.chain[action.step]
        if enqueue(session, key, incident.id, contract.contacts(step.contacts),
                   messages.opened(facts, action.step), now):  # fmt: skip
            names = ", ".join(step.contacts)
            _event(
                session, incident, now, "escalated", f"Relance {action.step} : {names}"
            )
    elif action.kind == "warn":
        due = incident.gti_due_at if action.clock == "gti" else incident.gtr_due_at
        assert action.clock is not None and due is not None
        setattr(incident, f"{action.clock}_warned", True)
        enqueue(session, key, incident.id, on_call,
                messages.warning(facts, action.clock, due), now)  # fmt: skip
        _event(session, incident, now, "warning",
               f"Échéance {action.clock.upper()} proche : {date_fr(due)}")  # fmt: skip
    elif action.kind == "breach":
        due = incident.gti_due_at if action.clock == "gti" else incident.gtr_due_at
        assert action.clock is not None and due is not None
        setattr(incident, f"{action.clock}_status", clocks.BREACHED)
        contacts = on_call + contract.contacts(scope.inform)
        enqueue(session, key, incident.id, contacts,
                messages.breach(facts, action.clock, due), now)  # fmt: skip
        _event(session, incident, now, "breach",
               f"{action.clock.upper()} dépassée (échéance {date_fr(due)})")  # fmt: skip
    elif action.kind == "handover":
        incident.handed_over_at = now
        for name in ("gti", "gtr"):
            if getattr(incident, f"{name}_status") == clocks.RUNNING:
                setattr(incident, f"{name}_status", clocks.HANDED_OVER)
        contacts = contract.contacts((*scope.inform, *scope.business_hours))
        enqueue(session, key, incident.id, contacts, messages.handover(facts, now), now)
        _event(session, incident, now, "handover",
               "Passage de relais à l'équipe d'exploitation")  # fmt: skip


def _open(
    session: Session, check: CheckRow, change: StateChange, contract: Contract | None
) -> None:
    incident = IncidentRow(
        check_id=check.id,
        status="open",
        title=f"{check.name} indisponible sur {check.host} "
        f"({check.platform} {check.environment})",
        started_at=change.at,
        opened_at=change.detected_at,
        out_of_hours=False,
        gti_status=clocks.NONE,
        gtr_status=clocks.NONE,
        gti_warned=False,
        gtr_warned=False,
    )
    scope = contract.scope_for(check) if contract else None
    if contract is not None and scope is not None:
        calendar = contract.calendar(session, scope)
        due = clocks.deadlines(scope, calendar, change.detected_at)
        incident.scope_id = scope.id
        incident.gti_due_at, incident.gtr_due_at = due.gti, due.gtr
        incident.gti_status = incident.gtr_status = clocks.RUNNING
        incident.out_of_hours = clocks.provider_on_duty(calendar, change.detected_at)
    session.add(incident)
    session.flush()

    _event(session, incident, change.at, "failing",
           f"Premier échec de la sonde sur {check.target}")  # fmt: skip
    _event(session, incident, change.detected_at, "opened",
           f"Incident ouvert : {change.reason}")  # fmt: skip
    if contract is None or scope is None:
        return
    told = _audience(contract, scope, incident)
    message = messages.opened(_facts(incident, contract, change.reason))
    if enqueue(session, f"incident:{incident.id}:opened", incident.id, told, message,
               change.detected_at):  # fmt: skip
        names = ", ".join(c.id for c in told)
        _event(session, incident, change.detected_at, "notified",
               f"Messages à envoyer : {names}")  # fmt: skip


def _restore(
    session: Session,
    incident: IncidentRow,
    at: datetime,
    actor: str | None,
    text: str,
    contract: Contract | None,
    now: datetime,
) -> None:
    incident.status = "resolved"
    incident.resolved_at = at
    incident.restored_by = actor
    # Restored before anyone took it in hand: no intervention was needed in time.
    incident.gti_status = clocks.stop_status(
        incident.gti_due_at, incident.gti_status, at
    )
    incident.gtr_status = clocks.stop_status(
        incident.gtr_due_at, incident.gtr_status, at
    )
    _event(session, incident, now, "resolved",
           f"{text} (GTR {CLOCK_WORDS[incident.gtr_status]})", actor or SYSTEM_ACTOR)  # fmt: skip

    scope = contract.scope(incident.scope_id) if contract else None
    if contract is None or scope is None:
        return
    told = _audience(contract, scope, incident)
    enqueue(session, f"incident:{incident.id}:restored", incident.id, told,
            messages.restored(_facts(incident, contract), at, actor), now)  # fmt: skip


def _audience(contract: Contract, scope: Scope, incident: IncidentRow) -> list[Contact]:
    """Who hears of an incident's opening and restoration.

    Out of hours: the chain's first step and the client's team and IT department.
    In business hours: the client's team on duty (the provider's chain is not called).
    """
    if incident.out_of_hours:
        first = scope.chain[0].contacts if scope.chain else ()
        return contract.contacts((*first, *scope.inform))
    return contract.contacts(scope.business_hours or scope.inform)


def _facts(
    incident: IncidentRow, contract: Contract, reason: str | None = None
) -> messages.IncidentFacts:
    check = incident.check
    return messages.IncidentFacts(
        id=incident.id,
        title=incident.title,
        target=check.target if check is not None else incident.check_id,
        started_at=incident.started_at,
        opened_at=incident.opened_at,
        reason=reason or "",
        gti_due=incident.gti_due_at,
        gtr_due=incident.gtr_due_at,
        url=contract.incident_url(incident.id),
    )


def get_incident(session: Session, incident_id: int) -> IncidentRow:
    """The incident, or `IncidentNotFoundError`."""
    return _get(session, incident_id)


def _get(session: Session, incident_id: int) -> IncidentRow:
    incident = session.get(IncidentRow, incident_id, with_for_update=True)
    if incident is None:
        raise IncidentNotFoundError(incident_id)
    return incident


def _event(
    session: Session,
    incident: IncidentRow,
    at: datetime,
    kind: str,
    message: str,
    actor: str = SYSTEM_ACTOR,
) -> IncidentEventRow:
    event = IncidentEventRow(
        incident_id=incident.id, at=at, kind=kind, message=message, actor=actor
    )
    session.add(event)
    return event
