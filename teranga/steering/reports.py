"""Monthly reports: a site's and the network's, built once from the rollups into one data
structure, then rendered as PDF (an HTML template through WeasyPrint) or as XLSX (openpyxl).

Reports are in French, the language of the administration, whoever asks for them. Every figure
comes from the month rows of the rollups (the site's month slices for the procedures and the
rating channels) in a fixed number of queries, whatever the number of sites or of months of data:
the national report reads all the sites in one query, all the regions in another.
"""

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from teranga.indicators.catalogue import Indicator, by_code, catalogue
from teranga.indicators.facts import VALUE_FIELDS, Facts
from teranga.indicators.models import Grain, Level, Rollup
from teranga.indicators.selectors import (
    Area,
    facts,
    last_update,
    national_area,
    period_after,
    period_before,
    site_area,
)
from teranga.listening.models import Channel
from teranga.listening.tablet import read_static
from teranga.network.models import Procedure, Region, Site
from teranga.network.permissions import Action, is_staff_member, sites_for
from teranga.steering.access import area_for_user, region_area, sees_nation

LANGUAGE = "fr"
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NATIONAL = "national"
# The columns of the national tables: one volume and the main commitments.
KEY_CODES = (
    "tickets",
    "wait_median_min",
    "served_within_target_pct",
    "satisfaction_pct",
    "complaints_answered_on_time_pct",
)
# Sites are ranked on the share of users called within the target wait, the first commitment.
RANK_CODE = "served_within_target_pct"
PROCEDURE_CODES = ("tickets", "wait_median_min", "served_within_target_pct")
CHANNEL_CODES = ("responses", "satisfaction_pct", "net_satisfaction")
TREND_MONTHS = 12


class ReportError(ValueError):
    """A report that cannot be made (a malformed or future month); the message says why."""


