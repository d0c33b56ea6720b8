"""A complaint in Wolof, in a real browser: the user files it from the site page, an agent
answers it from the staff inbox, the user tracks it and reads the answer."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.network.models import Role
from tests.factories import PASSWORD, ProcedureFactory, SiteFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def site(transactional_db):
    site = SiteFactory(code="DKR", name="Espace Sénégal Services de Dakar", with_hours=True)
    site.procedures.set([ProcedureFactory(code="TRANSCR", name_wo="Transcription")])
    agent = staff(Role.AGENT, site=site, username="awa")
    agent.first_name, agent.last_name = "Awa", "Diop"
    agent.save()
    return site


def test_a_wolof_complaint_is_answered_and_tracked(browser, live_server, site):
    user = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    phone = user.new_page()
    phone.set_default_timeout(10_000)
    phone.goto("/espaces/DKR/?lang=wo")
    phone.wait_for_url("**/espaces/DKR/")
    phone.get_by_role("link", name="Am nga tawat, xalaat walla jërëjëf?").click()
    phone.wait_for_url("**/espaces/DKR/reclamation/")
    assert phone.locator("html").get_attribute("lang") == "wo"
    assert serious(phone) == []
    phone.get_by_label("tawat").check()
    phone.get_by_label("Sa bataaxal").fill("Guichet bi dafa tëju woon ci suba si.")
    phone.get_by_role("button", name="Yónnee").click()
    phone.wait_for_selector("#tracking-code")
    reference = phone.locator("#reference").inner_text()
    code = phone.locator("#tracking-code").inner_text()
    assert reference.startswith("R-DKR-") and len(code) == 8
    assert serious(phone) == []

    office = browser.new_context(base_url=live_server.url)
    desk = office.new_page()
    desk.set_default_timeout(10_000)
    desk.goto("/connexion/")
    desk.fill("#id_username", "awa")
    desk.fill("#id_password", PASSWORD)
    desk.get_by_role("button", name="Se connecter").click()
    desk.wait_for_url("**/espace-pro/")
    desk.goto("/espace-pro/dossiers/DKR/")
    desk.get_by_role("link", name=reference).click()
    desk.fill("#answer-text", "Baal nu. Guichet bi dina ubbeeku ci 8 waxtu.")
    desk.get_by_role("button", name="Envoyer la réponse", exact=True).click()
    desk.wait_for_selector("text=La réponse est enregistrée")
    assert "répondue" in desk.locator("#case-status").inner_text()
    office.close()

    phone.goto("/suivi/")
    assert serious(phone) == []
    phone.get_by_label("Référence").fill(reference)
    phone.get_by_label("Code suivi").fill(code.lower())
    phone.get_by_role("button", name="Topp").click()
    phone.wait_for_selector("#answer")
    answer = phone.locator("#answer").inner_text()
    assert "Guichet bi dina ubbeeku" in answer and "Awa Diop" in answer
    assert serious(phone) == []
    phone.get_by_role("button", name="5", exact=True).click()
    phone.wait_for_selector("text=Jërëjëf ci sa xalaat")
    user.close()
