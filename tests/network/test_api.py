import pytest

from teranga.network.models import Role
from teranga.network.services import api_token_create, credential_revoke, device_create
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_version(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


def test_sites_lists_the_46_sites_with_the_documented_shape(client, network):
    response = client.get("/api/v1/sites")
    assert response.status_code == 200
    sites = response.json()
    assert len(sites) == 46
    dkr = next(s for s in sites if s["code"] == "DKR")
    assert dkr["name"] == "Espace Sénégal Services de Dakar"
    assert dkr["department"] == "Dakar"
    assert dkr["region"] == "Dakar"
    assert dkr["is_pilot"] is True
    assert dkr["status"] == "open"
    assert dkr["opening_hours"][0] == {"weekday": 0, "opens": "08:00", "closes": "17:00"}
    assert sum(s["is_pilot"] for s in sites) == 6


def test_sites_can_be_filtered_by_region_and_pilot_flag(client, network):
    in_region = client.get("/api/v1/sites", {"region": "saint-louis"}).json()
    assert sorted(s["code"] for s in in_region) == ["DGN", "PDR", "SLO"]
    pilots = client.get("/api/v1/sites", {"pilot": "true"}).json()
    assert sorted(s["code"] for s in pilots) == ["DKR", "FTK", "KLK", "LGA", "SLO", "THS"]


def test_sites_list_costs_the_same_queries_whatever_the_network_size(
    client, network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get("/api/v1/sites")


def test_one_site_has_its_procedures(client, network):
    body = client.get("/api/v1/sites/SLO").json()
    assert body["code"] == "SLO"
    assert body["region"] == "Saint-Louis"
    assert len(body["procedures"]) == 30  # a pilot offers the whole catalogue


def test_unknown_site_is_a_json_404_with_a_reason(client, network):
    response = client.get("/api/v1/sites/XYZ")
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown site 'XYZ'."}


def test_procedures_of_a_site_have_names_in_three_languages_and_deadlines(client, network):
    procedures = client.get("/api/v1/procedures", {"site": "PKN"}).json()
    assert 20 <= len(procedures) < 30  # not a pilot: pilot-only procedures are absent
    transcription = next(p for p in procedures if p["code"] == "ECTRANSC")
    assert set(transcription["names"]) == {"fr", "wo", "en"}
    assert transcription["deadline_min_days"] == 3
    assert transcription["deadline_max_days"] == 10
    assert transcription["fee_fcfa"] == 0
    assert transcription["category"]["letter"] == "A"
    assert transcription["documents"]


def test_whole_catalogue_without_site(client, network):
    assert len(client.get("/api/v1/procedures").json()) == 30


@pytest.mark.parametrize(
    ("url", "status", "fragment"),
    [
        ("/api/v1/procedures?site=NOPE", 404, "Unknown site 'NOPE'"),
        ("/api/v1/procedures?site=" + "X" * 40, 422, "site"),
        ("/api/v1/sites?pilot=maybe", 422, "pilot"),
        ("/api/v1/sites?region=atlantis", 404, "Unknown region"),
        # PostgreSQL refuses NUL bytes in text: an error, not a 500
        ("/api/v1/sites?region=dakar%00", 422, "region"),
        ("/api/v1/procedures?site=DKR%00", 422, "site"),
        ("/api/v1/does-not-exist", 404, "Not found"),
    ],
)
def test_bad_input_gets_a_clear_json_error(client, network, url, status, fragment):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert fragment in response.json()["detail"]


def test_an_oversized_body_is_refused_with_413(client, settings, two_sites):
    user = staff(Role.AGENT, site=two_sites[0])
    _, raw = api_token_create(user=user)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/me",
        data="x" * 5000,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    # documented on every operation that takes a body, and only there
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    issue = paths["/api/v1/sites/{code}/tickets"]["post"]["responses"]
    assert "413" in issue and "413" not in paths["/api/v1/health"]["get"]["responses"]


def test_a_wrong_method_gets_a_json_405(client, db):
    response = client.post("/api/v1/sites", data={}, content_type="application/json")
    assert response.status_code == 405
    assert "GET" in response.json()["detail"]


def test_openapi_document_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/health",
        "/api/v1/sites",
        "/api/v1/sites/{code}",
        "/api/v1/procedures",
        "/api/v1/me",
    } <= set(schema["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # served from our own static files


def test_a_staff_token_identifies_the_user_and_their_scope(client, two_sites):
    dkr, _ = two_sites
    user = staff(Role.SITE_MANAGER, site=dkr, username="awa")
    _, raw = api_token_create(user=user)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {
        "kind": "user",
        "username": "awa",
        "roles": ["site_manager"],
        "sites": ["DKR"],
        "device_kind": None,
    }


def test_a_device_token_identifies_the_device_and_its_site(client, two_sites):
    _, ths = two_sites
    device, raw = device_create(site=ths, kind="display")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["kind"] == "device"
    assert response.json()["device_kind"] == "display"
    assert response.json()["sites"] == ["THS"]
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_revoked_tokens_are_refused(client, two_sites):
    device, device_raw = device_create(site=two_sites[0], kind="kiosk")
    user = staff(Role.AGENT, site=two_sites[0])
    token, user_raw = api_token_create(user=user)
    credential_revoke(credential=device)
    credential_revoke(credential=token)
    for raw in (device_raw, user_raw):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401
        assert "révoqué" in response.json()["detail"]


def test_a_deactivated_users_token_is_refused(client, two_sites):
    user = staff(Role.AGENT, site=two_sites[0])
    _, raw = api_token_create(user=user)
    user.is_active = False
    user.save()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer abc", "Bearer tgu_short", "Token x", "Bearer tgu_" + "é" * 43]
)
def test_malformed_or_missing_tokens_get_401(client, db, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_tokens_are_stored_hashed(two_sites):
    device, raw = device_create(site=two_sites[0], kind="tablet")
    assert raw not in device.token_hash
    assert raw.startswith(device.prefix)
