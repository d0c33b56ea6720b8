"""The audits, label and mystery API: scoped, 4xx with a reason, nothing written on refusal."""

import pytest

from teranga.network.models import Role
from teranga.network.services import api_token_create
from teranga.quality.models import Audit, Finding, LabelDecision, MysteryCheck
from teranga.quality.services import referential_publish_default
from tests.factories import staff

OBSERVED = ["INFO-2.2", "ACC-1.2", "ACC-3.3", "REP-3.2"]


def _bearer(user):
    _token, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def api(client, two_sites, national_admin):
    referential_publish_default()
    dakar, thies = two_sites
    auditor = staff(Role.AUDITOR, site=dakar, username="auditeur")
    outsider = staff(Role.AUDITOR, site=thies, username="auditeur.ths")

    def call(method, url, user, body=None):
        return getattr(client, method)(
            f"/api/v1{url}", body, content_type="application/json", **_bearer(user)
        )

    return {"call": call, "admin": national_admin, "auditor": auditor, "outsider": outsider}


def _planned(api):
    response = api["call"](
        "post",
        "/quality/audits",
        api["admin"],
        {"site": "DKR", "kind": "certification", "planned_on": "2026-03-02", "auditor": "auditeur"},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_audit_cycle_through_the_api(api):
    call = api["call"]
    audit = _planned(api)
    assert audit["missing"] == OBSERVED and audit["referential"] == "ESS-2026.1"
    listed = call("get", "/quality/audits", api["auditor"]).json()
    assert [a["id"] for a in listed] == [audit["id"]]
    assert call("get", "/quality/audits", api["outsider"]).json() == []
    for code in OBSERVED:
        response = call(
            "put",
            f"/quality/audits/{audit['id']}/findings/{code}",
            api["auditor"],
            {"result": "minor" if code == "ACC-1.2" else "conform", "note": "vu"},
        )
        assert response.status_code == 200, response.content
    done = call(
        "post", f"/quality/audits/{audit['id']}/complete", api["auditor"], {"conclusion": "OK"}
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    decided = call(
        "post",
        "/quality/label-decisions",
        api["admin"],
        {"site": "DKR", "decision": "granted", "decided_on": "2024-08-31", "audit": audit["id"]},
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["follow_up_on"] == "2026-02-28"
    label = call("get", "/sites/DKR/label", api["auditor"]).json()
    assert label["state"] == "labelled" and label["valid_until"] == "2027-08-31"


def test_refusals_write_nothing(api):
    call = api["call"]
    audit = _planned(api)
    url = f"/quality/audits/{audit['id']}"
    # The auditor of another site does not even see the audit.
    response = call("put", f"{url}/findings/ACC-1.2", api["outsider"], {"result": "major"})
    assert response.status_code == 404
    # An auditor may not plan, nor decide.
    response = call(
        "post",
        "/quality/audits",
        api["auditor"],
        {"site": "DKR", "kind": "internal", "planned_on": "2026-03-02"},
    )
    assert response.status_code == 403
    response = call(
        "post", "/quality/label-decisions", api["auditor"], {"site": "DKR", "decision": "granted"}
    )
    assert response.status_code == 403
    assert call("get", "/sites/DKR/label", api["outsider"]).status_code == 403
    response = call("put", f"{url}/findings/ZZZ", api["auditor"], {"result": "minor"})
    assert response.status_code == 422 and "ZZZ" in response.json()["detail"]
    response = call("put", f"{url}/findings/ACC-1.2", api["auditor"], {"result": "so-so"})
    assert response.status_code == 422
    response = call("post", f"{url}/complete", api["auditor"], {"conclusion": "OK"})
    assert response.status_code == 422 and "INFO-2.2" in response.json()["detail"]
    assert not Finding.objects.exists() and Audit.objects.get().status == "planned"
    assert not LabelDecision.objects.exists()


def test_a_completed_audit_answers_409(api):
    call = api["call"]
    audit = _planned(api)
    url = f"/quality/audits/{audit['id']}"
    for code in OBSERVED:
        call("put", f"{url}/findings/{code}", api["auditor"], {"result": "conform"})
    call("post", f"{url}/complete", api["auditor"], {"conclusion": "OK"})
    response = call("put", f"{url}/findings/ACC-1.2", api["auditor"], {"result": "major"})
    assert response.status_code == 409
    assert call("post", f"{url}/complete", api["auditor"], {"conclusion": "x"}).status_code == 409
    assert Finding.objects.get(criterion__code="ACC-1.2").result == "conform"


def test_mystery_campaign_checks_and_results(api):
    call = api["call"]
    response = call(
        "post",
        "/quality/mystery/campaigns",
        api["admin"],
        {
            "title": "Appels mystère",
            "channel": "phone",
            "period_start": "2026-02-01",
            "period_end": "2026-02-28",
            "items": [
                {"criterion": "ACC-1.2", "weight": 2, "title_fr": "Courtoisie", "title_en": "C"},
                {"criterion": "REP-3.2", "weight": 1, "title_fr": "Clarté", "title_en": "C"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    campaign = response.json()
    courtesy, clarity = (i["id"] for i in campaign["items"])
    url = f"/quality/mystery/campaigns/{campaign['id']}/checks"

    def check(user, site="DKR", when="2026-02-10T10:00:00+00:00", points=None):
        body = {"site": site, "performed_at": when, "points": points or {courtesy: 9, clarity: 3}}
        return call("post", url, user, body)

    response = check(api["auditor"])
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 7.0 and response.json()["passed"] is True
    assert check(api["outsider"]).status_code == 403  # not their site
    assert check(api["auditor"], site="THS").status_code == 403  # other site
    assert check(api["admin"], when="2026-03-01T10:00:00+00:00").status_code == 409
    assert check(api["admin"], points={courtesy: 11, clarity: 3}).status_code == 422
    assert check(api["admin"], points={courtesy: 5}).status_code == 422
    assert MysteryCheck.objects.count() == 1
    unknown = call(
        "post",
        "/quality/mystery/campaigns",
        api["admin"],
        {
            "title": "x",
            "channel": "visit",
            "period_start": "2026-02-01",
            "period_end": "2026-02-28",
            "items": [{"criterion": "NOPE", "title_fr": "x", "title_en": "x"}],
        },
    )
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]
    results = call("get", f"/quality/mystery/campaigns/{campaign['id']}/results", api["admin"])
    assert results.json()["sites"][0]["mean"] == 7.0
    assert results.json()["criteria"] == {"ACC-1.2": 9.0, "REP-3.2": 3.0}
    forbidden = call("get", f"/quality/mystery/campaigns/{campaign['id']}/results", api["auditor"])
    assert forbidden.status_code == 403
    site = call("get", "/sites/DKR/mystery", api["auditor"]).json()
    assert [c["score"] for c in site] == [7.0]
    assert call("get", "/sites/DKR/mystery", api["outsider"]).status_code == 403
