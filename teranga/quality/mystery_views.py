"""Mystery check pages: campaigns and their results (national team), the check entry form
(national team or an auditor of the site), and a site's checks."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teranga.lib.errors import ServiceError
from teranga.network.permissions import (
    Action,
    is_national_admin,
    is_staff_member,
    site_for_user,
    sites_for,
)
from teranga.quality import mystery
from teranga.quality.models import Criterion, MysteryCampaign, Referential
from teranga.quality.mystery import GridItem


def _national(user) -> None:
    if not is_national_admin(user):
        raise PermissionDenied


def _refused_to_form(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _campaign(pk: int) -> MysteryCampaign:
    campaign = MysteryCampaign.objects.select_related("referential").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    _national(request.user)
    return render(
        request,
        "quality/mystery/campaigns.html",
        {"campaigns": MysteryCampaign.objects.all(), "channels": MysteryCampaign.Channel.choices},
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=160)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=MysteryCampaign.Channel.choices
    )
    period_start = forms.DateField(
        label=gettext_lazy("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("Period end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    pass_level = forms.FloatField(
        label=gettext_lazy("Pass level (out of 10)"), min_value=0, max_value=10
    )


class ItemForm(forms.Form):
    criterion = forms.ChoiceField(label=gettext_lazy("Criterion"), required=False)
    title_fr = forms.CharField(label=gettext_lazy("Item (French)"), max_length=240, required=False)
    title_en = forms.CharField(label=gettext_lazy("Item (English)"), max_length=240, required=False)
    weight = forms.IntegerField(label=gettext_lazy("Weight"), min_value=1, max_value=20)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "—")] + list(criteria)

    def clean(self):
        data = super().clean()
        if data.get("criterion") and not (data.get("title_fr") and data.get("title_en")):
            raise forms.ValidationError(_("Give the item a French and an English title."))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=0)
EXTRA_ITEMS = 3


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    """The campaign form with its grid: the default grid of the channel chosen (?channel=),
    plus empty lines; a line without criterion is ignored."""
    _national(request.user)
    referential = Referential.objects.filter(is_current=True).first()
    if referential is None:
        messages.error(request, _("No quality referential has been published yet."))
        return redirect("quality:mystery")
    channel = request.GET.get("channel", MysteryCampaign.Channel.VISIT)
    if channel not in MysteryCampaign.Channel.values:
        channel = MysteryCampaign.Channel.VISIT
    criteria = [
        (c.code, f"{c.code} · {c.title}")
        for c in Criterion.objects.filter(engagement__theme__referential=referential).order_by(
            "engagement__theme__position", "engagement__position", "position"
        )
    ]
    today = timezone.localdate()
    form = CampaignForm(
        request.POST or None,
        initial={
            "channel": channel,
            "pass_level": settings.QUALITY_MYSTERY_PASS_LEVEL,
            "period_start": today,
        },
    )
    grid = [
        {
            "criterion": i.criterion,
            "title_fr": i.title_fr,
            "title_en": i.title_en,
            "weight": i.weight,
        }
        for i in mystery.default_grid(referential, channel)
    ] + [{"weight": 1}] * EXTRA_ITEMS
    items = ItemFormSet(
        request.POST or None, initial=grid, prefix="items", form_kwargs={"criteria": criteria}
    )
    if request.method == "POST" and form.is_valid() and items.is_valid():
        chosen = [
            GridItem(d["criterion"], d["weight"], d["title_fr"], d["title_en"])
            for d in items.cleaned_data
            if d.get("criterion")
        ]
        data = form.cleaned_data
        try:
            campaign = mystery.mystery_campaign_create(
                actor=request.user,
                title=data["title"],
                channel=data["channel"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                pass_level=data["pass_level"],
                items=chosen,
                referential=referential,
            )
        except ServiceError as exc:
            _refused_to_form(form, exc)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("quality:mystery-campaign", pk=campaign.pk)
    return render(
        request,
        "quality/mystery/campaign_new.html",
        {"form": form, "items": items, "channels": MysteryCampaign.Channel.choices},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _national(request.user)
    campaign = _campaign(pk)
    results = mystery.campaign_results(campaign)
    items = results["items"]
    rows = [{"row": r, "items": [r.items.get(i.pk) for i in items]} for r in results["sites"]]
    criteria = {c.criterion.code: c.criterion for c in items}
    return render(
        request,
        "quality/mystery/campaign.html",
        {
            "campaign": campaign,
            "results": results,
            "items": items,
            "rows": rows,
            "criteria": [(criteria[code], mean) for code, mean in results["criteria"].items()],
        },
    )


class CheckForm(forms.Form):
    site = forms.ChoiceField(label=gettext_lazy("Site"))
    performed_at = forms.DateTimeField(
        label=gettext_lazy("Performed at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    checker = forms.CharField(label=gettext_lazy("Checker"), max_length=120, required=False)
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, campaign: MysteryCampaign, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.code, f"{s.code} · {s.name}") for s in sites]
        for item in campaign.items.all():
            self.fields[f"item_{item.pk}"] = forms.FloatField(
                label=f"{item.title} ({_('weight')} {item.weight})",
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )

    def points(self) -> dict[int, float]:
        return {
            int(name[5:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


@login_required
def check_new(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    sites = list(sites_for(request.user, Action.AUDIT).order_by("code"))
    if not sites:
        raise PermissionDenied
    form = CheckForm(
        request.POST or None,
        campaign=campaign,
        sites=sites,
        initial={"site": request.GET.get("site")},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            site = site_for_user(request.user, form.cleaned_data["site"], Action.AUDIT)
            try:
                mystery.mystery_check_record(
                    actor=request.user,
                    campaign=campaign,
                    site=site,
                    performed_at=form.cleaned_data["performed_at"],
                    points=form.points(),
                    checker=form.cleaned_data["checker"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as exc:
                status = exc.status
                _refused_to_form(form, exc)
            else:
                messages.success(request, _("Check recorded."))
                return redirect("quality:site-mystery", code=site.code)
    return render(
        request,
        "quality/mystery/check_new.html",
        {"campaign": campaign, "form": form},
        status=status,
    )


@login_required
def site_mystery(request: HttpRequest, code: str) -> HttpResponse:
    """A site's checks (score, passed or not, a link to an action for a failed one) and the
    mean per item of its checks in each campaign."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    site = site_for_user(request.user, code, Action.VIEW)
    checks = mystery.site_checks(site)
    per_item: dict[int, dict] = {}
    for check in checks:
        for score in check.scores.all():
            line = per_item.setdefault(
                score.item_id, {"item": score.item, "campaign": check.campaign, "points": []}
            )
            line["points"].append(score.points)
    items = [
        {**line, "mean": round(sum(line["points"]) / len(line["points"]), 2)}
        for line in per_item.values()
    ]
    items.sort(key=lambda line: (-line["campaign"].period_start.toordinal(), line["item"].position))
    rows = [(c, mystery.passed(c.score, c.campaign)) for c in checks]
    return render(
        request,
        "quality/mystery/site.html",
        {
            "site": site,
            "rows": rows,
            "items": items,
            "can_record": mystery.can_record_check(request.user, site),
            "campaigns": MysteryCampaign.objects.all()[:5],
            "mean": round(sum(c.score for c in checks) / len(checks), 2) if checks else None,
            "passed_pct": round(100 * sum(p for _c, p in rows) / len(rows), 1) if rows else None,
        },
    )
