from django.dispatch import receiver
from django.utils import timezone

from teranga.indicators.models import StaleDay
from teranga.lib.facts import facts_changed


@receiver(facts_changed)
def mark_stale(sender, *, site_id, day, **kwargs):
    StaleDay.objects.bulk_create(
        [StaleDay(site_id=site_id, day=day, marked_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["site", "day"],
        update_fields=["marked_at"],
    )
