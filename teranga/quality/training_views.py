"""Training pages: the sessions (national and of the user's sites) with the form to record one,
one session's attendance per site, and a site's share of staff trained on the referential."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.lib.errors import ServiceError
from teranga.network.permissions import Action as Can
from teranga.network.permissions import (
    is_national_admin,
    is_staff_member,
    site_for_user,
    sites_for,
)
from teranga.quality import actions, training
from teranga.quality.models import TrainingSession

NATIONAL = ""


class SessionForm(forms.Form):
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=training.LIMITS["topic"])
    on_referential = forms.BooleanField(
        label=gettext_lazy("On the quality referential"), required=False, initial=True
    )
    trainer = forms.CharField(
        label=gettext_lazy("Trainer organisation"), max_length=training.LIMITS["trainer"]
    )
    held_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=training.LIMITS["place"])
    site = forms.ChoiceField(label=gettext_lazy("Site"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {s.code: s for s in sites_for(user, Can.QUALITY).order_by("code")}
        choices = [(code, f"{code} · {s.name}") for code, s in self.sites.items()]
        if is_national_admin(user):
            choices.insert(0, (NATIONAL, _("None: a national session")))
        self.fields["site"].choices = choices


def _writer(user) -> bool:
    return is_national_admin(user) or sites_for(user, Can.QUALITY).exists()


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    can_write = _writer(request.user)
    form = None
    if can_write:
        form = SessionForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                session = training.session_create(
                    actor=request.user,
                    topic=data["topic"],
                    trainer=data["trainer"],
                    held_on=data["held_on"],
                    place=data["place"],
                    on_referential=data["on_referential"],
                    site=form.sites.get(data["site"]),
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The session is recorded: mark who attended."))
                return redirect("quality:training", pk=session.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "quality/training/sessions.html",
        {"sessions": training.sessions_for(request.user), "form": form},
    )


def _session(user, pk: int) -> TrainingSession:
    visible = sites_for(user, Can.VIEW)
    session = (
        TrainingSession.objects.filter(Q(site__isnull=True) | Q(site__in=visible), pk=pk)
        .select_related("site")
        .first()
    )
    if session is None or not is_staff_member(user):
        raise Http404
    return session


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session and who attended; the staff of one site (the session's, or one chosen
    among the user's quality sites for a national session) to mark present or absent."""
    session = _session(request.user, pk)
    sites = {s.code: s for s in training.attendable_sites(request.user, session)}
    chosen = sites.get(request.POST.get("site") or request.GET.get("site") or "")
    if chosen is None and len(sites) == 1:
        chosen = next(iter(sites.values()))
    if request.method == "POST":
        if chosen is None:
            raise PermissionDenied
        staff = list(actions.site_staff(chosen))
        marks = {
            u.pk: request.POST[f"u{u.pk}"] == "present"
            for u in staff
            if request.POST.get(f"u{u.pk}") in ("present", "absent")
        }
        try:
            training.attendance_set(session=session, actor=request.user, site=chosen, marks=marks)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attendance saved."))
        return redirect(f"{request.path}?site={chosen.code}")
    attendances = list(session.attendances.select_related("user").order_by("user__username"))
    recorded = {a.user_id: a.present for a in attendances}
    staff_rows = []
    if chosen is not None:
        staff_rows = [(u, recorded.get(u.pk)) for u in actions.site_staff(chosen)]
    return render(
        request,
        "quality/training/session.html",
        {
            "session": session,
            "attendances": attendances,
            "sites": list(sites.values()),
            "chosen": chosen,
            "staff_rows": staff_rows,
        },
    )


@login_required
def site_training(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Can.VIEW)
    today = timezone.localdate()
    rows = training.site_training(site, today)
    trained = sum(1 for r in rows if r.trained_on)
    return render(
        request,
        "quality/training/site.html",
        {
            "site": site,
            "rows": rows,
            "trained": trained,
            "staff_count": len(rows),
            "share": round(100 * trained / len(rows)) if rows else None,
            "since": training.valid_since(today),
            "sessions": TrainingSession.objects.filter(
                Q(site=site) | Q(site__isnull=True, attendances__user__in=[r.user for r in rows])
            )
            .distinct()
            .order_by("-held_on")[:20],
        },
    )
