"""The staff dashboards: national, region and site, and the tickets behind a site's figures.

Every figure comes from the rollups (teranga.indicators.selectors), read in a fixed number of
queries whatever the number of sites or months: one `facts` call for all the sites at once,
one `series` call for twelve months of trends. Filters (period, procedure, rating channel,
indicator) live in the query string, so a page is a link and works without JavaScript.
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from teranga.cases.services import can_handle
from teranga.indicators.catalogue import Indicator, by_code, catalogue
from teranga.indicators.facts import Facts
from teranga.indicators.selectors import (
    Area,
    facts,
    last_update,
    months_back,
    national_area,
    period_start,
    series,
    site_area,
    weekday_hours,
)
from teranga.lib.days import day_or_none
from teranga.listening.models import Channel
from teranga.network.models import Procedure, Region, Role, Site
from teranga.network.permissions import Action, site_for_user, user_can, user_roles
from teranga.reception.models import Ticket
from teranga.reception.selectors import live_view
from teranga.steering import charts
from teranga.steering.access import area_for_user, sees_nation
from teranga.steering.periods import DAY, Period, period_choices, period_parse

# The trends drawn on every dashboard (12 months, with the target line when there is one).
TREND_CODES = (
    "tickets",
    "wait_median_min",
    "served_within_target_pct",
    "satisfaction_pct",
    "complaints_answered_on_time_pct",
)
DEFAULT_INDICATOR = "wait_median_min"
MAX_RANGE_DAYS = 5 * 366  # a free range longer than this is refused
TICKETS_PER_PAGE = 50

# Where each of the 46 sites sits on the tile map: (column, row), west to east and north to
# south, drawn by hand from the map of Senegal so that neighbours stay neighbours (the Dakar
# region's five sites, a few kilometres apart, get a 2 × 3 block). Sites missing here (a new
# site) are put on an extra row below.
TILE_LAYOUT = {
    "SLO": (3, 0), "DGN": (5, 0), "PDR": (6, 0),
    "KBM": (2, 1), "LGA": (3, 1), "LNG": (5, 1), "RNR": (7, 1), "MTM": (8, 1), "KNL": (9, 1),
    "GDW": (0, 2), "PKN": (1, 2), "TVN": (2, 2), "BBY": (3, 2), "MBK": (4, 2), "BAK": (9, 2),
    "DKR": (0, 3), "KMS": (1, 3), "THS": (2, 3), "DBL": (3, 3), "GSS": (4, 3), "GDR": (9, 3),
    "RFQ": (1, 4), "MBR": (2, 4), "FTK": (3, 4), "GNG": (4, 4), "BKL": (5, 4), "KFR": (6, 4),
    "MLH": (7, 4), "KGH": (8, 4),
    "FDG": (3, 5), "KLK": (4, 5), "NDR": (5, 5), "KPT": (7, 5), "TBC": (8, 5),
    "BGN": (2, 6), "BKG": (3, 6), "SDH": (4, 6), "MYF": (5, 6), "VLG": (6, 6),
    "OSY": (1, 7), "ZIG": (2, 7), "GDP": (3, 7), "KLD": (5, 7), "SLM": (8, 7), "KDG": (9, 7),
    "SRY": (10, 7),
}  # fmt: skip


# --- filters ------------------------------------------------------------------------------


@dataclass
class Filters:
    period: Period
    procedure: Procedure | None = None
    channel: str = ""
    indicator: Indicator | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def dim(self) -> str:
        if self.procedure is not None:
            return f"p{self.procedure.pk}"
        return f"c{self.channel}" if self.channel else ""

    def params(self, **changes) -> dict:
        params = {
            "period": self.period.key,
            "from": "" if self.period.key else self.period.first.isoformat(),
            "to": "" if self.period.key else self.period.last.isoformat(),
            "procedure": self.procedure.code if self.procedure else "",
            "channel": self.channel,
            "indicator": self.indicator.code if self.indicator else "",
        }
        params.update(changes)
        return {k: v for k, v in params.items() if v}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))


def filters_read(request: HttpRequest, *, today: date | None = None) -> Filters:
    """The filters of the query string; what cannot be read is reported and left out."""
    today = today or timezone.localdate()
    query = request.GET
    errors = []
    last_month = period_start(period_start(today, "month") - DAY, "month")
    period = period_parse(last_month.strftime("%Y-%m"))
    first, last = query.get("from", ""), query.get("to", "")
    if first or last:
        first, last = day_or_none(first), day_or_none(last)
        if first is None or last is None:
            errors.append(_("Give both dates of the period as YYYY-MM-DD."))
        elif first > last:
            errors.append(_("The start of the period must not be after its end."))
        elif (last - first).days > MAX_RANGE_DAYS:
            errors.append(_("Choose a period of at most five years."))
        else:
            period = Period(first, last, "range")
    elif query.get("period"):
        period = period_parse(query["period"]) or period
        if period.key != query["period"]:
            errors.append(_("Unknown period: showing last month."))
    chosen = Filters(period=period, errors=errors)
    if code := query.get("procedure", "")[:20]:
        chosen.procedure = Procedure.objects.filter(code=code).first()
        if chosen.procedure is None:
            errors.append(_("Unknown procedure: %(code)s.") % {"code": code})
    if channel := query.get("channel", ""):
        if channel not in Channel.values:
            errors.append(_("Unknown rating channel."))
        elif chosen.procedure is not None:
            errors.append(_("Choose a procedure or a rating channel, not both."))
        else:
            chosen.channel = channel
    if chosen.dim and not (period.first.day == 1 and (period.last + DAY).day == 1):
        errors.append(_("Filters by procedure or channel apply to whole months."))
        chosen.procedure, chosen.channel = None, ""
    indicators = by_code()
    chosen.indicator = indicators.get(query.get("indicator", ""), indicators[DEFAULT_INDICATOR])
    return chosen


def _filter_choices(today: date) -> dict:
    """The options of the pickers as (value, label), formatted here once rather than per
    option in the template."""
    periods = period_choices(today)
    return {
        "months": [(p.key, date_format(p.first, "F Y")) for p in periods["month"]],
        "quarters": [(p.key, p.key) for p in periods["quarter"]],
        "years": [(p.key, p.key) for p in periods["year"]],
        "procedures": [
            (code, f"{code} — {name[:40]}")
            for code, name in Procedure.objects.order_by("code").values_list("code", "name_fr")
        ],
        "channels": Channel.choices,
        "indicators": [(i.code, str(i.name)) for i in catalogue()],
    }


# --- figures ------------------------------------------------------------------------------


@dataclass
class Figure:
    indicator: Indicator
    value: float | None
    sample: int
    previous: float | None
    href: str = ""

    @property
    def text(self) -> str:
        return charts.number(self.value, self.indicator.unit)

    @property
    def previous_text(self) -> str:
        return charts.number(self.previous, self.indicator.unit)

    @property
    def target_text(self) -> str:
        return target_text(self.indicator)

    @property
    def meets(self) -> bool | None:
        return self.indicator.meets(self.value)

    @property
    def trend(self) -> str:
        """ "up", "down" or "" against the previous period."""
        if self.value is None or self.previous is None or self.value == self.previous:
            return ""
        return "up" if self.value > self.previous else "down"


def target_text(indicator: Indicator) -> str:
    if indicator.target is None or indicator.higher_is_better is None:
        return ""
    sign = "≥" if indicator.higher_is_better else "≤"
    return f"{sign} {charts.number(indicator.target, indicator.unit)}"


def key_figures(area: Area, filters: Filters) -> list[Figure]:
    """Every indicator of `area` over the period, beside the previous period's value."""
    period, before = filters.period, filters.period.previous()
    now = facts([area], period.first, period.last, None, dim=filters.dim)
    then = facts([area], before.first, before.last, None, dim=filters.dim)
    empty = Facts()
    figures = []
    for indicator in catalogue():
        value, sample = indicator.value(now.get((area.pk, period.first), empty))
        previous, _sample = indicator.value(then.get((area.pk, before.first), empty))
        figures.append(Figure(indicator, value, sample, previous))
    return figures


