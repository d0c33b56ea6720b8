"""A visitor rates a visit from a QR poster on a phone, in Wolof; then with a ticket's code."""

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from teranga.listening.api import form_token
from teranga.listening.models import Response
from teranga.network.models import Counter, Site
from teranga.network.services import network_load, user_ensure
from teranga.reception import services as reception

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def dakar(transactional_db):
    network_load()
    site = Site.objects.get(code="DKR")
    counter = Counter.objects.filter(site=site).order_by("code").first()
    return site, counter


def test_qr_poster_form_in_wolof(page, dakar):
    site, counter = dakar
    page.goto(f"/avis/DKR/?t={form_token(site, counter)}&lang=wo")
    assert page.locator("html").get_attribute("lang") == "wo"
    assert counter.name in page.locator("main").inner_text()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Yónnee sama xalaat").click()  # nothing chosen yet
    assert page.locator(".error").first.is_visible()
    page.get_by_label("Contaan lool").check()
    page.get_by_role("group", name="Xaar bi baax na ?").get_by_label("Waaw").check()
    page.get_by_label("Am nga lu nga yokk ? (du warugar)").fill("Jërëjëf, 77 123 45 67")
    page.get_by_role("button", name="Yónnee sama xalaat").click()
    page.wait_for_url("**/avis/merci/")
    assert "Jërëjëf" in page.locator("h1").inner_text()
    assert serious_violations(page) == []
    row = Response.objects.get()
    assert (row.channel, row.counter, row.rating, row.wait_ok, row.language) == (
        "qr",
        counter,
        5,
        True,
        "wo",
    )
    assert "77 123" not in row.comment_masked


def test_rating_with_the_code_printed_on_the_ticket(page, dakar):
    site, counter = dakar
    agent, _ = user_ensure(username="awa", password="une-phrase-longue")
    from teranga.network.models import Role
    from teranga.network.services import role_grant

    role_grant(user=agent, role=Role.AGENT, site=site)
    procedure = site.procedures.first()
    ticket, _ = reception.ticket_issue(
        site=site, procedure_code=procedure.code, client_id=uuid.uuid4(), user=agent
    )
    reception.counter_open(counter=counter, agent=agent)
    called = reception.ticket_call_next(counter=counter, agent=agent)
    reception.ticket_start(ticket=called, agent=agent)
    reception.ticket_finish(ticket=called, agent=agent)  # a visit is rated once served
    page.goto("/avis/code/")
    assert serious_violations(page) == []
    page.get_by_label("Code avis imprimé sur votre ticket").fill(ticket.feedback_code)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(f"**/avis/ticket/{ticket.public_id}/")
    assert ticket.number in page.locator("main").inner_text()
    page.get_by_label("Mécontent", exact=True).check()
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/avis/merci/")
    row = Response.objects.get()
    assert (row.ticket_id, row.channel, row.rating, row.agent) == (ticket.pk, "ticket", 2, agent)
