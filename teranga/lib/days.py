"""Days as the centres live them: where a local day starts, a day read from an address."""

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone (Africa/Dakar), aware."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_or_none(text: str) -> date | None:
    """An ISO day (2026-10-01) from a query string, or None for anything else."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
