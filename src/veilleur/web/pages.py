"""The French pages: an overview, an environment's checks, a check, an incident.

The pages read through the same queries as the API. They refresh themselves by
fetching the page again and swapping the part marked ``data-live`` (see base.html).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from veilleur.store import queries as q
from veilleur.web import format as fmt
from veilleur.web.app import Db, Limit, Offset, StateName, history

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(
    date=fmt.date_fr, time=fmt.time_fr, duration=fmt.duration_fr, percent=fmt.percent_fr
)
templates.env.globals.update(STATES=fmt.STATES, INCIDENT_STATUS=fmt.INCIDENT_STATUS)

pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
DASHBOARD_CHECKS = 100


def _render(
    request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    now = request.app.state.clock()
    return templates.TemplateResponse(
        request, name, {"now": now, **context}, status_code=status
    )


def _missing(request: Request, what: str) -> HTMLResponse:
    return _render(request, "missing.html", status=404, what=what)


@pages.get("/")
def dashboard(request: Request, db: Db) -> HTMLResponse:
    now = request.app.state.clock()
    troubled, _ = q.list_checks(db, q.CheckFilter(), DASHBOARD_CHECKS, 0)
    troubled = [c for c in troubled if c.state != "up"]
    open_incidents, _ = q.list_incidents(db, "open", 100, 0)
    recent, _ = q.list_incidents(db, "resolved", 10, 0)
    return _render(
        request,
        "dashboard.html",
        tiles=q.overview(db),
        troubled=troubled,
        sparks=_sparks(db, troubled, now),
        open_incidents=open_incidents,
        recent=recent,
    )


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


@pages.get("/incidents/{incident_id}")
def incident(request: Request, db: Db, incident_id: int) -> HTMLResponse:
    row = q.get_incident(db, incident_id)
    if row is None:
        return _missing(request, f"l'incident n° {incident_id}")
    return _render(
        request,
        "incident.html",
        incident=row,
        check=q.get_check(db, row.check_id),
        events=q.incident_events(db, incident_id),
    )


def _sparks(db: Db, checks: list[Any], now: Any) -> dict[str, str]:
    since = now - timedelta(hours=24)
    by_check = q.buckets(db, [c.id for c in checks], since)
    return {c.id: fmt.sparkline(by_check.get(c.id, []), now) for c in checks}
