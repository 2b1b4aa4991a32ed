"""The web application: JSON API under /api/v1, pages at /, metrics at /metrics.

API errors are one JSON key, ``{"error": "..."}``, in French, and never carry the text
of an internal exception.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi import Path as FastApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from veilleur.incidents.contract import Contract
from veilleur.incidents.lifecycle import (
    IncidentNotFoundError,
    IncidentStateError,
    acknowledge,
    add_note,
    close,
    restore,
)
from veilleur.probes.engine import utcnow
from veilleur.sla.intervals import Change, time_in_states
from veilleur.states import State
from veilleur.store import Database
from veilleur.store import queries as q
from veilleur.store.tables import CheckRow
from veilleur.web import schemas as s

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # ids and offsets are 32-bit integers in the database
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": s.ErrorOut},
    404: {"model": s.ErrorOut},
    422: {"model": s.ErrorOut},
}
MAX_HISTORY = timedelta(days=400)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


def create_app(
    db: Database,
    api_token: str | None,
    clock: Callable[[], datetime] = utcnow,
    contract: Contract | None = None,
) -> FastAPI:
    app = FastAPI(
        title="Veilleur",
        version="0.1.0",
        description="Supervision et suivi du contrat d'hébergement et d'infogérance.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.api_token = api_token
    app.state.clock = clock
    app.state.contract = contract
    _install_error_handlers(app)
    app.middleware("http")(_refuse_nul)
    app.include_router(api)

    from veilleur.web.scopes_api import scopes_api

    app.include_router(scopes_api)

    from veilleur.web.pages import pages  # pages import the API's helpers

    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"))

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


async def _refuse_nul(request: Request, call_next: Any) -> Response:
    """A NUL character in a path or query is refused before it reaches storage.

    PostgreSQL cannot store it in text, and no identifier holds one.
    """
    raw = (
        request.scope.get("raw_path", b"")
        + b"?"
        + request.scope.get("query_string", b"")
    )
    if b"%00" in raw or b"\x00" in raw:
        return JSONResponse(
            {"error": "requête invalide — caractère nul interdit"}, status_code=400
        )
    response: Response = await call_next(request)
    return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(IncidentNotFoundError)
    async def no_incident(_: Request, exc: IncidentNotFoundError) -> JSONResponse:
        return JSONResponse({"error": f"incident inconnu : {exc}"}, status_code=404)

    @app.exception_handler(IncidentStateError)
    async def conflict(_: Request, exc: IncidentStateError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=409)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            from veilleur.web.pages import missing_page

            return missing_page(request, "cette page")
        messages = {
            400: "requête invalide — corps illisible (JSON en UTF-8 attendu)",
            404: "ressource introuvable",
            405: "méthode non autorisée",
        }
        text = messages.get(exc.status_code, str(exc.detail))
        return JSONResponse({"error": text}, status_code=exc.status_code)

    @app.exception_handler(SQLAlchemyError)
    async def storage_error(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error: %s", exc)
        return JSONResponse(
            {"error": "base de données indisponible, réessayez plus tard"},
            status_code=503,
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "erreur interne"}, status_code=500)


# What people read in a refusal names the field in French.
FIELD_NAMES = {
    "author": "auteur",
    "text": "texte",
    "resolution": "résolution",
    "procedure": "procédure",
    "day": "jour",
    "reason": "motif",
    "override": "dérogation",
    "hours": "heures",
    "since": "depuis",
    "until": "jusqu'à",
    "state": "état",
    "status": "statut",
    "incident_id": "numéro d'incident",
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = [
            FIELD_NAMES.get(str(p), str(p))
            for p in error.get("loc", ())
            if p not in ("body", "query", "path")
        ]
        where = ".".join(loc) or "corps de la requête"
        parts.append(f"{where} : {_french(error)}")
    return "requête invalide — " + " ; ".join(parts)


def _french(error: Any) -> str:
    kind = error.get("type", "")
    given = error.get("input")
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return "champ inconnu"
    if kind.startswith("int") or kind.startswith("float"):
        return f"nombre attendu, reçu {given!r}"
    bounds = {
        "greater_than_equal": ("au moins", "ge"),
        "greater_than": ("plus de", "gt"),
        "less_than_equal": ("au plus", "le"),
        "less_than": ("moins de", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        limit = (error.get("ctx") or {}).get(key)
        return f"{words} {limit} attendu, reçu {given!r}"
    if kind.startswith("datetime"):
        return f"date ISO 8601 attendue, reçu {given!r}"
    if kind == "string_too_short":
        return "texte vide"
    if kind == "string_too_long":
        return "texte trop long"
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return "JSON invalide ou objet attendu"
    if kind in ("literal_error", "enum", "string_pattern_mismatch"):
        return f"valeur non reconnue {given!r}"
    if kind.startswith("date"):
        return f"jour AAAA-MM-JJ attendu, reçu {given!r}"
    if kind.startswith("bool"):
        return f"true ou false attendu, reçu {given!r}"
    if kind == "value_error":
        # Our own validators speak French already ("caractère nul interdit").
        reason = str((error.get("ctx") or {}).get("error", "valeur invalide"))
        return f"{reason}, reçu {given!r}"
    if kind.startswith("string"):
        return f"texte invalide, reçu {given!r}"
    return f"valeur invalide, reçu {given!r}"


def session(request: Request) -> Iterator[Session]:
    db: Database = request.app.state.db
    with db.session() as sess:
        yield sess


def writer(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Writing endpoints need ``Authorization: Bearer <VEILLEUR_API_TOKEN>``."""
    expected: str | None = request.app.state.api_token
    if expected is None:
        raise ApiError(
            403,
            "écriture désactivée : aucun jeton n'est configuré sur le serveur "
            "(VEILLEUR_API_TOKEN)",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise ApiError(401, "jeton absent ou invalide (Authorization: Bearer …)")


# Instants outside these years are mistakes; they would also overflow date arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ApiError(
            422, f"requête invalide — {name} : précisez le fuseau (ex. +01:00 ou Z)"
        )
    return within_years(value, name)


