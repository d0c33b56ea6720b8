"""Reading the rollups: the facts of an area by period, and the indicators computed from them.

Whole months (and quarters and years) read the month rows, days and weeks the day rows; a
slice (one procedure or one rating channel) reads the site days of that slice. The number of
queries never grows with the data; the rows read grow with the periods asked, not the tickets.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.utils.translation import gettext

from teranga.indicators.catalogue import Indicator, catalogue
from teranga.indicators.facts import VALUE_FIELDS, Facts, contributions
from teranga.indicators.models import Grain, Level, Refresh, Rollup
from teranga.indicators.services import month_start, next_month
from teranga.network.models import Site

GRANULARITIES = ("day", "week", "month", "quarter", "year")
DAY = timedelta(days=1)


def period_start(day: date, granularity: str) -> date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if granularity == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown granularity {granularity!r}")


def period_after(start: date, granularity: str) -> date:
    if granularity == "day":
        return start + DAY
    if granularity == "week":
        return start + timedelta(days=7)
    step = {"month": 1, "quarter": 3, "year": 12}[granularity]
    for _ in range(step):
        start = next_month(start)
    return start


def months_back(day: date, months: int) -> date:
    """The first day of the month `months` months before the month of `day`."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def period_before(start: date, granularity: str) -> date:
    return period_start(start - DAY, granularity)


def period_starts(first: date, last: date, granularity: str) -> list[date]:
    """The starts of the periods that meet [first, last]."""
    starts, start = [], period_start(first, granularity)
    while start <= last:
        starts.append(start)
        start = period_after(start, granularity)
    return starts


@dataclass(frozen=True)
class Area:
    level: str
    pk: int  # site or region primary key; 0 for the nation
    name: str
    code: str = ""  # the site's code


class SliceError(ValueError):
    """Slices (procedure, rating channel, weekday × hour) are kept by whole months."""


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end.day == 1


def facts(
    areas: list[Area],
    first: date,
    last: date,
    granularity: str | None,
    *,
    dim: str = "",
    contributed: bool = True,
) -> dict[tuple[int, date], Facts]:
    """{(area pk, period start): Facts} for areas of one level over [first, last], by
    period of `granularity` (None: the whole range as one period keyed by `first`), in one
    query — plus the contributors' few (facts.CONTRIBUTED) unless `contributed` is False.
    Periods are whole: a month asked from its 15th still counts from its 1st. A slice `dim`
    ("p<procedure pk>", "c<rating channel>", "h<weekday><hour>") needs whole months and has
    no contributed counts."""
    if not areas:
        return {}
    if granularity:
        start = period_start(first, granularity)
        end = period_after(period_start(last, granularity), granularity)
    else:
        start, end = first, last + DAY
    monthly = _whole_months(start, end) and granularity not in ("day", "week")
    if dim and not monthly:
        raise SliceError(gettext("Filters by procedure or channel apply to whole months."))

    def key_period(day: date) -> date:
        return period_start(day, granularity) if granularity else first

    rows = Rollup.objects.filter(
        period__gte=start,
        period__lt=end,
        level=areas[0].level,
        grain=Grain.MONTH if monthly else Grain.DAY,
        dim=dim,
        area__in=[a.pk for a in areas],
    )
    out: dict[tuple[int, date], Facts] = defaultdict(Facts)
    for values in rows.values("area", "period", *VALUE_FIELDS).iterator(chunk_size=2000):
        out[(values["area"], key_period(values["period"]))].add(Facts.of_values(values))
    if contributed and not dim:
        if granularity:
            starts = period_starts(start, end - DAY, granularity)
            periods = [(s, period_after(s, granularity)) for s in starts]
        else:
            periods = [(first, end)]
        for key, counts in contributions(areas[0].level, [a.pk for a in areas], periods):
            for name, value in counts.items():
                out[key].counts[name] += value
    return out


def weekday_hours(area: Area, first: date, last: date) -> dict[tuple[int, int], Facts]:
    """{(weekday, hour): Facts} of the tickets issued in the whole months from `first` to
    `last` (weekday 0 = Monday, local hour of issue): counts only — arrivals, called, within
    target, expired, no-shows."""
    start, end = month_start(first), next_month(last)
    rows = Rollup.objects.filter(
        period__gte=start,
        period__lt=end,
        level=area.level,
        area=area.pk,
        grain=Grain.MONTH,
        dim__startswith="h",
    )
    out: dict[tuple[int, int], Facts] = defaultdict(Facts)
    for values in rows.values("dim", *VALUE_FIELDS).iterator(chunk_size=2000):
        dim = values["dim"]
        out[(int(dim[1]), int(dim[2:]))].add(Facts.of_values(values))
    return out


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    period_start: date
    value: float | None
    sample: int
    previous: float | None

    @property
    def target(self) -> float | None:
        return self.indicator.target

    @property
    def meets_target(self) -> bool | None:
        return self.indicator.meets(self.value)


def series(
    area: Area,
    first: date,
    last: date,
    granularity: str,
    *,
    codes: list[str] | None = None,
    dim: str = "",
) -> list[Value]:
    """The indicators of `area` for each period of [first, last], with the previous period's
    value beside each one."""
    starts = period_starts(first, last, granularity)
    before = period_before(starts[0], granularity)
    indicators = [i for i in catalogue() if codes is None or i.code in codes]
    contributed = any(i.family == "quality" for i in indicators)
    found = facts([area], before, last, granularity, dim=dim, contributed=contributed)
    empty = Facts()
    out = []
    for indicator in indicators:
        previous = indicator.value(found.get((area.pk, before), empty))[0]
        for start in starts:
            value, sample = indicator.value(found.get((area.pk, start), empty))
            out.append(Value(indicator, start, value, sample, previous))
            previous = value
    return out


def last_update():
    """When the rollups were last brought up to date (None before the first refresh)."""
    return Refresh.objects.aggregate(at=Max("finished_at"))["at"]


def site_area(site: Site) -> Area:
    return Area(Level.SITE, site.pk, site.name, site.code)


def national_area() -> Area:
    return Area(Level.NATIONAL, 0, gettext("National"))
