"""Complaints, suggestions and tracked requests at the pilot sites: a few dozen over the last
weeks, some answered, some due soon, some overdue (so that alerts show), and the national
reply templates."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teranga.cases import services
from teranga.cases.models import Case, ReplyTemplate
from teranga.network.models import Role, RoleAssignment, Site

# Client ids derived from the site and a number: running the seed again files nothing new.
DEMO_NAMESPACE = uuid.UUID("9d0c7c1e-53a1-4a3f-8f0e-2f4c1b7a5e20")

MESSAGES = [
    ("complaint", "L'attente a dépassé une heure ce matin, sans information."),
    ("complaint", "Le guichet état civil était fermé à 14 h alors que l'affiche dit 16 h."),
    ("complaint", "Dama xaar lu yàgg te kenn waxu ma dara."),
    ("suggestion", "Ouvrir le samedi matin pour ceux qui travaillent."),
    ("suggestion", "Afficher la liste des pièces à fournir à l'entrée."),
    ("compliment", "Merci à la conseillère, très patiente avec ma mère."),
    ("complaint", "Mon dossier de casier judiciaire n'avance pas."),
]

TEMPLATES = [
    (
        "Excuses et mesure prise",
        "Bonjour,\n\nNous vous remercions pour votre message {reference} et vous prions de "
        "nous excuser. {site} a pris la mesure suivante : …",
    ),
    (
        "Remerciement",
        "Bonjour,\n\nMerci pour votre message {reference}. Nous l'avons transmis à l'équipe "
        "de {site}.",
    ),
]


def _agent(site: Site):
    assignment = (
        RoleAssignment.objects.filter(site=site, role=Role.AGENT).select_related("user").first()
    )
    return assignment.user if assignment else None


@transaction.atomic
def demo_cases(site: Site) -> int:
    """Idempotent: each demo case has a fixed client id and is filed once."""
    for title, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(site=None, title=title, defaults={"body": body})
    agent = _agent(site)
    if agent is None or Case.objects.filter(site=site, client_id=_client_id(site, 0)).exists():
        return 0
    rng = random.Random(site.code)
    procedures = list(site.procedures.values_list("code", flat=True))
    today = timezone.localdate()
    created = 0
    for i in range(8):
        kind, message = MESSAGES[i % len(MESSAGES)]
        channel = ["web", "sms", "counter", "letter", "email"][i % 5]
        filed = services.case_file(
            site=site,
            kind=kind,
            message=message,
            channel=channel,
            phone=f"77 000 00 {i:02d}" if channel == "sms" else "",
            contact_consent=channel == "sms",
            client_id=_client_id(site, i),
            user=agent,
            language="wo" if "Dama" in message else "fr",
        )
        case, created = filed.case, created + 1
        age = rng.randint(1, 30)
        # Backdate the filing: the older ones are overdue unless answered below.
        filed_at = timezone.now() - timedelta(days=age)
        due = today + timedelta(days=21 - age)
        Case.objects.filter(pk=case.pk).update(filed_at=filed_at, due_on=due, due_on_initial=due)
        case.refresh_from_db()
        if i % 3 == 0:
            services.case_assign(case=case, actor=agent, assignee=agent)
        if i % 4 == 1:
            services.case_answer(
                case=case, actor=agent, text="Merci pour votre message, nous avons corrigé."
            )
    for i in range(8, 12):
        filed = services.request_open(
            site=site,
            procedure_code=rng.choice(procedures),
            agent=agent,
            name="Usager démo",
            phone=f"77 000 01 {i:02d}",
            contact_consent=True,
            client_id=_client_id(site, i),
        )
        created += 1
        if i % 2:
            services.case_status_set(case=filed.case, actor=agent, to="ready")
    return created


def _client_id(site: Site, n: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{site.code}:{n}")
