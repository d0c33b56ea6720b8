"""A small network with known figures for the monthly reports: DKR (pilot) and THS in
October 2026, DKR in September 2026 and October 2025, rolled up."""

from datetime import date

import pytest

from teranga.indicators.services import rollups_rebuild
from tests.factories import ProcedureFactory
from tests.indicators.data import case, rating, ticket

OCT5, OCT6 = date(2026, 10, 5), date(2026, 10, 6)


@pytest.fixture
def small_samples(settings):
    """Three tickets, five ratings, one case make a figure worth publishing."""
    settings.INDICATORS_MIN_SAMPLE = 3
    settings.INDICATORS_MIN_CASES = 1
    settings.FEEDBACK_MIN_SAMPLE = 5


@pytest.fixture
def october(two_sites, small_samples):
    """DKR on Oct 5: waits 1, 2, 10, 15, 25 min served (civil status), 30 min no-show and one
    never called (land); ratings 5, 4, 4, 3, 1 on the tablet and 2 by SMS; two complaints due
    Oct 6, one answered on time. DKR in September: waits 5, 40, 45 min; in October 2025:
    3, 4, 6 min. THS on Oct 6: waits 0 and 50 min, too few for a median (minimum 3)."""
    dakar, thies = two_sites
    dakar.name, dakar.is_pilot = "Espace Sénégal Services de Dakar", True
    dakar.save(update_fields=["name", "is_pilot"])
    thies.name = "Espace Sénégal Services de Thiès"
    thies.save(update_fields=["name"])
    civil = ProcedureFactory(code="CIVIL", name_fr="État civil")
    land = ProcedureFactory(code="LAND", name_fr="Foncier")
    for wait, service in ((60, 300), (120, 420), (600, 600), (900, 240), (1500, 900)):
        ticket(dakar, civil, OCT5, wait=wait, service=service)
    ticket(dakar, land, OCT5, wait=1800)  # no-show
    ticket(dakar, land, OCT5)  # expired, never called
    for value in (5, 4, 4, 3, 1):
        rating(dakar, OCT5, value)
    rating(dakar, OCT5, 2, channel="sms")
    case(dakar, filed=OCT5, due=OCT6, resolved=OCT6)
    case(dakar, filed=OCT5, due=OCT6, resolved=date(2026, 10, 9))
    for wait in (300, 2400, 2700):
        ticket(dakar, civil, date(2026, 9, 14), wait=wait, service=300)
    for wait in (180, 240, 360):
        ticket(dakar, civil, date(2025, 10, 6), wait=wait, service=300)
    ticket(thies, civil, OCT6, wait=0, service=60)
    ticket(thies, civil, OCT6, wait=3000, service=1200)
    rollups_rebuild(date(2025, 10, 1), date(2026, 10, 31))
    return {"dakar": dakar, "thies": thies, "civil": civil, "land": land}