def month_parse(text: str) -> date:
    """The first day of the month written YYYY-MM, which must not be in the future."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise ReportError(_("The month must be written YYYY-MM, e.g. 2026-10."))
    month = date(int(match[1]), int(match[2]), 1)
    if month > timezone.localdate().replace(day=1):
        raise ReportError(_("The month %(month)s has not started yet.") % {"month": text})
    return month


def month_shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_last_day(month: date) -> date:
    return period_before(period_after(month, "month"), "day")


def month_label(month: date) -> str:
    return formats.date_format(month, "F Y").capitalize()


# --- the data structure -------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator's value over one period and area, with its sample."""

    indicator: Indicator
    value: float | None
    sample: int

    @classmethod
    def of(cls, indicator: Indicator, found: Facts | None) -> "Figure":
        return cls(indicator, *indicator.value(found or Facts()))

    @property
    def lacks_data(self) -> bool:
        """Below the minimum sample: nothing is shown but the sample."""
        return self.value is None

    @property
    def meets(self) -> bool | None:
        return self.indicator.meets(self.value)

    @property
    def text(self) -> str:
        return figure_text(self.value, self.indicator.unit)


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator of the month beside the previous month and the same month a year ago."""

    figure: Figure
    previous: Figure
    last_year: Figure

    @property
    def indicator(self) -> Indicator:
        return self.figure.indicator

    @property
    def target_text(self) -> str:
        target = self.indicator.target
        if target is None:
            return ""
        sign = "≥" if self.indicator.higher_is_better else "≤"
        return f"{sign} {figure_text(target, self.indicator.unit)}"


@dataclass(frozen=True)
class AreaRow:
    """An area (site, region, group of sites, procedure, channel) and its key figures."""

    name: str
    figures: tuple[Figure, ...]
    code: str = ""
    region: str = ""
    is_pilot: bool = False
    rank: int | None = None


@dataclass
class Report:
    kind: str  # "site" or NATIONAL
    area: Area
    month: date
    generated_at: datetime
    updated_at: datetime | None
    rows: list[IndicatorRow]
    trend_months: list[date]
    trend: list[tuple[Indicator, list[Figure]]]
    procedures: list[AreaRow] = field(default_factory=list)
    channels: list[AreaRow] = field(default_factory=list)
    sites: list[AreaRow] = field(default_factory=list)
    regions: list[AreaRow] = field(default_factory=list)
    groups: list[AreaRow] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.area.code if self.kind == "site" else NATIONAL

    @property
    def in_progress(self) -> bool:
        return self.month == timezone.localdate().replace(day=1)

    @property
    def gaps(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.figure.meets is False]

    def title(self) -> str:
        if self.kind == "site":
            return _("Monthly report — %(site)s") % {"site": self.area.name}
        return _("Monthly report of the network")

    def filename(self, fmt: str) -> str:
        return f"teranga-{self.code}-{self.month:%Y-%m}.{fmt}"


def figure_text(value: float | None, unit: str) -> str:
    """A value as French readers write it: `1 234`, `12 min`, `57,1 %`, `16,7 pts`."""
    if value is None:
        return "—"
    places = 1 if unit in ("%", "points", "/10") else 0
    number = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    suffix = {"min": " min", "%": " %", "points": " " + _("pts"), "/10": "/10"}.get(unit, "")
    return number + suffix


def _rows(by_period: dict, pk: int, month: date, indicators) -> list[IndicatorRow]:
    get = by_period.get
    return [
        IndicatorRow(
            Figure.of(i, get((pk, month))),
            Figure.of(i, get((pk, month_shift(month, -1)))),
            Figure.of(i, get((pk, month_shift(month, -12)))),
        )
        for i in indicators
    ]


def _trend(by_period: dict, pk: int, months: list[date], indicators):
    return [(i, [Figure.of(i, by_period.get((pk, m))) for m in months]) for i in indicators]


def _area_figures(found: Facts | None, codes) -> tuple[Figure, ...]:
    indicators = by_code()
    return tuple(Figure.of(indicators[code], found) for code in codes)


def _slices(site_pk: int, month: date) -> dict[str, Facts]:
    """The facts of every procedure ("p<pk>") and rating channel ("c<code>") of a site in a
    month, from its month slices in one query."""
    rows = Rollup.objects.filter(
        Q(dim__startswith="p") | Q(dim__startswith="c"),
        level=Level.SITE,
        grain=Grain.MONTH,
        area=site_pk,
        period=month,
    )
    out: dict[str, Facts] = defaultdict(Facts)
    for values in rows.values("dim", *VALUE_FIELDS).iterator(chunk_size=2000):
        out[values["dim"]].add(Facts.of_values(values))
    return out


def _header(area: Area, month: date, kind: str) -> dict:
    months = [month_shift(month, k) for k in range(1 - TREND_MONTHS, 1)]
    found = facts([area], month_shift(month, -TREND_MONTHS), month_last_day(month), "month")
    indicators = catalogue()
    return {
        "kind": kind,
        "area": area,
        "month": month,
        "generated_at": timezone.localtime(),
        "updated_at": last_update(),
        "rows": _rows(found, area.pk, month, indicators),
        "trend_months": months,
        "trend": _trend(found, area.pk, months, indicators),
    }


def site_report(area: Area, month: date) -> Report:
    """The monthly report of one site (its Area): four queries."""
    with translation.override(LANGUAGE):
        report = Report(**_header(area, month, "site"))
        slices = _slices(area.pk, month)
        names = Procedure.objects.in_bulk(
            [int(dim[1:]) for dim in slices if dim.startswith("p") and dim[1:].isdigit()]
        )
        report.procedures = sorted(
            (
                AreaRow(procedure.name, _area_figures(slices[f"p{pk}"], PROCEDURE_CODES))
                for pk, procedure in names.items()
            ),
            key=lambda row: (-row.figures[0].sample, row.name),
        )
        report.channels = [
            AreaRow(str(channel.label), _area_figures(slices[f"c{channel.value}"], CHANNEL_CODES))
            for channel in Channel
            if f"c{channel.value}" in slices
        ]
    return report


def _ranked(rows: list[AreaRow]) -> list[AreaRow]:
    """Sites by descending value of RANK_CODE, equal values sharing a rank; sites below the
    minimum sample are listed after, unranked."""
    column = KEY_CODES.index(RANK_CODE)
    ranked = sorted(
        (r for r in rows if r.figures[column].value is not None),
        key=lambda r: (-r.figures[column].value, r.name),
    )
    out, previous, rank = [], None, 0
    for position, row in enumerate(ranked, start=1):
        value = row.figures[column].value
        if value != previous:
            rank, previous = position, value
        out.append(AreaRow(**{**row.__dict__, "rank": rank}))
    return out + sorted((r for r in rows if r.figures[column].value is None), key=lambda r: r.name)


def national_report(month: date) -> Report:
    """The monthly report of the network: six queries, whatever the number of sites."""
    first, last = month, month_last_day(month)
    with translation.override(LANGUAGE):
        report = Report(**_header(national_area(), month, NATIONAL))
        sites = list(Site.objects.select_related("department__region").order_by("name"))
        by_site = facts([site_area(s) for s in sites], first, last, None)
        report.sites = _ranked(
            [
                AreaRow(
                    s.name,
                    _area_figures(by_site.get((s.pk, first)), KEY_CODES),
                    code=s.code,
                    region=s.department.region.name,
                    is_pilot=s.is_pilot,
                )
                for s in sites
            ]
        )
        regions = [region_area(r) for r in Region.objects.order_by("name")]
        by_region = facts(regions, first, last, None)
        report.regions = [
            AreaRow(r.name, _area_figures(by_region.get((r.pk, first)), KEY_CODES)) for r in regions
        ]
        pilots, others = Facts(), Facts()
        for s in sites:
            (pilots if s.is_pilot else others).add(by_site.get((s.pk, first)) or Facts())
        report.groups = [
            AreaRow(_("Pilot sites"), _area_figures(pilots, KEY_CODES)),
            AreaRow(_("Other sites"), _area_figures(others, KEY_CODES)),
        ]
    return report


# --- rendering ----------------------------------------------------------------------------


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF, through the HTML template and its print stylesheet."""
    with translation.override(LANGUAGE):
        html = render_to_string(
            f"steering/report_{'site' if report.kind == 'site' else 'national'}.html",
            {
                "report": report,
                "key_indicators": [by_code()[c] for c in KEY_CODES],
                "procedure_indicators": [by_code()[c] for c in PROCEDURE_CODES],
                "channel_indicators": [by_code()[c] for c in CHANNEL_CODES],
                "month_label": month_label(report.month),
                "trend_labels": [
                    format_date(m, "MMM yy", locale=LANGUAGE) for m in report.trend_months
                ],
            },
        )
    from weasyprint import CSS, HTML  # heavy: loaded only when a PDF is asked for

    css = CSS(string=read_static("steering/report.css").decode())
    return HTML(string=html).write_pdf(stylesheets=[css])


