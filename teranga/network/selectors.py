"""Reads on the network that feed pages and the API, each with a fixed number of queries."""

import unicodedata

from django.db.models import Prefetch, QuerySet

from teranga.lib.workdays import WorkingCalendar, calendar_from_overrides
from teranga.network.models import HolidayOverride, OpeningHours, Procedure, Region, Site


def sites_public() -> QuerySet[Site]:
    """Every site with its department, region and opening hours (3 queries when iterated)."""
    return Site.objects.select_related("department__region").prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def _alphabetical(text: str) -> str:
    """Sort key that puts Kédougou between Kaolack and Kolda, as a reader expects."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def regions_with_sites() -> list[Region]:
    """The 14 regions, each with `site_list`, both in alphabetical order (2 queries)."""
    regions = sorted(Region.objects.all(), key=lambda r: _alphabetical(r.name))
    by_region: dict[int, list[Site]] = {r.pk: [] for r in regions}
    for site in Site.objects.select_related("department"):
        by_region[site.department.region_id].append(site)
    for region in regions:
        region.site_list = sorted(
            by_region[region.pk], key=lambda s: _alphabetical(s.department.capital)
        )
    return regions


def site_public_get(code: str) -> Site | None:
    return sites_public().filter(code=code).first()


def procedures_offered(site: Site | None = None) -> QuerySet[Procedure]:
    """Active procedures, of one site when given, with their category (1 query)."""
    qs = Procedure.objects.filter(is_active=True).select_related("category")
    if site is not None:
        qs = qs.filter(sites=site)
    return qs.order_by("category__position", "name_fr")


def working_calendar() -> WorkingCalendar:
    """Senegal's calendar with the administrators' overrides (1 query)."""
    return calendar_from_overrides(
        HolidayOverride.objects.values_list("date", "is_holiday", "name")
    )


def calendar_overrides(year: int) -> QuerySet[HolidayOverride]:
    return HolidayOverride.objects.filter(date__year=year).order_by("date")
