"""A morning at the counter, in a real browser: the kiosk issues a ticket, the agent calls
and serves it from the console, the display shows the call, the phone page follows it."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.network.models import Role
from teranga.network.services import device_create
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    CounterFactory,
    ProcedureFactory,
    SiteFactory,
    staff,
)

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
    civil = CategoryFactory(code="ETATCIVIL", letter="A", name_fr="État civil", pictogram="family")
    birth = ProcedureFactory(code="NAISS", category=civil, name_fr="Extrait d'acte de naissance")
    site.procedures.set([birth])
    CounterFactory(site=site, code="G1", name="Guichet 1")
    return site


def test_a_ticket_from_kiosk_to_counter(browser, live_server, site):
    _, token = device_create(site=site, kind="kiosk")
    staff(Role.AGENT, site=site, username="awa")

    kiosk = browser.new_context(base_url=live_server.url).new_page()
    kiosk.set_default_timeout(10_000)
    kiosk.goto(f"/accueil/DKR/borne/#token={token}")
    assert serious(kiosk) == []
    kiosk.click('button.line[data-letter="A"]')
    kiosk.click('button.procedure[data-code="NAISS"]')
    kiosk.click("#take-ticket")
    number = kiosk.locator("#ticket-number")
    number.wait_for()
    assert number.inner_text().strip() == "A-001"
    assert kiosk.locator("#ticket-feedback").inner_text().strip()
    tracking = kiosk.locator("#ticket-link").get_attribute("href")

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    ).new_page()
    phone.goto(tracking)
    assert "A-001" in phone.locator("h1").inner_text()
    assert serious(phone) == []

    display = browser.new_context(base_url=live_server.url).new_page()
    display.goto("/accueil/DKR/ecran/")
    assert serious(display) == []

    console = browser.new_context(base_url=live_server.url).new_page()
    console.set_default_timeout(10_000)
    console.goto("/connexion/")
    console.fill("#id_username", "awa")
    console.fill("#id_password", PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.wait_for_url("**/espace-pro/")
    console.goto("/accueil/DKR/guichet/")
    console.get_by_role("button", name="Guichet 1").click()
    console.get_by_role("button", name="Appeler le suivant").click()
    console.locator("#current-ticket").wait_for()
    assert "A-001" in console.locator("#current-ticket").inner_text()

    display.locator(".call .call-number", has_text="A-001").wait_for(timeout=10_000)
    assert "Guichet 1" in display.locator("#calls").inner_text()

    phone.reload()
    assert "Guichet 1" in phone.locator("#ticket-status").inner_text()

    console.get_by_role("button", name="Commencer le service").click()
    console.get_by_role("button", name="Terminer").click()
    console.get_by_role("button", name="Appeler le suivant").wait_for()
    phone.reload()
    assert "servi" in phone.locator("#ticket-status").inner_text()


def test_a_wolof_visit_at_a_landscape_kiosk(browser, live_server, site):
    """On a 1280 × 800 tablet the button stays on screen with the SMS keypad open; a refusal
    goes once the number is typed; the phone page speaks the ticket's language; the next
    visitor finds the kiosk in French again."""
    _, token = device_create(site=site, kind="kiosk")
    kiosk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    ).new_page()
    kiosk.set_default_timeout(10_000)
    kiosk.goto(f"/accueil/DKR/borne/#token={token}")
    kiosk.click("a[hreflang=wo]")
    kiosk.wait_for_selector("html[lang=wo]")
    kiosk.click('button.line[data-letter="A"]')
    kiosk.click('button.procedure[data-code="NAISS"]')
    kiosk.check("#sms-consent")
    box = kiosk.locator("#take-ticket").bounding_box()
    assert box["y"] + box["height"] <= 800
    kiosk.click("#take-ticket")
    error = kiosk.locator("#kiosk-error")
    error.wait_for()
    kiosk.click('#keypad button[data-key="7"]')
    error.wait_for(state="hidden")
    for key in "71234567":
        kiosk.click(f'#keypad button[data-key="{key}"]')
    kiosk.click("#take-ticket")
    kiosk.locator("#ticket-number").wait_for()
    tracking = kiosk.locator("#ticket-link").get_attribute("href")

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    ).new_page()
    phone.goto(tracking)
    assert phone.locator("html").get_attribute("lang") == "wo"

    kiosk.click("#ticket-done")
    kiosk.wait_for_selector("html[lang=fr]")
    kiosk.locator("#screen-lines").wait_for()
    assert serious(kiosk) == []
