"""Keeping the rollups true: the refresh (the current month — and the previous one early in a
month — every minute from the worker, plus the months of the days marked stale) and the
rebuild (any range, month by month, from the raw data).

Both go through the same computation, `_recompute(site_ids, month)`: one pass over the month's
raw tickets of those sites (plus grouped queries over ratings and cases) gives each site's
days and its month slices (per procedure, rating channel, weekday × hour); then the region and
national days and months are summed from the sites' rows. Figures are attributed to days that
stop changing once they are past: a ticket to its day, a rating to the day it was given, a
complaint to the day it was filed, and its answer on time (or not) to its due date — a case
still open after its due date counts as late, so a day's figures are final from the next day.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from teranga.cases.models import Case
from teranga.cases.models import Kind as CaseKind
from teranga.indicators.facts import VALUE_FIELDS, Facts
from teranga.indicators.models import Grain, Level, Refresh, Rollup, StaleDay
from teranga.lib import histograms
from teranga.lib.days import day_start
from teranga.listening.models import Response
from teranga.network.models import Site
from teranga.reception.models import Ticket, WaitTarget

DAY = timedelta(days=1)
BATCH = 2000


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def hour_dim(weekday: int, hour: int) -> str:
    """The slice of the tickets issued on a weekday (0 = Monday) at a local hour."""
    return f"h{weekday}{hour:02d}"


# --- raw data → a month of site days and site slices ----------------------------------------


class _Month:
    """What one pass over a month of raw data gives: {(site, day): Facts} for the days and
    {(site, dim): Facts} for the month's slices."""

    def __init__(self):
        self.days: dict[tuple[int, date], Facts] = {}
        self.slices: dict[tuple[int, str], Facts] = {}

    def day(self, site: int, day: date) -> Facts:
        facts = self.days.get((site, day))
        if facts is None:
            facts = self.days[(site, day)] = Facts()
        return facts

    def slice(self, site: int, dim: str) -> Facts:
        facts = self.slices.get((site, dim))
        if facts is None:
            facts = self.slices[(site, dim)] = Facts()
        return facts

    def add(self, site, day, counts: dict, *, procedure=None, channel=None) -> None:
        targets = [self.day(site, day)]
        if procedure is not None:
            targets.append(self.slice(site, f"p{procedure}"))
        if channel:
            targets.append(self.slice(site, f"c{channel}"))
        for facts in targets:
            for name, value in counts.items():
                facts.counts[name] += value


