"""Reads of the reception. Each serves from the partial index on active tickets or from the
(site, day) index, so its cost does not depend on the size of the history."""

import math
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from teranga.lib import rows
from teranga.lib.erlang import counters_needed
from teranga.network.models import Counter, Procedure, Site
from teranga.reception.models import CounterSession, Ticket, WaitTarget

Status = Ticket.Status
PACE_SECONDS = 15


# Waiting tickets of the same line that will be called first: priority ones before the
# others, then by arrival. Plain SQL: it runs for every ticket issued and shown, and the ORM
# spent ten times longer building it than the database answering it (partial index).
_AHEAD = f"""
    SELECT COUNT(*) FROM {Ticket._meta.db_table}
    WHERE site_id = %s AND day = %s AND letter = %s AND status = 'waiting'
      AND (is_priority > %s
           OR (is_priority = %s AND (issued_at < %s OR (issued_at = %s AND id < %s))))
"""


def ticket_position(ticket: Ticket) -> int:
    """How many people are ahead of this waiting ticket (0 = next)."""
    if ticket.status != Status.WAITING:
        return 0
    ops = connection.ops  # the backend's own encoding of dates (SQLite stores text)
    issued = ops.adapt_datetimefield_value(ticket.issued_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _AHEAD,
            [
                ticket.site_id,
                ops.adapt_datefield_value(ticket.day),
                ticket.letter,
                ticket.is_priority,
                ticket.is_priority,
                issued,
                issued,
                ticket.pk,
            ],
        )
        return cursor.fetchone()[0]


def tracking_url(request, ticket: Ticket) -> str:
    """The ticket's public page, where its QR code leads."""
    return request.build_absolute_uri(reverse("ticket-public", args=[ticket.public_id]))


def open_counter_count(site: Site) -> int:
    return CounterSession.objects.filter(counter__site=site, closed_at__isnull=True).count()


def mean_service_minutes(site: Site, day: date | None = None) -> float:
    """Mean service time at the site today, or the default before enough tickets are served."""
    day = day or timezone.localdate()
    row = Ticket.objects.filter(site=site, day=day, service_seconds__isnull=False).aggregate(
        n=Count("pk"), total=Sum("service_seconds")
    )
    if row["n"] and row["n"] >= 5:
        return row["total"] / row["n"] / 60
    return settings.RECEPTION_DEFAULT_SERVICE_MINUTES


def _site_pace(site: Site) -> tuple[int, float]:
    """(open counters, mean service minutes today), kept PACE_SECONDS in the process cache:
    an estimate does not need them to the second, and every kiosk ticket asks for them."""
    key = f"reception:pace:{site.pk}:{timezone.localdate()}"
    pace = cache.get(key)
    if pace is None:
        pace = (open_counter_count(site), mean_service_minutes(site))
        cache.set(key, pace, PACE_SECONDS)
    return pace


def ticket_estimate(ticket: Ticket) -> tuple[int, int]:
    """(people ahead, estimated wait in minutes) for a waiting ticket."""
    if ticket.status != Status.WAITING:
        return 0, 0
    ahead = ticket_position(ticket)
    counters, service = _site_pace(ticket.site)
    # At least a minute per person: a morning of very short services must not promise 0.
    per_person = max(1.0, service)
    minutes = math.ceil((ahead + 1) * per_person / max(1, counters))
    return ahead, minutes


# What every display screen polls: plain SQL written once, like _AHEAD (the ORM spent several
# times longer building these two than the database answering them).
_TICKETS = Ticket._meta.db_table
_QUEUE_WAITING = f"""
    SELECT p.code, t.letter, COUNT(*), MIN(t.issued_at)
    FROM {_TICKETS} t JOIN {Procedure._meta.db_table} p ON p.id = t.procedure_id
    WHERE t.site_id = %s AND t.status = 'waiting' AND t.day = %s
    GROUP BY t.letter, p.code ORDER BY t.letter, p.code
"""
_QUEUE_CALLED = f"""
    SELECT t.letter, t.sequence, t.status, t.last_called_at, c.code, c.name
    FROM {_TICKETS} t LEFT JOIN {Counter._meta.db_table} c ON c.id = t.counter_id
    WHERE t.site_id = %s AND t.status IN ('called', 'serving') AND t.day = %s
      AND t.last_called_at IS NOT NULL
    ORDER BY t.last_called_at DESC LIMIT %s
"""


