"""Scopes and contacts in the inventory: who covers what, and whom to tell.

A scope groups platforms (or single environments of them) under one coverage calendar,
one set of guarantees (GTI, GTR) and one alert chain. Contacts are people or teams with
their notification channels, as `apprise` URLs; a secret in a URL is written
``{env:NAME}`` and read from the environment only when a message is sent, so it is
never stored, printed or logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from veilleur.calendars.model import Calendar, Closure, Window

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
ENV_PATTERN = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
COUNTING = ("coverage", "round_the_clock", "business_hours")


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    channels: tuple[str, ...]  # apprise URLs, secrets as {env:NAME}


@dataclass(frozen=True)
class ChainStep:
    after_s: float  # seconds after the incident opened, if nobody has taken it in hand
    contacts: tuple[str, ...]


@dataclass(frozen=True)
class Guarantees:
    gti_s: float = 2 * 3600  # garantie de temps d'intervention
    gtr_s: float = 4 * 3600  # garantie de temps de rétablissement
    # "coverage": deadlines count only the provider's coverage time;
    # "round_the_clock": every hour; "business_hours": only the calendar's business
    # hours (support on working days only).
    counting: str = "coverage"
    warn_before_s: float = (
        30 * 60
    )  # warn the on-call person this long before a deadline


@dataclass(frozen=True)
class Scope:
    id: str
    name: str
    members: tuple[tuple[str, str | None], ...]  # (platform, environment or None = all)
    calendar: Calendar
    guarantees: Guarantees
    chain: tuple[ChainStep, ...]
    inform: tuple[str, ...]  # contacts told of every out-of-hours incident and its end
    # Contacts told of an incident raised during the client's business hours (its own
    # team is on duty then, the provider's chain is not called).
    business_hours: tuple[str, ...] = ()

    def covers(self, platform: str, environment: str) -> bool:
        return any(
            p == platform and (e is None or e == environment) for p, e in self.members
        )


def secret_names(url: str) -> list[str]:
    """The environment variables a channel URL needs."""
    return ENV_PATTERN.findall(url)


def parse_days(text: str) -> list[int] | None:
    """ "mon-fri" -> [0..4]; "sat,sun" -> [5, 6]; None when unreadable."""
    days: list[int] = []
    for part in str(text).lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            return None
        low, high = DAYS.index(first), DAYS.index(last or first)
        if high < low:
            return None
        days.extend(range(low, high + 1))
    return days


def parse_hours(text: str) -> tuple[time, time] | None:
    match = HOURS_PATTERN.match(str(text))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        return None
    end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
    return time(h1, m1), end


def build_calendar(
    scope_id: str, raw: Mapping[str, Any], problem: Any
) -> Calendar | None:
    """A Calendar from a scope's ``calendar:`` mapping; problems go to `problem`."""
    ok = True
    zone_name = str(raw.get("zone", "Europe/Paris"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        problem(("zone",), f"unknown time zone {zone_name!r} (e.g. Europe/Paris)")
        return None

    windows: list[Window] = []
    hours = raw.get("business_hours", [])
    if not isinstance(hours, list):
        problem(
            ("business_hours",),
            "expected a list of {days: mon-fri, hours: 08:00-17:00}",
        )
        return None
    for index, entry in enumerate(hours):
        where = ("business_hours", index)
        if not isinstance(entry, Mapping):
            problem(where, "expected {days: mon-fri, hours: 08:00-17:00}")
            ok = False
            continue
        days = parse_days(entry.get("days", ""))
        span = parse_hours(entry.get("hours", ""))
        if days is None:
            problem(
                (*where, "days"),
                f"bad days {entry.get('days')!r}: write mon-fri or sat,sun",
            )
            ok = False
        if span is None:
            problem(
                (*where, "hours"),
                f"bad hours {entry.get('hours')!r}: write 08:00-17:00",
            )
            ok = False
        if days is None or span is None:
            continue
        try:
            windows.extend(Window(day, span[0], span[1]) for day in days)
        except ValueError as exc:
            problem((*where, "hours"), str(exc))
            ok = False

    closures: list[Closure] = []
    for index, entry in enumerate(raw.get("closures") or []):
        where = ("closures", index)
        if not isinstance(entry, Mapping):
            problem(where, "expected {name: …, from: 2026-12-19, to: 2027-01-03}")
            ok = False
            continue
        first: Any = entry.get("from")
        last: Any = entry.get("to")
        try:
            closures.append(Closure(str(entry.get("name", "")), first, last))
        except ValueError as exc:
            problem(where, str(exc))
            ok = False

    adhoc = list(raw.get("adhoc_days") or [])
    if not all(isinstance(d, date) for d in adhoc):
        problem(("adhoc_days",), "expected a list of days such as 2026-12-09")
        ok = False
    holidays = raw.get("holidays") or {}
    if not ok:
        return None
    try:
        return Calendar(
            id=scope_id,
            zone=zone,
            business_hours=tuple(windows),
            country=str(holidays.get("country", "FR")),
            subdivision=None
            if holidays.get("subdivision") is None
            else str(holidays["subdivision"]),
            closures=tuple(closures),
            adhoc_days=tuple(adhoc),
        )
    except ValueError as exc:
        problem(("holidays",), str(exc))
        return None