def trend_charts(area: Area, filters: Filters, prefix: str) -> list:
    """Twelve months up to the period's end: (name, line chart) per trend indicator."""
    last = filters.period.last
    values = series(area, months_back(last, 11), last, "month", codes=TREND_CODES, dim=filters.dim)
    labels = {start: date_format(start, "M y") for start in {v.period_start for v in values}}
    out = []
    for indicator in (i for i in catalogue() if i.code in TREND_CODES):
        points = [
            (labels[v.period_start], v.value) for v in values if v.indicator.code == indicator.code
        ]
        name = str(indicator.name)
        out.append(
            (
                name,
                charts.line_chart(
                    f"{prefix}-{indicator.code}",
                    points,
                    title=name,
                    desc=_("%(name)s by month over the last 12 months, %(area)s.")
                    % {"name": name, "area": area.name}
                    + (
                        " " + _("Target: %(target)s.") % {"target": target_text(indicator)}
                        if target_text(indicator)
                        else ""
                    ),
                    unit=indicator.unit,
                    target=indicator.target if indicator.higher_is_better is not None else None,
                    target_label=_("target %(target)s") % {"target": target_text(indicator)},
                ),
            )
        )
    return out


def hour_heatmaps(area: Area, filters: Filters, prefix: str) -> list:
    """(name, heatmap) of the arrivals and of the share called within the target wait, by
    weekday and hour of issue."""
    cells = weekday_hours(area, filters.period.first, filters.period.last)
    # Office hours always shown, widened to any hour with arrivals.
    hours = {hour for _weekday, hour in cells} | {8, 17}
    hours = list(range(min(hours), max(hours) + 1))
    weekdays = sorted({weekday for weekday, _hour in cells} | {0, 1, 2, 3, 4})
    arrivals, share = [], []
    for weekday in weekdays:
        arrivals.append([])
        share.append([])
        for hour in hours:
            f = cells.get((weekday, hour))
            arrivals[-1].append(f["tickets"] if f and f["tickets"] else None)
            measured = f["called"] + f["expired"] if f else 0
            share[-1].append(round(100 * f["within_target"] / measured, 1) if measured else None)
    rows = [str(WEEKDAYS_ABBR[w]) for w in weekdays]
    cols = [f"{h}h" for h in hours]
    arrivals_title = _("Arrivals by weekday and hour")
    within_title = _("Called within the target wait, by weekday and hour")
    return [
        (
            arrivals_title,
            charts.heatmap(
                f"{prefix}-arrivals",
                rows,
                cols,
                arrivals,
                title=arrivals_title,
                desc=_("Tickets issued in the period, by weekday and hour of issue, %(area)s.")
                % {"area": area.name},
            ),
        ),
        (
            within_title,
            charts.heatmap(
                f"{prefix}-within",
                rows,
                cols,
                share,
                title=within_title,
                desc=_("Share of the tickets called within the target wait, %(area)s.")
                % {"area": area.name},
                unit="%",
            ),
        ),
    ]


