"""Calendar months: a date some months later or earlier, kept within its month."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` months (negative: earlier); the 31st becomes the month's last
    day when the month is shorter (31 Aug + 18 months = 28 or 29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
