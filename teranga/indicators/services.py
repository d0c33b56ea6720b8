"""Keeping the rollups true: the refresh (today, yesterday and the days marked stale, every
minute from the worker) and the rebuild (any range, month by month, from the raw data).

Both go through the same computation, `_recompute`: the site days of the range are computed
from the raw rows in a handful of grouped queries, then the region and national days and the
months that contain them are summed from the site days. Figures are attributed to days that
stop changing once they are past: a ticket to its day, a rating to the day it was given, a
complaint to the day it was filed, and its answer on time (or not) to its due date — a case
still open after its due date counts as late, so a day's figures are final from the next day.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import connection, transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from teranga.cases.models import Case
from teranga.cases.models import Kind as CaseKind
from teranga.indicators.facts import VALUE_FIELDS, Facts
from teranga.indicators.models import Grain, Level, Refresh, Rollup, StaleDay
from teranga.lib import histograms
from teranga.listening.models import Response
from teranga.network.models import Site
from teranga.reception.models import Ticket, WaitTarget

DAY = timedelta(days=1)
BATCH = 2000
# The counts kept per weekday-hour slice (no histograms: arrivals and waits within target).
HOUR_COUNTS = ("tickets", "called", "expired", "within_target", "served", "no_show")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --- raw data → site days -----------------------------------------------------------------


def _in(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _ticket_facts(out, site_ids: list[int], first: date, last: date) -> None:
    ticket, site = Ticket._meta.db_table, Site._meta.db_table
    target = WaitTarget._meta.db_table
    where = f"t.site_id IN ({_in(site_ids)}) AND t.day BETWEEN %s AND %s"
    params = [*site_ids, first, last]
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT t.site_id, t.day, t.procedure_id, t.issued_hour, COUNT(*),
                   SUM(CASE WHEN t.wait_seconds IS NOT NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.status = 'expired' AND t.wait_seconds IS NULL
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.wait_seconds <= 60 * COALESCE(w.minutes, s.target_wait_minutes)
                       THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.status = 'finished' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.status = 'no_show' THEN 1 ELSE 0 END)
            FROM {ticket} t
            JOIN {site} s ON s.id = t.site_id
            LEFT JOIN {target} w ON w.site_id = t.site_id AND w.procedure_id = t.procedure_id
            WHERE {where}
            GROUP BY t.site_id, t.day, t.procedure_id, t.issued_hour
            """,
            params,
        )
        for site_id, day, procedure_id, hour, *values in cur.fetchall():
            for facts in _slices(out, site_id, day, procedure=procedure_id, hour=hour):
                for name, value in zip(HOUR_COUNTS, values, strict=True):
                    facts.counts[name] += value
        for column, attr in (("wait_seconds", "wait"), ("service_seconds", "service")):
            cur.execute(
                f"""
                SELECT t.site_id, t.day, t.procedure_id,
                       CASE WHEN t.{column} >= {histograms.CAP * 60} THEN {histograms.CAP}
                            ELSE t.{column} / 60 END,
                       COUNT(*)
                FROM {ticket} t
                WHERE {where} AND t.{column} IS NOT NULL
                GROUP BY 1, 2, 3, 4
                """,
                params,
            )
            for site_id, day, procedure_id, minute, count in cur.fetchall():
                for facts in _slices(out, site_id, day, procedure=procedure_id):
                    histograms.add_count(getattr(facts, attr), minute, count)


def _response_facts(out, site_ids: list[int], first: date, last: date) -> None:
    rows = (
        Response.objects.filter(site_id__in=site_ids, day__range=(first, last))
        .values_list("site_id", "day", "channel", "procedure_id")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(rating__gte=4)),
            dissatisfied=Count("pk", filter=Q(rating__lte=2)),
        )
        .order_by()
    )
    for site_id, day, channel, procedure_id, n, satisfied, dissatisfied in rows:
        for facts in _slices(out, site_id, day, procedure=procedure_id, channel=channel):
            facts.counts["responses"] += n
            facts.counts["satisfied"] += satisfied
            facts.counts["dissatisfied"] += dissatisfied


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime.min))


