"""A small dataset with known public figures, in the months before today (the public pages
always show the last 12 full months and the current month to date)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from teranga.cases.models import Case
from teranga.indicators.services import rollups_rebuild
from teranga.network.models import Procedure, Site
from teranga.reception.models import Ticket
from tests.indicators.data import case, rating, ticket

PHONE, EMAIL, NAME = "+221771234567", "awa.diop@example.sn", "Awa Diop"


@dataclass
class Months:
    current: date  # the 1st of the current month
    last: date  # the 1st of the last full month
    before: date  # the 1st of the month before it


def months() -> Months:
    current = timezone.localdate().replace(day=1)
    last = (current - timedelta(days=1)).replace(day=1)
    return Months(current, last, (last - timedelta(days=1)).replace(day=1))


def small_samples(settings):
    settings.INDICATORS_MIN_SAMPLE = 3
    settings.FEEDBACK_MIN_SAMPLE = 4
    settings.INDICATORS_MIN_CASES = 2


def load(site: Site) -> Months:
    """At `site` (minimum samples: 3 tickets, 4 ratings, 2 cases):
    - last full month: waits 5, 10, 30 min (median 10, 2 of 3 within 20 min), ratings 5 5 4 2
      (75 % satisfied), complaints: 2 answered on time and 1 late (66.7 %), 1 request due
      (below the minimum);
    - the month before: waits 2 and 4 min, ratings 5 5 (both below the minimum);
    - the last 12 months together: median 5 min, 4 of 5 within target (80 %), 5 of 6
      satisfied (83.3 %);
    - the current month to date: one rating (below the minimum).
    A ticket and a complaint carry a phone number, an e-mail and a name: none may leak."""
    m = months()
    procedure = site.procedures.first() or Procedure.objects.first()
    day = m.last + timedelta(days=4)
    for minutes in (5, 10, 30):
        ticket(site, procedure, day, wait=minutes * 60, service=300)
    Ticket.objects.filter(site=site, day=day).update(phone=PHONE)
    for value in (5, 5, 4, 2):
        rating(site, day, value)
    due = m.last + timedelta(days=5)
    for resolved in (
        m.last + timedelta(days=3),
        m.last + timedelta(days=4),
        m.last + timedelta(days=8),
    ):
        case(site, filed=m.last, due=due, resolved=resolved)
    Case.objects.filter(site=site).update(name=NAME, phone=PHONE, email=EMAIL, contact_consent=True)
    case(site, kind="request", filed=m.last, due=due, resolved=due)
    early = m.before + timedelta(days=9)
    for minutes in (2, 4):
        ticket(site, procedure, early, wait=minutes * 60, service=200)
    for value in (5, 5):
        rating(site, early, value)
    rating(site, m.current, 5)
    first = m.before - timedelta(days=31)
    rollups_rebuild(first.replace(day=1), timezone.localdate())
    return m
