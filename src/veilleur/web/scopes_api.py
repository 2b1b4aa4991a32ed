"""Scopes under /api/v1/scopes: who is on duty, deadlines, ad-hoc days, the feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from veilleur.calendars import (
    adhoc_request_problem,
    coverage_feed,
    duty_at,
    local_instant,
    next_change_if_any,
)
from veilleur.incidents.clocks import deadline_after
from veilleur.incidents.contract import Contract
from veilleur.inventory.scopes import Scope
from veilleur.store.tables import AdhocDayRow
from veilleur.web import schemas as s
from veilleur.web.app import ERRORS, ApiError, Db, within_years, writer

scopes_api = APIRouter(prefix="/api/v1/scopes", tags=["scopes"], responses=ERRORS)
FEED_PAST, FEED_AHEAD = timedelta(days=31), timedelta(days=120)
Hours = Annotated[float, Query(gt=0, le=24 * 366)]


def _contract(request: Request) -> Contract:
    contract: Contract | None = request.app.state.contract
    if contract is None:
        raise ApiError(404, "aucun périmètre configuré")
    return contract


def _scope(request: Request, scope_id: str) -> Scope:
    scope = _contract(request).inventory.scope(scope_id)
    if scope is None:
        raise ApiError(404, f"périmètre inconnu : {scope_id}")
    return scope


def _instant(request: Request, scope: Scope, text: str | None) -> datetime:
    """ISO 8601 with an offset, or local to the scope's zone without one."""
    if text is None:
        now: datetime = request.app.state.clock()
        return now
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422, f"requête invalide — at : date ISO 8601 attendue, reçu {text!r}"
        ) from None
    within_years(value, "at")
    if value.tzinfo is None:
        value = local_instant(scope.calendar.zone, value.date(), value.time())
    return value


def _duty(db: Db, request: Request, scope: Scope, at: datetime) -> s.DutyOut:
    calendar = _contract(request).calendar(db, scope)
    duty = duty_at(calendar, at)
    change = next_change_if_any(calendar, at)
    return s.DutyOut(
        scope_id=scope.id,
        at=at,
        on_duty=duty.on_duty,
        reason=duty.reason,
        label=duty.label,
        since=duty.since,
        until=duty.until,
        next_change=change,
    )


@scopes_api.get("", response_model=list[s.ScopeOut])
def list_scopes(request: Request, db: Db) -> Any:
    now = request.app.state.clock()
    contract: Contract | None = request.app.state.contract
    scopes = contract.inventory.scopes if contract else ()
    return [
        s.ScopeOut(
            id=scope.id,
            name=scope.name,
            members=[p if e is None else f"{p}/{e}" for p, e in scope.members],
            zone=str(scope.calendar.zone),
            gti_hours=scope.guarantees.gti_s / 3600,
            gtr_hours=scope.guarantees.gtr_s / 3600,
            counting=scope.guarantees.counting,
            now=_duty(db, request, scope, now),
        )
        for scope in scopes
    ]


@scopes_api.get("/{scope_id}/duty", response_model=s.DutyOut)
def who(request: Request, db: Db, scope_id: str, at: str | None = None) -> Any:
    """Who is on duty at `at` (default now), why, and until when."""
    scope = _scope(request, scope_id)
    return _duty(db, request, scope, _instant(request, scope, at))


@scopes_api.get("/{scope_id}/due", response_model=s.DueOut)
def due(
    request: Request, db: Db, scope_id: str, hours: Hours, at: str | None = None
) -> Any:
    """The instant `hours` of guarantee time after `at`, as the scope counts it."""
    scope = _scope(request, scope_id)
    start = _instant(request, scope, at)
    calendar = _contract(request).calendar(db, scope)
    return s.DueOut(
        scope_id=scope.id,
        start=start,
        hours=hours,
        counting=scope.guarantees.counting,
        due_at=deadline_after(scope, calendar, start, hours * 3600),
    )


@scopes_api.get(
    "/{scope_id}/coverage.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def feed(request: Request, db: Db, scope_id: str) -> Response:
    """The provider's duty periods as an iCalendar feed, to subscribe to."""
    scope = _scope(request, scope_id)
    now = request.app.state.clock()
    calendar = _contract(request).calendar(db, scope)
    body = coverage_feed(calendar, now - FEED_PAST, now + FEED_AHEAD, now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{scope.id}.ics"'},
    )


@scopes_api.get("/{scope_id}/adhoc-days", response_model=list[s.AdhocDayOut])
def list_adhoc_days(request: Request, db: Db, scope_id: str) -> Any:
    _scope(request, scope_id)
    rows = db.scalars(
        select(AdhocDayRow)
        .where(AdhocDayRow.scope_id == scope_id)
        .order_by(AdhocDayRow.day)
    )
    return [_adhoc_out(r) for r in rows]


@scopes_api.post(
    "/{scope_id}/adhoc-days",
    response_model=s.AdhocDayOut,
    status_code=201,
    dependencies=[Depends(writer)],
    responses={
        401: {"model": s.ErrorOut},
        403: {"model": s.ErrorOut},
        409: {"model": s.ErrorOut},
    },
)
def ask_adhoc_day(request: Request, db: Db, scope_id: str, body: s.AdhocDayIn) -> Any:
    """Ask for an ad-hoc coverage day: at least 72 hours ahead, or with `override`."""
    scope = _scope(request, scope_id)
    now = request.app.state.clock()
    problem = adhoc_request_problem(body.day, now, scope.calendar.zone)
    if problem is not None and not body.override:
        raise ApiError(422, f"journée ponctuelle refusée : {problem}")
    if body.override and not (body.reason or "").strip():
        raise ApiError(422, "requête invalide — reason : obligatoire avec override")
    row = AdhocDayRow(
        scope_id=scope.id,
        day=body.day,
        requested_at=now,
        requested_by=body.author,
        override=body.override and problem is not None,
        reason=body.reason,
    )
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        raise ApiError(409, f"journée du {body.day} déjà demandée") from None
    return _adhoc_out(row)


def _adhoc_out(row: AdhocDayRow) -> s.AdhocDayOut:
    return s.AdhocDayOut(
        day=row.day,
        requested_at=row.requested_at,
        requested_by=row.requested_by,
        override=row.override,
        reason=row.reason,
    )
