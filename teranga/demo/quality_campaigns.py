"""Two self-assessment campaigns at the pilot sites: last quarter's, closed and accepted
everywhere, and the current one in progress (Dakar half answered with one result disputed,
Thiès submitted, the others not started)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from teranga.indicators.selectors import months_back
from teranga.network.models import Site
from teranga.quality import campaigns
from teranga.quality.models import Answer, Assessment, Campaign
from teranga.quality.selectors import last_quarter

CHOICES = ["yes"] * 6 + ["partly"] * 3 + ["no"]


def _answer_declared(assessment: Assessment, actor, rng: random.Random, share: float = 1.0):
    rows = list(assessment.answers.select_related("criterion").filter(criterion__kind="declared"))
    for row in rows[: round(len(rows) * share)]:
        row.assessment = assessment
        campaigns.answer_save(actor=actor, answer=row, choice=rng.choice(CHOICES))


@transaction.atomic
def demo_campaigns() -> None:
    """Idempotent: nothing is done once the demo's campaigns exist."""
    if Campaign.objects.exists():
        return
    User = get_user_model()
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="qualite.dkr")
    pilots = list(Site.objects.filter(is_pilot=True).order_by("code"))
    first, last = last_quarter()
    today = timezone.localdate()
    rng = random.Random("demo-campaigns")

    previous = campaigns.campaign_launch(
        actor=admin,
        title=f"Auto-évaluation {months_back(first, 3):%m/%Y} – {first - timedelta(days=1):%m/%Y}",
        period_start=months_back(first, 3),
        period_end=first - timedelta(days=1),
        due_date=today,
        sites=pilots,
    )
    for assessment in previous.assessments.select_related("campaign", "site__department"):
        _answer_declared(assessment, admin, rng)
        campaigns.assessment_transition(actor=admin, assessment=assessment, to="submitted")
        campaigns.assessment_transition(actor=admin, assessment=assessment, to="accepted")
    campaigns.campaign_close(actor=admin, campaign=previous)
    # Back-dated so that it reads as last quarter's campaign.
    launched = timezone.now() - timedelta(days=(today - first).days - 10)
    Campaign.objects.filter(pk=previous.pk).update(
        created_at=launched,
        due_date=first + timedelta(days=40),
        closed_at=launched + timedelta(days=45),
    )

    current = campaigns.campaign_launch(
        actor=admin,
        title=f"Auto-évaluation {first:%m/%Y} – {last:%m/%Y}",
        period_start=first,
        period_end=last,
        due_date=today + timedelta(days=30),
        sites=pilots,
    )
    grids = {
        a.site.code: a for a in current.assessments.select_related("campaign", "site__department")
    }
    # Answers carried over from last quarter are reviewed: Dakar has reviewed half of them.
    Answer.objects.filter(assessment__campaign=current, criterion__kind="declared").exclude(
        assessment__site__code="THS"
    ).update(choice="", comment="")
    if "DKR" in grids:
        _answer_declared(grids["DKR"], officer, rng, share=0.5)
        wait = grids["DKR"].answers.select_related("criterion").get(criterion__code="ACC-2.1")
        wait.assessment = grids["DKR"]
        campaigns.answer_save(
            actor=officer,
            answer=wait,
            disputed=True,
            comment="Deux guichets fermés pour travaux : l'attente n'est pas représentative.",
        )
    if "THS" in grids:
        campaigns.assessment_transition(actor=admin, assessment=grids["THS"], to="submitted")
