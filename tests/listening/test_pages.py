"""The public rating pages and the staff results, comments and export."""

import csv
import io
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from teranga.lib.errors import Conflict
from teranga.listening import services
from teranga.listening.api import form_token
from teranga.listening.models import Response
from teranga.network.models import Role
from tests.factories import SiteFactory, staff


def client_id_of(page) -> str:
    return re.search(r'name="client_id" value="([^"]+)"', page.content.decode()).group(1)


def rate(site, rating=4, channel="web", **extra):
    response, _ = services.response_record(
        site=site, channel=channel, rating=rating, client_id=uuid.uuid4(), **extra
    )
    return response


# --- public ------------------------------------------------------------------------------


def test_site_form_records_one_answer_even_when_sent_twice(client, desk):
    page = client.get("/avis/DKR/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    data = {"rating": "5", "wait_ok": "no", "comment": "Très bien", "client_id": client_id_of(page)}
    first = client.post("/avis/DKR/", data)
    assert first.status_code == 302 and first["Location"] == "/avis/merci/"
    assert client.post("/avis/DKR/", data).status_code == 302
    row = Response.objects.get()
    assert (row.channel, row.rating, row.wait_ok, row.courteous, row.language) == (
        "web",
        5,
        False,
        None,
        "fr",
    )


def test_each_page_shown_gets_its_own_client_id(client, desk):
    assert client_id_of(client.get("/avis/DKR/")) != client_id_of(client.get("/avis/DKR/"))


def test_form_in_wolof(client, desk):
    page = client.get("/avis/DKR/?lang=wo", follow=True)
    assert "Naka la sa ñëw demee" in page.content.decode()
    client.post("/avis/DKR/", {"rating": "3", "client_id": client_id_of(page)})
    assert Response.objects.get().language == "wo"


def test_qr_poster_token_names_the_counter(client, desk):
    token = form_token(desk["site"], desk["g3"])
    page = client.get(f"/avis/DKR/?t={token}")
    assert desk["g3"].name in page.content.decode()
    client.post("/avis/DKR/", {"rating": "4", "client_id": client_id_of(page), "t": token})
    row = Response.objects.get()
    assert (row.channel, row.counter) == ("qr", desk["g3"])


def test_forged_or_foreign_token_is_not_found(client, desk):
    SiteFactory(code="THS")
    assert client.get("/avis/DKR/?t=forged").status_code == 404
    assert client.get(f"/avis/THS/?t={form_token(desk['site'])}").status_code == 404


def test_missing_rating_is_shown_and_nothing_stored(client, desk):
    page = client.get("/avis/DKR/")
    answer = client.post("/avis/DKR/", {"client_id": client_id_of(page), "comment": "x"})
    assert answer.status_code == 200
    assert "Choisissez l&#x27;une des cinq réponses." in answer.content.decode()
    assert Response.objects.count() == 0


def test_oversized_comment_is_refused(client, desk):
    page = client.get("/avis/DKR/")
    data = {"rating": "4", "client_id": client_id_of(page), "comment": "x" * 1001}
    assert client.post("/avis/DKR/", data).status_code == 200
    assert Response.objects.count() == 0


def test_ticket_page_links_to_its_form_once_served(client, served):
    ticket = served()
    page = client.get(f"/accueil/ticket/{ticket.public_id}/").content.decode()
    assert f"/avis/ticket/{ticket.public_id}/" in page


def test_ticket_form_rates_the_visit_once(client, desk, served):
    ticket = served()
    url = f"/avis/ticket/{ticket.public_id}/"
    page = client.get(url)
    assert ticket.number in page.content.decode()
    client.post(url, {"rating": "2", "resolved": "no", "client_id": client_id_of(page)})
    row = Response.objects.get()
    assert (row.ticket, row.channel, row.agent, row.resolved) == (
        ticket,
        "ticket",
        desk["agent"],
        False,
    )
    again = client.get(url).content.decode()
    assert "déjà été notée" in again


def test_feedback_code_leads_to_the_visit_form(client, served):
    ticket = served()
    wrong = client.post("/avis/code/", {"code": "12"})
    assert "8 chiffres" in wrong.content.decode()
    unknown = client.post(
        "/avis/code/", {"code": "00000000" if ticket.feedback_code != "00000000" else "00000001"}
    )
    assert "Aucune visite" in unknown.content.decode()
    found = client.post("/avis/code/", {"code": ticket.feedback_code})
    assert found.status_code == 302
    assert found["Location"] == f"/avis/ticket/{ticket.public_id}/"


def test_a_visit_is_rated_once_served_not_while_in_the_queue(client, desk, issue, served):
    ticket = served()
    waiting = issue()
    refused = client.post("/avis/code/", {"code": waiting.feedback_code})
    assert "une fois servi" in refused.content.decode()
    page = client.get(f"/avis/ticket/{waiting.public_id}/").content.decode()
    assert "une fois servi" in page and 'name="rating"' not in page
    with pytest.raises(Conflict):
        services.response_record(
            site=desk["site"], channel="ticket", ticket=waiting, rating=5, client_id=uuid.uuid4()
        )
    assert Response.objects.count() == 0
    spaced = ticket.feedback_code[:4] + " " + ticket.feedback_code[4:]  # as read aloud
    assert client.post("/avis/code/", {"code": spaced}).status_code == 302


def test_a_ticket_taken_in_wolof_is_rated_in_wolof(client, served):
    ticket = served(language="wo")
    url = f"/avis/ticket/{ticket.public_id}/"
    page = client.get(url)
    assert '<html lang="wo">' in page.content.decode()
    thanks = client.post(url, {"rating": "4", "client_id": client_id_of(page)}, follow=True)
    assert '<html lang="wo">' in thanks.content.decode()
    assert Response.objects.get().language == "wo"


def test_switching_language_keeps_the_posters_counter(client, desk):
    token = form_token(desk["site"], desk["g3"])
    page = client.get(f"/avis/DKR/?t={token}").content.decode()
    assert f'href="?{urlencode({"t": token})}&amp;lang=wo"' in page
    switched = client.get(f"/avis/DKR/?t={token}&lang=wo", follow=True)
    assert desk["g3"].name in switched.content.decode()
    assert '<html lang="wo">' in switched.content.decode()


def test_public_site_page_offers_the_form(client, desk):
    page = client.get("/espaces/DKR/").content.decode()
    assert "/avis/DKR/" in page and "/avis/code/" in page


# --- staff -------------------------------------------------------------------------------


@pytest.fixture
def answers(desk, served, settings):
    settings.FEEDBACK_MIN_SAMPLE = 4
    site = desk["site"]
    ticket = served()
    rate(site, 5, channel="ticket", ticket=ticket, comment="Merci à Madame Ndiaye, 77 123 45 67")
    for rating in (4, 2, 5):
        rate(site, rating, counter=desk["g2"], wait_ok=True)
    return site


def test_results_show_rate_interval_and_breakdowns(login, answers, desk):
    manager = staff(Role.SITE_MANAGER, site=answers)
    page = login(manager).get("/espace-pro/sites/DKR/avis/").content.decode()
    assert 'id="fig-responses">4<' in page
    assert 'id="fig-satisfaction">75 %<' in page
    assert "intervalle à 95" in page
    assert "Par conseiller" in page and desk["g2"].name in page


def test_small_samples_are_not_given_as_a_rate(login, answers, settings):
    settings.FEEDBACK_MIN_SAMPLE = 30
    page = login(staff(Role.QUALITY_OFFICER, site=answers)).get("/espace-pro/sites/DKR/avis/")
    text = page.content.decode()
    assert "pas assez de réponses (au moins 30)" in text
    assert "75 %" not in text


def test_agents_breakdown_is_for_managers_only(login, answers):
    page = login(staff(Role.QUALITY_OFFICER, site=answers)).get("/espace-pro/sites/DKR/avis/")
    assert "Par conseiller" not in page.content.decode()


def test_period_and_channel_filters(login, answers):
    client = login(staff(Role.SITE_MANAGER, site=answers))
    page = client.get("/espace-pro/sites/DKR/avis/?channel=ticket").content.decode()
    assert 'id="fig-responses">1<' in page
    old = client.get("/espace-pro/sites/DKR/avis/?date_from=2020-01-01&date_to=2020-01-31")
    assert 'id="fig-responses">0<' in old.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/espace-pro/sites/DKR/avis/",
        "/espace-pro/sites/DKR/avis/commentaires/",
        "/espace-pro/sites/DKR/avis/export.csv",
    ],
)
def test_staff_of_another_site_is_refused(login, answers, url):
    other = SiteFactory(code="THS")
    assert login(staff(Role.SITE_MANAGER, site=other)).get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, answers):
    assert client.get("/espace-pro/sites/DKR/avis/").status_code == 302