NUMBER_FORMATS = {"count": "#,##0", "min": "0", "%": "0.0%", "points": "0.0", "/10": "0.0"}


def _cell_value(value: float | None, unit: str):
    """Numbers stay numbers: a percentage is written as a fraction shown with a % format."""
    if value is None:
        return None
    return round(value / 100, 4) if unit == "%" else value


def _sheet(book, title: str, header: list[str], widths: list[int]):
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    return sheet


def _append(sheet, cells: list) -> None:
    """A row of (value, unit or None) pairs and plain values."""
    sheet.append([c[0] if isinstance(c, tuple) else c for c in cells])
    row = sheet.max_row
    for column, cell in enumerate(cells, start=1):
        if isinstance(cell, tuple) and cell[1]:
            sheet.cell(row, column).number_format = NUMBER_FORMATS[cell[1]]


def _figure_cells(figure: Figure) -> tuple:
    return _cell_value(figure.value, figure.indicator.unit), figure.indicator.unit


def _key_sheet(book, title: str, first: list[str], codes, rows: list[AreaRow], extra) -> None:
    indicators = [by_code()[code] for code in codes]
    header = first + [str(i.name) for i in indicators]
    header += [_("Sample") + " · " + str(i.name) for i in indicators if i.min_sample]
    sheet = _sheet(book, title, header, [34] + [14] * (len(header) - 1))
    for row in rows:
        samples = [f.sample for f in row.figures if f.indicator.min_sample]
        _append(sheet, [row.name, *extra(row), *map(_figure_cells, row.figures), *samples])


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: indicators of the month, the 12-month trend, the breakdowns."""
    from openpyxl import Workbook

    def none(row):
        return []

    with translation.override(LANGUAGE):
        book = Workbook()
        book.remove(book.active)
        book.properties.title = f"{report.title()} — {month_label(report.month)}"
        book.properties.creator = "Teranga"
        sheet = _sheet(
            book,
            _("Indicators"),
            [
                _("Indicator"),
                _("Code"),
                _("Month"),
                _("Previous month"),
                _("Same month last year"),
                _("Target"),
                _("Target met"),
                _("Sample"),
                _("Remark"),
            ],
            [34, 30, 12, 14, 14, 10, 10, 11, 26],
        )
        for row in report.rows:
            i, figure = row.indicator, row.figure
            met = {True: _("yes"), False: _("no"), None: ""}[figure.meets]
            remark = _("not enough data") if figure.lacks_data else ""
            _append(
                sheet,
                [
                    str(i.name),
                    i.code,
                    _figure_cells(figure),
                    _figure_cells(row.previous),
                    _figure_cells(row.last_year),
                    (_cell_value(i.target, i.unit), i.unit),
                    met,
                    figure.sample,
                    remark,
                ],
            )
        sheet = _sheet(
            book,
            _("12-month trend"),
            [_("Indicator")] + [m.strftime("%Y-%m") for m in report.trend_months],
            [34] + [10] * len(report.trend_months),
        )
        for indicator, figures in report.trend:
            _append(sheet, [str(indicator.name), *map(_figure_cells, figures)])
        if report.kind == "site":
            _key_sheet(
                book, _("By procedure"), [_("Procedure")], PROCEDURE_CODES, report.procedures, none
            )
            _key_sheet(book, _("By channel"), [_("Channel")], CHANNEL_CODES, report.channels, none)
        else:
            _key_sheet(
                book,
                _("By site"),
                [_("Site"), _("Code"), _("Region"), _("Pilot"), _("Rank")],
                KEY_CODES,
                report.sites,
                lambda r: [r.code, r.region, _("yes") if r.is_pilot else _("no"), r.rank],
            )
            _key_sheet(book, _("By region"), [_("Region")], KEY_CODES, report.regions, none)
            _key_sheet(book, _("Pilots and others"), [_("Sites")], KEY_CODES, report.groups, none)
        about = _sheet(book, _("About"), [_("Report"), report.title()], [28, 50])
        for label, value in (
            (_("Area"), report.area.name),
            (_("Code"), report.code),
            (_("Month"), report.month.strftime("%Y-%m")),
            (_("Generated on"), timezone.make_naive(report.generated_at)),
            (_("Data updated on"), report.updated_at and timezone.make_naive(report.updated_at)),
        ):
            about.append([label, value])
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def report_render(report: Report, fmt: str) -> bytes:
    if fmt == "pdf":
        return report_pdf(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    raise ReportError(_("Unknown format %(format)s: pdf or xlsx.") % {"format": fmt})


# --- pages --------------------------------------------------------------------------------

# The page's script reads this cookie to tell that a download has arrived (see reports.js).
DOWNLOAD_COOKIE = "teranga_report"


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """The reports the user may download: the network's for national roles, and one per site
    of the user's scope, for the month picked."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    default = month_shift(timezone.localdate().replace(day=1), -1)
    error = ""
    try:
        month = month_parse(request.GET["month"]) if request.GET.get("month") else default
    except ReportError as exc:
        month, error = default, str(exc)
    return render(
        request,
        "steering/report_list.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "latest": f"{timezone.localdate():%Y-%m}",
            "error": error,
            "national": sees_nation(request.user),
            "sites": sites_for(request.user, Action.VIEW).order_by("name"),
            "formats": list(FORMATS),
            "national_code": NATIONAL,
        },
    )


@login_required
def report_download(request: HttpRequest, code: str, month: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(_("Reports come as pdf or xlsx."))
    if code == NATIONAL:
        area_for_user(request.user, Level.NATIONAL)
    else:
        area = area_for_user(request.user, Level.SITE, code)
    try:
        first = month_parse(month)
    except ReportError as exc:
        raise Http404(str(exc)) from None
    report = national_report(first) if code == NATIONAL else site_report(area, first)
    response = HttpResponse(report_render(report, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    token = request.GET.get("dl", "")
    if re.fullmatch(r"[0-9a-z]{1,32}", token):
        response.set_cookie(
            DOWNLOAD_COOKIE, token, max_age=60, samesite="Lax", secure=request.is_secure()
        )
    return response
