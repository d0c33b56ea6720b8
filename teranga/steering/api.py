"""The steering endpoints under /api/v1/: indicators, public results."""

from ninja import Router

router = Router(tags=["steering"])


# --- public results (no authentication, cacheable) -----------------------------------------

from datetime import date, datetime  # noqa: E402

from django.http import HttpRequest  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.views.decorators.cache import cache_control  # noqa: E402
from ninja import Schema  # noqa: E402
from ninja.decorators import decorate_view  # noqa: E402

from teranga.indicators.selectors import national_area, site_area  # noqa: E402
from teranga.steering import public  # noqa: E402


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
