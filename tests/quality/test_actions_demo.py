"""The demo's action plans and training at the pilot sites."""

import pytest
from django.core.management import call_command

from teranga.network.models import Site
from teranga.quality import actions, training
from teranga.quality.models import Action, TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_gives_each_pilot_a_plan_and_different_training_shares(settings):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    count = Action.objects.count()
    call_command("seed_demo")
    assert Action.objects.count() == count
    pilots = list(Site.objects.filter(is_pilot=True))
    counts = actions.plan_counts([s.pk for s in pilots])
    for site in pilots:
        c = counts[site.pk]
        assert 4 <= Action.objects.filter(site=site).count() <= 6
        assert c.overdue == 1 and c.done_on_time >= 1
        assert Action.objects.filter(site=site, origin="criterion").exists()
        assert [t.name for t in actions.complaint_themes(site)][:1] == ["attente"]
        assert Action.objects.filter(site=site, origin="complaints").exists()
    assert TrainingSession.objects.filter(on_referential=True).count() == 2
    shares = training.staff_trained([s.pk for s in pilots])
    assert len({t / n for t, n in shares.values()}) > 1 and all(t for t, _n in shares.values())