def within_years(value: datetime, name: str) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ApiError(
            422,
            f"requête invalide — {name} : date entre {FIRST_YEAR} et {LAST_YEAR} "
            f"attendue, reçu {value.isoformat()}",
        )
    return value


Db = Annotated[Session, Depends(session)]
IncidentId = Annotated[int, FastApiPath(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
StateName = Annotated[str | None, Query(pattern="^(up|down|unknown)$")]
Status = Annotated[str | None, Query(pattern="^(open|resolved|closed)$")]

api = APIRouter(prefix="/api/v1", responses=ERRORS)


@api.get("/health", response_model=s.HealthOut, tags=["service"])
def health(request: Request) -> Any:
    db: Database = request.app.state.db
    try:
        with db.session() as sess:
            count = sess.scalar(
                select(func.count(CheckRow.id)).where(CheckRow.retired_at.is_(None))
            )
    except SQLAlchemyError as exc:
        log.warning("health: database unreachable: %s", exc)
        return JSONResponse(
            {"status": "degraded", "database": "unreachable", "checks": 0},
            status_code=503,
        )
    return s.HealthOut(status="ok", database="ok", checks=int(count or 0))


@api.get("/overview", response_model=list[s.Tile], tags=["checks"])
def overview(db: Db) -> Any:
    return q.overview(db)


@api.get("/checks", response_model=s.CheckPage, tags=["checks"])
def list_checks(
    db: Db,
    platform: str | None = None,
    environment: str | None = None,
    host: str | None = None,
    state: StateName = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    f = q.CheckFilter(platform, environment, state, host)
    rows, total = q.list_checks(db, f, limit, offset)
    return s.CheckPage(
        items=[s.CheckOut.of(r) for r in rows], total=total, limit=limit, offset=offset
    )


@api.get(
    "/checks/{check_id:path}/history", response_model=s.HistoryOut, tags=["checks"]
)
def check_history(
    request: Request,
    db: Db,
    check_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """State changes, hourly latency and time in each state; default: the last 24 h."""
    row = _check_or_404(db, check_id)
    now = request.app.state.clock()
    until = aware(until, "until") or now
    since = aware(since, "since") or until - timedelta(days=1)
    if since >= until:
        raise ApiError(422, "requête invalide — since doit précéder until")
    if until - since > MAX_HISTORY:
        raise ApiError(422, "requête invalide — période de plus de 400 jours")
    # The future is not observed yet: it counts in no state.
    return history(db, row, since, min(until, max(since, now)))


def history(
    db: Session, row: CheckRow, since: datetime, until: datetime
) -> s.HistoryOut:
    changes = q.state_changes(db, row.id, None, until)
    steps = [Change(c.at, State(c.to_state)) for c in changes]
    times = time_in_states(steps, max(since, row.created_at), until)
    return s.HistoryOut(
        check_id=row.id,
        since=since,
        until=until,
        changes=[s.StateChangeOut.of(c) for c in changes if c.at >= since],
        buckets=[s.BucketOut.of(b) for b in q.buckets(db, [row.id], since)[row.id]],
        time_in_states=s.StateTimesOut(
            up_s=times.up_s,
            down_s=times.down_s,
            unknown_s=times.unknown_s,
            availability=times.availability,
        ),
    )


@api.get("/checks/{check_id:path}", response_model=s.CheckOut, tags=["checks"])
def get_check(db: Db, check_id: str) -> Any:
    return s.CheckOut.of(_check_or_404(db, check_id))


@api.get("/incidents", response_model=s.IncidentPage, tags=["incidents"])
def list_incidents(
    db: Db, status: Status = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    rows, total = q.list_incidents(db, status, limit, offset)
    return s.IncidentPage(
        items=[s.IncidentOut.of(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@api.get("/incidents/{incident_id}", response_model=s.IncidentOut, tags=["incidents"])
def get_incident(db: Db, incident_id: IncidentId) -> Any:
    return incident_out(db, _incident_or_404(db, incident_id))


def incident_out(db: Session, row: Any) -> s.IncidentOut:
    db.flush()
    return s.IncidentOut.of(
        row, q.incident_events(db, row.id), q.incident_notifications(db, row.id)
    )


WRITES: dict[str, Any] = {
    "response_model": s.IncidentOut,
    "tags": ["incidents"],
    "dependencies": [Depends(writer)],
    "responses": {
        401: {"model": s.ErrorOut},
        403: {"model": s.ErrorOut},
        409: {"model": s.ErrorOut},
    },
}


@api.post("/incidents/{incident_id}/notes", status_code=201, **WRITES)
def post_note(request: Request, db: Db, incident_id: IncidentId, note: s.NoteIn) -> Any:
    """Add a note to an incident's timeline."""
    add_note(db, incident_id, note.text, note.author, request.app.state.clock())
    return incident_out(db, _incident_or_404(db, incident_id))


@api.post("/incidents/{incident_id}/acknowledge", **WRITES)
def post_acknowledge(
    request: Request, db: Db, incident_id: IncidentId, body: s.ActorIn
) -> Any:
    """Take the incident in hand (prendre en charge): stops the GTI clock."""
    return _act(request, db, acknowledge, incident_id, body.author)


@api.post("/incidents/{incident_id}/restore", **WRITES)
def post_restore(
    request: Request, db: Db, incident_id: IncidentId, body: s.ActorIn
) -> Any:
    """Mark the service restored (rétabli): stops the GTR clock."""
    return _act(request, db, restore, incident_id, body.author)


@api.post("/incidents/{incident_id}/close", **WRITES)
def post_close(
    request: Request, db: Db, incident_id: IncidentId, body: s.CloseIn
) -> Any:
    """Close with the mandatory cause and resolution (they make the report)."""

    def closing(session: Session, contract: Any, iid: int, who: str, now: Any) -> Any:
        return close(
            session, contract, iid, who, body.cause, body.resolution,
            body.procedure, now,
        )  # fmt: skip

    return _act(request, db, closing, incident_id, body.author)


def _act(request: Request, db: Session, action: Any, incident_id: int, who: str) -> Any:
    """Run a lifecycle action as of now, answer with the incident."""
    state = request.app.state
    row = action(db, state.contract, incident_id, who, state.clock())
    return incident_out(db, row)


def _check_or_404(db: Session, check_id: str) -> CheckRow:
    row = q.get_check(db, check_id)
    if row is None:
        raise ApiError(404, f"contrôle inconnu : {check_id}")
    return row


def _incident_or_404(db: Session, incident_id: IncidentId) -> Any:
    row = q.get_incident(db, incident_id)
    if row is None:
        raise ApiError(404, f"incident inconnu : {incident_id}")
    return row
