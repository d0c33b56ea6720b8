"""Campaigns API: scoped to the caller's sites, 409 on illegal moves and closed campaigns,
422 with a reason on bad input, nothing written when refused."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from teranga.network.models import AuditEntry, Role
from teranga.network.services import api_token_create
from teranga.quality import campaigns
from teranga.quality.models import Answer, Assessment, Campaign
from teranga.quality.selectors import last_quarter
from teranga.quality.services import referential_publish_default
from tests.factories import staff
from tests.quality.campaign_data import quarter_data


@pytest.fixture
def api(client):
    def call(user, method, path, body=None):
        _, raw = api_token_create(user=user)
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


@pytest.fixture
def setup(two_sites, national_admin):
    dakar, thies = two_sites
    referential_publish_default()
    quarter_data(dakar)
    return {
        "dakar": dakar,
        "thies": thies,
        "admin": national_admin,
        "officer": staff(Role.QUALITY_OFFICER, site=dakar),
        "manager": staff(Role.SITE_MANAGER, site=dakar),
    }


def _launch(api, setup, **changes):
    first, last = last_quarter()
    body = {
        "title": "Auto-évaluation",
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "due_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "sites": ["DKR", "THS"],
        **changes,
    }
    return api(setup["admin"], "post", "/quality/campaigns", body)


def test_the_national_team_launches_lists_and_closes_campaigns(api, setup):
    response = _launch(api, setup)
    assert response.status_code == 201, response.content
    campaign = response.json()
    assert campaign["status"] == "open" and campaign["version"] == "ESS-2026.1"
    listed = api(setup["officer"], "get", "/quality/campaigns").json()
    assert [c["id"] for c in listed] == [campaign["id"]]
    detail = api(setup["officer"], "get", f"/quality/campaigns/{campaign['id']}").json()
    assert [s["site"] for s in detail["sites"]] == ["DKR"]  # the officer's own site only
    assert (
        api(setup["manager"], "post", f"/quality/campaigns/{campaign['id']}/close").status_code
        == 403
    )
    closed = api(setup["admin"], "post", f"/quality/campaigns/{campaign['id']}/close")
    assert closed.json()["status"] == "closed"
    again = api(setup["admin"], "post", f"/quality/campaigns/{campaign['id']}/close")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sites": ["DKR", "XXX"]}, "sites"),
        ({"referential": "ESS-1990"}, "referential"),
        ({"period_end": "2020-01-01"}, "period_end"),
        ({"title": ""}, "title"),
        ({"due_date": "demain"}, "due_date"),
    ],
)
def test_a_bad_launch_is_a_422_with_its_reason_and_writes_nothing(api, setup, changes, field):
    response = _launch(api, setup, **changes)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and any(e["field"].endswith(field) for e in body["errors"])
    assert not Campaign.objects.exists()


def test_only_the_national_team_launches(api, setup):
    first, last = last_quarter()
    body = {"title": "X", "period_start": first.isoformat(), "period_end": last.isoformat(),
            "due_date": (timezone.localdate() + timedelta(days=2)).isoformat()}  # fmt: skip
    assert api(setup["manager"], "post", "/quality/campaigns", body).status_code == 403
    assert not Campaign.objects.exists()


def test_the_site_answers_submits_and_the_nation_decides(api, setup):
    pk = _launch(api, setup).json()["id"]
    base = f"/sites/DKR/quality/campaigns/{pk}"
    grid = api(setup["officer"], "get", base).json()
    criteria = {
        c["code"]: c for t in grid["themes"] for e in t["engagements"] for c in e["criteria"]
    }
    assert criteria["REP-2.1"]["result"] == "not_met" and criteria["REP-2.1"]["value"] == 40.0
    saved = api(
        setup["officer"], "post", f"{base}/answers/REP-2.1", {"disputed": True, "comment": "Panne"}
    )
    assert saved.status_code == 200 and saved.json()["disputed"] is True
    bad = api(setup["officer"], "post", f"{base}/answers/REP-2.1", {"choice": "yes"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "choice"
    wrong = api(setup["officer"], "post", f"{base}/answers/ACC-1.1", {"choice": "maybe"})
    assert wrong.status_code == 422
    assert api(setup["manager"], "post", f"{base}/submit").status_code == 422  # missing answers
    for code, c in criteria.items():
        if c["kind"] == "declared":
            api(setup["officer"], "post", f"{base}/answers/{code}", {"choice": "yes"})
    assert api(setup["officer"], "post", f"{base}/submit").status_code == 403
    submitted = api(setup["manager"], "post", f"{base}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert "REP-2.1" in submitted.json()["gaps"]
    assert api(setup["manager"], "post", f"{base}/submit").status_code == 409
    no_remarks = api(setup["admin"], "post", f"{base}/return", {"remarks": ""})
    assert no_remarks.status_code == 422
    returned = api(setup["admin"], "post", f"{base}/return", {"remarks": "Preuves ?"})
    assert returned.json()["status"] == "returned" and returned.json()["remarks"] == "Preuves ?"
    assert api(setup["admin"], "post", f"{base}/accept", {}).status_code == 409
    api(setup["manager"], "post", f"{base}/submit")
    accepted = api(setup["admin"], "post", f"{base}/accept", {})
    assert accepted.json()["status"] == "accepted"
    partner = staff(Role.PARTNER)
    scores = api(partner, "get", f"/sites/DKR/quality?campaign={pk}").json()
    assert scores["campaign"] == str(pk) and scores["overall"] == accepted.json()["overall"]


def test_another_sites_staff_is_refused(api, setup):
    pk = _launch(api, setup).json()["id"]
    other = staff(Role.QUALITY_OFFICER, site=setup["thies"])
    base = f"/sites/DKR/quality/campaigns/{pk}"
    assert api(other, "get", base).status_code == 403
    assert api(other, "post", f"{base}/answers/ACC-1.1", {"choice": "yes"}).status_code == 403
    assert api(other, "post", f"{base}/submit").status_code == 403
    assert not AuditEntry.objects.filter(action="quality.answer").exists()


def test_answers_to_a_closed_campaign_are_a_409_and_write_nothing(api, setup):
    pk = _launch(api, setup).json()["id"]
    api(setup["admin"], "post", f"/quality/campaigns/{pk}/close")
    response = api(
        setup["officer"],
        "post",
        f"/sites/DKR/quality/campaigns/{pk}/answers/ACC-1.1",
        {"choice": "yes"},
    )
    assert response.status_code == 409 and "clôturée" in response.json()["detail"]
    assert (
        Answer.objects.get(
            assessment__campaign_id=pk, assessment__site=setup["dakar"], criterion__code="ACC-1.1"
        ).choice
        == ""
    )


def test_site_quality_without_campaign_is_the_latest_submitted_else_the_live_pre_score(api, setup):
    live = api(setup["officer"], "get", "/sites/DKR/quality").json()
    assert live["campaign"] is None
    first, last = last_quarter()
    campaign = campaigns.campaign_launch(
        actor=setup["admin"], title="T", period_start=first, period_end=last,
        due_date=timezone.localdate() + timedelta(days=3), sites=[setup["dakar"]],
    )  # fmt: skip
    assert api(setup["officer"], "get", "/sites/DKR/quality").json()["campaign"] is None  # draft
    assessment = Assessment.objects.get(campaign=campaign)
    Answer.objects.filter(assessment=assessment, criterion__kind="declared").update(choice="yes")
    campaigns.assessment_transition(actor=setup["manager"], assessment=assessment, to="submitted")
    latest = api(setup["officer"], "get", "/sites/DKR/quality").json()
    assert latest["campaign"] == str(campaign.pk)
    assert latest["period_from"] == campaign.period_start.isoformat()
    assert {g["criterion"] for g in latest["gaps"]} >= {"REP-2.1"}
    assert api(setup["officer"], "get", "/sites/DKR/quality?campaign=999").status_code == 404
