"""The incident report (rapport d'incident : causes et résolution), in HTML and PDF.

The contract asks for a detailed report of every incident, with its causes and its
resolution. One template makes it: the web page serves that HTML, made to be printed,
and WeasyPrint renders the very same HTML to the PDF people archive, so the printed
and the archived report cannot drift apart. The stylesheet is inlined in the page: the
PDF needs no web server to fetch it from.

Everything here is pure. Rows are read by the caller, and `now` (the instant the
report is made at) is handed in: it dates the report and measures what still runs.

An incident that is not closed yet gets a provisional report: the same sections, with
the cause and the resolution still to come, under a banner that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from veilleur.incidents import clocks
from veilleur.incidents.lifecycle import CLOCK_WORDS, SYSTEM_ACTOR
from veilleur.inventory.scopes import Guarantees, Scope
from veilleur.store.tables import CheckRow, IncidentEventRow, IncidentRow
from veilleur.web import format as fmt

TEMPLATES = Path(__file__).parent / "templates"
NO_DEADLINE = "none"  # the status we show for a clock without a deadline
DEFAULT_WARN_S = Guarantees().warn_before_s


@dataclass(frozen=True)
class ClockReading:
    """One guarantee clock of an incident (GTI or GTR), as people read it."""

    name: str  # GTI or GTR
    meaning: str  # « garantie de temps d'intervention »
    due_at: datetime | None  # None: the incident is in no scope, nothing is guaranteed
    status: str  # running, met, breached, handed_over; NO_DEADLINE without a deadline
    ended_at: datetime | None  # when it stopped: taken in hand, restored, handed over
    ended_by: str  # in French, what stopped it at `ended_at`
    left_s: float | None  # running only: seconds to the deadline, negative past it
    near: bool  # running, with the deadline within the scope's warning time

    @property
    def words(self) -> str:
        """« en cours », « respectée », « dépassée », « passée à l'équipe … »."""
        if self.status == NO_DEADLINE:
            return "sans objet (aucune garantie sur ce périmètre)"
        return CLOCK_WORDS.get(self.status, self.status)

    @property
    def countdown(self) -> str:
        """« reste 20 min » or « dépassée de 5 min » while running, else empty."""
        return "" if self.left_s is None else fmt.countdown_fr(self.left_s)

    @property
    def urgency(self) -> str:
        """For the eye: "breached" past the deadline, "near" close to it, else ""."""
        overdue = self.left_s is not None and self.left_s <= 0
        if self.status == clocks.BREACHED or overdue:
            return "breached"
        return "near" if self.near else ""


def read_clocks(
    incident: IncidentRow, now: datetime, scope: Scope | None = None
) -> tuple[ClockReading, ClockReading]:
    """The GTI and GTR clocks of `incident` at `now`."""
    warn_s = scope.guarantees.warn_before_s if scope else DEFAULT_WARN_S
    # GTI stops at whichever comes first: someone takes it in hand, or the service
    # comes back (the lifecycle then marks it met: no intervention was needed).
    gti_stops = [
        (incident.acknowledged_at, "prise en charge"),
        (incident.resolved_at, "service rétabli avant toute prise en charge"),
    ]
    gtr_stops = [(incident.resolved_at, "service rétabli")]
    return (
        _reading(
            "GTI",
            "garantie de temps d'intervention",
            incident,
            incident.gti_due_at,
            incident.gti_status,
            gti_stops,
            now,
            warn_s,
        ),
        _reading(
            "GTR",
            "garantie de temps de rétablissement",
            incident,
            incident.gtr_due_at,
            incident.gtr_status,
            gtr_stops,
            now,
            warn_s,
        ),
    )


def _reading(
    name: str,
    meaning: str,
    incident: IncidentRow,
    due: datetime | None,
    status: str,
    stops: list[tuple[datetime | None, str]],
    now: datetime,
    warn_s: float,
) -> ClockReading:
    if due is None:
        # Out of any scope the lifecycle leaves the status at "running" for ever.
        return ClockReading(name, meaning, None, NO_DEADLINE, None, "", None, False)

    ended_at, ended_by = None, ""
    if status == clocks.HANDED_OVER:
        ended_at = incident.handed_over_at
        ended_by = "passage de relais à l'équipe d'exploitation"
    else:
        happened = [(at, words) for at, words in stops if at is not None]
        if happened:
            ended_at, ended_by = min(happened, key=lambda stop: stop[0])

    left_s = (due - now).total_seconds() if status == clocks.RUNNING else None
    near = left_s is not None and 0 < left_s <= warn_s
    return ClockReading(name, meaning, due, status, ended_at, ended_by, left_s, near)


def actor_fr(actor: str | None) -> str:
    """A person's name, or « Veilleur » for what Veilleur did by itself."""
    if not actor or actor == SYSTEM_ACTOR:
        return "Veilleur (automatique)"
    return actor


