"""The benchmark's history: about N past tickets written by generate_history
(teranga/demo/history.py), the same synthetic history `make run` shows, at every site, over
as many days before today as hold N tickets (12 M: about five years), with its ratings and
cases. Today is never touched, so the day's numbering and queue
start fresh; the demo's own days at the pilot sites are kept.

Called in-process by bench/djtasks.py (Django configured from the environment).
"""

import sys
from datetime import timedelta

from django.utils import timezone

from teranga.demo.history import Progress, days_for, history_generate
from teranga.network.models import Site
from teranga.reception.models import Ticket


def _progress(p: Progress) -> None:
    rate = p.tickets / p.seconds if p.seconds else 0
    print(
        f"history {p.last_day}: {p.days_done}/{p.days} days, {p.tickets:,} tickets ({rate:,.0f}/s)",
        file=sys.stderr,
        flush=True,
    )


def load(rows: int) -> dict:
    days = days_for(rows)
    before = Ticket.objects.count()
    totals = history_generate(days=days, progress=_progress)
    phases = {
        name: {"wall_s": round(w, 1), "cpu_s": round(c, 1)}
        for name, (w, c) in totals.phases.items()
    }
    return {
        "requested": rows,
        "inserted": Ticket.objects.count() - before,
        "total_tickets": Ticket.objects.count(),
        "ratings": totals.ratings,
        "cases": totals.cases,
        "sites": Site.objects.count(),
        "days": days,
        "first_day": str(timezone.localdate() - timedelta(days=days)),
        "last_day": str(timezone.localdate() - timedelta(days=1)),
        "seconds": round(totals.seconds, 1),
        "cpu_seconds": round(totals.cpu_seconds, 1),
        "tickets_per_s": round(totals.tickets / totals.phases["tickets"][0])
        if totals.tickets
        else 0,
        "phases": phases,
    }
