"""Listening pages: the short rating form (QR poster, site page, ticket link, feedback code)
for the public, and the results, comments and export for staff."""

import csv
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from teranga.lib.errors import ServiceError, add_to_form
from teranga.lib.ratelimit import client_address, rate_limited
from teranga.listening import selectors, services
from teranga.listening.api import form_token_read
from teranga.listening.forms import CodeForm, PeriodForm, RatingForm
from teranga.listening.models import Channel, Response
from teranga.network import selectors as network_selectors
from teranga.network.middleware import keep_language, prefer_language
from teranga.network.models import Counter
from teranga.network.permissions import Action, site_for_user, user_can
from teranga.reception.models import Ticket

# --- public ------------------------------------------------------------------------------


def _submit(request: HttpRequest, form: RatingForm, **record) -> HttpResponse | None:
    """Record a valid form; None (with the error on the form) when it cannot be recorded."""
    if not form.is_valid():
        return None
    if rate_limited("feedback", client_address(request), limit=settings.FEEDBACK_LIMIT_PER_HOUR):
        form.add_error(None, _("Too many answers in a short time: please try again later."))
        return None
    data = form.cleaned_data
    try:
        services.response_record(
            rating=data["rating"],
            client_id=data["client_id"],
            wait_ok=data["wait_ok"],
            courteous=data["courteous"],
            resolved=data["resolved"],
            comment=data["comment"],
            language=request.LANGUAGE_CODE,
            **record,
        )
    except ServiceError as exc:
        add_to_form(form, exc)
        return None
    response = redirect("feedback-thanks")
    keep_language(request, response)
    return response


def _new_form(token: str = "") -> RatingForm:
    # A fresh client id per page shown: submitting the same page twice records one answer.
    return RatingForm(initial={"client_id": uuid.uuid4(), "t": token})


@never_cache
def feedback_form(request: HttpRequest, code: str) -> HttpResponse:
    """The short form of a QR poster (`?t=` names the site and maybe the counter) or of the
    site page (no token)."""
    site = network_selectors.site_public_get(code)
    if site is None:
        raise Http404
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    counter = None
    if token:
        try:
            token_site, counter_id = form_token_read(token)
        except ServiceError:
            raise Http404 from None
        if token_site != site.code:
            raise Http404
        counter = Counter.objects.filter(pk=counter_id, site=site).first() if counter_id else None
    channel = Channel.QR if token else Channel.WEB
    if request.method == "POST":
        form = RatingForm(request.POST)
        done = _submit(request, form, site=site, channel=channel, counter=counter)
        if done is not None:
            return done
    else:
        form = _new_form(token)
    return render(
        request,
        "listening/public/form.html",
        {"site": site, "counter": counter, "form": form, "ticket": None},
    )


