"""Recording ratings through the API: every channel's rules, idempotency and bad input."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from teranga.listening.api import form_token
from teranga.listening.models import Response
from teranga.network.models import Role
from teranga.network.services import api_token_create
from tests.factories import SiteFactory, staff

URL = "/api/v1/feedback/responses"


def post(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, body, content_type="application/json", **headers)


def body(site="DKR", **extra):
    return {"client_id": str(uuid.uuid4()), "site": site, "channel": "tablet", "rating": 4, **extra}


def test_tablet_rating_is_recorded_once_even_when_replayed(client, desk, tablet):
    device, raw = tablet
    payload = body(wait_ok=True, answered_at=(timezone.now() - timedelta(hours=3)).isoformat())
    first = post(client, payload, raw)
    assert first.status_code == 201, first.content
    again = post(client, payload, raw)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    row = Response.objects.get()
    assert row.device == device and row.wait_ok is True and row.channel == "tablet"


def test_tablet_pressed_again_too_soon_is_refused(client, desk, tablet):
    _, raw = tablet
    now = timezone.now()
    assert post(client, body(answered_at=now.isoformat()), raw).status_code == 201
    soon = post(client, body(answered_at=(now + timedelta(seconds=1)).isoformat()), raw)
    assert soon.status_code == 409
    later = post(client, body(answered_at=(now - timedelta(seconds=30)).isoformat()), raw)
    assert later.status_code == 201
    assert Response.objects.count() == 2


def test_ticket_link_ties_the_rating_to_the_visit_once(client, desk, served):
    ticket = served()
    answer = post(client, body(channel="ticket", ticket=str(ticket.public_id), comment="Rapide"))
    assert answer.status_code == 201, answer.content
    row = Response.objects.get()
    assert (row.ticket, row.counter, row.agent, row.procedure) == (
        ticket,
        desk["g1"],
        desk["agent"],
        ticket.procedure,
    )
    second = post(client, body(channel="qr", feedback_code=ticket.feedback_code, rating=1))
    assert second.status_code == 409
    assert "déjà été notée" in second.json()["detail"]
    assert Response.objects.count() == 1


def test_feedback_code_alone_is_enough_and_an_unknown_one_is_refused(client, desk, served):
    ticket = served()
    assert post(client, body(channel="web", feedback_code="00000000")).status_code == 422
    answer = post(client, body(channel="web", feedback_code=ticket.feedback_code))
    assert answer.status_code == 201
    assert answer.json()["ticket"] == ticket.number


def test_qr_form_token_names_site_and_counter(client, desk):
    token = form_token(desk["site"], desk["g2"])
    answer = post(client, body(channel="qr", token=token, rating=5))
    assert answer.status_code == 201
    assert Response.objects.get().counter == desk["g2"]
    forged = post(client, body(channel="qr", token=token[:-3] + "abc"))
    assert forged.status_code == 422
    other = SiteFactory(code="THS")
    assert post(client, body(site=other.code, channel="qr", token=token)).status_code == 422


def test_anonymous_rating_without_any_proof_is_refused(client, desk):
    answer = post(client, body(channel="web"))
    assert answer.status_code == 401
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    "change, status",
    [
        ({"rating": 0}, 422),
        ({"rating": 6}, 422),
        ({"rating": "four"}, 422),
        ({"channel": "fax"}, 422),
        ({"client_id": "not-a-uuid"}, 422),
        ({"comment": "x" * 1001}, 422),
        ({"answered_at": "2099-01-01T10:00:00Z"}, 422),
        ({"answered_at": "2020-01-01T10:00:00Z"}, 422),
        ({"answered_at": "2026-11-30T10:00:00"}, 422),
        ({"site": "XXX"}, 404),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, desk, tablet, change, status):
    _, raw = tablet
    answer = post(client, body(**change), raw)
    assert answer.status_code == status, answer.content
    assert answer.json()["detail"]
    assert Response.objects.count() == 0


def test_a_tablet_of_another_site_is_refused(client, desk, tablet):
    _, raw = tablet
    SiteFactory(code="THS")
    assert post(client, body(site="THS"), raw).status_code == 403


def test_revoked_or_unknown_device_token_is_refused(client, desk):
    assert post(client, body(), "tgd_" + "a" * 43).status_code == 401


def test_public_submissions_are_rate_limited_per_address(client, desk, served, settings):
    settings.FEEDBACK_LIMIT_PER_HOUR = 2
    codes = [served().feedback_code for _ in range(3)]
    statuses = [post(client, body(channel="web", feedback_code=c)).status_code for c in codes]
    assert statuses == [201, 201, 429]
    assert Response.objects.count() == 2


def test_comment_is_masked_before_any_public_use(client, desk, served):
    ticket = served()
    post(
        client,
        body(
            channel="ticket",
            ticket=str(ticket.public_id),
            comment="Madame Ndiaye m'a aidé, appelez-moi au 77 123 45 67",
        ),
    )
    row = Response.objects.get()
    assert "77 123" not in row.comment_masked and "Ndiaye" not in row.comment_masked
    assert row.moderation == Response.Moderation.PENDING


def test_satisfaction_api_follows_the_minimum_sample_rule(client, desk, settings):
    settings.FEEDBACK_MIN_SAMPLE = 3
    manager = staff(Role.SITE_MANAGER, site=desk["site"])
    _, raw = api_token_create(user=manager)
    token = form_token(desk["site"])
    url = f"/api/v1/sites/DKR/satisfaction?from={timezone.localdate()}&to={timezone.localdate()}"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for rating in (5, 2):
        post(client, body(channel="qr", token=token, rating=rating))
    few = client.get(url, **headers).json()
    assert few["responses"] == 2 and few["enough_answers"] is False
    assert few["satisfaction_rate"] is None
    post(client, body(channel="qr", token=token, rating=4))
    enough = client.get(url, **headers).json()
    assert enough["enough_answers"] is True
    assert enough["satisfaction_rate"] == pytest.approx(2 / 3)
    assert enough["net_satisfaction"] == pytest.approx(1 / 3)
    assert enough["ci_low"] < 2 / 3 < enough["ci_high"]
    tablet_only = client.get(url + "&channel=tablet", **headers).json()
    assert tablet_only["responses"] == 0


def test_satisfaction_of_another_site_is_refused(client, desk):
    other = SiteFactory(code="THS")
    agent = staff(Role.SITE_MANAGER, site=other)
    _, raw = api_token_create(user=agent)
    answer = client.get("/api/v1/sites/DKR/satisfaction", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code in (403, 404)
