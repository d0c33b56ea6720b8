import pytest
from django.urls import reverse

from teranga.network.models import Role
from teranga.reception import selectors, services
from teranga.reception.models import Ticket
from tests.factories import SiteFactory, staff

pytestmark = pytest.mark.django_db


def test_the_ticket_page_follows_the_ticket_without_personal_data(client, issue, desk):
    ticket = issue(phone="771234567", sms_consent=True)
    url = reverse("ticket-public", args=[ticket.public_id])
    page = client.get(url).content.decode()
    assert "A-001" in page and "771234567" not in page and ticket.feedback_code not in page
    assert 'data-refresh="20"' in page  # ticket.js refreshes it
    services.counter_open(counter=desk["g1"], agent=desk["agent"])
    services.ticket_call_next(counter=desk["g1"], agent=desk["agent"])
    page = client.get(url).content.decode()
    assert "allez au " + desk["g1"].name in page or desk["g1"].name in page


def test_the_ticket_page_speaks_wolof(client, issue):
    ticket = issue()
    client.get("/?lang=wo")
    page = client.get(reverse("ticket-public", args=[ticket.public_id])).content.decode()
    assert '<html lang="wo">' in page


def test_the_ticket_page_speaks_the_language_the_ticket_was_taken_in(client, issue):
    ticket = issue(language="wo")
    url = reverse("ticket-public", args=[ticket.public_id])
    response = client.get(url)
    assert '<html lang="wo">' in response.content.decode()
    assert response["Content-Language"] == "wo"
    client.get("/?lang=fr")  # a visitor's own choice wins
    assert '<html lang="fr">' in client.get(url).content.decode()


