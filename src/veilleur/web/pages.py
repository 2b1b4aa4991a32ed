"""The French pages: an overview, an environment's checks, a check, an incident and
its report (HTML to print, and PDF).

The pages read through the same queries as the API. They refresh themselves by
fetching the page again and swapping the part marked ``data-live`` (see base.html).
They never write: the incident page's forms post to the JSON API from the browser
(static/incident.js), with the access token the person typed, which stays in the
browser.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from veilleur.calendars import duty_at, next_change_if_any
from veilleur.incidents.contract import Contract
from veilleur.inventory.scopes import Scope
from veilleur.reports.incident import (
    actor_fr,
    incident_report_html,
    incident_report_pdf,
    read_clocks,
)
from veilleur.store import queries as q
from veilleur.store.tables import IncidentRow
from veilleur.web import format as fmt
from veilleur.web.app import MAX_ID, Db, Limit, Offset, StateName, history

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(
    date=fmt.date_fr,
    day_time=fmt.day_time_fr,
    time=fmt.time_fr,
    duration=fmt.duration_fr,
    percent=fmt.percent_fr,
    actor=actor_fr,
)
templates.env.globals.update(
    STATES=fmt.STATES,
    INCIDENT_STATUS=fmt.INCIDENT_STATUS,
    NOTIFICATION_STATUS=fmt.NOTIFICATION_STATUS,
)

pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
DASHBOARD_CHECKS = 100
RECENT_INCIDENTS = 10


def _render(
    request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    now = request.app.state.clock()
    return templates.TemplateResponse(
        request, name, {"now": now, **context}, status_code=status
    )


def missing_page(request: Request, what: str) -> HTMLResponse:
    """The French 404 page."""
    return _missing(request, what)


def _missing(request: Request, what: str) -> HTMLResponse:
    return _render(request, "missing.html", status=404, what=what)


@pages.get("/")
def dashboard(request: Request, db: Db) -> HTMLResponse:
    now = request.app.state.clock()
    troubled, _ = q.list_checks(db, q.CheckFilter(), DASHBOARD_CHECKS, 0)
    troubled = [c for c in troubled if c.state != "up"]
    open_incidents, _ = q.list_incidents(db, "open", 100, 0)
    clocks = {
        i.id: read_clocks(i, now, _scope(request, i.scope_id)) for i in open_incidents
    }
    return _render(
        request,
        "dashboard.html",
        duties=_duties(request, db, now),
        tiles=q.overview(db),
        troubled=troubled,
        sparks=_sparks(db, troubled, now),
        open_incidents=open_incidents,
        clocks=clocks,
        recent=_recently_restored(db, RECENT_INCIDENTS),
    )


def _duties(request: Request, db: Db, now: datetime) -> list[dict[str, Any]]:
    """Who is on duty now in each scope, and until when."""
    contract: Contract | None = request.app.state.contract
    if contract is None:
        return []
    rows = []
    for scope in contract.inventory.scopes:
        calendar = contract.calendar(db, scope)
        change = next_change_if_any(calendar, now)
        rows.append({"scope": scope, "duty": duty_at(calendar, now), "change": change})
    return rows


@pages.get("/environnements/{platform}/{environment}")
def environment(
    request: Request,
    db: Db,
    platform: str,
    environment: str,
    state: StateName = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> HTMLResponse:
    now = request.app.state.clock()
    f = q.CheckFilter(platform, environment, state)
    checks, total = q.list_checks(db, f, limit, offset)
    return _render(
        request,
        "environment.html",
        platform=platform,
        environment=environment,
        checks=checks,
        total=total,
        limit=limit,
        offset=offset,
        state=state,
        sparks=_sparks(db, checks, now),
    )


@pages.get("/controles/{check_id:path}")
def check(request: Request, db: Db, check_id: str) -> HTMLResponse:
    now = request.app.state.clock()
    row = q.get_check(db, check_id)
    if row is None:
        return _missing(request, f"le contrôle {check_id}")
    day = history(db, row, now - timedelta(days=1), now)
    week = history(db, row, now - timedelta(days=7), now)
    incidents = q.incidents_of_check(db, row.id, 20)
    two_days = now - timedelta(days=2)
    return _render(
        request,
        "check.html",
        check=row,
        day=day,
        week=week,
        incidents=incidents,
        spark=fmt.sparkline(q.buckets(db, [row.id], two_days)[row.id], now, 48),
    )


@pages.get("/incidents/{incident_id:int}")
def incident(request: Request, db: Db, incident_id: int) -> HTMLResponse:
    row = _find_incident(db, incident_id)
    if row is None:
        return _missing(request, f"l'incident n° {incident_id}")

    now = request.app.state.clock()
    scope = _scope(request, row.scope_id)
    return _render(
        request,
        "incident.html",
        incident=row,
        check=q.get_check(db, row.check_id),
        scope=scope,
        clocks=read_clocks(row, now, scope),
        actions=actions_for(row),
        notifications=q.incident_notifications(db, incident_id),
        contacts=_contact_names(request),
        events=q.incident_events(db, incident_id),
    )


@pages.get("/incidents/{incident_id:int}/rapport")
def incident_report(request: Request, db: Db, incident_id: int) -> HTMLResponse:
    """The incident report (causes et résolution), to read and print."""
    row = _find_incident(db, incident_id)
    if row is None:
        return _missing(request, f"l'incident n° {incident_id}")
    return HTMLResponse(incident_report_html(**_report_parts(request, db, row)))


@pages.get("/incidents/{incident_id:int}/rapport.pdf")
def incident_report_file(request: Request, db: Db, incident_id: int) -> Response:
    """The same report as a PDF to archive, named after the incident."""
    row = _find_incident(db, incident_id)
    if row is None:
        return _missing(request, f"l'incident n° {incident_id}")
    pdf = incident_report_pdf(**_report_parts(request, db, row))
    name = f"incident-{incident_id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _find_incident(db: Db, incident_id: int) -> IncidentRow | None:
    """The incident, or None for an unknown number (or one no database could hold)."""
    if not 1 <= incident_id <= MAX_ID:
        return None
    return q.get_incident(db, incident_id)


def _report_parts(request: Request, db: Db, row: IncidentRow) -> dict[str, Any]:
    """What the report is made of: the incident, its check, its timeline, now, scope."""
    return {
        "incident": row,
        "check": q.get_check(db, row.check_id),
        "events": q.incident_events(db, row.id),
        "now": request.app.state.clock(),
        "scope": _scope(request, row.scope_id),
    }


def actions_for(incident: IncidentRow) -> set[str]:
    """The actions the incident page offers, by the incident's status.

    NB: this mirrors the guards of `veilleur.incidents.lifecycle`, which decides; an
    action shown here and refused there (someone was quicker) gets the API's answer.
    Notes stop at closing, although the API still takes them: a closed incident's
    record is its report.
    """
    if incident.status == "closed":
        return set()
    actions = {"note", "close"}
    if incident.acknowledged_at is None:
        actions.add("acknowledge")
    if incident.status == "open":
        actions.add("restore")
    return actions


def _scope(request: Request, scope_id: str | None) -> Scope | None:
    contract: Contract | None = request.app.state.contract
    return contract.scope(scope_id) if contract else None


def _contact_names(request: Request) -> dict[str, str]:
    contract: Contract | None = request.app.state.contract
    if contract is None:
        return {}
    return {c.id: c.name for c in contract.inventory.contacts.values()}


def _recently_restored(db: Db, limit: int) -> list[IncidentRow]:
    """The last incidents whose service came back, closed or not, latest first."""
    resolved, _ = q.list_incidents(db, "resolved", limit, 0)
    closed, _ = q.list_incidents(db, "closed", limit, 0)
    both = [i for i in resolved + closed if i.resolved_at is not None]
    both.sort(key=lambda i: i.resolved_at or i.opened_at, reverse=True)
    return both[:limit]


def _sparks(db: Db, checks: list[Any], now: Any) -> dict[str, str]:
    since = now - timedelta(hours=24)
    by_check = q.buckets(db, [c.id for c in checks], since)
    return {c.id: fmt.sparkline(by_check.get(c.id, []), now) for c in checks}
