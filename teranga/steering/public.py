"""Public results: the national page and each site's page (/resultats/), their JSON under
/api/v1/public/, and the A4 poster a site displays at its entrance.

Everything is read from the monthly rollups the worker keeps up to date (a fixed number of
queries whatever the history), counts only: no personal data can reach these pages. A figure
whose sample is below the indicator's minimum is never shown, only its sample.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import sha256

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from teranga.indicators.catalogue import Indicator, by_code
from teranga.indicators.facts import Facts
from teranga.indicators.selectors import (
    Area,
    facts,
    last_update,
    national_area,
    period_starts,
    site_area,
)
from teranga.listening.tablet import read_static
from teranga.network import selectors as network_selectors
from teranga.network.models import Site

# Delivered quality, then perceived quality: what the Marianne approach asks to publish.
DELIVERED = (
    "wait_median_min",
    "served_within_target_pct",
    "complaints_answered_on_time_pct",
    "requests_on_time_pct",
)
PERCEIVED = ("satisfaction_pct",)
CODES = DELIVERED + PERCEIVED
MONTHS = 12
MAX_AGE = 300  # seconds a browser or a proxy may keep a page without asking again
POSTER_LANGUAGES = ("fr", "wo")
SITE_CODE = re.compile(r"[A-Za-z0-9]{1,10}")


# --- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure: None below the minimum sample (only the sample is published then)."""

    indicator: Indicator
    value: float | None
    sample: int

    @property
    def meets_target(self) -> bool | None:
        return self.indicator.meets(self.value)


@dataclass(frozen=True)
class Month:
    start: date
    cell: Cell
    complete: bool  # False for the current month, still running


@dataclass(frozen=True)
class Figure:
    """An indicator of an area: the 12 full months, the whole year, the month to date."""

    indicator: Indicator
    months: list[Month]  # the 12 full months, oldest first
    year: Cell  # the 12 months together
    current: Month  # the current month to date

    @property
    def code(self) -> str:
        return self.indicator.code


@dataclass(frozen=True)
class Period:
    first: date  # first day of the oldest full month
    last: date  # last day of the last full month
    today: date  # the current month runs from its 1st to today

    @property
    def current_month(self) -> date:
        return self.today.replace(day=1)


@dataclass(frozen=True)
class Results:
    area: Area
    period: Period
    updated_at: object  # aware datetime of the last refresh, or None
    figures: list[Figure]

    def figure(self, code: str) -> Figure:
        return next(f for f in self.figures if f.code == code)

    @property
    def delivered(self) -> list[Figure]:
        return [f for f in self.figures if f.code in DELIVERED]

    @property
    def perceived(self) -> list[Figure]:
        return [f for f in self.figures if f.code in PERCEIVED]


@dataclass(frozen=True)
class SiteRow:
    site: Site
    cells: dict[str, Cell]  # the 12 months together, by indicator code


def results_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _month in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, last, today)


def _indicators() -> list[Indicator]:
    catalogue = by_code()
    return [catalogue[code] for code in CODES]


def _cell(indicator: Indicator, found: Facts) -> Cell:
    value, sample = indicator.value(found)
    return Cell(indicator, value, sample)


def area_results(area: Area, period: Period | None = None) -> Results:
    """The public figures of one area (a site or the nation): 2 queries."""
    period = period or results_period()
    found = facts([area], period.first, period.today, "month", contributed=False)
    empty = Facts()
    starts = period_starts(period.first, period.last, "month")
    year = Facts()
    for start in starts:
        year.add(found.get((area.pk, start), empty))
    figures = []
    for indicator in _indicators():
        months = [
            Month(start, _cell(indicator, found.get((area.pk, start), empty)), True)
            for start in starts
        ]
        current = found.get((area.pk, period.current_month), empty)
        figures.append(
            Figure(
                indicator,
                months,
                _cell(indicator, year),
                Month(period.current_month, _cell(indicator, current), False),
            )
        )
    return Results(area, period, last_update(), figures)


