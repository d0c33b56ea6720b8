"""A visitor on a phone reads a site's public results in Wolof, and fetches its poster."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.network.services import network_load
from tests.steering.public_data import load, small_samples

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dakar(transactional_db, settings):
    network_load()
    small_samples(settings)
    from teranga.network.models import Site

    site = Site.objects.get(code="DKR")
    load(site)
    return site


def serious_violations(page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_visitor_reads_a_sites_results_in_wolof_and_gets_the_poster(page, dakar):
    page.goto("/espaces/DKR/")
    page.get_by_role("link", name="Wolof").click()
    page.wait_for_url("**/espaces/DKR/")
    page.get_by_role("link", name="Sunu njureef : xaar, tontu, bég").click()
    page.wait_for_url("**/resultats/DKR/")
    assert page.locator("html").get_attribute("lang") == "wo"
    assert "sunu njureef" in page.locator("h1").inner_text()
    satisfaction = page.locator("#f-satisfaction_pct").locator("xpath=..")
    assert "83,3\u00a0%" in satisfaction.inner_text()
    assert "6 tontu" in satisfaction.inner_text()
    requests = page.locator("#f-requests_on_time_pct").locator("xpath=..")
    assert "Amagul lim bu doy" in requests.inner_text()
    assert "Amagul tontu yu doy" in satisfaction.inner_text()  # this month: one answer so far
    assert serious_violations(page) == []

    link = page.get_by_role("link", name="Afiis ngir imprime (PDF, wolof)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_the_national_results_and_the_open_data_page_are_accessible(page, dakar):
    page.goto("/")
    page.get_by_role("link", name="Nos résultats : attente, réponses, satisfaction").click()
    page.wait_for_url("**/resultats/")
    assert page.locator(".sites-table tbody tr").count() == 46
    assert serious_violations(page) == []
    page.get_by_role("link", name="Tous les chiffres en données ouvertes (CSV, JSON)").click()
    page.wait_for_url("**/open-data/")
    assert serious_violations(page) == []
