import uuid

import pytest

from teranga.network.models import Role
from teranga.network.services import api_token_create, credential_revoke, device_create
from teranga.reception.models import Ticket
from tests.factories import SiteFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(desk):
    _, raw = device_create(site=desk["site"], kind="kiosk")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def agent_auth(desk):
    _, raw = api_token_create(user=desk["agent"])
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, body=None, headers=None):
    return client.post(url, data=body or {}, content_type="application/json", headers=headers or {})


def issue_body(**extra):
    return {"procedure": "NAISS", "client_id": str(uuid.uuid4()), **extra}


def test_a_kiosk_issues_a_ticket_with_the_documented_shape(client, kiosk):
    response = post(client, "/api/v1/sites/DKR/tickets", issue_body(), kiosk)
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "A-001"
    assert body["procedure"] == "NAISS" and body["site"] == "DKR"
    assert body["position"] == 0 and body["estimated_wait_minutes"] >= 1
    assert len(body["feedback_code"]) == 8
    assert body["tracking_url"].startswith("http://testserver/accueil/ticket/")
    assert body["counter"] is None and body["status"] == "waiting"


def test_a_retried_client_id_returns_the_same_ticket_with_200(client, kiosk):
    body = issue_body()
    first = post(client, "/api/v1/sites/DKR/tickets", body, kiosk)
    again = post(client, "/api/v1/sites/DKR/tickets", body, kiosk)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (issue_body(procedure="NOPE"), 422, "NOPE"),
        (issue_body(phone="+221771234567"), 422, "accord"),
        (issue_body(phone="0000", sms_consent=True), 422, "pas valide"),
        (issue_body(client_id="not-a-uuid"), 422, "client_id"),
        (issue_body(priority="vip"), 422, "priority"),
        ({"client_id": str(uuid.uuid4())}, 422, "procedure"),
    ],
)
def test_bad_tickets_get_a_clear_4xx_and_nothing_is_written(client, kiosk, body, status, fragment):
    response = post(client, "/api/v1/sites/DKR/tickets", body, kiosk)
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    # Every 422 is an InvalidOut, whether the schema or the service refused it.
    assert fragment in " ".join(e["message"] + e["field"] for e in response.json()["errors"])
    assert not Ticket.objects.exists()


def test_a_revoked_or_foreign_kiosk_cannot_issue(client, desk):
    device, raw = device_create(site=desk["site"], kind="kiosk")
    credential_revoke(credential=device)
    response = post(
        client, "/api/v1/sites/DKR/tickets", issue_body(), {"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 401
    _, foreign = device_create(site=SiteFactory(code="THS"), kind="kiosk")
    response = post(
        client, "/api/v1/sites/DKR/tickets", issue_body(), {"Authorization": f"Bearer {foreign}"}
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_closed_site_refuses_tickets_with_409(client, kiosk, desk):
    desk["site"].status = "closed"
    desk["site"].save()
    response = post(client, "/api/v1/sites/DKR/tickets", issue_body(), kiosk)
    assert response.status_code == 409


def test_the_agent_flow_through_the_api(client, kiosk, agent_auth, desk):
    post(client, "/api/v1/sites/DKR/tickets", issue_body(), kiosk)
    counters = client.get("/api/v1/sites/DKR/counters", headers=agent_auth).json()
    g1 = next(c for c in counters if c["code"] == "G1")
    assert g1["is_open"] is False
    opened = post(client, f"/api/v1/counters/{g1['id']}/open", headers=agent_auth)
    assert opened.status_code == 200 and opened.json()["agent"] == "awa"
    called = post(client, f"/api/v1/counters/{g1['id']}/call-next", headers=agent_auth)
    assert called.status_code == 200
    ticket = called.json()
    assert (ticket["number"], ticket["counter"], ticket["status"]) == ("A-001", "G1", "called")
    queue = client.get("/api/v1/sites/DKR/queue").json()
    assert queue["calls"][0]["number"] == "A-001" and queue["calls"][0]["counter"] == "G1"
    for action in ("recall", "start"):
        assert (
            post(client, f"/api/v1/tickets/{ticket['id']}/{action}", headers=agent_auth).status_code
            == 200
        )
    finished = post(
        client, f"/api/v1/tickets/{ticket['id']}/finish", {"outcome": "redirected"}, agent_auth
    )
    assert finished.json()["status"] == "finished"
    nobody = post(client, f"/api/v1/counters/{g1['id']}/call-next", headers=agent_auth)
    assert nobody.status_code == 204


def test_illegal_transitions_are_409_with_a_reason(client, kiosk, agent_auth, desk):
    ticket = post(client, "/api/v1/sites/DKR/tickets", issue_body(), kiosk).json()
    response = post(client, f"/api/v1/tickets/{ticket['id']}/finish", headers=agent_auth)
    assert response.status_code == 409
    assert "appelé" in response.json()["detail"]
    closed = post(client, f"/api/v1/counters/{desk['g3'].pk}/call-next", headers=agent_auth)
    assert closed.status_code == 409


def test_another_sites_agent_is_refused_with_403(client, kiosk, desk):
    outsider = staff(Role.AGENT, site=SiteFactory(code="THS"))
    _, raw = api_token_create(user=outsider)
    headers = {"Authorization": f"Bearer {raw}"}
    ticket = post(client, "/api/v1/sites/DKR/tickets", issue_body(), kiosk).json()
    assert (
        post(client, f"/api/v1/counters/{desk['g1'].pk}/open", headers=headers).status_code == 403
    )
    assert (
        post(client, f"/api/v1/tickets/{ticket['id']}/recall", headers=headers).status_code == 403
    )
    assert client.get("/api/v1/sites/DKR/counters", headers=headers).status_code == 403
    assert post(client, "/api/v1/sites/DKR/tickets", issue_body(), headers).status_code == 403


def test_devices_cannot_work_at_counters(client, kiosk, desk):
    assert post(client, f"/api/v1/counters/{desk['g1'].pk}/open", headers=kiosk).status_code == 403


def test_the_public_queue_holds_no_personal_data(
    client, kiosk, desk, django_assert_max_num_queries
):
    for _ in range(3):
        post(
            client,
            "/api/v1/sites/DKR/tickets",
            issue_body(phone="+221771234567", sms_consent=True),
            kiosk,
        )
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/sites/DKR/queue")
    text = response.content.decode()
    assert "771234567" not in text and "feedback" not in text
    assert response.json()["waiting"] == [{"procedure": "NAISS", "line": "A", "waiting": 3}]


def test_unknown_ids_are_json_404(client, agent_auth):
    assert post(client, "/api/v1/counters/999999/open", headers=agent_auth).status_code == 404
    assert post(client, "/api/v1/tickets/999999/start", headers=agent_auth).status_code == 404
    assert client.get("/api/v1/sites/NOPE/queue").status_code == 404
