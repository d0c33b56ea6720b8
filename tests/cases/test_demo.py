import pytest
from django.core.management import call_command
from django.utils import timezone

from teranga.cases.models import OPEN_STATUSES, Case, ReplyTemplate

pytestmark = pytest.mark.django_db


def test_the_demo_files_cases_at_the_pilot_sites_once(settings):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    count = Case.objects.count()
    call_command("seed_demo")
    assert Case.objects.count() == count >= 36
    assert set(Case.objects.values_list("site__code", flat=True)) == {
        "DKR",
        "FTK",
        "KLK",
        "LGA",
        "SLO",
        "THS",
    }
    today = timezone.localdate()
    assert Case.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).exists()
    assert Case.objects.filter(kind="request", status="ready").exists()
    assert Case.objects.filter(status="answered").exists()
    assert ReplyTemplate.objects.count() == 2
