"""The contract as the incident code sees it: scopes, calendars, contacts, links.

Calendars come from the inventory, completed with the ad-hoc coverage days people asked
for at run time (stored in the database), so the same scope gives the same answers to
the clocks, the API and the calendar feed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from veilleur.calendars import Calendar
from veilleur.inventory import Inventory
from veilleur.inventory.scopes import Contact, Scope
from veilleur.store.tables import AdhocDayRow, CheckRow


class Contract:
    def __init__(self, inventory: Inventory, base_url: str) -> None:
        self.inventory = inventory
        self.base_url = base_url.rstrip("/")

    def scope_for(self, check: CheckRow) -> Scope | None:
        return self.inventory.scope_of(check.platform, check.environment)

    def scope(self, scope_id: str | None) -> Scope | None:
        return None if scope_id is None else self.inventory.scope(scope_id)

    def calendar(self, session: Session, scope: Scope) -> Calendar:
        asked = session.scalars(
            select(AdhocDayRow.day).where(AdhocDayRow.scope_id == scope.id)
        ).all()
        if not asked:
            return scope.calendar
        days = tuple(sorted({*scope.calendar.adhoc_days, *asked}))
        return dataclasses.replace(scope.calendar, adhoc_days=days)

    def contacts(self, ids: Iterable[str]) -> list[Contact]:
        found = self.inventory.contacts
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def incident_url(self, incident_id: int) -> str:
        return f"{self.base_url}/incidents/{incident_id}"