def incident_report_html(
    incident: IncidentRow,
    check: CheckRow | None,
    events: list[IncidentEventRow],
    *,
    now: datetime,
    scope: Scope | None = None,
) -> str:
    """The report as a standalone HTML page (styles inlined), made to be printed.

    `check` is None only if the check's row is gone; `scope` is the incident's scope
    as the inventory knows it now, for its name and guarantees (None: not shown).
    """
    template = TEMPLATE_ENV.get_template("incident.html")
    return template.render(_context(incident, check, events, now, scope))


def incident_report_pdf(
    incident: IncidentRow,
    check: CheckRow | None,
    events: list[IncidentEventRow],
    *,
    now: datetime,
    scope: Scope | None = None,
) -> bytes:
    """The report as an A4 PDF, rendered by WeasyPrint from the same HTML."""
    html = incident_report_html(incident, check, events, now=now, scope=scope)
    return pdf_of(html)


def pdf_of(html: str) -> bytes:
    """Render a standalone HTML page to PDF."""
    # Imported here: WeasyPrint takes a while to load, and only PDFs need it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def _context(
    incident: IncidentRow,
    check: CheckRow | None,
    events: list[IncidentEventRow],
    now: datetime,
    scope: Scope | None,
) -> dict[str, Any]:
    gti, gtr = read_clocks(incident, now, scope)
    return {
        "incident": incident,
        "check": check,
        "events": events,
        "now": now,
        "scope": scope,
        "status": fmt.INCIDENT_STATUS.get(incident.status, incident.status),
        "provisional": incident.status != "closed",
        "clocks": (gti, gtr),
        "milestones": _milestones(incident),
        "durations": _durations(incident, now),
        "counting": _counting(scope),
    }


def _milestones(incident: IncidentRow) -> list[tuple[str, datetime | None, str]]:
    """(step, when, by whom) from the first failure to the closing."""
    restored_by = (
        actor_fr(incident.restored_by)
        if incident.restored_by
        else "la sonde (retour à la normale constaté)"
    )
    rows = [
        ("Premier échec de la sonde", incident.started_at, ""),
        ("Ouverture de l'incident (panne confirmée)", incident.opened_at, ""),
        (
            "Prise en charge",
            incident.acknowledged_at,
            actor_fr(incident.acknowledged_by) if incident.acknowledged_at else "",
        ),
        (
            "Rétablissement du service",
            incident.resolved_at,
            restored_by if incident.resolved_at else "",
        ),
    ]
    if incident.handed_over_at is not None:
        rows.append(
            ("Passage de relais à l'équipe d'exploitation", incident.handed_over_at, "")
        )
    rows.append(
        (
            "Clôture",
            incident.closed_at,
            actor_fr(incident.closed_by) if incident.closed_at else "",
        )
    )
    return rows


def _durations(incident: IncidentRow, now: datetime) -> list[tuple[str, str]]:
    """Real elapsed times (not the contract's coverage time) between milestones."""

    def between(start: datetime, end: datetime | None, pending: str) -> str:
        if end is None:
            return f"{pending} ({fmt.duration_fr((now - start).total_seconds())} à ce jour)"
        return fmt.duration_fr((end - start).total_seconds())

    return [
        (
            "Interruption du service (premier échec → rétablissement)",
            between(incident.started_at, incident.resolved_at, "service non rétabli"),
        ),
        (
            "Délai de prise en charge (ouverture → prise en charge)",
            between(
                incident.opened_at, incident.acknowledged_at, "pas de prise en charge"
            ),
        ),
        (
            "Délai de rétablissement (ouverture → rétablissement)",
            between(incident.opened_at, incident.resolved_at, "service non rétabli"),
        ),
        (
            "Traitement complet (ouverture → clôture)",
            between(incident.opened_at, incident.closed_at, "incident non clos"),
        ),
    ]


def _counting(scope: Scope | None) -> str:
    """How the scope's deadlines count, in one French sentence."""
    if scope is None:
        return ""
    g = scope.guarantees
    hours = f"GTI de {_hours(g.gti_s)} et GTR de {_hours(g.gtr_s)}"
    if g.counting == "round_the_clock":
        return f"{hours}, comptées 24 h sur 24 depuis l'ouverture de l'incident."
    if g.counting == "business_hours":
        return (
            f"{hours}, comptées sur les heures ouvrées seulement (support en jours "
            "ouvrés) depuis l'ouverture de l'incident."
        )
    return (
        f"{hours}, comptées sur la période de prise en charge par le titulaire "
        "(hors heures ouvrées de l'équipe d'exploitation) depuis l'ouverture."
    )


def _hours(seconds: float) -> str:
    """« 2 h » for whole hours, else as any duration."""
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    return fmt.duration_fr(seconds)


TEMPLATE_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATE_ENV.filters.update(
    date=fmt.date_fr,
    duration=fmt.duration_fr,
    actor=actor_fr,
    event=lambda kind: fmt.EVENT_KINDS.get(kind, kind),
)
