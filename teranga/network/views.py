"""Public pages of the network and the staff home pages."""

from collections import defaultdict
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from teranga.lib.i18n import weekday_name
from teranga.network import selectors
from teranga.network.models import NATIONAL_ROLES, OpeningHours, Role, RoleAssignment
from teranga.network.permissions import (
    Action,
    is_national_admin,
    is_staff_member,
    site_for_user,
    sites_for,
    user_can,
    user_roles,
)


def _hours_by_weekday(site) -> list[tuple[str, list[OpeningHours]]]:
    """Monday to Sunday by name in the active language, each with its opening slots."""
    slots = defaultdict(list)
    for slot in site.hours.all():
        slots[slot.weekday].append(slot)
    return [(weekday_name(day), slots[day]) for day in range(7)]


def home(request: HttpRequest) -> HttpResponse:
    regions = selectors.regions_with_sites()
    sites = [site for region in regions for site in region.site_list]
    return render(
        request,
        "public/home.html",
        {
            "regions": regions,
            "site_count": len(sites),
            "pilot_count": sum(site.is_pilot for site in sites),
        },
    )


def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    site = selectors.site_public_get(code)
    if site is None:
        raise Http404(_("No Espace Sénégal Services has this code."))
    return render(
        request,
        "public/site_detail.html",
        {
            "site": site,
            "hours": _hours_by_weekday(site),
            "categories": selectors.procedures_by_category(site),
        },
    )


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = (
        RoleAssignment.objects.filter(user=user).select_related("site", "region").order_by("role")
    )
    sites = sites_for(user, Action.VIEW).select_related("department__region").order_by("name")
    return render(
        request,
        "staff/home.html",
        {
            "assignments": assignments,
            "is_superuser_admin": user.is_superuser,
            "sites": sites,
            "is_staff_member": is_staff_member(user),
            "is_national_admin": is_national_admin(user),
            "sees_nation": bool(user_roles(user) & set(NATIONAL_ROLES)),
        },
    )


@login_required
def staff_site(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    can_manage = user_can(request.user, Action.MANAGE, site)
    context = {
        "site": site,
        "hours": _hours_by_weekday(site),
        "counters": site.counters.prefetch_related("procedures"),
        "procedure_count": site.procedures.count(),
        "can_manage": can_manage,
        "can_serve": user_can(request.user, Action.SERVE, site),
    }
    if can_manage:
        context["staff"] = (
            RoleAssignment.objects.filter(site=site)
            .select_related("user")
            .order_by("role", "user__username")
        )
        context["supervisors"] = RoleAssignment.objects.filter(
            role=Role.REGIONAL_SUPERVISOR, region=site.department.region_id
        ).select_related("user")
        context["devices"] = site.devices.all()
    return render(request, "staff/site.html", context)


@login_required
def staff_calendar(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise Http404
    today = date.today()
    try:
        year = int(request.GET.get("annee", today.year))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return render(
            request,
            "staff/calendar.html",
            {"error": _("Choose a year between 2000 and 2100."), "year": today.year},
            status=400,
        )
    calendar = selectors.working_calendar()
    return render(
        request,
        "staff/calendar.html",
        {
            "year": year,
            "holidays": calendar.holidays_of(year).items(),
            "overrides": selectors.calendar_overrides(year),
            "is_national_admin": is_national_admin(request.user),
        },
    )


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal error; it has been logged."}, status=500)
    return render(request, "500.html", status=500)
