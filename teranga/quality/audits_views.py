"""Audit and label pages: the national list and planning form, a site's audits and label
status, the audit grid where the auditor records findings, and the national label page."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.lib.errors import ServiceError
from teranga.network.models import Role, Site
from teranga.network.permissions import Action, is_national_admin, is_staff_member, site_for_user
from teranga.quality import audits
from teranga.quality.models import Audit, Finding, LabelDecision, LabelReminder, Referential


def _staff(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied


def _national(user) -> None:
    if not is_national_admin(user):
        raise PermissionDenied


def reminder_date(reminder: LabelReminder):
    d = reminder.decision
    return d.follow_up_on if reminder.kind == LabelReminder.Kind.FOLLOW_UP else d.valid_until


def _reminders(site: Site | None) -> list[tuple[LabelReminder, object]]:
    return [(r, reminder_date(r)) for r in audits.reminders_for(site)]


@login_required
def audits_national(request: HttpRequest) -> HttpResponse:
    """Every audit the user may see: the national team all of them, an auditor their sites."""
    _staff(request.user)
    return render(
        request,
        "quality/audits/national.html",
        {
            "audits": audits.audits_for(request.user)[:300],
            "national": is_national_admin(request.user),
        },
    )


class AuditPlanForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("Site"), queryset=Site.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Audit.Kind.choices)
    body = forms.CharField(label=gettext_lazy("Audit body"), max_length=160, required=False)
    auditor = forms.ModelChoiceField(
        label=gettext_lazy("Auditor"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=gettext_lazy("Must hold the auditor role at the site."),
    )
    planned_on = forms.DateField(
        label=gettext_lazy("Planned on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    referential = forms.ModelChoiceField(
        label=gettext_lazy("Referential version"), queryset=Referential.objects.all()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("code")
        self.fields["auditor"].queryset = (
            get_user_model()
            .objects.filter(roles__role=Role.AUDITOR, is_active=True)
            .distinct()
            .order_by("username")
        )
        self.fields["referential"].initial = Referential.objects.filter(is_current=True).first()


def _refused_to_form(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def audit_plan(request: HttpRequest) -> HttpResponse:
    _national(request.user)
    form = AuditPlanForm(request.POST or None, initial={"site": request.GET.get("site")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = audits.audit_plan(
                actor=request.user,
                site=data["site"],
                kind=data["kind"],
                body=data["body"],
                auditor=data["auditor"],
                planned_on=data["planned_on"],
                referential=data["referential"],
            )
        except ServiceError as exc:
            _refused_to_form(form, exc)
        else:
            messages.success(request, _("Audit planned."))
            return redirect("quality:audit", code=audit.site.code, pk=audit.pk)
    return render(request, "quality/audits/plan.html", {"form": form})


@login_required
def site_audits(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    return render(
        request,
        "quality/audits/site.html",
        {
            "site": site,
            "status": audits.label_status(site),
            "audits": audits.audits_for(request.user, site),
            "decisions": site.label_decisions.select_related("audit", "decided_by"),
            "reminders": _reminders(site),
            "national": is_national_admin(request.user),
        },
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files at once (each one checked by evidence_add)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


def _auto_id(code: str) -> str:
    # One form per criterion on the page: ids must stay unique.
    return f"c-{code}-%s"


class FindingForm(forms.Form):
    criterion = forms.CharField(widget=forms.HiddenInput, max_length=20)
    result = forms.ChoiceField(
        label=gettext_lazy("Finding"), choices=Finding.Result.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    files = MultipleFileField(label=gettext_lazy("Evidence files"), required=False)


class CompleteForm(forms.Form):
    conclusion = forms.CharField(
        label=gettext_lazy("Conclusion"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    performed_on = forms.DateField(
        label=gettext_lazy("Performed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _audit(user, site: Site, pk: int) -> Audit:
    audit = audits.audits_for(user, site).filter(pk=pk).first()
    if audit is None:
        raise Http404
    return audit


@login_required
def audit_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The grid of the audit's version: each criterion with its finding and evidence; the
    assigned auditor (or the national team) records findings and completes it here."""
    site = site_for_user(request.user, code, Action.VIEW)
    audit = _audit(request.user, site, pk)
    can_write = audits.can_audit(request.user, site)
    bound_finding, complete_form, status = None, CompleteForm(), 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        try:
            if "complete" in request.POST:
                complete_form = CompleteForm(request.POST)
                if complete_form.is_valid():
                    audits.audit_complete(
                        actor=request.user,
                        audit=audit,
                        conclusion=complete_form.cleaned_data["conclusion"],
                        performed_on=complete_form.cleaned_data["performed_on"],
                    )
                    messages.success(request, _("Audit completed."))
                    return redirect("quality:audit", code=site.code, pk=audit.pk)
            else:
                bound_finding = FindingForm(
                    request.POST,
                    request.FILES,
                    auto_id=_auto_id(request.POST.get("criterion", "")[:20]),
                )
                if bound_finding.is_valid():
                    audits.finding_record(
                        actor=request.user,
                        audit=audit,
                        criterion_code=bound_finding.cleaned_data["criterion"],
                        result=bound_finding.cleaned_data["result"],
                        note=bound_finding.cleaned_data["note"],
                        uploads=request.FILES.getlist("files"),
                    )
                    messages.success(request, _("Finding recorded."))
                    anchor = bound_finding.cleaned_data["criterion"]
                    return redirect(request.path + f"#c-{anchor}")
        except ServiceError as exc:
            status = exc.status
            _refused_to_form(bound_finding or complete_form, exc)
        if status == 200:
            status = 422
    grid = audits.audit_grid(audit)
    open_ = can_write and audit.status != Audit.Status.COMPLETED
    for theme in grid:
        for row in theme["criteria"]:
            code_ = row["criterion"].code
            if bound_finding is not None and bound_finding.data.get("criterion") == code_:
                row["form"] = bound_finding
            elif open_:
                finding = row["finding"]
                row["form"] = FindingForm(
                    initial={
                        "criterion": code_,
                        "result": finding.result if finding else None,
                        "note": finding.note if finding else "",
                    },
                    auto_id=_auto_id(code_),
                )
    return render(
        request,
        "quality/audits/audit.html",
        {
            "site": site,
            "audit": audit,
            "grid": grid,
            "open": open_,
            "missing": audits.missing_findings(audit),
            "complete_form": complete_form,
            "national": is_national_admin(request.user),
        },
        status=status,
    )


