"""Four weeks of users' ratings at a pilot site: the visits of the demo history rated by
ticket link, SMS and USSD, tablet and QR answers, a few comments to moderate. Ratings
follow the wait: the longer it was, the lower they tend to be."""

import itertools
import random
import uuid
from datetime import timedelta

from django.utils import timezone

from teranga.lib.masking import mask_personal
from teranga.listening.models import Channel, Response
from teranga.network.models import Site
from teranga.reception.models import Ticket

COMMENTS = [
    ("fr", "Accueil très aimable, merci."),
    ("fr", "Trop d'attente ce matin, un seul guichet ouvert."),
    ("fr", "Rapide et efficace."),
    ("fr", "Il manque des chaises dans la salle d'attente."),
    ("fr", "Madame Diallo m'a bien expliqué les pièces à fournir."),
    ("fr", "Rappelez-moi au 77 654 32 10 pour mon dossier svp."),
    ("wo", "Teeru nañu ma bu baax, jërëjëf."),
    ("wo", "Xaar bi dafa yàgg lool."),
]


def _rating(rng: random.Random, wait_minutes: float) -> int:
    base = 4.6 - wait_minutes / 25 + rng.gauss(0, 0.8)
    return max(1, min(5, round(base)))


def demo_listening(site: Site) -> None:
    """Idempotent for a day, like the reception's demo: the rows of one day's seed carry
    client ids derived from the site and the day."""
    today = timezone.localdate()
    seed = f"listening-{site.code}-{today}"
    ids = (uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}-{i}") for i in itertools.count())
    if Response.objects.filter(client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}-0")).exists():
        return
    rng = random.Random(seed)
    since = timezone.localdate() - timedelta(days=30)
    rows = []
    served = (
        Ticket.objects.filter(
            site=site, status=Ticket.Status.FINISHED, day__gte=since, day__lt=today
        )
        .exclude(pk__in=Response.objects.filter(ticket__isnull=False).values("ticket_id"))
        .select_related("procedure")
    )
    for ticket in served:
        if rng.random() > 0.35:
            continue
        answered = ticket.finished_at + timedelta(minutes=rng.randint(2, 300))
        language, comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ("fr", "")
        rows.append(
            Response(
                site=site,
                channel=rng.choice([Channel.TICKET, Channel.SMS, Channel.SMS, Channel.USSD]),
                ticket=ticket,
                procedure=ticket.procedure,
                counter_id=ticket.counter_id,
                agent_id=ticket.agent_id,
                rating=_rating(rng, (ticket.wait_seconds or 0) / 60),
                wait_ok=(ticket.wait_seconds or 0) <= site.target_wait_minutes * 60,
                resolved=rng.random() < 0.85,
                comment=comment,
                comment_masked=mask_personal(comment),
                language=language,
                answered_at=answered,
                day=timezone.localdate(answered),
                client_id=next(ids),
            )
        )
    for days_ago in range(1, 29):
        day_start = timezone.now() - timedelta(days=days_ago)
        for _ in range(rng.randint(4, 12)):
            answered = day_start.replace(hour=9, minute=0) + timedelta(minutes=rng.randint(0, 420))
            channel = rng.choice([Channel.TABLET, Channel.TABLET, Channel.QR, Channel.WEB])
            rows.append(
                Response(
                    site=site,
                    channel=channel,
                    rating=_rating(rng, rng.expovariate(1 / 15)),
                    wait_ok=rng.random() < 0.7,
                    courteous=rng.random() < 0.9,
                    language=rng.choice(["fr", "fr", "wo"]),
                    answered_at=answered,
                    day=timezone.localdate(answered),
                    client_id=next(ids),
                )
            )
    Response.objects.bulk_create(rows, batch_size=500)