def may_see_rows(user) -> bool:
    """Partners read figures only; every other role may open the rows behind them (within the
    sites it may view)."""
    return bool(user_roles(user) - {Role.PARTNER})


def _site_figures_links(user, site: Site, figures: list[Figure], filters: Filters) -> None:
    """Point each figure of a site at the rows behind it, for those allowed to read them."""
    if not may_see_rows(user):
        return
    period = filters.period
    tickets = (
        reverse("steering:tickets", args=[site.code])
        + "?"
        + urlencode(
            {
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                **({"procedure": filters.procedure.code} if filters.procedure else {}),
            }
        )
    )
    opinions = (
        reverse("feedback-results", args=[site.code])
        + "?"
        + urlencode(
            {
                "date_from": period.first.isoformat(),
                "date_to": period.last.isoformat(),
                **({"channel": filters.channel} if filters.channel else {}),
            }
        )
    )
    handles = can_handle(user, site)
    inbox = reverse("cases-inbox", args=[site.code])
    for figure in figures:
        family = figure.indicator.family
        if family == "reception":
            figure.href = tickets
        elif family == "listening":
            figure.href = opinions
        elif family == "cases" and handles:
            kind = "request" if figure.indicator.code.startswith("requests") else "complaint"
            figure.href = f"{inbox}?" + urlencode(
                {
                    "status": "",
                    "kind": kind,
                    "from": period.first.isoformat(),
                    "to": period.last.isoformat(),
                }
            )
        elif family == "quality":
            figure.href = reverse(QUALITY_PAGES[figure.indicator.code], args=[site.code])


