from django.core.management import call_command

from teranga.listening import selectors
from teranga.listening.models import Response
from teranga.network.models import Site


def test_demo_rates_visits_at_the_pilots_once(db, settings, capsys):
    settings.TERANGA_DEMO = True
    call_command("seed_demo")
    count = Response.objects.count()
    call_command("seed_demo")
    assert Response.objects.count() == count
    dakar = Site.objects.get(code="DKR")
    date_from, date_to = selectors.period_default()
    figures = selectors.site_satisfaction(dakar, date_from, date_to)
    assert figures.enough_answers and 0.3 < figures.satisfaction_rate < 0.95
    assert not Response.objects.exclude(site__is_pilot=True).exists()
    assert (
        Response.objects.filter(comment__contains="77 654")
        .exclude(comment_masked__contains="77 654")
        .exists()
    )
