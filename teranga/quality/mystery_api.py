"""Mystery checks API: campaigns (national team), checks (national team or an auditor of the
site), results of a campaign and of a site."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status as HttpStatus

from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import bearer, staff_user
from teranga.network.permissions import Action, is_national_admin, site_for_user
from teranga.quality import mystery
from teranga.quality.models import MysteryCampaign
from teranga.quality.mystery import GridItem

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class ItemIn(Schema):
    criterion: str = Field(max_length=20)
    weight: int = Field(1, ge=1, le=20)
    title_fr: str = Field(max_length=240)
    title_en: str = Field(max_length=240)


class CampaignIn(Schema):
    title: str = Field(max_length=160)
    channel: str = Field(description="visit, phone, email or letter")
    period_start: date
    period_end: date
    pass_level: float | None = Field(None, description="out of 10; default the setting")
    items: list[ItemIn] | None = Field(None, description="empty: the default grid")


class ItemOut(Schema):
    id: int
    criterion: str
    weight: int
    title: str


class CampaignOut(Schema):
    id: int
    title: str
    channel: str
    period_start: date
    period_end: date
    pass_level: float
    referential: str
    items: list[ItemOut]


def _campaign_out(c: MysteryCampaign) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "channel": c.channel,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "pass_level": c.pass_level,
        "referential": c.referential.version,
        "items": [
            {"id": i.pk, "criterion": i.criterion.code, "weight": i.weight, "title": i.title}
            for i in c.items.select_related("criterion")
        ],
    }


def _campaign(pk: int) -> MysteryCampaign:
    campaign = MysteryCampaign.objects.select_related("referential").filter(pk=pk).first()
    if campaign is None:
        raise Http404("Unknown campaign.")
    return campaign


@router.get(
    "/quality/mystery/campaigns",
    auth=bearer,
    response={200: list[CampaignOut], **ERRORS},
    summary="Mystery campaigns with their grids",
)
def campaigns_list(request: HttpRequest):
    staff_user(request)
    return [_campaign_out(c) for c in MysteryCampaign.objects.select_related("referential")]


@router.post(
    "/quality/mystery/campaigns",
    auth=bearer,
    response={201: CampaignOut, **ERRORS},
    summary="Create a mystery campaign (national team); without items, the default grid",
)
def campaign_create(request: HttpRequest, payload: CampaignIn):
    items = None
    if payload.items:
        items = [GridItem(i.criterion, i.weight, i.title_fr, i.title_en) for i in payload.items]
    campaign = mystery.mystery_campaign_create(
        actor=staff_user(request),
        title=payload.title,
        channel=payload.channel,
        period_start=payload.period_start,
        period_end=payload.period_end,
        pass_level=payload.pass_level,
        items=items,
    )
    return HttpStatus(201, _campaign_out(campaign))


class CheckIn(Schema):
    site: str = Field(max_length=10)
    performed_at: datetime
    checker: str = Field("", max_length=120)
    comment: str = Field("", max_length=5000)
    points: dict[int, float] = Field(description="item id → points 0–10, every item")


class CheckOut(Schema):
    id: int
    site: str
    performed_at: datetime
    score: float
    passed: bool


@router.post(
    "/quality/mystery/campaigns/{campaign_id}/checks",
    auth=bearer,
    response={201: CheckOut, **ERRORS},
    summary="Record a check at a site (national team or an auditor of the site)",
)
def check_record(request: HttpRequest, campaign_id: int, payload: CheckIn):
    user = staff_user(request)
    campaign = _campaign(campaign_id)
    site = site_for_user(user, payload.site, Action.VIEW)
    check = mystery.mystery_check_record(
        actor=user,
        campaign=campaign,
        site=site,
        performed_at=payload.performed_at,
        points=payload.points,
        checker=payload.checker,
        comment=payload.comment,
    )
    out = {
        "id": check.pk,
        "site": site.code,
        "performed_at": check.performed_at,
        "score": check.score,
        "passed": mystery.passed(check.score, campaign),
    }
    return HttpStatus(201, out)


class SiteResultOut(Schema):
    site: str
    checks: int
    mean: float
    passed_pct: float
    items: dict[int, float]


class ResultsOut(Schema):
    campaign: int
    checks: int
    mean: float | None
    sites: list[SiteResultOut]
    criteria: dict[str, float]


@router.get(
    "/quality/mystery/campaigns/{campaign_id}/results",
    auth=bearer,
    response={200: ResultsOut, **ERRORS},
    summary="A campaign's results per site and per criterion (national team)",
)
def campaign_results(request: HttpRequest, campaign_id: int):
    if not is_national_admin(staff_user(request)):
        raise PermissionDenied
    campaign = _campaign(campaign_id)
    results = mystery.campaign_results(campaign)
    return {
        "campaign": campaign.pk,
        "checks": results["checks"],
        "mean": results["mean"],
        "criteria": results["criteria"],
        "sites": [
            {
                "site": r.site.code,
                "checks": r.checks,
                "mean": r.mean,
                "passed_pct": r.passed_share,
                "items": r.items,
            }
            for r in results["sites"]
        ],
    }


class SiteCheckOut(CheckOut):
    campaign: int
    checker: str
    comment: str


@router.get(
    "/sites/{code}/mystery",
    auth=bearer,
    response={200: list[SiteCheckOut], **ERRORS},
    summary="A site's mystery checks, newest first",
)
def site_checks(request: HttpRequest, code: str):
    site = site_for_user(staff_user(request), code, Action.VIEW)
    return [
        {
            "id": c.pk,
            "site": site.code,
            "campaign": c.campaign_id,
            "performed_at": c.performed_at,
            "score": c.score,
            "passed": mystery.passed(c.score, c.campaign),
            "checker": c.checker,
            "comment": c.comment,
        }
        for c in mystery.site_checks(site)
    ]
