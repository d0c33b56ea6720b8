"""Self-assessment campaigns API: list, launch and close campaigns (national team), follow a
campaign, read a site's grid, answer a criterion, submit, accept, return."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from teranga.lib.errors import Invalid
from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import bearer, staff_user
from teranga.network.models import Site
from teranga.network.permissions import Action, is_national_admin, site_for_user, sites_for
from teranga.quality import campaigns
from teranga.quality.models import Campaign, Referential

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class CampaignIn(Schema):
    title: str = Field(max_length=160)
    referential: str | None = Field(None, description="version; the current one when absent")
    period_start: date
    period_end: date
    due_date: date
    sites: Literal["all", "pilots"] | list[str] = Field(
        "all", description='"all" open sites, "pilots", or a list of site codes'
    )


class CampaignOut(Schema):
    id: int
    title: str
    version: str
    period_start: date
    period_end: date
    due_date: date
    status: str
    created_at: datetime
    closed_at: datetime | None


class SiteProgressOut(Schema):
    site: str
    status: str
    answered: int = Field(description="declared criteria answered")
    declared: int
    disputed: int = Field(description="measured results the site disagrees with")
    overall: float = Field(description="frozen once submitted; from the data before")
    label_ready: bool


class CampaignDetailOut(CampaignOut):
    sites: list[SiteProgressOut]


def _campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "version": campaign.referential.version,
        "period_start": campaign.period_start,
        "period_end": campaign.period_end,
        "due_date": campaign.due_date,
        "status": campaign.status,
        "created_at": campaign.created_at,
        "closed_at": campaign.closed_at,
    }


@router.get(
    "/quality/campaigns",
    auth=bearer,
    response={200: list[CampaignOut], **ERRORS},
    summary="Self-assessment campaigns of the caller's sites, newest first",
)
def campaign_list(request: HttpRequest):
    return [_campaign_out(c) for c in campaigns.campaigns_for(staff_user(request))]


@router.post(
    "/quality/campaigns",
    auth=bearer,
    response={201: CampaignOut, **ERRORS},
    summary="Launch a campaign (national team): one grid per site, pre-scored from the data",
)
def campaign_create(request: HttpRequest, data: CampaignIn):
    user = staff_user(request)
    referential = None
    if data.referential is not None:
        referential = Referential.objects.filter(version=data.referential).first()
        if referential is None:
            raise Invalid("Unknown referential version.", field="referential")
    sites = None
    if data.sites == "pilots":
        sites = list(Site.objects.exclude(status=Site.Status.CLOSED).filter(is_pilot=True))
    elif isinstance(data.sites, list):
        sites = list(Site.objects.filter(code__in=data.sites))
        unknown = sorted(set(data.sites) - {s.code for s in sites})
        if unknown:
            message = f"Unknown site codes: {', '.join(unknown)}."
            raise Invalid(message, field="sites")
    campaign = campaigns.campaign_launch(
        actor=user,
        title=data.title,
        referential=referential,
        period_start=data.period_start,
        period_end=data.period_end,
        due_date=data.due_date,
        sites=sites,
    )
    return Status(201, _campaign_out(campaign))


def _campaign(pk: int) -> Campaign:
    campaign = Campaign.objects.select_related("referential").filter(pk=pk).first()
    if campaign is None:
        raise Http404("Unknown campaign.")
    return campaign


@router.get(
    "/quality/campaigns/{pk}",
    auth=bearer,
    response={200: CampaignDetailOut, **ERRORS},
    summary="A campaign's follow-up: per site of the caller, status, answers, score, disputes",
)
def campaign_detail(request: HttpRequest, pk: int):
    user = staff_user(request)
    campaign = _campaign(pk)
    site_ids = None
    if not is_national_admin(user):
        site_ids = list(sites_for(user, Action.VIEW).values_list("pk", flat=True))
    progress = campaigns.campaign_progress(campaign, site_ids)
    if site_ids is not None and not progress:
        return Status(403, {"detail": "None of your sites takes part in this campaign."})
    return {
        **_campaign_out(campaign),
        "sites": [
            {
                "site": line.assessment.site.code,
                "status": line.assessment.status,
                "answered": line.answered,
                "declared": line.declared,
                "disputed": line.disputed,
                "overall": line.result.overall,
                "label_ready": line.result.label_ready,
            }
            for line in progress
        ],
    }


@router.post(
    "/quality/campaigns/{pk}/close",
    auth=bearer,
    response={200: CampaignOut, **ERRORS},
    summary="Close a campaign (national team): no more answers",
)
def campaign_close(request: HttpRequest, pk: int):
    campaign = campaigns.campaign_close(actor=staff_user(request), campaign=_campaign(pk))
    return _campaign_out(campaign)


# --- a site's grid ------------------------------------------------------------------------


class EvidenceOut(Schema):
    name: str
    size: int
    uploaded_at: datetime


class CriterionGridOut(Schema):
    code: str
    title: str
    kind: str
    weight: int
    mandatory: bool
    score: float = Field(description="0 to 1")
    result: str = Field(description="met, not_met, too_few, yes, partly, no, unanswered, …")
    indicator: str | None
    comparison: str | None
    threshold: float | None
    min_sample: int | None
    value: float | None
    sample: int | None
    choice: str
    comment: str
    disputed: bool
    finding: str | None = Field(description="latest completed audit's finding (observed)")
    evidence: list[EvidenceOut]


class EngagementGridOut(Schema):
    code: str
    title: str
    score: float
    criteria: list[CriterionGridOut]


class ThemeGridOut(Schema):
    code: str
    title: str
    score: float
    engagements: list[EngagementGridOut]


class GridOut(Schema):
    site: str
    campaign: int
    version: str
    status: str
    campaign_status: str
    overall: float
    label_ready: bool
    remarks: str
    themes: list[ThemeGridOut]
    gaps: list[str]


def _assessment(request: HttpRequest, code: str, pk: int, action: Action = Action.VIEW):
    site = site_for_user(staff_user(request), code, action)
    assessment = campaigns.assessment_get(site, pk)
    if assessment is None:
        raise Http404("This site takes no part in this campaign.")
    return assessment


def _criterion_out(row: campaigns.Row) -> dict:
    c, a = row.criterion, row.answer
    measured = c.kind == campaigns.MEASURED
    return {
        "code": c.code,
        "title": c.title,
        "kind": c.kind,
        "weight": c.weight,
        "mandatory": c.mandatory,
        "score": row.result.score,
        "result": row.result.reason,
        "indicator": c.indicator if measured else None,
        "comparison": c.comparison if measured else None,
        "threshold": c.threshold,
        "min_sample": c.min_sample if measured else None,
        "value": a.value if measured else None,
        "sample": a.sample if measured else None,
        "choice": a.choice,
        "comment": a.comment,
        "disputed": a.disputed,
        "finding": row.finding.result if row.finding else None,
        "evidence": [
            {"name": e.name, "size": e.size, "uploaded_at": e.uploaded_at} for e in a.evidence.all()
        ],
    }


def _grid_out(assessment) -> dict:
    grid = campaigns.grid(assessment)
    return {
        "site": assessment.site.code,
        "campaign": assessment.campaign_id,
        "version": grid.referential.version,
        "status": assessment.status,
        "campaign_status": assessment.campaign.status,
        "overall": grid.result.overall,
        "label_ready": grid.result.label_ready,
        "remarks": assessment.remarks,
        "themes": [
            {
                "code": theme.code,
                "title": theme.title,
                "score": score,
                "engagements": [
                    {
                        "code": e.code,
                        "title": e.title,
                        "score": e_score,
                        "criteria": [_criterion_out(r) for r in rows],
                    }
                    for e, e_score, rows in engagements
                ],
            }
            for theme, score, engagements in grid.themes
        ],
        "gaps": grid.result.gaps,
    }


@router.get(
    "/sites/{code}/quality/campaigns/{pk}",
    auth=bearer,
    response={200: GridOut, **ERRORS},
    summary="A site's grid in a campaign, scored",
)
def grid_get(request: HttpRequest, code: str, pk: int):
    return _grid_out(_assessment(request, code, pk))


class AnswerIn(Schema):
    choice: Literal["yes", "partly", "no", ""] | None = Field(
        None, description="declared criteria only; empty clears the answer"
    )
    comment: str | None = Field(None, max_length=campaigns.COMMENT_MAX)
    disputed: bool | None = Field(None, description="measured criteria only: I disagree")


@router.post(
    "/sites/{code}/quality/campaigns/{pk}/answers/{criterion}",
    auth=bearer,
    response={200: CriterionGridOut, **ERRORS},
    summary="Answer one criterion (quality officer or site manager); absent fields unchanged",
)
def answer(request: HttpRequest, code: str, pk: int, criterion: str, data: AnswerIn):
    assessment = _assessment(request, code, pk, Action.QUALITY)
    row = assessment.answers.select_related("criterion").filter(criterion__code=criterion).first()
    if row is None:
        raise Http404("Unknown criterion in this campaign.")
    row.assessment = assessment
    campaigns.answer_save(
        actor=request.auth.user,
        answer=row,
        choice=data.choice,
        comment=data.comment,
        disputed=data.disputed,
    )
    return _criterion_out(campaigns.grid(assessment).rows[criterion])


class TransitionIn(Schema):
    remarks: str = Field("", max_length=campaigns.REMARKS_MAX)


def _transition(request, code: str, pk: int, to: str, remarks: str = ""):
    assessment = _assessment(request, code, pk)
    campaigns.assessment_transition(
        actor=request.auth.user, assessment=assessment, to=to, remarks=remarks
    )
    return _grid_out(campaigns.assessment_get(assessment.site, pk))


@router.post(
    "/sites/{code}/quality/campaigns/{pk}/submit",
    auth=bearer,
    response={200: GridOut, **ERRORS},
    summary="Submit the grid (site manager): every declared criterion answered; score frozen",
)
def submit(request: HttpRequest, code: str, pk: int):
    return _transition(request, code, pk, campaigns.Status.SUBMITTED)


@router.post(
    "/sites/{code}/quality/campaigns/{pk}/accept",
    auth=bearer,
    response={200: GridOut, **ERRORS},
    summary="Accept a submitted grid (national team)",
)
def accept(request: HttpRequest, code: str, pk: int, data: TransitionIn):
    return _transition(request, code, pk, campaigns.Status.ACCEPTED, data.remarks)


@router.post(
    "/sites/{code}/quality/campaigns/{pk}/return",
    auth=bearer,
    response={200: GridOut, **ERRORS},
    summary="Return a submitted grid to the site with remarks (national team)",
)
def return_(request: HttpRequest, code: str, pk: int, data: TransitionIn):
    return _transition(request, code, pk, campaigns.Status.RETURNED, data.remarks)
