"""Read queries for the API and the pages; every function takes an open session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from veilleur.store.tables import (
    CheckRow,
    IncidentEventRow,
    IncidentRow,
    LatencyBucketRow,
    NotificationRow,
    StateChangeRow,
)


@dataclass(frozen=True)
class CheckFilter:
    platform: str | None = None
    environment: str | None = None
    state: str | None = None
    host: str | None = None


def _filtered(
    query: Select[tuple[CheckRow]], f: CheckFilter
) -> Select[tuple[CheckRow]]:
    query = query.where(CheckRow.retired_at.is_(None))
    if f.platform:
        query = query.where(CheckRow.platform == f.platform)
    if f.environment:
        query = query.where(CheckRow.environment == f.environment)
    if f.state:
        query = query.where(CheckRow.state == f.state)
    if f.host:
        query = query.where(CheckRow.host == f.host)
    return query


def list_checks(
    session: Session, f: CheckFilter, limit: int, offset: int
) -> tuple[list[CheckRow], int]:
    """A page of active checks, DOWN first, then UNKNOWN, then UP; and the count."""
    total = session.scalar(_filtered(select(func.count(CheckRow.id)), f))  # type: ignore[arg-type]
    trouble = case({"down": 0, "unknown": 1}, value=CheckRow.state, else_=2)
    query = _filtered(select(CheckRow), f).order_by(trouble, CheckRow.id)
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    return rows, int(total or 0)


def get_check(session: Session, check_id: str) -> CheckRow | None:
    return session.get(CheckRow, check_id)


def state_changes(
    session: Session, check_id: str, since: datetime | None, until: datetime | None
) -> list[StateChangeRow]:
    query = select(StateChangeRow).where(StateChangeRow.check_id == check_id)
    if since is not None:
        query = query.where(StateChangeRow.at >= since)
    if until is not None:
        query = query.where(StateChangeRow.at < until)
    return list(session.scalars(query.order_by(StateChangeRow.at, StateChangeRow.id)))


def buckets(
    session: Session, check_ids: list[str], since: datetime
) -> dict[str, list[LatencyBucketRow]]:
    by_check: dict[str, list[LatencyBucketRow]] = defaultdict(list)
    if not check_ids:
        return by_check
    query = (
        select(LatencyBucketRow)
        .where(LatencyBucketRow.check_id.in_(check_ids))
        .where(LatencyBucketRow.start >= since)
        .order_by(LatencyBucketRow.start)
    )
    for row in session.scalars(query):
        by_check[row.check_id].append(row)
    return by_check


def overview(session: Session) -> list[dict[str, object]]:
    """Per platform and environment, how many active checks are in each state."""
    query = (
        select(CheckRow.platform, CheckRow.environment, CheckRow.state, func.count())
        .where(CheckRow.retired_at.is_(None))
        .group_by(CheckRow.platform, CheckRow.environment, CheckRow.state)
        .order_by(CheckRow.platform, CheckRow.environment)
    )
    tiles: dict[tuple[str, str], dict[str, int]] = {}
    for platform, environment, state, count in session.execute(query):
        counts = tiles.setdefault(
            (platform, environment), {"up": 0, "down": 0, "unknown": 0}
        )
        counts[state] = count
    return [
        {
            "platform": p,
            "environment": e,
            "counts": counts,
            "total": sum(counts.values()),
        }
        for (p, e), counts in tiles.items()
    ]


def list_incidents(
    session: Session, status: str | None, limit: int, offset: int
) -> tuple[list[IncidentRow], int]:
    query = select(IncidentRow)
    count = select(func.count(IncidentRow.id))
    if status:
        query = query.where(IncidentRow.status == status)
        count = count.where(IncidentRow.status == status)
    query = query.order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    return rows, int(session.scalar(count) or 0)


def get_incident(session: Session, incident_id: int) -> IncidentRow | None:
    return session.get(IncidentRow, incident_id)


def incident_events(session: Session, incident_id: int) -> list[IncidentEventRow]:
    query = (
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == incident_id)
        .order_by(IncidentEventRow.at, IncidentEventRow.id)
    )
    return list(session.scalars(query))


def incidents_of_check(
    session: Session, check_id: str, limit: int
) -> list[IncidentRow]:
    query = (
        select(IncidentRow)
        .where(IncidentRow.check_id == check_id)
        .order_by(IncidentRow.opened_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def incident_notifications(session: Session, incident_id: int) -> list[NotificationRow]:
    query = (
        select(NotificationRow)
        .where(NotificationRow.incident_id == incident_id)
        .order_by(NotificationRow.id)
    )
    return list(session.scalars(query))