def queue_public(site: Site, *, last: int = 8) -> dict:
    """What the display screen and the public see today: no personal data (2 queries)."""
    day = connection.ops.adapt_datefield_value(timezone.localdate())
    issued_at = rows.converter(Ticket, "issued_at")
    called_at = rows.converter(Ticket, "last_called_at")
    with connection.cursor() as cursor:
        cursor.execute(_QUEUE_WAITING, [site.pk, day])
        waiting = [
            {
                "procedure__code": code,
                "letter": letter,
                "n": n,
                "oldest": issued_at(oldest),
            }
            for code, letter, n, oldest in cursor.fetchall()
        ]
        cursor.execute(_QUEUE_CALLED, [site.pk, day, last])
        called = [
            {
                "letter": letter,
                "sequence": sequence,
                "status": status,
                "last_called_at": called_at(at),
                "counter__code": counter_code,
                "counter__name": counter_name,
            }
            for letter, sequence, status, at, counter_code, counter_name in cursor.fetchall()
        ]
    return {"waiting": waiting, "called": called}


def target_wait_minutes(site: Site, procedure_id: int) -> int:
    target = WaitTarget.objects.filter(site=site, procedure_id=procedure_id).first()
    return target.minutes if target else site.target_wait_minutes


def live_view(site: Site) -> dict:
    """Today's figures for the manager, all aggregated in SQL (a handful of queries)."""
    today = timezone.localdate()
    now = timezone.now()
    todays = Ticket.objects.filter(site=site, day=today)
    totals = todays.aggregate(
        issued=Count("pk"),
        served=Count("pk", filter=Q(status=Status.FINISHED)),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
        mean_wait=Avg("wait_seconds"),
        mean_service=Avg("service_seconds"),
        within_target=Count("pk", filter=Q(wait_seconds__lte=site.target_wait_minutes * 60)),
        measured_waits=Count("wait_seconds"),
    )
    oldest = Ticket.objects.filter(site=site, status=Status.WAITING, day=today).aggregate(
        oldest=Min("issued_at")
    )["oldest"]
    per_procedure = list(
        Ticket.objects.filter(site=site, status=Status.WAITING, day=today)
        .values("procedure_id")
        .annotate(n=Count("pk"), oldest=Min("issued_at"))
        .order_by("-n")
    )
    procedures = Procedure.objects.in_bulk([row["procedure_id"] for row in per_procedure])
    for row in per_procedure:
        row["procedure"] = procedures[row["procedure_id"]]  # its name in the page's language
        row["longest_minutes"] = int((now - row["oldest"]).total_seconds() // 60)
    sessions = list(
        CounterSession.objects.filter(counter__site=site, closed_at__isnull=True)
        .select_related("counter", "agent")
        .order_by("counter__code")
    )
    busy = dict(
        Ticket.objects.filter(site=site, status__in=[Status.CALLED, Status.SERVING]).values_list(
            "counter_id", "sequence"
        )
    )
    return {
        "totals": totals,
        "longest_wait_minutes": int((now - oldest).total_seconds() // 60) if oldest else 0,
        "per_procedure": per_procedure,
        "sessions": sessions,
        "busy_counters": busy,
        "counters_total": Counter.objects.filter(site=site, is_active=True).count(),
    }


def staffing_advice(
    site: Site, *, weeks: int = 4, target_share: float = 0.8, today: date | None = None
) -> list[dict]:
    """For each hour, the counters needed today from the arrivals and service times measured
    on the same weekday over the last `weeks` weeks (Erlang C)."""
    today = today or timezone.localdate()
    days = [today - timedelta(weeks=w) for w in range(1, weeks + 1)]
    rows = (
        Ticket.objects.filter(site=site, day__in=days)
        .values("issued_hour")
        .annotate(
            n=Count("pk"),
            service=Sum("service_seconds"),
            served=Count("service_seconds"),
            days=Count("day", distinct=True),
        )
        .order_by("issued_hour")
    )
    default_service = settings.RECEPTION_DEFAULT_SERVICE_MINUTES
    advice = []
    for row in rows:
        arrivals = row["n"] / weeks
        service = row["service"] / row["served"] / 60 if row["served"] else default_service
        advice.append(
            {
                "hour": row["issued_hour"],
                "arrivals_per_hour": round(arrivals, 1),
                "service_minutes": round(service, 1),
                "counters": counters_needed(
                    arrivals, service, site.target_wait_minutes, target_share
                ),
            }
        )
    return advice


def counters_state(site: Site) -> list[dict]:
    """Each counter of the site with the procedures it serves and who is behind it (3 queries)."""
    counters = list(
        Counter.objects.filter(site=site, is_active=True)
        .prefetch_related("procedures")
        .order_by("code")
    )
    sessions = {
        s.counter_id: s
        for s in CounterSession.objects.filter(
            counter__site=site, closed_at__isnull=True
        ).select_related("agent")
    }
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "procedures": [p.code for p in c.procedures.all()],
            "is_open": c.pk in sessions,
            "agent": sessions[c.pk].agent.get_username() if c.pk in sessions else None,
        }
        for c in counters
    ]
