import pytest
from django.core.management import call_command

from teranga.quality.models import Assessment, Campaign

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_accepted_campaign_and_one_in_progress_at_the_pilots(settings):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    call_command("seed_demo")
    closed, current = Campaign.objects.order_by("created_at")
    assert Campaign.objects.count() == 2
    assert closed.status == "closed" and current.status == "open"
    assert closed.period_end < current.period_start <= current.period_end
    pilots = {"DKR", "FTK", "KLK", "LGA", "SLO", "THS"}
    assert set(closed.assessments.values_list("site__code", flat=True)) == pilots
    assert set(closed.assessments.values_list("status", flat=True)) == {"accepted"}
    statuses = dict(current.assessments.values_list("site__code", "status"))
    assert statuses["THS"] == "submitted" and statuses["DKR"] == "draft"
    dakar = Assessment.objects.get(campaign=current, site__code="DKR")
    assert dakar.answers.filter(disputed=True).count() == 1
    assert dakar.answers.filter(criterion__kind="declared", choice="").exists()