def _case_facts(out, site_ids: list[int], first: date, last: date) -> None:
    filed = (
        Case.objects.filter(
            site_id__in=site_ids,
            kind=CaseKind.COMPLAINT,
            filed_at__gte=_local_start(first),
            filed_at__lt=_local_start(last + DAY),
        )
        .annotate(day=TruncDate("filed_at"))
        .values_list("site_id", "day", "procedure_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for site_id, day, procedure_id, n in filed:
        for facts in _slices(out, site_id, day, procedure=procedure_id):
            facts.counts["complaints"] += n
    # Due that day: answered (on time or not), or still open once the due date is past.
    today = timezone.localdate()
    due = (
        Case.objects.filter(
            site_id__in=site_ids,
            kind__in=[CaseKind.COMPLAINT, CaseKind.REQUEST],
            due_on__range=(first, last),
        )
        .filter(Q(resolved_at__isnull=False) | Q(due_on__lt=today))
        .values_list("site_id", "due_on", "kind", "procedure_id")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(resolved_on_time=True)))
        .order_by()
    )
    for site_id, day, kind, procedure_id, n, on_time in due:
        prefix = "complaints" if kind == CaseKind.COMPLAINT else "requests"
        for facts in _slices(out, site_id, day, procedure=procedure_id):
            facts.counts[f"{prefix}_due"] += n
            facts.counts[f"{prefix}_on_time"] += on_time


def hour_dim(weekday: int, hour: int) -> str:
    """The slice of the tickets issued on a weekday (0 = Monday) at a local hour."""
    return f"h{weekday}{hour:02d}"


def _slices(out, site_id, day, *, procedure=None, channel=None, hour=None) -> list[Facts]:
    """The facts a raw group adds to: the site's day, and its procedure, rating channel and
    weekday-hour slices."""
    keys = [(site_id, day, "")]
    if procedure is not None:
        keys.append((site_id, day, f"p{procedure}"))
    if channel:
        keys.append((site_id, day, f"c{channel}"))
    if hour is not None:
        keys.append((site_id, day, hour_dim(day.weekday(), hour)))
    found = []
    for key in keys:
        facts = out.get(key)
        if facts is None:
            facts = out[key] = Facts()
        found.append(facts)
    return found


def site_day_facts(site_ids: list[int], first: date, last: date) -> dict:
    """{(site id, day, slice): Facts} from the raw data, for the sites and days given."""
    out: dict[tuple, Facts] = {}
    _ticket_facts(out, site_ids, first, last)
    _response_facts(out, site_ids, first, last)
    _case_facts(out, site_ids, first, last)
    return out


# --- site days → regions, nation, months ----------------------------------------------------


def _rows(level, area, grain, period, dim, facts: Facts) -> Rollup:
    return Rollup(level=level, area=area, grain=grain, period=period, dim=dim, **facts.row_values())


def _sum_rows(queryset, key: Callable) -> dict:
    """{key(row): Facts} summing the rollup rows of `queryset` (read as plain tuples)."""
    out: dict = defaultdict(Facts)
    fields = ("level", "area", "period", *VALUE_FIELDS)
    for values in queryset.values(*fields).iterator(chunk_size=BATCH):
        out[key(values)].add(Facts.of_values(values))
    return out


def _replace(filters: Q, rows: Iterable[Rollup]) -> None:
    Rollup.objects.filter(filters).delete()
    Rollup.objects.bulk_create(rows, batch_size=BATCH)


def _region_of() -> dict[int, int]:
    return dict(Site.objects.values_list("pk", "department__region_id"))


def _recompute(site_ids: list[int], first: date, last: date) -> int:
    """Recompute the rollups of `site_ids` over [first, last] and everything that contains
    them (their regions and the nation, by day and by month). Returns the site days written."""
    region_of = _region_of()
    facts = site_day_facts(site_ids, first, last)  # reads, outside the write transaction
    regions = sorted({region_of[s] for s in site_ids})
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    with transaction.atomic():
        _replace(
            Q(level=Level.SITE, grain=Grain.DAY, area__in=site_ids, period__range=(first, last)),
            (
                _rows(Level.SITE, site, Grain.DAY, day, dim, f)
                for (site, day, dim), f in facts.items()
                if not f.is_empty()
            ),
        )
        site_days = Rollup.objects.filter(
            level=Level.SITE, grain=Grain.DAY, dim="", period__range=(first, last)
        )
        days = _sum_rows(
            site_days.filter(area__in=[s for s, r in region_of.items() if r in regions]),
            lambda v: (Level.REGION, region_of[v["area"]], v["period"]),
        )
        days.update(_sum_rows(site_days, lambda v: (Level.NATIONAL, 0, v["period"])))
        _replace(
            Q(level__in=[Level.REGION, Level.NATIONAL], grain=Grain.DAY)
            & (Q(level=Level.NATIONAL) | Q(area__in=regions))
            & Q(period__range=(first, last)),
            (_rows(lv, area, Grain.DAY, day, "", f) for (lv, area, day), f in days.items()),
        )
        month_days = Rollup.objects.filter(
            grain=Grain.DAY,
            dim="",
            period__gte=months[0],
            period__lt=next_month(months[-1]),
        ).filter(
            Q(level=Level.SITE, area__in=site_ids)
            | Q(level=Level.REGION, area__in=regions)
            | Q(level=Level.NATIONAL)
        )
        totals = _sum_rows(
            month_days, lambda v: (v["level"], v["area"], month_start(v["period"]), "")
        )
        for month in months:
            totals.update(_month_hours(month, site_ids, regions, region_of))
        _replace(
            Q(grain=Grain.MONTH, period__in=months)
            & (
                Q(level=Level.SITE, area__in=site_ids)
                | Q(level=Level.REGION, area__in=regions)
                | Q(level=Level.NATIONAL)
            ),
            (_rows(lv, area, Grain.MONTH, m, dim, f) for (lv, area, m, dim), f in totals.items()),
        )
    return len({(s, d) for s, d, _ in facts})


