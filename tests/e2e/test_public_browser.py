"""A visitor on a phone: the network, a site, the language switch, accessibility."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.network.models import Role
from teranga.network.services import network_load, role_grant, user_ensure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loaded(transactional_db):
    network_load()


def serious_violations(page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_visitor_finds_a_site_and_switches_to_wolof_for_good(page, loaded):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".region").count() == 14
    assert serious_violations(page) == []

    page.get_by_role("link", name="Saint-Louis", exact=True).click()
    page.wait_for_url("**/espaces/SLO/")
    assert "Saint-Louis" in page.locator("h1").inner_text()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Wolof").click()
    page.wait_for_url("**/espaces/SLO/")
    assert page.locator("html").get_attribute("lang") == "wo"
    page.goto("/")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "wo"
    assert serious_violations(page) == []


def test_a_staff_member_logs_in_and_reaches_their_site(page, loaded):
    user, _ = user_ensure(username="khady", password="une-phrase-longue")
    from teranga.network.models import Site

    role_grant(user=user, role=Role.SITE_MANAGER, site=Site.objects.get(code="KLK"))
    page.goto("/connexion/")
    assert serious_violations(page) == []
    page.fill("#id_username", "khady")
    page.fill("#id_password", "une-phrase-longue")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace-pro/")
    page.get_by_role("link", name="Espace Sénégal Services de Kaolack").click()
    page.wait_for_url("**/espace-pro/sites/KLK/")
    assert page.locator("h1").inner_text().startswith("Espace Sénégal Services de Kaolack")