def test_export_has_masked_comments_and_no_phone(login, answers):
    manager = staff(Role.SITE_MANAGER, site=answers)
    export = login(manager).get("/espace-pro/sites/DKR/avis/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert "77 123" not in text and "Ndiaye" not in text
    assert {row["agent"] for row in rows} == {"awa", ""}


def test_export_hides_agents_from_non_managers(login, answers):
    officer = staff(Role.QUALITY_OFFICER, site=answers)
    text = b"".join(login(officer).get("/espace-pro/sites/DKR/avis/export.csv").streaming_content)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert {row["agent"] for row in rows} == {""}


def test_quality_officer_publishes_a_masked_comment(login, answers):
    officer = staff(Role.QUALITY_OFFICER, site=answers)
    client = login(officer)
    response = Response.objects.exclude(comment="").get()
    page = client.get("/espace-pro/sites/DKR/avis/commentaires/").content.decode()
    assert "[nom]" in page and "[numéro]" in page
    client.post(
        f"/espace-pro/sites/DKR/avis/commentaires/{response.pk}/",
        {"decision": "published", "masked": "Merci à Madame Ndiaye, rappel au 77 123 45 67"},
    )
    response.refresh_from_db()
    assert response.moderation == "published"
    assert "Ndiaye" not in response.comment_masked and "77 123" not in response.comment_masked


def test_an_agent_cannot_moderate(login, answers):
    agent = staff(Role.AGENT, site=answers)
    response = Response.objects.exclude(comment="").get()
    answer = login(agent).post(
        f"/espace-pro/sites/DKR/avis/commentaires/{response.pk}/", {"decision": "published"}
    )
    assert answer.status_code == 403
    response.refresh_from_db()
    assert response.moderation == "pending"


def test_moderating_a_response_of_another_site_is_refused(login, answers):
    other = SiteFactory(code="THS")
    response = Response.objects.exclude(comment="").get()
    officer = staff(Role.QUALITY_OFFICER, site=other)
    answer = login(officer).post(
        f"/espace-pro/sites/THS/avis/commentaires/{response.pk}/", {"decision": "hidden"}
    )
    assert answer.status_code == 404


def test_anomaly_flags(login, desk, tablet, settings):
    settings.FEEDBACK_TABLET_MIN_INTERVAL_SECONDS = 0
    device, _ = tablet
    now = timezone.now().replace(second=5, microsecond=0)
    for second in range(6):
        rate(
            desk["site"],
            5,
            channel="tablet",
            device=device,
            answered_at=now.replace(second=second * 9),
        )
    rate(desk["site"], 3, channel="qr", counter=desk["g1"])  # no counter session open
    page = login(staff(Role.SITE_MANAGER, site=desk["site"])).get("/espace-pro/sites/DKR/avis/")
    text = page.content.decode()
    assert "Rafale : 6 notes" in text
    assert "à des heures où il était fermé" in text
