"""Cases pages: the public form and tracking page (French/Wolof, no account), and the staff
inbox, entry form, case page and alerts, each scoped to the staff member's sites."""

import uuid
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from teranga.cases import alerts, selectors, services
from teranga.cases.models import FEEDBACK_KINDS, Case, CaseAttachment, Channel, Kind, Status
from teranga.lib.days import day_or_none
from teranga.lib.errors import Invalid, ServiceError, add_to_form
from teranga.lib.ratelimit import client_address, rate_limited
from teranga.network import selectors as network_selectors
from teranga.network.models import Site
from teranga.network.permissions import Action, user_can

# --- public -------------------------------------------------------------------------------


class PublicForm(forms.Form):
    """Django's own error messages do not exist in Wolof: the public forms bring theirs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(
                {
                    "required": _("This field is required."),
                    "max_length": _("This text is too long."),
                    "invalid": _("This value is not valid."),
                    "invalid_choice": _("Choose one of the options."),
                }
            )


class ComplaintForm(PublicForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you want to tell us?"),
        choices=[(k.value, k.label) for k in FEEDBACK_KINDS],
        widget=forms.RadioSelect,
        initial=Kind.COMPLAINT,
    )
    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure concerned (optional)"), required=False
    )
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": services.MESSAGE_MAX}),
        max_length=services.MESSAGE_MAX,
    )
    name = forms.CharField(label=gettext_lazy("Your name (optional)"), required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone (optional)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_consent = forms.BooleanField(
        label=gettext_lazy("I agree to be contacted about this message by SMS or e-mail."),
        required=False,
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "—")] + [
            (p.code, p.name) for p in network_selectors.procedures_offered(site)
        ]


def _public_site(code: str) -> Site:
    site = network_selectors.site_public_get(code)
    if site is None:
        raise Http404
    return site


def _language() -> str:
    lang = (get_language() or "fr")[:2]
    return lang if lang in ("fr", "wo", "en") else "fr"


@cache_control(no_store=True)
def complaint_new(request: HttpRequest, code: str) -> HttpResponse:
    """The public form (from the site page or a QR poster). The tracking code is shown once,
    on the answer page, and sent by SMS or e-mail when the user gave one."""
    site = _public_site(code)
    if request.method == "POST":
        form = ComplaintForm(request.POST, site=site)
        if form.is_valid():
            if rate_limited(
                "complaint", client_address(request), limit=settings.CASES_SUBMIT_LIMIT_PER_HOUR
            ):
                form.add_error(None, _("Too many messages from this connection: try later."))
            else:
                data = form.cleaned_data
                try:
                    filed = services.case_file(
                        site=site,
                        kind=data["kind"],
                        message=data["message"],
                        channel=Channel.WEB,
                        procedure_code=data["procedure"] or None,
                        name=data["name"],
                        phone=data["phone"],
                        email=data["email"],
                        contact_consent=data["contact_consent"],
                        client_id=data["client_id"],
                        language=_language(),
                    )
                except ServiceError as exc:
                    add_to_form(form, exc)
                else:
                    return render(
                        request, "cases/public/filed.html", {"site": site, "filed": filed}
                    )
    else:
        form = ComplaintForm(site=site, initial={"client_id": uuid.uuid4()})
    return render(request, "cases/public/complaint_form.html", {"site": site, "form": form})


class TrackForm(PublicForm):
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=40)
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=40)


@cache_control(no_store=True)
def track(request: HttpRequest) -> HttpResponse:
    """Public tracking by reference and code (sent by POST, so the code stays out of
    addresses and logs). An unknown reference and a wrong code get the same answer."""
    case = None
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limited(
            "track", client_address(request), limit=settings.CASES_TRACK_LIMIT_PER_HOUR
        ):
            form.add_error(None, _("Too many attempts from this connection: try again later."))
        else:
            reference, code = form.cleaned_data["reference"], form.cleaned_data["code"]
            kind = "request" if reference.strip().upper().startswith("D-") else "feedback"
            case = selectors.case_track(reference=reference, code=code, kind=kind)
            if case is None:
                form.add_error(None, _("No message matches this reference and tracking code."))
            elif "rating" in request.POST:
                try:
                    rating = int(request.POST["rating"])
                except ValueError:
                    rating = 0
                try:
                    case = services.case_rate(case=case, rating=rating)
                    messages.success(request, _("Thank you for your rating."))
                except ServiceError as exc:
                    form.add_error(None, exc.message)
    return render(
        request,
        "cases/public/track.html",
        {"form": form, "case": case, "ratings": range(1, 6)},
    )


# --- staff --------------------------------------------------------------------------------


def _handled_site(user, code: str) -> Site:
    site = Site.objects.select_related("department__region").filter(code=code).first()
    if site is None:
        raise Http404
    if not services.can_handle(user, site):
        raise PermissionDenied
    return site


def _case(site: Site, pk: int) -> Case:
    case = selectors.case_for_staff(site, pk)
    if case is None:
        raise Http404
    return case


@login_required
def my_sites(request: HttpRequest) -> HttpResponse:
    sites = list(selectors.handled_sites(request.user))
    if len(sites) == 1:
        return redirect("cases-inbox", code=sites[0].code)
    return render(
        request,
        "cases/sites.html",
        {
            "sites": [(site, selectors.inbox_counts(site)) for site in sites],
            "alerts": selectors.notifications_for(request.user, unread_only=True, limit=20),
        },
    )


@login_required
def inbox(request: HttpRequest, code: str) -> HttpResponse:
    site = _handled_site(request.user, code)
    query = request.GET
    filters = selectors.InboxFilters(
        status=query.get("status", "open"),
        due=query.get("due", ""),
        kind=query.get("kind", ""),
        channel=query.get("channel", ""),
        assignee=query.get("assignee", ""),
        tag=query.get("tag", "")[:30],
        filed_from=day_or_none(query.get("from", "")),
        filed_to=day_or_none(query.get("to", "")),
    )
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    rows, more = selectors.inbox(site, filters, user=request.user, page=page)
    # Labels translated once per page: get_FOO_display() translates every choice per row.
    kinds, channels, statuses = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Kind, Channel, Status)
    )
    for case in rows:
        case.labels = (kinds[case.kind], channels[case.channel], statuses[case.status])
    params = query.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "site": site,
            "rows": rows,
            "filters": filters,
            "counts": selectors.inbox_counts(site),
            "page": page,
            "has_more": more,
            "params": params.urlencode(),
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "channels": Channel.choices,
            "today": timezone.localdate(),
            "alerts": selectors.notifications_for(request.user, unread_only=True, limit=20),
            "can_manage": user_can(request.user, Action.MANAGE, site),
        },
    )


class StaffEntryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[(c.value, c.label) for c in services.STAFF_CHANNELS],
    )
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    message = forms.CharField(
        label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    name = forms.CharField(label=gettext_lazy("Name"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=30)
    email = forms.CharField(label=gettext_lazy("E-mail"), required=False, max_length=254)
    contact_consent = forms.BooleanField(
        label=gettext_lazy("The user agrees to be contacted"), required=False
    )
    attachment = forms.FileField(label=gettext_lazy("Scanned letter or photo"), required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "—")] + [
            (p.code, p.name) for p in network_selectors.procedures_offered(site)
        ]


@login_required
def staff_new(request: HttpRequest, code: str) -> HttpResponse:
    site = _handled_site(request.user, code)
    if not user_can(request.user, Action.SERVE, site):
        raise PermissionDenied
    if request.method == "POST":
        form = StaffEntryForm(request.POST, request.FILES, site=site)
        if form.is_valid():
            data = form.cleaned_data
            contact = {
                "name": data["name"],
                "phone": data["phone"],
                "email": data["email"],
                "contact_consent": data["contact_consent"],
                "client_id": data["client_id"],
                "message": data["message"],
            }
            try:
                # The case and its scan together: a refused file files nothing.
                with transaction.atomic():
                    filed = _staff_file(site, request.user, data, contact)
            except ServiceError as exc:
                add_to_form(form, exc)
            else:
                return render(request, "cases/staff_filed.html", {"site": site, "filed": filed})
    else:
        form = StaffEntryForm(site=site, initial={"client_id": uuid.uuid4()})
    return render(request, "cases/staff_new.html", {"site": site, "form": form})


def _staff_file(site: Site, user, data: dict, contact: dict) -> services.Filed:
    if data["kind"] == Kind.REQUEST:
        filed = services.request_open(
            site=site, procedure_code=data["procedure"], agent=user, **contact
        )
    else:
        filed = services.case_file(
            site=site,
            kind=data["kind"],
            channel=data["channel"],
            procedure_code=data["procedure"] or None,
            user=user,
            **contact,
        )
    if data["attachment"] and filed.created:
        services.attachment_add(case=filed.case, actor=user, upload=data["attachment"])
    return filed


@login_required
def case_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = _handled_site(request.user, code)
    case = _case(site, pk)
    templates = list(selectors.reply_templates(site))
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
    allowed = services.allowed_transitions(case)
    draft = ""
    if chosen is not None:
        draft = chosen.body.replace("{reference}", case.reference).replace("{site}", site.name)
    return render(
        request,
        "cases/case.html",
        {
            "site": site,
            "case": case,
            "templates": templates,
            "draft": draft,
            "signature": services.signature(request.user, site, case.language),
            # "answered" is reached by sending the answer, not chosen from the list
            "transitions": [(s, Status(s).label) for s in allowed if s != Status.ANSWERED],
            "can_refuse": Status.REFUSED in allowed,
            "staff": selectors.staff_of_site(site),
            "sites": Site.objects.exclude(pk=site.pk).order_by("code").only("code", "name"),
            "can_manage": user_can(request.user, Action.MANAGE, site),
            "max_mb": settings.CASES_ATTACHMENT_MAX_BYTES // (1024 * 1024),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def case_action(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One form of the case page: calls one service, then back to the case (or the inbox
    when the case left the site)."""
    site = _handled_site(request.user, code)
    case = _case(site, pk)
    user, post = request.user, request.POST
    action = post.get("action", "")
    try:
        if action == "assign":
            assignee = get_user_model().objects.filter(pk=post.get("assignee") or user.pk).first()
            services.case_assign(case=case, actor=user, assignee=assignee)
            messages.success(
                request,
                _("The case is assigned to %(name)s.")
                % {"name": assignee.get_full_name() or assignee.username},
            )
        elif action == "comment":
            services.case_comment(case=case, actor=user, text=post.get("text", ""))
            messages.success(request, _("The comment is added."))
        elif action == "tags":
            services.case_tags_set(case=case, actor=user, tags=post.get("tags", ""))
            messages.success(request, _("The tags are saved."))
        elif action == "answer":
            services.case_answer(case=case, actor=user, text=post.get("text", ""))
            messages.success(request, _("The answer is saved; the user is told."))
        elif action == "holding":
            try:
                new_due = date.fromisoformat(post.get("due_on", ""))
            except ValueError:
                raise Invalid(_("Give the new date.")) from None
            services.case_holding_reply(
                case=case, actor=user, new_due_on=new_due, text=post.get("text", "")
            )
            messages.success(request, _("The holding reply is sent; the user is told."))
        elif action == "status":
            services.case_status_set(
                case=case, actor=user, to=post.get("status", ""), reason=post.get("reason", "")
            )
            messages.success(request, _("The status is changed."))
        elif action == "reassign":
            target = Site.objects.filter(code=post.get("site", "")).first()
            if target is None:
                raise Invalid(_("Choose a site."))
            services.case_reassign(case=case, actor=user, site=target)
            messages.success(request, _("The case was sent to %(site)s.") % {"site": target.name})
            return redirect("cases-inbox", code=site.code)
        elif action == "escalate":
            services.case_escalate(case=case, actor=user, note=post.get("note", ""))
            messages.success(request, _("The case is escalated to the region."))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise Invalid(_("Choose a file."))
            services.attachment_add(case=case, actor=user, upload=upload)
            messages.success(request, _("The file is attached."))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("cases-case", code=site.code, pk=case.pk)


@login_required
def attachment(request: HttpRequest, code: str, pk: int, attachment_id: int) -> FileResponse:
    """An attachment, only to staff of the case's site; never cached by a shared proxy."""
    site = _handled_site(request.user, code)
    item = (
        CaseAttachment.objects.filter(pk=attachment_id, case_id=pk, case__site=site)
        .select_related("case")
        .first()
    )
    if item is None:
        raise Http404
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=item.content_type == "application/pdf",
        filename=item.name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        alerts.notifications_mark_read(user=request.user)
        return redirect("cases-alerts")
    return render(
        request, "cases/alerts.html", {"alerts": selectors.notifications_for(request.user)}
    )
