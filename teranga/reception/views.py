"""Reception pages: kiosk, display screen, the ticket on a phone, the agent console and the
manager's live view. The kiosk and the display are public pages driven by the API; the
console and the live view are staff pages scoped by the permission helper."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from teranga.lib.errors import ServiceError
from teranga.network import selectors as network_selectors
from teranga.network.middleware import prefer_language
from teranga.network.models import Counter, Site
from teranga.network.permissions import Action, site_for_user
from teranga.reception import selectors, services
from teranga.reception.models import CounterSession, Outcome, Ticket


def _public_site(code: str) -> Site:
    site = network_selectors.site_public_get(code)
    if site is None:
        raise Http404
    return site


def _today_hours(site: Site) -> list:
    weekday = timezone.localdate().weekday()
    return [slot for slot in site.hours.all() if slot.weekday == weekday]


def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    site = _public_site(code)
    return render(
        request,
        "reception/kiosk.html",
        {
            "site": site,
            "lines": network_selectors.procedures_by_category(site),
            "today_hours": _today_hours(site),
            "api_issue": reverse("api:tickets_issue", args=[site.code]),
            "retention_days": settings.TICKET_PHONE_RETENTION_DAYS,
            # the language each visitor starts in: the kiosk returns to it after a visit
            "home_lang": settings.LANGUAGE_CODE,
        },
    )


def display(request: HttpRequest, code: str) -> HttpResponse:
    site = _public_site(code)
    return render(
        request,
        "reception/display.html",
        {
            "site": site,
            "api_queue": reverse("api:queue", args=[site.code]),
        },
    )


def _ticket_by_public_id(public_id) -> Ticket:
    ticket = (
        Ticket.objects.select_related("site", "procedure__category", "counter")
        .filter(public_id=public_id)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@cache_control(no_store=True)
def ticket_public(request: HttpRequest, public_id) -> HttpResponse:
    """The ticket followed on a phone: no personal data, refreshes itself."""
    ticket = _ticket_by_public_id(public_id)
    prefer_language(request, ticket.language)
    ahead, minutes = selectors.ticket_estimate(ticket)
    return render(
        request,
        "reception/ticket.html",
        {
            "ticket": ticket,
            "ahead": ahead,
            "minutes": minutes,
            "active": ticket.status in Ticket.ACTIVE and ticket.day == timezone.localdate(),
        },
    )


@cache_control(max_age=86400)
def ticket_qr(request: HttpRequest, public_id) -> HttpResponse:
    ticket = _ticket_by_public_id(public_id)
    url = selectors.tracking_url(request, ticket)
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, dark="#000", title=ticket.number
    )
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- agent console ------------------------------------------------------------------------


def _console_context(request: HttpRequest, site: Site) -> dict:
    session = (
        CounterSession.objects.filter(
            agent=request.user, closed_at__isnull=True, counter__site=site
        )
        .select_related("counter")
        .first()
    )
    counter = session.counter if session else None
    current = None
    if counter is not None:
        current = (
            Ticket.objects.filter(
                counter=counter, status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING]
            )
            .select_related("procedure")
            .first()
        )
    procedures = network_selectors.procedures_offered(site)
    names = {p.code: p.name for p in procedures}
    return {
        "site": site,
        "counter": counter,
        "current": current,
        "counters": selectors.counters_state(site),
        "queue": [
            {**row, "name": names.get(row["procedure__code"], row["procedure__code"])}
            for row in selectors.queue_public(site)["waiting"]
        ],
        "procedures": procedures,
        "outcomes": Outcome.choices,
    }


@login_required
def console(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.SERVE)
    template = "reception/console_panel.html" if request.htmx else "reception/console.html"
    return render(request, template, _console_context(request, site))


@login_required
@require_POST
def console_action(request: HttpRequest, code: str) -> HttpResponse:
    """One button of the console: calls one service, then answers the refreshed panel."""
    site = site_for_user(request.user, code, Action.SERVE)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action in ("open", "close"):
            counter = Counter.objects.filter(site=site, pk=request.POST.get("counter")).first()
            if counter is None:
                raise Http404
            (services.counter_open if action == "open" else services.counter_close)(
                counter=counter, agent=user
            )
        elif action == "call-next":
            counter = _console_context(request, site)["counter"]
            if counter is None or services.ticket_call_next(counter=counter, agent=user) is None:
                messages.info(request, _("Nobody is waiting for this counter."))
        else:
            ticket = Ticket.objects.filter(site=site, pk=request.POST.get("ticket")).first()
            if ticket is None:
                raise Http404
            said = {"number": ticket.number}
            if action == "recall":
                services.ticket_recall(ticket=ticket, agent=user)
                messages.success(request, _("%(number)s is called again.") % said)
            elif action == "start":
                services.ticket_start(ticket=ticket, agent=user)
            elif action == "finish":
                services.ticket_finish(
                    ticket=ticket, agent=user, outcome=request.POST.get("outcome", Outcome.DONE)
                )
                messages.success(request, _("%(number)s: service finished.") % said)
            elif action == "no-show":
                services.ticket_no_show(ticket=ticket, agent=user)
                messages.success(request, _("%(number)s is marked absent.") % said)
            elif action == "transfer":
                moved = services.ticket_transfer(
                    ticket=ticket,
                    agent=user,
                    procedure_code=request.POST.get("procedure") or None,
                    counter_code=request.POST.get("to_counter") or None,
                )
                said["target"] = (moved.target_counter or moved.procedure).name
                done = _("%(number)s is transferred to %(target)s and keeps its place.")
                messages.success(request, done % said)
            else:
                raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return render(request, "reception/console_panel.html", _console_context(request, site))
    return redirect("reception-console", code=site.code)


# --- live view ----------------------------------------------------------------------------


@login_required
def live(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.MANAGE)
    return render(
        request,
        "reception/live.html",
        {
            "site": site,
            "live": selectors.live_view(site),
            "advice": selectors.staffing_advice(site),
        },
    )