def test_an_unknown_ticket_is_404(client, db):
    assert client.get("/accueil/ticket/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_qr_code_is_an_svg_pointing_to_the_ticket_page(client, issue):
    ticket = issue()
    response = client.get(reverse("ticket-qr", args=[ticket.public_id]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_the_console_works_without_javascript(login, issue, desk):
    client = login(desk["agent"])
    url = reverse("reception-console", args=["DKR"])
    action = reverse("reception-console-action", args=["DKR"])
    assert "Guichet" in client.get(url).content.decode()
    issue()
    client.post(action, {"action": "open", "counter": desk["g1"].pk})
    client.post(action, {"action": "call-next"})
    ticket = Ticket.objects.get()
    assert ticket.status == "called"
    client.post(action, {"action": "start", "ticket": ticket.pk})
    response = client.post(
        action, {"action": "finish", "ticket": ticket.pk, "outcome": "done"}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.status == "finished"
    assert response.redirect_chain[-1][0] == url


def test_the_console_says_what_each_action_did_and_names_the_waiting_procedures(login, issue, desk):
    client = login(desk["agent"])
    action = reverse("reception-console-action", args=["DKR"])
    htmx = {"HX-Request": "true"}
    first, second = issue(), issue("CASIER")
    client.post(action, {"action": "open", "counter": desk["g1"].pk}, headers=htmx)
    page = client.post(action, {"action": "call-next"}, headers=htmx).content.decode()
    assert desk["record"].name_fr in page  # the waiting list names B's procedure, not its code
    assert "· B · CASIER" not in page
    steps = [
        ({"action": "recall", "ticket": first.pk}, "A-001 est rappelé."),
        (
            {"action": "transfer", "ticket": first.pk, "to_counter": "G2"},
            f"A-001 est transféré vers {desk['g2'].name} et garde sa place.",
        ),
    ]
    for data, said in steps:
        assert said in client.post(action, data, headers=htmx).content.decode()
    client.post(action, {"action": "call-next"}, headers=htmx)  # B-001: G1 serves every line
    page = client.post(
        action, {"action": "no-show", "ticket": second.pk}, headers=htmx
    ).content.decode()
    assert "B-001 est marqué absent." in page
    first.refresh_from_db()
    assert first.target_counter == desk["g2"]


def test_the_console_answers_htmx_with_the_panel_and_shows_refusals(login, issue, desk):
    client = login(desk["agent"])
    action = reverse("reception-console-action", args=["DKR"])
    response = client.post(action, {"action": "call-next"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<div id="console-panel"' in response.content.decode()
    ticket = issue()
    response = client.post(
        action, {"action": "finish", "ticket": ticket.pk}, headers={"HX-Request": "true"}
    )
    assert "pas été appelé" in response.content.decode()


def test_another_sites_staff_is_refused_from_console_and_live_view(login, desk):
    outsider = staff(Role.SITE_MANAGER, site=SiteFactory(code="THS"))
    client = login(outsider)
    for name in ("reception-console", "reception-live"):
        assert client.get(reverse(name, args=["DKR"])).status_code == 403
    response = client.post(
        reverse("reception-console-action", args=["DKR"]),
        {"action": "open", "counter": desk["g1"].pk},
    )
    assert response.status_code == 403


def test_the_live_view_is_for_managers_and_shows_todays_figures(
    login, issue, desk, client, django_assert_max_num_queries
):
    issue()
    issue("CASIER")
    assert login(desk["agent"]).get(reverse("reception-live", args=["DKR"])).status_code == 403
    client.logout()
    manager = staff(Role.SITE_MANAGER, site=desk["site"])
    client = login(manager)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("reception-live", args=["DKR"])).content.decode()
    assert '<strong id="fig-waiting">2</strong>' in page
    assert '<strong id="fig-issued">2</strong>' in page
    assert f"<td>{desk['record'].name_fr}</td>" in page
    client.get("/?lang=wo")
    page = client.get(reverse("reception-live", args=["DKR"])).content.decode()
    assert f"<td>{desk['record'].name_wo}</td>" in page  # procedure names follow the page


def test_the_kiosk_states_the_retention_period_and_plain_deadlines(client, desk, settings):
    settings.TICKET_PHONE_RETENTION_DAYS = 45
    desk["birth"].deadline_min_days, desk["birth"].deadline_max_days = 0, 1
    desk["birth"].save()
    desk["record"].deadline_min_days, desk["record"].deadline_max_days = 0, 3
    desk["record"].save()
    page = client.get(reverse("reception-kiosk", args=["DKR"])).content.decode()
    assert "effacé après 45 jours" in page
    assert "jusqu'à 1 jour ouvré" in page and "jusqu'à 3 jours ouvrés" in page
    assert "3 à 10 jours ouvrés" in page  # the marriage's 3 to 10 days stay a range
    assert "0 à" not in page
    client.get("/?lang=wo")
    page = client.get(reverse("reception-kiosk", args=["DKR"])).content.decode()
    assert "ginnaaw 45 fan" in page and "ba 3 bésu liggéey" in page


def test_the_kiosk_and_display_pages_are_served(client, desk):
    for name in ("reception-kiosk", "reception-display"):
        response = client.get(reverse(name, args=["DKR"]))
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" not in response.content
    assert client.get(reverse("reception-kiosk", args=["NOPE"])).status_code == 404


def test_the_ticket_page_says_when_you_are_next(client, issue):
    first = issue()
    page = client.get(reverse("ticket-public", args=[first.public_id])).content.decode()
    assert "Vous serez appelé très bientôt" in page and "0 personne" not in page
    _, minutes = selectors.ticket_estimate(first)
    said = "environ 1 minute<" if minutes == 1 else f"environ {minutes} minutes<"
    assert said in page.split('id="ticket-wait"')[1].split("</p>")[0]


def test_the_console_says_what_it_did_in_wolof_too(login, issue, desk):
    client = login(desk["agent"])
    client.get("/?lang=wo")
    action = reverse("reception-console-action", args=["DKR"])
    htmx = {"HX-Request": "true"}
    ticket = issue()
    client.post(action, {"action": "open", "counter": desk["g1"].pk}, headers=htmx)
    client.post(action, {"action": "call-next"}, headers=htmx)
    page = client.post(action, {"action": "recall", "ticket": ticket.pk}, headers=htmx)
    assert "A-001: dellu nañu ko woo." in page.content.decode()
