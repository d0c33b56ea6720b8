"""A USSD conversation through the real callback format (form-encoded POST, CON/END text)."""

import pytest

from teranga.listening.models import Response
from teranga.listening.ussd import SCREEN_MAX
from tests.factories import DepartmentFactory, RegionFactory, SiteFactory

URL = "/api/v1/channels/ussd"


def step(client, text, session="ATUid_1", phone="+221771234567", **extra):
    answer = client.post(
        URL,
        {"sessionId": session, "serviceCode": "*384*46#", "phoneNumber": phone, "text": text},
        REMOTE_ADDR="127.0.0.1",
        **extra,
    )
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("text/plain")
    reply = answer.content.decode()
    assert reply.startswith(("CON ", "END "))
    assert len(reply) - 4 <= SCREEN_MAX, reply
    return reply


@pytest.fixture
def demo_mode(settings):
    settings.TERANGA_DEMO = True
    settings.CHANNELS_SECRET = ""


def test_rating_a_visit_with_the_ticket_code(client, served, demo_mode):
    ticket = served()
    assert step(client, "").startswith("CON Espaces Sénégal Services\n1 Noter une visite")
    assert "code avis" in step(client, "1")
    assert step(client, f"1*{ticket.feedback_code}").startswith("CON Votre note")
    assert "attente" in step(client, f"1*{ticket.feedback_code}*5")
    step(client, f"1*{ticket.feedback_code}*5*1")
    end = step(client, f"1*{ticket.feedback_code}*5*1*2")
    assert end.startswith("END Merci")
    row = Response.objects.get()
    assert (row.ticket, row.rating, row.wait_ok, row.resolved, row.channel) == (
        ticket,
        5,
        True,
        False,
        "ussd",
    )
    assert row.phone_hash and "771234567" not in row.phone_hash


def test_the_same_step_delivered_twice_gives_the_same_screen_and_stores_once(
    client, served, demo_mode
):
    ticket = served()
    path = f"1*{ticket.feedback_code}*4*1*1"
    first, second = step(client, path), step(client, path)
    assert first == second and first.startswith("END")
    assert Response.objects.count() == 1


def test_wolof_from_the_first_screen(client, served, demo_mode):
    ticket = served()
    menu = step(client, "2")
    assert "Natt sa ñëw" in menu and "Français" in menu
    assert "Bindal kodu xalaat" in step(client, "2*1")
    end = step(client, f"2*1*{ticket.feedback_code}*3*2*1")
    assert end.startswith("END Jërëjëf")
    assert Response.objects.get().language == "wo"


def test_wrong_inputs_reprompt_the_same_step(client, served, demo_mode):
    ticket = served()
    assert step(client, "7").startswith("CON Choix invalide.\nEspaces")
    assert step(client, "1*abc").startswith("CON Code inconnu.")
    assert step(client, "1*99999999").startswith("CON Code inconnu.")
    rating = step(client, f"1*{ticket.feedback_code}*9")
    assert rating.startswith("CON Tapez un chiffre de 1 à 5.")
    # The wrong inputs stay in `text`; the conversation goes on after them.
    assert step(client, f"1*{ticket.feedback_code}*9*4*1*1").startswith("END")
    assert Response.objects.count() == 1


def test_a_visit_already_rated_cannot_be_rated_again(client, served, demo_mode):
    ticket = served()
    step(client, f"1*{ticket.feedback_code}*4*1*1", session="one")
    again = step(client, f"1*{ticket.feedback_code}", session="two")
    assert again.startswith("CON Cette visite a déjà été notée.")


def test_without_a_ticket_the_user_picks_region_then_site(client, network, demo_mode):
    regions = step(client, "1*0")
    assert "Dakar" in regions and "0 Suite" in regions
    page_two = step(client, "1*0*0")
    assert "Ziguinchor" in page_two
    sites = step(client, "1*0*1")
    assert "Pikine" in sites
    end = step(client, "1*0*1*4*2*2*2")
    assert end.startswith("END Merci")
    row = Response.objects.get()
    assert row.site.department.name == "Pikine" and row.ticket is None and row.rating == 2


def test_every_screen_fits_in_wolof_and_french(client, network, demo_mode):
    for prefix in ("", "2*"):
        for path in (
            "",
            "1",
            "1*x",
            "1*0",
            "1*0*0",
            "1*0*1",
            "1*0*1*1",
            "1*0*1*1*4",
            "1*0*1*1*4*1",
        ):
            step(client, prefix + path)  # step() checks the length


def test_callbacks_need_the_secret_outside_the_demo(client, served, settings):
    settings.TERANGA_DEMO = False
    settings.CHANNELS_SECRET = "s3cret"
    data = {"sessionId": "x", "phoneNumber": "+221771234567", "text": ""}
    assert client.post(URL, data, REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.post(URL + "?secret=wrong", data).status_code == 403
    assert client.post(URL + "?secret=s3cret", data).status_code == 200
    assert client.post(URL, data, HTTP_X_TERANGA_SECRET="s3cret").status_code == 200


def test_the_allow_list_refuses_other_addresses(client, served, settings):
    settings.CHANNELS_SECRET = "s3cret"
    settings.CHANNELS_ALLOWED_IPS = ["10.0.0.0/8"]
    data = {"sessionId": "x", "text": ""}
    assert client.post(URL + "?secret=s3cret", data, REMOTE_ADDR="192.168.1.2").status_code == 403
    assert client.post(URL + "?secret=s3cret", data, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_demo_accepts_local_requests_only(client, served, demo_mode):
    data = {"sessionId": "x", "text": ""}
    assert client.post(URL, data, REMOTE_ADDR="192.168.1.2").status_code == 403


def test_missing_fields_from_the_aggregator_get_a_clear_error(client, demo_mode, db):
    answer = client.post(URL, {"text": "1"}, REMOTE_ADDR="127.0.0.1")
    assert answer.status_code == 422
    assert "sessionId" in answer.json()["detail"]


def test_a_choice_outside_the_list_reprompts(client, demo_mode, db):
    SiteFactory(code="ABC", department=DepartmentFactory(region__name="Matam", name="Matam"))
    assert step(client, "1*0*5").startswith("CON Choix invalide.")


def test_a_visit_still_in_the_queue_cannot_be_rated(client, issue, demo_mode):
    waiting = issue()
    screen = step(client, f"1*{waiting.feedback_code}")
    assert "une fois servi" in screen
    assert Response.objects.count() == 0


def test_regions_are_listed_as_a_reader_expects(client, db, demo_mode):
    for name in ("Kolda", "Kédougou", "Kaolack"):
        DepartmentFactory(region=RegionFactory(name=name, slug=name.lower()))
    menu = step(client, "1*0")  # no code: rate a centre, chosen by region
    assert menu.index("Kaolack") < menu.index("Kédougou") < menu.index("Kolda")
