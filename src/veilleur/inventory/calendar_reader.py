"""Reading a scope's ``calendar:`` mapping into a `Calendar`.

Every value is type-checked before it is used: `Calendar` and `Closure` refuse what is
wrong with a ValueError, but a number where a list belongs, or text where a mapping
belongs, would otherwise break before they are reached. Unknown keys are refused: a
``timezone: UTC`` silently ignored would leave a calendar in Europe/Paris.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from veilleur.calendars.model import Calendar, Closure, Window
from veilleur.inventory.fields import SourceFile, kind_of
from veilleur.inventory.scopes import parse_days, parse_hours
from veilleur.inventory.yamlfile import Path, show

CALENDAR_KEYS = ("zone", "business_hours", "holidays", "closures", "adhoc_days")
HOLIDAY_KEYS = ("country", "subdivision")
WINDOW_EXAMPLE = "{days: mon-fri, hours: 08:00-17:00}"
CLOSURE_EXAMPLE = "{name: fermeture de décembre, from: 2026-12-19, to: 2027-01-03}"


def read_calendar(
    f: SourceFile, scope_id: str, raw: Mapping[Any, Any], path: Path
) -> Calendar | None:
    """A Calendar from a scope's ``calendar:`` mapping; None when anything is wrong."""
    f.unknown_keys(raw, CALENDAR_KEYS, path)
    zone = _zone(f, raw.get("zone", "Europe/Paris"), (*path, "zone"))
    windows = _windows(f, raw.get("business_hours"), (*path, "business_hours"))
    region = _holidays(f, raw.get("holidays"), (*path, "holidays"))
    closures = _closures(f, raw.get("closures"), (*path, "closures"))
    adhoc = _adhoc_days(f, raw.get("adhoc_days"), (*path, "adhoc_days"))
    if (
        zone is None
        or windows is None
        or region is None
        or closures is None
        or adhoc is None
    ):
        return None

    try:
        return Calendar(
            id=scope_id,
            zone=zone,
            business_hours=windows,
            country=region[0],
            subdivision=region[1],
            closures=closures,
            adhoc_days=adhoc,
        )
    except ValueError as exc:
        f.problem((*path, "holidays"), str(exc))
        return None


def _zone(f: SourceFile, raw: Any, path: Path) -> ZoneInfo | None:
    if isinstance(raw, str):
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    f.problem(path, f"unknown time zone {show(raw)} (e.g. Europe/Paris)")
    return None


def _windows(f: SourceFile, raw: Any, path: Path) -> tuple[Window, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.problem(path, f"expected a list of {WINDOW_EXAMPLE}, got {kind_of(raw)}")
        return None
    windows: list[Window] = []
    ok = True
    for index, entry in enumerate(raw):
        found = _window(f, entry, (*path, index))
        ok = ok and found is not None
        windows.extend(found or ())
    return tuple(windows) if ok else None


def _window(f: SourceFile, raw: Any, path: Path) -> list[Window] | None:
    """The windows of one ``{days, hours}`` entry, one per day."""
    if not isinstance(raw, Mapping):
        f.problem(path, f"expected {WINDOW_EXAMPLE}, got {kind_of(raw)}")
        return None
    f.unknown_keys(raw, ("days", "hours"), path)
    days_text, hours_text = raw.get("days"), raw.get("hours")
    days = parse_days(days_text) if isinstance(days_text, str) else None
    span = parse_hours(hours_text) if isinstance(hours_text, str) else None
    if days is None:
        f.problem(
            (*path, "days"), f"bad days {show(days_text)}: write mon-fri or sat,sun"
        )
    if span is None:
        f.problem((*path, "hours"), f"bad hours {show(hours_text)}: write 08:00-17:00")
    if days is None or span is None:
        return None
    try:
        return [Window(day, span[0], span[1]) for day in days]
    except ValueError as exc:
        f.problem((*path, "hours"), str(exc))
        return None


def _holidays(f: SourceFile, raw: Any, path: Path) -> tuple[str, str | None] | None:
    """(country, subdivision) of ``holidays: {country: FR, subdivision: "57"}``."""
    if raw is None:
        return "FR", None
    if not isinstance(raw, Mapping):
        f.problem(
            path,
            f"expected {{country: FR, subdivision: '57'}}, got {kind_of(raw)} "
            f"{show(raw)}",
        )
        return None
    f.unknown_keys(raw, HOLIDAY_KEYS, path)
    country = raw.get("country", "FR")
    subdivision = raw.get("subdivision")
    if not isinstance(country, str):
        f.problem(
            (*path, "country"),
            f"expected a country code such as FR, got {show(country)}",
        )
        return None
    # A YAML 57 is a number; the holidays package wants the text "57".
    if subdivision is not None and type(subdivision) not in (str, int):
        f.problem(
            (*path, "subdivision"),
            f"expected a subdivision code such as '57', got {show(subdivision)}",
        )
        return None
    return country, None if subdivision is None else str(subdivision)


def _closures(f: SourceFile, raw: Any, path: Path) -> tuple[Closure, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.problem(path, f"expected a list of {CLOSURE_EXAMPLE}, got {kind_of(raw)}")
        return None
    closures = [_closure(f, entry, (*path, index)) for index, entry in enumerate(raw)]
    if None in closures:
        return None
    return tuple(c for c in closures if c is not None)


def _closure(f: SourceFile, raw: Any, path: Path) -> Closure | None:
    if not isinstance(raw, Mapping):
        f.problem(path, f"expected {CLOSURE_EXAMPLE}, got {kind_of(raw)}")
        return None
    if not f.unknown_keys(raw, ("name", "from", "to"), path):
        return None
    name = raw.get("name", "")
    if not isinstance(name, str):
        f.problem((*path, "name"), f"expected a name, got {show(name)}")
        return None
    first: Any = raw.get("from")  # Closure says what is not a date
    last: Any = raw.get("to")
    try:
        return Closure(name, first, last)
    except ValueError as exc:
        f.problem(path, str(exc))
        return None


def _adhoc_days(f: SourceFile, raw: Any, path: Path) -> tuple[date, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(_is_day(day) for day in raw):
        f.problem(path, "expected a list of days such as [2026-12-09, 2026-12-10]")
        return None
    return tuple(raw)


def _is_day(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)
