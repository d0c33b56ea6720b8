"""The referential's page: read by staff, a version downloaded as its data file, the next one
published by the national team (page and API), refused files leaving nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from teranga.network.models import AuditEntry, Role
from teranga.network.services import api_token_create
from teranga.quality.models import Referential
from teranga.quality.services import referential_export, referential_publish_default
from tests.factories import staff

URL = "/espace-pro/qualite/referentiel/"


@pytest.fixture
def published(two_sites):
    return referential_publish_default()[0]


def _next_version(referential, version="ESS-2027.1") -> dict:
    data = referential_export(referential)
    data["version"] = version
    return data


def test_export_round_trips(published):
    data = _next_version(published)
    from teranga.quality.services import referential_publish

    again, created = referential_publish(data, make_current=False)
    assert created and referential_export(again) == data


def test_staff_read_the_referential_and_download_a_version(published, two_sites, login):
    client = login(staff(Role.AGENT, site=two_sites[0]))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ACC-2.1" in html and "served_within_target_pct &gt;= 80" in html
    assert "Publier une nouvelle version" not in html  # only the national team publishes
    download = client.get(f"{URL}ESS-2026.1.json")
    assert download["Content-Disposition"] == 'attachment; filename="referentiel-ESS-2026.1.json"'
    assert json.loads(download.content) == referential_export(published)
    assert client.get(f"{URL}ESS-0.json").status_code == 404
    assert client.post(URL, {"file": SimpleUploadedFile("r.json", b"{}")}).status_code == 403


def test_the_national_team_publishes_the_next_version(published, login, national_admin):
    client = login(national_admin)
    upload = json.dumps(_next_version(published), ensure_ascii=False).encode()
    response = client.post(
        URL, {"file": SimpleUploadedFile("r.json", upload), "make_current": "on"}
    )
    assert response.status_code == 302
    current = Referential.objects.get(is_current=True)
    assert current.version == "ESS-2027.1"
    entry = AuditEntry.objects.filter(action="quality.referential_publish").latest("id")
    assert entry.actor == national_admin and entry.object_id == str(current.pk)
    # The same version again is refused: a published version never changes.
    again = client.post(URL, {"file": SimpleUploadedFile("r.json", upload)})
    assert again.status_code == 422 and "ESS-2027.1" in again.content.decode()
    assert Referential.objects.count() == 2


def test_a_bad_file_is_refused_with_its_lines(published, login, national_admin):
    data = _next_version(published)
    data["themes"][0]["engagements"][0]["criteria"][0]["weight"] = 0
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # 0-based index of the code's line = 1-based number of the "{" line above it.
    line = [row.strip() for row in text.splitlines()].index('"code": "INFO-1.1",')
    with translation.override("en"):
        response = login(national_admin).post(
            URL, {"file": SimpleUploadedFile("r.json", text.encode())}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 422
    assert f"Ligne {line} : INFO-1.1" in response.content.decode()
    assert Referential.objects.count() == 1


def _post(client, user, body: bytes, query=""):
    _, raw = api_token_create(user=user)
    return client.post(
        f"/api/v1/quality/referentials{query}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def test_api_publish(published, client, national_admin, two_sites):
    body = json.dumps(_next_version(published)).encode()
    assert _post(client, staff(Role.SITE_MANAGER, site=two_sites[0]), body).status_code == 403
    response = _post(client, national_admin, body, "?current=false")
    assert response.status_code == 201
    assert response.json() == {"version": "ESS-2027.1", "current": False}
    assert _post(client, national_admin, body).status_code == 409
    broken = _next_version(published, "ESS-2027.2")
    del broken["themes"][1]["engagements"][1]["criteria"][0]["indicator"]
    response = _post(client, national_admin, json.dumps(broken, indent=1).encode())
    assert response.status_code == 422
    assert any("ACC-2.1" in p and p.startswith("Ligne ") for p in response.json()["problems"])
    response = _post(client, national_admin, b'{"version": ')
    assert response.status_code == 422 and response.json()["problems"][0].startswith("Ligne 1")
    assert Referential.objects.count() == 2