# The quality page behind each quality figure of a site.
QUALITY_PAGES = {
    "mystery_score": "quality:site-mystery",
    "self_assessment_pct": "quality:site",
    "staff_trained_pct": "quality:site-training",
    "actions_on_time_pct": "quality:plan",
}


def site_values(sites: list[Site], indicator: Indicator, filters: Filters):
    """(site, value, sample, facts) for every site: one query for all of them."""
    period = filters.period
    found = facts([site_area(s) for s in sites], period.first, period.last, None, dim=filters.dim)
    empty = Facts()
    out = []
    for site in sites:
        f = found.get((site.pk, period.first), empty)
        value, sample = indicator.value(f)
        out.append((site, value, sample, f))
    return out


def _site_href(code: str, query: str) -> str:
    # One reverse per page rather than per site: reversing costs more than the rest of a row.
    return reverse("steering:site", args=["CODE"]).replace("CODE", code) + f"?{query}"


def ranking(rows, indicator: Indicator, query: str) -> tuple[list, list]:
    """Sites with a value, best first (biggest first for a volume); sites under the minimum
    sample apart, never ranked. Rows are (site, link, value as text, sample)."""
    ranked = [r for r in rows if r[1] is not None]
    apart = [r for r in rows if r[1] is None]
    ranked.sort(key=lambda r: (r[1] if indicator.higher_is_better is False else -r[1], r[0].code))
    apart.sort(key=lambda r: r[0].code)
    return tuple(
        [
            (site, _site_href(site.code, query), charts.number(value, indicator.unit), sample)
            for site, value, sample, _f in group
        ]
        for group in (ranked, apart)
    )


def tile_map(rows, indicator: Indicator, filters: Filters):
    tiles, extra = [], 0
    query = filters.query(indicator="")
    rows_below = max(row for _col, row in TILE_LAYOUT.values()) + 1
    for site, value, _sample, _facts in sorted(rows, key=lambda r: r[0].code):
        if site.code in TILE_LAYOUT:
            col, row = TILE_LAYOUT[site.code]
        else:
            col, row = extra % 11, rows_below + extra // 11
            extra += 1
        href = _site_href(site.code, query)
        tiles.append(charts.Tile(site.code, site.name, col, row, value, href))
    values = [r[1] for r in rows if r[1] is not None]
    name = str(indicator.name)
    return charts.tile_map(
        "tile-map",
        tiles,
        title=_("%(name)s by site") % {"name": name},
        desc=_(
            "Map of the sites, each a square placed roughly where it is in Senegal, with its "
            "code and its value. Darker is better (or more for a count). Dashed squares: not "
            "enough data."
        ),
        unit=indicator.unit,
        bounds=charts.classes(values, reverse=indicator.higher_is_better is False),
        legend_title=name,
        no_data=_("not enough data"),
    )


def _sum(rows, keep) -> Facts:
    total = Facts()
    for _site, _value, _sample, f in rows:
        if keep(_site):
            total.add(f)
    return total


def pilots_versus_rest(rows) -> list[dict]:
    pilots = _sum(rows, lambda s: s.is_pilot)
    others = _sum(rows, lambda s: not s.is_pilot)
    return [
        {
            "indicator": i,
            "pilots": charts.number(i.value(pilots)[0], i.unit),
            "others": charts.number(i.value(others)[0], i.unit),
            "target": target_text(i),
        }
        for i in catalogue()
    ]


def _common(request, filters: Filters, today: date) -> dict:
    return {
        "filters": filters,
        "query": filters.query(),
        "period_key": filters.period.key,
        "choices": _filter_choices(today),
        "last_update": last_update(),
        "may_see_rows": may_see_rows(request.user),
    }


# --- pages --------------------------------------------------------------------------------