@never_cache
def feedback_ticket(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The form tied to one visit, from the ticket's page or its feedback code."""
    ticket = (
        Ticket.objects.select_related("site", "procedure", "counter")
        .filter(public_id=public_id)
        .first()
    )
    if ticket is None:
        raise Http404
    prefer_language(request, ticket.language)
    if not services.ticket_served(ticket):
        return render(request, "listening/public/thanks.html", {"not_served": True})
    if services.ticket_rated(ticket):
        return render(request, "listening/public/thanks.html", {"already": True})
    if request.method == "POST":
        form = RatingForm(request.POST)
        done = _submit(request, form, site=ticket.site, channel=Channel.TICKET, ticket=ticket)
        if done is not None:
            return done
    else:
        form = _new_form()
    return render(
        request,
        "listening/public/form.html",
        {"site": ticket.site, "counter": ticket.counter, "form": form, "ticket": ticket},
    )


@never_cache
def feedback_code(request: HttpRequest) -> HttpResponse:
    """Reach the form of a visit by the code printed on the ticket."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limited(
            "feedback-code", client_address(request), limit=settings.FEEDBACK_LIMIT_PER_HOUR
        ):
            form.add_error(None, _("Too many attempts: please try again later."))
        else:
            ticket = services.ticket_by_feedback_code(form.cleaned_data["code"])
            if ticket is None:
                form.add_error("code", _("No visit carries this code. Check the digits."))
            elif not services.ticket_served(ticket):
                form.add_error("code", str(services.NOT_SERVED))
            else:
                return redirect("feedback-ticket", public_id=ticket.public_id)
    return render(
        request,
        "listening/public/code.html",
        {"form": form, "ussd_code": settings.USSD_CODE, "sms_code": settings.SMS_SHORT_CODE},
    )


def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "listening/public/thanks.html", {"already": False})


# --- staff -------------------------------------------------------------------------------


def _period(request: HttpRequest):
    form = PeriodForm(request.GET or None)
    date_from, date_to = selectors.period_default()
    channel = ""
    if form.is_bound and form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
        channel = form.cleaned_data["channel"]
    return form, date_from, date_to, channel or None


@login_required
def results(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    form, date_from, date_to, channel = _period(request)
    see_agents = user_can(request.user, Action.MANAGE, site)
    breakdowns = [
        (_("Per channel"), selectors.breakdown(site, date_from, date_to, "channel", channel)),
        (_("Per procedure"), selectors.breakdown(site, date_from, date_to, "procedure", channel)),
        (_("Per counter"), selectors.breakdown(site, date_from, date_to, "counter", channel)),
    ]
    if see_agents:
        breakdowns.append(
            (_("Per agent"), selectors.breakdown(site, date_from, date_to, "agent", channel))
        )
    return render(
        request,
        "listening/staff/results.html",
        {
            "site": site,
            "form": form,
            "date_from": date_from,
            "date_to": date_to,
            "figures": selectors.site_satisfaction(site, date_from, date_to, channel),
            "distribution": selectors.rating_distribution(site, date_from, date_to, channel),
            "breakdowns": breakdowns,
            "flags": selectors.anomalies(site, date_from, date_to),
            "pending": selectors.comments(site, date_from, date_to, Response.Moderation.PENDING)
            .order_by()
            .count(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def comments(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    form, date_from, date_to, _channel = _period(request)
    status = request.GET.get("status", Response.Moderation.PENDING)
    if status not in Response.Moderation.values:
        status = Response.Moderation.PENDING
    page = Paginator(selectors.comments(site, date_from, date_to, status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "listening/staff/comments.html",
        {
            "site": site,
            "form": form,
            "page": page,
            "status": status,
            "statuses": Response.Moderation.choices,
            "can_moderate": user_can(request.user, Action.QUALITY, site),
        },
    )


@login_required
@require_POST
def moderate(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = site_for_user(request.user, code, Action.QUALITY)
    response = Response.objects.filter(pk=pk, site=site).first()
    if response is None:
        raise Http404
    try:
        services.response_moderate(
            response=response,
            actor=request.user,
            decision=request.POST.get("decision", ""),
            masked=request.POST.get("masked"),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment updated."))
    return redirect(reverse("feedback-comments", args=[site.code]) + "?" + request.GET.urlencode())


class _Echo:
    def write(self, value):
        return value


@login_required
def export(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """The answers of the period as CSV: no phone (hash or number), comments masked, agents
    only for those who manage the site."""
    site = site_for_user(request.user, code, Action.VIEW)
    _form, date_from, date_to, channel = _period(request)
    see_agents = user_can(request.user, Action.MANAGE, site)
    rows = (
        selectors.responses_in(site, date_from, date_to, channel)
        .order_by("answered_at")
        .values_list(
            "day",
            "answered_at",
            "channel",
            "procedure__code",
            "counter__code",
            "agent__username",
            "rating",
            "wait_ok",
            "courteous",
            "resolved",
            "language",
            "comment_masked",
        )
    )
    header = [
        "day", "answered_at", "channel", "procedure", "counter", "agent", "rating",
        "wait_ok", "courteous", "resolved", "language", "comment_masked",
    ]  # fmt: skip
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows.iterator(chunk_size=2000):
            row = list(row)
            row[1] = row[1].isoformat()
            if not see_agents:
                row[5] = ""
            yield writer.writerow(["" if value is None else value for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"avis-{site.code}-{date_from}-{date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
