"""The hook through which a lower app says "a past day's figures of this site changed"
(a rating that arrives days late, a complaint's due date moved). The indicators app listens
and marks the day for recomputation in the same transaction, so nothing committed is missed.
Today and yesterday are recomputed continuously and need no signal."""

from datetime import date, timedelta

from django.dispatch import Signal
from django.utils import timezone

facts_changed = Signal()  # keyword arguments: site_id, day


def past_day_changed(*, site_id: int, day: date) -> None:
    if day < timezone.localdate() - timedelta(days=1):
        facts_changed.send(sender=None, site_id=site_id, day=day)