def _in(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _ticket_facts(month: _Month, site_ids: list[int], first: date, last: date) -> None:
    """One pass over the tickets (a month holds a few hundred thousand at most): each adds to
    its day, its procedure slice and its weekday-hour slice."""
    quote = connection.ops.quote_name
    ticket, site = quote(Ticket._meta.db_table), quote(Site._meta.db_table)
    target = quote(WaitTarget._meta.db_table)
    sql = f"""
        SELECT t.site_id, t.day, t.procedure_id, t.issued_hour, t.status, t.wait_seconds,
               t.service_seconds, 60 * COALESCE(w.minutes, s.target_wait_minutes)
        FROM {ticket} t
        JOIN {site} s ON s.id = t.site_id
        LEFT JOIN {target} w ON w.site_id = t.site_id AND w.procedure_id = t.procedure_id
        WHERE t.site_id IN ({_in(site_ids)}) AND t.day BETWEEN %s AND %s
    """
    dims: dict = {}  # (site, procedure or (weekday, hour)) → its two Facts, looked up once
    cap, add_count = histograms.CAP, histograms.add_count
    with connection.cursor() as cur:
        cur.execute(sql, [*site_ids, first, last])
        while rows := cur.fetchmany(BATCH):
            for site_id, day, procedure_id, hour, status, wait, service, target_s in rows:
                key = (site_id, day, procedure_id, hour)
                found = dims.get(key)
                if found is None:
                    found = dims[key] = (
                        month.day(site_id, day),
                        month.slice(site_id, f"p{procedure_id}"),
                        month.slice(site_id, hour_dim(day.weekday(), hour)),
                    )
                day_facts, proc_facts, hour_facts = found
                for facts in found:
                    counts = facts.counts
                    counts["tickets"] += 1
                    if wait is not None:
                        counts["called"] += 1
                        if wait <= target_s:
                            counts["within_target"] += 1
                    elif status == Ticket.Status.EXPIRED:
                        counts["expired"] += 1
                    if status == Ticket.Status.FINISHED:
                        counts["served"] += 1
                    elif status == Ticket.Status.NO_SHOW:
                        counts["no_show"] += 1
                if wait is not None:
                    m = min(wait // 60, cap)
                    add_count(day_facts.wait, m, 1)
                    add_count(proc_facts.wait, m, 1)
                if service is not None:
                    m = min(service // 60, cap)
                    add_count(day_facts.service, m, 1)
                    add_count(proc_facts.service, m, 1)


def _response_facts(month: _Month, site_ids: list[int], first: date, last: date) -> None:
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
        counts = {"responses": n, "satisfied": satisfied, "dissatisfied": dissatisfied}
        month.add(site_id, day, counts, procedure=procedure_id, channel=channel)


def _case_facts(month: _Month, site_ids: list[int], first: date, last: date) -> None:
    filed = (
        Case.objects.filter(
            site_id__in=site_ids,
            kind=CaseKind.COMPLAINT,
            filed_at__gte=day_start(first),
            filed_at__lt=day_start(last + DAY),
        )
        .annotate(day=TruncDate("filed_at"))
        .values_list("site_id", "day", "procedure_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for site_id, day, procedure_id, n in filed:
        month.add(site_id, day, {"complaints": n}, procedure=procedure_id)
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
        counts = {f"{prefix}_due": n, f"{prefix}_on_time": on_time}
        month.add(site_id, day, counts, procedure=procedure_id)


def raw_facts(site_ids: list[int], first: date, last: date) -> _Month:
    """The days of [first, last] and the slices they make, for the sites, from the raw data
    (the slices are the month's when [first, last] is a whole month)."""
    found = _Month()
    _ticket_facts(found, site_ids, first, last)
    _response_facts(found, site_ids, first, last)
    _case_facts(found, site_ids, first, last)
    return found


# --- writing: site rows, then regions and the nation summed from them -----------------------

_INSERT_COLUMNS = ("level", "area", "grain", "period", "dim", *VALUE_FIELDS)


def _row(level, area, grain, period, dim, facts: Facts) -> tuple:
    values = facts.row_values()
    return (level, area, grain, period, dim, *(values[name] for name in VALUE_FIELDS))


def _insert(rows: Iterable[tuple]) -> None:
    """INSERT rollup rows in plain SQL: the ORM's bulk_create spends far more time preparing
    tens of thousands of rows than the database spends writing them."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Rollup._meta.db_table)} "
        f"({', '.join(quote(c) for c in _INSERT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"
    )
    adapt = connection.ops.adapt_datefield_value
    batch: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append((*row[:3], adapt(row[3]), *row[4:]))
            if len(batch) == BATCH:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def _sum_rows(queryset, key: Callable) -> dict:
    """{key(row): Facts} summing the rollup rows of `queryset`."""
    out: dict = defaultdict(Facts)
    fields = ("area", "grain", "period", "dim", *VALUE_FIELDS)
    for values in queryset.values(*fields).iterator(chunk_size=BATCH):
        out[key(values)].add(Facts.of_values(values))
    return out


def _region_of() -> dict[int, int]:
    return dict(Site.objects.values_list("pk", "department__region_id"))


def _recompute(site_ids: list[int], month: date, *, days: tuple[date, date] | None = None) -> int:
    """Recompute the rollups of `site_ids` for `month` — or, with `days`, only the days of
    that range and the month's totals, leaving the month's slices as they are — and the same
    rows of their regions and the nation. Returns the number of site days with data."""
    region_of = _region_of()
    first, last = days or (month, next_month(month) - DAY)
    found = raw_facts(site_ids, first, last)  # reads, outside the write transaction
    regions = sorted({region_of[s] for s in site_ids})
    in_regions = [s for s, r in region_of.items() if r in regions]
    this_month = Q(period__gte=month, period__lt=next_month(month))
    # The rows this call rewrites, at every level: days of the range, the month's totals,
    # and the month's slices unless only days are refreshed.
    rewritten = Q(grain=Grain.DAY, period__range=(first, last)) | Q(
        grain=Grain.MONTH, period=month, **({"dim": ""} if days else {})
    )
    day_rows = [
        _row(Level.SITE, site, Grain.DAY, day, "", facts)
        for (site, day), facts in found.days.items()
    ]
    slice_rows = [
        _row(Level.SITE, site, Grain.MONTH, month, dim, facts)
        for (site, dim), facts in found.slices.items()
    ]
    with transaction.atomic():
        Rollup.objects.filter(rewritten, level=Level.SITE, area__in=site_ids).delete()
        _insert(day_rows)
        if not days:
            _insert(slice_rows)
        totals = _sum_rows(
            Rollup.objects.filter(this_month, level=Level.SITE, grain=Grain.DAY, area__in=site_ids),
            lambda v: v["area"],
        )
        _insert(_row(Level.SITE, site, Grain.MONTH, month, "", f) for site, f in totals.items())
        # Regions and nation: every site's rows (not only those recomputed).
        site_rows = Rollup.objects.filter(this_month & rewritten, level=Level.SITE)
        sums = _sum_rows(
            site_rows.filter(area__in=in_regions),
            lambda v: (Level.REGION, region_of[v["area"]], v["grain"], v["period"], v["dim"]),
        )
        sums.update(
            _sum_rows(site_rows, lambda v: (Level.NATIONAL, 0, v["grain"], v["period"], v["dim"]))
        )
        Rollup.objects.filter(this_month & rewritten).filter(
            Q(level=Level.REGION, area__in=regions) | Q(level=Level.NATIONAL)
        ).delete()
        _insert(_row(*key, facts) for key, facts in sums.items())
    return len(found.days)


def _log(kind: str, started, first: date, last: date, days: int) -> Refresh:
    return Refresh.objects.create(
        kind=kind,
        started_at=started,
        finished_at=timezone.now(),
        first_day=first,
        last_day=last,
        days=days,
    )


def rollups_refresh(*, slices: bool = True) -> Refresh:
    """Recompute today and yesterday for every site (with `slices`, their whole months, slices
    included), then the months of the past days marked stale, for their sites."""
    started = timezone.now()
    today = timezone.localdate()
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    months = sorted({month_start(today - DAY), month_start(today)})
    days = 0
    for month in months:
        span = (max(month, today - DAY), min(next_month(month) - DAY, today))
        days += _recompute(site_ids, month, days=None if slices else span)
    stale = list(StaleDay.objects.values_list("pk", "site_id", "day", "marked_at"))
    by_month: dict[date, set[int]] = defaultdict(set)
    for _, site_id, day, _ in stale:
        by_month[month_start(day)].add(site_id)
    for month, sites in sorted(by_month.items()):
        days += _recompute(sorted(sites), month)
    for pk, _, _, marked_at in stale:
        # A mark renewed while we computed stays for the next round.
        StaleDay.objects.filter(pk=pk, marked_at=marked_at).delete()
    first = min([today - DAY, *by_month])
    return _log(Refresh.Kind.REFRESH, started, first, today, days)


def rollups_rebuild(
    first: date | None = None, last: date | None = None, *, progress: Callable | None = None
) -> Refresh:
    """Recompute every rollup of the months from `first` to `last` (default: from the first
    raw datum to today) from the raw data, month by month (bounded memory; each month in its
    own transaction)."""
    started = timezone.now()
    today = timezone.localdate()
    first = month_start(first or _first_day() or today)
    last = next_month(min(last or today, today)) - DAY
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    days = 0
    month = first
    clock = time.monotonic()
    while month <= last:
        days += _recompute(site_ids, month)
        if progress:
            progress(month, next_month(month) - DAY, first, last, time.monotonic() - clock)
        month = next_month(month)
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
