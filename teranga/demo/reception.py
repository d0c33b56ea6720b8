"""A realistic morning at the pilot sites: four past weeks of the same weekday (for the
staffing advice), tickets served earlier today, open counters and people waiting."""

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from teranga.network.models import Role, Site
from teranga.network.services import DEMO_PASSWORD, role_grant, user_ensure
from teranga.reception import services
from teranga.reception.models import Outcome, Ticket

# Arrivals per hour on a weekday, 8:00 to 16:00: a morning peak, a lull at lunch.
HOURLY = {8: 14, 9: 22, 10: 24, 11: 20, 12: 12, 13: 8, 14: 14, 15: 12, 16: 6}


def _history(site: Site, day, rng: random.Random) -> list[Ticket]:
    procedures = list(site.procedures.select_related("category"))
    tickets, sequences = [], {}
    tz = timezone.get_current_timezone()
    for hour, mean in HOURLY.items():
        for _ in range(max(0, int(rng.gauss(mean, mean / 5)))):
            procedure = rng.choice(procedures)
            letter = procedure.category.letter
            sequences[letter] = sequences.get(letter, 0) + 1
            issued = datetime.combine(day, time(hour, rng.randrange(60)), tz)
            wait = int(rng.expovariate(1 / 900))
            service = int(rng.gauss(420, 150)) if rng.random() > 0.06 else None
            called = issued + timedelta(seconds=wait)
            tickets.append(
                Ticket(
                    site=site,
                    day=day,
                    letter=letter,
                    sequence=sequences[letter],
                    procedure=procedure,
                    issued_at=issued,
                    issued_hour=hour,
                    called_at=called,
                    last_called_at=called,
                    wait_seconds=wait,
                    serving_at=called + timedelta(seconds=30) if service else None,
                    finished_at=called + timedelta(seconds=30 + max(service or 0, 60)),
                    service_seconds=max(service, 60) if service else None,
                    status=Ticket.Status.FINISHED if service else Ticket.Status.NO_SHOW,
                    outcome=rng.choice(
                        [Outcome.DONE] * 8 + [Outcome.REDIRECTED, Outcome.INCOMPLETE]
                    )
                    if service
                    else "",
                    client_id=uuid.uuid4(),
                    feedback_code=f"{rng.randrange(10**8):08d}",
                )
            )
    return tickets


@transaction.atomic
def demo_reception(site: Site) -> None:
    """Idempotent for a day: does nothing at a site that already has tickets today."""
    today = timezone.localdate()
    if Ticket.objects.filter(site=site, day=today).exists():
        return
    rng = random.Random(f"{site.code}{today}")
    history = []
    past = [today - timedelta(weeks=weeks) for weeks in range(1, 5)]
    # Days that generate_history (or an earlier seed) already filled keep their tickets.
    filled = set(Ticket.objects.filter(site=site, day__in=past).values_list("day", flat=True))
    for day in past:
        if day not in filled:
            history += _history(site, day, rng)
    # Feedback codes are unique: drop the rare collisions of the random draw.
    taken = set(
        Ticket.objects.filter(feedback_code__in=[t.feedback_code for t in history]).values_list(
            "feedback_code", flat=True
        )
    )
    seen = set()
    history = [
        t
        for t in history
        if not (t.feedback_code in taken or t.feedback_code in seen or seen.add(t.feedback_code))
    ]
    Ticket.objects.bulk_create(history, batch_size=500)

    code = site.code.lower()
    agents = [
        user_ensure(username=f"agent{i}.{code}", password=DEMO_PASSWORD)[0] for i in (1, 2, 3)
    ]
    for agent in agents:
        role_grant(user=agent, role=Role.AGENT, site=site)
    counters = list(site.counters.filter(is_active=True).order_by("code"))
    for agent, counter in zip(agents, counters, strict=False):
        services.counter_open(counter=counter, agent=agent)

    procedures = [p.code for p in site.procedures.all()]
    now = timezone.now()
    issued = []
    for i in range(18):
        ticket, _ = services.ticket_issue(
            site=site,
            procedure_code=rng.choice(procedures),
            client_id=uuid.uuid4(),
            priority="elderly" if i % 9 == 4 else "none",
            user=agents[0],
        )
        # Spread the arrivals over the last 70 minutes, oldest first.
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=now - timedelta(minutes=70 - 4 * i))
        issued.append(ticket)
    # The first ones have been served this morning, one is at each open counter.
    for agent, counter in zip(agents, counters, strict=False):
        for _ in range(2):
            ticket = services.ticket_call_next(counter=counter, agent=agent)
            if ticket is None:
                break
            services.ticket_start(ticket=ticket, agent=agent)
            services.ticket_finish(ticket=ticket, agent=agent)
        services.ticket_call_next(counter=counter, agent=agent)
    # The services stamped those services "now": give them the morning's timeline instead.
    for ticket in Ticket.objects.filter(site=site, day=today, status=Ticket.Status.FINISHED):
        wait = rng.randint(8 * 60, 22 * 60)
        service = rng.randint(4 * 60, 9 * 60)
        called = ticket.issued_at + timedelta(seconds=wait)
        Ticket.objects.filter(pk=ticket.pk).update(
            called_at=called,
            last_called_at=called,
            wait_seconds=wait,
            serving_at=called + timedelta(seconds=30),
            finished_at=called + timedelta(seconds=30 + service),
            service_seconds=service,
        )