@login_required
def label_national(request: HttpRequest) -> HttpResponse:
    """Every site's label cycle, the nearest coming date first, and the latest reminders."""
    _national(request.user)
    return render(
        request,
        "quality/audits/label.html",
        {
            "cycles": audits.label_cycles(),
            "reminders": _reminders(None),
            "today": timezone.localdate(),
        },
    )


class DecisionForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("Site"), queryset=Site.objects.none())
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=LabelDecision.Decision.choices
    )
    decided_on = forms.DateField(
        label=gettext_lazy("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    audit = forms.ModelChoiceField(
        label=gettext_lazy("Completed audit it rests on"),
        queryset=Audit.objects.none(),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("code")
        self.fields["audit"].queryset = Audit.objects.filter(
            status=Audit.Status.COMPLETED
        ).select_related("site")
        self.fields["audit"].label_from_instance = lambda a: (
            f"{a.site.code} · {a.get_kind_display()} · {a.performed_on}"
        )


@login_required
def label_decide(request: HttpRequest) -> HttpResponse:
    _national(request.user)
    initial = {
        "site": Site.objects.filter(code=request.GET.get("site", "")).first(),
        "audit": request.GET.get("audit"),
        "decided_on": timezone.localdate(),
    }
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = audits.label_decide(
                actor=request.user,
                site=data["site"],
                decision=data["decision"],
                decided_on=data["decided_on"],
                note=data["note"],
                audit=data["audit"],
            )
        except ServiceError as exc:
            _refused_to_form(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("quality:site-audits", code=decision.site.code)
    return render(request, "quality/audits/decide.html", {"form": form})
