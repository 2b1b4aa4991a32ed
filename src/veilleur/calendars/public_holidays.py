"""Public holidays of a country and subdivision, from the `holidays` package.

The package is the only source of holidays (no hand-written lists). Its objects are
built once per (country, subdivision, year) and kept: a month of coverage arithmetic
asks about every day, and building a year of holidays costs far more than a lookup.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from holidays import HolidayBase


def check_region(country: str, subdivision: str | None, where: str) -> None:
    """Raise ValueError, naming `where`, unless the package knows this region."""
    try:
        _language(country, subdivision)
    except NotImplementedError as exc:
        raise ValueError(
            f"{where}: country {country!r} with subdivision {subdivision!r} is "
            f"unknown to the holidays package ({exc}); for France use None, or e.g. "
            "'57' (Moselle), '6AE' (Alsace), '974' (La Réunion)"
        ) from exc


def holiday_names(country: str, subdivision: str | None, day: date) -> list[str]:
    """Names of the public holidays on `day` (local), in French where available."""
    return _year(country, subdivision, day.year).get_list(day)


@lru_cache(maxsize=64)
def _language(country: str, subdivision: str | None) -> str | None:
    """French when the package has it for this country, else its default language.

    NB: asked for a language it does not have for a country (Germany in French), the
    package answers in American English rather than in the country's own language, so
    French is asked for only where it exists.
    """
    entity = holidays.country_holidays(country, subdiv=subdivision, years=())
    return "fr" if "fr" in entity.supported_languages else None


@lru_cache(maxsize=256)
def _year(country: str, subdivision: str | None, year: int) -> HolidayBase:
    # expand=False: a lookup in another year must not grow a shared, cached object.
    return holidays.country_holidays(
        country,
        subdiv=subdivision,
        years=year,
        expand=False,
        language=_language(country, subdivision),
        categories=(holidays.PUBLIC,),
    )