def sites_results(period: Period | None = None) -> list[SiteRow]:
    """Every site with its figures over the 12 full months, in the order of the public home
    (region, then town): 3 queries whatever the number of sites."""
    period = period or results_period()
    sites = [s for region in network_selectors.regions_with_sites() for s in region.site_list]
    found = facts([site_area(s) for s in sites], period.first, period.last, None, contributed=False)
    indicators, empty = _indicators(), Facts()
    return [
        SiteRow(s, {i.code: _cell(i, found.get((s.pk, period.first), empty)) for i in indicators})
        for s in sites
    ]


def public_site(code: str) -> Site:
    # What no site code holds (a NUL byte: PostgreSQL would fail on it) finds nothing.
    site = network_selectors.site_public_get(code) if SITE_CODE.fullmatch(code) else None
    if site is None:
        raise Http404(_("No Espace Sénégal Services has this code."))
    return site


# --- words and numbers in the active language -------------------------------------------


def _locale() -> str:
    return (get_language() or "fr")[:2]


def month_label(day: date) -> str:
    """e.g. 'mars 2026'."""
    return format_date(day, "LLLL y", locale=_locale())


def short_month(day: date) -> str:
    """e.g. 'mars', for the axis of a trend."""
    return format_date(day, "LLL", locale=_locale()).rstrip(".")


def day_label(day: date) -> str:
    return format_date(day, "d MMMM y", locale=_locale())


def number(value: float | None, unit: str) -> str:
    """'12 min', '85,3 %', or '' for no value."""
    if value is None:
        return ""
    text = format_decimal(value, format="#,##0.#", locale=_locale())
    return f"{text}\u00a0{unit}" if unit in ("min", "%") else text


def target_text(indicator: Indicator) -> str:
    if indicator.target is None:
        return ""
    figure = number(indicator.target, indicator.unit)
    if indicator.higher_is_better:
        return _("Target: %(figure)s or more") % {"figure": figure}
    return _("Target: %(figure)s or less") % {"figure": figure}


def sample_text(indicator: Indicator, sample: int) -> str:
    """What the figure is computed from, e.g. '312 answers'."""
    n = format_decimal(sample, locale=_locale())
    if indicator.code in PERCEIVED:
        text = ngettext("%(n)s answer", "%(n)s answers", sample)
    elif indicator.code == "complaints_answered_on_time_pct":
        text = ngettext("%(n)s complaint due", "%(n)s complaints due", sample)
    elif indicator.code == "requests_on_time_pct":
        text = ngettext("%(n)s request due", "%(n)s requests due", sample)
    else:
        text = ngettext("%(n)s user called", "%(n)s users called", sample)
    return text % {"n": n}


def missing_text(indicator: Indicator) -> str:
    if indicator.code in PERCEIVED:
        return _("Not enough answers yet")
    return _("Not enough data yet")


def verdict_text(cell: Cell) -> str:
    if cell.meets_target is None:
        return ""
    return _("Target met") if cell.meets_target else _("Target not met")


def description(indicator: Indicator) -> str:
    """One sentence saying how a figure is measured (pages, poster, open-data page)."""
    return {
        "tickets": _("Tickets issued at the kiosk or by the reception staff."),
        "wait_median_min": _(
            "Half of the users waited less than this between taking their ticket and being called."
        ),
        "wait_p90_min": _("Nine users out of ten waited less than this before being called."),
        "served_within_target_pct": _(
            "Share of users called within the target wait set for their procedure."
        ),
        "service_median_min": _("Half of the visits at a counter lasted less than this."),
        "no_show_pct": _("Share of the users called who were no longer there."),
        "responses": _("Ratings given on the tablet, the web form, by SMS or USSD."),
        "satisfaction_pct": _("Share of the users who rated their visit 4 or 5 out of 5."),
        "net_satisfaction": _(
            "Share of ratings 4 or 5 minus share of ratings 1 or 2, in points (−100 to 100)."
        ),
        "complaints": _("Complaints filed at the site, on the web, by SMS or on paper."),
        "complaints_answered_on_time_pct": _(
            "Share of the complaints due in the month that were answered by their deadline."
        ),
        "requests_on_time_pct": _(
            "Share of the tracked requests due in the month that were completed by their deadline."
        ),
    }.get(indicator.code, "")


