"""Reads on the network that feed pages and the API, each with a fixed number of queries."""

import unicodedata

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from teranga.lib import rows
from teranga.lib.workdays import WorkingCalendar, calendar_from_overrides
from teranga.network.models import (
    Department,
    HolidayOverride,
    OpeningHours,
    Procedure,
    Region,
    Site,
)


def sites_public() -> QuerySet[Site]:
    """Every site with its department, region and opening hours (3 queries when iterated)."""
    return Site.objects.select_related("department__region").prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def alphabetical(text: str) -> str:
    """Sort key that puts Kédougou between Kaolack and Kolda, as a reader expects."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def regions_with_sites() -> list[Region]:
    """The 14 regions, each with `site_list`, both in alphabetical order (2 queries)."""
    regions = sorted(Region.objects.all(), key=lambda r: alphabetical(r.name))
    by_region: dict[int, list[Site]] = {r.pk: [] for r in regions}
    for site in Site.objects.select_related("department"):
        by_region[site.department.region_id].append(site)
    for region in regions:
        region.site_list = sorted(
            by_region[region.pk], key=lambda s: alphabetical(s.department.capital)
        )
    return regions


def sites_public_rows(
    *, code: str | None = None, region_slug: str | None = None, pilot: bool | None = None
) -> list[dict]:
    """Sites as plain rows for the public API, opening hours included (2 queries).

    Built from values() rather than model instances: the list is read often and whole."""
    qs = Site.objects.order_by("code")
    if code is not None:
        qs = qs.filter(code=code)
    if region_slug is not None:
        qs = qs.filter(department__region__slug=region_slug)
    if pilot is not None:
        qs = qs.filter(is_pilot=pilot)
    found = list(
        qs.values(
            "id",
            "code",
            "name",
            "is_pilot",
            "status",
            "address",
            "phone",
            "opened_on",
            "latitude",
            "longitude",
            department_name=F("department__name"),
            region_name=F("department__region__name"),
        )
    )
    hours: dict[int, list[dict]] = {row["id"]: [] for row in found}
    for slot in (
        OpeningHours.objects.filter(site_id__in=hours)
        .order_by("weekday", "opens")
        .values("site_id", "weekday", "opens", "closes")
    ):
        hours[slot.pop("site_id")].append(
            {
                "weekday": slot["weekday"],
                "opens": f"{slot['opens']:%H:%M}",
                "closes": f"{slot['closes']:%H:%M}",
            }
        )
    for row in found:
        row["pk"] = row.pop("id")
        row["opening_hours"] = hours[row["pk"]]
        row["department"] = row.pop("department_name")
        row["region"] = row.pop("region_name")
    return found


# Every API request about a site starts here: plain SQL written once (teranga.lib.rows), the
# ORM spent ten times longer building this query than the database answering it.
_SITE_SQL = f"""
    SELECT {rows.columns(Site, "s")}, {rows.columns(Department, "d")}
    FROM {Site._meta.db_table} s JOIN {Department._meta.db_table} d ON d.id = s.department_id
    WHERE s.code = %s
"""


def site_or_404(code: str) -> Site:
    """The site `code` with its department, whatever its status, for API handlers: Http404
    naming the code."""
    site = rows.one_with_related(_SITE_SQL, [code], Site, "department")
    if site is None:
        raise Http404(f"Unknown site '{code}'.")
    return site


def site_public_get(code: str) -> Site | None:
    return sites_public().filter(code=code).first()


def procedures_offered(site: Site | None = None) -> QuerySet[Procedure]:
    """Active procedures, of one site when given, with their category (1 query)."""
    qs = Procedure.objects.filter(is_active=True).select_related("category")
    if site is not None:
        qs = qs.filter(sites=site)
    return qs.order_by("category__position", "name_fr")


def procedures_by_category(site: Site) -> list[tuple]:
    """The site's active procedures grouped by category, in catalogue order (1 query)."""
    groups: dict = {}
    for procedure in procedures_offered(site):
        groups.setdefault(procedure.category, []).append(procedure)
    return list(groups.items())


def working_calendar() -> WorkingCalendar:
    """Senegal's calendar with the administrators' overrides (1 query)."""
    return calendar_from_overrides(
        HolidayOverride.objects.values_list("date", "is_holiday", "name")
    )


def calendar_overrides(year: int) -> QuerySet[HolidayOverride]:
    return HolidayOverride.objects.filter(date__year=year).order_by("date")
