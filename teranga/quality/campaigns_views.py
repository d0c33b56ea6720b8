"""Quality pages of self-assessment campaigns: the national quality home (campaigns, launch),
a campaign's follow-up and comparison, the site quality home and the site's grid."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from teranga.indicators.catalogue import by_code
from teranga.lib.errors import Forbidden, Invalid, ServiceError
from teranga.lib.numbers import number
from teranga.network.models import Site
from teranga.network.permissions import (
    Action,
    is_national_admin,
    is_staff_member,
    site_for_user,
    sites_for,
    user_can,
)
from teranga.quality import campaigns, selectors
from teranga.quality.evidence import evidence_add
from teranga.quality.models import Answer, Assessment, Campaign, Referential


def action_new_url(site_code: str, criterion_code: str, assessment_id: int | None) -> str:
    params = {"criterion": criterion_code}
    if assessment_id is not None:
        params["assessment"] = assessment_id
    return reverse("quality:action-new", args=[site_code]) + "?" + urlencode(params)


def dashboard_url(site_code: str, first, last, indicator: str = "") -> str:
    params = {"from": first.isoformat(), "to": last.isoformat()}
    if indicator:
        params["indicator"] = indicator
    return reverse("steering:site", args=[site_code]) + "?" + urlencode(params)


# --- national -----------------------------------------------------------------------------


class LaunchForm(forms.Form):
    SITES = [
        ("all", gettext_lazy("Every open site")),
        ("pilots", gettext_lazy("The pilot sites")),
        ("chosen", gettext_lazy("The sites chosen below")),
    ]
    title = forms.CharField(label=gettext_lazy("Title"), max_length=160)
    referential = forms.ModelChoiceField(
        label=gettext_lazy("Referential version"), queryset=Referential.objects.all()
    )
    period_start = forms.DateField(
        label=gettext_lazy("Period start"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=gettext_lazy("Period end"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Sites"), choices=SITES, widget=forms.RadioSelect, initial="all"
    )
    sites = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Chosen sites"),
        queryset=Site.objects.exclude(status=Site.Status.CLOSED).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("sites"):
            self.add_error("sites", _("Choose at least one site."))
        return data

    def chosen_sites(self) -> list[Site] | None:
        scope = self.cleaned_data["scope"]
        if scope == "pilots":
            return list(self.fields["sites"].queryset.filter(is_pilot=True))
        if scope == "chosen":
            return list(self.cleaned_data["sites"])
        return None


def _launch_initial() -> dict:
    first, last = selectors.last_quarter()
    current = selectors.current_referential()
    return {
        "title": _("Self-assessment %(first)s – %(last)s")
        % {"first": first.strftime("%m/%Y"), "last": last.strftime("%m/%Y")},
        "referential": current.pk if current else None,
        "period_start": first,
        "period_end": last,
        "due_date": timezone.localdate() + timedelta(days=30),
    }


def _staff(request: HttpRequest):
    if not is_staff_member(request.user):
        raise PermissionDenied
    return request.user


@login_required
def national_home(request: HttpRequest) -> HttpResponse:
    """The campaigns of the user's sites; the national team launches one here."""
    user = _staff(request)
    national = is_national_admin(user)
    form = None
    if national:
        form = LaunchForm(request.POST or None, initial=_launch_initial())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                campaign = campaigns.campaign_launch(
                    actor=user,
                    title=data["title"],
                    referential=data["referential"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    due_date=data["due_date"],
                    sites=form.chosen_sites(),
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The campaign is launched."))
                return redirect("quality:campaign", pk=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied
    sites = list(sites_for(user, Action.VIEW).order_by("code")[:6])
    return render(
        request,
        "quality/campaigns/national_home.html",
        {
            "campaigns": campaigns.campaigns_for(user),
            "form": form,
            "national": national,
            "sites": sites,
        },
    )


def _campaign(user, pk: int) -> tuple[Campaign, list[int] | None]:
    """The campaign and the ids of the user's sites in it (None: all of them)."""
    campaign = Campaign.objects.select_related("referential").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if is_national_admin(user):
        return campaign, None
    site_ids = list(
        campaign.assessments.filter(site__in=sites_for(user, Action.VIEW)).values_list(
            "site_id", flat=True
        )
    )
    if not site_ids:
        raise PermissionDenied
    return campaign, site_ids


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Completion across the network: per site, status, answered share, score, disputes."""
    campaign, site_ids = _campaign(request.user, pk)
    progress = campaigns.campaign_progress(campaign, site_ids)
    counts = dict.fromkeys(Assessment.Status.values, 0)
    for line in progress:
        counts[line.assessment.status] += 1
    return render(
        request,
        "quality/campaigns/campaign.html",
        {
            "campaign": campaign,
            "progress": progress,
            "counts": [(Assessment.Status(s).label, n) for s, n in counts.items()],
            "disputed": sum(line.disputed for line in progress),
            "national": is_national_admin(request.user),
        },
    )


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _ids = _campaign(request.user, pk)
    try:
        campaigns.campaign_close(actor=request.user, campaign=campaign)
    except Forbidden:
        raise PermissionDenied from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The campaign is closed: no more answers are taken."))
    return redirect("quality:campaign", pk=campaign.pk)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@login_required
def campaign_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Scores per theme side by side, sortable; averages per region and for the network.
    The French kit's rule: a group's average is shown to partners only when it gathers at
    least two sites (a single site's own line stays visible)."""
    campaign, site_ids = _campaign(request.user, pk)
    progress = campaigns.campaign_progress(campaign, site_ids)
    themes = list(campaigns._referential(campaign).themes.all())
    keys = {"site", "overall", *(t.code for t in themes)}
    sort = request.GET.get("tri", "overall")
    sort = sort if sort in keys else "overall"
    descending = request.GET.get("ordre", "desc" if sort != "site" else "asc") == "desc"

    def key(line):
        if sort == "site":
            return line.assessment.site.code
        return line.result.overall if sort == "overall" else line.result.themes[sort]

    lines = sorted(progress, key=key, reverse=descending)
    minimum = 1 if is_national_admin(request.user) else 2
    groups, hidden = [], 0
    by_region: dict = {}
    for line in progress:
        by_region.setdefault(line.assessment.site.department.region, []).append(line)
    for name, members in [
        *sorted(((r.name, m) for r, m in by_region.items()), key=lambda g: g[0]),
        (_("Network"), progress),
    ]:
        if len(members) < minimum or not members:
            hidden += 1
            continue
        groups.append(
            {
                "name": name,
                "sites": len(members),
                "overall": _mean([m.result.overall for m in members]),
                "themes": [_mean([m.result.themes[t.code] for m in members]) for t in themes],
            }
        )
    headers = []
    for code, label in [
        ("site", _("Site")),
        ("overall", _("Overall")),
        *((t.code, t.title) for t in themes),
    ]:
        next_order = "asc" if (code == sort and descending) else "desc"
        headers.append(
            {
                "code": code,
                "label": label,
                "href": "?" + urlencode({"tri": code, "ordre": next_order}),
                "sorted": ("descending" if descending else "ascending") if code == sort else "",
            }
        )
    return render(
        request,
        "quality/campaigns/compare.html",
        {
            "campaign": campaign,
            "themes": themes,
            "headers": headers,
            "lines": [(line, [line.result.themes[t.code] for t in themes]) for line in lines],
            "groups": groups,
            "hidden": hidden,
            "minimum": minimum,
        },
    )


# --- site ---------------------------------------------------------------------------------


@login_required
def site_home(request: HttpRequest, code: str) -> HttpResponse:
    """The live pre-score over the last quarter by theme and engagement, its gaps, and the
    site's campaigns."""
    site = site_for_user(request.user, code, Action.VIEW)
    referential = selectors.current_referential()
    first, last = selectors.last_quarter()
    result = selectors.live_score(site, referential, first, last) if referential else None
    themes, gaps = [], []
    if result is not None:
        criteria = {}
        for theme in referential.themes.all():
            engagements = []
            for engagement in theme.engagements.all():
                engagements.append((engagement, result.engagements[engagement.code]))
                for criterion in engagement.criteria.all():
                    criteria[criterion.code] = criterion
            themes.append((theme, result.themes[theme.code], engagements))
        gaps = [
            {
                "criterion": criteria[c],
                "reason": campaigns.REASONS.get(result.criteria[c].reason, ""),
                "action": action_new_url(site.code, c, None),
                "dashboard": dashboard_url(site.code, first, last, criteria[c].indicator)
                if criteria[c].kind == campaigns.MEASURED
                else "",
            }
            for c in result.gaps
        ]
    assessments = site.assessments.select_related("campaign").order_by("-campaign__created_at")
    return render(
        request,
        "quality/campaigns/site_home.html",
        {
            "site": site,
            "referential": referential,
            "first": first,
            "last": last,
            "result": result,
            "themes": themes,
            "gaps": gaps,
            "assessments": assessments,
            "dashboard": dashboard_url(site.code, first, last),
            "can_quality": user_can(request.user, Action.QUALITY, site),
        },
    )


class AnswerForm(forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=Answer.Choice.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=campaigns.COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    disputed = forms.BooleanField(label=gettext_lazy("I disagree with this result"), required=False)


def _assessment(request: HttpRequest, code: str, pk: int, action: Action = Action.VIEW):
    site = site_for_user(request.user, code, action)
    assessment = campaigns.assessment_get(site, pk)
    if assessment is None:
        raise Http404
    return assessment


def _shared(request: HttpRequest, assessment: Assessment) -> dict:
    """What every criterion of a grid needs, computed once per page."""
    site = assessment.site
    return {
        "site": site,
        "assessment": assessment,
        "can_answer": _can_answer(request.user, assessment),
        "can_download": user_can(request.user, Action.QUALITY, site)
        or user_can(request.user, Action.AUDIT, site),
        "catalogue": by_code(),
        "choices": Answer.Choice.choices,
    }


def _row_context(shared: dict, row, error: str = "") -> dict:
    assessment, criterion = shared["assessment"], row.criterion
    campaign, code = assessment.campaign, shared["site"].code
    indicator = shared["catalogue"].get(criterion.indicator) if criterion.indicator else None
    return {
        **shared,
        "row": row,
        "indicator": indicator,
        "dashboard": dashboard_url(
            code, campaign.period_start, campaign.period_end, criterion.indicator
        )
        if indicator
        else "",
        "action_url": action_new_url(code, criterion.code, assessment.pk),
        "figure": number(row.answer.value, indicator.unit) if indicator else "",
        "threshold": (
            _("at least %(value)s") if criterion.comparison == ">=" else _("at most %(value)s")
        )
        % {"value": number(criterion.threshold, indicator.unit)}
        if indicator
        else "",
        "error": error,
    }


def _can_answer(user, assessment: Assessment) -> bool:
    return (
        user_can(user, Action.QUALITY, assessment.site)
        and assessment.status in campaigns.EDITABLE
        and assessment.campaign.status == Campaign.Status.OPEN
    )


@login_required
def assessment_grid(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The grid grouped by theme → engagement → criterion, with the scores and the gaps."""
    assessment = _assessment(request, code, pk)
    grid = campaigns.grid(assessment)
    user = request.user
    shared = _shared(request, assessment)
    sections = [
        (
            theme,
            score,
            [
                (engagement, e_score, [_row_context(shared, r) for r in rows])
                for engagement, e_score, rows in engagements
            ],
        )
        for theme, score, engagements in grid.themes
    ]
    site = assessment.site
    return render(
        request,
        "quality/campaigns/grid.html",
        {
            **shared,
            "campaign": assessment.campaign,
            "sections": sections,
            **_summary(assessment, grid),
            "can_submit": campaigns.Status.SUBMITTED in campaigns.TRANSITIONS[assessment.status]
            and assessment.campaign.status == Campaign.Status.OPEN
            and user_can(user, Action.MANAGE, site)
            and user_can(user, Action.QUALITY, site),
            "can_decide": assessment.status == campaigns.Status.SUBMITTED
            and is_national_admin(user),
            "transitions": assessment.transitions.select_related("actor"),
        },
    )


def _summary(assessment: Assessment, grid) -> dict:
    """What the scores and gaps (_summary.html) show."""
    code, campaign = assessment.site.code, assessment.campaign
    return {
        "grid": grid,
        "gaps": [
            {"row": row, "action": action_new_url(code, row.criterion.code, assessment.pk)}
            for row in grid.gaps
        ],
        "site_dashboard": dashboard_url(code, campaign.period_start, campaign.period_end),
    }


def _grid_url(assessment: Assessment, anchor: str = "") -> str:
    url = reverse("quality:assessment", args=[assessment.site.code, assessment.campaign_id])
    return url + (f"#{anchor}" if anchor else "")


def _answer(assessment: Assessment, criterion_code: str) -> Answer:
    answer = (
        assessment.answers.select_related("criterion")
        .filter(criterion__code=criterion_code)
        .first()
    )
    if answer is None:
        raise Http404
    answer.assessment = assessment
    return answer


@login_required
@require_POST
def answer_post(request: HttpRequest, code: str, pk: int, criterion: str) -> HttpResponse:
    """Save one criterion; htmx swaps the criterion in place, without JS the grid reloads."""
    assessment = _assessment(request, code, pk, Action.QUALITY)
    answer = _answer(assessment, criterion)
    form = AnswerForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        kind = answer.criterion.kind
        try:
            campaigns.answer_save(
                actor=request.user,
                answer=answer,
                choice=data["choice"] if kind == campaigns.DECLARED else None,
                comment=data["comment"],
                disputed=data["disputed"] if kind == campaigns.MEASURED else None,
            )
        except ServiceError as exc:
            error = exc.message
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        grid = campaigns.grid(assessment)
        context = _row_context(_shared(request, assessment), grid.rows[criterion], error)
        context["saved"] = not error
        # the criterion in place, and the scores and gaps it changed, out of band
        context.update(_summary(assessment, grid), oob=True)
        return render(request, "quality/campaigns/_criterion_saved.html", context)
    if error:
        messages.error(request, f"{criterion}: {error}")
    else:
        messages.success(request, _("Answer saved: %(code)s.") % {"code": criterion})
    return redirect(_grid_url(assessment, f"c-{criterion}"))


@login_required
@require_POST
def answer_evidence(request: HttpRequest, code: str, pk: int, criterion: str) -> HttpResponse:
    assessment = _assessment(request, code, pk, Action.QUALITY)
    answer = _answer(assessment, criterion)
    upload = request.FILES.get("file")
    if answer.criterion.kind != campaigns.DECLARED:
        messages.error(request, _("Evidence files go with declared criteria."))
    elif not _can_answer(request.user, assessment):
        messages.error(request, _("This grid can no longer be changed."))
    elif upload is None:
        messages.error(request, _("Choose a file to add."))
    else:
        try:
            evidence_add(actor=request.user, upload=upload, answer=answer)
        except Invalid as exc:
            messages.error(request, f"{criterion}: {exc.message}")
        else:
            messages.success(request, _("File added: %(name)s.") % {"name": upload.name})
    return redirect(_grid_url(assessment, f"c-{criterion}"))


@login_required
@require_POST
def assessment_transition(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Submit (site manager), accept or return with remarks (national team)."""
    assessment = _assessment(request, code, pk)
    to = request.POST.get("to", "")
    try:
        campaigns.assessment_transition(
            actor=request.user,
            assessment=assessment,
            to=to,
            remarks=request.POST.get("remarks", ""),
        )
    except Forbidden:
        raise PermissionDenied from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            {
                campaigns.Status.SUBMITTED: _("The grid is submitted to the national team."),
                campaigns.Status.ACCEPTED: _("The grid is accepted."),
                campaigns.Status.RETURNED: _("The grid is returned to the site with remarks."),
            }[to],
        )
    return redirect(_grid_url(assessment))
