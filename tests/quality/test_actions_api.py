"""Action-plan and training API: scoped, 403 outside scope or for read-only roles, 409 for
illegal transitions, 422 for bad input, nothing written on refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from teranga.network.models import AuditEntry, Role
from teranga.network.services import api_token_create
from teranga.quality.models import Action, ActionUpdate, Attendance, TrainingSession
from teranga.quality.services import referential_publish_default
from tests.factories import staff


def _bearer(user):
    _token, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def p(two_sites, national_admin):
    referential_publish_default()
    dakar, thies = two_sites
    return {
        "dakar": dakar,
        "admin": national_admin,
        "officer": staff(Role.QUALITY_OFFICER, site=dakar, username="qualite"),
        "agent": staff(Role.AGENT, site=dakar, username="agent"),
        "thies_officer": staff(Role.QUALITY_OFFICER, site=thies, username="qualite.ths"),
        "thies_agent": staff(Role.AGENT, site=thies, username="agent.ths"),
        "partner": staff(Role.PARTNER, username="partner"),
    }


def _body(**extra):
    return {
        "title": "Réduire l'attente",
        "owner": "agent",
        "due_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "criterion": "ACC-2.1",
        "indicator": "served_within_target_pct",
        "expected_value": 80,
        **extra,
    }


def _post(client, user, url, body):
    return client.post(url, body, content_type="application/json", **_bearer(user))


def _written() -> tuple[int, int, int]:
    quality = AuditEntry.objects.filter(action__startswith="quality.").exclude(
        action="quality.referential_publish"
    )
    return Action.objects.count(), ActionUpdate.objects.count(), quality.count()


def test_create_list_progress_and_read_an_action(client, p):
    created = _post(client, p["officer"], "/api/v1/sites/DKR/quality/actions", _body())
    assert created.status_code == 201, created.content
    action = created.json()
    assert (action["origin"], action["criterion"], action["status"]) == (
        "criterion",
        "ACC-2.1",
        "planned",
    )
    url = f"/api/v1/quality/actions/{action['id']}"
    moved = _post(client, p["officer"], url + "/progress", {"status": "done", "note": "Fait"})
    assert moved.status_code == 200 and moved.json()["done_on"] == timezone.localdate().isoformat()
    assert moved.json()["updates"][0]["note"] == "Fait"
    plan = client.get("/api/v1/sites/DKR/quality/actions", **_bearer(p["partner"])).json()
    assert plan["counts"]["done_on_time"] == 1 and plan["actions"][0]["status"] == "done"
    overview = client.get("/api/v1/quality/actions", **_bearer(p["admin"])).json()
    assert {row["site"]: row["done_on_time"] for row in overview} == {"DKR": 1, "THS": 0}
    edited = client.put(
        url,
        _body(title="Autre"),
        content_type="application/json",
        **_bearer(p["officer"]),
    )
    assert edited.status_code == 409  # a done action is not edited


@pytest.mark.parametrize(
    ("who", "code"),
    [("thies_officer", "DKR"), ("partner", "DKR"), ("agent", "DKR")],
)
def test_writing_outside_ones_quality_scope_is_403_and_writes_nothing(client, p, who, code):
    response = _post(client, p[who], f"/api/v1/sites/{code}/quality/actions", _body())
    assert response.status_code == 403 and _written() == (0, 0, 0)


def test_reading_another_sites_plan_is_403(client, p):
    response = client.get("/api/v1/sites/DKR/quality/actions", **_bearer(p["thies_officer"]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"due_date": "2020-01-01"}, "passé"),
        ({"owner": "agent.ths"}, "personnel"),
        ({"owner": "nobody"}, "personnel"),
        ({"indicator": "bogus"}, "Indicateur inconnu"),
        ({"criterion": "ZZZ-9"}, "Unknown criterion"),
        ({"criterion": None, "finding": 12345}, "Unknown finding"),
        ({"title": ""}, "intitulé"),
        ({"due_date": "not a date"}, "due_date"),
    ],
)
def test_bad_input_is_422_with_a_reason_and_writes_nothing(client, p, extra, reason):
    response = _post(client, p["officer"], "/api/v1/sites/DKR/quality/actions", _body(**extra))
    assert response.status_code == 422, response.content
    assert reason.lower() in response.json()["detail"].lower()
    assert _written() == (0, 0, 0)


def test_an_illegal_transition_is_409_and_changes_nothing(client, p):
    action = _post(client, p["officer"], "/api/v1/sites/DKR/quality/actions", _body()).json()
    url = f"/api/v1/quality/actions/{action['id']}/progress"
    assert _post(client, p["officer"], url, {"status": "done"}).status_code == 200
    before = _written()
    response = _post(client, p["officer"], url, {"status": "in_progress", "note": "reprise"})
    assert response.status_code == 409 and "detail" in response.json()
    assert _written() == before
    other = _post(client, p["thies_officer"], url, {"note": "x"})
    assert other.status_code == 403 and _written() == before


def test_training_sessions_attendance_and_share_through_the_api(client, p):
    created = _post(
        client, p["admin"], "/api/v1/quality/training/sessions",
        {"topic": "Référentiel ESS", "trainer": "Qualis", "held_on": "2026-01-10",
         "place": "Dakar", "site": None},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["site"] is None
    url = f"/api/v1/quality/training/sessions/{created.json()['id']}/attendance"
    marked = client.put(
        url,
        {"site": "DKR", "marks": [{"user": "agent", "present": True}]},
        content_type="application/json",
        **_bearer(p["officer"]),
    )
    assert marked.status_code == 200 and marked.json() == [{"user": "agent", "present": True}]
    share = client.get("/api/v1/sites/DKR/quality/training", **_bearer(p["partner"])).json()
    assert (share["trained"], share["staff"], share["share_pct"]) == (1, 2, 50.0)
    assert [x["user"] for x in share["people"] if x["trained_on"] is None] == ["qualite"]
    sessions = client.get("/api/v1/quality/training/sessions", **_bearer(p["agent"])).json()
    assert sessions[0]["present"] == 1


def test_training_refusals_write_nothing(client, p):
    session = TrainingSession.objects.create(
        topic="Référentiel", trainer="Qualis", held_on=timezone.localdate(), place="Dakar"
    )
    url = f"/api/v1/quality/training/sessions/{session.pk}/attendance"

    def put(user, body):
        return client.put(url, body, content_type="application/json", **_bearer(user))

    mixed = {"site": "DKR", "marks": [{"user": "agent", "present": True},
                                       {"user": "agent.ths", "present": True}]}  # fmt: skip
    assert put(p["officer"], mixed).status_code == 422
    assert put(p["officer"], {"site": "THS", "marks": []}).status_code == 403
    assert put(p["partner"], {"site": "DKR", "marks": []}).status_code == 403
    assert not Attendance.objects.exists()
    national = {"topic": "X", "trainer": "Y", "held_on": "2026-01-10", "place": "Z"}
    assert (
        _post(client, p["officer"], "/api/v1/quality/training/sessions", national).status_code
        == 403
    )
    partner = _post(
        client, p["partner"], "/api/v1/quality/training/sessions", national | {"site": "DKR"}
    )
    assert partner.status_code == 403 and TrainingSession.objects.count() == 1
    other = client.get("/api/v1/sites/DKR/quality/training", **_bearer(p["thies_officer"]))
    assert other.status_code == 403
