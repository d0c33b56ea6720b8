"""The steering endpoints under /api/v1/: indicators, public results."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.security import django_auth

from teranga.indicators.catalogue import by_code, catalogue
from teranga.indicators.selectors import (
    SliceError,
    last_update,
    months_back,
    national_area,
    series,
    site_area,
)
from teranga.listening.models import Channel
from teranga.network.api import ErrorOut, InvalidOut
from teranga.network.auth import Principal, bearer
from teranga.network.models import Procedure
from teranga.steering import public
from teranga.steering.access import area_for_user
from teranga.steering.periods import MAX_PERIODS, period_count

router = Router(tags=["steering"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
Granularity = Literal["day", "week", "month", "quarter", "year"]


class IndicatorsQuery(Schema):
    level: Literal["site", "region", "national"]
    code: str = Field("", max_length=40, description="site code (DKR) or region slug (dakar)")
    date_from: date | None = Field(
        None, alias="from", description="default: the first day of the month 11 months ago"
    )
    date_to: date | None = Field(None, alias="to", description="default: today")
    granularity: Granularity = "month"
    indicator: list[str] = Field(
        default_factory=list,
        description="indicator codes, repeated or comma-separated; default: every indicator",
    )
    procedure: str | None = Field(None, max_length=20, description="only this procedure")
    channel: Literal[tuple(Channel.values)] | None = Field(  # type: ignore[valid-type]
        None, description="only the ratings received through this channel"
    )


class RowOut(Schema):
    indicator: str
    period_start: date
    value: float | None = Field(description="None when the sample is below the minimum")
    sample: int
    target: float | None
    meets_target: bool | None
    previous: float | None = Field(description="the value of the period before")
    unit: str = Field(description="count | min | % | points")


class IndicatorsOut(Schema):
    level: str
    code: str
    name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    granularity: str
    last_update: datetime | None = Field(description="when the figures were last brought up")
    rows: list[RowOut]


class IndicatorOut(Schema):
    code: str
    name: str = Field(description="in the language of the request")
    unit: str
    direction: Literal["higher", "lower", "none"] = Field(description="which way is better")
    target: float | None
    min_sample: int = Field(description="no value is given below this sample")
    family: str


def _staff(request: HttpRequest):
    """The user behind a bearer token or a session; devices may not read indicators."""
    principal = request.auth
    user = principal.user if isinstance(principal, Principal) else principal
    if user is None:
        raise HttpError(403, _("Devices may not read indicators."))
    return user


def _codes(requested: list[str]) -> list[str] | None:
    codes = [c.strip() for item in requested for c in item.split(",") if c.strip()]
    if not codes:
        return None
    known = by_code()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise HttpError(
            422,
            _("Unknown indicator: %(codes)s. The list is at /api/v1/indicators/catalogue.")
            % {"codes": ", ".join(unknown)},
        )
    return codes


def _dim(procedure: str | None, channel: str | None) -> str:
    if procedure and channel:
        raise HttpError(422, _("Choose a procedure or a rating channel, not both."))
    if channel:
        return f"c{channel}"
    if procedure:
        found = Procedure.objects.filter(code=procedure).values_list("pk", flat=True).first()
        if found is None:
            raise HttpError(422, _("Unknown procedure: %(code)s.") % {"code": procedure})
        return f"p{found}"
    return ""


@router.get(
    "/indicators",
    auth=[bearer, django_auth],
    response={200: IndicatorsOut, **ERRORS},
    by_alias=True,
    summary="Indicators of a site, a region or the nation by period, with the previous "
    "period and the target",
)
def indicators(request: HttpRequest, query: Query[IndicatorsQuery]):
    user = _staff(request)
    area = area_for_user(user, query.level, query.code)
    today = timezone.localdate()
    last = query.date_to or today
    first = query.date_from or months_back(last, 11)
    if first > last:
        raise HttpError(422, _("'from' must not be after 'to'."))
    if period_count(first, last, query.granularity) > MAX_PERIODS:
        raise HttpError(
            422,
            _("Too many periods: at most %(max)d %(granularity)s periods in one request.")
            % {"max": MAX_PERIODS, "granularity": query.granularity},
        )
    codes = _codes(query.indicator)
    dim = _dim(query.procedure, query.channel)
    try:
        values = series(area, first, last, query.granularity, codes=codes, dim=dim)
    except SliceError as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "level": area.level,
        "code": area.code or query.code,
        "name": area.name,
        "from": first,
        "to": last,
        "granularity": query.granularity,
        "last_update": last_update(),
        "rows": [
            {
                "indicator": v.indicator.code,
                "period_start": v.period_start,
                "value": v.value,
                "sample": v.sample,
                "target": v.target,
                "meets_target": v.meets_target,
                "previous": v.previous,
                "unit": v.indicator.unit,
            }
            for v in values
        ],
    }


@router.get(
    "/indicators/catalogue",
    response=list[IndicatorOut],
    summary="The indicators: code, name, unit, direction, target and minimum sample",
)
def indicators_catalogue(request: HttpRequest):
    direction = {True: "higher", False: "lower", None: "none"}
    return [
        {
            "code": i.code,
            "name": str(i.name),
            "unit": i.unit,
            "direction": direction[i.higher_is_better],
            "target": i.target,
            "min_sample": i.min_sample,
            "family": i.family,
        }
        for i in catalogue()
    ]


# --- public results (no authentication, cacheable) -----------------------------------------


class PublicMonthOut(Schema):
    period: str  # YYYY-MM
    complete: bool  # False for the current month, to date
    value: float | None  # null below the minimum sample
    sample: int
    meets_target: bool | None


class PublicFigureOut(Schema):
    value: float | None
    sample: int
    meets_target: bool | None


class PublicIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    higher_is_better: bool | None
    target: float | None
    min_sample: int
    last_12_months: PublicFigureOut
    months: list[PublicMonthOut]


class PublicAreaOut(Schema):
    level: str
    code: str
    name: str


class PublicPeriodOut(Schema):
    first: date
    last: date
    today: date


class PublicResultsOut(Schema):
    area: PublicAreaOut
    period: PublicPeriodOut
    last_update: datetime | None
    page: str
    indicators: list[PublicIndicatorOut]


class PublicSiteRowOut(Schema):
    code: str
    name: str
    region: str
    url: str
    last_12_months: dict[str, PublicFigureOut]


class PublicNationalOut(PublicResultsOut):
    sites: list[PublicSiteRowOut]


class PublicErrorOut(Schema):
    detail: str


def _figure(cell: public.Cell) -> dict:
    return {"value": cell.value, "sample": cell.sample, "meets_target": cell.meets_target}


def _month(month: public.Month) -> dict:
    return {
        "period": month.start.strftime("%Y-%m"),
        "complete": month.complete,
        **_figure(month.cell),
    }


def _results(request: HttpRequest, results: public.Results, page: str) -> dict:
    period = results.period
    return {
        "area": {"level": results.area.level, "code": results.area.code, "name": results.area.name},
        "period": {"first": period.first, "last": period.last, "today": period.today},
        "last_update": results.updated_at,
        "page": request.build_absolute_uri(page),
        "indicators": [
            {
                "code": f.code,
                "name": str(f.indicator.name),
                "unit": f.indicator.unit,
                "higher_is_better": f.indicator.higher_is_better,
                "target": f.indicator.target,
                "min_sample": f.indicator.min_sample,
                "last_12_months": _figure(f.year),
                "months": [_month(m) for m in [*f.months, f.current]],
            }
            for f in results.figures
        ],
    }


@router.get(
    "/public/results",
    response={200: PublicNationalOut},
    summary="Public results of the network and of each site (last 12 months)",
    auth=None,
)
@decorate_view(cache_control(public=True, max_age=public.MAX_AGE))
def public_results(request: HttpRequest):
    period = public.results_period()
    out = _results(
        request, public.area_results(national_area(), period), reverse("steering:results")
    )
    out["sites"] = [
        {
            "code": row.site.code,
            "name": row.site.name,
            "region": row.site.department.region.name,
            "url": request.build_absolute_uri(
                reverse("steering:results-site", args=[row.site.code])
            ),
            "last_12_months": {code: _figure(cell) for code, cell in row.cells.items()},
        }
        for row in public.sites_results(period)
    ]
    return out


@router.get(
    "/public/results/{code}",
    response={200: PublicResultsOut, 404: PublicErrorOut},
    summary="Public results of one site (last 12 months and the current month to date)",
    auth=None,
)
@decorate_view(cache_control(public=True, max_age=public.MAX_AGE))
def public_results_site(request: HttpRequest, code: str):
    site = public.public_site(code)
    page = reverse("steering:results-site", args=[site.code])
    return _results(request, public.area_results(site_area(site)), page)
