"""Audits, the label cycle and mystery checks at the pilot sites: a certification audit
completed about 14 months ago with a few minor findings and a granted label (so the
follow-up reminders come soon), a planned follow-up audit, and one campaign of mystery visits
with 2 to 4 checks per site, a couple of them failing."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from teranga.lib.months import add_months
from teranga.network.models import Role, Site
from teranga.network.services import role_grant
from teranga.quality import audits, mystery
from teranga.quality.models import Audit, Criterion, MysteryCampaign, Referential

AUDIT_BODY = "Cabinet Qualis Sénégal"
CAMPAIGN_TITLE = "Visites mystère — premier semestre"
NOTES = {
    "conform": "",
    "minor": "Constaté une fois sur trois passages ; à corriger.",
}


@transaction.atomic
def demo_quality_audits() -> int:
    """Idempotent: the demo audits and campaign are recognised by their body and title."""
    referential = Referential.objects.filter(is_current=True).first()
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    auditor = User.objects.filter(username="auditeur").first()
    pilots = list(Site.objects.filter(is_pilot=True).order_by("code"))
    if referential is None or admin is None or auditor is None or not pilots:
        return 0
    created = 0
    today = timezone.localdate()
    observed = list(
        Criterion.objects.filter(
            engagement__theme__referential=referential, kind=Criterion.Kind.OBSERVED
        ).values_list("code", flat=True)
    )
    for site in pilots:
        role_grant(user=auditor, role=Role.AUDITOR, site=site)
    auditor = User.objects.get(pk=auditor.pk)  # its permissions are cached per instance
    for n, site in enumerate(pilots):
        if Audit.objects.filter(site=site, body=AUDIT_BODY).exists():
            continue
        rng = random.Random(site.code)
        performed = add_months(today, -14) - timedelta(days=n)
        audit = audits.audit_plan(
            actor=admin,
            site=site,
            kind=Audit.Kind.CERTIFICATION,
            planned_on=performed,
            auditor=auditor,
            body=AUDIT_BODY,
            referential=referential,
        )
        minors = set(rng.sample(observed, k=min(len(observed), 1 + n % 2)))
        for code in observed:
            result = "minor" if code in minors else "conform"
            audits.finding_record(
                actor=auditor, audit=audit, criterion_code=code, result=result, note=NOTES[result]
            )
        audit = audits.audit_complete(
            actor=auditor,
            audit=audit,
            performed_on=performed,
            conclusion="Le site tient ses engagements ; quelques écarts mineurs à corriger "
            "avant l'audit de suivi.",
        )
        decision = audits.label_decide(
            actor=admin,
            site=site,
            decision="granted",
            decided_on=performed + timedelta(days=7),
            audit=audit,
            note="Label accordé sur avis favorable de l'auditeur.",
        )
        audits.audit_plan(
            actor=admin,
            site=site,
            kind=Audit.Kind.FOLLOW_UP,
            planned_on=decision.follow_up_on - timedelta(days=14),
            auditor=auditor,
            body=AUDIT_BODY,
            referential=referential,
        )
        created += 1
    if not MysteryCampaign.objects.filter(title=CAMPAIGN_TITLE).exists():
        created += _mystery(admin, referential, pilots, today)
    return created


def _mystery(admin, referential, pilots, today) -> int:
    start, end = add_months(today, -4), today - timedelta(days=10)
    campaign = mystery.mystery_campaign_create(
        actor=admin,
        title=CAMPAIGN_TITLE,
        channel=MysteryCampaign.Channel.VISIT,
        period_start=start,
        period_end=end,
        referential=referential,
    )
    items = list(campaign.items.all())
    span = (end - start).days
    for n, site in enumerate(pilots):
        rng = random.Random(f"mystery-{site.code}")
        for k in range(2 + n % 3):
            # Two sites have one poor visit each: below the pass level.
            level = 4.5 if (n in (1, 4) and k == 0) else rng.uniform(6.5, 9)
            points = {
                item.pk: min(10.0, max(0.0, round(2 * rng.gauss(level, 1.2)) / 2)) for item in items
            }
            day = start + timedelta(days=rng.randrange(span + 1))
            mystery.mystery_check_record(
                actor=admin,
                campaign=campaign,
                site=site,
                performed_at=timezone.make_aware(
                    datetime.combine(day, time(9 + rng.randrange(7), rng.randrange(60)))
                ),
                points=points,
                checker=f"Enquêteur {1 + k}",
                comment="Attente longue à l'arrivée." if level < 6 else "",
            )
    return 1
