"""Putting messages in the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from veilleur.inventory.scopes import Contact
from veilleur.notify.messages import Message
from veilleur.store.tables import NotificationRow


def enqueue(
    session: Session,
    key: str,
    incident_id: int | None,
    contacts: Iterable[Contact],
    message: Message,
    now: datetime,
) -> int:
    """Add one row per contact channel unless `key` was enqueued before; return count.

    `key` names the event (``incident:12:escalate:1``); the row key adds the contact
    and channel, so the same event never reaches the same channel twice.
    """
    rows = []
    for contact in contacts:
        for index, channel in enumerate(contact.channels):
            rows.append(
                NotificationRow(
                    key=f"{key}:{contact.id}:{index}",
                    incident_id=incident_id,
                    contact_id=contact.id,
                    channel=channel,
                    subject=message.subject,
                    body=message.body,
                    status="pending",
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return 0
    known = set(
        session.scalars(
            select(NotificationRow.key).where(
                NotificationRow.key.in_([r.key for r in rows])
            )
        )
    )
    fresh = [r for r in rows if r.key not in known]
    session.add_all(fresh)
    return len(fresh)