def _month_hours(month: date, site_ids, regions, region_of) -> dict:
    """The weekday-hour slices of a month for the sites, their regions and the nation,
    summed in SQL from every site's days (counts only, so SUM is exact)."""
    out: dict = defaultdict(Facts)
    sums = (
        Rollup.objects.filter(
            level=Level.SITE,
            grain=Grain.DAY,
            dim__startswith="h",
            period__gte=month,
            period__lt=next_month(month),
        )
        .values_list("area", "dim")
        .annotate(*(Sum(name) for name in HOUR_COUNTS))
        .order_by()
    )
    wanted = set(site_ids)
    for site, dim, *values in sums:
        keys = [(Level.NATIONAL, 0, month, dim)]
        if region_of[site] in regions:
            keys.append((Level.REGION, region_of[site], month, dim))
        if site in wanted:
            keys.append((Level.SITE, site, month, dim))
        for key in keys:
            counts = out[key].counts
            for name, value in zip(HOUR_COUNTS, values, strict=True):
                counts[name] += value
    return out


def _log(kind: str, started, first: date, last: date, days: int) -> Refresh:
    return Refresh.objects.create(
        kind=kind,
        started_at=started,
        finished_at=timezone.now(),
        first_day=first,
        last_day=last,
        days=days,
    )


def rollups_refresh() -> Refresh:
    """Recompute today and yesterday for every site, then each past day marked stale."""
    started = timezone.now()
    today = timezone.localdate()
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    days = _recompute(site_ids, today - DAY, today)
    stale = list(StaleDay.objects.order_by("day").values_list("pk", "site_id", "day", "marked_at"))
    first = min([today - DAY, *(d for _, _, d, _ in stale)])
    for pk, site_id, day, marked_at in stale:
        days += _recompute([site_id], day, day)
        # A mark renewed while we computed stays for the next round.
        StaleDay.objects.filter(pk=pk, marked_at=marked_at).delete()
    return _log(Refresh.Kind.REFRESH, started, first, today, days)


def rollups_rebuild(
    first: date | None = None, last: date | None = None, *, progress: Callable | None = None
) -> Refresh:
    """Recompute every rollup of [first, last] (default: from the first raw datum to today)
    from the raw data, month by month (bounded memory; each month in its own transaction)."""
    started = timezone.now()
    today = timezone.localdate()
    last = min(last or today, today)
    first = first or _first_day() or today
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    days = 0
    chunk = first
    clock = time.monotonic()
    while chunk <= last:
        end = min(next_month(chunk) - DAY, last)
        days += _recompute(site_ids, chunk, end)
        if progress:
            progress(chunk, end, first, last, time.monotonic() - clock)
        chunk = end + DAY
    StaleDay.objects.filter(day__range=(first, last)).delete()
    return _log(Refresh.Kind.REBUILD, started, first, last, days)


def _first_day() -> date | None:
    days = [
        Ticket.objects.aggregate(d=Min("day"))["d"],
        Response.objects.aggregate(d=Min("day"))["d"],
        Case.objects.aggregate(d=Min("due_on"))["d"],
    ]
    filed = Case.objects.aggregate(d=Min("filed_at"))["d"]
    if filed:
        days.append(timezone.localdate(filed))
    days = [d for d in days if d]
    return min(days) if days else None
