"""Dates and day names in the active language, Wolof included, from Babel's CLDR data
(Django ships no Wolof formats)."""

from datetime import date

from babel.dates import format_date, get_day_names
from django.utils.translation import get_language


def _locale() -> str:
    return (get_language() or "fr")[:2]


def weekday_name(weekday: int) -> str:
    """0 = Monday … 6 = Sunday, capitalised, in the active language."""
    return get_day_names("wide", locale=_locale())[weekday].capitalize()


def date_day(day: date) -> str:
    """e.g. '21 décembre 2026', '21 Desàmbar, 2026' (Django has no Wolof month names)."""
    return format_date(day, "long", locale=_locale())


def date_long(day: date) -> str:
    """e.g. 'dimanche 29 novembre 2026', 'Dibéer, 29 Now, 2026'."""
    return format_date(day, "full", locale=_locale())
