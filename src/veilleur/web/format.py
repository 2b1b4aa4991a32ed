"""How values read in the French pages: dates, durations, states, small charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from veilleur.french import SHORT_MONTHS, day_number, long_date
from veilleur.store.tables import LatencyBucketRow

PARIS = ZoneInfo("Europe/Paris")
STATES = {"up": "disponible", "down": "en panne", "unknown": "inconnu"}
# "resolved" is the contract's "service rétabli": the cause may still be unknown.
INCIDENT_STATUS = {"open": "ouvert", "resolved": "rétabli", "closed": "clos"}
NOTIFICATION_STATUS = {"sent": "envoyée", "pending": "en attente", "dead": "abandonnée"}
EVENT_KINDS = {
    "failing": "premier échec",
    "opened": "ouverture",
    "state": "changement d'état",
    "note": "note",
    "notified": "notification",
    "escalated": "relance",
    "acknowledged": "prise en charge",
    "warning": "échéance proche",
    "breach": "garantie dépassée",
    "handover": "passage de relais",
    "resolved": "rétablissement",
    "closed": "clôture",
}


def date_fr(value: datetime | None, zone: ZoneInfo = PARIS) -> str:
    """« 4 décembre 2026 à 17:05 » in the zone of the people reading."""
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{long_date(local)} à {local:%H:%M}"


def day_time_fr(value: datetime | None, zone: ZoneInfo = PARIS) -> str:
    """« 4 déc. 19:00 »: a date for a table cell."""
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{day_number(local)} {SHORT_MONTHS[local.month - 1]} {local:%H:%M}"


def time_fr(value: datetime | None, zone: ZoneInfo = PARIS) -> str:
    return "—" if value is None else f"{value.astimezone(zone):%H:%M:%S}"


def duration_fr(seconds: float) -> str:
    """« 45 s », « 12 min », « 2 h 05 min », « 3 j 4 h »."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h"


def countdown_fr(seconds: float) -> str:
    """« reste 20 min » before a deadline, « dépassée de 5 min » after it."""
    if seconds > 0:
        return f"reste {duration_fr(seconds)}"
    return f"dépassée de {duration_fr(-seconds)}"


def percent_fr(ratio: float | None, digits: int = 3) -> str:
    """« 99,952 % » with a decimal comma and a narrow no-break space."""
    if ratio is None:
        return "—"
    text = f"{ratio * 100:.{digits}f}".replace(".", ",")
    return f"{text}\u202f%"


def sparkline(
    buckets: Sequence[LatencyBucketRow], now: datetime, hours: int = 24
) -> str:
    """An SVG strip of the last `hours` hours: one bar an hour.

    Height is the hour's average latency against the strip's highest; colour says how
    many probes failed (none, some, all); a grey stub is an hour with no probe.
    """
    width, height, gap = 4, 20, 1
    end = now.replace(minute=0, second=0, microsecond=0)
    slots = [end - timedelta(hours=hours - 1 - i) for i in range(hours)]
    by_start = {b.start: b for b in buckets}
    averages = [
        b.latency_sum_ms / b.answered
        for b in buckets
        if b.answered and b.start in slots
    ]
    top = max(averages, default=1.0) or 1.0
    bars = []
    for i, start in enumerate(slots):
        b = by_start.get(start)
        x = i * (width + gap)
        if b is None or b.probes == 0:
            bars.append(
                f'<rect x="{x}" y="{height - 2}" width="{width}" height="2" '
                'class="s-none"/>'
            )
            continue
        average = b.latency_sum_ms / b.answered if b.answered else top
        bar = max(3, round(height * average / top))
        css = (
            "s-ok"
            if b.failures == 0
            else "s-down"
            if b.failures == b.probes
            else "s-some"
        )
        title = (
            f"{start.astimezone(PARIS):%d/%m %H}h : {b.probes} sondes, "
            f"{b.failures} échecs, {average:.0f} ms"
        )
        bars.append(
            f'<rect x="{x}" y="{height - bar}" width="{width}" height="{bar}" '
            f'class="{css}"><title>{escape(title)}</title></rect>'
        )
    total = hours * (width + gap)
    return (
        f'<svg class="spark" width="{total}" height="{height}" role="img" '
        f'aria-label="Historique des dernières {hours} heures">{"".join(bars)}</svg>'
    )
