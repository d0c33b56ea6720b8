"""Action-plan pages: a site's plan (with its recurring complaint themes), creating an action
from a gap, a finding, a mystery check or a complaint theme (the shared pre-fill link), one
action with its progress and evidence, the network overview, and the site quality report."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from teranga.indicators.catalogue import catalogue
from teranga.lib.errors import Invalid, ServiceError
from teranga.network.permissions import Action as Can
from teranga.network.permissions import is_staff_member, site_for_user, sites_for, user_can
from teranga.quality import actions, report, training
from teranga.quality.evidence import evidence_add
from teranga.quality.models import Action


class ActionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Action"), max_length=actions.TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=actions.TEXT_MAX,
    )
    owner = forms.TypedChoiceField(label=gettext_lazy("Owner"), coerce=int)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    indicator = forms.ChoiceField(
        label=gettext_lazy("Indicator expected to improve"), required=False
    )
    expected_value = forms.FloatField(label=gettext_lazy("Expected value"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {u.pk: u for u in staff}
        self.fields["owner"].choices = [
            (u.pk, u.get_full_name() or u.username) for u in self.staff.values()
        ]
        self.fields["indicator"].choices = [("", "—")] + [(i.code, i.name) for i in catalogue()]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "owner": self.staff.get(data["owner"]),
            "due_date": data["due_date"],
            "indicator": data["indicator"],
            "expected_value": data["expected_value"],
        }


def _refused(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _action(site, pk: int) -> Action:
    action = actions.action_get(site, pk)
    if action is None:
        raise Http404
    return action


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Can.VIEW)
    today = timezone.localdate()
    trained, staff = training.staff_trained([site.pk], today)[site.pk]
    return render(
        request,
        "quality/actions/plan.html",
        {
            "site": site,
            "rows": actions.plan(site, today),
            "counts": actions.plan_counts([site.pk], today)[site.pk],
            "themes": actions.complaint_themes(site, today),
            "can_write": user_can(request.user, Can.QUALITY, site),
            "trained": trained,
            "staff_count": staff,
        },
    )


@login_required
def action_new(request: HttpRequest, code: str) -> HttpResponse:
    """The shared link: query parameters name the origin (criterion & assessment, finding,
    mystery check or complaint theme); the form posts back to the same address, so the
    origin is read again, at the site, on submission."""
    site = site_for_user(request.user, code, Can.QUALITY)
    try:
        found = actions.suggestion(site, request.GET)
    except actions.OriginNotFound:
        raise Http404(_("The origin of this action was not found at this site.")) from None
    staff = list(actions.site_staff(site))
    if request.method == "POST":
        form = ActionForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                action = actions.action_create(
                    site=site, actor=request.user, origin=found.origin, **form.values()
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("The action is on the plan."))
                return redirect("quality:action", code=site.code, pk=action.pk)
    else:
        form = ActionForm(
            staff=staff,
            initial={
                "title": found.title[: actions.TITLE_MAX],
                "indicator": found.indicator,
                "expected_value": found.expected_value,
                "owner": request.user.pk,
            },
        )
    return render(
        request,
        "quality/actions/form.html",
        {"site": site, "form": form, "suggestion": found, "action": None},
    )


@login_required
def action_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = site_for_user(request.user, code, Can.VIEW)
    action = _action(site, pk)
    today = timezone.localdate()
    return render(
        request,
        "quality/actions/action.html",
        {
            "site": site,
            "action": action,
            "overdue": actions.is_overdue(action, today),
            "transitions": [
                (s, Action.Status(s).label) for s in sorted(actions.TRANSITIONS[action.status])
            ],
            "is_open": action.status in actions.OPEN,
            "can_write": user_can(request.user, Can.QUALITY, site),
            "can_download": user_can(request.user, Can.QUALITY, site)
            or user_can(request.user, Can.AUDIT, site),
        },
    )


@login_required
def action_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = site_for_user(request.user, code, Can.QUALITY)
    action = _action(site, pk)
    staff = list(actions.site_staff(site))
    if request.method == "POST":
        form = ActionForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                actions.action_edit(action=action, actor=request.user, **form.values())
            except ServiceError as exc:
                _refused(form, exc)
            else:
                return redirect("quality:action", code=site.code, pk=action.pk)
    else:
        form = ActionForm(
            staff=staff,
            initial={
                "title": action.title,
                "description": action.description,
                "owner": action.owner_id,
                "due_date": action.due_date,
                "indicator": action.indicator,
                "expected_value": action.expected_value,
            },
        )
    return render(
        request, "quality/actions/form.html", {"site": site, "form": form, "action": action}
    )


@login_required
@require_POST
def action_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = site_for_user(request.user, code, Can.QUALITY)
    action = _action(site, pk)
    try:
        actions.action_progress(
            action=action,
            actor=request.user,
            to=request.POST.get("status") or None,
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("quality:action", code=site.code, pk=action.pk)


@login_required
@require_POST
def action_evidence(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    site = site_for_user(request.user, code, Can.QUALITY)
    action = _action(site, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            evidence_add(actor=request.user, upload=upload, action=action)
        except Invalid as exc:
            messages.error(request, exc.message)
    return redirect("quality:action", code=site.code, pk=action.pk)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every site of the user's scope: open, overdue, done on time, done late."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    sites = list(sites_for(request.user, Can.VIEW).select_related("department__region"))
    counts = actions.plan_counts([s.pk for s in sites], today)
    rows = sorted(
        ((s, counts[s.pk]) for s in sites),
        key=lambda pair: (-pair[1].overdue, -pair[1].open, pair[0].name),
    )
    total = {
        name: sum(getattr(c, name) for c in counts.values())
        for name in ("open", "overdue", "done_on_time", "done_late")
    }
    return render(
        request, "quality/actions/overview.html", {"rows": rows, "total": total, "today": today}
    )


@login_required
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Can.VIEW)
    data = report.site_report(site)
    response = HttpResponse(report.report_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{data.filename}"'
    return response
