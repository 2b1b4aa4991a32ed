"""The French texts of notifications. Pure: they take rows and times, return text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from veilleur.web.format import date_fr

CLOCK_NAMES = {"gti": "GTI (prise en charge)", "gtr": "GTR (rétablissement)"}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class IncidentFacts:
    """What messages say of an incident; a plain copy of the row's fields."""

    id: int
    title: str
    target: str
    started_at: datetime
    opened_at: datetime
    reason: str
    gti_due: datetime | None
    gtr_due: datetime | None
    url: str  # the incident's page


def _head(facts: IncidentFacts, what: str) -> str:
    return f"[Veilleur] Incident n° {facts.id} {what} — {facts.title}"


def _deadlines(facts: IncidentFacts) -> str:
    lines = []
    if facts.gti_due is not None:
        lines.append(f"À prendre en charge avant le {date_fr(facts.gti_due)} (GTI).")
    if facts.gtr_due is not None:
        lines.append(f"À rétablir avant le {date_fr(facts.gtr_due)} (GTR).")
    return "\n".join(lines)


def opened(facts: IncidentFacts, step: int = 0) -> Message:
    what = "ouvert" if step == 0 else f"toujours sans prise en charge (relance {step})"
    body = "\n".join(
        part
        for part in (
            f"{facts.title}",
            f"Cible : {facts.target}",
            f"Premier échec : {date_fr(facts.started_at)}",
            f"Raison : {facts.reason}",
            _deadlines(facts),
            f"Détails : {facts.url}",
        )
        if part
    )
    return Message(_head(facts, what), body)


def warning(facts: IncidentFacts, clock: str, due: datetime) -> Message:
    name = CLOCK_NAMES[clock]
    return Message(
        _head(facts, f"— échéance {clock.upper()} proche"),
        f"L'échéance {name} arrive le {date_fr(due)}.\nDétails : {facts.url}",
    )


def breach(facts: IncidentFacts, clock: str, due: datetime) -> Message:
    name = CLOCK_NAMES[clock]
    return Message(
        _head(facts, f"— {clock.upper()} dépassée"),
        f"L'échéance {name} du {date_fr(due)} est dépassée.\nDétails : {facts.url}",
    )


def handover(facts: IncidentFacts, at: datetime) -> Message:
    return Message(
        _head(facts, "— passage de relais à l'équipe d'exploitation"),
        f"Début des heures ouvrées le {date_fr(at)} : l'incident, toujours ouvert, "
        f"passe à l'équipe d'exploitation.\nDétails : {facts.url}",
    )


def restored(facts: IncidentFacts, at: datetime, by: str | None) -> Message:
    who = f" par {by}" if by else ""
    return Message(
        _head(facts, "— service rétabli"),
        f"Service rétabli le {date_fr(at)}{who}.\nDétails : {facts.url}",
    )


def closed(
    facts: IncidentFacts,
    at: datetime,
    cause: str,
    resolution: str,
    procedure: str | None,
    clocks: str,
) -> Message:
    lines = [
        f"Incident clos le {date_fr(at)}.",
        f"Cause : {cause}",
        f"Résolution : {resolution}",
    ]
    if procedure:
        lines.append(f"Procédure suivie : {procedure}")
    lines += [clocks, f"Rapport d'incident : {facts.url}/rapport"]
    return Message(_head(facts, "clos"), "\n".join(lines))