# --- the trend, drawn on the server -----------------------------------------------------

TREND_W, TREND_H, TREND_BAR = 240, 64, 16  # viewBox units: 12 bars of 16 with gaps of 4


def trend(figure: Figure) -> dict:
    """Bars of the 12 months (none where the sample is too small), the target as a dashed
    line; every bar also carries its figure as text in the SVG's description."""
    values = [m.cell.value for m in figure.months]
    target = figure.indicator.target
    top = max([v for v in values if v is not None] + [target or 0, 1]) * 1.1
    plot = TREND_H - 14  # room for the month initials below

    def y(value: float) -> float:
        return round(plot - plot * value / top, 1)

    bars = []
    for i, month in enumerate(figure.months):
        value = month.cell.value
        x = i * (TREND_BAR + 4) + 2
        bar = {"x": x, "label": short_month(month.start)[:1].upper(), "cx": x + TREND_BAR / 2}
        if value is not None:
            bar.update(y=y(value), h=round(plot - y(value), 1), met=month.cell.meets_target)
        bars.append(bar)
    described = "; ".join(
        f"{month_label(m.start)}: {number(m.cell.value, figure.indicator.unit) or '—'}"
        for m in figure.months
    )
    return {
        "width": TREND_W,
        "height": TREND_H,
        "bar": TREND_BAR,
        "base": plot,
        "bars": bars,
        "target_y": y(target) if target is not None else None,
        "title": _("%(name)s, month by month") % {"name": figure.indicator.name},
        "desc": described,
    }


# --- what the templates get ---------------------------------------------------------------


def _cell_view(cell: Cell) -> dict:
    indicator = cell.indicator
    return {
        "value": number(cell.value, indicator.unit),
        "missing": missing_text(indicator) if cell.value is None else "",
        "sample": sample_text(indicator, cell.sample),
        "meets": cell.meets_target,
        "verdict": verdict_text(cell),
    }


def figure_view(figure: Figure) -> dict:
    indicator = figure.indicator
    return {
        "code": figure.code,
        "name": indicator.name,
        "description": description(indicator),
        "target": target_text(indicator),
        "year": _cell_view(figure.year),
        "current": _cell_view(figure.current.cell),
        "months": [_cell_view(m.cell) for m in figure.months],
        "trend": trend(figure),
    }


def results_context(results: Results) -> dict:
    period = results.period
    figures = [figure_view(f) for f in results.figures]
    months = [month_label(m.start) for m in results.figures[0].months]
    return {
        "area": results.area,
        "first_month": month_label(period.first),
        "last_month": month_label(period.last),
        "current_month": month_label(period.current_month),
        "today": day_label(period.today),
        "updated_at": results.updated_at,
        "updated": day_label(timezone.localtime(results.updated_at).date())
        if results.updated_at
        else "",
        "delivered": [f for f in figures if f["code"] in DELIVERED],
        "perceived": [f for f in figures if f["code"] in PERCEIVED],
        # Month by month: a row per month, a column per indicator; the month to date last.
        "rows": [
            {"month": label, "cells": [f["months"][i] for f in figures]}
            for i, label in enumerate(months)
        ],
        "current_row": {
            "month": month_label(period.current_month),
            "cells": [f["current"] for f in figures],
        },
        "columns": [f["name"] for f in figures],
        "min_tickets": settings.INDICATORS_MIN_SAMPLE,
        "min_ratings": settings.FEEDBACK_MIN_SAMPLE,
        "min_cases": settings.INDICATORS_MIN_CASES,
    }


