"""Quality API: the current referential, and a site's scores (staff)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from teranga.network.api import ErrorOut
from teranga.network.auth import bearer, staff_user
from teranga.network.permissions import Action, is_national_admin, site_for_user
from teranga.quality import campaigns, selectors, services

router = Router(tags=["quality"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class CriterionOut(Schema):
    code: str
    title: str
    kind: str
    indicator: str | None
    comparison: str | None
    threshold: float | None
    min_sample: int | None
    weight: int
    mandatory: bool


class EngagementOut(Schema):
    code: str
    title: str
    criteria: list[CriterionOut]


class ThemeOut(Schema):
    code: str
    title: str
    engagements: list[EngagementOut]


class ReferentialOut(Schema):
    version: str
    title: str
    themes: list[ThemeOut]


def _current():
    referential = selectors.current_referential()
    if referential is None:
        raise HttpError(404, _("No quality referential has been published yet."))
    return referential


@router.get(
    "/quality/referentials/current",
    auth=bearer,
    response={200: ReferentialOut, **ERRORS},
    summary="The current version of the quality referential",
)
def referential_current(request: HttpRequest):
    staff_user(request)
    referential = _current()
    measured = "measured"
    return {
        "version": referential.version,
        "title": referential.title,
        "themes": [
            {
                "code": t.code,
                "title": t.title,
                "engagements": [
                    {
                        "code": e.code,
                        "title": e.title,
                        "criteria": [
                            {
                                "code": c.code,
                                "title": c.title,
                                "kind": c.kind,
                                "indicator": c.indicator if c.kind == measured else None,
                                "comparison": c.comparison if c.kind == measured else None,
                                "threshold": c.threshold,
                                "min_sample": c.min_sample if c.kind == measured else None,
                                "weight": c.weight,
                                "mandatory": c.mandatory,
                            }
                            for c in e.criteria.all()
                        ],
                    }
                    for e in t.engagements.all()
                ],
            }
            for t in referential.themes.all()
        ],
    }


class PublishedOut(Schema):
    version: str
    current: bool


class ProblemsOut(ErrorOut):
    problems: list[str] = Field(description="every problem found, with its line")


@router.post(
    "/quality/referentials",
    auth=bearer,
    response={201: PublishedOut, 409: ErrorOut, 422: ProblemsOut, **ERRORS},
    summary="Publish a new referential version (national team)",
    description=(
        "The body is the referential's data file (JSON, as downloaded from the referential "
        "page). `?current=false` publishes it without making it current. A file with a missing "
        "indicator, a duplicated code or a weight out of range is refused with the exact line, "
        "and nothing is written."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def referential_publish(request: HttpRequest, current: bool = True):
    user = staff_user(request)
    if not is_national_admin(user):
        raise PermissionDenied
    data = services.referential_parse(request.body.decode("utf-8", "replace"))
    referential, _created = services.referential_publish(
        data, make_current=current, new_only=True, actor=user
    )
    return Status(201, {"version": referential.version, "current": referential.is_current})


class GapOut(Schema):
    criterion: str
    reason: str
    value: float | None
    sample: int | None


class QualityOut(Schema):
    site: str
    version: str
    campaign: str | None
    period_from: str
    period_to: str
    overall: float
    themes: dict[str, float]
    engagements: dict[str, float]
    label_ready: bool
    gaps: list[GapOut]


def _result_out(site, version: str, campaign, first, last, result) -> dict:
    return {
        "site": site.code,
        "version": version,
        "campaign": str(campaign.pk) if campaign is not None else None,
        "period_from": first.isoformat(),
        "period_to": last.isoformat(),
        "overall": result.overall,
        "themes": result.themes,
        "engagements": result.engagements,
        "label_ready": result.label_ready,
        "gaps": [
            {
                "criterion": code,
                "reason": result.criteria[code].reason,
                "value": result.criteria[code].value,
                "sample": result.criteria[code].sample,
            }
            for code in result.gaps
        ],
    }


@router.get(
    "/sites/{code}/quality",
    auth=bearer,
    response={200: QualityOut, **ERRORS},
    summary="A site's quality scores: a campaign's, else the latest submitted, else the live "
    "pre-score over the last quarter",
)
def site_quality(request: HttpRequest, code: str, campaign: int | None = None):
    site = site_for_user(staff_user(request), code, Action.VIEW)
    if campaign is not None:
        assessment = campaigns.assessment_get(site, campaign)
        if assessment is None:
            raise HttpError(404, _("This site takes no part in this campaign."))
    else:
        assessment = campaigns.latest_assessment(site)
    if assessment is not None:
        chosen = assessment.campaign
        result = campaigns.grid(assessment).result
        return _result_out(
            site, chosen.referential.version, chosen, chosen.period_start, chosen.period_end, result
        )
    referential = _current()
    first, last = selectors.last_quarter()
    result = selectors.live_score(site, referential, first, last)
    return _result_out(site, referential.version, None, first, last, result)