@login_required
def national(request: HttpRequest) -> HttpResponse:
    if not sees_nation(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    filters = filters_read(request, today=today)
    area = national_area()
    indicator = filters.indicator
    sites = list(Site.objects.select_related("department__region").order_by("code"))
    rows = site_values(sites, indicator, filters)
    ranked, apart = ranking(rows, indicator, filters.query())
    return render(
        request,
        "steering/dashboard_national.html",
        {
            **_common(request, filters, today),
            "area": area,
            "figures": key_figures(area, filters),
            "ranked": ranked,
            "apart": apart,
            "indicator": indicator,
            "indicator_target": target_text(indicator),
            "tile_map": tile_map(rows, indicator, filters),
            "pilots": pilots_versus_rest(rows),
            "trends": trend_charts(area, filters, "nat"),
            "heatmaps": hour_heatmaps(area, filters, "nat"),
            "regions": Region.objects.order_by("name"),
        },
    )


@login_required
def region(request: HttpRequest, slug: str) -> HttpResponse:
    area = area_for_user(request.user, "region", slug)
    today = timezone.localdate()
    filters = filters_read(request, today=today)
    indicator = filters.indicator
    sites = list(
        Site.objects.filter(department__region_id=area.pk)
        .select_related("department__region")
        .order_by("code")
    )
    rows = site_values(sites, indicator, filters)
    side_by_side = [
        {
            "site": site,
            "values": [charts.number(i.value(f)[0], i.unit) for i in catalogue()],
        }
        for site, _value, _sample, f in rows
    ]
    name = str(indicator.name)
    return render(
        request,
        "steering/dashboard_region.html",
        {
            **_common(request, filters, today),
            "area": area,
            "figures": key_figures(area, filters),
            "indicator": indicator,
            "catalogue": catalogue(),
            "side_by_side": side_by_side,
            "bars": charts.bar_chart(
                "region-bars",
                [(site.code, value) for site, value, _sample, _f in rows],
                title=_("%(name)s by site") % {"name": name},
                desc=_("%(name)s of each site of the region over the period.") % {"name": name},
                unit=indicator.unit,
                target=indicator.target if indicator.higher_is_better is not None else None,
                target_label=_("target %(target)s") % {"target": target_text(indicator)},
            ),
            "trends": trend_charts(area, filters, "reg"),
            "sees_nation": sees_nation(request.user),
        },
    )


@login_required
def site(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for_user(request.user, code, Action.VIEW)
    area = site_area(site)
    today = timezone.localdate()
    filters = filters_read(request, today=today)
    figures = key_figures(area, filters)
    _site_figures_links(request.user, site, figures, filters)
    return render(
        request,
        "steering/dashboard_site.html",
        {
            **_common(request, filters, today),
            "site": site,
            "area": area,
            "live": live_view(site),
            "figures": figures,
            "trends": trend_charts(area, filters, "site"),
            "heatmaps": hour_heatmaps(area, filters, "site"),
            "sees_nation": sees_nation(request.user),
            "sees_region": user_can(request.user, Action.MANAGE, site) or sees_nation(request.user),
        },
    )


@login_required
def tickets(request: HttpRequest, code: str) -> HttpResponse:
    """The tickets behind a site's figures, a page at a time, without phone numbers."""
    site = site_for_user(request.user, code, Action.VIEW)
    if not may_see_rows(request.user):
        raise PermissionDenied
    filters = filters_read(request)
    period = filters.period
    rows = (
        Ticket.objects.filter(site=site, day__range=(period.first, period.last))
        .select_related("procedure", "counter")
        .only(
            "day",
            "letter",
            "sequence",
            "status",
            "issued_at",
            "wait_seconds",
            "service_seconds",
            "procedure__code",
            "procedure__name_fr",
            "procedure__name_wo",
            "procedure__name_en",
            "counter__code",
            "counter__name",
        )
        .order_by("-day", "-issued_at", "-pk")
    )
    if filters.procedure is not None:
        rows = rows.filter(procedure=filters.procedure)
    page = Paginator(rows, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    statuses = dict(Ticket.Status.choices)
    for ticket in page:
        ticket.status_label = statuses[ticket.status]
    return render(
        request,
        "steering/tickets.html",
        {
            "site": site,
            "filters": filters,
            "page": page,
            "query": filters.query(indicator=""),
        },
    )
