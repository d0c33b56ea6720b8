"""Open data: the monthly value of every indicator for every site, region and the nation,
with its sample, as CSV and JSON, and the page that documents them.

Full months only (a month appears once it is over), read from the month rollups in one
streamed query: the files hold counts and figures, never a row about a person. A value whose
sample is below the indicator's minimum is left empty; its sample is still given.
"""

import csv
import json
from collections.abc import Iterator
from hashlib import sha256

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from teranga.indicators.catalogue import catalogue
from teranga.indicators.facts import VALUE_FIELDS, Facts
from teranga.indicators.models import Grain, Level, Rollup
from teranga.indicators.selectors import last_update
from teranga.lib.ratelimit import client_address, rate_limited
from teranga.network.models import Region, Site
from teranga.steering.public import MAX_AGE, cacheable, description

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
NATIONAL_CODE = "SN"
# Downloads per address and hour: plenty for a data user, a brake on a loop.
DOWNLOADS_PER_HOUR = 60
COLUMNS = (
    "level",
    "area_code",
    "area_name",
    "region",
    "period",
    "indicator",
    "indicator_name",
    "unit",
    "value",
    "sample",
    "min_sample",
    "target",
    "meets_target",
)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def indicator_rows() -> Iterator[dict]:
    """One dict per area, full month and indicator, national first, then regions, then
    sites, each month by month: 3 queries, the rollups streamed in chunks."""
    areas = {(Level.NATIONAL, 0): (NATIONAL_CODE, "Sénégal", "")}
    for region in Region.objects.all():
        areas[(Level.REGION, region.pk)] = (region.slug, region.name, region.name)
    for site in Site.objects.select_related("department__region"):
        areas[(Level.SITE, site.pk)] = (site.code, site.name, site.department.region.name)
    with translation.override("fr"):  # the files do not change with the reader's language
        indicators = [(i, str(i.name)) for i in catalogue()]
    rows = (
        Rollup.objects.filter(
            grain=Grain.MONTH, dim="", period__lt=timezone.localdate().replace(day=1)
        )
        .order_by("level", "area", "period")
        .values("level", "area", "period", *VALUE_FIELDS)
    )
    for values in rows.iterator(chunk_size=2000):
        area = areas.get((values["level"], values["area"]))
        if area is None:  # a site deleted since: its rows go with it at the next rebuild
            continue
        found = Facts.of_values(values)
        for indicator, name in indicators:
            value, sample = indicator.value(found)
            yield {
                "level": values["level"],
                "area_code": area[0],
                "area_name": area[1],
                "region": area[2],
                "period": values["period"].strftime("%Y-%m"),
                "indicator": indicator.code,
                "indicator_name": name,
                "unit": indicator.unit,
                "value": _number(value),
                "sample": sample,
                "min_sample": indicator.min_sample,
                "target": _number(indicator.target),
                "meets_target": indicator.meets(value),
            }


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    key = f"{last_update()}|{timezone.localdate():%Y-%m}|{request.path}"
    return sha256(key.encode()).hexdigest()[:20]


def _download(request: HttpRequest, body, content_type: str, name: str) -> HttpResponse:
    if rate_limited("open-data", client_address(request), limit=DOWNLOADS_PER_HOUR):
        return HttpResponse(
            "Too many downloads from your address; try again in an hour.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(body(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Where a data user looks for the terms and the columns, without breaking the format.
    documentation = request.build_absolute_uri(reverse("steering:open-data"))
    response["Link"] = f'<{LICENCE_URL}>; rel="license", <{documentation}>; rel="describedby"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_safe
@condition(etag_func=_etag)
def indicators_csv(request: HttpRequest) -> HttpResponse:
    def body():
        writer = csv.writer(_Echo(), lineterminator="\n")
        yield writer.writerow(COLUMNS)
        for row in indicator_rows():
            meets = row["meets_target"]
            row["meets_target"] = "" if meets is None else str(meets).lower()
            yield writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])

    return _download(request, body, "text/csv; charset=utf-8", "teranga-indicateurs.csv")


@require_safe
@condition(etag_func=_etag)
def indicators_json(request: HttpRequest) -> HttpResponse:
    def body():
        head = {
            "title": "Teranga — indicateurs mensuels des Espaces Sénégal Services",
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "documentation": request.build_absolute_uri(reverse("steering:open-data")),
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "last_update": (
                timezone.localtime(updated).isoformat(timespec="seconds")
                if (updated := last_update())
                else None
            ),
            "columns": list(COLUMNS),
            "indicators": definitions(),
        }
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "values": ['
        for n, row in enumerate(indicator_rows()):
            yield ("," if n else "") + json.dumps(row, ensure_ascii=False)
        yield "]}\n"

    return _download(request, body, "application/json", "teranga-indicateurs.json")


def definitions() -> list[dict]:
    """The indicators as the files describe them, in French."""
    with translation.override("fr"):
        return [
            {
                "code": i.code,
                "name": str(i.name),
                "unit": i.unit,
                "higher_is_better": i.higher_is_better,
                "target": _number(i.target),
                "min_sample": i.min_sample,
                "description": description(i),
            }
            for i in catalogue()
        ]


@require_safe
def documentation(request: HttpRequest) -> HttpResponse:
    indicators = [{"indicator": i, "description": description(i)} for i in catalogue()]
    response = render(
        request,
        "public/results_open_data.html",
        {
            "indicators": indicators,
            "columns": COLUMNS,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "national_code": NATIONAL_CODE,
            "min_tickets": settings.INDICATORS_MIN_SAMPLE,
            "min_ratings": settings.FEEDBACK_MIN_SAMPLE,
            "min_cases": settings.INDICATORS_MIN_CASES,
        },
    )
    return cacheable(response, request)
