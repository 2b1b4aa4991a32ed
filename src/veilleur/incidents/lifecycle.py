"""The one place where state changes open, annotate and resolve incidents.

Called inside the transaction that records the state change, so a change and its
incident are stored together or not at all. The partial unique index on open incidents
backs the rule "never two open incidents for one check" even if two writers race.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from veilleur.states import State, StateChange
from veilleur.store.tables import CheckRow, IncidentEventRow, IncidentRow

SYSTEM_ACTOR = "veilleur"


class IncidentNotFoundError(LookupError):
    pass


def open_incident_for(session: Session, check_id: str) -> IncidentRow | None:
    return session.scalars(
        select(IncidentRow).where(
            IncidentRow.check_id == check_id, IncidentRow.status == "open"
        )
    ).one_or_none()


def apply_state_change(session: Session, check: CheckRow, change: StateChange) -> None:
    """Open, annotate or resolve the check's incident for `change`."""
    incident = open_incident_for(session, check.id)

    if change.new is State.DOWN:
        if incident is None:
            _open(session, check, change)
        else:
            _event(session, incident, change.detected_at, "state", _down_again(change))
    elif change.new is State.UP and incident is not None:
        incident.status = "resolved"
        incident.resolved_at = change.at
        _event(
            session,
            incident,
            change.detected_at,
            "resolved",
            f"Service rétabli : {change.reason}",
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
    incident = session.get(IncidentRow, incident_id)
    if incident is None:
        raise IncidentNotFoundError(incident_id)
    return _event(session, incident, now, "note", text, actor)


def _open(session: Session, check: CheckRow, change: StateChange) -> None:
    incident = IncidentRow(
        check_id=check.id,
        status="open",
        title=f"{check.name} indisponible sur {check.host} "
        f"({check.platform} {check.environment})",
        started_at=change.at,
        opened_at=change.detected_at,
    )
    session.add(incident)
    session.flush()
    _event(
        session,
        incident,
        change.at,
        "failing",
        f"Premier échec de la sonde sur {check.target}",
    )
    _event(
        session,
        incident,
        change.detected_at,
        "opened",
        f"Incident ouvert : {change.reason}",
    )


def _down_again(change: StateChange) -> str:
    return f"De nouveau en panne : {change.reason}"


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