# --- the pages ------------------------------------------------------------------------------


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    """Changes with the data, the day (the month to date), the language and whether a staff
    member is logged in (the header differs). Computed once a request."""
    if not hasattr(request, "results_etag"):
        key = "|".join(
            [
                str(last_update()),
                str(timezone.localdate()),
                request.LANGUAGE_CODE,
                str(request.user.is_authenticated),
                request.get_host(),
                request.path,
            ]
        )
        request.results_etag = sha256(key.encode()).hexdigest()[:20]
    return request.results_etag


def cacheable(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """A few minutes in any cache, for visitors; private for a logged-in staff member."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _page(request: HttpRequest, template: str, context: Callable[[], dict]) -> HttpResponse:
    """The page (cacheable). A visitor's copy is also kept in the process cache under its
    ETag: the same page for every visitor until the figures, the day or the language change,
    rendered once instead of on every request. Never a page with something of one person
    in it: a staff member's header, a visitor's pending messages (left for their next page)."""
    if request.user.is_authenticated or len(get_messages(request)):
        return cacheable(render(request, template, context()), request)
    key = f"results-page:{_etag(request)}"
    body = cache.get(key)
    if body is None:
        body = render(request, template, context()).content
        cache.set(key, body, timeout=MAX_AGE)
    return cacheable(HttpResponse(body), request)


@require_safe
@condition(etag_func=_etag)
def results_national(request: HttpRequest) -> HttpResponse:
    def context() -> dict:
        period = results_period()
        found = results_context(area_results(national_area(), period))
        rows = [
            {"site": row.site, "cells": [_cell_view(row.cells[code]) for code in CODES]}
            for row in sites_results(period)
        ]
        return {**found, "sites": rows, "site_columns": found["columns"]}

    return _page(request, "public/results.html", context)


@require_safe
@condition(etag_func=_etag)
def results_site(request: HttpRequest, code: str) -> HttpResponse:
    site = public_site(code)

    def context() -> dict:
        found = results_context(area_results(site_area(site)))
        return {**found, "site": site, "poster_languages": POSTER_LANGUAGES}

    return _page(request, "public/results_site.html", context)


# --- the poster ---------------------------------------------------------------------------------


def poster_render(request: HttpRequest, *, site: Site, lang: str) -> bytes:
    """The A4 PDF: the 12-month figures in big, their targets and samples, a QR code to the
    site's results page. Fonts and styles are local: nothing is fetched while rendering."""
    url = request.build_absolute_uri(reverse("steering:results-site", args=[site.code]))
    qr = segno.make(url, error="q")
    with translation.override(lang):
        context = results_context(area_results(site_area(site)))
        context.update(site=site, url=url, lang=lang, qr=qr.svg_data_uri(scale=10, border=0))
        context["sections"] = [
            (_("Delivered quality"), context["delivered"]),
            (_("Perceived quality"), context["perceived"]),
        ]
        html = render_to_string("public/results_poster.html", context)
    from weasyprint import CSS, HTML  # heavy: loaded only when a poster is asked for

    css = CSS(string=read_static("steering/public-poster.css").decode())
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[css])


@require_safe
def results_poster(request: HttpRequest, code: str, lang: str) -> HttpResponse:
    site = public_site(code)
    if lang not in POSTER_LANGUAGES:
        raise Http404
    # Rendering takes a good fraction of a second: one rendering per site, language and day
    # serves every visitor (the figures are those of full months).
    key = f"results-poster:{site.pk}:{lang}:{timezone.localdate()}:{request.get_host()}"
    body = cache.get(key)
    if body is None:
        body = poster_render(request, site=site, lang=lang)
        cache.set(key, body, timeout=3600)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="resultats-{site.code}-{lang}.pdf"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
