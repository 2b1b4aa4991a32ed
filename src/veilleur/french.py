"""French words for dates, in one place for the pages, messages and calendars."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
    "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
SHORT_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.",
    "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def day_number(day: date) -> str:
    """« 1er » for the first of the month, the plain number otherwise."""
    return "1er" if day.day == 1 else str(day.day)


def long_date(day: date) -> str:
    """« 1er décembre 2026 », « 9 décembre 2026 »."""
    return f"{day_number(day)} {MONTHS[day.month - 1]} {day.year}"
